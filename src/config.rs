//! Configuration: every setting is a command-line flag *and* an environment variable, with the
//! default a small deployment wants. `.env` is read first (see `main.rs`), so a file of `KEY=value`
//! lines configures a deployment without touching the shell.
//!
//! Policy: with nothing configured, Corkboard runs self-contained under `DATA_DIR` (its own
//! PostgreSQL cluster, photos on local disk, a generated session key). Each external service is
//! switched on by setting its variable; nothing else changes.

use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use clap::{ArgAction, Args};

/// Everything the server needs to start. Shared by every CLI command.
#[derive(Debug, Clone, Args)]
pub struct Settings {
    /// Address and port the HTTP server listens on.
    #[arg(long, env = "BIND", default_value = "127.0.0.1:8080")]
    pub bind: String,

    /// Public base URL of the site (scheme and host, no trailing slash). Used for absolute
    /// links, the Origin check and `Secure` cookies when it starts with https.
    /// [default: http://<BIND>]
    #[arg(long, env = "PUBLIC_URL")]
    pub public_url: Option<String>,

    /// Folder for everything Corkboard keeps on disk by default: the private PostgreSQL
    /// cluster, uploaded photos, outgoing mail and the generated session key.
    #[arg(long, env = "DATA_DIR", default_value = "var")]
    pub data_dir: PathBuf,

    /// Number of HTTP worker threads. [default: number of CPUs]
    #[arg(long, env = "WORKERS")]
    pub workers: Option<usize>,

    /// On SIGTERM, seconds to keep serving with `/readyz` failing before refusing new
    /// connections, for a load balancer that polls `/readyz` to notice (nginx, which does
    /// not, moves on when the port closes). In-flight requests are then given 10 s.
    #[arg(long, env = "SHUTDOWN_DRAIN_SECONDS", default_value_t = 0)]
    pub shutdown_drain_seconds: u64,

    /// Address and port of `/metrics` (Prometheus' text format), e.g. `127.0.0.1:9464`:
    /// a listener of its own, which the load balancer does not forward. Off when unset.
    #[arg(long, env = "METRICS_BIND")]
    pub metrics_bind: Option<String>,

    /// Name shown in the header and page titles.
    #[arg(long, env = "SITE_NAME", default_value = "Corkboard")]
    pub site_name: String,

    /// Map tiles for the search map view (`{z}`, `{x}`, `{y}` placeholders). Browsers fetch
    /// them directly; the Content-Security-Policy allows this origin for images.
    #[arg(
        long,
        env = "MAP_TILE_URL",
        default_value = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
    )]
    pub map_tile_url: String,

    /// Attribution shown on the map, as the tile provider requires.
    #[arg(
        long,
        env = "MAP_ATTRIBUTION",
        default_value = "© OpenStreetMap contributors"
    )]
    pub map_attribution: String,

    /// Session cookie key: at least 64 random bytes, hex-encoded (128+ hex characters).
    /// Generated into DATA_DIR/session.key on first start when not set.
    #[arg(long, env = "SESSION_KEY", hide_env_values = true)]
    pub session_key: Option<String>,

    #[command(flatten)]
    pub auth: AuthSettings,

    #[command(flatten)]
    pub listings: ListingSettings,

    #[command(flatten)]
    pub messages: MessageSettings,

    #[command(flatten)]
    pub moderation: ModerationSettings,

    #[command(flatten)]
    pub database: DatabaseSettings,

    #[command(flatten)]
    pub storage: StorageSettings,

    #[command(flatten)]
    pub mail: MailSettings,

    #[command(flatten)]
    pub jobs: JobSettings,
}

#[derive(Debug, Clone, Args)]
pub struct MailSettings {
    /// SMTP server for outgoing mail: `smtps://user:pass@host:465`, or
    /// `smtp://user:pass@host:587?tls=required`. When unset, each mail is written as an .eml
    /// file under DATA_DIR/mail.
    #[arg(long, env = "SMTP_URL", hide_env_values = true)]
    pub smtp_url: Option<String>,

    /// The sender of outgoing mail.
    #[arg(
        long,
        env = "MAIL_FROM",
        default_value = "Corkboard <noreply@localhost>"
    )]
    pub mail_from: String,
}

impl Default for MailSettings {
    fn default() -> Self {
        Self {
            smtp_url: None,
            mail_from: "Corkboard <noreply@localhost>".into(),
        }
    }
}

#[derive(Debug, Clone, Args)]
pub struct JobSettings {
    /// Background job workers per instance (mail, the janitor, …).
    #[arg(long, env = "JOB_WORKERS", default_value_t = 2)]
    pub job_workers: usize,

