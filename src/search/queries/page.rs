//! A page of results: the keyset cursor, the page statement (walking an index, reading a
//! window of days at a time, or fetching every match when few match) and its rows.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Bool, Double, Integer, Nullable, SmallInt, Text, Timestamptz};

use super::filters::{Filters, Part, Window, conditions_of, day_of, start_of_day, where_clause};
use super::price;
use crate::db::ids::ListingId;
use crate::db::statement::{Param, Statement};
use crate::search::domain::Sort;

/// Where a page starts: after the row with this sort key and id.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SearchCursor {
    pub key: f64,
    pub id: ListingId,
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
        let id: ListingId = id.parse().ok()?;
        let highest = match sort {
            Sort::Newest => (Utc::now() + chrono::Duration::days(2)).timestamp_micros() as f64,
            Sort::PriceLow | Sort::PriceHigh => 1e10,
            // The straight line through the earth between two of its points.
            Sort::Nearest => 12_742_100.0,
            Sort::BestMatch => 1e6,
            Sort::Soonest => {
                (Utc::now() + chrono::Duration::days(3 * 366)).timestamp_micros() as f64
            }
        };
        (key.is_finite() && (0.0..=highest).contains(&key) && id.0 > 0).then_some(Self { key, id })
    }
}

/// The most windows of days one page reads, and the most days in one: bounds on the work a
/// request can ask for, whatever the data (windows grow fourfold, so a dozen span millennia).
const MAX_WINDOWS: usize = 12;
const MAX_WINDOW_DAYS: i32 = 4000;

/// One result, read by position: the page statements' columns are, in order, this struct's
/// fields (`PAGE_COLUMNS`). Reading by name looked every column up among the row's by its
/// name, 17 columns × 25 rows a page, which was 8 % of an area page's server time.
#[derive(Debug, Clone, Queryable)]
pub struct SearchRow {
    pub id: ListingId,
    pub title: String,
    pub price_cents: Option<i64>,
    pub is_free: bool,
    pub status: crate::listings::models::ListingStatus,
    pub zip: String,
    pub latitude: f64,
    pub longitude: f64,
    pub renewed_at: DateTime<Utc>,
    pub thumb_key: Option<crate::storage::ObjectKey>,
    pub photo_count: i16,
    pub category_id: i32,
    pub price_unit: Option<crate::listings::terms::PriceUnit>,
    pub price_max_cents: Option<i64>,
    pub starts_at: Option<chrono::NaiveDateTime>,
    pub sort_key: f64,
    /// Every match, counted by the page query itself when it fetches them all anyway (few
    /// matches, first page); -1 otherwise.
    pub total_matches: i64,
}

/// The SQL types of a [`SearchRow`]'s columns, in order.
type SearchRowSql = (
    BigInt,
    Text,
    Nullable<BigInt>,
    Bool,
    Text,
    Text,
    Double,
    Double,
    Timestamptz,
    Nullable<Text>,
    SmallInt,
    Integer,
    Nullable<Text>,
    Nullable<BigInt>,
    Nullable<diesel::sql_types::Timestamp>,
    Double,
    BigInt,
);

