//! `make bench-photos`: what a photo upload costs the server.
//!
//! Starts the release server as its own process (private PostgreSQL and local storage in a
//! temporary folder), logs in, and measures from outside the process:
//! 1. CPU time (user + system, from /proc/<pid>/stat) per 12-megapixel JPEG, from the upload
//!    to its stored derivatives, over sequential uploads;
//! 2. peak resident memory growth (VmRSS sampled every 5 ms) while 8 clients upload large
//!    photos at once, for two file sizes, to show it does not grow with the file size.
//!
//! Run with `make bench-photos` (or `cargo run --release --example bench_photos`).

#[path = "common/mod.rs"]
#[allow(dead_code)] // Each benchmark uses part of it.
mod common;

use std::io::{Cursor, Write};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

const PASSWORD: &str = "bench password 123";
const SEQUENTIAL_UPLOADS: usize = 10;
const CONCURRENT_CLIENTS: usize = 8;

fn main() -> anyhow::Result<()> {
    let binary = common::release_binary()?;
    let data = tempfile::Builder::new()
        .prefix("corkboard-bench-")
        .tempdir_in("/tmp")?;
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0")?;
        l.local_addr()?.port()
    };
    let base = format!("http://127.0.0.1:{port}");
    let env = |cmd: &mut Command| {
        cmd.env("DATA_DIR", data.path())
            .env("BIND", format!("127.0.0.1:{port}"))
            .env("BCRYPT_COST", "4")
            .env("WORKERS", "2")
            .env("RUST_LOG", "warn");
    };

    println!("Preparing: private database, a member, test photos…");
    let mut admin = Command::new(&binary);
    env(&mut admin);
    let mut admin = admin
        .args(["create-admin", "bench", "--email", "bench@example.com"])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()?;
    writeln!(admin.stdin.take().unwrap(), "{PASSWORD}")?;
    anyhow::ensure!(admin.wait()?.success(), "create-admin failed");

    let photo_12mp = jpeg(4000, 3000, 90, false);
    let big = near_size(20 * 1024 * 1024);
    let medium = near_size(5 * 1024 * 1024);

    let mut serve = Command::new(&binary);
    env(&mut serve);
    let server = serve.arg("serve").stdout(Stdio::null()).spawn()?;
    let guard = common::ServerGuard(server);
    let pid = guard.0.id();

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(CONCURRENT_CLIENTS)
        .enable_all()
        .build()?;
    let result = runtime.block_on(async {
        wait_until_ready(&base).await?;
        let session = Session::log_in(&base).await?;

        // Warm up (first connections, first allocations).
        session.post_photo(&photo_12mp).await?;

        // 1. CPU per 12 MP photo.
        let before = cpu_seconds(pid)?;
        let started = Instant::now();
        for _ in 0..SEQUENTIAL_UPLOADS {
            session.post_photo(&photo_12mp).await?;
        }
        let wall = started.elapsed();
        let cpu = cpu_seconds(pid)? - before;

        // 2. Memory while 8 clients upload at once.
        let mut memory = Vec::new();
        for (label, photo) in [("~5 MiB", &medium), ("~20 MiB", &big)] {
            let baseline = common::rss_kib(pid)?;
            let peak = Arc::new(AtomicU64::new(baseline));
            let done = Arc::new(AtomicBool::new(false));
            let sampler = {
                let (peak, done) = (peak.clone(), done.clone());
                std::thread::spawn(move || {
                    while !done.load(Ordering::Relaxed) {
                        if let Ok(rss) = common::rss_kib(pid) {
                            peak.fetch_max(rss, Ordering::Relaxed);
                        }
                        std::thread::sleep(Duration::from_millis(5));
                    }
                })
            };
            let started = Instant::now();
            let uploads: Vec<_> = (0..CONCURRENT_CLIENTS)
                .map(|_| {
                    let session = session.clone();
                    let photo = photo.clone();
                    tokio::spawn(async move { session.post_photo(&photo).await })
                })
                .collect();
            for upload in uploads {
                upload.await??;
            }
            let elapsed = started.elapsed();
            done.store(true, Ordering::Relaxed);
            sampler.join().unwrap();
            memory.push((
                label,
                photo.len(),
                baseline,
                peak.load(Ordering::Relaxed),
                elapsed,
            ));
        }
        anyhow::Ok((cpu, wall, memory))
    });
    drop(guard);
    let (cpu, wall, memory) = result?;

    println!();
    println!(
        "Photo pipeline, release build, {} cores",
        std::thread::available_parallelism().map_or(0, |n| n.get())
    );
    println!();
    println!("| measurement | result | target |");
    println!("|---|---|---|");
    println!(
        "| CPU per 12 MP JPEG ({} KiB), upload to stored derivatives | {:.0} ms | ≤ 200 ms |",
        photo_12mp.len() / 1024,
        cpu * 1000.0 / SEQUENTIAL_UPLOADS as f64
    );
    println!(
        "| wall time per 12 MP JPEG, one client | {:.0} ms | |",
        wall.as_secs_f64() * 1000.0 / SEQUENTIAL_UPLOADS as f64
    );
    for (label, size, baseline, peak, elapsed) in memory {
        println!(
            "| peak RSS growth, {CONCURRENT_CLIENTS} clients × {label} ({:.1} MiB) at once | {:.0} MiB (from {:.0} MiB, {:.1} s) | ≤ 256 MiB |",
            size as f64 / 1048576.0,
            (peak.saturating_sub(baseline)) as f64 / 1024.0,
            baseline as f64 / 1024.0,
            elapsed.as_secs_f64()
        );
    }
    Ok(())
}