    /// Seconds a worker holds a job before another instance may take it over (a worker
    /// renews it while the job runs, so only a dead worker's job is taken over).
    #[arg(long, env = "JOB_LEASE_SECONDS", default_value_t = 60, value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub job_lease_seconds: u64,
}

#[derive(Debug, Clone, Args)]
pub struct AuthSettings {
    /// bcrypt cost for password hashes (4–31; each step doubles the work). Keep 12 or more in
    /// production.
    #[arg(long, env = "BCRYPT_COST", default_value_t = 12, value_parser = clap::value_parser!(u32).range(4..=31))]
    pub bcrypt_cost: u32,

    /// Days a login lasts, however active the session (then the member logs in again).
    #[arg(long, env = "SESSION_LIFETIME_DAYS", default_value_t = 30)]
    pub session_lifetime_days: u32,

    /// Take the client address from X-Forwarded-For / Forwarded (only behind a proxy that sets
    /// them), for rate limits and logs.
    #[arg(long, env = "TRUST_PROXY_HEADERS", default_value_t = false, action = ArgAction::Set)]
    pub trust_proxy_headers: bool,

    /// JSON API requests one network may make per minute, counted across every instance; 0
    /// turns the limit off (for benchmarks).
    #[arg(long, env = "API_RATE_PER_MINUTE", default_value_t = 600)]
    pub api_rate_per_minute: u32,

    /// JSON API requests one account (with its tokens) may make per minute; 0: no limit.
    #[arg(long, env = "API_ACCOUNT_RATE_PER_MINUTE", default_value_t = 300)]
    pub api_account_rate_per_minute: u32,
}

impl Default for AuthSettings {
    fn default() -> Self {
        Self {
            bcrypt_cost: 12,
            session_lifetime_days: 30,
            trust_proxy_headers: false,
            api_rate_per_minute: 600,
            api_account_rate_per_minute: 300,
        }
    }
}

#[derive(Debug, Clone, Args)]
pub struct ListingSettings {
    /// Days a listing stays up before it expires (renewing starts the count again).
    #[arg(long, env = "LISTING_LIFETIME_DAYS", default_value_t = 30)]
    pub listing_lifetime_days: u32,

    /// Most photos on one listing.
    #[arg(long, env = "MAX_PHOTOS_PER_LISTING", default_value_t = 12, value_parser = clap::value_parser!(u16).range(1..=50))]
    pub max_photos: u16,

    /// Seconds the per-category listing counts (front page, section pages) are reused before
    /// they are counted again.
    #[arg(long, env = "CATEGORY_COUNTS_TTL_SECONDS", default_value_t = 60)]
    pub counts_ttl_seconds: u64,

    /// Searches (pages and feeds) one network may make per minute, counted across every
    /// instance; 0 turns the limit off (for benchmarks).
    #[arg(long, env = "SEARCH_RATE_PER_MINUTE", default_value_t = 300)]
    pub search_rate_per_minute: u32,

    /// Seconds between writes of the listing-page views each instance counts (for the
    /// sellers' dashboard).
    #[arg(long, env = "VIEW_FLUSH_SECONDS", default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub view_flush_seconds: u64,
}

#[derive(Debug, Clone, Args)]
pub struct MessageSettings {
    /// Seconds a new message waits before its recipient is mailed about it: a message read
    /// by then (on a live page, say) is not mailed about.
    #[arg(long, env = "MESSAGE_MAIL_DELAY_SECONDS", default_value_t = 120)]
    pub message_mail_delay_seconds: u64,
}

#[derive(Debug, Clone, Args)]
pub struct ModerationSettings {
    /// How much weight of members' flags holds a listing for review (an ordinary member's
    /// flag weighs 1; a trusted flagger's up to 3, a new or often-wrong one's less).
    #[arg(long, env = "FLAG_HOLD_THRESHOLD", default_value_t = 3.0)]
    pub flag_hold_threshold: f32,
}

impl Default for ModerationSettings {
    fn default() -> Self {
        Self {
            flag_hold_threshold: 3.0,
        }
    }
}

impl Default for MessageSettings {
    fn default() -> Self {
        Self {
            message_mail_delay_seconds: 120,
        }
    }
}

impl Default for ListingSettings {
    fn default() -> Self {
        Self {
            listing_lifetime_days: 30,
            max_photos: 12,
            counts_ttl_seconds: 60,
            search_rate_per_minute: 300,
            view_flush_seconds: 10,
        }
    }
}

