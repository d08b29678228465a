//! `make bench-cluster` (issue 19): the local cluster (`scripts/cluster.sh`, release build,
//! demo data) measured through nginx next to one instance direct, then a soak through nginx
//! at half the measured maximum: errors, the instances' memory, PostgreSQL connections.
//!
//! `SOAK_SECONDS` (600) sets the soak's length and `SOAK_FRACTION` (0.5) its rate, as a share
//! of wrk's maximum; `BENCH_ONLY=pages|soak` runs one part.

#[path = "common/mod.rs"]
#[allow(dead_code)] // Each benchmark uses part of it.
mod common;

use std::path::Path;
use std::process::Command;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Where the benchmark's cluster lives, and its first port.
const DIR: &str = "target/bench-cluster";
const PORT: u16 = 8390;
const CONNECTIONS: &str = "16";
const ROUNDS: usize = 3;
const PAGES: &[(&str, &str)] = &[
    ("category page (/c/for-sale)", "/c/for-sale"),
    ("common search (/search?q=bike)", "/search?q=bike"),
];

fn cluster(args: &[&str]) -> anyhow::Result<()> {
    let status = Command::new("scripts/cluster.sh")
        .args(args)
        .env("CLUSTER_DIR", DIR)
        .env("CLUSTER_PORT", PORT.to_string())
        // The benchmark is one network: the per-network search limit would refuse it.
        .env("SEARCH_RATE_PER_MINUTE", "0")
        .env("RUST_LOG", "warn")
        .status()?;
    anyhow::ensure!(status.success(), "scripts/cluster.sh {args:?}");
    Ok(())
}

/// Stops the cluster when dropped.
struct Up;

impl Drop for Up {
    fn drop(&mut self) {
        let _ = cluster(&["down"]);
    }
}

fn secret(name: &str) -> anyhow::Result<String> {
    let text = std::fs::read_to_string(Path::new(DIR).join("secrets.env"))?;
    text.lines()
        .find_map(|l| l.strip_prefix(&format!("{name}=")))
        .map(str::to_owned)
        .ok_or_else(|| anyhow::anyhow!("{name} in secrets.env"))
}

fn main() -> anyhow::Result<()> {
    let only = std::env::var("BENCH_ONLY").unwrap_or_default();
    let _ = cluster(&["down"]);
    let _ = std::fs::remove_dir_all(DIR);
    cluster(&["up"])?;
    let _up = Up;
    seed()?;
    let nginx = format!("http://127.0.0.1:{PORT}");
    let direct = format!("http://127.0.0.1:{}", PORT + 1);
    let mut max_rps = 0.0;
    if only.is_empty() || only == "pages" {
        println!(
            "\nThrough nginx (three instances, 2 workers each) and one instance direct; wrk -t2 -c{CONNECTIONS}, 6 s after 1 s of warm-up, {ROUNDS} interleaved rounds, medians. Everything (nginx, 3 instances, PostgreSQL primary + replica, wrk) on this 2-core machine.\n"
        );
        println!("| page | through nginx: req/s | p99 | one instance direct: req/s | p99 |");
        println!("|---|---:|---:|---:|---:|");
        for (name, path) in PAGES {
            let mut via = Vec::new();
            let mut straight = Vec::new();
            for _ in 0..ROUNDS {
                via.push(wrk(&format!("{nginx}{path}"))?);
                straight.push(wrk(&format!("{direct}{path}"))?);
            }
            let (v, s) = (median(&via), median(&straight));
            if *path == "/c/for-sale" {
                max_rps = v.0;
            }
            println!(
                "| {name} | {:.0} | {:.1} ms | {:.0} | {:.1} ms |",
                v.0, v.1, s.0, s.1
            );
        }
    }
    if only.is_empty() || only == "soak" {
        if max_rps == 0.0 {
            max_rps = wrk(&format!("{nginx}/c/for-sale"))?.0;
        }
        let seconds: u64 = std::env::var("SOAK_SECONDS")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or(600);
        // Of wrk's maximum: this process's own client costs CPU on the same two cores.
        let fraction: f64 = std::env::var("SOAK_FRACTION")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or(0.5);
        soak(
            &nginx,
            (max_rps * fraction).max(1.0),
            fraction,
            Duration::from_secs(seconds),
        )?;
    }
    Ok(())
}

