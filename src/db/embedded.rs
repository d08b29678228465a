//! A private PostgreSQL cluster under a folder of ours, run with the system's server binaries.
//!
//! Policy: the cluster admits only the account that runs Corkboard, twice over:
//! - It listens on a Unix socket inside its own folder and on no TCP port, so it never collides
//!   with another PostgreSQL on the machine; the folder, the socket's folder and the data are
//!   mode 0700, so no other local account can even reach the socket.
//! - Every connection must give a password (SCRAM): a random secret generated on first start
//!   into `password` in the cluster's folder (mode 0600, readable by the account that runs
//!   Corkboard alone), never a `trust` line in `pg_hba.conf`. A cluster made by an older
//!   version with `trust` is given the password and switched to SCRAM at its next start.
//!
//! Running as root, `initdb` and `pg_ctl` refuse to work, so they run as the `postgres` system
//! user (via `runuser`) and the folder belongs to that user; root reaches it regardless. A
//! cluster that is already running is reused.

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use anyhow::{Context, bail};
use diesel::RunQueryDsl;

/// Longest Unix socket path the kernel accepts (`sun_path`, less the terminating NUL).
const MAX_SOCKET_PATH: usize = 107;
const SOCKET_NAME: &str = ".s.PGSQL.5432";

/// How the cluster trades safety for speed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Durability {
    /// Normal crash-safe settings: for data that matters.
    Durable,
    /// `fsync` and friends off: for throw-away test clusters.
    Ephemeral,
}

/// The file in the data folder that holds the memory settings Corkboard chooses.
const TUNING_FILE: &str = "corkboard.conf";

/// Memory sizes for the cluster. PostgreSQL's own default of 128 MB of shared buffers fits
/// a tiny machine; a site's listings, read at random by searches, want to stay in them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MemorySettings {
    pub shared_buffers_mb: u64,
    pub effective_cache_size_mb: u64,
}

impl MemorySettings {
    /// A quarter of the memory for shared buffers (at least 128 MB, at most 2 GB), and half
    /// of it as the planner's idea of the cache.
    pub fn for_memory(total_mb: u64) -> Self {
        Self {
            shared_buffers_mb: (total_mb / 4).clamp(128, 2048),
            effective_cache_size_mb: (total_mb / 2).max(512),
        }
    }

    fn for_cluster(durability: Durability) -> Self {
        match durability {
            Durability::Durable => Self::for_memory(physical_memory_mb()),
            // Test clusters come and go by the dozen: keep them small.
            Durability::Ephemeral => Self::for_memory(0),
        }
    }
}

/// This machine's memory in MiB (or 0 when unknown).
fn physical_memory_mb() -> u64 {
    // SAFETY: sysconf only reads system configuration.
    let (pages, page_size) = unsafe {
        (
            libc::sysconf(libc::_SC_PHYS_PAGES),
            libc::sysconf(libc::_SC_PAGESIZE),
        )
    };
    if pages <= 0 || page_size <= 0 {
        return 0;
    }
    (pages as u64).saturating_mul(page_size as u64) / (1024 * 1024)
}

#[derive(Clone)]
pub struct EmbeddedCluster {
    root: PathBuf,
    bin_dir: PathBuf,
    /// Set when running as root: the system user the server runs as.
    run_as: Option<String>,
    /// The `postgres` role's password (hex, so it needs no escaping in a URL or in SQL).
    password: String,
}

impl std::fmt::Debug for EmbeddedCluster {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EmbeddedCluster")
            .field("root", &self.root)
            .field("run_as", &self.run_as)
            .finish_non_exhaustive()
    }
}

/// The file in the cluster's folder that holds the `postgres` role's password.
const PASSWORD_FILE: &str = "password";

