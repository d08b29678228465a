//! The janitor: marks listings past their expiry as expired, removes photo objects that
//! nothing refers to any more and the photos of deleted listings that can no longer come back,
//! and sweeps dead logins and rate-limit counters.
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
use crate::storage::{ObjectKey, Storage};
use crate::web::{AppError, Db};

/// How old a leftover must be before it goes.
pub const GRACE: Duration = Duration::from_secs(24 * 3600);
/// Listings marked expired in one statement (short transactions, whatever the backlog).
const EXPIRE_BATCH: i64 = 1000;
/// How often the janitor runs (a periodic job, see `jobs::runner`).
pub const INTERVAL: Duration = Duration::from_secs(15 * 60);

#[derive(Debug, Default, PartialEq, Eq)]
pub struct SweepReport {
    pub expired_listings: usize,
    pub pending_photos: usize,
    pub orphan_objects: usize,
    /// Photos of listings deleted past their restore window, or with their owner's account.
    pub deleted_listing_photos: usize,
}

/// Photo rows removed in one statement.
const PHOTO_BATCH: i64 = 500;

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
    let restore_cutoff =
        Utc::now() - chrono::Duration::from_std(queries::RESTORE_WITHIN).unwrap_or_default();
    let mut deleted_listing_photos = 0;
    loop {
        let gone = db
            .run(move |conn| {
                queries::take_photos_of_deleted_listings(conn, restore_cutoff, cutoff, PHOTO_BATCH)
            })
            .await?;
        delete_objects(storage, &object_keys(&gone)).await;
        deleted_listing_photos += gone.len();
        if (gone.len() as i64) < PHOTO_BATCH {
            break;
        }
    }

    let stale = db
        .run(move |conn| queries::take_stale_pending_photos(conn, cutoff))
        .await?;
    delete_objects(storage, &object_keys(&stale)).await;

    let mut orphans = 0;
    for object in storage.list("photos/").await? {
        if object.modified > cutoff {
            continue;
        }
        // A name no photo could have is not ours to delete: it is logged for an operator.
        let Ok(key) = ObjectKey::parse(&object.key) else {
            tracing::warn!(key = %object.key, "an object that is no photo's key");
            continue;
        };
        let lookup = key.clone();
        let used = db
            .run(move |conn| queries::photo_key_in_use(conn, &lookup))
            .await?;
        if !used {
            delete_objects(storage, &[key]).await;
            orphans += 1;
        }
    }
    let report = SweepReport {
        expired_listings,
        pending_photos: stale.len(),
        orphan_objects: orphans,
        deleted_listing_photos,
    };
    if report != SweepReport::default() {
        tracing::info!(?report, "janitor removed leftovers");
    }
    Ok(report)
}

/// Deletes logins older than `session_lifetime` (they can no longer be used) and rate-limit
/// counters whose window ended long ago; returns how many of each.
pub async fn sweep_sessions(
    db: &Db,
    session_lifetime: Duration,
) -> Result<(usize, usize), AppError> {
    db.run(move |conn| {
        let logins = crate::accounts::queries::delete_expired_sessions(conn, session_lifetime)?;
        crate::accounts::queries::delete_expired_tokens(conn)?;
        crate::accounts::api_tokens::delete_expired(conn)?;
        let counters = crate::web::rate_limit::sweep(conn)?;
        Ok::<_, diesel::result::Error>((logins, counters))
    })
    .await
}
