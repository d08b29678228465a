use askama::Template;
use askama_web::WebTemplate;

use super::domain::{Posted, Search, Sort, View};
use super::queries::SearchRow;
use crate::listings::cards::CardContext;
use crate::listings::domain::{AttributeDef, AttributeKind};
use crate::listings::photos::thumb_url;
use crate::listings::queries as listing_queries;
use crate::listings::views::{CardView, CategoryLink};
use crate::storage::Storage;
use crate::web::PageContext;

/// A detail the chosen category can be filtered by, with what is asked now.
#[derive(Debug, Clone)]
pub struct AttributeFilterField {
    pub def: AttributeDef,
    /// For numbers: (min, max); otherwise the first is the value.
    pub value: String,
    pub max_value: String,
}

impl AttributeFilterField {
    pub fn build(defs: &[AttributeDef], search: &Search) -> Vec<Self> {
        let get = |name: String| {
            search
                .attributes
                .iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| v.clone())
                .unwrap_or_default()
        };
        defs.iter()
            .map(|def| Self {
                value: match def.kind {
                    AttributeKind::Int { .. } | AttributeKind::Number { .. } => {
                        get(format!("attr_{}_min", def.key))
                    }
                    _ => get(format!("attr_{}", def.key)),
                },
                max_value: get(format!("attr_{}_max", def.key)),
                def: def.clone(),
            })
            .collect()
    }

    pub fn is_range(&self) -> bool {
        matches!(
            self.def.kind,
            AttributeKind::Int { .. } | AttributeKind::Number { .. }
        )
    }

    pub fn options(&self) -> Vec<(String, String)> {
        match &self.def.kind {
            AttributeKind::Bool => vec![("yes".into(), "Yes".into()), ("no".into(), "No".into())],
            AttributeKind::Enum { options } => options
                .iter()
                .map(|o| (o.clone(), crate::listings::domain::capitalise(o)))
                .collect(),
            _ => Vec::new(),
        }
    }

    pub fn is_text(&self) -> bool {
        matches!(self.def.kind, AttributeKind::Text { .. })
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "search/results.html")]
pub struct SearchPage {
    pub ctx: PageContext,
    pub search: Search,
    pub problems: Vec<String>,
    /// The sections and their categories for the "In" menu of a search (the cached tree,
    /// shared: a page does not copy it).
    pub sections: std::sync::Arc<listing_queries::CategoryTree>,
    pub attributes: Vec<AttributeFilterField>,
    pub results: Vec<CardView>,
    /// "1–25 of 312", "26–50 of 1,000+", or "No listings match".
    pub summary: String,
    pub suggestion: Option<(String, String)>,
    pub next_page: Option<String>,
    pub first_page_url: Option<String>,
    pub feed_url: String,
    pub heading: String,
    /// The search could not run (its problems are listed).
    pub status_is_bad: bool,
    /// JSON of the map markers (map view only).
    pub markers: String,
    /// The page's path: `/search`, or a section's or category's.
    pub base: String,
    /// A section's or category's page: its place in the tree.
    pub browse: Option<BrowseNav>,
    /// An events category's page (which offers "soonest first").
    pub events: bool,
}

/// Where a section's or category's page sits, and its neighbours.
#[derive(Debug, Clone)]
pub struct BrowseNav {
    pub section_slug: String,
    pub section_name: String,
    /// The category's slug and name, on a category's page.
    pub category: Option<(String, String)>,
    /// The section's categories, with their counts.
    pub links: Vec<CategoryLink>,
    /// "Post a listing" here (the category chosen).
    pub post_url: String,
}

/// A listing on the map.
#[derive(Debug, Clone, serde::Serialize)]
pub struct MapMarker {
    pub lat: f64,
    pub lon: f64,
    pub title: String,
    pub url: String,
    pub price: Option<String>,
}

impl SearchPage {
    pub fn query_text(&self) -> &str {
        self.search.text.as_deref().unwrap_or("")
    }

    pub fn category_value(&self) -> String {
        match (&self.search.section, &self.search.category) {
            (Some(s), Some(c)) => format!("{s}/{c}"),
            (Some(s), None) => s.clone(),
            _ => String::new(),
        }
    }

    pub fn price_text(cents: &Option<i64>) -> String {
        cents.map_or_else(String::new, |c| {
            if c % 100 == 0 {
                (c / 100).to_string()
            } else {
                format!("{}.{:02}", c / 100, c % 100)
            }
        })
    }

