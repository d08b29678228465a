//! Listing, category and photo queries.
//!
//! Public lists show listings that are active or pending and not yet expired, newest (last
//! renewed) first, paged by keyset on `(renewed_at, id)`, so a page is stable while new
//! listings arrive and deep pages cost the same as the first.

use std::collections::HashMap;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Bool, Integer, Nullable, SmallInt, Text, Timestamptz};
use uuid::Uuid;

use super::models::{Category, Listing, ListingChanges, ListingStatus, NewListing, Photo, Section};
use crate::db::ids::{ListingId, UserId};
use crate::db::schema::{categories, listing_photos, listings, sections};
use crate::db::snapshot::Snapshot;

/// Every section with its categories that take listings (not retired ones), in display order.
pub fn category_tree(conn: &mut PgConnection) -> QueryResult<Vec<(Section, Vec<Category>)>> {
    tree(conn, false)
}

/// Every section with all its categories, retired ones too (for the admin area).
pub fn category_tree_with_retired(
    conn: &mut PgConnection,
) -> QueryResult<Vec<(Section, Vec<Category>)>> {
    tree(conn, true)
}

fn tree(conn: &mut PgConnection, with_retired: bool) -> QueryResult<Vec<(Section, Vec<Category>)>> {
    let all_sections = sections::table
        .order(sections::position)
        .select(Section::as_select())
        .load(conn)?;
    let mut query = categories::table
        .order((categories::section_id, categories::position, categories::id))
        .select(Category::as_select())
        .into_boxed();
    if !with_retired {
        query = query.filter(categories::retired_at.is_null());
    }
    let all_categories = query.load(conn)?;
    Ok(all_sections
        .into_iter()
        .map(|section| {
            let cats = all_categories
                .iter()
                .filter(|c| c.section_id == section.id)
                .cloned()
                .collect();
            (section, cats)
        })
        .collect())
}

pub fn find_section(conn: &mut PgConnection, slug: &str) -> QueryResult<Option<Section>> {
    sections::table
        .filter(sections::slug.eq(slug))
        .select(Section::as_select())
        .first(conn)
        .optional()
}

pub fn find_category(
    conn: &mut PgConnection,
    section_slug: &str,
    category_slug: &str,
) -> QueryResult<Option<(Section, Category)>> {
    sections::table
        .inner_join(categories::table)
        .filter(sections::slug.eq(section_slug))
        .filter(categories::slug.eq(category_slug))
        .select((Section::as_select(), Category::as_select()))
        .first(conn)
        .optional()
}

pub fn find_category_by_id(conn: &mut PgConnection, id: i32) -> QueryResult<(Section, Category)> {
    sections::table
        .inner_join(categories::table)
        .filter(categories::id.eq(id))
        .select((Section::as_select(), Category::as_select()))
        .first(conn)
}

/// The ids of a section's categories (retired ones too: their listings are still listed).
pub fn category_ids_of_section(conn: &mut PgConnection, section_id: i16) -> QueryResult<Vec<i32>> {
    categories::table
        .filter(categories::section_id.eq(section_id))
        .select(categories::id)
        .load(conn)
}

/// Every section with its categories (the ones taking listings).
pub type CategoryTree = Vec<(Section, Vec<Category>)>;

/// Per-category counts of public listings, read again at most every `ttl` (from the counts a
/// trigger keeps: cheap, but not free for every front-page view of a big site). One per app.
/// The category tree comes along (it changes only when admins edit it).
#[derive(Debug)]
pub struct CategoryCounts {
    counts: Snapshot<HashMap<i32, i64>>,
    tree: Snapshot<CategoryTree>,
}

impl CategoryCounts {
    pub fn new(ttl: std::time::Duration) -> Self {
        Self {
            counts: Snapshot::new(ttl),
            tree: Snapshot::new(ttl),
        }
    }

    /// Forgets the tree and the counts: an admin changed the categories (on this instance, or
    /// on another, which says so through the events channel).
    pub fn invalidate(&self) {
        self.tree.invalidate();
        self.counts.invalidate();
    }

    /// The sections and their categories, shared (not copied: categories carry their
    /// attribute definitions).
    pub fn tree(&self, conn: &mut PgConnection) -> QueryResult<Arc<CategoryTree>> {
        self.tree.get(conn, category_tree)
    }

