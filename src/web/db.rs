//! The `Db` extractor: runs Diesel code on actix's blocking pool.
//!
//! The connection is taken *inside* the blocking closure, so a request never holds a pool slot
//! while it waits for a thread, and the wait for a connection is bounded by the pool's checkout
//! timeout (then the request fails with 503).

use std::future::{Ready, ready};

use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpRequest, web};
use diesel::pg::PgConnection;

use super::AppError;
use crate::db::PgPool;

#[derive(Clone)]
pub struct Db(PgPool);

impl Db {
    pub fn new(pool: PgPool) -> Self {
        Self(pool)
    }

    pub fn pool(&self) -> &PgPool {
        &self.0
    }

    /// Runs `f` with a pooled connection on the blocking pool.
    pub async fn run<T, E, F>(&self, f: F) -> Result<T, AppError>
    where
        F: FnOnce(&mut PgConnection) -> Result<T, E> + Send + 'static,
        T: Send + 'static,
        E: Into<AppError> + Send + 'static,
    {
        let pool = self.0.clone();
        web::block(move || {
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