    pub fn min_price(&self) -> String {
        Self::price_text(&self.search.min_price)
    }

    pub fn max_price(&self) -> String {
        Self::price_text(&self.search.max_price)
    }

    pub fn zip(&self) -> &str {
        self.search.zip.as_deref().unwrap_or("")
    }

    /// The distances offered, and whether each is the one chosen.
    pub fn radius_options(&self) -> Vec<(u32, bool)> {
        let mut options = vec![1, 5, 10, 25, 50, 100, 200];
        if !options.contains(&self.search.radius_miles) {
            options.push(self.search.radius_miles);
            options.sort_unstable();
        }
        options
            .into_iter()
            .map(|m| (m, m == self.search.radius_miles))
            .collect()
    }

    /// The orders the page offers: "soonest first" only where events are listed.
    pub fn sorts(&self) -> Vec<Sort> {
        Sort::ALL
            .into_iter()
            .filter(|s| *s != Sort::Soonest || self.events || self.search.sort == Sort::Soonest)
            .collect()
    }

    pub fn is_sort(&self, sort: &Sort) -> bool {
        self.search.sort == *sort
    }

    pub fn posted_is(&self, value: &str) -> bool {
        matches!(
            (self.search.posted, value),
            (Posted::Any, "any") | (Posted::Today, "today") | (Posted::Week, "week")
        )
    }

    pub fn is_list(&self) -> bool {
        self.search.view == View::List
    }

    pub fn is_gallery(&self) -> bool {
        self.search.view == View::Gallery
    }

    pub fn is_map(&self) -> bool {
        self.search.view == View::Map
    }

    /// The query string a saved copy of this search keeps.
    pub fn save_query(&self) -> String {
        let url = self.search.unscoped().url_with("/search", &[]);
        url.split_once('?')
            .map_or(String::new(), |(_, q)| q.to_owned())
    }

    /// This search in another view.
    pub fn view_url(&self, view: &str) -> String {
        self.search.url_with(&self.base, &[("view", view)])
    }

    /// The `<title>`: what is listed, and the page after the first.
    pub fn title(&self) -> String {
        let what = match (&self.search.text, &self.browse) {
            (Some(q), _) => format!("“{q}” · {}", self.heading),
            (None, Some(nav)) => nav
                .category
                .as_ref()
                .map_or_else(|| nav.section_name.clone(), |(_, name)| name.clone()),
            (None, None) => "Search".to_owned(),
        };
        if self.search.page > 1 {
            format!("{what} · Page {}", self.search.page)
        } else {
            what
        }
    }

    /// Whether `link` is this page's category.
    pub fn is_current(&self, link: &CategoryLink) -> bool {
        self.browse
            .as_ref()
            .and_then(|nav| nav.category.as_ref())
            .is_some_and(|(slug, _)| *slug == link.slug)
    }

    /// Search engines index the first page of a section or category only.
    pub fn noindex(&self) -> bool {
        self.browse.is_none()
            || self.search.page > 1
            || self.search.after.is_some()
            || self.results.is_empty()
            || !self.search.is_plain()
    }

    /// The canonical URL: a section's or category's bare page; the search as it is.
    pub fn canonical(&self) -> String {
        let path = match &self.browse {
            Some(_) => self.base.clone(),
            None => self.search.url_with("/search", &[]),
        };
        format!("{}{path}", self.ctx.site.public_url)
    }
}

fn cards(rows: &[SearchRow]) -> Vec<listing_queries::ListingCard> {
    rows.iter()
        .map(|r| listing_queries::ListingCard {
            id: r.id,
            title: r.title.clone(),
            price_cents: r.price_cents,
            is_free: r.is_free,
            status: r.status,
            zip: r.zip.clone(),
            renewed_at: r.renewed_at,
            thumb_key: r.thumb_key.clone(),
            photo_count: r.photo_count,
            category_id: r.category_id,
            price_unit: r.price_unit,
            price_max_cents: r.price_max_cents,
            starts_at: r.starts_at,
        })
        .collect()
}

/// Cards for a page of search rows.
pub async fn search_cards(
    storage: &Storage,
    rows: &[SearchRow],
    cx: &CardContext<'_>,
) -> Vec<CardView> {
    let mut views = crate::listings::cards::card_views(storage, &cards(rows), cx).await;
    for (view, row) in views.iter_mut().zip(rows) {
        if view.thumb_url.is_none() {
            view.thumb_url = thumb_url(storage, row.thumb_key.as_ref()).await;
        }
    }
    views
}
