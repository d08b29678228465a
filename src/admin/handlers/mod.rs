//! The admin area's pages: the front page, the listing browser with bulk actions, one
//! listing with its flags, appeals, history and actions, the queue, members, and the audit
//! log.
//!
//! Policy: every route here sits in the `/admin` scope behind `session::require_admin`, and
//! every handler also takes `AdminUser`, so a route moved out of the scope by mistake still
//! refuses members. Each action names a reason (shown to the owner) and writes its audit
//! entry in the same transaction as the change. Pages are for a logged-in admin, so the
//! session middleware marks them `no-store`.

mod audit;
mod categories;
mod jobs;
mod listings;
mod members;
mod queue;

pub use audit::audit_log;
pub use categories::{
    categories, change_category, create_category, show_category, update_category,
};
pub use jobs::{act_on_job, jobs};
pub use listings::{act_on_listing, bulk_action, listings, show_listing};
pub use members::{member, members, set_banned, set_role};
pub use queue::{
    decide_appeal, decide_message_report, decide_profile_report, queue, reported_message,
};

use crate::web::{AdminUser, AppError, Db, PageContext};

use super::queries;
use super::views::{AdminHomePage, Chart};

/// `GET /admin`: what is waiting (and for how long), and the last 30 days in charts.
pub async fn admin_home(
    ctx: PageContext,
    _admin: AdminUser,
    db: Db,
) -> Result<AdminHomePage, AppError> {
    let (queue, oldest, days) = db
        .run(|conn| {
            Ok::<_, AppError>((
                queries::queue_counts(conn)?,
                queries::oldest_waiting(conn)?,
                queries::daily_counts(conn)?,
            ))
        })
        .await?;
    let now = chrono::Utc::now();
    let series = |pick: fn(&queries::DayCounts) -> i64| -> Vec<(chrono::NaiveDate, i64)> {
        days.iter()
            .map(|(day, counts)| (*day, pick(counts)))
            .collect()
    };
    let charts = vec![
        Chart::new("listings", "New listings", &series(|c| c.listings)),
        Chart::new("members", "New members", &series(|c| c.members)),
        Chart::new("messages", "Messages", &series(|c| c.messages)),
        Chart::new("flags", "Flags", &series(|c| c.flags)),
    ];
    Ok(AdminHomePage {
        ctx,
        queue,
        oldest: oldest.map(|at| crate::web::time::span(now - at)),
        charts,
        days: days
            .iter()
            .rev()
            .map(|(day, c)| (day.to_string(), c.listings, c.members, c.messages, c.flags))
            .collect(),
    })
}
