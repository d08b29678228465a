//! The `Db` extractor: runs Diesel code on actix's blocking pool.
//!
//! The connection is taken *inside* the blocking closure, so a request never holds a pool slot
//! while it waits for a thread. Before that, a request waits its turn for one of as many
//! permits as the pool has connections, first come first served: r2d2's own wait lets a
//! newcomer take a connection that came back before one that has waited, so under load some
//! requests waited many times longer than the rest. The wait is bounded by the pool's checkout
//! timeout (then the request fails with 503).

use std::future::{Ready, ready};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use actix_web::dev::Payload;
use actix_web::http::Method;
use actix_web::{FromRequest, HttpRequest, web};
use diesel::pg::PgConnection;
use tokio::sync::Semaphore;

use super::AppError;
use crate::db::PgPool;

#[derive(Clone)]
pub struct Db {
    pool: PgPool,
    /// One per pooled connection, handed out in the order they were asked for.
    turns: Arc<Semaphore>,
    /// The streaming replica that read-only pages may read from (see [`ReadDb`]).
    replica: Option<Arc<Replica>>,
    /// Set on a replica's own handle: a read it cannot serve marks it down at once.
    replica_health: Option<Arc<Mutex<ReplicaHealth>>>,
}

impl Db {
    pub fn new(pool: PgPool) -> Self {
        let turns = Arc::new(Semaphore::new(pool.max_size() as usize));
        Self {
            pool,
            turns,
            replica: None,
            replica_health: None,
        }
    }

    /// This database with a streaming replica for [`ReadDb`]: its pool, and how far behind
    /// it may be and still be read. Nothing reads it until [`Db::watch_replica`] runs.
    pub fn with_replica(mut self, pool: PgPool, max_lag: Duration) -> Self {
        let health = Arc::new(Mutex::new(ReplicaHealth::Unknown));
        let mut db = Db::new(pool);
        db.replica_health = Some(health.clone());
        self.replica = Some(Arc::new(Replica {
            db,
            max_lag,
            health,
        }));
        self
    }

    /// Starts checking the replica's lag every [`REPLICA_CHECK`] (inside the runtime); none
    /// without a replica.
    pub fn watch_replica(&self) {
        if let Some(replica) = &self.replica {
            tokio::spawn(replica.clone().watch());
        }
    }

    /// How the replica fares, for `/readyz`: `None` without one.
    pub fn replica_health(&self) -> Option<ReplicaHealth> {
        self.replica.as_ref().map(|r| r.health())
    }

    /// The replica's handle when it is fresh enough to read from.
    fn fresh_replica(&self) -> Option<&Arc<Replica>> {
        self.replica
            .as_ref()
            .filter(|r| matches!(r.health(), ReplicaHealth::Fresh { .. }))
    }

    pub fn pool(&self) -> &PgPool {
        &self.pool
    }

    /// Runs `f` with a pooled connection on the blocking pool.
    pub async fn run<T, E, F>(&self, f: F) -> Result<T, AppError>
    where
        F: FnOnce(&mut PgConnection) -> Result<T, E> + Send + 'static,
        T: Send + 'static,
        E: Into<AppError> + Send + 'static,
    {
        let asked = std::time::Instant::now();
        let turn = tokio::time::timeout(
            self.pool.connection_timeout(),
            Arc::clone(&self.turns).acquire_owned(),
        )
        .await
        .map_err(|_| {
            metrics::counter!("db_pool_timeouts_total").increment(1);
            AppError::Unavailable("no database connection: timed out waiting".into())
        })?
        .map_err(|_| AppError::Unavailable("no database connection: closed".into()))?;
        let pool = self.pool.clone();
        let done = web::block(move || {
            let _turn = turn;
            let mut conn = crate::db::checkout(&pool)?;
            // From asking to holding a connection: the turn, a blocking thread, the checkout.
            metrics::counter!("db_pool_checkouts_total").increment(1);
            metrics::histogram!("db_pool_wait_seconds").record(asked.elapsed().as_secs_f64());
            let result = f(&mut conn).map_err(Into::into);
            // A page that was not found says nothing of the connection.
            let failed = matches!(
                result,
                Err(AppError::Unavailable(_) | AppError::Internal(_))
            );
            crate::db::settle(&mut conn, failed);
            result
        })
        .await?;
        if let (Some(health), Err(AppError::Unavailable(detail))) = (&self.replica_health, &done) {
            tracing::warn!(error = %detail, "the read replica failed: reading the primary");
            *health
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner) = ReplicaHealth::Down;
        }
        done
    }
}

impl FromRequest for Db {
    type Error = AppError;
    type Future = Ready<Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(
            req.app_data::<Db>()
                .cloned()
                .ok_or_else(|| AppError::Internal(anyhow::anyhow!("Db is not registered"))),
        )
    }
}

/// How often the replica's lag is read.
pub const REPLICA_CHECK: Duration = Duration::from_millis(250);

/// The cookie that marks a browser which wrote in the last few seconds: its reads go to the
/// primary meanwhile (read-your-writes), whatever the replica has replayed.
pub const WROTE_COOKIE: &str = "corkboard_wrote";

