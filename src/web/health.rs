//! Probes for load balancers and orchestrators.
//!
//! `/healthz` says the process answers. `/readyz` says it can serve pages: the database answers
//! within a second and the object store answers. Failures are logged with their detail; the
//! response names only the failing component.

use std::time::Duration;

use actix_web::{HttpResponse, web};
use diesel::RunQueryDsl;
use serde::Serialize;

use super::Db;
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

#[derive(Serialize)]
struct Readiness {
    database: &'static str,
    storage: &'static str,
}

/// `GET /readyz`
pub async fn readyz(db: Db, storage: web::Data<Storage>) -> HttpResponse {
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
    let ready = database == "ok" && storage == "ok";
    let mut response = if ready {
        HttpResponse::Ok()
    } else {
        HttpResponse::ServiceUnavailable()
    };
    response
        .insert_header(("Cache-Control", "no-store"))
        .json(Readiness { database, storage })
}
