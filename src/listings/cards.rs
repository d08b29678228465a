//! Listings as lists show them: cards with their thumbnail, price and place, and the
//! category tree with counts. Shared by every page with a list (browse, search, home,
//! profiles).

use chrono::Utc;

use super::domain::format_price;
use super::models::{Category, Section};
use super::photos as listing_photos;
use super::queries::ListingCard;
use super::views::{CardView, CategoryLink, SectionTree};
use crate::storage::Storage;
use crate::web::time::{ago, exact};

/// Cards for a page, with signed thumbnail URLs.
pub async fn card_views(storage: &Storage, cards: &[ListingCard]) -> Vec<CardView> {
    let now = Utc::now();
    let mut views = Vec::with_capacity(cards.len());
    for card in cards {
        views.push(CardView {
            path: format!(
                "/listings/{}/{}",
                card.id,
                super::domain::slugify(&card.title)
            ),
            title: card.title.clone(),
            price: price_label(card.price_cents, card.is_free),
            place: crate::places::label_of(&card.zip),
            thumb_url: listing_photos::thumb_url(storage, card.thumb_key.as_ref()).await,
            photo_count: card.photo_count,
            posted: ago(card.renewed_at, now),
            posted_exact: exact(card.renewed_at),
            pending: card.status == crate::listings::models::ListingStatus::Pending,
        });
    }
    views
}

/// "Free", the price, or nothing.
pub fn price_label(cents: Option<i64>, is_free: bool) -> Option<String> {
    if is_free {
        Some("Free".into())
    } else {
        cents.map(format_price)
    }
}

/// The category tree with public counts, for the front page and section pages.
pub fn section_trees(
    tree: Vec<(Section, Vec<Category>)>,
    counts: &std::collections::HashMap<i32, i64>,
) -> Vec<SectionTree> {
    tree.into_iter()
        .map(|(section, cats)| SectionTree {
            categories: cats
                .into_iter()
                .map(|c| CategoryLink {
                    section_slug: section.slug.clone(),
                    count: counts.get(&c.id).copied().unwrap_or(0),
                    slug: c.slug,
                    name: c.name,
                })
                .collect(),
            slug: section.slug,
            name: section.name,
        })
        .collect()
}