impl EmbeddedCluster {
    /// Describes the cluster kept in `root` (created on `start` if missing).
    pub fn new(root: &Path) -> anyhow::Result<Self> {
        std::fs::create_dir_all(root)
            .with_context(|| format!("cannot create {}", root.display()))?;
        let root = root
            .canonicalize()
            .with_context(|| format!("cannot resolve {}", root.display()))?;
        let socket = root.join("run").join(SOCKET_NAME);
        if socket.as_os_str().len() > MAX_SOCKET_PATH {
            bail!(
                "the database folder {} is too deep for a Unix socket path; set DATA_DIR to a shorter path",
                root.display()
            );
        }
        let run_as = if is_root() {
            Some("postgres".to_owned())
        } else {
            None
        };
        let password = crate::config::SecretKey::load_or_create(&root.join(PASSWORD_FILE))
            .context("cannot read or create the database password")?
            .to_hex();
        Ok(Self {
            root,
            bin_dir: find_server_binaries()?,
            run_as,
            password,
        })
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    fn data_dir(&self) -> PathBuf {
        self.root.join("data")
    }

    /// The folder of the cluster's Unix socket.
    pub fn socket_dir(&self) -> PathBuf {
        self.root.join("run")
    }

    fn log_file(&self) -> PathBuf {
        self.root.join("postgres.log")
    }

    /// A libpq URL for `database` on this cluster.
    pub fn url(&self, database: &str) -> String {
        format!(
            "postgres://postgres:{}@/{database}?host={}",
            self.password,
            self.socket_dir().display()
        )
    }

    pub fn is_running(&self) -> bool {
        if !self.data_dir().join("PG_VERSION").exists() {
            return false;
        }
        self.pg_ctl(["status"])
            .map(|out| out.status.success())
            .unwrap_or(false)
    }

    /// Initialises the cluster if needed and starts it unless it already runs.
    /// Returns whether this call started it.
    pub fn start(&self, durability: Durability) -> anyhow::Result<bool> {
        if !self.data_dir().join("PG_VERSION").exists() {
            self.init(durability)?;
        }
        if self.is_running() {
            self.require_passwords()?;
            return Ok(false);
        }
        private_dir(&self.root)?;
        private_dir(&self.socket_dir())?;
        self.hand_over(&self.socket_dir())?;
        self.write_memory_settings(MemorySettings::for_cluster(durability))?;
        let mut options = format!("-c listen_addresses= -k '{}'", self.socket_dir().display());
        if durability == Durability::Ephemeral {
            options.push_str(
                " -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300",
            );
        }
        let log = self.log_file();
        let out = self.pg_ctl([
            OsStr::new("start"),
            OsStr::new("--wait"),
            OsStr::new("--timeout=60"),
            OsStr::new("--log"),
            log.as_os_str(),
            OsStr::new("-o"),
            OsStr::new(&options),
        ])?;
        if !out.status.success() {
            let tail = std::fs::read_to_string(&log).unwrap_or_default();
            let tail: Vec<&str> = tail.lines().rev().take(15).collect();
            bail!(
                "PostgreSQL did not start: {}\n{}\nlog ({}):\n{}",
                String::from_utf8_lossy(&out.stdout).trim(),
                String::from_utf8_lossy(&out.stderr).trim(),
                log.display(),
                tail.into_iter().rev().collect::<Vec<_>>().join("\n")
            );
        }
        self.require_passwords()?;
        Ok(true)
    }

    /// Switches a running cluster made with `trust` (by an older Corkboard) to passwords:
    /// sets the `postgres` role's password, rewrites `pg_hba.conf` to SCRAM and reloads it.
    fn require_passwords(&self) -> anyhow::Result<()> {
        let hba_path = self.data_dir().join("pg_hba.conf");
        let hba = std::fs::read_to_string(&hba_path).context("cannot read pg_hba.conf")?;
        let (rewritten, changed) = without_trust(&hba);
        if !changed {
            return Ok(());
        }
        let trusting_url = format!(
            "postgres://postgres@/postgres?host={}",
            self.socket_dir().display()
        );
        let mut conn = super::connect(&trusting_url)?;
        // A role's password cannot be a bound parameter; it is hex, generated by us.
        diesel::sql_query(format!(
            "ALTER ROLE postgres WITH PASSWORD '{}'",
            self.password
        ))
        .execute(&mut conn)
        .context("cannot set the database password")?;
        std::fs::write(&hba_path, rewritten).context("cannot rewrite pg_hba.conf")?;
        diesel::sql_query("SELECT pg_reload_conf()")
            .execute(&mut conn)
            .context("cannot reload pg_hba.conf")?;
        tracing::info!("the private PostgreSQL cluster now requires its password");
        Ok(())
    }

    /// Writes `corkboard.conf` (memory sizes for this machine, and a random page cost for
    /// the local disk it lives on) into the data folder, and makes `postgresql.conf` include
    /// it. Rewritten at every start, so a bigger machine gets bigger buffers; settings made
    /// with `ALTER SYSTEM` are read later and win.
    ///
    /// `random_page_cost = 1.1`, as for SSDs (the default 4 is for spinning disks): the
    /// planner then reads a page of rows by index instead of scanning small tables whole
    /// (measured: the inbox of 500 conversations went from 710 to 1,030 requests a second).
    fn write_memory_settings(&self, memory: MemorySettings) -> anyhow::Result<()> {
        let data = self.data_dir();
        std::fs::write(
            data.join(TUNING_FILE),
            format!(
                "# Written by Corkboard at every start; ALTER SYSTEM settings win over these.\n\
                 shared_buffers = '{}MB'\neffective_cache_size = '{}MB'\n\
                 random_page_cost = 1.1\n",
                memory.shared_buffers_mb, memory.effective_cache_size_mb
            ),
        )
        .context("cannot write the cluster's memory settings")?;
        let conf = data.join("postgresql.conf");
        let text = std::fs::read_to_string(&conf).context("cannot read postgresql.conf")?;
        let include = format!("include_if_exists = '{TUNING_FILE}'");
        if !text.lines().any(|line| line.trim() == include) {
            std::fs::write(&conf, format!("{text}\n{include}\n"))
                .context("cannot update postgresql.conf")?;
        }
        Ok(())
    }

    /// Stops the server (fast shutdown: open sessions are ended, data is safe).
    pub fn stop(&self) -> anyhow::Result<()> {
        if !self.is_running() {
            return Ok(());
        }
        let out = self.pg_ctl(["stop", "--wait", "--mode=fast"])?;
        if !out.status.success() {
            bail!(
                "PostgreSQL did not stop: {}",
                String::from_utf8_lossy(&out.stderr).trim()
            );
        }
        Ok(())
    }

    /// Creates `name` unless it exists.
    pub fn ensure_database(&self, name: &str) -> anyhow::Result<()> {
        if !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            bail!("database name {name:?} may only hold letters, digits and _");
        }
        let mut conn = super::connect(&self.url("postgres"))?;
        #[derive(diesel::QueryableByName)]
        struct Exists {
            #[diesel(sql_type = diesel::sql_types::Bool)]
            exists: bool,
        }
        let found: Exists =
            diesel::sql_query("SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)")
                .bind::<diesel::sql_types::Text, _>(name)
                .get_result(&mut conn)?;
        if !found.exists {
            // An identifier cannot be a bound parameter; the name was checked above.
            diesel::sql_query(format!("CREATE DATABASE \"{name}\""))
                .execute(&mut conn)
                .with_context(|| format!("cannot create database {name}"))?;
        }
        Ok(())
    }