    /// A category by its slugs, from the cached tree (a retired one, not in it, from the
    /// database).
    pub fn find_category(
        &self,
        conn: &mut PgConnection,
        section_slug: &str,
        category_slug: &str,
    ) -> QueryResult<Option<(Section, Category)>> {
        let tree = self.tree.get(conn, category_tree)?;
        let cached = tree
            .iter()
            .find(|(s, _)| s.slug == section_slug)
            .and_then(|(s, cats)| {
                cats.iter()
                    .find(|c| c.slug == category_slug)
                    .map(|c| (s.clone(), c.clone()))
            });
        match cached {
            Some(found) => Ok(Some(found)),
            None => find_category(conn, section_slug, category_slug),
        }
    }

    /// A category and its section by the category's id, from the cached tree (a retired one,
    /// not in it, from the database).
    pub fn category_by_id(
        &self,
        conn: &mut PgConnection,
        id: i32,
    ) -> QueryResult<(Section, Category)> {
        let tree = self.tree.get(conn, category_tree)?;
        let cached = tree.iter().find_map(|(s, cats)| {
            cats.iter()
                .find(|c| c.id == id)
                .map(|c| (s.clone(), c.clone()))
        });
        match cached {
            Some(found) => Ok(found),
            None => find_category_by_id(conn, id),
        }
    }

    /// A section by its slug, from the cached tree.
    pub fn find_section(
        &self,
        conn: &mut PgConnection,
        slug: &str,
    ) -> QueryResult<Option<Section>> {
        let tree = self.tree.get(conn, category_tree)?;
        match tree.iter().find(|(s, _)| s.slug == slug) {
            Some((section, _)) => Ok(Some(section.clone())),
            None => find_section(conn, slug),
        }
    }

    /// Public listings per category, shared.
    pub fn get(&self, conn: &mut PgConnection) -> QueryResult<Arc<HashMap<i32, i64>>> {
        self.counts.get(conn, public_counts_by_category)
    }
}

/// Public listings per category, as of now.
pub fn public_counts_by_category(conn: &mut PgConnection) -> QueryResult<HashMap<i32, i64>> {
    #[derive(QueryableByName)]
    struct Row {
        #[diesel(sql_type = Integer)]
        category_id: i32,
        #[diesel(sql_type = BigInt)]
        n: i64,
    }
    // The counts the trigger keeps, less the listings that expired since the janitor last
    // marked them (few: found through the expiry index).
    let rows: Vec<Row> = diesel::sql_query(
        "SELECT c.category_id, (c.listings - COALESCE(e.n, 0))::bigint AS n
         FROM category_listing_counts c
         LEFT JOIN (SELECT category_id, count(*) AS n FROM listings
                    WHERE status IN ('active', 'pending') AND expires_at <= now()
                    GROUP BY category_id) e ON e.category_id = c.category_id
         WHERE c.listings > COALESCE(e.n, 0)",
    )
    .load(conn)?;
    Ok(rows.into_iter().map(|r| (r.category_id, r.n)).collect())
}

/// Where a page of a list starts: after the listing with this `(renewed_at, id)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cursor {
    pub renewed_at: DateTime<Utc>,
    pub id: ListingId,
}

impl Cursor {
    /// `<microseconds>-<id>`, as used in `?after=`.
    pub fn encode(&self) -> String {
        format!("{}-{}", self.renewed_at.timestamp_micros(), self.id)
    }

    pub fn decode(token: &str) -> Option<Self> {
        let (micros, id) = token.split_once('-')?;
        Some(Self {
            renewed_at: DateTime::from_timestamp_micros(micros.parse().ok()?)?,
            id: id.parse().ok().filter(|id: &ListingId| id.0 > 0)?,
        })
    }
}

/// `listings.status IN ('active', 'pending')` with literal statuses, so that even a generic
/// plan of a prepared statement can use the partial indexes. (Diesel's `sql` fragments and
/// `eq_any` lists make a statement uncacheable; this one stays cacheable.)
#[derive(Debug, Clone, Copy, diesel::query_builder::QueryId, diesel::expression::ValidGrouping)]
struct IsPublic;

impl Expression for IsPublic {
    type SqlType = diesel::sql_types::Bool;
}

impl<QS> AppearsOnTable<QS> for IsPublic {}

impl<QS> SelectableExpression<QS> for IsPublic {}

impl diesel::query_builder::QueryFragment<diesel::pg::Pg> for IsPublic {
    fn walk_ast<'b>(
        &'b self,
        mut out: diesel::query_builder::AstPass<'_, 'b, diesel::pg::Pg>,
    ) -> QueryResult<()> {
        out.push_sql("\"listings\".\"status\" IN ('active', 'pending')");
        Ok(())
    }
}

