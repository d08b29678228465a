//! Flags, holds, removals, restores, appeals and reports, in the database.
//!
//! Policy: every change to a listing's moderation takes the listing's row lock first, so a
//! flag, an admin's action and an owner's action on one listing happen one after another and
//! the flag weight stored on the listing is always the sum of its undecided flags. Admin
//! actions write their audit entry in the same transaction.

use chrono::{DateTime, Utc};
use diesel::pg::PgConnection;
use diesel::prelude::*;

use super::audit::{self, AuditAction, Entry, TargetKind};
use super::domain::{Decision, FlagReason, FlaggerRecord, NewFlag, Reason, flag_weight};
use crate::db::ids::{AppealId, ListingId, UserId};
use crate::db::schema::{appeals, categories, flags, listing_history, listings, users};
use crate::listings::models::ListingStatus;

/// A listing's row as moderation needs it, read under its lock.
#[derive(Debug, Clone, Queryable)]
pub struct Moderated {
    pub id: ListingId,
    pub owner_id: UserId,
    pub title: String,
    pub status: ListingStatus,
    pub category_id: i32,
    pub moderation_reason: Option<String>,
    pub moderated_at: Option<DateTime<Utc>>,
    pub status_before_moderation: Option<ListingStatus>,
}

type ModeratedColumns = (
    listings::id,
    listings::owner_id,
    listings::title,
    listings::status,
    listings::category_id,
    listings::moderation_reason,
    listings::moderated_at,
    listings::status_before_moderation,
);

const MODERATED: ModeratedColumns = (
    listings::id,
    listings::owner_id,
    listings::title,
    listings::status,
    listings::category_id,
    listings::moderation_reason,
    listings::moderated_at,
    listings::status_before_moderation,
);

/// The listing's moderation state, locked for the rest of the transaction.
fn lock_listing(conn: &mut PgConnection, id: ListingId) -> QueryResult<Option<Moderated>> {
    listings::table
        .find(id)
        .select(MODERATED)
        .for_update()
        .first(conn)
        .optional()
}

/// The listing's moderation state (no lock), for pages.
pub fn moderation_of(conn: &mut PgConnection, id: ListingId) -> QueryResult<Option<Moderated>> {
    listings::table
        .find(id)
        .select(MODERATED)
        .first(conn)
        .optional()
}

// ---------------------------------------------------------------------------------------------
// Flags

/// A member's flag on a listing, if they made one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MyFlag {
    pub reason: FlagReason,
    pub decision: Option<Decision>,
}

pub fn flag_of(
    conn: &mut PgConnection,
    listing: ListingId,
    user: UserId,
) -> QueryResult<Option<MyFlag>> {
    flags::table
        .find((listing, user))
        .select((flags::reason, flags::decision))
        .first::<(FlagReason, Option<Decision>)>(conn)
        .optional()
        .map(|found| found.map(|(reason, decision)| MyFlag { reason, decision }))
}

/// The member's flagging record: what the admins made of their flags, and their age.
pub fn flagger_record(conn: &mut PgConnection, user: UserId) -> QueryResult<FlaggerRecord> {
    let decisions: Vec<(Option<Decision>, i64)> = flags::table
        .filter(flags::user_id.eq(user))
        .filter(flags::decision.is_not_null())
        .group_by(flags::decision)
        .select((flags::decision, diesel::dsl::count_star()))
        .load(conn)?;
    let joined = users::table
        .find(user)
        .select(users::created_at)
        .first(conn)
        .optional()?;
    let count = |wanted| {
        decisions
            .iter()
            .find(|(d, _)| *d == Some(wanted))
            .map_or(0, |(_, n)| *n)
    };
    Ok(FlaggerRecord {
        upheld: count(Decision::Upheld),
        rejected: count(Decision::Rejected),
        joined,
    })
}

/// What became of a flag.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flagged {
    /// Recorded; `held` when it took the listing over the threshold.
    Recorded { held: bool },
    /// The member already flagged this listing.
    AlreadyFlagged,
    /// Members cannot flag their own listings.
    OwnListing,
    /// No such listing, or none the member may see.
    NotFound,
}

/// The reason a listing held by its flags shows its owner.
fn held_by_flags_reason(top: FlagReason) -> String {
    format!(
        "Held for review after members flagged it (most often as: {}). A moderator will look at it.",
        top.label().to_lowercase()
    )
}

