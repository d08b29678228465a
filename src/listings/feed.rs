//! Listings as an Atom feed: the search's and a seller's. Each entry names the listing by a
//! URL that never changes (its number, not its title's slug), carries its price, place,
//! category and first photo (at its stable address), and says nothing relative ("2 days
//! ago" is wrong by the time a reader shows it).

use std::collections::HashMap;

use actix_web::HttpResponse;
use actix_web::http::header;
use askama::Template;
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use uuid::Uuid;

use super::domain::slugify;
use super::handlers::PhotoVariant;
use super::queries::CategoryTree;
use crate::db::ids::ListingId;
use crate::db::schema::listing_photos;
use crate::web::AppError;
use crate::web::text::xml_safe;

/// Entries in a feed.
pub const FEED_SIZE: i64 = 50;

/// What a feed shows of a listing.
#[derive(Debug, Clone)]
pub struct FeedListing {
    pub id: ListingId,
    pub title: String,
    pub price_cents: Option<i64>,
    pub is_free: bool,
    pub zip: String,
    pub category_id: i32,
    pub renewed_at: DateTime<Utc>,
    pub price_unit: Option<super::terms::PriceUnit>,
    pub price_max_cents: Option<i64>,
    pub starts_at: Option<chrono::NaiveDateTime>,
}

impl From<&super::queries::ListingCard> for FeedListing {
    fn from(card: &super::queries::ListingCard) -> Self {
        Self {
            id: card.id,
            title: card.title.clone(),
            price_cents: card.price_cents,
            is_free: card.is_free,
            zip: card.zip.clone(),
            category_id: card.category_id,
            renewed_at: card.renewed_at,
            price_unit: card.price_unit,
            price_max_cents: card.price_max_cents,
            starts_at: card.starts_at,
        }
    }
}

#[derive(Debug, Clone)]
pub struct FeedEntry {
    pub id: String,
    pub url: String,
    pub title: String,
    pub updated: String,
    pub summary: String,
    /// "section/category" and the category's name.
    pub category: Option<(String, String)>,
    pub photo: Option<String>,
}

#[derive(Template)]
#[template(path = "listings/feed.xml")]
pub struct Feed {
    pub title: String,
    pub self_url: String,
    pub alternate_url: String,
    pub updated: String,
    pub site_name: String,
    pub site_url: String,
    pub entries: Vec<FeedEntry>,
}

/// The first photo of each listing that has one.
pub fn cover_photos(
    conn: &mut PgConnection,
    ids: &[ListingId],
) -> QueryResult<HashMap<ListingId, Uuid>> {
    let rows: Vec<(Option<ListingId>, Uuid)> = listing_photos::table
        .filter(listing_photos::listing_id.eq_any(ids))
        .order((
            listing_photos::listing_id,
            listing_photos::position,
            listing_photos::created_at,
            listing_photos::id,
        ))
        .distinct_on(listing_photos::listing_id)
        .select((listing_photos::listing_id, listing_photos::id))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .filter_map(|(listing, photo)| listing.map(|l| (l, photo)))
        .collect())
}

/// A feed of `listings` (newest first), titled `title`, at `self_path`, of the page at
/// `alternate_path`; `site_url` is the public URL (no trailing slash).
#[allow(clippy::too_many_arguments)]
pub fn feed(
    site_name: &str,
    site_url: &str,
    title: &str,
    self_path: &str,
    alternate_path: &str,
    listings: &[FeedListing],
    photos: &HashMap<ListingId, Uuid>,
    tree: &CategoryTree,
) -> Feed {
    let categories: HashMap<i32, (String, String)> = tree
        .iter()
        .flat_map(|(s, cats)| {
            cats.iter()
                .map(|c| (c.id, (format!("{}/{}", s.slug, c.slug), c.name.clone())))
        })
        .collect();
    let entries = listings
        .iter()
        .map(|l| {
            let category = categories.get(&l.category_id).cloned();
            let mut summary: Vec<String> = Vec::new();
            if let Some(starts) = l.starts_at {
                // An event's own date, written out: never relative.
                summary.push(starts.format("%a, %b %-d, %Y, %-I:%M %p").to_string());
            }
            if let Some(price) =
                super::terms::terms_label(l.price_cents, l.is_free, l.price_max_cents, l.price_unit)
            {
                summary.push(price);
            }
            summary.push(crate::places::label_of(&l.zip));
            if let Some((_, name)) = &category {
                summary.push(name.clone());
            }
            FeedEntry {
                id: format!("{site_url}/listings/{}", l.id),
                url: format!("{site_url}/listings/{}/{}", l.id, slugify(&l.title)),
                title: xml_safe(&l.title),
                updated: l.renewed_at.to_rfc3339(),
                summary: xml_safe(&summary.join(" · ")),
                category,
                photo: photos.get(&l.id).map(|photo| {
                    format!(
                        "{site_url}{}",
                        super::handlers::public_photo_path(*photo, PhotoVariant::Display)
                    )
                }),
            }
        })
        .collect();
    Feed {
        title: xml_safe(title),
        self_url: format!("{site_url}{self_path}"),
        alternate_url: format!("{site_url}{alternate_path}"),
        updated: listings
            .first()
            .map_or_else(Utc::now, |l| l.renewed_at)
            .to_rfc3339(),
        site_name: xml_safe(site_name),
        site_url: site_url.to_owned(),
        entries,
    }
}

/// The feed as a response.
pub fn respond(feed: &Feed) -> Result<HttpResponse, AppError> {
    let body = feed
        .render()
        .map_err(|err| anyhow::anyhow!("cannot render the feed: {err}"))?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, "application/atom+xml; charset=utf-8"))
        .body(body))
}
