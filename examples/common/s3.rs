//! The S3-compatible server (s3s-fs: buckets are folders), shared by the standalone
//! `s3_server` example (the local cluster's) and the tests, which start it in-process.

use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto::Builder as ConnBuilder;
use s3s::auth::SimpleAuth;
use s3s::service::S3ServiceBuilder;

/// Serves the buckets under `root` on `listener`, to the one key pair given, until the
/// runtime stops.
pub async fn serve(
    listener: tokio::net::TcpListener,
    root: &std::path::Path,
    access_key: String,
    secret_key: String,
) -> anyhow::Result<()> {
    let fs = s3s_fs::FileSystem::new(root)
        .map_err(|err| anyhow::anyhow!("cannot serve {}: {err:?}", root.display()))?;
    let mut builder = S3ServiceBuilder::new(fs);
    builder.set_auth(SimpleAuth::from_single(access_key, secret_key));
    let service = builder.build();
    let http = ConnBuilder::new(TokioExecutor::new());
    loop {
        let Ok((socket, _)) = listener.accept().await else {
            continue;
        };
        let conn = http
            .serve_connection(TokioIo::new(socket), service.clone())
            .into_owned();
        tokio::spawn(async move {
            let _ = conn.await;
        });
    }
}
