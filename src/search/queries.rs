//! The search query: one statement built from the filters, with every value a bound parameter.
//!
//! Policy for speed: public listings only (the partial indexes), full text through the GIN
//! index (`websearch_to_tsquery`: "phrases", -exclusions, or), radius through the GiST index
//! on the listing's point (`earth_box` first, then the exact distance), keyset pagination on
//! the sort key and id, and counts that stop at 1,001 rows.

use chrono::{DateTime, Utc};
use diesel::pg::Pg;
use diesel::prelude::*;
use diesel::query_builder::BoxedSqlQuery;
use diesel::sql_types::{
    Array, BigInt, Bool, Double, Integer, Nullable, SmallInt, Text, Timestamptz,
};

use super::domain::{Posted, Sort};
use crate::listings::domain::{AttributeDef, AttributeKind};

/// A bound value.
#[derive(Debug, Clone)]
enum Param {
    Text(String),
    BigInt(i64),
    Int(i32),
    SmallInt(i16),
    Double(f64),
    Time(DateTime<Utc>),
    Ints(Vec<i32>),
}

/// SQL text with `$n` placeholders and the values for them, in order.
#[derive(Debug, Default)]
struct Statement {
    text: String,
    params: Vec<Param>,
}

impl Statement {
    fn push(&mut self, sql: &str) -> &mut Self {
        self.text.push_str(sql);
        self
    }

    fn bind(&mut self, param: Param) -> &mut Self {
        self.params.push(param);
        let placeholder = format!("${}", self.params.len());
        self.text.push_str(&placeholder);
        self
    }

    fn query(self) -> BoxedSqlQuery<'static, Pg, diesel::query_builder::SqlQuery> {
        let mut query = diesel::sql_query(self.text).into_boxed::<Pg>();
        for param in self.params {
            query = match param {
                Param::Text(v) => query.bind::<Text, _>(v),
                Param::BigInt(v) => query.bind::<BigInt, _>(v),
                Param::Int(v) => query.bind::<Integer, _>(v),
                Param::SmallInt(v) => query.bind::<SmallInt, _>(v),
                Param::Double(v) => query.bind::<Double, _>(v),
                Param::Time(v) => query.bind::<Timestamptz, _>(v),
                Param::Ints(v) => query.bind::<Array<Integer>, _>(v),
            };
        }
        query
    }
}

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
}

/// How a newest-first page reads its matches a window of days at a time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    /// Days in the first window (sized to hold about two pages of matches); each next
    /// window, further back, is four times as long.
    pub first_days: i32,
    /// The oldest day with a public listing, as last seen: no window goes further back (one
    /// last statement without days fetches anything older that has appeared since).
    pub oldest_day: i32,
}

/// The day of a moment, as `listing_day` in SQL: days since 1970-01-01, UTC.
pub fn day_of(at: DateTime<Utc>) -> i32 {
    at.timestamp().div_euclid(86_400) as i32
}

/// The first moment of a day.
fn start_of_day(day: i32) -> DateTime<Utc> {
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

/// A phrase search's count within a budget of candidates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PhraseCount {
    /// More than `cap` listings hold the phrase.
    MoreThan,
    /// Every candidate was checked: exactly this many.
    Exactly(i64),
    /// The budget ran out first: at least this many.
    AtLeast(i64),
}

/// Counts a phrase search by checking at most `budget` candidates (listings with all the
/// phrase's words), stopping once `cap + 1` hold the phrase. Checking a phrase reads the
/// listing, so an unbounded count of a phrase made of common words could read most of the
/// table.
pub fn count_phrase_matches(
    conn: &mut PgConnection,
    f: &Filters,
    sort: Sort,
    cap: i64,
    budget: i64,
) -> QueryResult<PhraseCount> {
    #[derive(QueryableByName)]
    struct Count {
        #[diesel(sql_type = BigInt)]
        n: i64,
    }
    let found = phrase_count_statement(f, sort, cap, budget)
        .query()
        .get_result::<Count>(conn)?
        .n;
    if found > cap {
        return Ok(PhraseCount::MoreThan);
    }
    let candidates = Filters {
        phrases_as_words: true,
        ..f.clone()
    };
    let examined = count_statement(&candidates, sort, budget - 1)
        .query()
        .get_result::<Count>(conn)?
        .n;
    Ok(if examined < budget {
        PhraseCount::Exactly(found)
    } else {
        PhraseCount::AtLeast(found)
    })
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

const PRICE: &str = "COALESCE(l.price_cents, CASE WHEN l.is_free THEN 0 END)";

/// Where a page starts: after the row with this sort key and id.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SearchCursor {
    pub key: f64,
    pub id: i64,
}

