//! The seller's dashboard (`/my/listings`): every listing of a member with how it is doing
//! (views, saves, people who wrote, expiry), filtered by status, a page at a time.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Bool, Double, Integer, Nullable, Text, Timestamptz};

use super::models::ListingStatus;
use super::queries::RESTORE_WITHIN;
use crate::db::ids::{ListingId, UserId};

/// Listings on one page of the dashboard.
pub const PAGE_SIZE: i64 = 25;
/// The deepest page (a bound on the offset a request can ask for).
pub const MAX_PAGE: i64 = 400;

/// Which of a member's listings the dashboard shows. Each is a fixed SQL condition: nothing
/// the visitor types reaches the statement but its parameters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum StatusFilter {
    /// Everything but deleted listings.
    #[default]
    All,
    Active,
    Pending,
    Sold,
    /// Expired, or past its expiry and not yet marked.
    Expired,
    /// Deleted recently enough to be restored.
    Deleted,
    /// Held or removed by the moderators.
    Hidden,
}

impl StatusFilter {
    pub const ALL: [StatusFilter; 7] = [
        Self::All,
        Self::Active,
        Self::Pending,
        Self::Sold,
        Self::Expired,
        Self::Deleted,
        Self::Hidden,
    ];

    /// From the `status` query parameter; `None` for an unknown one.
    pub fn parse(value: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|f| f.slug() == value)
    }

    pub fn slug(self) -> &'static str {
        match self {
            Self::All => "all",
            Self::Active => "active",
            Self::Pending => "pending",
            Self::Sold => "sold",
            Self::Expired => "expired",
            Self::Deleted => "deleted",
            Self::Hidden => "hidden",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::All => "All",
            Self::Active => "Active",
            Self::Pending => "Sale pending",
            Self::Sold => "Sold",
            Self::Expired => "Expired",
            Self::Deleted => "Deleted",
            Self::Hidden => "Hidden by moderators",
        }
    }

    /// The condition on `l` (the member's listing); `$2` is the restore window in seconds.
    fn condition(self) -> &'static str {
        match self {
            Self::All => "l.status <> 'deleted'",
            Self::Active => "l.status = 'active' AND l.expires_at > now()",
            Self::Pending => "l.status = 'pending' AND l.expires_at > now()",
            Self::Sold => "l.status = 'sold'",
            Self::Expired => {
                "(l.status = 'expired' OR (l.status IN ('active', 'pending') AND l.expires_at <= now()))"
            }
            Self::Deleted => {
                "l.status = 'deleted' AND l.deleted_at > now() - make_interval(secs => $2)"
            }
            Self::Hidden => "l.status IN ('held', 'removed')",
        }
    }
}

/// One listing as the dashboard shows it.
#[derive(Debug, Clone, QueryableByName)]
pub struct DashboardRow {
    #[diesel(sql_type = BigInt)]
    pub id: ListingId,
    #[diesel(sql_type = Text)]
    pub title: String,
    #[diesel(sql_type = Text)]
    pub status: ListingStatus,
    #[diesel(sql_type = Nullable<BigInt>)]
    pub price_cents: Option<i64>,
    #[diesel(sql_type = Bool)]
    pub is_free: bool,
    #[diesel(sql_type = Nullable<Text>)]
    pub thumb_key: Option<crate::storage::ObjectKey>,
    #[diesel(sql_type = Integer)]
    pub category_id: i32,
    #[diesel(sql_type = Timestamptz)]
    pub created_at: DateTime<Utc>,
    #[diesel(sql_type = Timestamptz)]
    pub renewed_at: DateTime<Utc>,
    #[diesel(sql_type = Timestamptz)]
    pub expires_at: DateTime<Utc>,
    #[diesel(sql_type = Nullable<Timestamptz>)]
    pub deleted_at: Option<DateTime<Utc>>,
    #[diesel(sql_type = BigInt)]
    pub views: i64,
    /// Members who saved it as a favourite.
    #[diesel(sql_type = BigInt)]
    pub saves: i64,
    /// Conversations about it (people who wrote).
    #[diesel(sql_type = BigInt)]
    pub conversations: i64,
}

