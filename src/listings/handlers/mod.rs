//! Listing pages, one file per job: browsing sections and categories, posting, the listing
//! page, editing, and managing (status, renewal, deleting and restoring). The rules they
//! share (who may see or change a listing) are here.

mod dashboard;
mod edit;
mod manage;
mod post;
mod show;

pub use dashboard::my_listings;
pub use edit::{edit_listing_form, update_listing};
pub use manage::{
    change_status, confirm_delete_listing, delete_listing, renew_by_link, renew_link_form,
    renew_listing, restore_listing,
};
pub use post::{create_listing, new_listing_form};
pub use show::{PhotoVariant, listing_by_id, public_photo_path, show_listing, show_public_photo};

use std::time::Duration;

use chrono::Utc;

use super::models::{Listing, ListingStatus};
use super::queries;
use crate::db::ids::ListingId;
use crate::web::{AppError, CurrentUser, Db};

/// Listing rules, registered as app data.
#[derive(Debug, Clone, Copy)]
pub struct ListingRules {
    pub lifetime: Duration,
    pub max_photos: usize,
}

/// A listing may be renewed this long after it was posted or last renewed.
pub const RENEW_AFTER: Duration = Duration::from_secs(48 * 3600);

/// Whether `me` may open a listing's page: anyone a public one, its owner and admins any.
fn may_see(me: Option<&CurrentUser>, listing: &Listing) -> bool {
    listing.is_public() || may_manage(me, listing)
}

/// Whether `me` may see a listing that the public may not.
fn may_manage(me: Option<&CurrentUser>, listing: &Listing) -> bool {
    me.is_some_and(|me| me.id == listing.owner_id || me.is_admin())
}

fn ago_future(when: chrono::DateTime<Utc>, now: chrono::DateTime<Utc>) -> String {
    let hours = ((when - now).num_seconds().max(1) + 3599) / 3600;
    if hours <= 48 {
        format!("in {hours} hour{}", if hours == 1 { "" } else { "s" })
    } else {
        format!("in {} days", hours / 24)
    }
}

/// The listing, if `me` may change it: strangers get 403 for a public listing, 404 otherwise.
async fn load_for_change(db: &Db, id: ListingId, me: &CurrentUser) -> Result<Listing, AppError> {
    let listing = db
        .run(move |conn| queries::find_listing(conn, id))
        .await?
        .ok_or(AppError::NotFound)?;
    if matches!(
        listing.status(),
        ListingStatus::Deleted | ListingStatus::Removed
    ) {
        return Err(AppError::NotFound);
    }
    if may_manage(Some(me), &listing) {
        Ok(listing)
    } else if listing.is_public() {
        Err(AppError::Forbidden(Some(
            "Only the member who posted this listing can change it.".into(),
        )))
    } else {
        Err(AppError::NotFound)
    }
}
