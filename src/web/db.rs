//! The `Db` extractor: runs Diesel code on actix's blocking pool.
//!
//! The connection is taken *inside* the blocking closure, so a request never holds a pool slot
//! while it waits for a thread. Before that, a request waits its turn, first come first
//! served: r2d2's own wait lets a newcomer take a connection that came back before one that
//! has waited, so under load some requests waited many times longer than the rest. There are
//! half as many turns again as connections. With exactly as many, a connection sat idle each
//! time it came back, until the next request in line had been handed to a thread (7 % of the
//! CPU idle under load, 12 % fewer pages a second); the spare turns are requests already on a
//! thread, waiting in the pool for the next connection, and only those few wait in r2d2's
//! unordered line. The wait for a turn is bounded by the pool's checkout timeout (then the
//! request fails with 503), and so is the wait in the pool: a request that holds a spare turn
//! can wait at most twice the timeout in all before its 503.

use std::collections::VecDeque;
use std::future::{Ready, ready};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

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
    /// Half as many again as pooled connections, handed out in the order they were asked
    /// for (see the module's notes).
    turns: Arc<Semaphore>,
    /// The streaming replica that read-only pages may read from (see [`ReadDb`]).
    replica: Option<Arc<Replica>>,
    /// Set on a replica's own handle: a read it cannot serve marks it down at once.
    replica_health: Option<Arc<Mutex<ReplicaHealth>>>,
    /// Set on a replica's handle given to a request: the primary, which runs again what
    /// found the replica gone.
    fallback: Option<Box<Db>>,
}

impl Db {
    pub fn new(pool: PgPool) -> Self {
        let connections = pool.max_size() as usize;
        let turns = Arc::new(Semaphore::new(turns_for(connections)));
        Self {
            pool,
            turns,
            replica: None,
            replica_health: None,
            fallback: None,
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
            tokio::spawn(replica.clone().watch(self.clone()));
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
    ///
    /// On a replica's handle from [`ReadDb`], work that finds the replica gone (no connection,
    /// or one the server closed) runs again on the primary, so a replica that stops loses no
    /// page: hence `Clone`, which costs a copy of what `f` captured on replica reads only.
    pub async fn run<T, E, F>(&self, f: F) -> Result<T, AppError>
    where
        F: FnOnce(&mut PgConnection) -> Result<T, E> + Clone + Send + 'static,
        T: Send + 'static,
        E: Into<AppError> + Send + 'static,
    {
        let Some(primary) = &self.fallback else {
            return self.run_here(f).await.0;
        };
        let again = f.clone();
        match self.run_here(f).await {
            (Err(err), ServerGone(true)) => {
                tracing::warn!(error = %err, "the read replica failed: reading the primary");
                metrics::counter!("db_replica_retries_total").increment(1);
                primary.run_here(again).await.0
            }
            (done, _) => done,
        }
    }

    /// Runs `f` here, and says whether the server was found gone.
    async fn run_here<T, E, F>(&self, f: F) -> (Result<T, AppError>, ServerGone)
    where
        F: FnOnce(&mut PgConnection) -> Result<T, E> + Send + 'static,
        T: Send + 'static,
        E: Into<AppError> + Send + 'static,
    {
        let asked = std::time::Instant::now();
        let turn = match tokio::time::timeout(
            self.pool.connection_timeout(),
            Arc::clone(&self.turns).acquire_owned(),
        )
        .await
        {
            Ok(Ok(turn)) => turn,
            Ok(Err(_)) => {
                let closed = AppError::Unavailable("no database connection: closed".into());
                return (Err(closed), ServerGone(false));
            }
            Err(_) => {
                metrics::counter!("db_pool_timeouts_total").increment(1);
                let busy =
                    AppError::Unavailable("no database connection: timed out waiting".into());
                return (Err(busy), ServerGone(false));
            }
        };
        let pool = self.pool.clone();
        let done = web::block(move || {
            let _turn = turn;
            let mut conn = match crate::db::checkout(&pool) {
                Ok(conn) => conn,
                Err(err) => return (Err(AppError::from(err)), ServerGone(true)),
            };
            // From asking to holding a connection: the turn, a blocking thread, the checkout.
            metrics::counter!("db_pool_checkouts_total").increment(1);
            metrics::histogram!("db_pool_wait_seconds").record(asked.elapsed().as_secs_f64());
            let result = f(&mut conn).map_err(Into::into);
            // A page that was not found says nothing of the connection.
            let failed = matches!(
                result,
                Err(AppError::Unavailable(_) | AppError::Internal(_))
            );
            let gone = crate::db::settle(&mut conn, failed);
            (result, ServerGone(gone))
        })
        .await;
        let (done, gone) = match done {
            Ok(done) => done,
            Err(blocking) => (Err(blocking.into()), ServerGone(false)),
        };
        if let (Some(health), ServerGone(true)) = (&self.replica_health, gone) {
            *health
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner) = ReplicaHealth::Down;
        }
        (done, gone)
    }
}

/// The turns for a pool of `connections`: half as many again (rounded up), so a connection
/// that comes back finds a request already waiting for it on a thread.
fn turns_for(connections: usize) -> usize {
    connections + connections.div_ceil(2)
}

/// Whether a database's work found its server gone (no connection could be made, or the one
/// it had no longer answers), as opposed to failing on its own.
#[derive(Clone, Copy)]
struct ServerGone(bool);

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