/// A page of the member's listings under `filter`, newest posted first; one more than
/// [`PAGE_SIZE`] when there is a next page.
pub fn listings_of(
    conn: &mut PgConnection,
    owner: UserId,
    filter: StatusFilter,
    page: i64,
) -> QueryResult<Vec<DashboardRow>> {
    let page = page.clamp(1, MAX_PAGE);
    diesel::sql_query(format!(
        "SELECT l.id, l.title, l.status, l.price_cents, l.is_free, l.cover_thumb_key AS thumb_key,
                l.category_id, l.created_at, l.renewed_at, l.expires_at, l.deleted_at,
                COALESCE(v.views, 0) AS views,
                (SELECT count(*) FROM favorites f WHERE f.listing_id = l.id) AS saves,
                (SELECT count(*) FROM conversations c WHERE c.listing_id = l.id) AS conversations
           FROM listings l LEFT JOIN listing_views v ON v.listing_id = l.id
          WHERE l.owner_id = $1 AND {}
          ORDER BY l.created_at DESC, l.id DESC
          LIMIT $3 OFFSET $4",
        filter.condition()
    ))
    .bind::<BigInt, _>(owner)
    .bind::<Double, _>(RESTORE_WITHIN.as_secs_f64())
    .bind::<BigInt, _>(PAGE_SIZE + 1)
    .bind::<BigInt, _>((page - 1) * PAGE_SIZE)
    .load(conn)
}

/// How many of the member's listings each filter shows, in [`StatusFilter::ALL`]'s order.
pub fn counts_of(conn: &mut PgConnection, owner: UserId) -> QueryResult<Vec<(StatusFilter, i64)>> {
    #[derive(QueryableByName)]
    struct Count {
        #[diesel(sql_type = BigInt)]
        n: i64,
    }
    let columns = StatusFilter::ALL
        .iter()
        .map(|f| format!("count(*) FILTER (WHERE {})", f.condition()))
        .collect::<Vec<_>>();
    // One row per filter, from one scan of the member's listings.
    let sql = format!(
        "SELECT unnest(ARRAY[{}]) AS n FROM listings l WHERE l.owner_id = $1",
        columns.join(", ")
    );
    let counts: Vec<Count> = diesel::sql_query(sql)
        .bind::<BigInt, _>(owner)
        .bind::<Double, _>(RESTORE_WITHIN.as_secs_f64())
        .load(conn)?;
    Ok(StatusFilter::ALL
        .into_iter()
        .zip(counts.into_iter().map(|c| c.n).chain(std::iter::repeat(0)))
        .collect())
}

/// Adds views to listings (those that still exist); returns how many listings it wrote.
pub fn add_views(conn: &mut PgConnection, ids: &[ListingId], views: &[i64]) -> QueryResult<usize> {
    diesel::sql_query(
        "INSERT INTO listing_views (listing_id, views)
         SELECT u.id, u.n FROM unnest($1::bigint[], $2::bigint[]) AS u(id, n)
           JOIN listings l ON l.id = u.id
         ORDER BY u.id
         ON CONFLICT (listing_id) DO UPDATE SET views = listing_views.views + excluded.views",
    )
    .bind::<diesel::sql_types::Array<BigInt>, _>(ids)
    .bind::<diesel::sql_types::Array<BigInt>, _>(views)
    .execute(conn)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filters_parse_from_their_slugs_only() {
        for filter in StatusFilter::ALL {
            assert_eq!(StatusFilter::parse(filter.slug()), Some(filter));
        }
        assert_eq!(StatusFilter::parse("Sold"), None);
        assert_eq!(StatusFilter::parse("'; drop"), None);
    }
}
