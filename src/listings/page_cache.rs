//! Listing pages as visitors who are not logged in see them, kept in memory and served again
//! while the database still holds the version they were rendered from (issue 15).
//!
//! A listing page reads the listing with its seller and its photos in one statement, builds
//! its cards, share links and structured data, and renders some 19 KB: about half the
//! machine's work for the page goes there. A listing that is shared around is opened by many
//! visitors who are not logged in, and their pages are the same. Policy:
//! - Kept only for a visitor who is not logged in, has no flash message waiting and sent no
//!   query string: such a page depends on nothing but the listing, its photos, its seller's
//!   name, the category tree, the visitor's area and the clock.
//! - Every view still reads the version of the listing's row by its key (`xmin`: one prepared
//!   statement, like the bare item page the issue measures against). Every update of the row
//!   changes it, and triggers touch the row when its photos or its seller's name change,
//!   whatever path the change took, so no instance serves a page the database would no longer
//!   render. The category tree must be
//!   the very one the page was rendered with (an admin's edit, or the tree's own refresh,
//!   makes a new one).
//! - What the clock changes is bounded: a page is kept [`KEPT_FOR`] at most, and never past
//!   the moment its listing expires. "Posted 5 minutes ago" is at most that late, as on the
//!   related cards, and the photos' signed URLs still live half a minute after the last time
//!   the page is served (both storages sign them for at least a minute).
//! - Bounded: at most [`MAX_BYTES`] of pages; beyond it, the pages kept longest are dropped
//!   (the older half).
//! - A view served from here is counted like any other.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use actix_web::web::Bytes;
use chrono::{DateTime, Utc};

use super::queries::CategoryTree;
use crate::db::ids::ListingId;
use crate::web::area::AreaChoice;

/// How long a rendered page is served again at most.
pub const KEPT_FOR: Duration = Duration::from_secs(30);
/// Most bytes of pages kept at once (some 1,700 pages of 19 KB).
pub const MAX_BYTES: usize = 32 * 1024 * 1024;

/// Whose page: the listing and the visitor's area (the header names it; cards and the page
/// show distances from it).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PageKey {
    listing: ListingId,
    area: AreaKey,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum AreaKey {
    Unset,
    Everywhere,
    Near { zip: String, radius_miles: u32 },
}

impl PageKey {
    pub fn new(listing: ListingId, area: Option<&AreaChoice>) -> Self {
        let area = match area {
            None => AreaKey::Unset,
            Some(AreaChoice::Everywhere) => AreaKey::Everywhere,
            Some(AreaChoice::Near(area)) => AreaKey::Near {
                zip: area.zip.clone(),
                radius_miles: area.radius_miles,
            },
        };
        Self { listing, area }
    }
}

/// A rendered page and what it was rendered from.
#[derive(Debug)]
pub struct KeptPage {
    /// The version of the listing's row it shows (see `queries::page_version`).
    pub version: i64,
    /// The category tree it was rendered with.
    pub tree: Arc<CategoryTree>,
    /// The listing's address (a request with another slug is sent there).
    pub path: String,
    pub html: Bytes,
    until: Instant,
}

impl KeptPage {
    /// A page rendered now, from version `version` of a listing that expires at `expires_at`
    /// (`None`: nothing on it changes at a set time).
    pub fn new(
        version: i64,
        tree: Arc<CategoryTree>,
        path: String,
        html: Bytes,
        expires_at: Option<DateTime<Utc>>,
    ) -> Self {
        let mut lives = KEPT_FOR;
        if let Some(expires_at) = expires_at {
            let left = (expires_at - Utc::now()).to_std().unwrap_or_default();
            lives = lives.min(left);
        }
        Self {
            version,
            tree,
            path,
            html,
            until: Instant::now() + lives,
        }
    }

    /// Whether the page still shows what a page rendered from `version` with `tree` would.
    pub fn shows(&self, version: i64, tree: &Arc<CategoryTree>) -> bool {
        version == self.version && Arc::ptr_eq(&self.tree, tree)
    }

    fn fresh(&self, now: Instant) -> bool {
        now < self.until
    }
}

/// The kept pages (app data; one per instance).
#[derive(Debug, Default)]
pub struct ListingPages {
    kept: Mutex<Kept>,
}

#[derive(Debug, Default)]
struct Kept {
    pages: HashMap<PageKey, Arc<KeptPage>>,
    bytes: usize,
}

impl ListingPages {
    /// The page kept for `key`, if the clock has not yet made it stale (whether the listing
    /// changed is for the caller to ask the database).
    pub fn get(&self, key: &PageKey) -> Option<Arc<KeptPage>> {
        let now = Instant::now();
        self.lock()
            .pages
            .get(key)
            .filter(|page| page.fresh(now))
            .cloned()
    }

