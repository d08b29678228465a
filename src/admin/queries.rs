//! The admin area's reads: every listing in any status, filtered and sorted; one listing with
//! everything moderation knows of it.
//!
//! Policy: each filter alone is served by an index (`listings_posted_idx`, `…_status_…`,
//! `…_category_…`, `listings_flagged_idx`, `listings_owner_idx`, the two full-text GIN indexes),
//! and pages are keyset cursors, never offsets: the browser answers in the same time on page
//! 1 and page 10,000 of a million listings.

use chrono::{DateTime, Utc};
use diesel::dsl::sql;
use diesel::pg::PgConnection;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Bool, Float, Text, Timestamptz};

use super::domain::{AdminCursor, AdminSort, ListingFilter};
use crate::db::ids::{ListingId, UserId};
use crate::db::schema::{categories, listings, sections, users};
use crate::listings::models::ListingStatus;

/// One row of the browser.
#[derive(Debug, Clone, Queryable)]
pub struct AdminListingRow {
    pub id: ListingId,
    pub title: String,
    pub status: ListingStatus,
    pub price_cents: Option<i64>,
    pub is_free: bool,
    pub created_at: DateTime<Utc>,
    pub flag_weight: f32,
    pub owner_username: String,
    pub category_name: String,
}

/// What a filter named that does not exist (the page says so and shows nothing).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unknown {
    Section,
    Category,
    Owner,
}

/// A page of listings matching `filter`, after `after`; one more than `limit` is read so the
/// caller knows whether a next page exists.
pub fn browse(
    conn: &mut PgConnection,
    filter: &ListingFilter,
    after: Option<AdminCursor>,
    limit: i64,
) -> QueryResult<Result<Vec<AdminListingRow>, Unknown>> {
    let mut query = listings::table
        .inner_join(users::table.on(users::id.eq(listings::owner_id)))
        .inner_join(categories::table.on(categories::id.eq(listings::category_id)))
        .select((
            listings::id,
            listings::title,
            listings::status,
            listings::price_cents,
            listings::is_free,
            listings::created_at,
            listings::flag_weight,
            users::username,
            categories::name,
        ))
        .limit(limit + 1)
        .into_boxed();
    if let Some(status) = filter.status {
        query = query.filter(listings::status.eq(status));
    }
    if let Some(id) = filter.category {
        let exists: bool =
            diesel::select(diesel::dsl::exists(categories::table.find(id))).get_result(conn)?;
        if !exists {
            return Ok(Err(Unknown::Category));
        }
        query = query.filter(listings::category_id.eq(id));
    }
    if let Some(slug) = &filter.section {
        let ids: Vec<i32> = categories::table
            .inner_join(sections::table)
            .filter(sections::slug.eq(slug))
            .select(categories::id)
            .load(conn)?;
        if ids.is_empty() {
            return Ok(Err(Unknown::Section));
        }
        query = query.filter(listings::category_id.eq_any(ids));
    }
    if let Some(username) = &filter.owner {
        let Some(id) = user_id_by_username(conn, username)? else {
            return Ok(Err(Unknown::Owner));
        };
        query = query.filter(listings::owner_id.eq(id));
    }
    if filter.flagged || filter.sort == AdminSort::MostFlagged {
        query = query.filter(listings::flag_weight.gt(0.0f32));
    }
    if let Some(words) = &filter.words {
        match words.trim_start_matches('#').parse::<i64>() {
            // A listing's number finds that listing.
            Ok(id) => query = query.filter(listings::id.eq(ListingId(id))),
            Err(_) => {
                // The same condition twice, once per word index: listed listings are in the
                // public search's, the rest in `listings_unlisted_search_idx`.
                query = query.filter(
                    sql::<Bool>(
                        "((listings.status IN ('active', 'pending') \
                         AND listings.search @@ websearch_to_tsquery('english', ",
                    )
                    .bind::<Text, _>(words)
                    .sql(
                        ")) OR (listings.status NOT IN ('active', 'pending') \
                         AND listings.search @@ websearch_to_tsquery('english', ",
                    )
                    .bind::<Text, _>(words)
                    .sql(")))"),
                )
            }
        }
    }
    if let Some(from) = filter.from {
        query = query.filter(listings::created_at.ge(from));
    }
    if let Some(to) = filter.to {
        query = query.filter(listings::created_at.lt(to));
    }
    match (filter.sort, after) {
        (AdminSort::Newest, Some(AdminCursor::Posted(at, id))) => {
            query = query.filter(
                sql::<Bool>("(listings.created_at, listings.id) < (")
                    .bind::<Timestamptz, _>(at)
                    .sql(", ")
                    .bind::<BigInt, _>(id)
                    .sql(")"),
            );
        }
        (AdminSort::Oldest, Some(AdminCursor::Posted(at, id))) => {
            query = query.filter(
                sql::<Bool>("(listings.created_at, listings.id) > (")
                    .bind::<Timestamptz, _>(at)
                    .sql(", ")
                    .bind::<BigInt, _>(id)
                    .sql(")"),
            );
        }
        (AdminSort::MostFlagged, Some(AdminCursor::Flags(weight, id))) => {
            query = query.filter(
                sql::<Bool>("(listings.flag_weight, listings.id) < (")
                    .bind::<Float, _>(weight)
                    .sql(", ")
                    .bind::<BigInt, _>(id)
                    .sql(")"),
            );
        }
        _ => {}
    }
    query = match filter.sort {
        AdminSort::Newest => query.order((listings::created_at.desc(), listings::id.desc())),
        AdminSort::Oldest => query.order((listings::created_at.asc(), listings::id.asc())),
        AdminSort::MostFlagged => query.order((listings::flag_weight.desc(), listings::id.desc())),
    };
    query.load(conn).map(Ok)
}

