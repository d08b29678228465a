//! The admin area's pages.

use askama::Template;
use askama_web::WebTemplate;

use super::domain::{AdminSort, ListingQuery};
use crate::db::ids::{AppealId, JobId, ListingId, MessageId, UserId};
use crate::listings::models::ListingStatus;
use crate::listings::views::status_label;
use crate::moderation::audit::AuditAction;
use crate::web::{FieldErrors, PageContext};

/// What needs an admin, counted for the front page.
#[derive(Debug, Clone, Copy, Default)]
pub struct QueueCounts {
    pub held: i64,
    pub appeals: i64,
    pub message_reports: i64,
    pub profile_reports: i64,
}

/// `/admin`: what is waiting, and the last 30 days in charts with their numbers beside.
#[derive(Template, WebTemplate)]
#[template(path = "admin/index.html")]
pub struct AdminHomePage {
    pub ctx: PageContext,
    pub queue: QueueCounts,
    /// How long the oldest waiting item has waited ("3 days"), when anything waits.
    pub oldest: Option<String>,
    pub charts: Vec<Chart>,
    /// (day, listings, members, messages, flags), newest first.
    pub days: Vec<(String, i64, i64, i64, i64)>,
}

impl AdminHomePage {
    pub fn waiting(&self) -> i64 {
        self.queue.held
            + self.queue.appeals
            + self.queue.message_reports
            + self.queue.profile_reports
    }
}

/// A small bar chart drawn on the server as SVG: one bar a day.
#[derive(Debug, Clone)]
pub struct Chart {
    /// `listings`, `members`, …: the element ids hang off it.
    pub key: &'static str,
    pub title: &'static str,
    pub total: i64,
    pub max: i64,
    pub bars: Vec<Bar>,
}

/// One bar, in the chart's own units (the `viewBox` is [`Chart::WIDTH`] by [`Chart::HEIGHT`]).
#[derive(Debug, Clone)]
pub struct Bar {
    pub x: u32,
    pub y: u32,
    pub height: u32,
    /// "2026-12-01: 4", the bar's tooltip.
    pub label: String,
}

impl Chart {
    pub const WIDTH: u32 = 300;
    pub const HEIGHT: u32 = 60;
    /// Each bar's width (a gap of 2 follows it).
    pub const BAR: u32 = 8;

    /// A chart of `values` (oldest first), labelled with their days.
    pub fn new(
        key: &'static str,
        title: &'static str,
        values: &[(chrono::NaiveDate, i64)],
    ) -> Self {
        let max = values.iter().map(|(_, v)| *v).max().unwrap_or(0);
        let bars = values
            .iter()
            .enumerate()
            .map(|(i, (day, value))| {
                // Scaled to the tallest bar; a day with any at all shows at least a sliver.
                let height = if max == 0 {
                    0
                } else {
                    ((*value * i64::from(Self::HEIGHT)) / max)
                        .max(i64::from(*value > 0))
                        .clamp(0, i64::from(Self::HEIGHT)) as u32
                };
                Bar {
                    x: i as u32 * (Self::BAR + 2),
                    y: Self::HEIGHT - height,
                    height,
                    label: format!("{day}: {value}"),
                }
            })
            .collect();
        Self {
            key,
            title,
            total: values.iter().map(|(_, v)| *v).sum(),
            max,
            bars,
        }
    }

    pub fn width(&self) -> u32 {
        Self::WIDTH
    }

    pub fn height(&self) -> u32 {
        Self::HEIGHT
    }

    pub fn bar_width(&self) -> u32 {
        Self::BAR
    }
}

/// One listing in the browser.
#[derive(Debug, Clone)]
pub struct ListingRowView {
    pub id: ListingId,
    pub title: String,
    pub status: ListingStatus,
    pub price: Option<String>,
    pub posted: String,
    pub posted_exact: String,
    pub flags: Option<String>,
    pub owner: String,
    pub category: String,
}

impl ListingRowView {
    pub fn status_label(&self) -> &'static str {
        status_label(self.status)
    }
}

/// A section with its categories, for selects.
#[derive(Debug, Clone)]
pub struct SectionChoice {
    pub slug: String,
    pub name: String,
    /// (id, name)
    pub categories: Vec<(i32, String)>,
}

/// What the bulk form held, kept when it comes back with errors.
#[derive(Debug, Clone, Default)]
pub struct BulkForm {
    pub ids: Vec<ListingId>,
    pub action: String,
    pub reason: String,
    pub category: String,
}

impl BulkForm {
    pub fn has(&self, id: &ListingId) -> bool {
        self.ids.contains(id)
    }
}

