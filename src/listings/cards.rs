//! Listings as lists show them: cards with their thumbnail, price and place, and the
//! category tree with counts. Shared by every page with a list (browse, search, home,
//! profiles).

use chrono::Utc;

use super::domain::format_price;
use super::models::{Category, Section};
use super::photos as listing_photos;
use super::queries::{CategoryTree, ListingCard};
use super::views::{CardView, CategoryLink, SectionTree};
use crate::storage::Storage;
use crate::web::area::{Area, distance_label};
use crate::web::time::{ago, exact};

/// What cards show beyond their listing: the categories' names and the visitor's area.
pub struct CardContext<'a> {
    /// Each category's name by id, sorted by id (borrowed from the tree: a page builds this
    /// once, and a few dozen names need no hashing).
    categories: Vec<(i32, &'a str)>,
    near: Option<&'a Area>,
}

impl<'a> CardContext<'a> {
    pub fn new(tree: &'a CategoryTree, near: Option<&'a Area>) -> Self {
        let mut categories: Vec<(i32, &str)> = tree
            .iter()
            .flat_map(|(_, cats)| cats.iter().map(|c| (c.id, c.name.as_str())))
            .collect();
        categories.sort_unstable_by_key(|(id, _)| *id);
        Self { categories, near }
    }

    /// A category's name ("" for one the tree does not hold).
    fn category_name(&self, id: i32) -> &'a str {
        self.categories
            .binary_search_by_key(&id, |(id, _)| *id)
            .map_or("", |at| self.categories[at].1)
    }

    /// "4 mi" from the visitor's area to a ZIP's centre.
    pub fn distance_to(&self, zip: &str) -> Option<String> {
        let area = self.near?;
        let place = crate::places::shipped().get(zip)?;
        Some(distance_label(
            area.miles_to(place.latitude, place.longitude),
        ))
    }
}

/// Cards for a page, with signed thumbnail URLs.
pub async fn card_views(
    storage: &Storage,
    cards: &[ListingCard],
    cx: &CardContext<'_>,
) -> Vec<CardView> {
    let now = Utc::now();
    let mut views = Vec::with_capacity(cards.len());
    for card in cards {
        views.push(CardView {
            category: cx.category_name(card.category_id).to_owned(),
            distance: cx.distance_to(&card.zip),
            path: format!(
                "/listings/{}/{}",
                card.id,
                super::domain::slugify(&card.title)
            ),
            title: card.title.clone(),
            price: super::terms::terms_label(
                card.price_cents,
                card.is_free,
                card.price_max_cents,
                card.price_unit,
            ),
            when: card
                .starts_at
                .map(|at| at.format("%a, %b %-d · %-I:%M %p").to_string()),
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
    tree: &[(Section, Vec<Category>)],
    counts: &std::collections::HashMap<i32, i64>,
) -> Vec<SectionTree> {
    tree.iter()
        .map(|(section, cats)| SectionTree {
            categories: cats
                .iter()
                .map(|c| CategoryLink {
                    section_slug: section.slug.clone(),
                    count: counts.get(&c.id).copied().unwrap_or(0),
                    slug: c.slug.clone(),
                    name: c.name.clone(),
                })
                .collect(),
            slug: section.slug.clone(),
            name: section.name.clone(),
        })
        .collect()
}