#[derive(Debug, Clone, Args)]
pub struct DatabaseSettings {
    /// PostgreSQL connection URL. When unset, a private cluster under DATA_DIR/postgres is
    /// created and started with the system's PostgreSQL binaries.
    #[arg(long, env = "DATABASE_URL", hide_env_values = true)]
    pub database_url: Option<String>,

    /// Maximum connections in the pool (default: twice the cores, at least 4).
    #[arg(long, env = "DATABASE_POOL_SIZE", default_value_t = default_pool_size())]
    pub pool_size: u32,

    /// How long a request waits for a free connection before the site answers 503.
    #[arg(long, env = "DATABASE_CHECKOUT_TIMEOUT_MS", default_value_t = 1500)]
    pub checkout_timeout_ms: u64,

    /// Longest a single SQL statement may run before PostgreSQL cancels it.
    #[arg(long, env = "DATABASE_STATEMENT_TIMEOUT_MS", default_value_t = 5000)]
    pub statement_timeout_ms: u64,

    /// A streaming replica of DATABASE_URL's database: read-only pages (browsing, search,
    /// listing pages, feeds, profiles, the API's public reads) read from it while it is at
    /// most REPLICA_MAX_LAG_MS behind, except for a browser that wrote in the last seconds.
    #[arg(long, env = "DATABASE_REPLICA_URL", hide_env_values = true)]
    pub replica_url: Option<String>,

    /// How far behind the replica may be and still be read.
    #[arg(long, env = "REPLICA_MAX_LAG_MS", default_value_t = 1000)]
    pub replica_max_lag_ms: u64,
}

/// Twice this machine's cores, and at least 4: PostgreSQL's own advice for a pool. Requests
/// beyond that wait their turn in the app (first come, first served) rather than in
/// PostgreSQL, which shares the cores in time slices, so that the slowest requests waited many
/// times longer than the rest. On this project's 2-core bench machine, a category page in a
/// city at 16 concurrent requests had a p99 of 10–19 ms with 4 connections, and of 14–310 ms with
/// 10 or 16.
pub fn default_pool_size() -> u32 {
    let cores = std::thread::available_parallelism().map_or(2, |n| n.get()) as u32;
    (2 * cores).max(4)
}

#[derive(Debug, Clone, Args)]
pub struct StorageSettings {
    /// S3 bucket for photos. When unset, photos are kept under DATA_DIR/uploads.
    #[arg(long, env = "S3_BUCKET")]
    pub s3_bucket: Option<String>,

    /// S3 endpoint URL, for S3-compatible services (MinIO, Garage, R2, …). Unset means AWS.
    #[arg(long, env = "S3_ENDPOINT")]
    pub s3_endpoint: Option<String>,

    /// S3 region.
    #[arg(long, env = "S3_REGION", default_value = "us-east-1")]
    pub s3_region: String,

    /// S3 access key id.
    #[arg(long, env = "S3_ACCESS_KEY", hide_env_values = true)]
    pub s3_access_key: Option<String>,

    /// S3 secret access key.
    #[arg(long, env = "S3_SECRET_KEY", hide_env_values = true)]
    pub s3_secret_key: Option<String>,

    /// Address buckets by path (`endpoint/bucket/key`) instead of by host name; most
    /// self-hosted S3 servers need this.
    #[arg(long, env = "S3_PATH_STYLE", default_value_t = true, action = ArgAction::Set)]
    pub s3_path_style: bool,

    /// Lifetime of the signed URLs handed to browsers for private objects, in seconds.
    #[arg(long, env = "STORAGE_URL_TTL_SECONDS", default_value_t = 3600)]
    pub url_ttl_seconds: u64,
}

impl Settings {
    /// The public base URL, derived from the bind address when not configured.
    pub fn public_url(&self) -> String {
        match &self.public_url {
            Some(url) => url.trim_end_matches('/').to_owned(),
            None => format!("http://{}", self.bind),
        }
    }

    /// The session key: configured, or read from (and on first start generated into)
    /// `DATA_DIR/session.key`.
    pub fn load_or_create_session_key(&self) -> anyhow::Result<SecretKey> {
        match &self.session_key {
            Some(hex_key) => SecretKey::from_hex(hex_key).context("SESSION_KEY is invalid"),
            None => SecretKey::load_or_create(&self.data_dir.join("session.key")),
        }
    }
}

/// A secret of at least 64 random bytes: signs and encrypts session cookies and signs
/// storage URLs. Debug output never shows it.
#[derive(Clone)]
pub struct SecretKey(Vec<u8>);

impl SecretKey {
    pub const MIN_LEN: usize = 64;

