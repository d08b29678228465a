//! A search, parsed from its URL. Every search is a URL (bookmarkable, shareable, a feed);
//! anything malformed becomes a message on the search page, never an error page.

use crate::listings::domain::Price;

pub const MAX_QUERY_CHARS: usize = 200;
/// Words in a search, and `or`s among them: bounds on the work one search can ask for.
pub const MAX_WORDS: usize = 16;
pub const MAX_ORS: usize = 8;
/// Detail filters in one search: more than any category has.
pub const MAX_ATTRIBUTE_FILTERS: usize = 24;
/// The longest query string a search URL may have.
pub const MAX_QUERY_STRING_BYTES: usize = 4096;
pub const DEFAULT_RADIUS_MILES: u32 = 10;
/// The furthest page a link may name (25 a page: 10,000 results).
pub const MAX_PAGE: u32 = 400;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sort {
    Newest,
    PriceLow,
    PriceHigh,
    Nearest,
    BestMatch,
    /// Events, the soonest first (listings without a start are left out).
    Soonest,
}

impl Sort {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Newest => "newest",
            Self::PriceLow => "price_asc",
            Self::PriceHigh => "price_desc",
            Self::Nearest => "nearest",
            Self::BestMatch => "relevance",
            Self::Soonest => "soonest",
        }
    }

    pub const ALL: [Sort; 6] = [
        Sort::Newest,
        Sort::PriceLow,
        Sort::PriceHigh,
        Sort::Nearest,
        Sort::BestMatch,
        Sort::Soonest,
    ];

    pub fn label(self) -> &'static str {
        match self {
            Self::Newest => "Newest",
            Self::PriceLow => "Price: low to high",
            Self::PriceHigh => "Price: high to low",
            Self::Nearest => "Nearest",
            Self::BestMatch => "Best match",
            Self::Soonest => "Soonest first",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum View {
    List,
    Gallery,
    Map,
}

impl View {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::List => "list",
            Self::Gallery => "gallery",
            Self::Map => "map",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Posted {
    Any,
    Today,
    Week,
}

/// A parsed search. Absent filters are `None`.
#[derive(Debug, Clone, PartialEq)]
pub struct Search {
    pub text: Option<String>,
    pub titles_only: bool,
    pub section: Option<String>,
    pub category: Option<String>,
    pub min_price: Option<i64>,
    pub max_price: Option<i64>,
    pub has_photos: bool,
    pub posted: Posted,
    pub zip: Option<String>,
    pub radius_miles: u32,
    pub sort: Sort,
    pub view: View,
    pub after: Option<String>,
    /// `attr_…` filters, checked once the category is known.
    pub attributes: Vec<(String, String)>,
    /// The URL says where (`zip`, maybe empty for everywhere): the visitor's area does not
    /// apply.
    pub place_given: bool,
    /// The section and category come from the page's path (`/c/…`), not the query string.
    pub scoped: bool,
    /// Which page of results this is (for "Page 2"; the cursor says where it starts).
    pub page: u32,
    /// The order the page shows when the URL names none (soonest first for events).
    pub default_sort: Sort,
}

impl Default for Search {
    fn default() -> Self {
        Self {
            text: None,
            titles_only: false,
            section: None,
            category: None,
            min_price: None,
            max_price: None,
            has_photos: false,
            posted: Posted::Any,
            zip: None,
            radius_miles: DEFAULT_RADIUS_MILES,
            sort: Sort::Newest,
            view: View::List,
            after: None,
            attributes: Vec::new(),
            place_given: false,
            scoped: false,
            page: 1,
            default_sort: Sort::Newest,
        }
    }
}

fn slug_ok(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 40
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

fn price(input: &str, what: &str, problems: &mut Vec<String>) -> Option<i64> {
    if input.trim().is_empty() {
        return None;
    }
    match Price::parse(input, false) {
        Ok(p) => p.cents().or(Some(0)),
        Err(_) if input.trim_start().starts_with('-') => {
            problems.push(format!("The {what} price cannot be negative."));
            None
        }
        Err(_) => {
            problems.push(format!(
                "The {what} price should be a number of dollars, like 250."
            ));
            None
        }
    }
}

impl Search {
    /// Nothing to filter but where (section, category, circle), newest first: a list to
    /// browse rather than a search.
    pub fn is_plain(&self) -> bool {
        self.text.is_none()
            && self.min_price.is_none()
            && self.max_price.is_none()
            && !self.has_photos
            && self.posted == Posted::Any
            && self.attributes.is_empty()
            && self.sort == Sort::Newest
    }

    /// Parses the query string's pairs; returns the search and what was wrong with it. Wrong
    /// parts are left out of the search.
    pub fn parse(pairs: &[(String, String)]) -> (Self, Vec<String>) {
        let mut search = Self::default();
        let mut problems = Vec::new();
        let mut radius = None;
        let mut too_many_details = false;
        for (key, value) in pairs {
            let value = value.trim();
            match key.as_str() {
                "q" if !value.is_empty() => {
                    if value.chars().count() > MAX_QUERY_CHARS {
                        problems.push(format!(
                            "Search words are limited to {MAX_QUERY_CHARS} characters."
                        ));
                    } else if crate::web::text::refuse_control_characters(value).is_err() {
                        problems.push(
                            "The search words contain characters we can't search for.".into(),
                        );
                    } else if value.split_whitespace().count() > MAX_WORDS {
                        problems.push(format!("Search for at most {MAX_WORDS} words at a time."));
                    } else if value
                        .split_whitespace()
                        .filter(|w| w.eq_ignore_ascii_case("or"))
                        .count()
                        > MAX_ORS
                    {
                        problems.push(format!("Use “or” at most {MAX_ORS} times in a search."));
                    } else {
                        search.text = Some(value.to_owned());
                    }
                }
                "titles" => search.titles_only = value == "1" || value == "on",
                // "in" is the form's one select: a section, or "section/category".
                "in" if !value.is_empty() => {
                    let (section, category) = match value.split_once('/') {
                        Some((s, c)) => (s, Some(c)),
                        None => (value, None),
                    };
                    if slug_ok(section) && category.is_none_or(slug_ok) {
                        search.section = Some(section.to_owned());
                        search.category = category.map(str::to_owned);
                    } else {
                        problems.push("There is no such category.".into());
                    }
                }
                "section" if !value.is_empty() => {
                    if slug_ok(value) {
                        search.section = Some(value.to_owned());
                    } else {
                        problems.push("There is no such section.".into());
                    }
                }
                "category" if !value.is_empty() => {
                    if slug_ok(value) {
                        search.category = Some(value.to_owned());
                    } else {
                        problems.push("There is no such category.".into());
                    }
                }
                "min_price" => search.min_price = price(value, "lowest", &mut problems),
                "max_price" => search.max_price = price(value, "highest", &mut problems),
                "photos" => search.has_photos = value == "1" || value == "on",
                "posted" => {
                    search.posted = match value {
                        "" | "any" => Posted::Any,
                        "today" => Posted::Today,
                        "week" => Posted::Week,
                        _ => {
                            problems.push("Choose “today” or “last 7 days” for the date.".into());
                            Posted::Any
                        }
                    }
                }
                "zip" if value.is_empty() => search.place_given = true,
                "zip" => {
                    search.place_given = true;
                    if value.len() == 5 && value.bytes().all(|b| b.is_ascii_digit()) {
                        search.zip = Some(value.to_owned());
                    } else {
                        problems.push("Enter a five-digit ZIP code to search near.".into());
                    }
                }
                "radius" if !value.is_empty() => match value.parse::<u32>() {
                    Ok(miles @ 1..=200) => radius = Some(miles),
                    _ => problems.push("Choose a distance from 1 to 200 miles.".into()),
                },
                "sort" if !value.is_empty() => {
                    match Sort::ALL.iter().find(|s| s.as_str() == value) {
                        Some(sort) => search.sort = *sort,
                        None => problems.push("That sort order does not exist.".into()),
                    }
                }
                "view" => {
                    search.view = match value {
                        "gallery" => View::Gallery,
                        "map" => View::Map,
                        _ => View::List,
                    }
                }
                "after" if !value.is_empty() => search.after = Some(value.to_owned()),
                "page" => {
                    search.page = value
                        .parse()
                        .ok()
                        .filter(|p| (1..=MAX_PAGE).contains(p))
                        .unwrap_or(1)
                }
                attr if attr.starts_with("attr_") && !value.is_empty() => {
                    // Each detail once (the first), a few of them, short: what a form sends.
                    if search.attributes.iter().any(|(k, _)| k == attr) {
                        continue;
                    }
                    if search.attributes.len() >= MAX_ATTRIBUTE_FILTERS
                        || attr.len() > 64
                        || value.chars().count() > 100
                    {
                        if !too_many_details {
                            problems
                                .push("That search has more details than we can filter by.".into());
                            too_many_details = true;
                        }
                        continue;
                    }
                    search.attributes.push((attr.to_owned(), value.to_owned()));
                }
                _ => {}
            }
        }
        if let Some(miles) = radius {
            search.radius_miles = miles;
        }
        if let (Some(min), Some(max)) = (search.min_price, search.max_price)
            && min > max
        {
            problems.push("The lowest price is above the highest price.".into());
            search.min_price = None;
            search.max_price = None;
        }
        if search.sort == Sort::Nearest && search.zip.is_none() {
            problems.push("Enter a ZIP code to sort by distance.".into());
            search.sort = Sort::Newest;
        }
        if search.sort == Sort::BestMatch && search.text.is_none() {
            search.sort = Sort::Newest;
        }
        if search.after.is_none() {
            search.page = 1;
        }
        (search, problems)
    }

    /// Searches within the visitor's area when the URL does not say where; the area then
    /// goes into the links (so a shared link or a feed shows what this page shows).
    pub fn apply_area(&mut self, area: Option<&crate::web::area::Area>) {
        if self.place_given {
            return;
        }
        if let Some(area) = area {
            self.zip = Some(area.zip.clone());
            self.radius_miles = area.radius_miles;
            self.place_given = true;
        }
    }

    /// The same search with its section and category in the query string (for `/search`
    /// links, feeds and saving, from a section's or category's page).
    pub fn unscoped(&self) -> Self {
        Self {
            scoped: false,
            ..self.clone()
        }
    }

    /// The search as query-string pairs (without `after`), for links, feeds and saving.
    pub fn to_pairs(&self) -> Vec<(&'static str, String)> {
        let mut pairs = Vec::new();
        if let Some(q) = &self.text {
            pairs.push(("q", q.clone()));
        }
        if self.titles_only {
            pairs.push(("titles", "1".into()));
        }
        match (&self.section, &self.category) {
            _ if self.scoped => {}
            (Some(s), Some(c)) => pairs.push(("in", format!("{s}/{c}"))),
            (Some(s), None) => pairs.push(("in", s.clone())),
            (None, Some(c)) => pairs.push(("category", c.clone())),
            (None, None) => {}
        }
        if let Some(p) = self.min_price {
            pairs.push(("min_price", cents_to_dollars(p)));
        }
        if let Some(p) = self.max_price {
            pairs.push(("max_price", cents_to_dollars(p)));
        }
        if self.has_photos {
            pairs.push(("photos", "1".into()));
        }
        match self.posted {
            Posted::Today => pairs.push(("posted", "today".into())),
            Posted::Week => pairs.push(("posted", "week".into())),
            Posted::Any => {}
        }
        if let Some(z) = &self.zip {
            pairs.push(("zip", z.clone()));
            pairs.push(("radius", self.radius_miles.to_string()));
        } else if self.place_given {
            // Everywhere, said so: the visitor's area does not apply.
            pairs.push(("zip", String::new()));
        }
        if self.sort != self.default_sort {
            pairs.push(("sort", self.sort.as_str().into()));
        }
        if self.view != View::List {
            pairs.push(("view", self.view.as_str().into()));
        }
        pairs
    }

    /// `/search?…` for this search, with extra pairs.
    pub fn url_with(&self, path: &str, extra: &[(&str, &str)]) -> String {
        let mut query = url::form_urlencoded::Serializer::new(String::new());
        for (k, v) in self.to_pairs() {
            if !extra.iter().any(|(ek, _)| *ek == k) {
                query.append_pair(k, &v);
            }
        }
        for (k, v) in &self.attributes {
            query.append_pair(k, v);
        }
        for (k, v) in extra {
            if !v.is_empty() {
                query.append_pair(k, v);
            }
        }
        let query = query.finish();
        if query.is_empty() {
            path.to_owned()
        } else {
            format!("{path}?{query}")
        }
    }
}

fn cents_to_dollars(cents: i64) -> String {
    if cents % 100 == 0 {
        (cents / 100).to_string()
    } else {
        format!("{}.{:02}", cents / 100, cents % 100)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_name_the_order_only_when_it_is_not_the_pages_own() {
        let events = Search {
            default_sort: Sort::Soonest,
            sort: Sort::Soonest,
            ..Search::default()
        };
        assert_eq!(
            events.url_with("/c/community/events", &[]),
            "/c/community/events"
        );
        let newest = Search {
            sort: Sort::Newest,
            ..events.clone()
        };
        assert_eq!(
            newest.url_with("/c/community/events", &[]),
            "/c/community/events?sort=newest"
        );
    }

    fn parse(query: &str) -> (Search, Vec<String>) {
        let pairs: Vec<(String, String)> = url::form_urlencoded::parse(query.as_bytes())
            .into_owned()
            .collect();
        Search::parse(&pairs)
    }

    #[test]
    fn an_empty_search_is_everything_newest_first() {
        let (search, problems) = parse("");
        assert!(problems.is_empty());
        assert_eq!(search, Search::default());
    }

    #[test]
    fn every_filter_is_read() {
        let (search, problems) = parse(
            "q=blue+bike&titles=1&in=for-sale/bikes&min_price=10&max_price=200.50\
             &photos=1&posted=week&zip=94110&radius=25&sort=price_asc&view=gallery&attr_condition=good",
        );
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(search.text.as_deref(), Some("blue bike"));
        assert_eq!(search.section.as_deref(), Some("for-sale"));
        assert_eq!(search.category.as_deref(), Some("bikes"));
        assert!(search.titles_only && search.has_photos);
        assert_eq!(
            (search.min_price, search.max_price),
            (Some(1000), Some(20050))
        );
        assert_eq!(search.posted, Posted::Week);
        assert_eq!(
            (search.zip.as_deref(), search.radius_miles),
            (Some("94110"), 25)
        );
        assert_eq!((search.sort, search.view), (Sort::PriceLow, View::Gallery));
        assert_eq!(
            search.attributes,
            vec![("attr_condition".into(), "good".into())]
        );
    }

    #[test]
    fn bad_parts_are_explained_and_left_out() {
        for (query, message) in [
            ("min_price=-5", "cannot be negative"),
            ("min_price=500&max_price=100", "lowest price is above"),
            ("radius=0", "from 1 to 200 miles"),
            ("radius=201&zip=94110", "from 1 to 200 miles"),
            ("radius=abc", "from 1 to 200 miles"),
            ("zip=9411", "five-digit ZIP"),
            ("sort=cheapest", "sort order does not exist"),
            ("sort=nearest", "ZIP code to sort by distance"),
            ("category=<script>", "no such category"),
            ("posted=yesterday", "last 7 days"),
        ] {
            let (search, problems) = parse(query);
            assert!(
                problems.iter().any(|p| p.contains(message)),
                "{query}: {problems:?}"
            );
            assert_eq!(search.min_price, None, "{query}");
        }
        let long = format!("q={}", "a".repeat(MAX_QUERY_CHARS + 1));
        let (search, problems) = parse(&long);
        assert_eq!(search.text, None);
        assert_eq!(problems.len(), 1);
    }

    #[test]
    fn a_search_round_trips_through_its_url() {
        let (search, _) = parse(
            "q=sofa&in=for-sale/furniture&min_price=20&zip=10001&radius=5&sort=nearest&view=map&attr_condition=new",
        );
        let url = search.url_with("/search", &[]);
        let query = url.split_once('?').unwrap().1;
        let (again, problems) = parse(query);
        assert!(problems.is_empty());
        assert_eq!(again, search);
    }
}