/// The cursor that starts the page after `row`.
pub fn cursor_after(row: &AdminListingRow, sort: AdminSort) -> AdminCursor {
    match sort {
        AdminSort::Newest | AdminSort::Oldest => AdminCursor::Posted(row.created_at, row.id),
        AdminSort::MostFlagged => AdminCursor::Flags(row.flag_weight, row.id),
    }
}

/// Sections and their categories, for the filter and the change-category form.
pub fn category_choices(
    conn: &mut PgConnection,
) -> QueryResult<Vec<(String, String, i32, String)>> {
    categories::table
        .inner_join(sections::table)
        .order((sections::position, categories::position))
        .select((
            sections::slug,
            sections::name,
            categories::id,
            categories::name,
        ))
        .load(conn)
}

/// A listing's row as its admin page shows it.
#[derive(Debug, Clone, Queryable)]
pub struct AdminListing {
    pub id: ListingId,
    pub title: String,
    pub body: String,
    pub status: ListingStatus,
    pub price_cents: Option<i64>,
    pub is_free: bool,
    pub zip: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub flag_weight: f32,
    pub moderation_reason: Option<String>,
    pub moderated_at: Option<DateTime<Utc>>,
    pub category_id: i32,
    pub category_name: String,
    pub owner_id: UserId,
    pub owner_username: String,
}

pub fn admin_listing(conn: &mut PgConnection, id: ListingId) -> QueryResult<Option<AdminListing>> {
    listings::table
        .inner_join(users::table.on(users::id.eq(listings::owner_id)))
        .inner_join(categories::table.on(categories::id.eq(listings::category_id)))
        .filter(listings::id.eq(id))
        .select((
            listings::id,
            listings::title,
            listings::body,
            listings::status,
            listings::price_cents,
            listings::is_free,
            listings::zip,
            listings::created_at,
            listings::updated_at,
            listings::expires_at,
            listings::flag_weight,
            listings::moderation_reason,
            listings::moderated_at,
            categories::id,
            categories::name,
            users::id,
            users::username,
        ))
        .first(conn)
        .optional()
}

/// How much is waiting for an admin.
pub fn queue_counts(conn: &mut PgConnection) -> QueryResult<super::views::QueueCounts> {
    use crate::db::schema::{appeals, message_reports, profile_reports};
    Ok(super::views::QueueCounts {
        held: listings::table
            .filter(listings::status.eq(ListingStatus::Held))
            .count()
            .get_result(conn)?,
        appeals: appeals::table
            .filter(appeals::decision.is_null())
            .count()
            .get_result(conn)?,
        message_reports: message_reports::table
            .filter(message_reports::decision.is_null())
            .count()
            .get_result(conn)?,
        profile_reports: profile_reports::table
            .filter(profile_reports::decision.is_null())
            .count()
            .get_result(conn)?,
    })
}

/// A member by username (any case), for the audit filter.
pub fn user_id_by_username(conn: &mut PgConnection, username: &str) -> QueryResult<Option<UserId>> {
    users::table
        .filter(
            sql::<Bool>("lower(username) = lower(")
                .bind::<Text, _>(username)
                .sql(")"),
        )
        .select(users::id)
        .first(conn)
        .optional()
}

/// Days the dashboard charts.
pub const DASHBOARD_DAYS: i64 = 30;

/// One day of the dashboard.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DayCounts {
    pub listings: i64,
    pub members: i64,
    pub messages: i64,
    pub flags: i64,
}

