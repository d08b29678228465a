//! Listings as the JSON API shows them (the listings' and the search's endpoints share these).
//! Money is integer cents with a currency code; photo links are the signed ones the pages use.

use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use super::models::{Category, Section};
use crate::places::Place;

/// The site's currency.
pub const CURRENCY: &str = "USD";

/// Where a listing is: its ZIP code's town (never an address).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PlaceOut {
    pub zip: String,
    pub city: String,
    pub state: String,
}

impl From<&Place> for PlaceOut {
    fn from(place: &Place) -> Self {
        Self {
            zip: place.zip.clone(),
            city: place.city.clone(),
            state: place.state.clone(),
        }
    }
}

/// A price: integer cents (absent for "contact" or "free"), with its currency; a range's top,
/// and what it is per (`month`, `hour`, …) where the category says.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PriceOut {
    pub cents: Option<i64>,
    pub max_cents: Option<i64>,
    #[schema(example = "USD")]
    pub currency: &'static str,
    pub per: Option<String>,
    pub free: bool,
}

impl PriceOut {
    pub fn new(
        cents: Option<i64>,
        max_cents: Option<i64>,
        per: Option<super::terms::PriceUnit>,
        free: bool,
    ) -> Self {
        Self {
            cents,
            max_cents,
            currency: CURRENCY,
            per: per.map(|unit| unit.as_str().to_owned()),
            free,
        }
    }
}

/// A listing in a list.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ListingSummary {
    pub id: i64,
    pub title: String,
    pub price: PriceOut,
    /// `active` or `pending` (a sale under way).
    pub status: String,
    pub section: String,
    pub category: String,
    pub place: Option<PlaceOut>,
    pub photo_count: i16,
    /// A signed link to the first photo's thumbnail.
    pub thumb_url: Option<String>,
    /// When it was posted or last renewed.
    pub renewed_at: DateTime<Utc>,
    /// Its page on the site.
    pub path: String,
}

/// A photo of a listing.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PhotoOut {
    pub id: uuid::Uuid,
    /// Signed links, good for a while.
    pub display_url: String,
    pub thumb_url: String,
    pub width: i32,
    pub height: i32,
    pub alt_text: String,
}

/// A listing, whole.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ListingDetail {
    pub id: i64,
    pub title: String,
    pub body: String,
    pub price: PriceOut,
    /// An event's start, in the place's local time (`2026-12-05T19:30`, no offset).
    #[schema(example = "2026-12-05T19:30")]
    pub starts_at: Option<String>,
    /// An event's end, in the place's local time.
    pub ends_at: Option<String>,
    /// `active`, `pending` (a sale under way), `sold`, `expired`, or (seen by its owner
    /// only) `held` or `removed` by the moderators, or `deleted` (restorable for 30 days).
    pub status: String,
    pub section: String,
    pub category: String,
    /// The category's details (see `GET /api/v1/categories` for what each means).
    #[schema(value_type = Object)]
    pub attributes: serde_json::Value,
    pub place: Option<PlaceOut>,
    pub photos: Vec<PhotoOut>,
    /// The seller's username.
    pub seller: String,
    pub created_at: DateTime<Utc>,
    pub renewed_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub path: String,
}

/// A category and the details it asks for, so a client can build its form.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CategoryOut {
    pub id: i32,
    pub slug: String,
    pub name: String,
    /// What its price means: `item`, `free`, `rent`, `property`, `pay`, `event`, `rate` or
    /// `none`.
    pub price_kind: String,
    /// Whether a listing may be free.
    pub allows_free: bool,
    /// Each detail: `key`, `label`, `type` (`int`, `number`, `bool`, `enum`, `text`) and its
    /// limits (`min`/`max`, `options`, `max` length).
    #[schema(value_type = Vec<Object>)]
    pub attributes: Vec<serde_json::Value>,
}

/// A section with its categories.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SectionOut {
    pub slug: String,
    pub name: String,
    pub categories: Vec<CategoryOut>,
}

impl SectionOut {
    pub fn new(section: &Section, categories: &[Category]) -> Self {
        Self {
            slug: section.slug.clone(),
            name: section.name.clone(),
            categories: categories
                .iter()
                .filter(|c| !c.is_retired())
                .map(|c| CategoryOut {
                    id: c.id,
                    slug: c.slug.clone(),
                    name: c.name.clone(),
                    price_kind: c.price_kind.as_str().to_owned(),
                    allows_free: c.allows_free,
                    attributes: c
                        .attribute_defs()
                        .iter()
                        .filter_map(|def| serde_json::to_value(def).ok())
                        .collect(),
                })
                .collect(),
        }
    }
}
