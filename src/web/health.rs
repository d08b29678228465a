//! Probes for load balancers and orchestrators.
//!
//! `/healthz` says the process answers. `/readyz` says it can serve pages: the database answers
//! within a second, the object store answers, and the process is not shutting down. Failures are logged with their detail; the
//! response names only the failing component.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use actix_web::{HttpResponse, web};
use diesel::RunQueryDsl;
use serde::Serialize;

use super::Db;
use super::db::ReplicaHealth;
use crate::storage::Storage;

const DATABASE_DEADLINE: Duration = Duration::from_secs(1);
const STORAGE_DEADLINE: Duration = Duration::from_secs(2);

/// `GET /healthz`
pub async fn healthz() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/plain; charset=utf-8")
        .insert_header(("Cache-Control", "no-store"))
        .body("ok\n")
}

/// Set when the process starts shutting down: `/readyz` fails from then on, so a load
/// balancer that polls it stops sending new requests here. Cheap to clone.
#[derive(Debug, Clone, Default)]
pub struct Draining(Arc<AtomicBool>);

impl Draining {
    pub fn begin(&self) {
        self.0.store(true, Ordering::Release);
    }

    pub fn is_draining(&self) -> bool {
        self.0.load(Ordering::Acquire)
    }
}

#[derive(Serialize)]
struct Readiness {
    database: &'static str,
    storage: &'static str,
    /// Shutting down: finishing what it serves, taking nothing new.
    draining: bool,
    /// The read replica, when there is one: `ok`, `lagging` or `unavailable` (reads then go
    /// to the primary; the instance stays ready).
    #[serde(skip_serializing_if = "Option::is_none")]
    replica: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    replica_lag_seconds: Option<f64>,
}

/// `GET /readyz`
pub async fn readyz(
    db: Db,
    storage: web::Data<Storage>,
    draining: Option<web::Data<Draining>>,
) -> HttpResponse {
    let draining = draining.is_some_and(|d| d.is_draining());
    let database = async {
        let query = db.run(|conn| diesel::sql_query("SELECT 1").execute(conn));
        match tokio::time::timeout(DATABASE_DEADLINE, query).await {
            Ok(Ok(_)) => "ok",
            Ok(Err(err)) => {
                tracing::warn!(error = ?err, "readiness: database failed");
                "unavailable"
            }
            Err(_) => {
                tracing::warn!("readiness: database did not answer in time");
                "unavailable"
            }
        }
    };
    let store = async {
        match tokio::time::timeout(STORAGE_DEADLINE, storage.check()).await {
            Ok(Ok(())) => "ok",
            Ok(Err(err)) => {
                tracing::warn!(error = %err, "readiness: storage failed");
                "unavailable"
            }
            Err(_) => {
                tracing::warn!("readiness: storage did not answer in time");
                "unavailable"
            }
        }
    };
    let (database, storage) = tokio::join!(database, store);
    let ready = database == "ok" && storage == "ok" && !draining;
    let (replica, replica_lag_seconds) = match db.replica_health() {
        None => (None, None),
        Some(ReplicaHealth::Unknown) => (Some("checking"), None),
        Some(ReplicaHealth::Fresh { lag }) => (Some("ok"), Some(lag.as_secs_f64())),
        Some(ReplicaHealth::Lagging { lag }) => (Some("lagging"), Some(lag.as_secs_f64())),
        Some(ReplicaHealth::Down) => (Some("unavailable"), None),
    };
    let mut response = if ready {
        HttpResponse::Ok()
    } else {
        HttpResponse::ServiceUnavailable()
    };
    response
        .insert_header(("Cache-Control", "no-store"))
        .json(Readiness {
            database,
            storage,
            draining,
            replica,
            replica_lag_seconds,
        })
}
