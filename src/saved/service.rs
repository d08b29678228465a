//! The rules of favourites and saved searches, shared by the pages and the JSON API: what a
//! saved search may be called and hold, how many a member keeps, and counting their news.

use chrono::Utc;
use diesel::PgConnection;

use super::alerts::AlertCadence;
use super::queries::{self, SavedSearch};
use crate::db::ids::{ListingId, UserId};
use crate::listings::queries as listing_queries;
use crate::search::density::Density;
use crate::search::service::{canonical_query, count_new_matches};
use crate::web::{AppError, Db};

/// Searches one member may keep: enough for anyone, few enough that their counts stay cheap.
pub const MAX_SAVED_SEARCHES: i64 = 50;
/// The longest query string a saved search keeps.
pub const MAX_SAVED_QUERY_CHARS: usize = 1000;
/// Saved searches recounted on one visit to the list (the stalest first); the others show
/// their last count.
const RECOUNTS_PER_VISIT: usize = 10;
/// How long a count of new matches is trusted when nothing was posted since (listings may
/// still have been taken down).
const COUNT_FRESH_FOR: chrono::Duration = chrono::Duration::minutes(10);

/// The cadence chosen: none chosen is no alert.
pub fn parse_cadence(input: &str) -> Result<AlertCadence, String> {
    match input.trim() {
        "" => Ok(AlertCadence::Off),
        other => AlertCadence::parse(other)
            .ok_or_else(|| "Choose how often to e-mail you from the list.".to_owned()),
    }
}

/// A saved search's name: one line of at most 80 characters ("My search" when empty).
pub fn parse_search_name(input: &str) -> Result<String, String> {
    let name = input.split_whitespace().collect::<Vec<_>>().join(" ");
    if name.chars().count() > 80 {
        return Err("Use at most 80 characters.".into());
    }
    crate::web::text::refuse_control_characters(&name)?;
    Ok(if name.is_empty() {
        "My search".into()
    } else {
        name
    })
}

/// A search to save, as the search's query string, kept in its normal form.
pub fn parse_query(input: &str) -> Result<String, String> {
    match canonical_query(input) {
        None => Err("That search has problems; correct it before saving.".into()),
        Some(query) if query.chars().count() > MAX_SAVED_QUERY_CHARS => Err(
            "That search is too long to save. Save a search with fewer words or filters.".into(),
        ),
        Some(query) => Ok(query),
    }
}

/// Why `user` may not save another search, if they may not.
pub async fn room_for_another(db: &Db, user: UserId) -> Result<Option<String>, AppError> {
    let saved = db
        .run(move |conn| queries::count_saved_searches(conn, user))
        .await?;
    Ok((saved >= MAX_SAVED_SEARCHES).then(|| {
        format!(
            "You have {MAX_SAVED_SEARCHES} saved searches, the most you can keep. Delete one you no longer need first."
        )
    }))
}

/// A member's saved searches with their new matches. A count is made again only when a
/// listing was posted or renewed since it was made (or it is ten minutes old), and at most
/// the stalest ten are recounted, so this costs the same however many searches are saved.
pub fn saved_searches_counted(
    conn: &mut PgConnection,
    density: &Density,
    user: UserId,
) -> Result<Vec<SavedSearch>, AppError> {
    let mut saved = queries::saved_searches_of(conn, user)?;
    let now = Utc::now();
    let newest = listing_queries::newest_public_listing_at(conn)?;
    let mut stale: Vec<usize> = (0..saved.len())
        .filter(|&i| {
            saved[i].counted_at.is_none_or(|at| {
                now - at > COUNT_FRESH_FOR || newest.is_some_and(|newest| newest >= at)
            })
        })
        .collect();
    stale.sort_by_key(|&i| saved[i].counted_at);
    for i in stale.into_iter().take(RECOUNTS_PER_VISIT) {
        let s = &mut saved[i];
        let new = count_new_matches(conn, density, &s.query, s.last_seen_at)?
            .map(|n| i32::try_from(n).unwrap_or(i32::MAX));
        queries::record_new_matches(conn, s.id, new)?;
        s.new_matches = new;
        s.counted_at = Some(now);
    }
    Ok(saved)
}

/// Saves or unsaves a listing for `user`: only a listing that is up may be saved (else
/// 404); unsaving any is fine.
pub fn set_favorite(
    conn: &mut PgConnection,
    user: UserId,
    id: ListingId,
    add: bool,
) -> Result<crate::listings::models::Listing, AppError> {
    let listing = listing_queries::find_listing(conn, id)?.ok_or(AppError::NotFound)?;
    if add {
        if !listing.is_public() {
            return Err(AppError::NotFound);
        }
        queries::add_favorite(conn, user, id)?;
    } else {
        queries::remove_favorite(conn, user, id)?;
    }
    Ok(listing)
}