/// `/admin/listings`: every listing, filtered, with bulk actions.
#[derive(Template, WebTemplate)]
#[template(path = "admin/listings.html")]
pub struct AdminListingsPage {
    pub ctx: PageContext,
    pub query: ListingQuery,
    /// The query string of this page (the bulk form returns here).
    pub back: String,
    pub notes: Vec<String>,
    pub rows: Vec<ListingRowView>,
    pub next: Option<String>,
    pub sections: Vec<SectionChoice>,
    pub bulk: BulkForm,
    pub errors: FieldErrors,
}

impl AdminListingsPage {
    pub fn statuses(&self) -> &'static [ListingStatus] {
        ListingStatus::ALL
    }

    pub fn sorts(&self) -> [AdminSort; 3] {
        AdminSort::ALL
    }

    pub fn label(&self, status: &ListingStatus) -> &'static str {
        status_label(*status)
    }
}

/// A flag as the listing's admin page shows it.
#[derive(Debug, Clone)]
pub struct FlagView {
    pub username: String,
    pub reason: &'static str,
    pub note: String,
    pub weight: String,
    pub decision: Option<&'static str>,
    pub when: String,
}

/// An appeal as the listing's admin page shows it.
#[derive(Debug, Clone)]
pub struct AppealView {
    pub message: String,
    pub decision: Option<String>,
    pub when: String,
}

/// One change in a listing's history.
#[derive(Debug, Clone)]
pub struct HistoryView {
    pub who: String,
    pub when: String,
    /// (what, before, after)
    pub changes: Vec<(String, String, String)>,
}

/// An audit entry as pages show it.
#[derive(Debug, Clone)]
pub struct AuditView {
    pub admin: String,
    pub action: AuditAction,
    pub target: String,
    /// Where the target can be looked at in the admin area.
    pub target_path: Option<String>,
    pub reason: String,
    pub when: String,
    pub exact: String,
}

/// `/admin/listings/{id}`
#[derive(Template, WebTemplate)]
#[template(path = "admin/listing.html")]
pub struct AdminListingPage {
    pub ctx: PageContext,
    pub id: ListingId,
    pub title: String,
    pub body: String,
    pub status: ListingStatus,
    pub price: Option<String>,
    pub zip: String,
    pub posted: String,
    pub updated: String,
    pub expires: String,
    pub category_id: i32,
    pub category: String,
    pub owner: String,
    pub flag_weight: String,
    pub moderation_reason: Option<String>,
    /// The public page (owners and admins can open it in any state).
    pub path: String,
    pub flags: Vec<FlagView>,
    pub appeals: Vec<AppealView>,
    pub history: Vec<HistoryView>,
    pub audit: Vec<AuditView>,
    pub sections: Vec<SectionChoice>,
    /// The action form, kept when it comes back with errors.
    pub action: String,
    pub reason: String,
    pub errors: FieldErrors,
}

impl AdminListingPage {
    pub fn status_label(&self) -> &'static str {
        status_label(self.status)
    }

    pub fn can_hold(&self) -> bool {
        self.status.is_viewable()
    }

    pub fn can_restore(&self) -> bool {
        self.status.is_moderated()
    }

    pub fn can_remove(&self) -> bool {
        !matches!(self.status, ListingStatus::Deleted | ListingStatus::Removed)
    }
}

/// `/admin/audit`
#[derive(Template, WebTemplate)]
#[template(path = "admin/audit.html")]
pub struct AuditPage {
    pub ctx: PageContext,
    pub entries: Vec<AuditView>,
    pub action: String,
    pub admin: String,
    pub next: Option<String>,
    pub notes: Vec<String>,
}

impl AuditPage {
    pub fn actions(&self) -> &'static [AuditAction] {
        AuditAction::ALL
    }
}

/// A held listing on the queue.
#[derive(Debug, Clone)]
pub struct HeldQueueItem {
    pub id: ListingId,
    pub title: String,
    pub path: String,
    pub owner: String,
    pub reason: String,
    pub flags: String,
    pub waiting: String,
}

/// An open appeal on the queue.
#[derive(Debug, Clone)]
pub struct AppealQueueItem {
    pub id: AppealId,
    pub listing: ListingId,
    pub title: String,
    pub owner: String,
    pub message: String,
    pub waiting: String,
}

/// A reported message on the queue (its text is on its own page).
#[derive(Debug, Clone)]
pub struct MessageQueueItem {
    pub id: MessageId,
    pub reason: String,
    pub reporter: String,
    pub waiting: String,
}

/// A reported profile on the queue.
#[derive(Debug, Clone)]
pub struct ProfileQueueItem {
    pub id: UserId,
    pub username: String,
    pub reason: String,
    pub reporter: String,
    pub waiting: String,
}

/// `/admin/queue`
#[derive(Template, WebTemplate)]
#[template(path = "admin/queue.html")]
pub struct QueuePage {
    pub ctx: PageContext,
    pub held: Vec<HeldQueueItem>,
    pub appeals: Vec<AppealQueueItem>,
    pub messages: Vec<MessageQueueItem>,
    pub profiles: Vec<ProfileQueueItem>,
}