    /// Reads the replica's lag every [`REPLICA_CHECK`], for as long as the process runs.
    ///
    /// Each check reads how far the primary has flushed its log, then how far the replica has
    /// replayed it. The replica has everything the primary had at the last check whose
    /// position it has replayed, so its lag is the age of that check: zero when it has
    /// replayed what the primary had a moment ago. Unlike the age of the last transaction
    /// it replayed, this stays true when nothing is written (an idle primary), and right
    /// after the replica restarts, before it streams again. While the primary cannot be read,
    /// the replica is fresh if it has replayed all that the primary was last seen to have.
    /// A replica that is not in recovery (a primary) counts as fresh.
    async fn watch(self: Arc<Self>, primary: Db) {
        #[derive(diesel::QueryableByName)]
        struct Flushed {
            #[diesel(sql_type = diesel::sql_types::Double)]
            lsn: f64,
        }
        #[derive(diesel::QueryableByName)]
        struct Replayed {
            #[diesel(sql_type = diesel::sql_types::Bool)]
            recovering: bool,
            #[diesel(sql_type = diesel::sql_types::Double)]
            lsn: f64,
        }
        // The primary's log positions, oldest first, at most as old as the lag allowed.
        let kept = (self.max_lag.as_millis() / REPLICA_CHECK.as_millis()) as usize + 2;
        let mut seen: VecDeque<(Instant, f64)> = VecDeque::with_capacity(kept + 1);
        let mut reading: Option<tokio::task::JoinHandle<Option<(Instant, f64)>>> = None;
        let mut every = tokio::time::interval(REPLICA_CHECK);
        every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            every.tick().await;
            // The primary's position, one read at a time however long one takes (an
            // unreachable primary holds it for the pool's checkout timeout): what the last
            // read found, as of when it began.
            if reading.as_ref().is_none_or(|r| r.is_finished()) {
                if let Some(Ok(Some(flushed))) = match reading.take() {
                    Some(read) => Some(read.await),
                    None => None,
                } {
                    seen.push_back(flushed);
                    if seen.len() > kept {
                        seen.pop_front();
                    }
                }
                let primary = primary.clone();
                reading = Some(tokio::spawn(async move {
                    let began = Instant::now();
                    let flushed = primary.run(|conn| {
                        diesel::RunQueryDsl::get_result::<Flushed>(
                            diesel::sql_query(
                                "SELECT pg_wal_lsn_diff(pg_current_wal_flush_lsn(), '0/0')::float8
                                          AS lsn",
                            ),
                            conn,
                        )
                    });
                    flushed.await.ok().map(|f| (began, f.lsn))
                }));
            }
            let replayed = self.db.run(|conn| {
                diesel::RunQueryDsl::get_result::<Replayed>(
                    diesel::sql_query(
                        "SELECT pg_is_in_recovery() AS recovering,
                                coalesce(pg_wal_lsn_diff(pg_last_wal_replay_lsn(), '0/0'), 0)::float8
                                  AS lsn",
                    ),
                    conn,
                )
            });
            let health = match tokio::time::timeout(Duration::from_secs(1), replayed).await {
                Ok(Ok(replayed)) if !replayed.recovering => ReplicaHealth::Fresh {
                    lag: Duration::ZERO,
                },
                Ok(Ok(replayed)) => self.judge(lag_behind(&seen, replayed.lsn)),
                _ => ReplicaHealth::Down,
            };
            self.set_health(health);
        }
    }

    fn judge(&self, lag: Duration) -> ReplicaHealth {
        if lag <= self.max_lag {
            ReplicaHealth::Fresh { lag }
        } else {
            ReplicaHealth::Lagging { lag }
        }
    }
}

