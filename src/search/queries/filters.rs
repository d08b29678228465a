//! What a search filters by, and the WHERE clause that says it: words (phrases through their
//! word pairs), category, price, photos, date, a circle, and the category's details.

use chrono::{DateTime, Utc};

use super::price;
use crate::db::statement::{Param, Statement};
use crate::listings::domain::{AttributeDef, AttributeKind};
use crate::search::domain::{Posted, Sort};

/// An attribute filter, checked against the category's definitions.
#[derive(Debug, Clone, PartialEq)]
pub enum AttributeFilter {
    AtLeast(String, f64),
    AtMost(String, f64),
    Equals(String, String),
    Is(String, bool),
}

/// Turns `attr_…` parameters into filters for `defs`: `attr_<key>_min` / `_max` for numbers,
/// `attr_<key>` = yes/no for yes-or-no details, `attr_<key>` = a value otherwise.
pub fn attribute_filters(
    defs: &[AttributeDef],
    raw: &[(String, String)],
    problems: &mut Vec<String>,
) -> Vec<AttributeFilter> {
    let mut filters = Vec::new();
    for (name, value) in raw {
        let name = name.trim_start_matches("attr_");
        let (key, bound) = match name.rsplit_once('_') {
            Some((key, b @ ("min" | "max"))) => (key, Some(b)),
            _ => (name, None),
        };
        let Some(def) = defs.iter().find(|d| d.key == key) else {
            let problem = "That detail is not one this category has.";
            if !problems.iter().any(|p| p == problem) {
                problems.push(problem.into());
            }
            continue;
        };
        match (&def.kind, bound) {
            (AttributeKind::Int { .. } | AttributeKind::Number { .. }, Some(bound)) => {
                match value.parse::<f64>() {
                    Ok(n) if n.is_finite() => filters.push(if bound == "min" {
                        AttributeFilter::AtLeast(def.key.clone(), n)
                    } else {
                        AttributeFilter::AtMost(def.key.clone(), n)
                    }),
                    _ => problems.push(format!("{} should be a number.", def.label)),
                }
            }
            (AttributeKind::Bool, None) => match value.as_str() {
                "yes" => filters.push(AttributeFilter::Is(def.key.clone(), true)),
                "no" => filters.push(AttributeFilter::Is(def.key.clone(), false)),
                _ => problems.push(format!("{}: choose yes or no.", def.label)),
            },
            (AttributeKind::Enum { options }, None) => {
                if options.iter().any(|o| o == value) {
                    filters.push(AttributeFilter::Equals(def.key.clone(), value.clone()));
                } else {
                    problems.push(format!("{}: choose one of the options.", def.label));
                }
            }
            (AttributeKind::Text { .. }, None) if value.chars().count() <= 50 => {
                filters.push(AttributeFilter::Equals(def.key.clone(), value.clone()));
            }
            _ => problems.push(format!("{}: that filter does not apply.", def.label)),
        }
    }
    filters
}

/// The filters of a search, resolved against the database (category, ZIP).
#[derive(Debug, Clone, Default)]
pub struct Filters {
    pub text: Option<String>,
    pub titles_only: bool,
    pub section_id: Option<i16>,
    /// The section's categories, as the app's tree of them has them: the statement names
    /// them rather than joining the categories table on every listing it reads.
    pub section_categories: Vec<i32>,
    pub category_id: Option<i32>,
    pub min_price: Option<i64>,
    pub max_price: Option<i64>,
    pub has_photos: bool,
    pub posted_since: Option<DateTime<Utc>>,
    /// Latitude, longitude and radius in metres.
    pub near: Option<(f64, f64, f64)>,
    /// The circle holds so many listings that walking another index (newest first, by price,
    /// by words) and checking the distance finds a page sooner than collecting the circle.
    pub near_dense: bool,
    /// Few listings match: fetch them all through the filters' indexes and sort (counting
    /// them on the way), rather than walk the newest-first index hoping to meet them.
    pub few_matches: bool,
    /// Match the words of any phrase anywhere, in any order (a superset of the matches, for
    /// counting phrase searches within a budget).
    pub phrases_as_words: bool,
    /// Match a phrase's word pairs only (to estimate it: see [`estimate_matches`]).
    pub pairs_only: bool,
    /// The phrases have word pairs: find listings by the pairs alone, and check the phrases
    /// on each.
    pub by_pairs: bool,
    /// Newest first, read the matches a window of days at a time (through the index on words
    /// and day) rather than walk the newest-first index checking every listing.
    pub window: Option<Window>,
    /// The days (`listing_day`) this statement reads; empty: every day.
    pub days: Vec<i32>,
    pub attributes: Vec<AttributeFilter>,
    /// A plain list (no words, prices or details: see `service::browse`), whose few shapes
    /// of statement the connection keeps prepared.
    pub plain_list: bool,
    /// Only these listings, when not empty (the alerts' price drops).
    pub ids: Vec<i64>,
    /// Newest first, the page's plan is settled (`service::plan` found the matches common
    /// enough to walk the newest-first index, or sparse enough to read windows of days): the
    /// statement's text says it, every value is hidden from the planner, and the connection
    /// keeps the statement prepared and reuses its plan instead of parsing and planning it
    /// on every page (see `page::pinned_walk_statement` and `Statement::hidden`).
    pub pinned: bool,
}

