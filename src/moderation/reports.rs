//! The moderation queue: held listings, open appeals, reported messages and reported
//! profiles, oldest first, and the decisions on them.
//!
//! Policy: a reported message is shown to a moderator with the ten messages around it
//! (five before, five after) and nothing else of its conversation. Deciding a report decides
//! every open report of the same message or profile at once, with one audit entry.

use chrono::{DateTime, Utc};
use diesel::pg::PgConnection;
use diesel::prelude::*;

use super::audit::{self, AuditAction, Entry, TargetKind};
use super::domain::{Decision, Reason};
use super::queries::{self, ListingAction};
use crate::db::ids::{AppealId, ConversationId, ListingId, MessageId, UserId};
use crate::db::schema::{
    appeals, chat_guests, conversation_members, listings, message_reports, messages,
    profile_reports, users,
};
use crate::listings::models::ListingStatus;
use crate::messages::models::Message;

/// Items of each kind on the queue page.
pub const QUEUE_LIMIT: i64 = 50;

/// A held listing waiting for a decision.
#[derive(Debug, Clone, Queryable)]
pub struct HeldItem {
    pub id: ListingId,
    pub title: String,
    pub owner: String,
    pub reason: Option<String>,
    pub flag_weight: f32,
    pub since: Option<DateTime<Utc>>,
}

/// An open appeal.
#[derive(Debug, Clone, Queryable)]
pub struct AppealItem {
    pub id: AppealId,
    pub listing_id: ListingId,
    pub title: String,
    pub status: ListingStatus,
    pub owner: String,
    pub message: String,
    pub created_at: DateTime<Utc>,
}

/// A reported message: the oldest open report of it, and how many there are.
#[derive(Debug, Clone)]
pub struct MessageReportItem {
    pub message_id: MessageId,
    pub reason: String,
    pub reporter: String,
    pub created_at: DateTime<Utc>,
}

/// A reported profile's oldest open report.
#[derive(Debug, Clone, Queryable)]
pub struct ProfileReportItem {
    pub user_id: UserId,
    pub username: String,
    pub reason: String,
    pub reporter: String,
    pub created_at: DateTime<Utc>,
}

/// Everything waiting, oldest first, each kind up to [`QUEUE_LIMIT`].
#[derive(Debug, Clone, Default)]
pub struct Queue {
    pub held: Vec<HeldItem>,
    pub appeals: Vec<AppealItem>,
    pub messages: Vec<MessageReportItem>,
    pub profiles: Vec<ProfileReportItem>,
}

pub fn queue(conn: &mut PgConnection) -> QueryResult<Queue> {
    let held = listings::table
        .inner_join(users::table.on(users::id.eq(listings::owner_id)))
        .filter(listings::status.eq(ListingStatus::Held))
        .order((listings::moderated_at.asc(), listings::id.asc()))
        .limit(QUEUE_LIMIT)
        .select((
            listings::id,
            listings::title,
            users::username,
            listings::moderation_reason,
            listings::flag_weight,
            listings::moderated_at,
        ))
        .load(conn)?;
    let appeals = appeals::table
        .inner_join(listings::table.on(listings::id.eq(appeals::listing_id)))
        .inner_join(users::table.on(users::id.eq(appeals::user_id)))
        .filter(appeals::decision.is_null())
        .order(appeals::created_at.asc())
        .limit(QUEUE_LIMIT)
        .select((
            appeals::id,
            listings::id,
            listings::title,
            listings::status,
            users::username,
            appeals::message,
            appeals::created_at,
        ))
        .load(conn)?;
    let messages = reporters(message_reports::table)
        .filter(message_reports::decision.is_null())
        .order(message_reports::created_at.asc())
        .limit(QUEUE_LIMIT)
        .select((
            message_reports::message_id,
            message_reports::reason,
            users::username.nullable(),
            chat_guests::name.nullable(),
            message_reports::created_at,
        ))
        .load::<(
            MessageId,
            String,
            Option<String>,
            Option<String>,
            DateTime<Utc>,
        )>(conn)?
        .into_iter()
        .map(
            |(message_id, reason, member, guest, created_at)| MessageReportItem {
                message_id,
                reason,
                reporter: reporter_name(member, guest),
                created_at,
            },
        )
        .collect();
    let reported = diesel::alias!(users as reported);
    let profiles = profile_reports::table
        .inner_join(reported.on(reported.field(users::id).eq(profile_reports::user_id)))
        .inner_join(users::table.on(users::id.eq(profile_reports::reporter_id)))
        .filter(profile_reports::decision.is_null())
        .order(profile_reports::created_at.asc())
        .limit(QUEUE_LIMIT)
        .select((
            profile_reports::user_id,
            reported.field(users::username),
            profile_reports::reason,
            users::username,
            profile_reports::created_at,
        ))
        .load(conn)?;
    Ok(Queue {
        held,
        appeals,
        messages,
        profiles,
    })
}