    fn init(&self, durability: Durability) -> anyhow::Result<()> {
        let data = self.data_dir();
        private_dir(&self.root)?;
        private_dir(&data)?;
        self.hand_over(&self.root)?;
        self.hand_over(&data)?;
        // initdb reads the password from a file its user can read: a copy for the moment.
        let pwfile = self.root.join(".initdb-password");
        let _ = std::fs::remove_file(&pwfile);
        crate::config::write_private_file(&pwfile, self.password.as_bytes())
            .context("cannot write initdb's password file")?;
        self.hand_over(&pwfile)?;
        let mut cmd = self.command("initdb");
        cmd.arg("--pgdata")
            .arg(&data)
            .arg(format!("--pwfile={}", pwfile.display()))
            .args([
                "--username=postgres",
                "--auth=scram-sha-256",
                "--encoding=UTF8",
                "--locale=C.UTF-8",
                "--no-instructions",
            ]);
        if durability == Durability::Ephemeral {
            cmd.arg("--no-sync");
        }
        let out = cmd.output();
        let _ = std::fs::remove_file(&pwfile);
        let out = out.context("cannot run initdb")?;
        if !out.status.success() {
            bail!(
                "initdb failed: {}",
                String::from_utf8_lossy(&out.stderr).trim()
            );
        }
        Ok(())
    }

    fn pg_ctl<I, S>(&self, args: I) -> anyhow::Result<Output>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        let mut cmd = self.command("pg_ctl");
        cmd.arg("--pgdata").arg(self.data_dir()).args(args);
        cmd.output().context("cannot run pg_ctl")
    }

    /// A command for one of the server binaries, run as the cluster's owner.
    fn command(&self, program: &str) -> Command {
        let program = self.bin_dir.join(program);
        match &self.run_as {
            Some(user) => {
                let mut cmd = Command::new("runuser");
                cmd.args(["-u", user, "--"]).arg(program);
                cmd
            }
            None => Command::new(program),
        }
    }

    /// When running as root, gives `path` to the server's user and checks that user can reach it.
    fn hand_over(&self, path: &Path) -> anyhow::Result<()> {
        let Some(user) = &self.run_as else {
            return Ok(());
        };
        let status = Command::new("chown")
            .arg(format!("{user}:"))
            .arg(path)
            .status()
            .context("cannot run chown")?;
        if !status.success() {
            bail!("cannot give {} to the {user} user", path.display());
        }
        let reachable = Command::new("runuser")
            .args(["-u", user, "--", "test", "-w"])
            .arg(path)
            .status()
            .map(|s| s.success())
            .unwrap_or(false);
        if !reachable {
            bail!(
                "the {user} user cannot reach {}: every folder above it must be searchable (chmod o+x), or set DATA_DIR elsewhere",
                path.display()
            );
        }
        Ok(())
    }
}