/// How a newest-first page reads its matches a window of days at a time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    /// Days in the first window (sized to hold about a page and a half of matches); each next
    /// window, further back, is four times as long.
    pub first_days: i32,
    /// The oldest day with a public listing, as last seen: no window goes further back (one
    /// last statement without days fetches anything older that has appeared since).
    pub oldest_day: i32,
    /// The newest day with a public listing, as last seen: the first window's days are
    /// counted back from it (the days after it, to tomorrow, are read as well: on a quiet
    /// site they hold nothing, and a window counted from tomorrow would come up short).
    pub newest_day: i32,
}

/// The day of a moment, as `listing_day` in SQL: days since 1970-01-01, UTC.
pub fn day_of(at: DateTime<Utc>) -> i32 {
    at.timestamp().div_euclid(86_400) as i32
}

/// The first moment of a day.
pub(super) fn start_of_day(day: i32) -> DateTime<Utc> {
    DateTime::from_timestamp(i64::from(day) * 86_400, 0).unwrap_or_default()
}

/// Whether a search's words hold a phrase (`"…"` with two words or more) that is not
/// excluded. The planner estimates a phrase as if its words were merely all present, which
/// can be far more listings than hold the phrase.
pub fn has_phrase(text: &str) -> bool {
    let mut rest = text;
    while let Some(open) = rest.find('"') {
        let excluded = rest[..open].ends_with('-');
        let after = &rest[open + 1..];
        let (inside, next) = match after.find('"') {
            Some(close) => (&after[..close], &after[close + 1..]),
            None => (after, ""),
        };
        if !excluded && inside.split_whitespace().count() >= 2 {
            return true;
        }
        rest = next;
    }
    false
}

/// One word, or one quoted phrase of two words (one word pair), and nothing else.
pub fn is_one_term(text: &str) -> bool {
    let text = text.trim();
    let plain = |w: &str| !w.is_empty() && w.chars().all(char::is_alphanumeric);
    match text.strip_prefix('"').and_then(|t| t.strip_suffix('"')) {
        Some(phrase) => {
            matches!(phrase.split(' ').collect::<Vec<_>>()[..], [a, b] if plain(a) && plain(b))
        }
        None => plain(text),
    }
}

impl Filters {
    /// Words and nothing else (no category, price, photos, date, place or details).
    pub fn words_only(&self) -> bool {
        self.text.is_some()
            && !self.titles_only
            && self.section_id.is_none()
            && self.category_id.is_none()
            && self.min_price.is_none()
            && self.max_price.is_none()
            && !self.has_photos
            && self.posted_since.is_none()
            && self.near.is_none()
            && self.attributes.is_empty()
    }

    pub fn posted(posted: Posted, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        match posted {
            Posted::Any => None,
            Posted::Today => Some(now - chrono::Duration::days(1)),
            Posted::Week => Some(now - chrono::Duration::days(7)),
        }
    }
}

/// What a sort leaves out: listings without a price (by price), without a start (soonest).
pub(super) fn sorted_on(s: &mut Statement, sort: Sort) {
    match sort {
        Sort::PriceLow | Sort::PriceHigh => {
            s.push(concat!(" AND ", price!(), " IS NOT NULL"));
        }
        Sort::Soonest => {
            s.push(" AND l.starts_at IS NOT NULL");
        }
        _ => {}
    }
}

