//! The `Db` extractor: runs Diesel code on actix's blocking pool.
//!
//! The connection is taken *inside* the blocking closure, so a request never holds a pool slot
//! while it waits for a thread. Before that, a request waits its turn for one of as many
//! permits as the pool has connections, first come first served: r2d2's own wait lets a
//! newcomer take a connection that came back before one that has waited, so under load some
//! requests waited many times longer than the rest. The wait is bounded by the pool's checkout
//! timeout (then the request fails with 503).

use std::future::{Ready, ready};
use std::sync::Arc;

use actix_web::dev::Payload;
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
}

impl Db {
    pub fn new(pool: PgPool) -> Self {
        let turns = Arc::new(Semaphore::new(pool.max_size() as usize));
        Self { pool, turns }
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
        let turn = tokio::time::timeout(
            self.pool.connection_timeout(),
            Arc::clone(&self.turns).acquire_owned(),
        )
        .await
        .map_err(|_| AppError::Unavailable("no database connection: timed out waiting".into()))?
        .map_err(|_| AppError::Unavailable("no database connection: closed".into()))?;
        let pool = self.pool.clone();
        web::block(move || {
            let _turn = turn;
            let mut conn = crate::db::checkout(&pool)?;
            let result = f(&mut conn).map_err(Into::into);
            // A page that was not found says nothing of the connection.
            let failed = matches!(
                result,
                Err(AppError::Unavailable(_) | AppError::Internal(_))
            );
            crate::db::settle(&mut conn, failed);
            result
        })
        .await?
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