/// The demo data, through the release binary, into the cluster's database and bucket.
fn seed() -> anyhow::Result<()> {
    let out = Command::new(common::release_binary()?)
        .arg("seed-demo")
        .env("DATA_DIR", format!("{DIR}/app"))
        .env(
            "DATABASE_URL",
            format!(
                "postgres://corkboard:{}@127.0.0.1:{}/corkboard",
                secret("DB_PASSWORD")?,
                PORT + 30
            ),
        )
        .env("S3_BUCKET", "corkboard")
        .env("S3_ENDPOINT", format!("http://127.0.0.1:{}", PORT + 20))
        .env("S3_ACCESS_KEY", secret("S3_KEY")?)
        .env("S3_SECRET_KEY", secret("S3_SECRET")?)
        .env("SESSION_KEY", secret("SESSION_KEY")?)
        .env("RUST_LOG", "warn")
        .output()?;
    anyhow::ensure!(
        out.status.success(),
        "seed-demo: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    // The replica replays it; give it a moment.
    std::thread::sleep(Duration::from_secs(1));
    Ok(())
}

/// (req/s, p99 ms) of one wrk run; any non-2xx answer fails the benchmark.
fn wrk(url: &str) -> anyhow::Result<(f64, f64)> {
    let run = |seconds: &str| {
        Command::new("wrk")
            .args(["-t2", "-c", CONNECTIONS, "-d", seconds, "--latency", url])
            .output()
    };
    run("1s")?;
    let out = run("6s")?;
    let text = String::from_utf8(out.stdout)?;
    anyhow::ensure!(!text.contains("Non-2xx"), "{url} answered errors:\n{text}");
    let rps = text
        .lines()
        .find_map(|l| l.strip_prefix("Requests/sec:"))
        .and_then(|v| v.trim().parse().ok())
        .ok_or_else(|| anyhow::anyhow!("no Requests/sec in:\n{text}"))?;
    let p99 = text
        .lines()
        .find_map(|l| l.trim().strip_prefix("99%"))
        .map(|v| common::wrk_milliseconds(v.trim()))
        .ok_or_else(|| anyhow::anyhow!("no 99% in:\n{text}"))?;
    Ok((rps, p99))
}

fn median(runs: &[(f64, f64)]) -> (f64, f64) {
    let mut rps: Vec<f64> = runs.iter().map(|r| r.0).collect();
    let mut p99: Vec<f64> = runs.iter().map(|r| r.1).collect();
    rps.sort_by(f64::total_cmp);
    p99.sort_by(f64::total_cmp);
    (rps[rps.len() / 2], p99[p99.len() / 2])
}

/// The instances' resident memory, in KiB.
fn instances_rss() -> anyhow::Result<Vec<u64>> {
    (1..=3)
        .map(|n| {
            let pid: u32 = std::fs::read_to_string(format!("{DIR}/pids/app{n}.pid"))?
                .trim()
                .parse()?;
            common::rss_kib(pid)
        })
        .collect()
}

/// Connections open to the cluster's database (the instances' pools and listeners).
fn database_connections() -> anyhow::Result<i64> {
    let out = Command::new("psql")
        .args([
            "-h",
            "127.0.0.1",
            "-p",
            &(PORT + 30).to_string(),
            "-U",
            "corkboard",
            "-d",
            "corkboard",
            "-Atc",
            "SELECT count(*) FROM pg_stat_activity WHERE datname = 'corkboard'",
        ])
        .env("PGPASSWORD", secret("DB_PASSWORD")?)
        .output()?;
    Ok(String::from_utf8(out.stdout)?.trim().parse()?)
}

/// `rate` requests a second through nginx for `length` (the category page and a search in
/// turn), after a minute's warm-up at the same rate.
fn soak(nginx: &str, rate: f64, fraction: f64, length: Duration) -> anyhow::Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    let warm_up = Duration::from_secs(60).min(length / 5);
    println!(
        "\nSoak through nginx: {rate:.0} requests/s ({:.0} % of the category page's maximum) for {} s after {} s of warm-up…",
        fraction * 100.0,
        length.as_secs(),
        warm_up.as_secs()
    );
    runtime.block_on(async {
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(10))
            .build()?;
        load(&client, nginx, rate, warm_up).await;
        let rss_before = instances_rss()?;
        let connections_before = database_connections()?;
        let (sent, errors, mut latencies) = load(&client, nginx, rate, length).await;
        let errors_total: usize = errors.values().sum();
        let rss_after = instances_rss()?;
        let connections_after = database_connections()?;
        latencies.sort_by(f64::total_cmp);
        let at = |p: f64| latencies[((latencies.len() - 1) as f64 * p) as usize];
        println!(
            "  {sent} requests, {errors_total} errors {errors:?}; p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
            at(0.5),
            at(0.99),
            at(1.0)
        );
        for (n, (before, after)) in rss_before.iter().zip(&rss_after).enumerate() {
            println!(
                "  instance {}: {:.1} MiB → {:.1} MiB ({:+.1} %)",
                n + 1,
                *before as f64 / 1024.0,
                *after as f64 / 1024.0,
                (*after as f64 / *before as f64 - 1.0) * 100.0
            );
        }
        println!(
            "  PostgreSQL connections to the database: {connections_before} → {connections_after}"
        );
        anyhow::Ok(())
    })
}