/// The WHERE clause shared by the page and the count.
pub(super) fn where_clause(s: &mut Statement, f: &Filters) {
    s.push(" WHERE ");
    conditions(s, f);
}

/// The filters as one boolean expression over `l`.
pub(super) fn conditions(s: &mut Statement, f: &Filters) {
    s.push("l.status IN ('active', 'pending') AND l.expires_at > now()");
    conditions_of(s, f, Part::All);
}

/// Which of the filters a statement writes, and how.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Part {
    /// Every filter. In a hidden statement (a pinned window of days) the words are read
    /// through their GIN index and every other index is kept out of the plan.
    All,
    /// What a pinned walk's index scan reads by: the scope (its category's index) and the
    /// date it goes back to.
    Walked,
    /// What a pinned walk checks on each listing it walks: everything else.
    Checked,
}

/// A section's id: written into a plain list's prepared statement (see `Statement::number`),
/// bound in any other.
fn section_value(s: &mut Statement, f: &Filters, id: i16) {
    if f.plain_list {
        s.number(i64::from(id));
    } else {
        s.bind(Param::SmallInt(id));
    }
}

/// The filters of `part`, each as ` AND …`.
pub(super) fn conditions_of(s: &mut Statement, f: &Filters, part: Part) {
    let walked = part != Part::Checked;
    let checked = part != Part::Walked;
    // A pinned window's plan reads the words' index alone: "+ 0" and "+ interval '0'" keep
    // the category, price and newest-first indexes out of it, whatever the planner guesses
    // of values it cannot see.
    let window = part == Part::All && s.is_hidden();
    if let Some(text) = f.text.as_ref().filter(|_| checked) {
        words(s, f, text, part);
    }
    if walked {
        if let Some(id) = f.category_id {
            // With a circle read through its index, the (category, point) GiST index answers
            // both.
            s.push(if window {
                " AND l.category_id + 0 = "
            } else {
                " AND l.category_id = "
            })
            .bind(Param::Int(id));
        } else if let Some(section) = f.section_id.filter(|_| !f.section_categories.is_empty()) {
            // The section walks its own newest-first index; its categories (those not
            // retired) still decide what it shows.
            s.push(if window {
                " AND l.section_id + 0 = "
            } else {
                " AND l.section_id = "
            });
            section_value(s, f, section);
            if f.plain_list {
                // A plain list's prepared statement names them (see `Statement::number`).
                s.push(" AND l.category_id IN (");
                for (i, id) in f.section_categories.iter().enumerate() {
                    if i > 0 {
                        s.push(", ");
                    }
                    s.number(i64::from(*id));
                }
                s.push(")");
            } else {
                s.push(if window {
                    " AND l.category_id + 0 = ANY("
                } else {
                    " AND l.category_id = ANY("
                })
                .bind(Param::Ints(f.section_categories.clone()))
                .push(")");
            }
        } else if let Some(id) = f.section_id {
            s.push(if window {
                " AND l.category_id + 0 IN (SELECT id FROM categories WHERE section_id = "
            } else {
                " AND l.category_id IN (SELECT id FROM categories WHERE section_id = "
            });
            section_value(s, f, id);
            s.push(")");
        }
    }
    if checked {
        if let Some(min) = f.min_price {
            s.push(if window {
                concat!(" AND ", price!(), " + 0 >= ")
            } else {
                concat!(" AND ", price!(), " >= ")
            })
            .bind(Param::BigInt(min));
        }
        if let Some(max) = f.max_price {
            s.push(if window {
                concat!(" AND ", price!(), " + 0 <= ")
            } else {
                concat!(" AND ", price!(), " <= ")
            })
            .bind(Param::BigInt(max));
        }
        if f.has_photos {
            s.push(" AND l.photo_count > 0");
        }
        if !f.ids.is_empty() {
            s.push(" AND l.id = ANY(")
                .bind(Param::BigInts(f.ids.clone()))
                .push(")");
        }
    }
    if let Some(since) = f.posted_since.filter(|_| walked) {
        s.push(if window {
            " AND l.renewed_at + interval '0 seconds' >= "
        } else {
            " AND l.renewed_at >= "
        })
        .bind(Param::Time(since));
    }
    if !checked {
        return;
    }
    if !f.days.is_empty() {
        s.push(" AND listing_day(l.renewed_at) = ANY(")
            .bind(Param::Ints(f.days.clone()))
            .push(")");
    }
    if let Some((lat, lon, metres)) = f.near {
        // A dense circle is met walking another index. A search checks each row against a
        // latitude/longitude box first (plain comparisons, and statistics the planner weighs
        // the walk by). A plain list checks the circle alone: its statement is prepared, and
        // with no box whose bounds the planner would estimate from its parameters, the
        // generic plan (the walk) serves every circle, so PostgreSQL stops planning it on
        // every page.
        if f.near_dense && !f.plain_list {
            let (lat_min, lat_max, lon_range) = bounding_box(lat, lon, metres);
            s.push(" AND l.latitude BETWEEN ")
                .bind(Param::Double(lat_min))
                .push(" AND ")
                .bind(Param::Double(lat_max));
            if let Some((lon_min, lon_max)) = lon_range {
                s.push(" AND l.longitude BETWEEN ")
                    .bind(Param::Double(lon_min))
                    .push(" AND ")
                    .bind(Param::Double(lon_max));
            }
        } else if !f.near_dense {
            s.push(" AND ");
            earth_box_holds(s, lat, lon, metres);
        }
        s.push(" AND ");
        within_circle(s, lat, lon, metres);
    }
    for filter in &f.attributes {
        match filter {
            AttributeFilter::AtLeast(key, n) => {
                s.push(" AND (l.attributes ->> ")
                    .bind(Param::Text(key.clone()))
                    .push(")::float8 >= ")
                    .bind(Param::Double(*n));
            }
            AttributeFilter::AtMost(key, n) => {
                s.push(" AND (l.attributes ->> ")
                    .bind(Param::Text(key.clone()))
                    .push(")::float8 <= ")
                    .bind(Param::Double(*n));
            }
            AttributeFilter::Equals(key, value) => {
                s.push(" AND lower(l.attributes ->> ")
                    .bind(Param::Text(key.clone()))
                    .push(") = lower(")
                    .bind(Param::Text(value.clone()))
                    .push(")");
            }
            AttributeFilter::Is(key, value) => {
                s.push(" AND (l.attributes -> ")
                    .bind(Param::Text(key.clone()))
                    .push(") = to_jsonb(")
                    .bind(Param::Text(value.to_string()))
                    .push("::boolean)");
            }
        }
    }
}