/// A JPEG of a photo-like picture: smooth gradients, or noise (hard to compress) when `noisy`.
fn jpeg(width: u32, height: u32, quality: u8, noisy: bool) -> Vec<u8> {
    let mut seed = 0x2545_f491_4f6c_dd1du64;
    let img = image::RgbImage::from_fn(width, height, |x, y| {
        if noisy {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            let n = seed.to_le_bytes();
            image::Rgb([n[0], n[1], n[2]])
        } else {
            let r = (x * 255 / width) as u8;
            let g = (y * 255 / height) as u8;
            let b = (((x / 40) + (y / 40)) % 2 * 60 + (x ^ y) % 64) as u8;
            image::Rgb([r, g, b])
        }
    });
    let mut out = Cursor::new(Vec::new());
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, quality)
        .encode_image(&img)
        .unwrap();
    out.into_inner()
}

/// A valid noisy JPEG just under `bytes` and under 40 megapixels.
fn near_size(bytes: usize) -> Vec<u8> {
    // Noise at quality 92 costs about 1.1 bytes a pixel; search the side length.
    let mut side = ((bytes as f64 / 1.1).sqrt()) as u32;
    loop {
        let photo = jpeg(side, side * 3 / 4, 92, true);
        if photo.len() <= bytes {
            return photo;
        }
        side = side * 97 / 100;
    }
}

#[derive(Clone)]
struct Session {
    client: reqwest::Client,
    base: String,
    category: String,
}

impl Session {
    async fn log_in(base: &str) -> anyhow::Result<Self> {
        let client = reqwest::Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .timeout(Duration::from_secs(120))
            .build()?;
        let page = client
            .get(format!("{base}/login"))
            .send()
            .await?
            .text()
            .await?;
        let token = between(&page, "name=\"csrf_token\" value=\"", "\"")?;
        let response = client
            .post(format!("{base}/login"))
            .header("Origin", base)
            .form(&[
                ("csrf_token", token.as_str()),
                ("login", "bench"),
                ("password", PASSWORD),
            ])
            .send()
            .await?;
        anyhow::ensure!(
            response.status() == 303,
            "log-in failed: {}",
            response.status()
        );
        let chooser = client
            .get(format!("{base}/listings/new"))
            .send()
            .await?
            .text()
            .await?;
        let category = between(&chooser, "href=\"/listings/new?category=", "\"")?;
        Ok(Self {
            client,
            base: base.to_owned(),
            category,
        })
    }

    async fn post_photo(&self, photo: &[u8]) -> anyhow::Result<()> {
        let page = self
            .client
            .get(format!(
                "{}/listings/new?category={}",
                self.base, self.category
            ))
            .send()
            .await?
            .text()
            .await?;
        let token = between(&page, "csrf_token=", "\"")?;
        let form = reqwest::multipart::Form::new()
            .text("title", "Benchmark photo")
            .text("body", "A photo for the benchmark.")
            .text("zip", "94110")
            .part(
                "photos",
                reqwest::multipart::Part::bytes(photo.to_vec()).file_name("photo.jpg"),
            );
        let response = self
            .client
            .post(format!(
                "{}/listings/new?category={}&csrf_token={token}",
                self.base, self.category
            ))
            .header("Origin", &self.base)
            .multipart(form)
            .send()
            .await?;
        anyhow::ensure!(
            response.status() == 303,
            "upload failed: {} {}",
            response.status(),
            response
                .text()
                .await
                .unwrap_or_default()
                .chars()
                .take(300)
                .collect::<String>()
        );
        Ok(())
    }
}

fn between(text: &str, start: &str, end: &str) -> anyhow::Result<String> {
    let from = text
        .find(start)
        .ok_or_else(|| anyhow::anyhow!("{start:?} not found"))?
        + start.len();
    let to = from + text[from..].find(end).unwrap_or(0);
    Ok(text[from..to].to_owned())
}

async fn wait_until_ready(base: &str) -> anyhow::Result<()> {
    for _ in 0..300 {
        if let Ok(r) = reqwest::get(format!("{base}/readyz")).await
            && r.status() == 200
        {
            return Ok(());
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    anyhow::bail!("the server did not become ready")
}

/// User + system CPU seconds of a process.
fn cpu_seconds(pid: u32) -> anyhow::Result<f64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat"))?;
    // Fields after the command name (which may contain spaces) start after ") ".
    let rest = &stat[stat
        .rfind(") ")
        .ok_or_else(|| anyhow::anyhow!("bad stat"))?
        + 2..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks: f64 = fields[11].parse::<f64>()? + fields[12].parse::<f64>()?;
    // SAFETY: sysconf has no preconditions.
    let hz = unsafe { libc::sysconf(libc::_SC_CLK_TCK) } as f64;
    Ok(ticks / hz)
}
