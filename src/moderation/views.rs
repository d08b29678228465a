//! The members' moderation pages: flag a listing, appeal a decision, report a profile.

use askama::Template;
use askama_web::WebTemplate;

use super::domain::FlagReason;
use super::queries::MyFlag;
use crate::db::ids::ListingId;
use crate::web::{FieldErrors, PageContext};

/// The flag form on its own page (the listing page carries the same form).
#[derive(Template, WebTemplate)]
#[template(path = "moderation/flag.html")]
pub struct FlagPage {
    pub ctx: PageContext,
    pub listing: ListingId,
    pub title: String,
    pub path: String,
    pub reason: String,
    pub note: String,
    pub errors: FieldErrors,
    /// The member's flag on this listing, if they made one.
    pub mine: Option<MyFlag>,
}

/// The appeal form on its own page (the owner's listing page carries the same form).
#[derive(Template, WebTemplate)]
#[template(path = "moderation/appeal.html")]
pub struct AppealPage {
    pub ctx: PageContext,
    pub listing: ListingId,
    pub title: String,
    pub path: String,
    /// Why the moderators took it off the site.
    pub moderation_reason: String,
    pub message: String,
    pub errors: FieldErrors,
}

/// Reporting a member's profile.
#[derive(Template, WebTemplate)]
#[template(path = "moderation/report_profile.html")]
pub struct ProfileReportPage {
    pub ctx: PageContext,
    pub username: String,
    pub name: String,
    pub reason: String,
    pub errors: FieldErrors,
}
