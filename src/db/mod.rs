//! The database layer: the connection pool, embedded migrations and the private cluster.
//!
//! Policy: requests never wait long for the database. A connection checkout gives up after
//! `DATABASE_CHECKOUT_TIMEOUT_MS` (the site answers 503 rather than piling requests up), every
//! connection carries a `statement_timeout`, and a broken connection is dropped so the pool
//! heals by itself when PostgreSQL comes back (see [`checkout`]).

pub mod earth;
pub mod embedded;
pub mod ids;
pub mod memo;
pub mod schema;
pub mod snapshot;
pub mod statement;
pub mod types;

use std::time::{Duration, Instant};

use anyhow::Context;
use diesel::connection::SimpleConnection;
use diesel::pg::PgConnection;
use diesel::r2d2::{self, ConnectionManager, CustomizeConnection};
use diesel::{Connection, RunQueryDsl};
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};

use crate::config::DatabaseSettings;

pub type PgPool = r2d2::Pool<ConnectionManager<PgConnection>>;
pub type PooledConnection = r2d2::PooledConnection<ConnectionManager<PgConnection>>;

pub const MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations");

/// Key of the advisory lock held while migrating, so instances starting together take turns.
const MIGRATION_LOCK_KEY: i64 = 0x436f_726b_626f_6172; // "Corkboar"

/// Per-connection settings applied when the pool opens a connection.
#[derive(Debug, Clone, Copy)]
struct ConnectionOptions {
    statement_timeout: Duration,
}

impl CustomizeConnection<PgConnection, r2d2::Error> for ConnectionOptions {
    fn on_acquire(&self, conn: &mut PgConnection) -> Result<(), r2d2::Error> {
        // Parallel workers help one big report, not many small page requests on few cores:
        // each request stays on one core. JIT compiling costs tens of milliseconds up front,
        // which only pays off for long analytical queries, never for a page.
        conn.batch_execute(&format!(
            "SET statement_timeout = {}; SET lock_timeout = {}; \
             SET max_parallel_workers_per_gather = 0; SET jit = off;",
            self.statement_timeout.as_millis(),
            self.statement_timeout.as_millis()
        ))
        .map_err(r2d2::Error::QueryError)
    }
}

/// Builds the pool without connecting: the site starts (and answers 503) even while the
/// database is down, and connects once it is up.
pub fn build_pool(url: &str, settings: &DatabaseSettings) -> PgPool {
    r2d2::Pool::builder()
        .max_size(settings.pool_size)
        .min_idle(Some(1))
        .connection_timeout(Duration::from_millis(settings.checkout_timeout_ms))
        // [`checkout`] tests the connections that may have gone stale, not every one.
        .test_on_check_out(false)
        .connection_customizer(Box::new(ConnectionOptions {
            statement_timeout: Duration::from_millis(settings.statement_timeout_ms),
        }))
        .build_unchecked(ConnectionManager::new(url))
}

/// A pool for a one-shot command (`seed-demo`): connections are made only when asked for, so
/// no pool thread is still connecting when the command returns and the process exits (libpq
/// torn down under a connecting thread crashes the process).
pub fn build_command_pool(url: &str, settings: &DatabaseSettings) -> PgPool {
    r2d2::Pool::builder()
        .max_size(2)
        .min_idle(Some(0))
        .connection_timeout(Duration::from_millis(
            settings.checkout_timeout_ms.max(10_000),
        ))
        .connection_customizer(Box::new(ConnectionOptions {
            statement_timeout: Duration::from_millis(settings.statement_timeout_ms.max(60_000)),
        }))
        .build_unchecked(ConnectionManager::new(url))
}

/// A connection that answered within this long is handed out without testing it first.
const TRUSTED_FOR: Duration = Duration::from_secs(1);

/// When a pooled connection last answered (kept with the connection in the pool).
struct LastAnswered(Instant);

