//! Members as moderators see them, and what admins do to accounts: ban and unban, make and
//! unmake admins.
//!
//! Policy: a ban ends every login at once (the sessions go, which closes the member's live
//! streams on every instance; the epoch moves on), takes their listings that anyone could
//! open off the site (marked as hidden by the ban), and keeps them from writing, since they
//! can no longer log in. An unban brings back exactly the listings the ban hid and a
//! moderator has not decided on since, and nothing else. Nobody bans themselves, and the
//! site always keeps one active admin.

use chrono::{DateTime, Utc};
use diesel::dsl::sql;
use diesel::pg::PgConnection;
use diesel::prelude::*;
use diesel::sql_types::{Bool, Text};

use super::audit::{self, AuditAction, Entry, TargetKind};
use super::domain::Reason;
use crate::accounts::models::{Role, UserStatus};
use crate::db::ids::UserId;
use crate::db::schema::{
    conversation_members, flags, listings, message_reports, messages, profile_reports, users,
};
use crate::listings::models::ListingStatus;

/// Members found by a search.
pub const SEARCH_LIMIT: i64 = 50;

/// A member in the admin's lists.
#[derive(Debug, Clone, Queryable)]
pub struct MemberRow {
    pub id: UserId,
    pub username: String,
    pub email: String,
    pub display_name: String,
    pub role: Role,
    pub status: UserStatus,
    pub created_at: DateTime<Utc>,
}

type MemberColumns = (
    users::id,
    users::username,
    users::email,
    users::display_name,
    users::role,
    users::status,
    users::created_at,
);

const MEMBER: MemberColumns = (
    users::id,
    users::username,
    users::email,
    users::display_name,
    users::role,
    users::status,
    users::created_at,
);

/// Members whose username starts with `words`, or whose e-mail address is `words` or starts
/// with it (any case); the newest accounts when `words` is empty.
pub fn search(conn: &mut PgConnection, words: &str) -> QueryResult<Vec<MemberRow>> {
    let words = words.trim().trim_start_matches('@');
    let mut query = users::table
        .select(MEMBER)
        .order(users::id.desc())
        .limit(SEARCH_LIMIT)
        .into_boxed();
    if !words.is_empty() {
        // LIKE's own characters are taken literally.
        let prefix = format!(
            "{}%",
            words
                .to_lowercase()
                .replace('\\', "\\\\")
                .replace('%', "\\%")
                .replace('_', "\\_")
        );
        query = query.filter(
            sql::<Bool>("(lower(username) LIKE ")
                .bind::<Text, _>(prefix.clone())
                .sql(" OR lower(email) LIKE ")
                .bind::<Text, _>(prefix)
                .sql(")"),
        );
    }
    query.load(conn)
}

pub fn member(conn: &mut PgConnection, id: UserId) -> QueryResult<Option<MemberRow>> {
    users::table.find(id).select(MEMBER).first(conn).optional()
}

/// What moderators want to know about a member at a glance.
#[derive(Debug, Clone, Default)]
pub struct MemberRecord {
    /// Their listings by status.
    pub listings: Vec<(ListingStatus, i64)>,
    /// Flags they made, newest first.
    pub flags_given: Vec<FlagGiven>,
    /// Flags on their listings, by decision (None: undecided).
    pub flags_received: Vec<(Option<String>, i64)>,
    /// Reports of their profile: (reporter, reason, decision, when).
    pub profile_reports: Vec<(String, String, Option<String>, DateTime<Utc>)>,
    /// Reports of messages they wrote: (message id, reason, decision, when).
    pub message_reports: Vec<(i64, String, Option<String>, DateTime<Utc>)>,
}

/// A flag a member made.
#[derive(Debug, Clone, Queryable)]
pub struct FlagGiven {
    pub listing: crate::db::ids::ListingId,
    pub title: String,
    pub reason: String,
    pub decision: Option<String>,
    pub at: DateTime<Utc>,
}

/// Rows of each list on the member's page.
const RECORD_LIMIT: i64 = 20;

pub fn record(conn: &mut PgConnection, id: UserId) -> QueryResult<MemberRecord> {
    let listings = listings::table
        .filter(listings::owner_id.eq(id))
        .group_by(listings::status)
        .select((listings::status, diesel::dsl::count_star()))
        .load(conn)?;
    let flags_given = flags::table
        .inner_join(listings::table)
        .filter(flags::user_id.eq(id))
        .order(flags::created_at.desc())
        .limit(RECORD_LIMIT)
        .select((
            listings::id,
            listings::title,
            flags::reason,
            flags::decision,
            flags::created_at,
        ))
        .load(conn)?;
    let flags_received = flags::table
        .inner_join(listings::table)
        .filter(listings::owner_id.eq(id))
        .group_by(flags::decision)
        .select((flags::decision, diesel::dsl::count_star()))
        .load(conn)?;
    let profile_reports = profile_reports::table
        .inner_join(users::table.on(users::id.eq(profile_reports::reporter_id)))
        .filter(profile_reports::user_id.eq(id))
        .order(profile_reports::created_at.desc())
        .limit(RECORD_LIMIT)
        .select((
            users::username,
            profile_reports::reason,
            profile_reports::decision,
            profile_reports::created_at,
        ))
        .load(conn)?;
    let message_reports = message_reports::table
        .inner_join(messages::table.inner_join(conversation_members::table))
        .filter(conversation_members::user_id.eq(id))
        .order(message_reports::created_at.desc())
        .limit(RECORD_LIMIT)
        .select((
            message_reports::message_id,
            message_reports::reason,
            message_reports::decision,
            message_reports::created_at,
        ))
        .load::<(
            crate::db::ids::MessageId,
            String,
            Option<String>,
            DateTime<Utc>,
        )>(conn)?
        .into_iter()
        .map(|(message, reason, decision, at)| (message.0, reason, decision, at))
        .collect();
    Ok(MemberRecord {
        listings,
        flags_given,
        flags_received,
        profile_reports,
        message_reports,
    })
}