/// Records a member's flag, and holds the listing when its undecided flags weigh
/// `threshold` or more (only a listed one: a sold or expired listing is off the lists
/// already, and stays open to its flags' review).
pub fn flag_listing(
    conn: &mut PgConnection,
    listing: ListingId,
    user: UserId,
    flag: &NewFlag,
    threshold: f32,
) -> QueryResult<Flagged> {
    let record = flagger_record(conn, user)?;
    let weight = flag_weight(record, Utc::now());
    conn.transaction(|conn| {
        let Some(found) = lock_listing(conn, listing)? else {
            return Ok(Flagged::NotFound);
        };
        if !found.status.is_viewable() {
            return Ok(Flagged::NotFound);
        }
        if found.owner_id == user {
            return Ok(Flagged::OwnListing);
        }
        let inserted = diesel::insert_into(flags::table)
            .values((
                flags::listing_id.eq(listing),
                flags::user_id.eq(user),
                flags::reason.eq(flag.reason),
                flags::note.eq(&flag.note),
                flags::weight.eq(weight),
            ))
            .on_conflict_do_nothing()
            .execute(conn)?;
        if inserted == 0 {
            return Ok(Flagged::AlreadyFlagged);
        }
        let total = store_flag_weight(conn, listing)?;
        let listed = ListingStatus::LISTED.contains(&found.status);
        let held = listed && total >= threshold;
        if held {
            let top = top_flag_reason(conn, listing)?.unwrap_or(flag.reason);
            take_off(
                conn,
                &found,
                ListingStatus::Held,
                &held_by_flags_reason(top),
            )?;
        }
        Ok(Flagged::Recorded { held })
    })
}

/// Withdraws a member's undecided flag; returns whether there was one.
pub fn withdraw_flag(
    conn: &mut PgConnection,
    listing: ListingId,
    user: UserId,
) -> QueryResult<bool> {
    conn.transaction(|conn| {
        if lock_listing(conn, listing)?.is_none() {
            return Ok(false);
        }
        let gone = diesel::delete(
            flags::table
                .find((listing, user))
                .filter(flags::decision.is_null()),
        )
        .execute(conn)?;
        if gone == 1 {
            store_flag_weight(conn, listing)?;
        }
        Ok(gone == 1)
    })
}

/// Sums the listing's undecided flags onto it (under its lock); returns the sum.
fn store_flag_weight(conn: &mut PgConnection, listing: ListingId) -> QueryResult<f32> {
    let total: Option<f32> = flags::table
        .filter(flags::listing_id.eq(listing))
        .filter(flags::decision.is_null())
        .select(diesel::dsl::sum(flags::weight))
        .first(conn)?;
    let total = total.unwrap_or(0.0);
    diesel::update(listings::table.find(listing))
        .set(listings::flag_weight.eq(total))
        .execute(conn)?;
    Ok(total)
}

/// The reason most of the listing's undecided flags give.
fn top_flag_reason(conn: &mut PgConnection, listing: ListingId) -> QueryResult<Option<FlagReason>> {
    flags::table
        .filter(flags::listing_id.eq(listing))
        .filter(flags::decision.is_null())
        .group_by(flags::reason)
        .order((diesel::dsl::sum(flags::weight).desc(), flags::reason))
        .select(flags::reason)
        .first(conn)
        .optional()
}

/// Decides every undecided flag on the listing (under its lock) and clears its weight.
fn decide_flags(
    conn: &mut PgConnection,
    listing: ListingId,
    decision: Decision,
) -> QueryResult<()> {
    diesel::update(
        flags::table
            .filter(flags::listing_id.eq(listing))
            .filter(flags::decision.is_null()),
    )
    .set((
        flags::decision.eq(decision),
        flags::decided_at.eq(diesel::dsl::now),
    ))
    .execute(conn)?;
    diesel::update(listings::table.find(listing))
        .set(listings::flag_weight.eq(0.0f32))
        .execute(conn)
        .map(|_| ())
}

/// A flag as the admin pages list it.
#[derive(Debug, Clone, Queryable)]
pub struct FlagRow {
    pub username: String,
    pub reason: FlagReason,
    pub note: String,
    pub weight: f32,
    pub decision: Option<Decision>,
    pub created_at: DateTime<Utc>,
}

/// Every flag on a listing, newest first.
pub fn flags_on(conn: &mut PgConnection, listing: ListingId) -> QueryResult<Vec<FlagRow>> {
    flags::table
        .inner_join(users::table)
        .filter(flags::listing_id.eq(listing))
        .order(flags::created_at.desc())
        .limit(200)
        .select((
            users::username,
            flags::reason,
            flags::note,
            flags::weight,
            flags::decision,
            flags::created_at,
        ))
        .load(conn)
}

// ---------------------------------------------------------------------------------------------
// Admin actions on listings

/// Why an admin action did not happen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NotDone {
    NotFound,
    /// The listing is not in a state the action applies to (already held, deleted, …).
    WrongState(ListingStatus),
    /// Change category: no such category.
    NoSuchCategory,
}