/// One message around a reported one.
#[derive(Debug, Clone)]
pub struct ReportedMessageView {
    pub reported: bool,
    pub author: String,
    pub text: String,
    pub when: String,
}

/// `/admin/reports/messages/{id}`
#[derive(Template, WebTemplate)]
#[template(path = "admin/reported_message.html")]
pub struct ReportedMessagePage {
    pub ctx: PageContext,
    pub id: MessageId,
    pub around: Vec<ReportedMessageView>,
    /// (reporter, reason, decision, when)
    pub reports: Vec<(String, String, Option<&'static str>, String)>,
}

/// A member in the admin's lists.
#[derive(Debug, Clone)]
pub struct MemberRowView {
    pub id: UserId,
    pub username: String,
    pub email: String,
    pub display_name: String,
    pub admin: bool,
    pub status: &'static str,
    pub joined: String,
    pub joined_exact: String,
}

/// `/admin/members`
#[derive(Template, WebTemplate)]
#[template(path = "admin/members.html")]
pub struct MembersPage {
    pub ctx: PageContext,
    pub q: String,
    pub rows: Vec<MemberRowView>,
}

/// A flag a member made, on their page.
#[derive(Debug, Clone)]
pub struct FlagGivenView {
    pub listing: ListingId,
    pub title: String,
    pub reason: String,
    pub decision: String,
    pub when: String,
}

/// `/admin/members/{id}`
#[derive(Template, WebTemplate)]
#[template(path = "admin/member.html")]
pub struct MemberPage {
    pub ctx: PageContext,
    pub member: MemberRowView,
    /// (label, status, count)
    pub listings: Vec<(&'static str, &'static str, i64)>,
    pub flags_given: Vec<FlagGivenView>,
    /// (decision, count)
    pub flags_received: Vec<(String, i64)>,
    /// (reporter, reason, decision, when)
    pub profile_reports: Vec<(String, String, String, String)>,
    /// (message id, reason, decision, when)
    pub message_reports: Vec<(i64, String, String, String)>,
    pub audit: Vec<AuditView>,
    pub action: String,
    pub reason: String,
    pub errors: FieldErrors,
}

impl MemberPage {
    pub fn banned(&self) -> bool {
        self.member.status == "banned"
    }
}

/// A background job, as the jobs page lists it.
#[derive(Debug, Clone)]
pub struct JobView {
    pub id: JobId,
    pub kind: String,
    /// "running", "waiting", "failed" (retrying) or "dead".
    pub condition: &'static str,
    pub attempts: String,
    pub due: String,
    pub due_exact: String,
    pub last_error: Option<String>,
}

/// `/admin/jobs`
#[derive(Template, WebTemplate)]
#[template(path = "admin/jobs.html")]
pub struct JobsPage {
    pub ctx: PageContext,
    pub jobs: Vec<JobView>,
}

/// A category in the admin's tree.
#[derive(Debug, Clone)]
pub struct CategoryRowView {
    pub id: i32,
    pub name: String,
    pub slug: String,
    pub retired: bool,
    pub listings: i64,
}

/// A section with all its categories.
#[derive(Debug, Clone)]
pub struct SectionCategories {
    pub slug: String,
    pub name: String,
    pub categories: Vec<CategoryRowView>,
}

/// `/admin/categories`: the tree, and the form for a new category.
#[derive(Template, WebTemplate)]
#[template(path = "admin/categories.html")]
pub struct CategoriesPage {
    pub ctx: PageContext,
    pub sections: Vec<SectionCategories>,
    pub section: String,
    pub name: String,
    pub slug: String,
    pub errors: FieldErrors,
}

/// `/admin/categories/{id}`: one category's name, address, "free" and attributes.
#[derive(Template, WebTemplate)]
#[template(path = "admin/category.html")]
pub struct CategoryPage {
    pub ctx: PageContext,
    pub id: i32,
    pub section: String,
    pub retired: bool,
    pub name: String,
    pub slug: String,
    pub allows_free: bool,
    /// What the price means, as sent.
    pub price_kind: String,
    pub attributes: String,
    pub errors: FieldErrors,
}

impl CategoryPage {
    /// The meanings a category's price may have: value, label.
    pub fn price_kinds(&self) -> [(&'static str, &'static str); 8] {
        [
            ("item", "A thing's price"),
            ("free", "Free stuff (no price)"),
            ("rent", "Rent per month or week"),
            ("property", "A property's price"),
            ("pay", "Pay range per hour … year (jobs)"),
            ("event", "An event's date, and a ticket price"),
            ("rate", "A rate per hour or per job"),
            ("none", "No price"),
        ]
    }
}