    pub fn from_hex(hex_key: &str) -> anyhow::Result<Self> {
        let bytes = hex::decode(hex_key.trim()).context("the key must be hex-encoded")?;
        Self::from_bytes(bytes)
    }

    pub fn from_bytes(bytes: Vec<u8>) -> anyhow::Result<Self> {
        if bytes.len() < Self::MIN_LEN {
            bail!(
                "the key must be at least {} bytes ({} hex characters); got {} bytes",
                Self::MIN_LEN,
                Self::MIN_LEN * 2,
                bytes.len()
            );
        }
        Ok(Self(bytes))
    }

    pub fn generate() -> Self {
        use rand::RngCore;
        let mut bytes = vec![0u8; Self::MIN_LEN];
        rand::rng().fill_bytes(&mut bytes);
        Self(bytes)
    }

    /// Reads the key file, or writes a fresh key there (mode 0600) if it does not exist.
    pub fn load_or_create(path: &Path) -> anyhow::Result<Self> {
        match std::fs::read_to_string(path) {
            Ok(text) => {
                Self::from_hex(&text).with_context(|| format!("{} is invalid", path.display()))
            }
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => {
                let key = Self::generate();
                if let Some(dir) = path.parent() {
                    std::fs::create_dir_all(dir)
                        .with_context(|| format!("cannot create {}", dir.display()))?;
                }
                write_private_file(path, hex::encode(&key.0).as_bytes())
                    .with_context(|| format!("cannot write {}", path.display()))?;
                tracing::info!(path = %path.display(), "generated a new secret");
                Ok(key)
            }
            Err(err) => Err(err).with_context(|| format!("cannot read {}", path.display())),
        }
    }

    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    /// The key as hex, as it is written to its file.
    pub fn to_hex(&self) -> String {
        hex::encode(&self.0)
    }

    /// A signature of `message` for links that carry their own authority (unsubscribing,
    /// renewing): 16 bytes of its HMAC, in hex. The message names its purpose and version.
    pub fn sign(&self, message: &str) -> String {
        hex::encode(&self.derive(message)[..16])
    }

    /// Whether `given` is `message`'s signature (compared in constant time).
    pub fn verify(&self, message: &str, given: &str) -> bool {
        let expected = self.sign(message);
        expected.len() == given.len()
            && expected
                .bytes()
                .zip(given.bytes())
                .fold(0u8, |diff, (a, b)| diff | (a ^ b))
                == 0
    }

    /// A key for one purpose, derived so that no two uses share key material.
    pub fn derive(&self, purpose: &str) -> [u8; 32] {
        use hmac::{Hmac, Mac};
        let mut mac = Hmac::<sha2::Sha256>::new_from_slice(&self.0).expect("HMAC takes any key");
        mac.update(purpose.as_bytes());
        mac.finalize().into_bytes().into()
    }
}

impl std::fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SecretKey(..)")
    }
}

/// Creates `path` (and its parents) if needed and makes it reachable by its owner alone
/// (mode 0700): the private cluster's folders, the uploads, the mail.
pub fn private_dir(path: &Path) -> anyhow::Result<()> {
    std::fs::create_dir_all(path).with_context(|| format!("cannot create {}", path.display()))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o700))
            .with_context(|| format!("cannot restrict {}", path.display()))?;
    }
    Ok(())
}

/// Writes a new file that only its owner may read or write (mode 0600).
pub fn write_private_file(path: &Path, contents: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options.open(path)?.write_all(contents)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_short_key_is_rejected() {
        assert!(SecretKey::from_hex(&"ab".repeat(63)).is_err());
        assert!(SecretKey::from_hex(&"ab".repeat(64)).is_ok());
        assert!(SecretKey::from_hex("not hex at all").is_err());
    }

    #[test]
    fn a_generated_key_is_written_once_and_read_back() {
        let dir = std::env::temp_dir().join(format!("corkboard-key-{}", uuid::Uuid::new_v4()));
        let path = dir.join("session.key");
        let first = SecretKey::load_or_create(&path).unwrap();
        let second = SecretKey::load_or_create(&path).unwrap();
        assert_eq!(first.as_bytes(), second.as_bytes());
        assert_eq!(first.as_bytes().len(), SecretKey::MIN_LEN);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn derived_keys_differ_by_purpose() {
        let key = SecretKey::generate();
        assert_ne!(key.derive("media-urls"), key.derive("csrf"));
        assert_eq!(key.derive("media-urls"), key.derive("media-urls"));
    }

    #[test]
    fn debug_output_hides_the_key() {
        assert_eq!(format!("{:?}", SecretKey::generate()), "SecretKey(..)");
    }
}
