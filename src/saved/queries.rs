use chrono::{DateTime, Utc};
use diesel::prelude::*;

use super::alerts::AlertCadence;
use crate::db::ids::{ListingId, SavedSearchId, UserId};
use crate::db::schema::{favorites, listings, saved_searches, users};
use crate::listings::models::Listing;

/// Saves a listing for a member (again is fine).
pub fn add_favorite(
    conn: &mut PgConnection,
    user_id: UserId,
    listing_id: ListingId,
) -> QueryResult<()> {
    diesel::insert_into(favorites::table)
        .values((
            favorites::user_id.eq(user_id),
            favorites::listing_id.eq(listing_id),
        ))
        .on_conflict_do_nothing()
        .execute(conn)
        .map(|_| ())
}

pub fn remove_favorite(
    conn: &mut PgConnection,
    user_id: UserId,
    listing_id: ListingId,
) -> QueryResult<()> {
    diesel::delete(favorites::table.find((user_id, listing_id)))
        .execute(conn)
        .map(|_| ())
}

/// A member's favourites, most recently saved first, whatever became of them.
pub fn favorites_of(conn: &mut PgConnection, user_id: UserId) -> QueryResult<Vec<Listing>> {
    favorites::table
        .inner_join(listings::table)
        .filter(favorites::user_id.eq(user_id))
        .order(favorites::created_at.desc())
        .select(Listing::as_select())
        .load(conn)
}

/// One page of a member's favourites, most recently saved first, with when each was saved.
pub fn favorites_page(
    conn: &mut PgConnection,
    user_id: UserId,
    offset: i64,
    limit: i64,
) -> QueryResult<Vec<(Listing, DateTime<Utc>)>> {
    favorites::table
        .inner_join(listings::table)
        .filter(favorites::user_id.eq(user_id))
        .order((favorites::created_at.desc(), favorites::listing_id.desc()))
        .offset(offset)
        .limit(limit)
        .select((Listing::as_select(), favorites::created_at))
        .load(conn)
}

pub fn count_favorites(conn: &mut PgConnection, user_id: UserId) -> QueryResult<i64> {
    favorites::table
        .filter(favorites::user_id.eq(user_id))
        .count()
        .get_result(conn)
}

/// Sets a member's saved search's name; returns whether the search is theirs.
pub fn rename_saved_search(
    conn: &mut PgConnection,
    user_id: UserId,
    id: SavedSearchId,
    name: &str,
) -> QueryResult<bool> {
    diesel::update(
        saved_searches::table
            .find(id)
            .filter(saved_searches::user_id.eq(user_id)),
    )
    .set(saved_searches::name.eq(name))
    .execute(conn)
    .map(|n| n == 1)
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = saved_searches, check_for_backend(diesel::pg::Pg))]
pub struct SavedSearch {
    pub id: SavedSearchId,
    pub user_id: UserId,
    pub name: String,
    pub query: String,
    pub last_seen_at: DateTime<Utc>,
    pub created_at: DateTime<Utc>,
    /// New matches since `last_seen_at`, as of `counted_at` (none yet: never counted).
    pub new_matches: Option<i32>,
    pub counted_at: Option<DateTime<Utc>>,
    /// How often it mails its news.
    pub alert: AlertCadence,
}

/// How many searches a member has saved.
pub fn count_saved_searches(conn: &mut PgConnection, user_id: UserId) -> QueryResult<i64> {
    saved_searches::table
        .filter(saved_searches::user_id.eq(user_id))
        .count()
        .get_result(conn)
}

/// Records a fresh count of a saved search's new matches.
pub fn record_new_matches(
    conn: &mut PgConnection,
    id: SavedSearchId,
    new: Option<i32>,
) -> QueryResult<()> {
    diesel::update(saved_searches::table.find(id))
        .set((
            saved_searches::new_matches.eq(new),
            saved_searches::counted_at.eq(diesel::dsl::now),
        ))
        .execute(conn)
        .map(|_| ())
}