/// Message reports with their reporter: a member, or a room's guest.
#[diesel::dsl::auto_type(no_type_alias)]
fn reporters(table: message_reports::table) -> _ {
    table
        .left_join(users::table.on(users::id.nullable().eq(message_reports::reporter_id)))
        .left_join(
            chat_guests::table.on(chat_guests::id
                .nullable()
                .eq(message_reports::reporter_guest_id)),
        )
}

/// Who reported: a member's username, or a room guest's chat name marked as such.
fn reporter_name(member: Option<String>, guest: Option<String>) -> String {
    match (member, guest) {
        (Some(username), _) => username,
        (None, Some(name)) => format!("{name} (room guest)"),
        (None, None) => "a deleted member".to_owned(),
    }
}

/// A message as a moderator sees it: who wrote it and when.
#[derive(Debug, Clone)]
pub struct ShownMessage {
    pub message: Message,
    pub author: Option<String>,
}

/// A reported message with the ten around it (five before, five after), and its reports.
#[derive(Debug, Clone)]
pub struct ReportedMessage {
    pub message: MessageId,
    pub conversation: ConversationId,
    pub around: Vec<ShownMessage>,
    /// (reporter, reason, decision, when)
    pub reports: Vec<(String, String, Option<Decision>, DateTime<Utc>)>,
}

/// Messages shown on each side of a reported one.
const AROUND: i64 = 5;

/// The reported message and its context; `None` when nobody reported it (a moderator sees
/// no message that was not reported).
pub fn reported_message(
    conn: &mut PgConnection,
    message: MessageId,
) -> QueryResult<Option<ReportedMessage>> {
    let reports: Vec<(String, String, Option<Decision>, DateTime<Utc>)> =
        reporters(message_reports::table)
            .filter(message_reports::message_id.eq(message))
            .order(message_reports::created_at)
            .select((
                users::username.nullable(),
                chat_guests::name.nullable(),
                message_reports::reason,
                message_reports::decision,
                message_reports::created_at,
            ))
            .load::<(
                Option<String>,
                Option<String>,
                String,
                Option<Decision>,
                DateTime<Utc>,
            )>(conn)?
            .into_iter()
            .map(|(member, guest, reason, decision, at)| {
                (reporter_name(member, guest), reason, decision, at)
            })
            .collect();
    if reports.is_empty() {
        return Ok(None);
    }
    let conversation: ConversationId = messages::table
        .find(message)
        .select(messages::conversation_id)
        .first(conn)?;
    let shown = |conn: &mut PgConnection, before: bool| -> QueryResult<Vec<ShownMessage>> {
        let mut query = messages::table
            .inner_join(conversation_members::table.left_join(users::table))
            .filter(messages::conversation_id.eq(conversation))
            .select((
                Message::as_select(),
                users::username.nullable(),
                conversation_members::display_name,
            ))
            .limit(if before { AROUND } else { AROUND + 1 })
            .into_boxed();
        query = if before {
            query
                .filter(messages::id.lt(message))
                .order(messages::id.desc())
        } else {
            query
                .filter(messages::id.ge(message))
                .order(messages::id.asc())
        };
        Ok(query
            .load::<(Message, Option<String>, Option<String>)>(conn)?
            .into_iter()
            .map(|(message, username, room_name)| ShownMessage {
                message,
                // A chat room's guest has no account: the name they chatted under.
                author: username.or(room_name.map(|name| format!("{name} (room guest)"))),
            })
            .collect())
    };
    let mut around = shown(conn, true)?;
    around.reverse();
    around.extend(shown(conn, false)?);
    Ok(Some(ReportedMessage {
        message,
        conversation,
        around,
        reports,
    }))
}