/// New listings, members, messages and flags per day (UTC) for the last
/// [`DASHBOARD_DAYS`] days, oldest first, today last (days with none are zeros). Each count
/// is a range scan of an index on `created_at` (BRIN for messages, which arrive in time
/// order).
pub fn daily_counts(conn: &mut PgConnection) -> QueryResult<Vec<(chrono::NaiveDate, DayCounts)>> {
    #[derive(QueryableByName)]
    struct Row {
        #[diesel(sql_type = diesel::sql_types::Date)]
        day: chrono::NaiveDate,
        #[diesel(sql_type = BigInt)]
        listings: i64,
        #[diesel(sql_type = BigInt)]
        members: i64,
        #[diesel(sql_type = BigInt)]
        messages: i64,
        #[diesel(sql_type = BigInt)]
        flags: i64,
    }
    let rows: Vec<Row> = diesel::sql_query(
        "WITH days AS (
             SELECT generate_series(
                 (now() AT TIME ZONE 'UTC')::date - ($1::int - 1),
                 (now() AT TIME ZONE 'UTC')::date, interval '1 day')::date AS day),
         since AS (SELECT ((now() AT TIME ZONE 'UTC')::date - ($1::int - 1))::timestamp
                          AT TIME ZONE 'UTC' AS at),
         l AS (SELECT (created_at AT TIME ZONE 'UTC')::date AS day, count(*) AS n
               FROM listings, since WHERE created_at >= since.at GROUP BY 1),
         u AS (SELECT (created_at AT TIME ZONE 'UTC')::date AS day, count(*) AS n
               FROM users, since WHERE created_at >= since.at GROUP BY 1),
         m AS (SELECT (created_at AT TIME ZONE 'UTC')::date AS day, count(*) AS n
               FROM messages, since WHERE created_at >= since.at GROUP BY 1),
         f AS (SELECT (created_at AT TIME ZONE 'UTC')::date AS day, count(*) AS n
               FROM flags, since WHERE created_at >= since.at GROUP BY 1)
         SELECT days.day, coalesce(l.n, 0) AS listings, coalesce(u.n, 0) AS members,
                coalesce(m.n, 0) AS messages, coalesce(f.n, 0) AS flags
         FROM days
         LEFT JOIN l USING (day) LEFT JOIN u USING (day)
         LEFT JOIN m USING (day) LEFT JOIN f USING (day)
         ORDER BY days.day",
    )
    .bind::<diesel::sql_types::Integer, _>(DASHBOARD_DAYS as i32)
    .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|r| {
            (
                r.day,
                DayCounts {
                    listings: r.listings,
                    members: r.members,
                    messages: r.messages,
                    flags: r.flags,
                },
            )
        })
        .collect())
}

/// When the oldest thing waiting for a moderator started waiting, if anything is.
pub fn oldest_waiting(conn: &mut PgConnection) -> QueryResult<Option<DateTime<Utc>>> {
    #[derive(QueryableByName)]
    struct Row {
        #[diesel(sql_type = diesel::sql_types::Nullable<Timestamptz>)]
        at: Option<DateTime<Utc>>,
    }
    let row: Row = diesel::sql_query(
        "SELECT least(
             (SELECT min(coalesce(moderated_at, updated_at)) FROM listings WHERE status = 'held'),
             (SELECT min(created_at) FROM appeals WHERE decision IS NULL),
             (SELECT min(created_at) FROM message_reports WHERE decision IS NULL),
             (SELECT min(created_at) FROM profile_reports WHERE decision IS NULL)) AS at",
    )
    .get_result(conn)?;
    Ok(row.at)
}

/// Retries (`true`) or discards a job, with its audit entry: `None` when there is no such
/// job, `Some(false)` when a worker holds it (left alone).
pub fn act_on_job(
    conn: &mut PgConnection,
    admin: UserId,
    id: crate::db::ids::JobId,
    retry: bool,
) -> QueryResult<Option<bool>> {
    use crate::db::schema::jobs;
    use crate::jobs::queue;
    use crate::moderation::audit::{self, AuditAction, Entry, TargetKind};
    conn.transaction(|conn| {
        let kind: Option<String> = jobs::table
            .find(id)
            .select(jobs::kind)
            .first(conn)
            .optional()?;
        let Some(kind) = kind else {
            return Ok(None);
        };
        let done = if retry {
            queue::retry(conn, id)?
        } else {
            queue::discard(conn, id)?
        };
        if done {
            audit::record(
                conn,
                &Entry {
                    admin,
                    action: if retry {
                        AuditAction::RetryJob
                    } else {
                        AuditAction::DiscardJob
                    },
                    target_kind: TargetKind::Job,
                    target_id: id.0,
                    target_label: &kind,
                    reason: "",
                },
            )?;
        }
        Ok(Some(done))
    })
}
