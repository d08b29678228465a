//! What a listing page shows of other listings ("More from this seller", "Similar
//! listings"), kept for a minute per listing: a popular listing's page does not ask for them
//! again on every view, and a change shows within [`KEPT_FOR`]. The cards built from them for
//! visitors without an area (no distances) are kept too, for [`CARDS_KEPT_FOR`].

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use diesel::PgConnection;
use diesel::QueryResult;

use super::models::Listing;
use super::queries::{self, ListingCard, Scope};
use super::views::CardView;
use crate::db::ids::ListingId;

/// How many listings each list shows.
pub const RELATED_SIZE: i64 = 6;
/// How long a listing's lists are reused.
pub const KEPT_FOR: Duration = Duration::from_secs(60);
/// Listings whose lists are kept at once (beyond it, the stalest half is dropped).
pub const MAX_KEPT: usize = 10_000;

/// How long the related cards built for one view are shown to the next visitors without an
/// area. Their thumbnails' signed URLs live at least a minute (both storages' floor), so cards
/// this old still leave a browser half a minute to load them; "posted 5 minutes ago" is at
/// most this late.
pub const CARDS_KEPT_FOR: Duration = Duration::from_secs(30);

/// A listing's related lists.
#[derive(Debug, Default)]
pub struct Related {
    pub from_seller: Vec<ListingCard>,
    pub similar: Vec<ListingCard>,
    /// The lists as cards for visitors without an area, and when they were built.
    cards: Mutex<Option<(Instant, Arc<RelatedCards>)>>,
}

/// A listing's related lists as the page shows them.
#[derive(Debug, Default)]
pub struct RelatedCards {
    pub from_seller: Vec<CardView>,
    pub similar: Vec<CardView>,
}

impl Related {
    /// The cards built for a visitor without an area less than [`CARDS_KEPT_FOR`] ago.
    pub fn kept_cards(&self) -> Option<Arc<RelatedCards>> {
        match &*self.cards.lock().unwrap_or_else(|e| e.into_inner()) {
            Some((at, cards)) if at.elapsed() < CARDS_KEPT_FOR => Some(cards.clone()),
            _ => None,
        }
    }

    /// Keeps the cards just built for a visitor without an area.
    pub fn keep_cards(&self, cards: Arc<RelatedCards>) {
        *self.cards.lock().unwrap_or_else(|e| e.into_inner()) = Some((Instant::now(), cards));
    }
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
        cards: Mutex::default(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cards_are_shown_again_for_half_a_minute() {
        let related = Related::default();
        assert!(related.kept_cards().is_none());
        let cards = Arc::new(RelatedCards::default());
        related.keep_cards(cards.clone());
        let kept = related.kept_cards().expect("just kept");
        assert!(Arc::ptr_eq(&kept, &cards));
        // Built longer ago than that, they are built again.
        let long_ago = Instant::now()
            .checked_sub(CARDS_KEPT_FOR)
            .expect("the clock runs");
        *related.cards.lock().unwrap() = Some((long_ago, cards));
        assert!(related.kept_cards().is_none());
    }
}
