//! A standalone S3-compatible server (s3s-fs: buckets are folders) for the local cluster
//! (`scripts/cluster.sh`), the same server the tests start in-process.
//!
//! `s3_server <folder> <127.0.0.1:port> <access key> <secret key> [bucket…]` creates the
//! buckets that are missing and serves until stopped.

#[path = "common/s3.rs"]
mod s3;

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
        let listener = tokio::net::TcpListener::bind(bind).await?;
        println!("S3 at http://{bind}, buckets in {root}");
        s3::serve(
            listener,
            std::path::Path::new(root),
            access_key.clone(),
            secret_key.clone(),
        )
        .await
    })
}