/// A connection from the pool, tested with a round trip (`SELECT 1`) only when it has been
/// idle for a while: a connection in use a moment ago is almost surely alive, and testing
/// every checkout made one round trip in three on a page. A connection that fails its test is
/// dropped and the next one tried; one that fails a statement is tested and dropped by
/// [`settle`]. So after an outage each stale connection is noticed (at checkout, as it has
/// been idle, or by the request it fails) and the pool heals without a restart.
pub fn checkout(pool: &PgPool) -> Result<PooledConnection, CheckoutError> {
    // Every idle connection may be stale; then a new one is made.
    let mut tries_left = pool.max_size() + 1;
    loop {
        let mut conn = pool.get().map_err(CheckoutError::Pool)?;
        let trusted = r2d2::PooledConnection::extensions(&conn)
            .get::<LastAnswered>()
            .is_some_and(|at| at.0.elapsed() < TRUSTED_FOR);
        if trusted {
            return Ok(conn);
        }
        match diesel::r2d2::R2D2Connection::ping(&mut *conn) {
            Ok(()) => {
                answered(&mut conn);
                return Ok(conn);
            }
            Err(err) => {
                tries_left -= 1;
                if !is_closed(&err) || tries_left == 0 {
                    return Err(CheckoutError::Query(err));
                }
                discard(&mut conn);
            }
        }
    }
}

/// Records how a checked-out connection fared before it goes back to the pool: one whose
/// work failed is tested, and dropped when the server is gone. True when it was dropped.
pub fn settle(conn: &mut PooledConnection, failed: bool) -> bool {
    if failed && diesel::r2d2::R2D2Connection::ping(&mut **conn).is_err() {
        discard(conn);
        return true;
    }
    answered(conn);
    false
}

fn answered(conn: &mut PooledConnection) {
    let extensions = r2d2::PooledConnection::extensions_mut(conn);
    match extensions.get_mut::<LastAnswered>() {
        Some(at) => at.0 = Instant::now(),
        None => {
            extensions.insert(LastAnswered(Instant::now()));
        }
    }
}

/// Marks the connection broken, so the pool drops it when it comes back.
fn discard(conn: &mut PooledConnection) {
    use diesel::connection::{AnsiTransactionManager, TransactionManager};
    AnsiTransactionManager::transaction_manager_status_mut(&mut **conn).set_in_error();
}

fn is_closed(err: &diesel::result::Error) -> bool {
    use diesel::result::{DatabaseErrorKind, Error};
    matches!(
        err,
        Error::DatabaseError(
            DatabaseErrorKind::ClosedConnection | DatabaseErrorKind::UnableToSendCommand,
            _
        )
    )
}

/// Why no connection could be had.
#[derive(Debug, thiserror::Error)]
pub enum CheckoutError {
    #[error("{0}")]
    Pool(r2d2::PoolError),
    #[error("{0}")]
    Query(diesel::result::Error),
}

/// Runs pending migrations under an advisory lock; returns how many ran.
///
/// A database that has them all is left alone without the lock or any DDL, so instances may
/// connect as a role that can only read and write rows (see docs/deploy.md), with
/// `corkboard migrate` run by the owner before them.
pub fn run_migrations(conn: &mut PgConnection) -> anyhow::Result<usize> {
    if all_applied(conn) {
        return Ok(0);
    }
    diesel::sql_query("SELECT pg_advisory_lock($1)")
        .bind::<diesel::sql_types::BigInt, _>(MIGRATION_LOCK_KEY)
        .execute(conn)
        .context("cannot take the migration lock")?;
    let result = conn
        .run_pending_migrations(MIGRATIONS)
        .map(|done| done.len())
        .map_err(|err| anyhow::anyhow!("migration failed: {err}"));
    let unlock = diesel::sql_query("SELECT pg_advisory_unlock($1)")
        .bind::<diesel::sql_types::BigInt, _>(MIGRATION_LOCK_KEY)
        .execute(conn);
    let ran = result?;
    unlock.context("cannot release the migration lock")?;
    Ok(ran)
}

/// The database the site uses: the configured `DATABASE_URL`, or the private cluster under
/// `DATA_DIR/postgres`, started if needed.
pub struct Database {
    pub url: String,
    /// The private cluster, when this process started it (and so stops it on close).
    started_cluster: Option<embedded::EmbeddedCluster>,
}