pub fn save_search(
    conn: &mut PgConnection,
    user_id: UserId,
    name: &str,
    query: &str,
    alert: AlertCadence,
) -> QueryResult<SavedSearch> {
    diesel::insert_into(saved_searches::table)
        .values((
            saved_searches::user_id.eq(user_id),
            saved_searches::name.eq(name),
            saved_searches::query.eq(query),
            saved_searches::alert.eq(alert),
        ))
        .returning(SavedSearch::as_returning())
        .get_result(conn)
}

pub fn saved_searches_of(
    conn: &mut PgConnection,
    user_id: UserId,
) -> QueryResult<Vec<SavedSearch>> {
    saved_searches::table
        .filter(saved_searches::user_id.eq(user_id))
        .order(saved_searches::created_at.desc())
        .select(SavedSearch::as_select())
        .load(conn)
}

/// A member's saved search; someone else's is not found.
pub fn find_saved_search(
    conn: &mut PgConnection,
    user_id: UserId,
    id: SavedSearchId,
) -> QueryResult<Option<SavedSearch>> {
    saved_searches::table
        .find(id)
        .filter(saved_searches::user_id.eq(user_id))
        .select(SavedSearch::as_select())
        .first(conn)
        .optional()
}

/// Marks a saved search seen: nothing is new since now.
pub fn mark_seen(conn: &mut PgConnection, id: SavedSearchId) -> QueryResult<()> {
    diesel::update(saved_searches::table.find(id))
        .set((
            saved_searches::last_seen_at.eq(diesel::dsl::now),
            saved_searches::new_matches.eq(Some(0)),
            saved_searches::counted_at.eq(diesel::dsl::now),
        ))
        .execute(conn)
        .map(|_| ())
}

pub fn delete_saved_search(
    conn: &mut PgConnection,
    user_id: UserId,
    id: SavedSearchId,
) -> QueryResult<usize> {
    diesel::delete(
        saved_searches::table
            .find(id)
            .filter(saved_searches::user_id.eq(user_id)),
    )
    .execute(conn)
}

/// Sets how often a member's saved search mails its news; turning it on starts from now
/// (what was posted before is not news). Returns whether the search is theirs.
pub fn set_alert(
    conn: &mut PgConnection,
    user_id: UserId,
    id: SavedSearchId,
    alert: AlertCadence,
) -> QueryResult<bool> {
    diesel::sql_query(
        "UPDATE saved_searches
            SET alert_checked_at = CASE WHEN alert = 'off' AND $3 <> 'off' THEN now()
                                        ELSE alert_checked_at END,
                alert = $3
          WHERE id = $1 AND user_id = $2",
    )
    .bind::<diesel::sql_types::BigInt, _>(id)
    .bind::<diesel::sql_types::BigInt, _>(user_id)
    .bind::<diesel::sql_types::Text, _>(alert)
    .execute(conn)
    .map(|n| n == 1)
}

/// A saved search's name and alert, whoever's it is (for its signed unsubscribe link).
pub fn find_alert(
    conn: &mut PgConnection,
    id: SavedSearchId,
) -> QueryResult<Option<(String, AlertCadence)>> {
    saved_searches::table
        .find(id)
        .select((saved_searches::name, saved_searches::alert))
        .first(conn)
        .optional()
}

pub fn turn_alert_off(conn: &mut PgConnection, id: SavedSearchId) -> QueryResult<()> {
    diesel::update(saved_searches::table.find(id))
        .set(saved_searches::alert.eq(AlertCadence::Off))
        .execute(conn)
        .map(|_| ())
}

/// A member's username and whether they want mail about saved listings (none for a deleted
/// member).
pub fn favorite_mail_of(
    conn: &mut PgConnection,
    user_id: UserId,
) -> QueryResult<Option<(String, bool)>> {
    users::table
        .find(user_id)
        .filter(users::status.ne(crate::accounts::models::UserStatus::Deleted))
        .select((users::username, users::favorite_mail))
        .first(conn)
        .optional()
}

/// Turns the mail about saved listings' price drops and sales on or off.
pub fn set_favorite_mail(conn: &mut PgConnection, user_id: UserId, on: bool) -> QueryResult<()> {
    diesel::update(users::table.find(user_id))
        .set(users::favorite_mail.eq(on))
        .execute(conn)
        .map(|_| ())
}