/// `(renewed_at, id) < (cursor)`: a row comparison, so the index scan starts right at the
/// cursor. Cacheable, like [`IsPublic`].
#[derive(Debug, Clone, Copy, diesel::query_builder::QueryId, diesel::expression::ValidGrouping)]
struct Before(Cursor);

impl Expression for Before {
    type SqlType = diesel::sql_types::Bool;
}

impl<QS> AppearsOnTable<QS> for Before {}

impl<QS> SelectableExpression<QS> for Before {}

impl diesel::query_builder::QueryFragment<diesel::pg::Pg> for Before {
    fn walk_ast<'b>(
        &'b self,
        mut out: diesel::query_builder::AstPass<'_, 'b, diesel::pg::Pg>,
    ) -> QueryResult<()> {
        out.push_sql("(\"listings\".\"renewed_at\", \"listings\".\"id\") < (");
        out.push_bind_param::<Timestamptz, _>(&self.0.renewed_at)?;
        out.push_sql(", ");
        out.push_bind_param::<BigInt, _>(&self.0.id)?;
        out.push_sql(")");
        Ok(())
    }
}

/// What a list shows of a listing.
#[derive(Debug, Clone, Queryable, QueryableByName)]
pub struct ListingCard {
    #[diesel(sql_type = BigInt)]
    pub id: ListingId,
    #[diesel(sql_type = Text)]
    pub title: String,
    #[diesel(sql_type = Nullable<BigInt>)]
    pub price_cents: Option<i64>,
    #[diesel(sql_type = Bool)]
    pub is_free: bool,
    #[diesel(sql_type = Text)]
    pub status: ListingStatus,
    #[diesel(sql_type = Text)]
    pub zip: String,
    #[diesel(sql_type = Timestamptz)]
    pub renewed_at: DateTime<Utc>,
    #[diesel(sql_type = Nullable<Text>)]
    pub thumb_key: Option<crate::storage::ObjectKey>,
    #[diesel(sql_type = SmallInt)]
    pub photo_count: i16,
    #[diesel(sql_type = Integer)]
    pub category_id: i32,
    #[diesel(sql_type = Nullable<Text>)]
    pub price_unit: Option<super::terms::PriceUnit>,
    #[diesel(sql_type = Nullable<BigInt>)]
    pub price_max_cents: Option<i64>,
    #[diesel(sql_type = Nullable<diesel::sql_types::Timestamp>)]
    pub starts_at: Option<chrono::NaiveDateTime>,
}

impl ListingCard {
    pub fn cursor(&self) -> Cursor {
        Cursor {
            renewed_at: self.renewed_at,
            id: self.id,
        }
    }
}

/// Which public list (the home, section and category pages are searches: see
/// `search::service::browse`).
#[derive(Debug, Clone, Copy)]
pub enum Scope {
    /// A member's listings, for their profile and its feed.
    Owner(UserId),
}

/// A page of public listings, newest first. Fetches one more than `limit` so the caller
/// knows whether there is a next page.
///
/// Built with the query builder, so each shape (first or later page) is a prepared statement
/// the connection keeps.
pub fn public_listings(
    conn: &mut PgConnection,
    scope: Scope,
    after: Option<Cursor>,
    limit: i64,
) -> QueryResult<Vec<ListingCard>> {
    use diesel::dsl::now;

    let mut query = listings::table
        .filter(IsPublic)
        .filter(listings::expires_at.gt(now))
        .into_boxed();
    query = match scope {
        Scope::Owner(id) => query.filter(listings::owner_id.eq(id)),
    };
    if let Some(after) = after {
        query = query.filter(Before(after));
    }
    query
        .order((listings::renewed_at.desc(), listings::id.desc()))
        .limit(limit)
        .select((
            listings::id,
            listings::title,
            listings::price_cents,
            listings::is_free,
            listings::status,
            listings::zip,
            listings::renewed_at,
            listings::cover_thumb_key,
            listings::photo_count,
            listings::category_id,
            listings::price_unit,
            listings::price_max_cents,
            listings::starts_at,
        ))
        .load(conn)
}

/// How far "similar listings" reach from a listing.
pub const SIMILAR_WITHIN_MILES: f64 = 50.0;
/// The nearest listings of the category that "similar listings" choose from.
const SIMILAR_CANDIDATES: i64 = 30;

