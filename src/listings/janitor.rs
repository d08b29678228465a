//! The janitor: marks listings past their expiry as expired, and removes photo objects that
//! nothing refers to any more.
//!
//! Expired listings keep showing as expired to whoever opens them; marking them takes them out
//! of the public indexes and the per-category counts the triggers keep (until then, queries
//! check the expiry themselves). Two kinds of photo leftovers: pending uploads that were never attached to a listing (the form
//! was abandoned), and objects without any row (a crash or a failure between storing the
//! objects and writing the row). Both are removed once they are older than the grace period,
//! which also protects an upload that is between its two steps right now. Running it twice,
//! or on two instances at once, is harmless: every step is idempotent.

use std::time::Duration;

use chrono::Utc;

use super::photos::{delete_objects, object_keys};
use super::queries;
use crate::storage::Storage;
use crate::web::{AppError, Db};

/// How old a leftover must be before it goes.
pub const GRACE: Duration = Duration::from_secs(24 * 3600);
/// Listings marked expired in one statement (short transactions, whatever the backlog).
const EXPIRE_BATCH: i64 = 1000;
/// How often `serve` runs the janitor.
pub const INTERVAL: Duration = Duration::from_secs(15 * 60);

#[derive(Debug, Default, PartialEq, Eq)]
pub struct SweepReport {
    pub expired_listings: usize,
    pub pending_photos: usize,
    pub orphan_objects: usize,
}

pub async fn sweep(db: &Db, storage: &Storage, grace: Duration) -> Result<SweepReport, AppError> {
    let mut expired_listings = 0;
    loop {
        let marked = db
            .run(|conn| queries::expire_listings(conn, EXPIRE_BATCH))
            .await?;
        expired_listings += marked;
        if (marked as i64) < EXPIRE_BATCH {
            break;
        }
    }

    let cutoff = Utc::now() - chrono::Duration::from_std(grace).unwrap_or_default();
    let stale = db
        .run(move |conn| queries::take_stale_pending_photos(conn, cutoff))
        .await?;
    delete_objects(storage, &object_keys(&stale)).await;

    let mut orphans = 0;
    for object in storage.list("photos/").await? {
        if object.modified > cutoff {
            continue;
        }
        let key = object.key.clone();
        let used = db
            .run(move |conn| queries::photo_key_in_use(conn, &key))
            .await?;
        if !used {
            delete_objects(storage, std::slice::from_ref(&object.key)).await;
            orphans += 1;
        }
    }
    let report = SweepReport {
        expired_listings,
        pending_photos: stale.len(),
        orphan_objects: orphans,
    };
    if report != SweepReport::default() {
        tracing::info!(?report, "janitor removed leftovers");
    }
    Ok(report)
}

/// Runs the janitor every [`INTERVAL`] until the process stops.
pub async fn run_forever(db: Db, storage: Storage) {
    let mut ticks = tokio::time::interval(INTERVAL);
    loop {
        ticks.tick().await;
        if let Err(err) = sweep(&db, &storage, GRACE).await {
            tracing::warn!(error = %err, "janitor failed; it will try again");
        }
    }
}
