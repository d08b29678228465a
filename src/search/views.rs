use askama::Template;
use askama_web::WebTemplate;

use super::domain::{Posted, Search, Sort, View};
use crate::listings::domain::{AttributeDef, AttributeKind};
use crate::listings::views::{CardView, SectionTree};
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
    pub sections: Vec<SectionTree>,
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

    pub fn sorts(&self) -> [Sort; 5] {
        Sort::ALL
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
        let url = self.search.url_with("/search", &[]);
        url.split_once('?')
            .map_or(String::new(), |(_, q)| q.to_owned())
    }

    /// This search in another view.
    pub fn view_url(&self, view: &str) -> String {
        self.search.url_with("/search", &[("view", view)])
    }
}

/// One entry of an Atom feed.
#[derive(Debug, Clone)]
pub struct FeedEntry {
    pub url: String,
    pub title: String,
    pub updated: String,
    pub summary: String,
}

#[derive(Template)]
#[template(path = "search/feed.xml")]
pub struct Feed {
    pub title: String,
    pub self_url: String,
    pub alternate_url: String,
    pub updated: String,
    pub entries: Vec<FeedEntry>,
}
