//! What a listing page shows of other listings ("More from this seller", "Similar
//! listings"), kept for a minute per listing: a popular listing's page does not ask for them
//! again on every view, and a change shows within [`KEPT_FOR`].

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use diesel::PgConnection;
use diesel::QueryResult;

use super::models::Listing;
use super::queries::{self, ListingCard, Scope};
use crate::db::ids::ListingId;

/// How many listings each list shows.
pub const RELATED_SIZE: i64 = 6;
/// How long a listing's lists are reused.
pub const KEPT_FOR: Duration = Duration::from_secs(60);
/// Listings whose lists are kept at once (beyond it, the stalest half is dropped).
pub const MAX_KEPT: usize = 10_000;

/// A listing's related lists.
#[derive(Debug, Default)]
pub struct Related {
    pub from_seller: Vec<ListingCard>,
    pub similar: Vec<ListingCard>,
}

/// The related lists of recently viewed listings (app data; one per instance).
#[derive(Debug, Default)]
pub struct RelatedCache {
    kept: Mutex<HashMap<ListingId, (Instant, Arc<Related>)>>,
}

impl RelatedCache {
    /// The lists for `listing`, from the cache when fresh, else read (two statements).
    pub fn get(&self, conn: &mut PgConnection, listing: &Listing) -> QueryResult<Arc<Related>> {
        let now = Instant::now();
        if let Some((at, related)) = self.lock().get(&listing.id)
            && now.duration_since(*at) < KEPT_FOR
        {
            return Ok(related.clone());
        }
        let related = Arc::new(read(conn, listing)?);
        let mut kept = self.lock();
        if kept.len() >= MAX_KEPT {
            let mut ages: Vec<Instant> = kept.values().map(|(at, _)| *at).collect();
            ages.sort_unstable();
            let cutoff = ages[ages.len() / 2];
            kept.retain(|_, (at, _)| *at > cutoff);
        }
        kept.insert(listing.id, (now, related.clone()));
        Ok(related)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<ListingId, (Instant, Arc<Related>)>> {
        self.kept.lock().unwrap_or_else(|e| e.into_inner())
    }
}

fn read(conn: &mut PgConnection, listing: &Listing) -> QueryResult<Related> {
    Ok(Related {
        from_seller: queries::public_listings(
            conn,
            Scope::Owner(listing.owner_id),
            None,
            RELATED_SIZE + 1,
        )?
        .into_iter()
        .filter(|card| card.id != listing.id)
        .take(RELATED_SIZE as usize)
        .collect(),
        similar: queries::similar_listings(conn, listing, RELATED_SIZE)?,
    })
}