/// What a decision was about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reported {
    Message(MessageId),
    Profile(UserId),
}

/// Decides every open report of a message or profile, with its audit entry; returns how
/// many reports it decided (0: none open, nothing written).
pub fn decide_reports(
    conn: &mut PgConnection,
    admin: UserId,
    target: Reported,
    decision: Decision,
    reason: &Reason,
) -> QueryResult<usize> {
    conn.transaction(|conn| {
        let (decided, kind, id, label) = match target {
            Reported::Message(message) => {
                let n = diesel::update(
                    message_reports::table
                        .filter(message_reports::message_id.eq(message))
                        .filter(message_reports::decision.is_null()),
                )
                .set((
                    message_reports::decision.eq(decision),
                    message_reports::decided_at.eq(diesel::dsl::now),
                ))
                .execute(conn)?;
                let preview: String = messages::table
                    .find(message)
                    .select(messages::body)
                    .first(conn)
                    .optional()?
                    .unwrap_or_default();
                let preview: String = preview.chars().take(80).collect();
                (n, TargetKind::Message, message.0, preview)
            }
            Reported::Profile(user) => {
                let n = diesel::update(
                    profile_reports::table
                        .filter(profile_reports::user_id.eq(user))
                        .filter(profile_reports::decision.is_null()),
                )
                .set((
                    profile_reports::decision.eq(decision),
                    profile_reports::decided_at.eq(diesel::dsl::now),
                ))
                .execute(conn)?;
                let username: String = users::table
                    .find(user)
                    .select(users::username)
                    .first(conn)
                    .optional()?
                    .unwrap_or_default();
                (n, TargetKind::Member, user.0, username)
            }
        };
        if decided > 0 {
            audit::record(
                conn,
                &Entry {
                    admin,
                    action: match decision {
                        Decision::Upheld => AuditAction::UpholdReport,
                        Decision::Rejected => AuditAction::RejectReport,
                    },
                    target_kind: kind,
                    target_id: id,
                    target_label: &label,
                    reason: reason.as_str(),
                },
            )?;
        }
        Ok(decided)
    })
}

/// What became of a decision on an appeal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AppealDecided {
    Decided,
    /// No such appeal, or already decided.
    NotOpen,
}

/// Grants an appeal (the listing is restored, its flags rejected) or denies it (the listing
/// stays off the site), with the audit entries.
pub fn decide_appeal(
    conn: &mut PgConnection,
    admin: UserId,
    appeal: AppealId,
    grant: bool,
    reason: &Reason,
) -> QueryResult<AppealDecided> {
    conn.transaction(|conn| {
        let found: Option<(ListingId, String)> = appeals::table
            .inner_join(listings::table.on(listings::id.eq(appeals::listing_id)))
            .filter(appeals::id.eq(appeal))
            .filter(appeals::decision.is_null())
            .select((appeals::listing_id, listings::title))
            .first(conn)
            .optional()?;
        let Some((listing, title)) = found else {
            return Ok(AppealDecided::NotOpen);
        };
        if grant {
            // Restoring grants the listing's open appeal and writes the restore's entry.
            if queries::act_on_listing(conn, admin, listing, ListingAction::Restore, reason)?
                .is_err()
            {
                return Ok(AppealDecided::NotOpen);
            }
        } else {
            diesel::update(appeals::table.find(appeal))
                .set((
                    appeals::decision.eq("denied"),
                    appeals::decided_at.eq(diesel::dsl::now),
                ))
                .execute(conn)?;
        }
        audit::record(
            conn,
            &Entry {
                admin,
                action: if grant {
                    AuditAction::GrantAppeal
                } else {
                    AuditAction::DenyAppeal
                },
                target_kind: TargetKind::Appeal,
                target_id: appeal.0,
                target_label: &title,
                reason: reason.as_str(),
            },
        )?;
        Ok(AppealDecided::Decided)
    })
}
