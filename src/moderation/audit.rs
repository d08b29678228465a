//! The audit log: every admin action, with who, what, on what, why and when.
//!
//! Policy: append-only. This module writes entries and reads them; there is no function that
//! changes or removes one, and the database refuses both (a trigger). An action and its entry
//! are written in one transaction, so neither exists without the other.

use chrono::{DateTime, Utc};
use diesel::pg::PgConnection;
use diesel::prelude::*;

use crate::db::ids::UserId;
use crate::db::schema::{audit_log, users};

crate::text_enum! {
    /// What an admin did.
    pub enum AuditAction {
        HoldListing => "listing.hold",
        RestoreListing => "listing.restore",
        RemoveListing => "listing.remove",
        ChangeCategory => "listing.category",
        GrantAppeal => "appeal.grant",
        DenyAppeal => "appeal.deny",
        UpholdReport => "report.uphold",
        RejectReport => "report.reject",
        BanMember => "member.ban",
        UnbanMember => "member.unban",
        PromoteMember => "member.promote",
        DemoteMember => "member.demote",
        AddCategory => "category.add",
        EditCategory => "category.edit",
        RetireCategory => "category.retire",
        RetryJob => "job.retry",
        DiscardJob => "job.discard",
    }
}

impl AuditAction {
    /// As the audit log page says it.
    pub fn label(self) -> &'static str {
        match self {
            Self::HoldListing => "Held listing",
            Self::RestoreListing => "Restored listing",
            Self::RemoveListing => "Removed listing",
            Self::ChangeCategory => "Changed category",
            Self::GrantAppeal => "Granted appeal",
            Self::DenyAppeal => "Denied appeal",
            Self::UpholdReport => "Upheld report",
            Self::RejectReport => "Rejected report",
            Self::BanMember => "Banned member",
            Self::UnbanMember => "Unbanned member",
            Self::PromoteMember => "Made admin",
            Self::DemoteMember => "Removed admin",
            Self::AddCategory => "Added category",
            Self::EditCategory => "Edited category",
            Self::RetireCategory => "Retired category",
            Self::RetryJob => "Retried job",
            Self::DiscardJob => "Discarded job",
        }
    }
}

crate::text_enum! {
    /// What kind of thing an action was on.
    pub enum TargetKind {
        Listing => "listing",
        Member => "member",
        Message => "message",
        Category => "category",
        Job => "job",
        Appeal => "appeal",
    }
}

/// One entry to write.
#[derive(Debug, Clone)]
pub struct Entry<'a> {
    pub admin: UserId,
    pub action: AuditAction,
    pub target_kind: TargetKind,
    pub target_id: i64,
    /// What the target was called then (a title, a username), so the log reads well after
    /// the target changes or goes.
    pub target_label: &'a str,
    pub reason: &'a str,
}

/// Writes one entry (call it inside the action's transaction).
pub fn record(conn: &mut PgConnection, entry: &Entry<'_>) -> QueryResult<()> {
    diesel::insert_into(audit_log::table)
        .values((
            audit_log::admin_id.eq(entry.admin),
            audit_log::action.eq(entry.action),
            audit_log::target_kind.eq(entry.target_kind),
            audit_log::target_id.eq(entry.target_id),
            audit_log::target_label.eq(entry.target_label),
            audit_log::reason.eq(entry.reason),
        ))
        .execute(conn)
        .map(|_| ())
}

/// Names the admin acting in this transaction, for the rows database triggers write
/// (`listing_history`). Call it inside the transaction: the setting ends with it.
pub fn act_as(conn: &mut PgConnection, admin: UserId) -> QueryResult<()> {
    diesel::sql_query("SELECT set_config('corkboard.actor', $1, true)")
        .bind::<diesel::sql_types::Text, _>(admin.to_string())
        .execute(conn)
        .map(|_| ())
}

/// An entry as the log page shows it.
#[derive(Debug, Clone, Queryable)]
pub struct AuditRow {
    pub id: i64,
    pub admin_username: String,
    pub action: AuditAction,
    pub target_kind: TargetKind,
    pub target_id: i64,
    pub target_label: String,
    pub reason: String,
    pub created_at: DateTime<Utc>,
}

/// What the log page filters by.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    pub admin: Option<UserId>,
    pub action: Option<AuditAction>,
    pub target: Option<(TargetKind, i64)>,
    /// Entries older than this id (the next page).
    pub before: Option<i64>,
}

/// A page of the log, newest first; one more than `limit` is read (a next page exists).
pub fn entries(
    conn: &mut PgConnection,
    filter: &AuditFilter,
    limit: i64,
) -> QueryResult<Vec<AuditRow>> {
    let mut query = audit_log::table
        .inner_join(users::table.on(users::id.eq(audit_log::admin_id)))
        .order(audit_log::id.desc())
        .limit(limit + 1)
        .select((
            audit_log::id,
            users::username,
            audit_log::action,
            audit_log::target_kind,
            audit_log::target_id,
            audit_log::target_label,
            audit_log::reason,
            audit_log::created_at,
        ))
        .into_boxed();
    if let Some(admin) = filter.admin {
        query = query.filter(audit_log::admin_id.eq(admin));
    }
    if let Some(action) = filter.action {
        query = query.filter(audit_log::action.eq(action));
    }
    if let Some((kind, id)) = filter.target {
        query = query
            .filter(audit_log::target_kind.eq(kind))
            .filter(audit_log::target_id.eq(id));
    }
    if let Some(before) = filter.before {
        query = query.filter(audit_log::id.lt(before));
    }
    query.load(conn)
}