/// Sends requests at `rate` a second for `length`; (sent, errors by kind, latencies in ms).
async fn load(
    client: &reqwest::Client,
    base: &str,
    rate: f64,
    length: Duration,
) -> (usize, std::collections::BTreeMap<String, usize>, Vec<f64>) {
    let errors = Arc::new(std::sync::Mutex::new(std::collections::BTreeMap::new()));
    let latencies = Arc::new(std::sync::Mutex::new(Vec::new()));
    let mut every = tokio::time::interval(Duration::from_secs_f64(1.0 / rate));
    every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Burst);
    let started = Instant::now();
    let mut sent = 0;
    let mut tasks = tokio::task::JoinSet::new();
    while started.elapsed() < length {
        every.tick().await;
        let path = PAGES[sent % PAGES.len()].1;
        sent += 1;
        let (client, url) = (client.clone(), format!("{base}{path}"));
        let (errors, latencies) = (errors.clone(), latencies.clone());
        tasks.spawn(async move {
            let asked = Instant::now();
            let failed = match client.get(&url).send().await {
                Ok(r) if r.status().is_success() => match r.bytes().await {
                    Ok(_) => None,
                    Err(_) => Some("body cut short".to_owned()),
                },
                Ok(r) => Some(r.status().to_string()),
                Err(err) if err.is_timeout() => Some("timed out (10 s)".to_owned()),
                Err(_) => Some("connection failed".to_owned()),
            };
            match failed {
                None => latencies
                    .lock()
                    .unwrap()
                    .push(asked.elapsed().as_secs_f64() * 1000.0),
                Some(kind) => *errors.lock().unwrap().entry(kind).or_insert(0) += 1,
            }
        });
        while tasks.try_join_next().is_some() {}
    }
    while tasks.join_next().await.is_some() {}
    let latencies = std::mem::take(&mut *latencies.lock().unwrap());
    let errors = std::mem::take(&mut *errors.lock().unwrap());
    (sent, errors, latencies)
}