/// How far behind a replica that replayed the log up to `replayed` is, given the primary's
/// flushed positions `seen` at each check (oldest first): zero if it has the newest, else
/// the age of the newest it has, else (it has none of them) the age of the oldest.
fn lag_behind(seen: &VecDeque<(Instant, f64)>, replayed: f64) -> Duration {
    let Some((_, newest)) = seen.back() else {
        // The primary was never read: nothing to compare with.
        return Duration::MAX;
    };
    if replayed >= *newest {
        return Duration::ZERO;
    }
    seen.iter()
        .rev()
        .find(|(_, lsn)| *lsn <= replayed)
        .or(seen.front())
        .map_or(Duration::MAX, |(at, _)| at.elapsed())
}

/// The database for a read-only request: `db` is the replica when there is one, it is
/// fresh, the request is a `GET` or `HEAD`, and the browser did not write in the last few
/// seconds ([`WROTE_COOKIE`]) nor identify itself with an API token (programs read what they
/// wrote); the primary otherwise. A page that must write after all (a rare rate-limit count)
/// uses `primary`. A replica that stops answering is noticed within [`REPLICA_CHECK`] (or at
/// its first failed read, which runs again on the primary), and reads go to the primary until
/// it is back.
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
                Db {
                    fallback: Some(Box::new(primary.clone())),
                    ..replica.db.clone()
                }
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

#[cfg(test)]
mod tests {
    use super::*;

    /// The primary's positions 1,000, 2,000 and 3,000, seen 750, 500 and 0 ms ago.
    fn seen() -> VecDeque<(Instant, f64)> {
        let now = Instant::now();
        [(750, 1000.0), (500, 2000.0), (0, 3000.0)]
            .into_iter()
            .map(|(ago, lsn)| (now - Duration::from_millis(ago), lsn))
            .collect()
    }

    #[test]
    fn a_returned_connection_finds_a_request_waiting_for_it() {
        assert_eq!(turns_for(1), 2);
        assert_eq!(turns_for(4), 6);
        assert_eq!(turns_for(5), 8);
        for connections in 1..64 {
            let spare = turns_for(connections) - connections;
            assert!(
                spare >= 1 && spare * 2 <= connections + 1,
                "{connections}: {spare}"
            );
        }
    }

    #[test]
    fn a_replica_with_the_newest_position_is_not_behind() {
        assert_eq!(lag_behind(&seen(), 3000.0), Duration::ZERO);
        assert_eq!(lag_behind(&seen(), 3500.0), Duration::ZERO);
    }

    #[test]
    fn a_replica_is_as_far_behind_as_the_newest_position_it_has() {
        let lag = lag_behind(&seen(), 2500.0);
        assert!(lag >= Duration::from_millis(500) && lag < Duration::from_millis(700));
        let lag = lag_behind(&seen(), 1000.0);
        assert!(lag >= Duration::from_millis(750) && lag < Duration::from_millis(950));
    }

    #[test]
    fn a_replica_with_none_of_the_positions_is_older_than_the_oldest() {
        let lag = lag_behind(&seen(), 10.0);
        assert!(lag >= Duration::from_millis(750), "{lag:?}");
        assert_eq!(lag_behind(&VecDeque::new(), 10.0), Duration::MAX);
    }
}