/// Listings like `listing`, for its page: of the [`SIMILAR_CANDIDATES`] nearest public
/// listings in its category within [`SIMILAR_WITHIN_MILES`] (read nearest first through
/// `listings_category_earth_idx`), those sharing more of its title's words first, then the
/// nearest. Bounded whatever the data.
///
/// The connection keeps the statement prepared (its text holds no value but the constants), so
/// PostgreSQL plans it a few times and then reuses its generic plan, the same nearest-first
/// scan: planning it took 0.5 ms, as long as running it, on every listing's first view.
pub fn similar_listings(
    conn: &mut PgConnection,
    listing: &Listing,
    limit: i64,
) -> QueryResult<Vec<ListingCard>> {
    use crate::db::statement::{Param, Statement};
    let (latitude, longitude) = (
        Param::Double(listing.latitude),
        Param::Double(listing.longitude),
    );
    let mut s = Statement::default();
    s.push(
        "WITH near AS (
             SELECT l.id, l.search,
                    ll_to_earth(l.latitude, l.longitude) <-> ll_to_earth(",
    )
    .bind(latitude.clone())
    .push(", ")
    .bind(longitude.clone())
    .push(
        ") AS distance
               FROM listings l
              WHERE l.status IN ('active', 'pending') AND l.category_id = ",
    )
    .bind(Param::Int(listing.category_id))
    .push(" AND l.id <> ")
    .bind(Param::BigInt(listing.id.0))
    .push(
        "
                AND l.expires_at > now()
              ORDER BY ll_to_earth(l.latitude, l.longitude) <-> ll_to_earth(",
    );
    s.bind(latitude)
        .push(", ")
        .bind(longitude)
        .push(")\n              LIMIT ")
        .number(SIMILAR_CANDIDATES)
        .push(
            "
         ), words AS (
             SELECT (SELECT string_agg(quote_literal(t.lexeme), ' | ')
                       FROM unnest(to_tsvector('english', ",
        )
        .bind(Param::Text(listing.title.clone()))
        .push(
            ")) t)::tsquery AS q
         )
         SELECT l.id, l.title, l.price_cents, l.is_free, l.status, l.zip, l.renewed_at,
                l.cover_thumb_key AS thumb_key, l.photo_count, l.category_id,
                l.price_unit, l.price_max_cents, l.starts_at
           FROM near JOIN listings l ON l.id = near.id, words
          WHERE near.distance <= ",
        )
        .bind(Param::Double(SIMILAR_WITHIN_MILES * 1609.344))
        .push(
            "
          ORDER BY COALESCE(ts_rank(near.search, words.q), 0) DESC, near.distance, l.id
          LIMIT ",
        )
        .number(limit);
    s.prepared::<diesel::sql_types::Untyped>().load(conn)
}

/// The member's listings that no longer show in public lists (sold, expired, deleted, hidden,
/// removed), newest first.
pub fn past_listings_of_owner(
    conn: &mut PgConnection,
    owner_id: UserId,
    limit: i64,
) -> QueryResult<Vec<Listing>> {
    listings::table
        .filter(listings::owner_id.eq(owner_id))
        .filter(
            listings::status
                .ne_all(ListingStatus::LISTED)
                .or(listings::expires_at.le(diesel::dsl::now)),
        )
        .order(listings::updated_at.desc())
        .limit(limit)
        .select(Listing::as_select())
        .load(conn)
}

/// How many listings a member has that are not deleted.
pub fn count_listings_of(conn: &mut PgConnection, owner_id: UserId) -> QueryResult<i64> {
    listings::table
        .filter(listings::owner_id.eq(owner_id))
        .filter(listings::status.ne(ListingStatus::Deleted))
        .count()
        .get_result(conn)
}

/// Removes every listing of a member (their account is being deleted).
pub fn remove_all_of_owner(conn: &mut PgConnection, owner_id: UserId) -> QueryResult<usize> {
    diesel::update(
        listings::table
            .filter(listings::owner_id.eq(owner_id))
            .filter(listings::status.ne_all([ListingStatus::Removed, ListingStatus::Deleted])),
    )
    .set((
        listings::status.eq(ListingStatus::Deleted),
        listings::deleted_at.eq(diesel::dsl::now),
    ))
    .execute(conn)
}

/// When the newest public listing was posted or renewed (read from the newest-first index).
pub fn newest_public_listing_at(conn: &mut PgConnection) -> QueryResult<Option<DateTime<Utc>>> {
    listings::table
        .filter(IsPublic)
        .select(listings::renewed_at)
        .order(listings::renewed_at.desc())
        .first(conn)
        .optional()
}

pub fn find_listing(conn: &mut PgConnection, id: ListingId) -> QueryResult<Option<Listing>> {
    listings::table
        .find(id)
        .select(Listing::as_select())
        .first(conn)
        .optional()
}

/// What the listing page reads about its listing, for one viewer: the listing, its owner, its
/// photos in order, and whether the viewer saved it and how they flagged it.
pub struct ListingForViewer {
    pub listing: Listing,
    pub owner: crate::accounts::models::MemberName,
    pub photos: Vec<Photo>,
    pub favorite: bool,
    pub flag: Option<(
        crate::moderation::domain::FlagReason,
        Option<crate::moderation::domain::Decision>,
    )>,
}

/// The listing page's listing for `viewer`, in one statement: a row per photo (at most the
/// few a listing may have), each with the listing, its owner and the viewer's marks. A
/// visitor who is not logged in has no marks: their statement does not join favourites and
/// flags at all (most views are theirs; the two joins were a third of its PostgreSQL time).
pub fn find_listing_for_viewer(
    conn: &mut PgConnection,
    id: ListingId,
    viewer: Option<UserId>,
) -> QueryResult<Option<ListingForViewer>> {
    use crate::accounts::models::MemberName;
    use crate::db::schema::{favorites, flags, users};
    type Flag = (
        crate::moderation::domain::FlagReason,
        Option<crate::moderation::domain::Decision>,
    );
    type Row = (
        Listing,
        MemberName,
        Option<Photo>,
        Option<DateTime<Utc>>,
        Option<Flag>,
    );
    let listing_owner_photos = || {
        listings::table
            .inner_join(users::table)
            .left_join(
                listing_photos::table.on(listing_photos::listing_id.eq(listings::id.nullable())),
            )
            .filter(listings::id.eq(id))
    };
    let order = (listing_photos::position, listing_photos::created_at);
    let rows: Vec<Row> = match viewer {
        None => listing_owner_photos()
            .order(order)
            .select((
                Listing::as_select(),
                MemberName::as_select(),
                Option::<Photo>::as_select(),
            ))
            .load::<(Listing, MemberName, Option<Photo>)>(conn)?
            .into_iter()
            .map(|(listing, owner, photo)| (listing, owner, photo, None, None))
            .collect(),
        Some(viewer) => listing_owner_photos()
            .left_join(
                favorites::table.on(favorites::listing_id
                    .eq(listings::id)
                    .and(favorites::user_id.eq(viewer))),
            )
            .left_join(
                flags::table.on(flags::listing_id
                    .eq(listings::id)
                    .and(flags::user_id.eq(viewer))),
            )
            .order(order)
            .select((
                Listing::as_select(),
                MemberName::as_select(),
                Option::<Photo>::as_select(),
                favorites::created_at.nullable(),
                (flags::reason, flags::decision).nullable(),
            ))
            .load(conn)?,
    };
    let mut photos = Vec::with_capacity(rows.len());
    let mut first = None;
    for (listing, owner, photo, favorite, flag) in rows {
        photos.extend(photo);
        first.get_or_insert((listing, owner, favorite.is_some(), flag));
    }
    Ok(
        first.map(|(listing, owner, favorite, flag)| ListingForViewer {
            listing,
            owner,
            photos,
            favorite,
            flag,
        }),
    )
}

/// `listings` as the versions of its rows: the system column `xmin` (the transaction that wrote
/// the row's current version), which every update of the row changes. Diesel's generated
/// schema lists no system column.
mod row_versions {
    diesel::table! {
        use diesel::sql_types::BigInt;
        use crate::db::types::Xid;

        #[sql_name = "listings"]
        listing_versions (id) {
            id -> BigInt,
            xmin -> Xid,
        }
    }
}

/// The version of the listing's page, by its key; `None` when it is gone. It is the version of
/// the listing's row: triggers touch the row when its photos or its seller's name change (see
/// `page_cache`).
pub fn page_version(conn: &mut PgConnection, id: ListingId) -> QueryResult<Option<i64>> {
    use row_versions::listing_versions;
    listing_versions::table
        .find(id)
        .select(listing_versions::xmin)
        .first(conn)
        .optional()
}

pub fn photos_of(conn: &mut PgConnection, listing_id: ListingId) -> QueryResult<Vec<Photo>> {
    listing_photos::table
        .filter(listing_photos::listing_id.eq(listing_id))
        .order((listing_photos::position, listing_photos::created_at))
        .select(Photo::as_select())
        .load(conn)
}

/// A photo of a listing anyone may see (see [`Listing::is_public`]), for its public URL.
pub fn public_photo(conn: &mut PgConnection, photo_id: Uuid) -> QueryResult<Option<Photo>> {
    listing_photos::table
        .inner_join(listings::table)
        .filter(listing_photos::id.eq(photo_id))
        .filter(listings::status.eq_any(ListingStatus::OWNER_CHANGEABLE))
        .select(Photo::as_select())
        .first(conn)
        .optional()
}

/// The owner's pending uploads among `ids` (others' and attached ones are left out).
pub fn pending_photos(
    conn: &mut PgConnection,
    owner_id: UserId,
    ids: &[Uuid],
) -> QueryResult<Vec<Photo>> {
    listing_photos::table
        .filter(listing_photos::id.eq_any(ids))
        .filter(listing_photos::owner_id.eq(owner_id))
        .filter(listing_photos::listing_id.is_null())
        .order(listing_photos::created_at)
        .select(Photo::as_select())
        .load(conn)
}

/// Records a stored photo as a pending upload.
pub fn insert_photo(conn: &mut PgConnection, photo: &Photo) -> QueryResult<()> {
    diesel::insert_into(listing_photos::table)
        .values(photo)
        .execute(conn)
        .map(|_| ())
}

/// Creates a listing and attaches the owner's pending photos to it, in their given order.
pub fn create_listing(
    conn: &mut PgConnection,
    new: &NewListing<'_>,
    photo_ids: &[Uuid],
) -> QueryResult<Listing> {
    conn.transaction(|conn| {
        let listing: Listing = diesel::insert_into(listings::table)
            .values(new)
            .returning(Listing::as_returning())
            .get_result(conn)?;
        attach_photos(conn, &listing, photo_ids, 0)?;
        Ok(listing)
    })
}

/// Sets the descriptions (alt texts) of a member's pending photos.
pub fn describe_pending_photos(
    conn: &mut PgConnection,
    owner_id: UserId,
    alt_texts: &[(Uuid, String)],
) -> QueryResult<()> {
    for (id, alt) in alt_texts {
        diesel::update(
            listing_photos::table
                .filter(listing_photos::id.eq(id))
                .filter(listing_photos::owner_id.eq(owner_id))
                .filter(listing_photos::listing_id.is_null()),
        )
        .set(listing_photos::alt_text.eq(alt))
        .execute(conn)?;
    }
    Ok(())
}

/// Attaches pending photos to `listing` from `first_position` on.
fn attach_photos(
    conn: &mut PgConnection,
    listing: &Listing,
    photo_ids: &[Uuid],
    first_position: i16,
) -> QueryResult<()> {
    for (i, id) in photo_ids.iter().enumerate() {
        diesel::update(
            listing_photos::table
                .filter(listing_photos::id.eq(id))
                .filter(listing_photos::owner_id.eq(listing.owner_id))
                .filter(listing_photos::listing_id.is_null()),
        )
        .set((
            listing_photos::listing_id.eq(listing.id),
            listing_photos::position.eq(first_position + i as i16),
        ))
        .execute(conn)?;
    }
    Ok(())
}

/// What an edit does to the photos.
#[derive(Debug, Default, Clone)]
pub struct PhotoEdits {
    /// Photos to drop (their objects are deleted by the caller).
    pub remove: Vec<Uuid>,
    /// New order of the kept photos (unlisted ones keep their place after these).
    pub order: Vec<Uuid>,
    /// New alt texts.
    pub alt_texts: Vec<(Uuid, String)>,
    /// Pending uploads to add at the end.
    pub add: Vec<Uuid>,
}

/// Saves an edit; returns the removed photos so their objects can be deleted. The listing
/// row is locked meanwhile, so two edits at once cannot together attach more than
/// `max_photos` (new uploads past the limit stay pending, and the janitor removes them).
pub fn update_listing(
    conn: &mut PgConnection,
    listing: &Listing,
    changes: &ListingChanges<'_>,
    photos: &PhotoEdits,
    max_photos: usize,
) -> QueryResult<Vec<Photo>> {
    conn.transaction(|conn| {
        lock_listing(conn, listing.id)?;
        diesel::update(listings::table.find(listing.id))
            .set(changes)
            .execute(conn)?;
        let edited = apply_photo_edits(conn, listing, photos, max_photos)?;
        Ok(edited.removed)
    })
}

/// What [`edit_photos`] did.
#[derive(Debug)]
pub struct EditedPhotos {
    /// The photos it removed (their objects are the caller's to delete).
    pub removed: Vec<Photo>,
    /// How many of the pending uploads it attached (fewer than given when the listing
    /// filled up meanwhile).
    pub attached: usize,
    /// The listing's photos now, in order.
    pub photos: Vec<Photo>,
}

/// Changes only the photos of a listing (removing, ordering, describing, adding), under the
/// listing's row lock like [`update_listing`].
pub fn edit_photos(
    conn: &mut PgConnection,
    listing: &Listing,
    photos: &PhotoEdits,
    max_photos: usize,
) -> QueryResult<EditedPhotos> {
    conn.transaction(|conn| {
        lock_listing(conn, listing.id)?;
        apply_photo_edits(conn, listing, photos, max_photos)
    })
}

fn lock_listing(conn: &mut PgConnection, id: ListingId) -> QueryResult<()> {
    listings::table
        .find(id)
        .select(listings::id)
        .for_update()
        .first::<i64>(conn)
        .map(|_| ())
}

fn apply_photo_edits(
    conn: &mut PgConnection,
    listing: &Listing,
    photos: &PhotoEdits,
    max_photos: usize,
) -> QueryResult<EditedPhotos> {
    let removed: Vec<Photo> = diesel::delete(
        listing_photos::table
            .filter(listing_photos::listing_id.eq(listing.id))
            .filter(listing_photos::id.eq_any(&photos.remove)),
    )
    .returning(Photo::as_returning())
    .get_results(conn)?;
    for (id, alt) in &photos.alt_texts {
        diesel::update(
            listing_photos::table
                .filter(listing_photos::listing_id.eq(listing.id))
                .filter(listing_photos::id.eq(id)),
        )
        .set(listing_photos::alt_text.eq(alt))
        .execute(conn)?;
    }
    // Renumber: the given order first, then the rest as they were.
    let mut kept = photos_of(conn, listing.id)?;
    kept.sort_by_key(|p| {
        photos
            .order
            .iter()
            .position(|id| *id == p.id)
            .unwrap_or(usize::MAX)
    });
    for (i, photo) in kept.iter().enumerate() {
        if photo.position != i as i16 {
            diesel::update(listing_photos::table.find(photo.id))
                .set(listing_photos::position.eq(i as i16))
                .execute(conn)?;
        }
    }
    let room = max_photos.saturating_sub(kept.len()).min(photos.add.len());
    attach_photos(conn, listing, &photos.add[..room], kept.len() as i16)?;
    Ok(EditedPhotos {
        removed,
        attached: room,
        photos: photos_of(conn, listing.id)?,
    })
}

/// Sets a listing's status if it is now one of `from`; returns whether it was. The condition
/// is part of the update, so a moderator's change made meanwhile is never overwritten.
pub fn set_status(
    conn: &mut PgConnection,
    listing_id: ListingId,
    status: ListingStatus,
    from: &[ListingStatus],
) -> QueryResult<bool> {
    diesel::update(
        listings::table
            .find(listing_id)
            .filter(listings::status.eq_any(from)),
    )
    .set(listings::status.eq(status))
    .execute(conn)
    .map(|n| n == 1)
}

/// The statuses a listing may be renewed from (a sold one is marked available first).
pub const RENEWABLE: [ListingStatus; 3] = [
    ListingStatus::Active,
    ListingStatus::Pending,
    ListingStatus::Expired,
];

/// Moves a listing to the top and gives it a new lifetime, if it is renewable; returns
/// whether it was.
pub fn renew(
    conn: &mut PgConnection,
    listing_id: ListingId,
    expires_at: DateTime<Utc>,
) -> QueryResult<bool> {
    diesel::update(
        listings::table
            .find(listing_id)
            .filter(listings::status.eq_any(RENEWABLE)),
    )
    .set((
        listings::renewed_at.eq(diesel::dsl::now),
        listings::expires_at.eq(expires_at),
        listings::status.eq(ListingStatus::Active),
    ))
    .execute(conn)
    .map(|n| n == 1)
}

/// Deletes a listing its owner may change (see [`ListingStatus::OWNER_CHANGEABLE`]),
/// remembering its status for a restore; returns whether it was deleted.
pub fn delete_by_owner(conn: &mut PgConnection, listing_id: ListingId) -> QueryResult<bool> {
    diesel::sql_query(
        "UPDATE listings SET status_before_delete = status, status = 'deleted', deleted_at = now()
         WHERE id = $1 AND status = ANY($2)",
    )
    .bind::<BigInt, _>(listing_id)
    .bind::<diesel::sql_types::Array<diesel::sql_types::Text>, _>(
        ListingStatus::OWNER_CHANGEABLE.to_vec(),
    )
    .execute(conn)
    .map(|n| n == 1)
}

/// How long a deleted listing can be restored.
pub const RESTORE_WITHIN: std::time::Duration = std::time::Duration::from_secs(30 * 86_400);

/// Brings a listing deleted less than [`RESTORE_WITHIN`] ago back to the status it had;
/// returns whether it did.
pub fn restore(conn: &mut PgConnection, listing_id: ListingId) -> QueryResult<bool> {
    diesel::sql_query(
        "UPDATE listings
         SET status = COALESCE(status_before_delete, 'active'), status_before_delete = NULL,
             deleted_at = NULL
         WHERE id = $1 AND status = 'deleted' AND deleted_at > now() - make_interval(secs => $2)",
    )
    .bind::<BigInt, _>(listing_id)
    .bind::<diesel::sql_types::Double, _>(RESTORE_WITHIN.as_secs_f64())
    .execute(conn)
    .map(|n| n == 1)
}

/// Marks up to `batch` public listings past their expiry as expired: they leave the public
/// indexes and the counts the triggers keep. Returns how many it marked.
pub fn expire_listings(conn: &mut PgConnection, batch: i64) -> QueryResult<usize> {
    diesel::sql_query(
        "UPDATE listings SET status = 'expired'
         WHERE id IN (SELECT id FROM listings
                      WHERE status IN ('active', 'pending') AND expires_at <= now()
                      LIMIT $1)",
    )
    .bind::<BigInt, _>(batch)
    .execute(conn)
}

/// Photo objects no longer needed: pending uploads older than `grace`, whose rows go now.
pub fn take_stale_pending_photos(
    conn: &mut PgConnection,
    older_than: DateTime<Utc>,
) -> QueryResult<Vec<Photo>> {
    diesel::delete(
        listing_photos::table
            .filter(listing_photos::listing_id.is_null())
            .filter(listing_photos::created_at.lt(older_than)),
    )
    .returning(Photo::as_returning())
    .get_results(conn)
}

/// Photos of deleted listings that can no longer come back: deleted by their owner before
/// `owner_cutoff` (past the restore window), or taken down with their owner's account before
/// `account_cutoff`. Up to `batch` rows go now; their objects are the caller's to delete.
pub fn take_photos_of_deleted_listings(
    conn: &mut PgConnection,
    owner_cutoff: DateTime<Utc>,
    account_cutoff: DateTime<Utc>,
    batch: i64,
) -> QueryResult<Vec<Photo>> {
    use crate::accounts::models::UserStatus;
    use crate::db::schema::users;
    let deleted_accounts = users::table
        .filter(users::status.eq(UserStatus::Deleted))
        .select(users::id);
    let gone = listings::table
        .filter(listings::status.eq(ListingStatus::Deleted))
        .filter(
            listings::deleted_at
                .lt(owner_cutoff)
                .or(listings::deleted_at
                    .lt(account_cutoff)
                    .and(listings::owner_id.eq_any(deleted_accounts))),
        )
        .select(listings::id.nullable());
    let ids: Vec<Uuid> = listing_photos::table
        .filter(listing_photos::listing_id.eq_any(gone))
        .select(listing_photos::id)
        .limit(batch)
        .load(conn)?;
    diesel::delete(listing_photos::table.filter(listing_photos::id.eq_any(&ids)))
        .returning(Photo::as_returning())
        .get_results(conn)
}

/// Whether any photo row refers to `key`.
pub fn photo_key_in_use(
    conn: &mut PgConnection,
    key: &crate::storage::ObjectKey,
) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        listing_photos::table.filter(
            listing_photos::display_key
                .eq(key)
                .or(listing_photos::thumb_key.eq(key)),
        ),
    ))
    .get_result(conn)
}

/// Deletes pending uploads of `owner_id` among `ids` (a request that stored some of its
/// photos and then failed); returns them so their objects can be deleted.
pub fn delete_pending_photos(
    conn: &mut PgConnection,
    owner_id: UserId,
    ids: &[Uuid],
) -> QueryResult<Vec<Photo>> {
    diesel::delete(
        listing_photos::table
            .filter(listing_photos::id.eq_any(ids))
            .filter(listing_photos::owner_id.eq(owner_id))
            .filter(listing_photos::listing_id.is_null()),
    )
    .returning(Photo::as_returning())
    .get_results(conn)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_reject_garbage() {
        let cursor = Cursor {
            renewed_at: DateTime::from_timestamp_micros(1_700_000_000_123_456).unwrap(),
            id: ListingId(42),
        };
        assert_eq!(Cursor::decode(&cursor.encode()), Some(cursor));
        for bad in [
            "",
            "x-1",
            "1-x",
            "1",
            "1-0",
            "1--5",
            "99999999999999999999-1",
        ] {
            assert_eq!(Cursor::decode(bad), None, "{bad}");
        }
    }
}
