//! The sitemaps' reads.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text, Timestamptz};

use super::CHUNK;
use crate::db::snapshot::Snapshot;

/// The ranges the index names.
#[derive(Debug)]
pub struct Chunks {
    pub listings: Vec<i64>,
    pub members: Vec<i64>,
}

/// The index's ranges, read again at most every `ttl` (app data; one per instance, with the
/// category counts' ttl). Finding the members' ranges probes the listings of each active
/// member's range, about 140 ms of PostgreSQL on a million listings and 100,000 members:
/// crawlers asking for the index again and again must not each pay it. A range is at most
/// that late to appear or go.
#[derive(Debug)]
pub struct IndexChunks(Snapshot<Chunks>);

impl IndexChunks {
    pub fn new(ttl: std::time::Duration) -> Self {
        Self(Snapshot::new(ttl))
    }

    pub fn get(&self, conn: &mut PgConnection) -> QueryResult<std::sync::Arc<Chunks>> {
        self.0.get(conn, |conn| {
            Ok(Chunks {
                listings: listing_chunks(conn)?,
                members: member_chunks(conn)?,
            })
        })
    }
}

/// The ranges (id / CHUNK) holding at least one public listing, in order: one probe of the
/// public-id index per range (a skip scan).
pub fn listing_chunks(conn: &mut PgConnection) -> QueryResult<Vec<i64>> {
    #[derive(QueryableByName)]
    struct Chunk {
        #[diesel(sql_type = BigInt)]
        n: i64,
    }
    let rows: Vec<Chunk> = diesel::sql_query(
        "WITH RECURSIVE c(n) AS (
             SELECT (SELECT min(id) FROM listings
                     WHERE status IN ('active', 'pending') AND expires_at > now()) / $1
             UNION ALL
             SELECT (SELECT min(id) FROM listings
                     WHERE status IN ('active', 'pending') AND expires_at > now()
                       AND id >= (c.n + 1) * $1) / $1
             FROM c WHERE c.n IS NOT NULL
         )
         SELECT n FROM c WHERE n IS NOT NULL",
    )
    .bind::<BigInt, _>(CHUNK)
    .load(conn)?;
    Ok(rows.into_iter().map(|c| c.n).collect())
}

/// The ranges of member ids (id / CHUNK) holding a member whose profile a sitemap lists (one
/// with a public listing): each range stops at its first such member.
pub fn member_chunks(conn: &mut PgConnection) -> QueryResult<Vec<i64>> {
    #[derive(QueryableByName)]
    struct Chunk {
        #[diesel(sql_type = BigInt)]
        n: i64,
    }
    let rows: Vec<Chunk> = diesel::sql_query(
        "SELECT c.n FROM (SELECT DISTINCT id / $1 AS n FROM users WHERE status = 'active') c
         WHERE EXISTS (SELECT 1 FROM users u
                       WHERE u.id >= c.n * $1 AND u.id < (c.n + 1) * $1
                         AND u.status = 'active'
                         AND EXISTS (SELECT 1 FROM listings l
                                     WHERE l.owner_id = u.id
                                       AND l.status IN ('active', 'pending')
                                       AND l.expires_at > now()))
         ORDER BY c.n",
    )
    .bind::<BigInt, _>(CHUNK)
    .load(conn)?;
    Ok(rows.into_iter().map(|c| c.n).collect())
}

/// One public listing's entry.
#[derive(Debug, QueryableByName)]
pub struct ListingEntry {
    #[diesel(sql_type = BigInt)]
    pub id: i64,
    #[diesel(sql_type = Text)]
    pub title: String,
    #[diesel(sql_type = Timestamptz)]
    pub updated_at: DateTime<Utc>,
}

/// Up to `limit` public listings with ids in `[after + 1, end)`, by id.
pub fn listings_between(
    conn: &mut PgConnection,
    after: i64,
    end: i64,
    limit: i64,
) -> QueryResult<Vec<ListingEntry>> {
    diesel::sql_query(
        "SELECT id, title, updated_at FROM listings
         WHERE status IN ('active', 'pending') AND expires_at > now()
           AND id > $1 AND id < $2
         ORDER BY id LIMIT $3",
    )
    .bind::<BigInt, _>(after)
    .bind::<BigInt, _>(end)
    .bind::<BigInt, _>(limit)
    .load(conn)
}

/// One member's entry: their profile, when they have a public listing.
#[derive(Debug, QueryableByName)]
pub struct MemberEntry {
    #[diesel(sql_type = BigInt)]
    pub id: i64,
    #[diesel(sql_type = Text)]
    pub username: String,
    #[diesel(sql_type = Timestamptz)]
    pub updated_at: DateTime<Utc>,
}

/// Up to `limit` active members with ids in `[after + 1, end)` who have a public listing.
pub fn members_between(
    conn: &mut PgConnection,
    after: i64,
    end: i64,
    limit: i64,
) -> QueryResult<Vec<MemberEntry>> {
    diesel::sql_query(
        "SELECT u.id, u.username, u.updated_at FROM users u
         WHERE u.status = 'active' AND u.id > $1 AND u.id < $2
           AND EXISTS (SELECT 1 FROM listings l
                       WHERE l.owner_id = u.id AND l.status IN ('active', 'pending')
                         AND l.expires_at > now())
         ORDER BY u.id LIMIT $3",
    )
    .bind::<BigInt, _>(after)
    .bind::<BigInt, _>(end)
    .bind::<BigInt, _>(limit)
    .load(conn)
}