/// The sort key of a row, as SQL (newest: microseconds since the epoch, exact in a float8).
pub(super) fn sort_key(s: &mut Statement, f: &Filters, sort: Sort) {
    match sort {
        Sort::Newest => s.push("(extract(epoch FROM l.renewed_at) * 1000000)::float8"),
        Sort::Soonest => s.push("(extract(epoch FROM l.starts_at) * 1000000)::float8"),
        Sort::PriceLow | Sort::PriceHigh => s.push(concat!(price!(), "::float8")),
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
    let mut rows = match f.window {
        Some(window) if sort == Sort::Newest && !f.few_matches => {
            search_by_days(conn, f, window, after, limit)?
        }
        _ if is_pinned_walk(f, sort) => pinned_walk(conn, f, after, limit)?,
        _ if f.plain_list => page_statement(f, sort, after, limit)
            .prepared::<SearchRowSql>()
            .load(conn)?,
        _ => page_statement(f, sort, after, limit)
            .planned::<SearchRowSql>()
            .load(conn)?,
    };
    // A pinned statement reads a page of one of a few sizes (see [`pinned_limit`]).
    rows.truncate(usize::try_from(limit).unwrap_or(0));
    Ok(rows)
}

/// Whether the page walks the newest-first index with a pinned statement.
fn is_pinned_walk(f: &Filters, sort: Sort) -> bool {
    f.pinned && sort == Sort::Newest && !f.few_matches && f.days.is_empty()
}

/// Listings a pinned walk reads at most: `service::plan` walks when it expects a page within
/// 2,000, so this leaves room for an estimate four times too high. A page the walk leaves
/// short is finished by a statement planned for its values.
pub const PINNED_WALK_ROWS: i64 = 8000;

/// A page of a pinned walk, finished (when the walk met too few matches, or none were left)
/// by a statement PostgreSQL plans for the values from the last row found.
fn pinned_walk(
    conn: &mut PgConnection,
    f: &Filters,
    after: Option<SearchCursor>,
    limit: i64,
) -> QueryResult<Vec<SearchRow>> {
    let mut rows: Vec<SearchRow> = page_statement(f, Sort::Newest, after, limit)
        .prepared::<SearchRowSql>()
        .load(conn)?;
    let found = rows.len() as i64;
    if found < limit {
        let from = rows.last().map_or(after, |last| {
            Some(SearchCursor {
                key: last.sort_key,
                id: last.id,
            })
        });
        let rest = Filters {
            pinned: false,
            ..f.clone()
        };
        rows.extend(
            page_statement(&rest, Sort::Newest, from, limit - found)
                .planned::<SearchRowSql>()
                .load::<SearchRow>(conn)?,
        );
    }
    Ok(rows)
}

/// The LIMIT a pinned statement is written with: `limit` rounded up to one of a few sizes, so
/// that few texts are kept prepared (each text is planned and kept apart).
fn pinned_limit(limit: i64) -> i64 {
    [26, 51, 101, 201, 501, 1001]
        .into_iter()
        .find(|&size| size >= limit)
        .unwrap_or(limit)
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
                id: ListingId(0),
            };
            let after = match after {
                Some(cursor) if cursor.key < before.key => cursor,
                _ => before,
            };
            let rest = Filters {
                window: None,
                pinned: false,
                ..f.clone()
            };
            rows.extend(
                page_statement(&rest, Sort::Newest, Some(after), left)
                    .planned::<SearchRowSql>()
                    .load(conn)?,
            );
            break;
        }
        let counted_from = if windows == 1 {
            newest.min(window.newest_day)
        } else {
            newest
        };
        let oldest = counted_from
            .saturating_sub(length - 1)
            .max(window.oldest_day);
        let days = on_days(f, oldest, newest);
        let statement = page_statement(&days, Sort::Newest, after, left);
        rows.extend(if days.pinned {
            statement
                .prepared::<SearchRowSql>()
                .load::<SearchRow>(conn)?
        } else {
            statement
                .planned::<SearchRowSql>()
                .load::<SearchRow>(conn)?
        });
        newest = oldest - 1;
        length = length.saturating_mul(4).min(MAX_WINDOW_DAYS);
    }
    Ok(rows)
}

/// The newest day a newest-first page reads: the cursor's, or tomorrow (the database's clock
/// may run ahead of ours).
pub(super) fn first_day(after: Option<SearchCursor>) -> i32 {
    match after {
        Some(cursor) => {
            day_of(DateTime::from_timestamp_micros(cursor.key as i64).unwrap_or_default())
        }
        None => day_of(Utc::now()) + 1,
    }
}

/// The filters restricted to the days from `oldest` to `newest`.
pub(super) fn on_days(f: &Filters, oldest: i32, newest: i32) -> Filters {
    Filters {
        window: None,
        days: (oldest..=newest).rev().collect(),
        ..f.clone()
    }
}

