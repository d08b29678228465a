//! Counting how often listing pages are opened, for their sellers' dashboard.
//!
//! Policy:
//! - A page view is counted in the process's memory ([`ViewCounter::record`]) and written in
//!   batches ([`ViewCounter::flush`], every few seconds, by a task of each instance), so a busy
//!   listing page costs no write of its own and the listings table is never rewritten for it.
//! - Views by the listing's owner are not counted; neither are a moderator's.
//! - Bounded: at most [`MAX_PENDING`] listings wait in memory; views of further listings
//!   until the next flush are dropped (a count, not a ledger).
//! - A crash loses at most the views since the last flush.

use std::collections::HashMap;
use std::sync::Mutex;

use crate::db::ids::ListingId;
use crate::web::{AppError, Db};

/// Most distinct listings counted between two flushes.
pub const MAX_PENDING: usize = 50_000;

/// Views counted since the last flush, by listing.
#[derive(Debug, Default)]
pub struct ViewCounter {
    pending: Mutex<HashMap<ListingId, i64>>,
}

impl ViewCounter {
    /// Counts one view of `listing`.
    pub fn record(&self, listing: ListingId) {
        let mut pending = self.pending.lock().unwrap_or_else(|e| e.into_inner());
        let len = pending.len();
        match pending.get_mut(&listing) {
            Some(views) => *views += 1,
            None if len < MAX_PENDING => {
                pending.insert(listing, 1);
            }
            None => {}
        }
    }

    fn take(&self) -> HashMap<ListingId, i64> {
        std::mem::take(&mut *self.pending.lock().unwrap_or_else(|e| e.into_inner()))
    }

    /// Adds the counted views to the database; returns how many listings it wrote. Views that
    /// cannot be written (the database is down) are counted again for the next flush.
    pub async fn flush(&self, db: &Db) -> Result<usize, AppError> {
        let batch = self.take();
        if batch.is_empty() {
            return Ok(0);
        }
        let (ids, views): (Vec<ListingId>, Vec<i64>) = batch.iter().map(|(k, v)| (*k, *v)).unzip();
        match db
            .run(move |conn| super::dashboard::add_views(conn, &ids, &views))
            .await
        {
            Ok(written) => Ok(written),
            Err(err) => {
                let mut pending = self.pending.lock().unwrap_or_else(|e| e.into_inner());
                for (id, views) in batch {
                    if pending.len() < MAX_PENDING || pending.contains_key(&id) {
                        *pending.entry(id).or_default() += views;
                    }
                }
                Err(err)
            }
        }
    }

    /// Flushes every `every` until the process ends.
    pub async fn flush_every(self: std::sync::Arc<Self>, db: Db, every: std::time::Duration) {
        let mut ticks = tokio::time::interval(every);
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            ticks.tick().await;
            if let Err(err) = self.flush(&db).await {
                tracing::warn!(error = %err, "cannot write listing views; keeping them for later");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_views_by_listing_and_stops_taking_new_listings_when_full() {
        let counter = ViewCounter::default();
        counter.record(ListingId(1));
        counter.record(ListingId(1));
        counter.record(ListingId(2));
        let taken = counter.take();
        assert_eq!(taken.get(&ListingId(1)), Some(&2));
        assert_eq!(taken.get(&ListingId(2)), Some(&1));
        assert!(counter.take().is_empty());

        for id in 0..(MAX_PENDING as i64 + 10) {
            counter.record(ListingId(id));
        }
        counter.record(ListingId(0));
        let taken = counter.take();
        assert_eq!(taken.len(), MAX_PENDING);
        assert_eq!(taken.get(&ListingId(0)), Some(&2));
    }
}