/// The words' conditions. In a hidden statement each query is computed once in its own
/// subquery (a function of a hidden value would otherwise run again on every row).
fn words(s: &mut Statement, f: &Filters, text: &str, part: Part) {
    if s.is_hidden() {
        let query = |s: &mut Statement, before: &'static str, after: &'static str| {
            s.push(before)
                .push("(SELECT websearch_to_tsquery('english', ")
                .bind_bare(Param::Text(text.to_owned()))
                .push("))")
                .push(after);
        };
        if part == Part::All && f.by_pairs {
            // The pairs through the index, the phrases checked on each listing they find
            // (a pinned statement's phrases have pairs: `Filters::by_pairs`).
            s.push(" AND l.pairs @@ (SELECT phrase_pairs(websearch_to_tsquery('english', ")
                .bind_bare(Param::Text(text.to_owned()))
                .push(")))");
            query(s, " AND ts_match_vq(l.search, ", ")");
        } else {
            // A window reads the words' index; a walk checks the phrases whole.
            query(s, " AND l.search @@ ", "");
        }
        if f.titles_only {
            query(s, " AND to_tsvector('english', l.title) @@ ", "");
        }
        return;
    }
    if has_phrase(text) {
        // The word pairs the phrases require, through the GIN index (with none to
        // require, the planner folds the condition away).
        s.push(" AND (phrase_pairs(websearch_to_tsquery('english', ")
            .bind(Param::Text(text.to_owned()))
            .push(")) IS NULL OR l.pairs @@ phrase_pairs(websearch_to_tsquery('english', ")
            .bind(Param::Text(text.to_owned()))
            .push(")))");
    }
    if f.pairs_only {
        // Estimating a phrase by its pairs alone: the words would count again what the
        // pairs already say.
    } else if f.phrases_as_words {
        // Every word of the phrases, anywhere: what the GIN index can answer alone.
        s.push(" AND l.search @@ regexp_replace(websearch_to_tsquery('english', ")
            .bind(Param::Text(text.to_owned()))
            .push(")::text, '<(-|[0-9]+)>', '&', 'g')::tsquery");
    } else if f.by_pairs {
        // Checked on each listing the pairs find, not in the index as well: intersecting
        // the words' long lists there costs more than checking the few listings.
        s.push(" AND ts_match_vq(l.search, websearch_to_tsquery('english', ")
            .bind(Param::Text(text.to_owned()))
            .push("))");
    } else {
        s.push(" AND l.search @@ websearch_to_tsquery('english', ")
            .bind(Param::Text(text.to_owned()))
            .push(")");
    }
    if f.titles_only {
        s.push(" AND to_tsvector('english', l.title) @@ websearch_to_tsquery('english', ")
            .bind(Param::Text(text.to_owned()))
            .push(")");
    }
}