/// Name of the database inside the private cluster.
pub const EMBEDDED_DATABASE: &str = "corkboard";

impl Database {
    pub fn open(settings: &crate::config::Settings) -> anyhow::Result<Self> {
        if let Some(url) = &settings.database.database_url {
            return Ok(Self {
                url: url.clone(),
                started_cluster: None,
            });
        }
        let cluster = embedded::EmbeddedCluster::new(&settings.data_dir.join("postgres"))?;
        let started = cluster.start(embedded::Durability::Durable)?;
        if started {
            tracing::info!(folder = %cluster.root().display(), "started the private PostgreSQL cluster");
        } else {
            tracing::info!(folder = %cluster.root().display(), "using the running private PostgreSQL cluster");
        }
        cluster.ensure_database(EMBEDDED_DATABASE)?;
        Ok(Self {
            url: cluster.url(EMBEDDED_DATABASE),
            started_cluster: started.then_some(cluster),
        })
    }

    /// Stops the private cluster if this process started it.
    pub fn close(self) -> anyhow::Result<()> {
        if let Some(cluster) = self.started_cluster {
            cluster.stop()?;
            tracing::info!("stopped the private PostgreSQL cluster");
        }
        Ok(())
    }
}

/// Whether every embedded migration is recorded as applied (false when that cannot be read,
/// say on an empty database).
fn all_applied(conn: &mut PgConnection) -> bool {
    use diesel::migration::MigrationSource;
    #[derive(diesel::QueryableByName)]
    struct Applied {
        #[diesel(sql_type = diesel::sql_types::Text)]
        version: String,
    }
    let Ok(applied) =
        diesel::sql_query("SELECT version::text AS version FROM __diesel_schema_migrations")
            .load::<Applied>(conn)
    else {
        return false;
    };
    let applied: std::collections::HashSet<String> =
        applied.into_iter().map(|a| a.version).collect();
    let Ok(embedded) = MigrationSource::<diesel::pg::Pg>::migrations(&MIGRATIONS) else {
        return false;
    };
    embedded
        .iter()
        .all(|m| applied.contains(&m.name().version().to_string()))
}

/// Runs `f` holding the migration lock, so instances starting together take turns at
/// start-up work (loading shipped data, say).
pub fn with_migration_lock<T>(
    conn: &mut PgConnection,
    f: impl FnOnce(&mut PgConnection) -> anyhow::Result<T>,
) -> anyhow::Result<T> {
    diesel::sql_query("SELECT pg_advisory_lock($1)")
        .bind::<diesel::sql_types::BigInt, _>(MIGRATION_LOCK_KEY)
        .execute(conn)?;
    let result = f(conn);
    diesel::sql_query("SELECT pg_advisory_unlock($1)")
        .bind::<diesel::sql_types::BigInt, _>(MIGRATION_LOCK_KEY)
        .execute(conn)?;
    result
}

/// Connects once (outside the pool), for CLI commands and start-up work.
pub fn connect(url: &str) -> anyhow::Result<PgConnection> {
    PgConnection::establish(url).with_context(|| {
        format!(
            "cannot connect to PostgreSQL at {}",
            redact_url_password(url)
        )
    })
}

/// The URL with any password replaced, for log lines and error messages.
pub fn redact_url_password(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let Some((userinfo, host)) = rest.split_once('@') else {
        return url.to_owned();
    };
    match userinfo.split_once(':') {
        Some((user, _)) => format!("{scheme}://{user}:***@{host}"),
        None => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_are_redacted_from_urls() {
        assert_eq!(
            redact_url_password("postgres://app:s3cret@db.example:5432/cb"),
            "postgres://app:***@db.example:5432/cb"
        );
        assert_eq!(
            redact_url_password("postgres://app@/cb?host=/tmp"),
            "postgres://app@/cb?host=/tmp"
        );
        assert_eq!(redact_url_password("not a url"), "not a url");
    }
}