/// `pg_hba.conf` with every `trust` method replaced by `scram-sha-256`, and whether any was.
fn without_trust(hba: &str) -> (String, bool) {
    let mut changed = false;
    let mut out = String::with_capacity(hba.len());
    for line in hba.lines() {
        let content = line.split('#').next().unwrap_or_default();
        let fields: Vec<&str> = content.split_whitespace().collect();
        if fields.len() >= 4 && fields.iter().skip(3).any(|f| *f == "trust") {
            changed = true;
            let fields: Vec<&str> = fields
                .iter()
                .enumerate()
                .map(|(i, f)| {
                    if i >= 3 && *f == "trust" {
                        "scram-sha-256"
                    } else {
                        f
                    }
                })
                .collect();
            out.push_str(&fields.join(" "));
        } else {
            out.push_str(line);
        }
        out.push('\n');
    }
    (out, changed)
}

/// Creates `path` if needed and makes it reachable by its owner alone (mode 0700).
fn private_dir(path: &Path) -> anyhow::Result<()> {
    crate::config::private_dir(path)
}

fn is_root() -> bool {
    // SAFETY: geteuid has no preconditions and cannot fail.
    unsafe { libc::geteuid() == 0 }
}

/// Finds `initdb` and `pg_ctl`: `PG_BIN_DIR`, then Debian's versioned folders (newest first),
/// then `PATH`.
pub fn find_server_binaries() -> anyhow::Result<PathBuf> {
    if let Some(dir) = std::env::var_os("PG_BIN_DIR") {
        let dir = PathBuf::from(dir);
        if dir.join("initdb").exists() {
            return Ok(dir);
        }
        bail!("PG_BIN_DIR={} holds no initdb", dir.display());
    }
    let mut debian: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|entry| {
            let version = entry.file_name().to_str()?.parse::<u32>().ok()?;
            let bin = entry.path().join("bin");
            bin.join("initdb").exists().then_some((version, bin))
        })
        .collect();
    debian.sort();
    if let Some((_, bin)) = debian.pop() {
        return Ok(bin);
    }
    if let Some(path) = std::env::var_os("PATH") {
        for dir in std::env::split_paths(&path) {
            if dir.join("initdb").exists() && dir.join("pg_ctl").exists() {
                return Ok(dir);
            }
        }
    }
    bail!(
        "PostgreSQL server binaries (initdb, pg_ctl) were not found. Install them with \
         `sudo apt-get install postgresql postgresql-contrib`, set PG_BIN_DIR, or set DATABASE_URL \
         to use an existing PostgreSQL"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trust_lines_become_scram_and_the_rest_is_kept() {
        let hba = "# comment with trust in it\n\
                   local   all   all   trust\n\
                   host    all   all   127.0.0.1/32   trust\n\
                   host    all   all   ::1/128   scram-sha-256\n";
        let (out, changed) = without_trust(hba);
        assert!(changed);
        assert_eq!(
            out,
            "# comment with trust in it\n\
             local all all scram-sha-256\n\
             host all all 127.0.0.1/32 scram-sha-256\n\
             host    all   all   ::1/128   scram-sha-256\n"
        );
        let (again, changed) = without_trust(&out);
        assert!(!changed);
        assert_eq!(again, out);
    }

    #[test]
    fn memory_settings_follow_the_machine_within_bounds() {
        let small = MemorySettings::for_memory(0);
        assert_eq!(
            (small.shared_buffers_mb, small.effective_cache_size_mb),
            (128, 512)
        );
        let laptop = MemorySettings::for_memory(8 * 1024);
        assert_eq!(
            (laptop.shared_buffers_mb, laptop.effective_cache_size_mb),
            (2048, 4096)
        );
        let mid = MemorySettings::for_memory(2 * 1024);
        assert_eq!(mid.shared_buffers_mb, 512);
        assert_eq!(
            MemorySettings::for_memory(256 * 1024).shared_buffers_mb,
            2048
        );
        assert!(physical_memory_mb() > 0);
    }
}