/// Takes a listing off the site as `status` with `reason`, remembering what it was (under its
/// lock; a listing already held keeps what it was before the hold).
fn take_off(
    conn: &mut PgConnection,
    found: &Moderated,
    status: ListingStatus,
    reason: &str,
) -> QueryResult<()> {
    let before = if found.status.is_moderated() {
        found.status_before_moderation
    } else {
        Some(found.status)
    };
    diesel::update(listings::table.find(found.id))
        .set((
            listings::status.eq(status),
            listings::status_before_moderation.eq(before),
            listings::moderation_reason.eq(reason),
            listings::moderated_at.eq(diesel::dsl::now),
            // A moderator's own decision: an unban no longer brings it back.
            listings::hidden_by_ban.eq(false),
        ))
        .execute(conn)
        .map(|_| ())
}

/// An admin's action on one listing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ListingAction {
    Hold,
    Restore,
    Remove,
    ChangeCategory(i32),
}

impl ListingAction {
    fn audit(self) -> AuditAction {
        match self {
            Self::Hold => AuditAction::HoldListing,
            Self::Restore => AuditAction::RestoreListing,
            Self::Remove => AuditAction::RemoveListing,
            Self::ChangeCategory(_) => AuditAction::ChangeCategory,
        }
    }
}

/// Carries out an admin's action on a listing with its reason, with its audit entry and the
/// consequences for flags and appeals, in one transaction:
/// - **hold**: any listing a visitor could open goes off the site for review (flags stay
///   undecided);
/// - **remove**: any listing but a deleted one; its undecided flags are upheld and an open
///   appeal is denied;
/// - **restore**: a held or removed listing returns to what it was; undecided flags are
///   rejected and an open appeal is granted;
/// - **change category**: to another existing category.
pub fn act_on_listing(
    conn: &mut PgConnection,
    admin: UserId,
    listing: ListingId,
    action: ListingAction,
    reason: &Reason,
) -> QueryResult<Result<(), NotDone>> {
    conn.transaction(|conn| {
        let Some(found) = lock_listing(conn, listing)? else {
            return Ok(Err(NotDone::NotFound));
        };
        audit::act_as(conn, admin)?;
        let mut target_label = found.title.clone();
        match action {
            ListingAction::Hold => {
                if !found.status.is_viewable() {
                    return Ok(Err(NotDone::WrongState(found.status)));
                }
                take_off(conn, &found, ListingStatus::Held, reason.as_str())?;
            }
            ListingAction::Remove => {
                if matches!(
                    found.status,
                    ListingStatus::Deleted | ListingStatus::Removed
                ) {
                    return Ok(Err(NotDone::WrongState(found.status)));
                }
                take_off(conn, &found, ListingStatus::Removed, reason.as_str())?;
                decide_flags(conn, listing, Decision::Upheld)?;
                decide_open_appeal(conn, listing, false)?;
            }
            ListingAction::Restore => {
                if !found.status.is_moderated() {
                    return Ok(Err(NotDone::WrongState(found.status)));
                }
                let back = found
                    .status_before_moderation
                    .filter(|s| s.is_viewable())
                    .unwrap_or(ListingStatus::Active);
                diesel::update(listings::table.find(listing))
                    .set((
                        listings::status.eq(back),
                        listings::status_before_moderation.eq(None::<ListingStatus>),
                        listings::moderation_reason.eq(reason.as_str()),
                        listings::moderated_at.eq(diesel::dsl::now),
                        listings::hidden_by_ban.eq(false),
                    ))
                    .execute(conn)?;
                decide_flags(conn, listing, Decision::Rejected)?;
                decide_open_appeal(conn, listing, true)?;
            }
            ListingAction::ChangeCategory(category) => {
                let name: Option<String> = categories::table
                    .find(category)
                    .select(categories::name)
                    .first(conn)
                    .optional()?;
                let Some(name) = name else {
                    return Ok(Err(NotDone::NoSuchCategory));
                };
                if found.status == ListingStatus::Deleted {
                    return Ok(Err(NotDone::WrongState(found.status)));
                }
                diesel::update(listings::table.find(listing))
                    .set(listings::category_id.eq(category))
                    .execute(conn)?;
                target_label = format!("{} → {name}", found.title);
            }
        }
        audit::record(
            conn,
            &Entry {
                admin,
                action: action.audit(),
                target_kind: TargetKind::Listing,
                target_id: listing.0,
                target_label: &target_label,
                reason: reason.as_str(),
            },
        )?;
        Ok(Ok(()))
    })
}

// ---------------------------------------------------------------------------------------------
// Appeals

/// An owner's appeal as pages show it.
#[derive(Debug, Clone, Queryable)]
pub struct AppealRow {
    pub id: AppealId,
    pub listing_id: ListingId,
    pub message: String,
    pub moderated_at: DateTime<Utc>,
    pub decision: Option<String>,
    pub created_at: DateTime<Utc>,
}