/// The earth's radius as `earthdistance` takes it, in metres.
const EARTH_RADIUS: f64 = 6_378_168.0;

/// Latitude bounds and, unless the circle reaches a pole or the antimeridian, longitude
/// bounds of a box that holds the circle (with 1 % to spare).
pub(super) fn bounding_box(lat: f64, lon: f64, metres: f64) -> (f64, f64, Option<(f64, f64)>) {
    let angle = (metres / EARTH_RADIUS) * 1.01;
    let dlat = angle.to_degrees();
    let (lat_min, lat_max) = (lat - dlat, lat + dlat);
    let ratio = angle.sin() / lat.to_radians().cos();
    if lat_min <= -90.0 || lat_max >= 90.0 || !(0.0..1.0).contains(&ratio) {
        return (lat_min, lat_max, None);
    }
    let dlon = ratio.asin().to_degrees();
    let lon_range =
        (lon - dlon >= -180.0 && lon + dlon <= 180.0).then_some((lon - dlon, lon + dlon));
    (lat_min, lat_max, lon_range)
}

/// Listings in a circle beyond which it counts as dense.
pub const DENSE_CIRCLE: i64 = 2000;

/// The point `ll_to_earth(lat, lon)` gives: the cube coordinates of a place on the sphere
/// `earthdistance` uses.
fn earth_point(lat: f64, lon: f64) -> [f64; 3] {
    let (lat, lon) = (lat.to_radians(), lon.to_radians());
    [
        EARTH_RADIUS * lat.cos() * lon.cos(),
        EARTH_RADIUS * lat.cos() * lon.sin(),
        EARTH_RADIUS * lat.sin(),
    ]
}

/// `earth_box(ll_to_earth(lat, lon), metres) @> ll_to_earth(l.latitude, l.longitude)`: the
/// cube around the circle, which the GiST index on the listing's point answers. The cube is
/// computed here as `earth_box` would (the centre, widened by the straight-line distance
/// across the circle's radius in every axis), so the database runs none of `earthdistance`'s
/// SQL functions for it: those are parsed and planned again in every statement that calls
/// them, which cost more than the rest of a page.
fn earth_box_holds(s: &mut Statement, lat: f64, lon: f64, metres: f64) {
    let chord = if metres / EARTH_RADIUS > std::f64::consts::PI {
        2.0 * EARTH_RADIUS
    } else {
        2.0 * EARTH_RADIUS * (metres / (2.0 * EARTH_RADIUS)).sin()
    };
    let centre = earth_point(lat, lon);
    s.push("cube(ARRAY[");
    for (i, c) in centre.iter().enumerate() {
        s.push(if i == 0 { "" } else { ", " })
            .bind(Param::Double(c - chord));
    }
    s.push("]::float8[], ARRAY[");
    for (i, c) in centre.iter().enumerate() {
        s.push(if i == 0 { "" } else { ", " })
            .bind(Param::Double(c + chord));
    }
    s.push("]::float8[]) @> ll_to_earth(l.latitude, l.longitude)");
}

