//! A standalone S3-compatible server (s3s-fs: buckets are folders) for the local cluster
//! (`scripts/cluster.sh`), the same server the tests start in-process.
//!
//! `s3_server <folder> <127.0.0.1:port> <access key> <secret key> [bucket…]` creates the
//! buckets that are missing and serves until stopped.

use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto::Builder as ConnBuilder;
use s3s::auth::SimpleAuth;
use s3s::service::S3ServiceBuilder;

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [root, bind, access_key, secret_key, buckets @ ..] = args.as_slice() else {
        anyhow::bail!(
            "usage: s3_server <folder> <127.0.0.1:port> <access key> <secret key> [bucket…]"
        );
    };
    for bucket in buckets {
        std::fs::create_dir_all(std::path::Path::new(root).join(bucket))?;
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    runtime.block_on(async move {
        let fs = s3s_fs::FileSystem::new(root)
            .map_err(|err| anyhow::anyhow!("cannot serve {root}: {err:?}"))?;
        let mut builder = S3ServiceBuilder::new(fs);
        builder.set_auth(SimpleAuth::from_single(
            access_key.clone(),
            secret_key.clone(),
        ));
        let service = builder.build();
        let listener = tokio::net::TcpListener::bind(bind).await?;
        println!("S3 at http://{bind}, buckets in {root}");
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
    })
}