/// How long after a write a browser's reads go to the primary: longer than the lag a
/// replica may have and still be read ([`Db::with_replica`]).
pub const READ_YOUR_WRITES: Duration = Duration::from_secs(5);

/// Middleware: marks a browser that sent a write (any request but `GET`, `HEAD` and
/// `OPTIONS`) with [`WROTE_COOKIE`] for [`READ_YOUR_WRITES`], so that the page it is sent
/// to next, and the ones after for a few seconds, show what it wrote. Only with a replica.
pub async fn remember_writes(
    req: actix_web::dev::ServiceRequest,
    next: actix_web::middleware::Next<impl actix_web::body::MessageBody>,
) -> Result<actix_web::dev::ServiceResponse<impl actix_web::body::MessageBody>, actix_web::Error> {
    let writes = !matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS)
        && req.app_data::<Db>().is_some_and(|db| db.replica.is_some());
    let secure = req.connection_info().scheme() == "https";
    let mut res = next.call(req).await?;
    if writes {
        let cookie = actix_web::cookie::Cookie::build(WROTE_COOKIE, "1")
            .path("/")
            .http_only(true)
            .secure(secure)
            .same_site(actix_web::cookie::SameSite::Lax)
            .max_age(actix_web::cookie::time::Duration::seconds(
                READ_YOUR_WRITES.as_secs() as i64,
            ))
            .finish();
        res.response_mut().add_cookie(&cookie)?;
    }
    Ok(res)
}

/// A streaming replica and what was last seen of it.
pub struct Replica {
    db: Db,
    max_lag: Duration,
    health: Arc<Mutex<ReplicaHealth>>,
}

/// What the last check of the replica found.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ReplicaHealth {
    /// Not checked yet.
    Unknown,
    /// Replaying, this far behind (at most the allowed lag): reads may go there.
    Fresh { lag: Duration },
    /// Further behind than allowed: reads go to the primary.
    Lagging { lag: Duration },
    /// Not answering: reads go to the primary.
    Down,
}

impl Replica {
    fn health(&self) -> ReplicaHealth {
        *self
            .health
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn set_health(&self, health: ReplicaHealth) {
        let mut current = self
            .health
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if std::mem::discriminant(&*current) != std::mem::discriminant(&health) {
            tracing::info!(?health, "the read replica changed");
        }
        *current = health;
    }

    /// Reads the replica's lag every [`REPLICA_CHECK`], for as long as the process runs: zero
    /// when it has replayed all it received, else the age of the last transaction it replayed
    /// (a replica that is not in recovery, a primary, counts as fresh).
    async fn watch(self: Arc<Self>) {
        #[derive(diesel::QueryableByName)]
        struct Lag {
            #[diesel(sql_type = diesel::sql_types::Double)]
            seconds: f64,
        }
        let mut every = tokio::time::interval(REPLICA_CHECK);
        every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            every.tick().await;
            let read = self.db.run(|conn| {
                diesel::RunQueryDsl::get_result::<Lag>(
                    diesel::sql_query(
                        "SELECT CASE WHEN NOT pg_is_in_recovery()
                                       OR pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn()
                                     THEN 0
                                     ELSE coalesce(extract(epoch FROM now()
                                                   - pg_last_xact_replay_timestamp()), 0)
                                END::float8 AS seconds",
                    ),
                    conn,
                )
            });
            let health = match tokio::time::timeout(Duration::from_secs(1), read).await {
                Ok(Ok(lag)) => {
                    let lag = Duration::from_secs_f64(lag.seconds.max(0.0));
                    if lag <= self.max_lag {
                        ReplicaHealth::Fresh { lag }
                    } else {
                        ReplicaHealth::Lagging { lag }
                    }
                }
                _ => ReplicaHealth::Down,
            };
            self.set_health(health);
        }
    }
}

/// The database for a read-only request: `db` is the replica when there is one, it is
/// fresh, the request is a `GET` or `HEAD`, and the browser did not write in the last few
/// seconds ([`WROTE_COOKIE`]) nor identify itself with an API token (programs read what they
/// wrote); the primary otherwise. A page that must write after all (a rare rate-limit count)
/// uses `primary`. A replica that stops answering is noticed within [`REPLICA_CHECK`] (or at
/// its first failed read), and reads go to the primary until it is back.
#[derive(Clone)]
pub struct ReadDb {
    pub db: Db,
    pub primary: Db,
}

impl FromRequest for ReadDb {
    type Error = AppError;
    type Future = Ready<Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let Some(primary) = req.app_data::<Db>() else {
            return ready(Err(AppError::Internal(anyhow::anyhow!(
                "Db is not registered"
            ))));
        };
        let reads = matches!(*req.method(), Method::GET | Method::HEAD);
        let wrote = req.cookie(WROTE_COOKIE).is_some();
        let program = req
            .headers()
            .contains_key(actix_web::http::header::AUTHORIZATION);
        let db = match primary.fresh_replica() {
            Some(replica) if reads && !wrote && !program => {
                metrics::counter!("db_reads_total", "from" => "replica").increment(1);
                replica.db.clone()
            }
            _ => {
                metrics::counter!("db_reads_total", "from" => "primary").increment(1);
                primary.clone()
            }
        };
        ready(Ok(ReadDb {
            db,
            primary: primary.clone(),
        }))
    }
}