/// The listing lies within `metres` of the point along the sphere `earthdistance` uses: its
/// `earth_distance` (the great circle) as the haversine formula gives it, in plain
/// arithmetic, which is `earth_distance(…) <= metres` without calling SQL functions for
/// every row. (hav(θ) ≤ hav(metres / R), both sides as the squared sine of half the angle.)
fn within_circle(s: &mut Statement, lat: f64, lon: f64, metres: f64) {
    let half_angle = metres / (2.0 * EARTH_RADIUS);
    let limit = if half_angle >= std::f64::consts::FRAC_PI_2 {
        // The whole sphere (and a little more, for rounding).
        1.5
    } else {
        half_angle.sin().powi(2)
    };
    s.push("power(sind((l.latitude - ")
        .bind(Param::Double(lat))
        .push(") / 2), 2) + ")
        .bind(Param::Double(lat.to_radians().cos()))
        .push(" * cosd(l.latitude) * power(sind((l.longitude - ")
        .bind(Param::Double(lon))
        .push(") / 2), 2) <= ")
        .bind(Param::Double(limit));
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::listings::domain::AttributeDef;

    #[test]
    fn the_bounding_box_holds_the_circle() {
        // Points on the circle in every direction, by the spherical destination formula.
        for (lat, lon, metres) in [
            (40.7484, -73.9967, 40_233.6),
            (64.8378, -147.7164, 321_868.8),
            (19.7, -155.08, 1609.3),
        ] {
            let (lat_min, lat_max, lon_range) = bounding_box(lat, lon, metres);
            let (lon_min, lon_max) = lon_range.unwrap();
            let d = metres / EARTH_RADIUS;
            let (phi, lambda) = (f64::to_radians(lat), f64::to_radians(lon));
            for step in 0..360 {
                let bearing = f64::to_radians(step as f64);
                let phi2 = (phi.sin() * d.cos() + phi.cos() * d.sin() * bearing.cos()).asin();
                let lambda2 = lambda
                    + (bearing.sin() * d.sin() * phi.cos()).atan2(d.cos() - phi.sin() * phi2.sin());
                let (lat2, lon2) = (phi2.to_degrees(), lambda2.to_degrees());
                assert!((lat_min..=lat_max).contains(&lat2), "{lat2} at {step}");
                assert!((lon_min..=lon_max).contains(&lon2), "{lon2} at {step}");
            }
        }
        assert_eq!(bounding_box(89.9, 0.0, 50_000.0).2, None);
        assert_eq!(bounding_box(0.0, 179.9, 50_000.0).2, None);
    }

    #[test]
    fn phrases_are_found_unless_excluded_or_single_words() {
        for yes in [
            r#""used bike""#,
            r#"lamp "red oak" -blue"#,
            r#""open phrase"#,
        ] {
            assert!(has_phrase(yes), "{yes}");
        }
        for no in [r#"used bike"#, r#""bike""#, r#"lamp -"red oak""#, ""] {
            assert!(!has_phrase(no), "{no}");
        }
    }

    #[test]
    fn one_term_is_one_word_or_one_pair() {
        for yes in ["bike", " bike ", r#""used bike""#, "Fahrrad2"] {
            assert!(is_one_term(yes), "{yes}");
        }
        for no in [
            "",
            "used bike",
            r#""used""#,
            r#""red oak table""#,
            r#""used bike"s"#,
            "-bike",
            "e-mail",
            r#""used  bike""#,
        ] {
            assert!(!is_one_term(no), "{no}");
        }
    }

    #[test]
    fn attribute_filters_follow_the_category() {
        let defs: Vec<AttributeDef> = serde_json::from_str(
            r#"[{"key":"bedrooms","label":"Bedrooms","type":"int","min":0,"max":20},
                {"key":"cats_ok","label":"Cats OK","type":"bool"},
                {"key":"remote","label":"Where","type":"enum","options":["remote","on-site"]}]"#,
        )
        .unwrap();
        let raw: Vec<(String, String)> = [
            ("attr_bedrooms_min", "2"),
            ("attr_cats_ok", "yes"),
            ("attr_remote", "remote"),
        ]
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        let mut problems = Vec::new();
        let filters = attribute_filters(&defs, &raw, &mut problems);
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(
            filters,
            vec![
                AttributeFilter::AtLeast("bedrooms".into(), 2.0),
                AttributeFilter::Is("cats_ok".into(), true),
                AttributeFilter::Equals("remote".into(), "remote".into()),
            ]
        );
        for bad in [
            ("attr_pool", "yes"),
            ("attr_bedrooms_min", "many"),
            ("attr_remote", "mars"),
            ("attr_cats_ok", "maybe"),
        ] {
            let mut problems = Vec::new();
            let raw = vec![(bad.0.to_string(), bad.1.to_string())];
            assert!(attribute_filters(&defs, &raw, &mut problems).is_empty());
            assert_eq!(problems.len(), 1, "{bad:?}");
        }
    }
}