type AppealColumns = (
    appeals::id,
    appeals::listing_id,
    appeals::message,
    appeals::moderated_at,
    appeals::decision,
    appeals::created_at,
);

const APPEAL: AppealColumns = (
    appeals::id,
    appeals::listing_id,
    appeals::message,
    appeals::moderated_at,
    appeals::decision,
    appeals::created_at,
);

/// The appeal against the listing's current moderation, if its owner made one.
pub fn current_appeal(
    conn: &mut PgConnection,
    listing: ListingId,
) -> QueryResult<Option<AppealRow>> {
    let Some(found) = moderation_of(conn, listing)? else {
        return Ok(None);
    };
    let Some(at) = found.moderated_at else {
        return Ok(None);
    };
    appeals::table
        .filter(appeals::listing_id.eq(listing))
        .filter(appeals::moderated_at.eq(at))
        .select(APPEAL)
        .first(conn)
        .optional()
}

/// Every appeal on a listing, newest first.
pub fn appeals_on(conn: &mut PgConnection, listing: ListingId) -> QueryResult<Vec<AppealRow>> {
    appeals::table
        .filter(appeals::listing_id.eq(listing))
        .order(appeals::id.desc())
        .limit(50)
        .select(APPEAL)
        .load(conn)
}

/// What became of an appeal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Appealed {
    Recorded,
    /// The owner already appealed this decision.
    AlreadyAppealed,
    /// Not the owner's, or not held or removed.
    NotAppealable,
}

/// Records the owner's one appeal against the listing's current hold or removal.
pub fn appeal(
    conn: &mut PgConnection,
    listing: ListingId,
    owner: UserId,
    message: &Reason,
) -> QueryResult<Appealed> {
    conn.transaction(|conn| {
        let Some(found) = lock_listing(conn, listing)? else {
            return Ok(Appealed::NotAppealable);
        };
        let (true, true, Some(at)) = (
            found.owner_id == owner,
            found.status.is_moderated(),
            found.moderated_at,
        ) else {
            return Ok(Appealed::NotAppealable);
        };
        let inserted = diesel::insert_into(appeals::table)
            .values((
                appeals::listing_id.eq(listing),
                appeals::user_id.eq(owner),
                appeals::message.eq(message.as_str()),
                appeals::moderated_at.eq(at),
            ))
            .on_conflict_do_nothing()
            .execute(conn)?;
        Ok(if inserted == 1 {
            Appealed::Recorded
        } else {
            Appealed::AlreadyAppealed
        })
    })
}

/// Decides the listing's open appeal, if any (under the listing's lock).
fn decide_open_appeal(
    conn: &mut PgConnection,
    listing: ListingId,
    granted: bool,
) -> QueryResult<()> {
    diesel::update(
        appeals::table
            .filter(appeals::listing_id.eq(listing))
            .filter(appeals::decision.is_null()),
    )
    .set((
        appeals::decision.eq(if granted { "granted" } else { "denied" }),
        appeals::decided_at.eq(diesel::dsl::now),
    ))
    .execute(conn)
    .map(|_| ())
}

// ---------------------------------------------------------------------------------------------
// History

/// One change to a listing.
#[derive(Debug, Clone, Queryable)]
pub struct HistoryRow {
    pub actor: Option<String>,
    pub changes: serde_json::Value,
    pub created_at: DateTime<Utc>,
}

/// The listing's latest changes, newest first.
pub fn history_of(conn: &mut PgConnection, listing: ListingId) -> QueryResult<Vec<HistoryRow>> {
    listing_history::table
        .left_join(users::table.on(users::id.nullable().eq(listing_history::actor_id)))
        .filter(listing_history::listing_id.eq(listing))
        .order(listing_history::id.desc())
        .limit(100)
        .select((
            users::username.nullable(),
            listing_history::changes,
            listing_history::created_at,
        ))
        .load(conn)
}

// ---------------------------------------------------------------------------------------------
// Profile reports

/// Records a member's report of another member's profile; `false` when they reported it
/// before (one report per member and profile: the first stands).
pub fn report_profile(
    conn: &mut PgConnection,
    user: UserId,
    reporter: UserId,
    reason: &Reason,
) -> QueryResult<bool> {
    use crate::db::schema::profile_reports;
    diesel::insert_into(profile_reports::table)
        .values((
            profile_reports::user_id.eq(user),
            profile_reports::reporter_id.eq(reporter),
            profile_reports::reason.eq(reason.as_str()),
        ))
        .on_conflict_do_nothing()
        .execute(conn)
        .map(|n| n == 1)
}