impl SearchCursor {
    pub fn encode(&self) -> String {
        format!("{:x}-{}", self.key.to_bits(), self.id)
    }

    /// Reads a cursor for a page sorted by `sort`. Only keys that sort could have produced
    /// are accepted (a date no later than tomorrow, a price, a distance on the earth, a
    /// rank), so a forged cursor cannot send a page walking from the year 200,000.
    pub fn decode(token: &str, sort: Sort) -> Option<Self> {
        let (bits, id) = token.split_once('-')?;
        let key = f64::from_bits(u64::from_str_radix(bits, 16).ok()?);
        let id: i64 = id.parse().ok()?;
        let highest = match sort {
            Sort::Newest => (Utc::now() + chrono::Duration::days(2)).timestamp_micros() as f64,
            Sort::PriceLow | Sort::PriceHigh => 1e10,
            // The straight line through the earth between two of its points.
            Sort::Nearest => 12_742_100.0,
            Sort::BestMatch => 1e6,
        };
        (key.is_finite() && (0.0..=highest).contains(&key) && id > 0).then_some(Self { key, id })
    }
}

/// The most windows of days one page reads, and the most days in one: bounds on the work a
/// request can ask for, whatever the data (windows grow fourfold, so a dozen span millennia).
const MAX_WINDOWS: usize = 12;
const MAX_WINDOW_DAYS: i32 = 4000;

/// One result.
#[derive(Debug, Clone, QueryableByName)]
pub struct SearchRow {
    #[diesel(sql_type = BigInt)]
    pub id: i64,
    #[diesel(sql_type = Text)]
    pub title: String,
    #[diesel(sql_type = Nullable<BigInt>)]
    pub price_cents: Option<i64>,
    #[diesel(sql_type = Bool)]
    pub is_free: bool,
    #[diesel(sql_type = Text)]
    pub status: String,
    #[diesel(sql_type = Text)]
    pub zip: String,
    #[diesel(sql_type = Double)]
    pub latitude: f64,
    #[diesel(sql_type = Double)]
    pub longitude: f64,
    #[diesel(sql_type = Timestamptz)]
    pub renewed_at: DateTime<Utc>,
    #[diesel(sql_type = Nullable<Text>)]
    pub thumb_key: Option<String>,
    #[diesel(sql_type = SmallInt)]
    pub photo_count: i16,
    #[diesel(sql_type = Double)]
    pub sort_key: f64,
    /// Every match, counted by the page query itself when it fetches them all anyway (few
    /// matches, first page); -1 otherwise.
    #[diesel(sql_type = BigInt)]
    pub total_matches: i64,
}

/// The WHERE clause shared by the page and the count.
fn where_clause(s: &mut Statement, f: &Filters) {
    s.push(" WHERE ");
    conditions(s, f);
}