/// Why an action on an account was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refused {
    NotFound,
    /// An admin cannot ban themselves.
    Themselves,
    /// The site would be left without an active admin.
    LastAdmin,
    /// Already in the state asked for.
    Already,
}

impl Refused {
    pub fn message(self) -> &'static str {
        match self {
            Self::NotFound => "There is no such member.",
            Self::Themselves => "You cannot ban yourself.",
            Self::LastAdmin => {
                "The site needs at least one active admin; make another admin first."
            }
            Self::Already => "The member is already so.",
        }
    }
}

/// Active admins other than `except`.
fn other_active_admins(conn: &mut PgConnection, except: UserId) -> QueryResult<i64> {
    users::table
        .filter(users::role.eq(Role::Admin))
        .filter(users::status.eq(UserStatus::Active))
        .filter(users::id.ne(except))
        .count()
        .get_result(conn)
}

/// The account, locked for the rest of the transaction.
fn lock_member(conn: &mut PgConnection, id: UserId) -> QueryResult<Option<MemberRow>> {
    users::table
        .find(id)
        .select(MEMBER)
        .for_update()
        .first(conn)
        .optional()
}

/// The reason a listing hidden by its owner's ban shows its owner.
const BANNED_REASON: &str = "The owner's account is suspended.";

/// Bans (`true`) or unbans a member, with the audit entry; see the module's policy.
pub fn set_banned(
    conn: &mut PgConnection,
    admin: UserId,
    id: UserId,
    banned: bool,
    reason: &Reason,
) -> QueryResult<Result<(), Refused>> {
    conn.transaction(|conn| {
        let Some(member) = lock_member(conn, id)? else {
            return Ok(Err(Refused::NotFound));
        };
        if member.status == UserStatus::Deleted {
            return Ok(Err(Refused::NotFound));
        }
        if banned {
            if id == admin {
                return Ok(Err(Refused::Themselves));
            }
            if member.status == UserStatus::Banned {
                return Ok(Err(Refused::Already));
            }
            if member.role == Role::Admin && other_active_admins(conn, id)? == 0 {
                return Ok(Err(Refused::LastAdmin));
            }
            audit::act_as(conn, admin)?;
            diesel::update(users::table.find(id))
                .set(users::status.eq(UserStatus::Banned))
                .execute(conn)?;
            crate::accounts::queries::end_all_sessions(conn, id)?;
            diesel::sql_query(
                "UPDATE listings
                 SET status_before_moderation = status, status = 'held', hidden_by_ban = true,
                     moderation_reason = $2, moderated_at = now()
                 WHERE owner_id = $1 AND status IN ('active', 'pending', 'sold', 'expired')",
            )
            .bind::<diesel::sql_types::BigInt, _>(id)
            .bind::<Text, _>(BANNED_REASON)
            .execute(conn)?;
        } else {
            if member.status != UserStatus::Banned {
                return Ok(Err(Refused::Already));
            }
            audit::act_as(conn, admin)?;
            diesel::update(users::table.find(id))
                .set(users::status.eq(UserStatus::Active))
                .execute(conn)?;
            diesel::sql_query(
                "UPDATE listings
                 SET status = coalesce(status_before_moderation, 'active'),
                     status_before_moderation = NULL, hidden_by_ban = false,
                     moderation_reason = NULL, moderated_at = now()
                 WHERE owner_id = $1 AND hidden_by_ban AND status = 'held'",
            )
            .bind::<diesel::sql_types::BigInt, _>(id)
            .execute(conn)?;
        }
        audit::record(
            conn,
            &Entry {
                admin,
                action: if banned {
                    AuditAction::BanMember
                } else {
                    AuditAction::UnbanMember
                },
                target_kind: TargetKind::Member,
                target_id: id.0,
                target_label: &member.username,
                reason: reason.as_str(),
            },
        )?;
        Ok(Ok(()))
    })
}

/// Makes a member an admin (`true`) or an ordinary member again, with the audit entry.
pub fn set_admin(
    conn: &mut PgConnection,
    admin: UserId,
    id: UserId,
    make_admin: bool,
    reason: &Reason,
) -> QueryResult<Result<(), Refused>> {
    conn.transaction(|conn| {
        let Some(member) = lock_member(conn, id)? else {
            return Ok(Err(Refused::NotFound));
        };
        if member.status == UserStatus::Deleted {
            return Ok(Err(Refused::NotFound));
        }
        let role = if make_admin {
            Role::Admin
        } else {
            Role::Member
        };
        if member.role == role {
            return Ok(Err(Refused::Already));
        }
        if !make_admin && other_active_admins(conn, id)? == 0 {
            return Ok(Err(Refused::LastAdmin));
        }
        diesel::update(users::table.find(id))
            .set(users::role.eq(role))
            .execute(conn)?;
        audit::record(
            conn,
            &Entry {
                admin,
                action: if make_admin {
                    AuditAction::PromoteMember
                } else {
                    AuditAction::DemoteMember
                },
                target_kind: TargetKind::Member,
                target_id: id.0,
                target_label: &member.username,
                reason: reason.as_str(),
            },
        )?;
        Ok(Ok(()))
    })
}