/// A page's columns, in order, over the page's rows (`l`) cut and sorted in a subquery
/// whose select list this begins; its sort key follows.
const PAGE_COLUMNS: &str = "SELECT l.id, l.title, l.price_cents, l.is_free, l.status, l.zip,
                l.latitude, l.longitude, l.renewed_at, l.cover_thumb_key AS thumb_key,
                l.photo_count, l.category_id, l.price_unit, l.price_max_cents, l.starts_at,
                l.sort_key, l.total_matches
         FROM (SELECT l.id, l.title, l.price_cents, l.is_free, l.status, l.zip, l.latitude,
                      l.longitude, l.renewed_at, l.cover_thumb_key, l.photo_count,
                      l.category_id, l.price_unit, l.price_max_cents, l.starts_at, ";

pub(super) fn page_statement(
    f: &Filters,
    sort: Sort,
    after: Option<SearchCursor>,
    limit: i64,
) -> Statement {
    if f.few_matches && after.is_none() {
        return few_matches_page_statement(f, sort, limit);
    }
    if is_pinned_walk(f, sort) {
        return pinned_walk_statement(f, after, limit);
    }
    // A pinned window of days (see `Filters::pinned`).
    let pinned = f.pinned && sort == Sort::Newest && !f.few_matches;
    let mut s = if pinned {
        Statement::hidden()
    } else {
        Statement::default()
    };
    // Inner query: filter, order and cut to the page, reading only the columns it needs;
    // the outer one puts the page in order.
    s.push(PAGE_COLUMNS);
    sort_key(&mut s, f, sort);
    s.push(" AS sort_key, -1::bigint AS total_matches FROM listings l");
    where_clause(&mut s, f);
    super::filters::sorted_on(&mut s, sort);
    if let Some(after) = after {
        match sort {
            Sort::Newest => newest_after(&mut s, after),
            Sort::PriceLow | Sort::Nearest | Sort::Soonest => {
                s.push(" AND (");
                sort_key(&mut s, f, sort);
                s.push(", l.id) > (")
                    .bind(Param::Double(after.key))
                    .push(", ")
                    .bind(Param::BigInt(after.id.0))
                    .push(")");
            }
            Sort::PriceHigh | Sort::BestMatch => {
                s.push(" AND (");
                sort_key(&mut s, f, sort);
                s.push(", l.id) < (")
                    .bind(Param::Double(after.key))
                    .push(", ")
                    .bind(Param::BigInt(after.id.0))
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
        Sort::PriceLow => s.push(concat!(" ORDER BY ", price!(), " ASC, l.id ASC")),
        Sort::PriceHigh => s.push(concat!(" ORDER BY ", price!(), " DESC, l.id DESC")),
        Sort::Soonest => s.push(" ORDER BY l.starts_at ASC, l.id ASC"),
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
    // A plain list's statement is prepared and kept: its one generic plan must be cheap.
    if f.plain_list {
        s.push(" LIMIT ").number(limit);
    } else if pinned {
        s.push(" LIMIT ").number(pinned_limit(limit));
    } else {
        s.push(" LIMIT ").bind(Param::BigInt(limit));
    }
    s.push(") l");
    s.push(order_of_page(sort, Alias::L));
    s
}

/// A pinned walk of the newest-first index: the listings in scope (its category's index, or
/// every public listing), newest first from the cursor, at most [`PINNED_WALK_ROWS`] of
/// them, each checked against the rest of the filters until the page is full. The scan is
/// written apart from the checks (a subquery with its own LIMIT takes none of the outer
/// conditions), so its plan is the walk whatever the planner would guess of the hidden
/// values: no estimate of the checks can turn it into reading and sorting every match.
fn pinned_walk_statement(f: &Filters, after: Option<SearchCursor>, limit: i64) -> Statement {
    let mut s = Statement::hidden();
    s.push(PAGE_COLUMNS);
    sort_key(&mut s, f, Sort::Newest);
    s.push(
        " AS sort_key, -1::bigint AS total_matches
               FROM (SELECT l.id, l.title, l.price_cents, l.is_free, l.status, l.zip,
                            l.latitude, l.longitude, l.renewed_at, l.cover_thumb_key,
                            l.photo_count, l.category_id, l.price_unit, l.price_max_cents,
                            l.starts_at, l.search, l.attributes
                     FROM listings l
                     WHERE l.status IN ('active', 'pending') AND l.expires_at > now()",
    );
    conditions_of(&mut s, f, Part::Walked);
    if let Some(after) = after {
        newest_after(&mut s, after);
    }
    s.push(" ORDER BY l.renewed_at DESC, l.id DESC LIMIT ")
        .number(PINNED_WALK_ROWS)
        .push(") l WHERE TRUE");
    conditions_of(&mut s, f, Part::Checked);
    s.push(" ORDER BY l.renewed_at DESC, l.id DESC LIMIT ")
        .number(pinned_limit(limit))
        .push(") l")
        .push(order_of_page(Sort::Newest, Alias::L));
    s
}

/// Newest first, after the cursor: `(renewed_at, id)` below the cursor's.
fn newest_after(s: &mut Statement, after: SearchCursor) {
    let at = DateTime::from_timestamp_micros(after.key as i64).unwrap_or_default();
    s.push(" AND (l.renewed_at, l.id) < (")
        .bind(Param::Time(at))
        .push(", ")
        .bind(Param::BigInt(after.id.0))
        .push(")");
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
                l.photo_count, l.category_id, l.price_unit, l.price_max_cents, l.starts_at, ",
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
    super::filters::sorted_on(&mut s, sort);
    if f.plain_list {
        s.push(" LIMIT ")
            .number(FEW_MATCHES_CAP)
            .push(") c")
            .push(order_of_page(sort, Alias::C))
            .push(" LIMIT ")
            .number(limit);
    } else {
        s.push(" LIMIT ")
            .bind(Param::BigInt(FEW_MATCHES_CAP))
            .push(") c")
            .push(order_of_page(sort, Alias::C))
            .push(" LIMIT ")
            .bind(Param::BigInt(limit));
    }
    s.push(") t JOIN listings l ON l.id = t.id")
        .push(order_of_page(sort, Alias::T));
    s
}

/// The relations a page's rows are ordered in.
#[derive(Debug, Clone, Copy)]
enum Alias {
    /// The page itself.
    L,
    /// The matches of a few-matches page.
    C,
    /// Its cut to the page.
    T,
}

/// ORDER BY for rows of a page (`alias` holds `renewed_at`, `sort_key` and `id`).
fn order_of_page(sort: Sort, alias: Alias) -> &'static str {
    match (alias, sort) {
        (Alias::L, Sort::Newest) => " ORDER BY l.renewed_at DESC, l.id DESC",
        (Alias::C, Sort::Newest) => " ORDER BY c.renewed_at DESC, c.id DESC",
        (Alias::T, Sort::Newest) => " ORDER BY t.renewed_at DESC, t.id DESC",
        (Alias::L, Sort::PriceLow | Sort::Nearest | Sort::Soonest) => {
            " ORDER BY l.sort_key ASC, l.id ASC"
        }
        (Alias::C, Sort::PriceLow | Sort::Nearest | Sort::Soonest) => {
            " ORDER BY c.sort_key ASC, c.id ASC"
        }
        (Alias::T, Sort::PriceLow | Sort::Nearest | Sort::Soonest) => {
            " ORDER BY t.sort_key ASC, t.id ASC"
        }
        (Alias::L, Sort::PriceHigh | Sort::BestMatch) => " ORDER BY l.sort_key DESC, l.id DESC",
        (Alias::C, Sort::PriceHigh | Sort::BestMatch) => " ORDER BY c.sort_key DESC, c.id DESC",
        (Alias::T, Sort::PriceHigh | Sort::BestMatch) => " ORDER BY t.sort_key DESC, t.id DESC",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The names of a statement's result columns, in order: its outermost select list (up to
    /// the first FROM outside parentheses), each column named by its alias or its last dotted
    /// part.
    fn result_columns(text: &str) -> Vec<String> {
        let list = text.strip_prefix("SELECT ").expect("a SELECT");
        let (mut depth, mut columns, mut column) = (0, Vec::new(), String::new());
        for (at, c) in list.char_indices() {
            match c {
                '(' => depth += 1,
                ')' => depth -= 1,
                ',' if depth == 0 => {
                    columns.push(std::mem::take(&mut column));
                    continue;
                }
                _ if depth == 0 && list[at..].starts_with(" FROM ") => break,
                _ => {}
            }
            column.push(c);
        }
        columns.push(column);
        columns
            .iter()
            .map(|column| {
                let column = column.trim();
                let name = column.rsplit(" AS ").next().unwrap_or(column);
                name.rsplit('.').next().unwrap_or(name).trim().to_owned()
            })
            .collect()
    }

    /// `SearchRow` is read by position, so every shape of page statement must list its
    /// columns in the struct's field order (a swap of two text columns would still decode).
    #[test]
    fn every_page_statement_lists_its_columns_in_search_row_order() {
        let fields = [
            "id",
            "title",
            "price_cents",
            "is_free",
            "status",
            "zip",
            "latitude",
            "longitude",
            "renewed_at",
            "thumb_key",
            "photo_count",
            "category_id",
            "price_unit",
            "price_max_cents",
            "starts_at",
            "sort_key",
            "total_matches",
        ];
        let words = Filters {
            text: Some("bike".into()),
            ..Filters::default()
        };
        let shapes = [
            ("planned", words.clone()),
            (
                "few matches",
                Filters {
                    few_matches: true,
                    ..words.clone()
                },
            ),
            (
                "pinned walk",
                Filters {
                    pinned: true,
                    ..words.clone()
                },
            ),
            (
                "plain list",
                Filters {
                    plain_list: true,
                    ..Filters::default()
                },
            ),
        ];
        for (shape, filters) in shapes {
            let statement = page_statement(&filters, Sort::Newest, None, 26);
            assert_eq!(result_columns(statement.text()), fields, "{shape}");
        }
    }

    #[test]
    fn cursors_round_trip_exactly() {
        for key in [0.0, 1234.5, 1.0e-7, 999_999.123_456] {
            let cursor = SearchCursor {
                key,
                id: ListingId(7),
            };
            for sort in Sort::ALL {
                assert_eq!(SearchCursor::decode(&cursor.encode(), sort), Some(cursor));
            }
        }
        for bad in ["", "zz-1", "0-0", "7ff0000000000000-1", "1-x", "-1"] {
            assert_eq!(SearchCursor::decode(bad, Sort::Newest), None, "{bad}");
        }
    }

    /// A plain list's statement is prepared and kept with one generic plan, which PostgreSQL
    /// only uses when it costs what a custom plan would: its row limits and its section must
    /// be in the text, not parameters (see `Statement::number`). A search's stay parameters.
    #[test]
    fn plain_lists_write_their_limits_and_section_into_the_statement() {
        let section = Filters {
            section_id: Some(3),
            plain_list: true,
            ..Filters::default()
        };
        let text = page_statement(&section, Sort::Newest, None, 26)
            .text()
            .to_owned();
        assert!(text.contains("LIMIT 26)"), "{text}");
        assert!(text.contains("WHERE section_id = 3)"), "{text}");
        assert!(!text.contains('$'), "{text}");
        // Its categories, when the app knows them, are named rather than joined.
        let named = Filters {
            section_categories: vec![7, 8, 12],
            ..section.clone()
        };
        let text = page_statement(&named, Sort::Newest, None, 26)
            .text()
            .to_owned();
        // ...after the section itself, whose own newest-first index the page walks.
        assert!(
            text.contains("l.section_id = 3 AND l.category_id IN (7, 8, 12)"),
            "{text}"
        );
        assert!(
            !text.contains('$') && !text.contains("categories"),
            "{text}"
        );

        let sparse_circle = Filters {
            category_id: Some(5),
            few_matches: true,
            plain_list: true,
            ..Filters::default()
        };
        let text = page_statement(&sparse_circle, Sort::Newest, None, 26)
            .text()
            .to_owned();
        assert!(
            text.contains(&format!("LIMIT {FEW_MATCHES_CAP})")) && text.contains("LIMIT 26)"),
            "{text}"
        );
        assert!(!text.contains("LIMIT $"), "{text}");

        let search = Filters {
            text: Some("bike".into()),
            section_id: Some(3),
            ..Filters::default()
        };
        let text = page_statement(&search, Sort::Newest, None, 26)
            .text()
            .to_owned();
        assert!(
            text.contains("LIMIT $") && text.contains("section_id = $"),
            "{text}"
        );
        let named = Filters {
            section_categories: vec![7, 8, 12],
            ..search.clone()
        };
        let text = page_statement(&named, Sort::Newest, None, 26)
            .text()
            .to_owned();
        assert!(
            text.contains("l.section_id = $") && text.contains("l.category_id = ANY($"),
            "{text}"
        );
    }

    /// A pinned statement's plan must not depend on its values: each is read through a
    /// subquery the planner does not look into, and its limits are among a few sizes so that
    /// few texts are kept.
    #[test]
    fn pinned_statements_hide_every_value_and_write_a_few_limits() {
        let cursor = SearchCursor {
            key: 1.7e15,
            id: ListingId(9),
        };
        let walk = Filters {
            pinned: true,
            text: Some("\"red bike\"".into()),
            section_id: Some(2),
            min_price: Some(100),
            has_photos: true,
            near: Some((40.7, -74.0, 10_000.0)),
            near_dense: true,
            posted_since: Some(Utc::now()),
            ..Filters::default()
        };
        let window = Filters {
            by_pairs: true,
            category_id: Some(4),
            days: vec![20_000, 19_999],
            ..walk.clone()
        };
        for (name, f, limit, written) in [
            ("walk", &walk, 21, 26),
            ("window", &window, 27, 51),
            ("walk", &walk, 1001, 1001),
        ] {
            let text = page_statement(f, Sort::Newest, Some(cursor), limit)
                .text()
                .to_owned();
            let mut placeholders = 0;
            for (at, _) in text.match_indices('$') {
                placeholders += 1;
                let before = &text[at.saturating_sub(60)..at];
                assert!(
                    before.ends_with("(SELECT ")
                        || before.ends_with("(SELECT websearch_to_tsquery('english', ")
                        || before
                            .ends_with("(SELECT phrase_pairs(websearch_to_tsquery('english', "),
                    "{name}: a value the planner sees at {at}: {text}"
                );
            }
            assert!(placeholders >= 8, "{name}: {text}");
            assert!(
                text.contains(&format!("LIMIT {written})")),
                "{name}: {text}"
            );
            assert!(!text.contains("LIMIT $"), "{name}: {text}");
        }
        assert_eq!(pinned_limit(1), 26);
        assert_eq!(pinned_limit(26), 26);
        assert_eq!(pinned_limit(27), 51);
        assert_eq!(pinned_limit(1001), 1001);
        // The walk reads a bounded stretch of the index; a window reads its words' index.
        let text = page_statement(&walk, Sort::Newest, None, 26)
            .text()
            .to_owned();
        assert!(
            text.contains(&format!("LIMIT {PINNED_WALK_ROWS})")),
            "{text}"
        );
        let text = page_statement(&window, Sort::Newest, None, 26)
            .text()
            .to_owned();
        assert!(
            text.contains("l.pairs @@ (SELECT phrase_pairs(")
                && text.contains("l.category_id + 0 = (SELECT $")
                && text.contains("+ 0 >= (SELECT $"),
            "{text}"
        );
    }

    #[test]
    fn cursors_a_sort_could_not_have_made_are_refused() {
        let year_200000 = SearchCursor {
            key: 6.3e18,
            id: ListingId(7),
        };
        let negative = SearchCursor {
            key: -5.0,
            id: ListingId(7),
        };
        for sort in Sort::ALL {
            assert_eq!(SearchCursor::decode(&year_200000.encode(), sort), None);
            assert_eq!(SearchCursor::decode(&negative.encode(), sort), None);
        }
        let tomorrow = SearchCursor {
            key: (Utc::now() + chrono::Duration::days(1)).timestamp_micros() as f64,
            id: ListingId(7),
        };
        assert!(SearchCursor::decode(&tomorrow.encode(), Sort::Newest).is_some());
        let next_year = SearchCursor {
            key: (Utc::now() + chrono::Duration::days(365)).timestamp_micros() as f64,
            id: ListingId(7),
        };
        assert_eq!(
            SearchCursor::decode(&next_year.encode(), Sort::Newest),
            None
        );
    }
}