/// The filters as one boolean expression over `l`.
fn conditions(s: &mut Statement, f: &Filters) {
    s.push("l.status IN ('active', 'pending') AND l.expires_at > now()");
    if let Some(text) = &f.text {
        if has_phrase(text) {
            // The word pairs the phrases require, through the GIN index (with none to
            // require, the planner folds the condition away).
            s.push(" AND (phrase_pairs(websearch_to_tsquery('english', ")
                .bind(Param::Text(text.clone()))
                .push(")) IS NULL OR l.pairs @@ phrase_pairs(websearch_to_tsquery('english', ")
                .bind(Param::Text(text.clone()))
                .push(")))");
        }
        if f.pairs_only {
            // Estimating a phrase by its pairs alone: the words would count again what the
            // pairs already say.
        } else if f.phrases_as_words {
            // Every word of the phrases, anywhere: what the GIN index can answer alone.
            s.push(" AND l.search @@ regexp_replace(websearch_to_tsquery('english', ")
                .bind(Param::Text(text.clone()))
                .push(")::text, '<(-|[0-9]+)>', '&', 'g')::tsquery");
        } else if f.by_pairs {
            // Checked on each listing the pairs find, not in the index as well: intersecting
            // the words' long lists there costs more than checking the few listings.
            s.push(" AND ts_match_vq(l.search, websearch_to_tsquery('english', ")
                .bind(Param::Text(text.clone()))
                .push("))");
        } else {
            s.push(" AND l.search @@ websearch_to_tsquery('english', ")
                .bind(Param::Text(text.clone()))
                .push(")");
        }
        if f.titles_only {
            s.push(" AND to_tsvector('english', l.title) @@ websearch_to_tsquery('english', ")
                .bind(Param::Text(text.clone()))
                .push(")");
        }
    }
    if let Some(id) = f.category_id {
        s.push(" AND l.category_id = ").bind(Param::Int(id));
    } else if let Some(id) = f.section_id {
        s.push(" AND l.category_id IN (SELECT id FROM categories WHERE section_id = ")
            .bind(Param::SmallInt(id))
            .push(")");
    }
    if let Some(min) = f.min_price {
        s.push(&format!(" AND {PRICE} >= "))
            .bind(Param::BigInt(min));
    }
    if let Some(max) = f.max_price {
        s.push(&format!(" AND {PRICE} <= "))
            .bind(Param::BigInt(max));
    }
    if f.has_photos {
        s.push(" AND l.photo_count > 0");
    }
    if let Some(since) = f.posted_since {
        s.push(" AND l.renewed_at >= ").bind(Param::Time(since));
    }
    if !f.days.is_empty() {
        s.push(" AND listing_day(l.renewed_at) = ANY(")
            .bind(Param::Ints(f.days.clone()))
            .push(")");
    }
    if let Some((lat, lon, metres)) = f.near {
        let point = if f.near_dense {
            // Walking another index: each row is checked against a latitude/longitude box
            // first (plain comparisons; the cube functions cost microseconds a row), and
            // "+ 0" keeps the planner off the GiST index, which would collect the whole circle.
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
            "ll_to_earth(l.latitude + 0, l.longitude)"
        } else {
            let point = "ll_to_earth(l.latitude, l.longitude)";
            s.push(" AND ");
            earth_box_holds(s, lat, lon, metres, point);
            point
        };
        s.push(" AND earth_distance(");
        centre(s, lat, lon);
        s.push(", ")
            .push(point)
            .push(") <= ")
            .bind(Param::Double(metres));
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

/// The earth's radius as `earthdistance` takes it, in metres.
const EARTH_RADIUS: f64 = 6_378_168.0;

/// Latitude bounds and, unless the circle reaches a pole or the antimeridian, longitude
/// bounds of a box that holds the circle (with 1 % to spare).
fn bounding_box(lat: f64, lon: f64, metres: f64) -> (f64, f64, Option<(f64, f64)>) {
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

/// The sort key of a row, as SQL (newest: microseconds since the epoch, exact in a float8).
fn sort_key(s: &mut Statement, f: &Filters, sort: Sort) {
    match sort {
        Sort::Newest => s.push("(extract(epoch FROM l.renewed_at) * 1000000)::float8"),
        Sort::PriceLow | Sort::PriceHigh => s.push(&format!("{PRICE}::float8")),
        Sort::Nearest => {
            // Straight-line distance through the earth: it orders like the distance over its
            // surface, and the GiST index hands rows out in that order (KNN).
            let (lat, lon, _) = f.near.unwrap_or_default();
            s.push("(ll_to_earth(l.latitude, l.longitude) <-> ll_to_earth(")
                .bind(Param::Double(lat))
                .push(", ")
                .bind(Param::Double(lon))
                .push("))")
        }
        Sort::BestMatch => {
            let text = f.text.clone().unwrap_or_default();
            s.push("ts_rank_cd(l.search, websearch_to_tsquery('english', ")
                .bind(Param::Text(text))
                .push("))::float8")
        }
    };
}

/// Matches the few-matches plan reads at most: reaching it means the estimate was wrong.
pub const FEW_MATCHES_CAP: i64 = 5000;

/// A page of results (one more than `limit`, to know whether another page follows).
///
/// The ORDER BY and the keyset condition use the columns themselves where they can (newest:
/// `renewed_at, id`; price: the price expression), so the partial indexes serve them.
pub fn search(
    conn: &mut PgConnection,
    f: &Filters,
    sort: Sort,
    after: Option<SearchCursor>,
    limit: i64,
) -> QueryResult<Vec<SearchRow>> {
    match f.window {
        Some(window) if sort == Sort::Newest && !f.few_matches => {
            search_by_days(conn, f, window, after, limit)
        }
        _ => page_statement(f, sort, after, limit).query().load(conn),
    }
}

/// A newest-first page read a window of days at a time, newest window first, until the page
/// is full: every match of a window is newer than any of the next, so the windows' rows
/// follow one another in order.
fn search_by_days(
    conn: &mut PgConnection,
    f: &Filters,
    window: Window,
    after: Option<SearchCursor>,
    limit: i64,
) -> QueryResult<Vec<SearchRow>> {
    let mut rows: Vec<SearchRow> = Vec::new();
    let mut newest = first_day(after).min(day_of(Utc::now()) + 2);
    let mut length = window.first_days.clamp(1, MAX_WINDOW_DAYS);
    let mut windows = 0;
    while (rows.len() as i64) < limit {
        let left = limit - rows.len() as i64;
        windows += 1;
        if newest < window.oldest_day || windows > MAX_WINDOWS {
            // Past the oldest day seen: whatever is older (it appeared since) in one go.
            let before = SearchCursor {
                key: start_of_day(newest + 1).timestamp_micros() as f64,
                id: 0,
            };
            let after = match after {
                Some(cursor) if cursor.key < before.key => cursor,
                _ => before,
            };
            let rest = Filters {
                window: None,
                ..f.clone()
            };
            rows.extend(
                page_statement(&rest, Sort::Newest, Some(after), left)
                    .query()
                    .load(conn)?,
            );
            break;
        }
        let oldest = newest.saturating_sub(length - 1).max(window.oldest_day);
        let days = on_days(f, oldest, newest);
        rows.extend(
            page_statement(&days, Sort::Newest, after, left)
                .query()
                .load(conn)?,
        );
        newest = oldest - 1;
        length = length.saturating_mul(4).min(MAX_WINDOW_DAYS);
    }
    Ok(rows)
}

/// The newest day a newest-first page reads: the cursor's, or tomorrow (the database's clock
/// may run ahead of ours).
fn first_day(after: Option<SearchCursor>) -> i32 {
    match after {
        Some(cursor) => {
            day_of(DateTime::from_timestamp_micros(cursor.key as i64).unwrap_or_default())
        }
        None => day_of(Utc::now()) + 1,
    }
}

/// The filters restricted to the days from `oldest` to `newest`.
fn on_days(f: &Filters, oldest: i32, newest: i32) -> Filters {
    Filters {
        window: None,
        days: (oldest..=newest).rev().collect(),
        ..f.clone()
    }
}

fn page_statement(f: &Filters, sort: Sort, after: Option<SearchCursor>, limit: i64) -> Statement {
    if f.few_matches && after.is_none() {
        return few_matches_page_statement(f, sort, limit);
    }
    let mut s = Statement::default();
    // Inner query: filter, order and cut to the page, reading only the columns it needs;
    // the outer one puts the page in order.
    s.push(
        "SELECT l.id, l.title, l.price_cents, l.is_free, l.status, l.zip,
                l.latitude, l.longitude, l.renewed_at, l.cover_thumb_key AS thumb_key,
                l.photo_count, l.sort_key, l.total_matches
         FROM (SELECT l.id, l.title, l.price_cents, l.is_free, l.status, l.zip, l.latitude,
                      l.longitude, l.renewed_at, l.cover_thumb_key, l.photo_count, ",
    );
    sort_key(&mut s, f, sort);
    s.push(" AS sort_key, -1::bigint AS total_matches FROM listings l");
    where_clause(&mut s, f);
    if matches!(sort, Sort::PriceLow | Sort::PriceHigh) {
        s.push(&format!(" AND {PRICE} IS NOT NULL"));
    }
    if let Some(after) = after {
        match sort {
            Sort::Newest => {
                let at = DateTime::from_timestamp_micros(after.key as i64).unwrap_or_default();
                s.push(" AND (l.renewed_at, l.id) < (")
                    .bind(Param::Time(at))
                    .push(", ")
                    .bind(Param::BigInt(after.id))
                    .push(")");
            }
            Sort::PriceLow | Sort::Nearest => {
                s.push(" AND (");
                sort_key(&mut s, f, sort);
                s.push(", l.id) > (")
                    .bind(Param::Double(after.key))
                    .push(", ")
                    .bind(Param::BigInt(after.id))
                    .push(")");
            }
            Sort::PriceHigh | Sort::BestMatch => {
                s.push(" AND (");
                sort_key(&mut s, f, sort);
                s.push(", l.id) < (")
                    .bind(Param::Double(after.key))
                    .push(", ")
                    .bind(Param::BigInt(after.id))
                    .push(")");
            }
        }
    }
    match sort {
        // "+ interval '0'" hides the newest-first index from the planner when few rows match
        // (or a window of days holds them): the words' index finds them sooner.
        Sort::Newest if f.few_matches || !f.days.is_empty() => {
            s.push(" ORDER BY l.renewed_at + interval '0 seconds' DESC, l.id DESC")
        }
        Sort::Newest => s.push(" ORDER BY l.renewed_at DESC, l.id DESC"),
        Sort::PriceLow => s.push(&format!(" ORDER BY {PRICE} ASC, l.id ASC")),
        Sort::PriceHigh => s.push(&format!(" ORDER BY {PRICE} DESC, l.id DESC")),
        Sort::Nearest => {
            s.push(" ORDER BY ");
            sort_key(&mut s, f, sort);
            s.push(" ASC, l.id ASC")
        }
        Sort::BestMatch => {
            s.push(" ORDER BY ");
            sort_key(&mut s, f, sort);
            s.push(" DESC, l.id DESC")
        }
    };
    s.push(" LIMIT ").bind(Param::BigInt(limit));
    s.push(") l");
    s.push(&order_of_page(sort, "l"));
    s
}

/// The first page when few listings match: every match is read through the filters' indexes
/// (at most FEW_MATCHES_CAP of them, so a wrong estimate costs a bounded amount: the caller
/// sees the cap reached and walks the index instead), sorted and counted. Only what the sort
/// needs is carried through the sort; the page's 26 rows are read again by id for the rest.
fn few_matches_page_statement(f: &Filters, sort: Sort, limit: i64) -> Statement {
    let mut s = Statement::default();
    s.push(
        "SELECT l.id, l.title, l.price_cents, l.is_free, l.status, l.zip,
                l.latitude, l.longitude, l.renewed_at, l.cover_thumb_key AS thumb_key,
                l.photo_count, ",
    );
    sort_key(&mut s, f, sort);
    s.push(
        " AS sort_key, t.total_matches
         FROM (SELECT c.*, count(*) OVER () AS total_matches
               FROM (SELECT l.id, l.renewed_at, ",
    );
    // Newest first sorts on the column; the others on the sort key, computed once a match.
    if sort == Sort::Newest {
        s.push("0::float8");
    } else {
        sort_key(&mut s, f, sort);
    }
    s.push(" AS sort_key FROM listings l");
    where_clause(&mut s, f);
    if matches!(sort, Sort::PriceLow | Sort::PriceHigh) {
        s.push(&format!(" AND {PRICE} IS NOT NULL"));
    }
    s.push(" LIMIT ")
        .bind(Param::BigInt(FEW_MATCHES_CAP))
        .push(") c")
        .push(&order_of_page(sort, "c"))
        .push(" LIMIT ")
        .bind(Param::BigInt(limit))
        .push(") t JOIN listings l ON l.id = t.id")
        .push(&order_of_page(sort, "t"));
    s
}

/// ORDER BY for rows of a page (`alias` holds `renewed_at`, `sort_key` and `id`).
fn order_of_page(sort: Sort, alias: &str) -> String {
    match sort {
        Sort::Newest => format!(" ORDER BY {alias}.renewed_at DESC, {alias}.id DESC"),
        Sort::PriceLow | Sort::Nearest => format!(" ORDER BY {alias}.sort_key ASC, {alias}.id ASC"),
        Sort::PriceHigh | Sort::BestMatch => {
            format!(" ORDER BY {alias}.sort_key DESC, {alias}.id DESC")
        }
    }
}

/// How many listings match, counting at most `cap + 1` (so "1,000+" costs no more than that).
pub fn count_matches(
    conn: &mut PgConnection,
    f: &Filters,
    sort: Sort,
    cap: i64,
) -> QueryResult<i64> {
    #[derive(QueryableByName)]
    struct Count {
        #[diesel(sql_type = BigInt)]
        n: i64,
    }
    count_statement(f, sort, cap)
        .query()
        .get_result::<Count>(conn)
        .map(|c| c.n)
}

/// The planner's estimate of how many listings match a search (no rows are read).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Estimate {
    pub rows: f64,
    /// A phrase with no word pairs to look up, estimated as its words anywhere: it may be far
    /// fewer.
    pub loose: bool,
}

/// The planner's estimate of how many listings match. A phrase is estimated by its word pairs,
/// which the statistics know like words (its words anywhere may be ten times as many); one
/// without pairs by its words.
pub fn estimate_matches(conn: &mut PgConnection, f: &Filters, sort: Sort) -> QueryResult<Estimate> {
    if f.text.as_deref().is_some_and(has_phrase) {
        let by_pairs = Filters {
            pairs_only: true,
            ..f.clone()
        };
        let (rows, plan) = explain_rows(conn, &by_pairs, sort)?;
        // Pairs to look up stay in the plan; none fold the condition away.
        if plan.contains("pairs @@") {
            return Ok(Estimate { rows, loose: false });
        }
        let (rows, _) = explain_rows(conn, f, sort)?;
        return Ok(Estimate { rows, loose: true });
    }
    let (rows, _) = explain_rows(conn, f, sort)?;
    Ok(Estimate { rows, loose: false })
}

/// The rows `EXPLAIN` expects a search to match, and the plan.
fn explain_rows(conn: &mut PgConnection, f: &Filters, sort: Sort) -> QueryResult<(f64, String)> {
    #[derive(QueryableByName)]
    struct Line {
        #[diesel(sql_type = Text, column_name = "QUERY PLAN")]
        line: String,
    }
    let mut s = Statement::default();
    s.push("EXPLAIN SELECT 1 FROM listings l");
    where_clause(&mut s, f);
    if matches!(sort, Sort::PriceLow | Sort::PriceHigh) {
        s.push(&format!(" AND {PRICE} IS NOT NULL"));
    }
    let lines: Vec<Line> = s.query().load(conn)?;
    // The top line reads "… (cost=a..b rows=N width=w)".
    let rows = lines
        .first()
        .and_then(|l| l.line.split(" rows=").nth(1))
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|n| n.parse().ok())
        .unwrap_or(f64::MAX);
    let plan: Vec<String> = lines.into_iter().map(|l| l.line).collect();
    Ok((rows, plan.join("\n")))
}

fn count_statement(f: &Filters, sort: Sort, cap: i64) -> Statement {
    let mut s = Statement::default();
    s.push("SELECT count(*) AS n FROM (SELECT 1 FROM listings l");
    where_clause(&mut s, f);
    if matches!(sort, Sort::PriceLow | Sort::PriceHigh) {
        s.push(&format!(" AND {PRICE} IS NOT NULL"));
    }
    s.push(" LIMIT ")
        .bind(Param::BigInt(cap + 1))
        .push(") capped");
    s
}

/// How many of the newest `sample` public listings match the search: `(matches, sampled)`.
/// The page walks the same index, so this also says how far it will have to walk.
pub fn sample_newest(conn: &mut PgConnection, f: &Filters, sample: i64) -> QueryResult<(i64, i64)> {
    #[derive(QueryableByName)]
    struct Sample {
        #[diesel(sql_type = BigInt)]
        hits: i64,
        #[diesel(sql_type = BigInt)]
        n: i64,
    }
    let found: Sample = sample_statement(f, sample).query().get_result(conn)?;
    Ok((found.hits, found.n))
}

fn sample_statement(f: &Filters, sample: i64) -> Statement {
    let mut s = Statement::default();
    s.push("SELECT count(*) FILTER (WHERE s.hit) AS hits, count(*) AS n FROM (SELECT (");
    conditions(&mut s, f);
    s.push(
        ") AS hit FROM listings l WHERE l.status IN ('active', 'pending') AND l.expires_at > now()
         ORDER BY l.renewed_at DESC, l.id DESC LIMIT ",
    )
    .bind(Param::BigInt(sample))
    .push(") s");
    s
}

/// How many public listings there are from the one after `after` (from the newest without it)
/// back to `last`: how far a newest-first page reached. Counted in the newest-first index
/// alone.
pub fn listings_reached(
    conn: &mut PgConnection,
    after: Option<SearchCursor>,
    last: SearchCursor,
) -> QueryResult<i64> {
    #[derive(QueryableByName)]
    struct Count {
        #[diesel(sql_type = BigInt)]
        n: i64,
    }
    let n: Count = reached_statement(after, last).query().get_result(conn)?;
    Ok(n.n)
}

fn reached_statement(after: Option<SearchCursor>, last: SearchCursor) -> Statement {
    let at = |cursor: SearchCursor| {
        DateTime::from_timestamp_micros(cursor.key as i64).unwrap_or_default()
    };
    let mut s = Statement::default();
    s.push(
        "SELECT count(*) AS n FROM listings l
         WHERE l.status IN ('active', 'pending') AND (l.renewed_at, l.id) >= (",
    )
    .bind(Param::Time(at(last)))
    .push(", ")
    .bind(Param::BigInt(last.id))
    .push(")");
    if let Some(after) = after {
        s.push(" AND (l.renewed_at, l.id) < (")
            .bind(Param::Time(at(after)))
            .push(", ")
            .bind(Param::BigInt(after.id))
            .push(")");
    }
    s
}

/// Phrase matches among the first `budget` candidates, up to `cap + 1`.
fn phrase_count_statement(f: &Filters, sort: Sort, cap: i64, budget: i64) -> Statement {
    let candidates = Filters {
        phrases_as_words: true,
        ..f.clone()
    };
    let mut s = Statement::default();
    s.push("SELECT count(*) AS n FROM (SELECT 1 FROM (SELECT l.search FROM listings l");
    where_clause(&mut s, &candidates);
    if matches!(sort, Sort::PriceLow | Sort::PriceHigh) {
        s.push(&format!(" AND {PRICE} IS NOT NULL"));
    }
    s.push(" LIMIT ")
        .bind(Param::BigInt(budget))
        .push(") c WHERE c.search @@ websearch_to_tsquery('english', ")
        .bind(Param::Text(f.text.clone().unwrap_or_default()))
        .push(") LIMIT ")
        .bind(Param::BigInt(cap + 1))
        .push(") m");
    s
}

/// Which statement of a search to explain.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Explain {
    /// The first page.
    Page,
    /// The count, up to `cap + 1`.
    Count { cap: i64 },
    /// A phrase search's count within a budget of candidates.
    PhraseCount { cap: i64, budget: i64 },
    /// How many of the newest listings match.
    Sample { sample: i64 },
    /// How many public listings a first page reached back through, to this row.
    Reached { last: SearchCursor },
}

/// `EXPLAIN ANALYZE` of one statement of a search: its plan, and its execution time in
/// milliseconds (for `make bench`).
pub fn explain(
    conn: &mut PgConnection,
    f: &Filters,
    sort: Sort,
    limit: i64,
    which: Explain,
) -> QueryResult<(String, f64)> {
    #[derive(QueryableByName)]
    struct Line {
        #[diesel(sql_type = Text, column_name = "QUERY PLAN")]
        line: String,
    }
    let mut statement = match which {
        Explain::Page => match f.window {
            Some(window) if sort == Sort::Newest && !f.few_matches => {
                // The first window's statement.
                let newest = first_day(None);
                let oldest = (newest - window.first_days.max(1) + 1).max(window.oldest_day);
                page_statement(&on_days(f, oldest, newest), sort, None, limit)
            }
            _ => page_statement(f, sort, None, limit),
        },
        Explain::Count { cap } => count_statement(f, sort, cap),
        Explain::PhraseCount { cap, budget } => phrase_count_statement(f, sort, cap, budget),
        Explain::Sample { sample } => sample_statement(f, sample),
        Explain::Reached { last } => reached_statement(None, last),
    };
    statement.text.insert_str(0, "EXPLAIN (ANALYZE, BUFFERS) ");
    let lines: Vec<Line> = statement.query().load(conn)?;
    let plan: Vec<String> = lines.into_iter().map(|l| l.line).collect();
    let ms = plan
        .iter()
        .find_map(|l| l.trim().strip_prefix("Execution Time: "))
        .and_then(|t| t.trim_end_matches(" ms").parse().ok())
        .unwrap_or(f64::NAN);
    Ok((plan.join("\n"), ms))
}

/// Listings in a circle beyond which it counts as dense.
pub const DENSE_CIRCLE: i64 = 2000;

/// `ll_to_earth(lat, lon)` of a circle's centre.
fn centre(s: &mut Statement, lat: f64, lon: f64) {
    s.push("ll_to_earth(")
        .bind(Param::Double(lat))
        .push(", ")
        .bind(Param::Double(lon))
        .push(")");
}

/// `earth_box(centre, metres) @> point`: the GiST-indexable cube around the circle.
fn earth_box_holds(s: &mut Statement, lat: f64, lon: f64, metres: f64, point: &str) {
    s.push("earth_box(");
    centre(s, lat, lon);
    s.push(", ")
        .bind(Param::Double(metres))
        .push(") @> ")
        .push(point);
}

/// A spelling from listing titles close to `word`, when `word` itself is not one.
pub fn suggest_word(conn: &mut PgConnection, word: &str) -> QueryResult<Option<String>> {
    #[derive(QueryableByName)]
    struct Word {
        #[diesel(sql_type = Text)]
        word: String,
    }
    let word = word.to_lowercase();
    let known: Vec<Word> = diesel::sql_query("SELECT word FROM title_words WHERE word = $1")
        .bind::<Text, _>(&word)
        .load(conn)?;
    if !known.is_empty() {
        return Ok(None);
    }
    // The closest word that is not merely another form of the same word ("bikes" already
    // finds "bike": stemming does that).
    let closest: Vec<Word> = diesel::sql_query(
        "SELECT word FROM title_words
         WHERE word % $1 AND to_tsvector('english', word) <> to_tsvector('english', $1)
         ORDER BY similarity(word, $1) DESC, word LIMIT 1",
    )
    .bind::<Text, _>(&word)
    .load(conn)?;
    Ok(closest.into_iter().next().map(|w| w.word))
}

#[cfg(test)]
mod tests {
    use super::*;

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
    fn cursors_round_trip_exactly() {
        for key in [0.0, 1234.5, 1.0e-7, 999_999.123_456] {
            let cursor = SearchCursor { key, id: 7 };
            for sort in Sort::ALL {
                assert_eq!(SearchCursor::decode(&cursor.encode(), sort), Some(cursor));
            }
        }
        for bad in ["", "zz-1", "0-0", "7ff0000000000000-1", "1-x", "-1"] {
            assert_eq!(SearchCursor::decode(bad, Sort::Newest), None, "{bad}");
        }
    }

    #[test]
    fn cursors_a_sort_could_not_have_made_are_refused() {
        let year_200000 = SearchCursor { key: 6.3e18, id: 7 };
        let negative = SearchCursor { key: -5.0, id: 7 };
        for sort in Sort::ALL {
            assert_eq!(SearchCursor::decode(&year_200000.encode(), sort), None);
            assert_eq!(SearchCursor::decode(&negative.encode(), sort), None);
        }
        let tomorrow = SearchCursor {
            key: (Utc::now() + chrono::Duration::days(1)).timestamp_micros() as f64,
            id: 7,
        };
        assert!(SearchCursor::decode(&tomorrow.encode(), Sort::Newest).is_some());
        let next_year = SearchCursor {
            key: (Utc::now() + chrono::Duration::days(365)).timestamp_micros() as f64,
            id: 7,
        };
        assert_eq!(
            SearchCursor::decode(&next_year.encode(), Sort::Newest),
            None
        );
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
