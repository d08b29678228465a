//! What the benchmarks share: the release binary, its one-shot commands, a server that stops
//! when dropped, and a process's memory. Included by each benchmark with `#[path]` (each uses
//! part of it).

use std::path::{Path, PathBuf};
use std::process::{Child, Command};

/// `target/release/corkboard`, which `make bench…` builds first (or `CORKBOARD_BINARY`, to
/// measure another build: the one before a change, say).
pub fn release_binary() -> anyhow::Result<PathBuf> {
    if let Some(binary) = std::env::var_os("CORKBOARD_BINARY") {
        return Ok(PathBuf::from(binary));
    }
    let binary = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/release/corkboard");
    anyhow::ensure!(binary.exists(), "build first: cargo build --release");
    Ok(binary)
}

/// Runs `corkboard <args>` on the data folder `data_dir` (`database start`, `database stop`…);
/// returns what it printed.
pub fn corkboard(binary: &Path, data_dir: &str, args: &[&str]) -> anyhow::Result<String> {
    let out = Command::new(binary)
        .args(args)
        .env("DATA_DIR", data_dir)
        .env("RUST_LOG", "warn")
        .env_remove("DATABASE_URL")
        .output()?;
    anyhow::ensure!(
        out.status.success(),
        "corkboard {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    Ok(String::from_utf8(out.stdout)?.trim().to_owned())
}

/// Stops a server (gracefully, so it stops what it started too) when dropped.
pub struct ServerGuard(pub Child);

impl Drop for ServerGuard {
    fn drop(&mut self) {
        // SAFETY: a signal to our own child process.
        unsafe { libc::kill(self.0.id() as i32, libc::SIGINT) };
        let _ = self.0.wait();
    }
}

/// Resident memory of a process, in KiB.
pub fn rss_kib(pid: u32) -> anyhow::Result<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
    let line = status
        .lines()
        .find(|l| l.starts_with("VmRSS:"))
        .ok_or_else(|| anyhow::anyhow!("no VmRSS"))?;
    Ok(line.split_whitespace().nth(1).unwrap_or("0").parse()?)
}

/// CPU time a process has used so far (user + system), in seconds.
pub fn cpu_seconds(pid: u32) -> f64 {
    let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
        return 0.0;
    };
    // Fields after the command (which may hold spaces) end with ')'.
    let after = stat.rsplit_once(')').map_or("", |(_, rest)| rest);
    let fields: Vec<&str> = after.split_whitespace().collect();
    // utime and stime are fields 14 and 15 of the whole line: 12 and 13 after the command.
    let ticks: u64 = fields
        .get(11..13)
        .map_or(0, |f| f.iter().filter_map(|v| v.parse::<u64>().ok()).sum());
    // SAFETY: sysconf has no preconditions.
    let per_second = unsafe { libc::sysconf(libc::_SC_CLK_TCK) }.max(1) as f64;
    ticks as f64 / per_second
}

/// CPU time every PostgreSQL process on the machine has used so far, in seconds (the
/// benchmark's cluster is the only busy one while it runs).
pub fn postgres_cpu_seconds() -> f64 {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return 0.0;
    };
    entries
        .filter_map(Result::ok)
        .filter_map(|e| e.file_name().to_str()?.parse::<u32>().ok())
        .filter(|pid| {
            std::fs::read_to_string(format!("/proc/{pid}/comm"))
                .is_ok_and(|comm| comm.trim() == "postgres")
        })
        .map(cpu_seconds)
        .sum()
}

/// A wrk duration ("850.00us", "6.01ms", "1.20s") in milliseconds.
pub fn wrk_milliseconds(text: &str) -> f64 {
    let (number, scale) = if let Some(n) = text.strip_suffix("us") {
        (n, 0.001)
    } else if let Some(n) = text.strip_suffix("ms") {
        (n, 1.0)
    } else if let Some(n) = text.strip_suffix('m') {
        (n, 60_000.0)
    } else if let Some(n) = text.strip_suffix('s') {
        (n, 1000.0)
    } else {
        (text, 1.0)
    };
    number.parse::<f64>().map_or(f64::NAN, |n| n * scale)
}
