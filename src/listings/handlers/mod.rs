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

use chrono::Utc;

use super::models::Listing;
use super::service::{self, ListingRules, RENEW_AFTER, load_for_change, may_manage, not_moderated};
use crate::web::CurrentUser;

/// Whether `me` may open a listing's page: anyone a public one, its owner and admins any.
fn may_see(me: Option<&CurrentUser>, listing: &Listing) -> bool {
    listing.is_public() || may_manage(me, listing)
}

fn ago_future(when: chrono::DateTime<Utc>, now: chrono::DateTime<Utc>) -> String {
    let hours = ((when - now).num_seconds().max(1) + 3599) / 3600;
    if hours <= 48 {
        format!("in {hours} hour{}", if hours == 1 { "" } else { "s" })
    } else {
        format!("in {} days", hours / 24)
    }
}