    /// Keeps `page` for `key`, in place of any page kept for it before.
    pub fn keep(&self, key: PageKey, page: KeptPage) {
        let now = Instant::now();
        let size = page.html.len();
        if size > MAX_BYTES / 4 || !page.fresh(now) {
            return;
        }
        let mut kept = self.lock();
        if let Some(old) = kept.pages.remove(&key) {
            kept.bytes -= old.html.len();
        }
        if kept.bytes + size > MAX_BYTES {
            kept.pages.retain(|_, page| page.fresh(now));
            if kept.pages.values().map(|p| p.html.len()).sum::<usize>() + size > MAX_BYTES {
                let mut ages: Vec<Instant> = kept.pages.values().map(|p| p.until).collect();
                ages.sort_unstable();
                let cutoff = ages[ages.len() / 2];
                kept.pages.retain(|_, page| page.until > cutoff);
            }
            kept.bytes = kept.pages.values().map(|p| p.html.len()).sum();
        }
        kept.bytes += size;
        kept.pages.insert(key, Arc::new(page));
    }

    fn lock(&self) -> MutexGuard<'_, Kept> {
        self.kept.lock().unwrap_or_else(|e| e.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(n: i64) -> PageKey {
        PageKey::new(ListingId(n), None)
    }

    fn page(version: i64, tree: &Arc<CategoryTree>, bytes: usize) -> KeptPage {
        KeptPage::new(
            version,
            tree.clone(),
            "/listings/1/bike".into(),
            "x".repeat(bytes).into(),
            None,
        )
    }

    #[test]
    fn a_page_is_served_only_for_its_version_and_tree() {
        let pages = ListingPages::default();
        let tree = Arc::new(CategoryTree::new());
        assert!(pages.get(&key(1)).is_none());
        pages.keep(key(1), page(7, &tree, 10));
        let kept = pages.get(&key(1)).expect("just kept");
        assert!(kept.shows(7, &tree));
        assert!(!kept.shows(8, &tree), "the listing changed");
        let edited = Arc::new(CategoryTree::new());
        assert!(!kept.shows(7, &edited), "the categories changed");
        // Another area's visitor has a page of their own.
        let near = AreaChoice::Everywhere;
        assert!(
            pages
                .get(&PageKey::new(ListingId(1), Some(&near)))
                .is_none()
        );
    }

    #[test]
    fn a_page_is_not_served_after_its_time_or_its_listings_expiry() {
        let pages = ListingPages::default();
        let tree = Arc::new(CategoryTree::new());
        pages.keep(key(1), page(1, &tree, 10));
        let mut kept = pages.lock();
        let page = Arc::get_mut(kept.pages.get_mut(&key(1)).unwrap()).unwrap();
        page.until = Instant::now();
        drop(kept);
        assert!(pages.get(&key(1)).is_none());

        // A listing that expires in a second is kept no longer than that.
        let soon = KeptPage::new(
            1,
            tree.clone(),
            "/listings/2/bike".into(),
            Bytes::from_static(b"page"),
            Some(Utc::now() + chrono::Duration::seconds(1)),
        );
        assert!(soon.until <= Instant::now() + Duration::from_secs(1));
        // One that has expired is not kept at all.
        let gone = KeptPage::new(
            1,
            tree,
            "/listings/3/bike".into(),
            Bytes::from_static(b"page"),
            Some(Utc::now() - chrono::Duration::seconds(1)),
        );
        pages.keep(key(3), gone);
        assert!(pages.get(&key(3)).is_none());
    }

    #[test]
    fn the_pages_kept_stay_within_their_bytes() {
        let pages = ListingPages::default();
        let tree = Arc::new(CategoryTree::new());
        let size = MAX_BYTES / 10;
        for n in 0..25 {
            pages.keep(key(n), page(1, &tree, size));
            let kept = pages.lock();
            assert!(
                kept.bytes <= MAX_BYTES,
                "{} bytes after page {n}",
                kept.bytes
            );
            assert_eq!(
                kept.bytes,
                kept.pages.values().map(|p| p.html.len()).sum::<usize>()
            );
        }
        // The newest page is always there; the first ones made room.
        assert!(pages.get(&key(24)).is_some());
        assert!(pages.get(&key(0)).is_none());
        // Keeping a page again replaces it and counts it once.
        pages.keep(key(24), page(2, &tree, size));
        let kept = pages.get(&key(24)).unwrap();
        assert_eq!(kept.version, 2);
        let kept = pages.lock();
        assert_eq!(
            kept.bytes,
            kept.pages.values().map(|p| p.html.len()).sum::<usize>()
        );
    }
}
