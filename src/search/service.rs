//! Search as a service: one entry point ([`run`]) that the search page, its feed, saved
//! searches and the benchmark all call, so they all plan, count and page a search the same
//! way. It resolves a parsed search against the database (category, ZIP), decides how to
//! count it and which plan its page takes ([`plan`]), reads the page and settles the total.

use chrono::Utc;

use super::density::Density;
use super::domain::{Search, Sort};
use super::queries::{self, Filters, SearchCursor, SearchRow};
use crate::listings::models::AttributeDefs;
use crate::listings::models::{Category, Section};
use crate::listings::queries as listing_queries;
use crate::places;
use crate::web::AppError;

/// Results per page.
pub const PAGE_SIZE: i64 = 25;
/// Counts stop here: "1,000+".
pub const COUNT_CAP: i64 = 1000;

/// What the database needs to know about a search before running it.
pub struct Resolved {
    pub filters: Filters,
    /// About how many public listings lie in the search's circle, when it has one.
    pub listings_in_circle: Option<i64>,
    /// The categories the search is limited to (its category, or its section's), if any.
    pub scope_categories: Option<Vec<i32>>,
    /// The chosen category's details, for the filter form.
    pub attribute_defs: AttributeDefs,
    /// The detail parameters the chosen category takes (`attr_…`); none without a category.
    pub attribute_names: Vec<String>,
    pub heading: String,
}

pub fn resolve(
    conn: &mut diesel::PgConnection,
    density: &Density,
    counts: Option<&listing_queries::CategoryCounts>,
    search: &Search,
    problems: &mut Vec<String>,
) -> Result<Resolved, AppError> {
    let mut filters = Filters {
        text: search.text.clone(),
        titles_only: search.titles_only,
        min_price: search.min_price,
        max_price: search.max_price,
        has_photos: search.has_photos,
        posted_since: Filters::posted(search.posted, Utc::now()),
        ..Filters::default()
    };
    let mut heading = "All listings".to_owned();
    let mut attribute_defs = AttributeDefs::default();
    let mut attribute_names = Vec::new();
    let mut listings_in_circle = None;
    let mut scope_categories = None;
    match (&search.section, &search.category) {
        (Some(section), Some(category)) => match find_category(conn, counts, section, category)? {
            Some((s, c)) => {
                heading = format!("{} › {}", s.name, c.name);
                let defs = c.attribute_defs();
                filters.attributes =
                    queries::attribute_filters(&defs, &search.attributes, problems);
                attribute_defs = defs.clone();
                attribute_names = defs
                    .iter()
                    .flat_map(|d| {
                        [
                            format!("attr_{}", d.key),
                            format!("attr_{}_min", d.key),
                            format!("attr_{}_max", d.key),
                        ]
                    })
                    .collect();
                filters.category_id = Some(c.id);
                scope_categories = Some(vec![c.id]);
            }
            None => problems.push("There is no such category.".into()),
        },
        (Some(section), None) => match find_section(conn, counts, section)? {
            Some((s, ids)) => {
                heading = s.name.clone();
                filters.section_id = Some(s.id);
                filters.section_categories = ids.clone();
                scope_categories = Some(ids);
            }
            None => problems.push("There is no such section.".into()),
        },
        (None, Some(_)) => problems.push("Choose the category's section too.".into()),
        (None, None) => {}
    }
    if search.category.is_none() && !search.attributes.is_empty() {
        problems.push("Choose a category to filter by its details.".into());
    }
    if let Some(zip) = &search.zip {
        // The gazetteer in memory is the one the database was loaded from.
        match places::shipped().get(zip) {
            Some(place) => {
                let metres = f64::from(search.radius_miles) * 1609.344;
                filters.near = Some((place.latitude, place.longitude, metres));
                let in_circle = density.in_circle(conn, place.latitude, place.longitude, metres)?;
                listings_in_circle = Some(in_circle);
                filters.near_dense =
                    search.sort != Sort::Nearest && in_circle >= queries::DENSE_CIRCLE;
                heading.push_str(&format!(
                    " within {} mi of {}",
                    search.radius_miles,
                    place.label()
                ));
            }
            None => problems.push("We don't know that ZIP code.".into()),
        }
    }
    Ok(Resolved {
        filters,
        listings_in_circle,
        scope_categories,
        attribute_defs,
        attribute_names,
        heading,
    })
}

/// A category by its slugs: from the app's cached tree when there is one.
fn find_category(
    conn: &mut diesel::PgConnection,
    counts: Option<&listing_queries::CategoryCounts>,
    section: &str,
    category: &str,
) -> diesel::QueryResult<Option<(Section, Category)>> {
    match counts {
        Some(counts) => counts.find_category(conn, section, category),
        None => listing_queries::find_category(conn, section, category),
    }
}

/// A section by its slug, with its categories' ids: from the app's cached tree when there is
/// one (which leaves out retired categories: their few listings are then missing from the
/// section's total, never from its list).
fn find_section(
    conn: &mut diesel::PgConnection,
    counts: Option<&listing_queries::CategoryCounts>,
    slug: &str,
) -> diesel::QueryResult<Option<(Section, Vec<i32>)>> {
    let Some(counts) = counts else {
        return match listing_queries::find_section(conn, slug)? {
            Some(s) => {
                let ids = listing_queries::category_ids_of_section(conn, s.id)?;
                Ok(Some((s, ids)))
            }
            None => Ok(None),
        };
    };
    let Some(section) = counts.find_section(conn, slug)? else {
        return Ok(None);
    };
    let ids = counts
        .tree(conn)?
        .iter()
        .filter(|(s, _)| s.id == section.id)
        .flat_map(|(_, cats)| cats.iter().map(|c| c.id))
        .collect();
    Ok(Some((section, ids)))
}

/// What one run of a search found.
pub struct Outcome {
    pub resolved: Resolved,
    /// The page's rows: one more than asked for when another page follows.
    pub rows: Vec<SearchRow>,
    /// How many match (at most [`COUNT_CAP`] + 1), and whether that is only "at least".
    pub total: i64,
    pub at_least: bool,
    /// "Did you mean …", when little matched.
    pub suggestion: Option<String>,
    /// What was wrong with the search (it was not run when there is anything here).
    pub problems: Vec<String>,
}

/// A search resolved (its heading, scope and details) but not run: for a page that explains
/// what is wrong with its link instead of listing anything.
pub fn resolved_only(
    conn: &mut diesel::PgConnection,
    density: &Density,
    counts: Option<&listing_queries::CategoryCounts>,
    search: &Search,
) -> Result<Outcome, AppError> {
    let mut problems = Vec::new();
    let resolved = resolve(conn, density, counts, search, &mut problems)?;
    Ok(Outcome {
        resolved,
        rows: Vec::new(),
        total: 0,
        at_least: false,
        suggestion: None,
        problems,
    })
}

/// Runs a search: resolves it, plans it, reads a page of `limit` rows after `after` (newest
/// first for feeds), and settles its total. `counts` is the app's cache of public listings
/// per category (the planner's estimate of the whole table is used without it).
pub fn run(
    conn: &mut diesel::PgConnection,
    density: &Density,
    counts: Option<&listing_queries::CategoryCounts>,
    search: &Search,
    after: Option<SearchCursor>,
    limit: i64,
) -> Result<Outcome, AppError> {
    let outcome = resolved_only(conn, density, counts, search)?;
    if !outcome.problems.is_empty() {
        return Ok(outcome);
    }
    let (resolved, problems) = (outcome.resolved, outcome.problems);
    if search.is_plain() {
        return browse(conn, counts, density, resolved, after, limit);
    }
    let Plan {
        mut filters, total, ..
    } = plan(conn, &resolved, search.sort, after, counts, density)?;
    let mut rows = queries::search(conn, &filters, search.sort, after, limit)?;
    let total = match total {
        Total::PhraseByPage { listings } => phrase_total(conn, &filters, after, &rows, listings)?,
        Total::InPage => {
            let n = rows.first().map_or(0, |r| r.total_matches);
            if n >= queries::FEW_MATCHES_CAP {
                // The estimate was far too low: these are not the first page.
                filters.few_matches = false;
                filters.near_dense = resolved.filters.near_dense;
                rows = queries::search(conn, &filters, search.sort, after, limit)?;
            }
            Total::Counted(n)
        }
        known => known,
    };
    let (total, at_least) = total.shown(rows.len());
    let suggestion = match (&search.text, total < 3) {
        (Some(text), true) => density.suggestion(text, || suggest(conn, text))?,
        _ => None,
    };
    Ok(Outcome {
        resolved,
        rows,
        total,
        at_least,
        suggestion,
        problems,
    })
}

/// A list with nothing to filter but where (a section, a category, a circle), newest first:
/// what the home, section and category pages show. Nothing is estimated or counted in the
/// database: the per-category counts the app keeps (and, in a circle, the per-ZIP ones) say
/// how many it lists and which way finds a page sooner, walking the newest-first index (the
/// category's, when there is one) and checking the circle, or reading the circle's listings
/// through its index and sorting them (which also counts them).
fn browse(
    conn: &mut diesel::PgConnection,
    counts: Option<&listing_queries::CategoryCounts>,
    density: &Density,
    resolved: Resolved,
    after: Option<SearchCursor>,
    limit: i64,
) -> Result<Outcome, AppError> {
    let mut filters = resolved.filters.clone();
    filters.plain_list = true;
    let tally = match counts {
        Some(counts) => Some(counts.get(conn)?),
        None => None,
    };
    // Public listings in the scope (its categories), anywhere.
    let in_scope = tally
        .as_ref()
        .map(|tally| match &resolved.scope_categories {
            Some(ids) => ids
                .iter()
                .map(|id| tally.get(id).copied().unwrap_or(0))
                .sum(),
            None => tally.values().sum::<i64>(),
        });
    let mut total = in_scope;
    if let (Some(near), Some(in_circle)) = (filters.near, resolved.listings_in_circle) {
        let in_both = match &resolved.scope_categories {
            Some(ids) => density.in_circle_of(conn, near, ids)?,
            None => in_circle,
        };
        // Walking the newest-first index meets a page of the scope's listings in the circle
        // after about PAGE_SIZE × in_scope / in_both listings; reading the circle reads all
        // of its listings.
        let walk =
            (PAGE_SIZE + 1) as f64 * in_scope.unwrap_or(in_both) as f64 / in_both.max(1) as f64;
        filters.near_dense = walk <= in_circle as f64;
        filters.few_matches = !filters.near_dense && after.is_none();
        total = Some(in_both);
    }
    let mut rows = queries::search(conn, &filters, Sort::Newest, after, limit)?;
    if filters.few_matches {
        let n = rows.first().map_or(0, |r| r.total_matches);
        if n < queries::FEW_MATCHES_CAP {
            return Ok(browsed(resolved, rows, n));
        }
        // The circle's counts were stale: far more than they said.
        filters.few_matches = false;
        rows = queries::search(conn, &filters, Sort::Newest, after, limit)?;
        total = None;
    }
    // Feeds show no total.
    Ok(browsed(resolved, rows, total.unwrap_or(COUNT_CAP + 1)))
}

fn browsed(resolved: Resolved, rows: Vec<SearchRow>, total: i64) -> Outcome {
    Outcome {
        resolved,
        rows,
        total,
        at_least: false,
        suggestion: None,
        problems: Vec::new(),
    }
}

/// Listings the planner must expect before "1,000+" is shown without counting: a wide margin,
/// as estimates can be off by a few times.
const ESTIMATE_CLEARLY_MORE: f64 = 5000.0;

/// The same for a search of one word (or two-word phrase) and nothing else, whose estimate is
/// close (see [`plan`]).
const ONE_TERM_CLEARLY_MORE: f64 = 1250.0;

/// How a search's total is known.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Total {
    /// Counted (up to 1,001).
    Counted(i64),
    /// The planner clearly expects more than 1,000: "1,000+" without counting.
    ClearlyMore,
    /// The page query reads every match and counts them (first page, few matches).
    InPage,
    /// A phrase search whose count ran out of budget: at least this many.
    AtLeast(i64),
    /// A newest-first phrase search: counted once its page is read (see [`phrase_total`]);
    /// there are this many public listings in all.
    PhraseByPage { listings: i64 },
}

impl Total {
    /// The total to show beside a page of `rows` rows, and whether it is "at least" that.
    /// (The page must have settled [`Total::InPage`] and [`Total::PhraseByPage`] first.)
    fn shown(self, rows: usize) -> (i64, bool) {
        match self {
            Total::Counted(n) => (n, false),
            Total::AtLeast(n) => (n.max(rows as i64), true),
            Total::ClearlyMore | Total::InPage | Total::PhraseByPage { .. } => {
                (COUNT_CAP + 1, false)
            }
        }
    }
}

/// What [`plan`] decided.
pub struct Plan {
    /// The filters to run, with the plan hints set.
    filters: Filters,
    total: Total,
    /// The count statement it ran, if any.
    count: Option<queries::Explain>,
}

/// The newest public listings a phrase search samples first. With eight matches or more among
/// them the phrase is common (a rate of 8 in 2,000 in a million listings is ~4,000; fewer
/// than 1,000 would give 8 matches by chance less than once in a thousand searches).
const PHRASE_SAMPLE: i64 = 2000;

/// Listings with all of a phrase's words that a phrase count checks at most.
const PHRASE_CANDIDATES: i64 = 20_000;

/// How to count a search and which plan its page takes: the filters to run (with the plan
/// hints set) and how the total is known.
///
/// - The planner clearly expects more than 1,000: "1,000+" without counting (counting a
///   broad search would cost more than its page). A newest-first page walks the newest-first
///   index when matches are common enough to meet soon, and reads windows of days through
///   the words' index when they are sparser (see [`window`]).
/// - It expects few, and its estimate is one to trust (words, word pairs, price and photos
///   have column statistics): the page fetches every match through the indexes, sorts and
///   counts them.
/// - Otherwise (category details, whose statistics are poor; later pages): count, up to
///   1,001.
/// - A phrase without word pairs is estimated as its words anywhere, maybe far too high:
///   its count comes from its page or a sample, or within a budget.
///
/// A circle's share comes from the per-ZIP counts, not from the planner, which cannot
/// estimate a distance condition (it guesses a thousandth of the table, in Manhattan as in
/// Nevada) and so must sometimes be kept off the GiST index.
pub fn plan(
    conn: &mut diesel::PgConnection,
    resolved: &Resolved,
    sort: Sort,
    after: Option<SearchCursor>,
    counts: Option<&listing_queries::CategoryCounts>,
    density: &Density,
) -> Result<Plan, AppError> {
    let mut filters = resolved.filters.clone();
    // Public listings in all: the per-category counts this app keeps, or the planner's.
    let everything = |conn: &mut diesel::PgConnection| -> Result<f64, AppError> {
        Ok(match counts {
            Some(counts) => counts.get(conn)?.values().sum::<i64>() as f64,
            None => {
                density
                    .estimate(conn, &Filters::default(), Sort::Newest)?
                    .rows
            }
        })
    };
    let (estimate, circle_is_narrowest, loose) = match resolved.listings_in_circle {
        Some(in_circle) => {
            let anywhere = Filters {
                near: None,
                near_dense: false,
                ..filters.clone()
            };
            let share = (in_circle as f64 / everything(conn)?.max(1.0)).min(1.0);
            let elsewhere = density.estimate(conn, &anywhere, sort)?;
            (
                elsewhere.rows * share,
                (in_circle as f64) <= elsewhere.rows,
                elsewhere.loose,
            )
        }
        None => {
            let estimate = density.estimate(conn, &filters, sort)?;
            (estimate.rows, false, estimate.loose)
        }
    };
    filters.by_pairs = !loose && filters.text.as_deref().is_some_and(queries::has_phrase);
    // One word (or one two-word phrase, which is one pair) alone: its frequency is in the
    // statistics (kept for every word and pair, from a sample of most of the table), so the
    // estimate is close and a smaller margin will do.
    let one_term =
        filters.words_only() && filters.text.as_deref().is_some_and(queries::is_one_term);
    if estimate >= ESTIMATE_CLEARLY_MORE
        || (one_term && !loose && estimate >= ONE_TERM_CLEARLY_MORE)
    {
        // A phrase without pairs is estimated as its words anywhere: it may be far too high.
        if !loose {
            let total = everything(conn)?;
            filters.window = window(conn, density, sort, total, estimate)?;
            filters.pinned = pinnable(&filters, sort);
            return Ok(Plan {
                filters,
                total: Total::ClearlyMore,
                count: None,
            });
        }
        if sort == Sort::Newest {
            // The page says how common the phrase is (how far back it read for a page of
            // matches), so it runs first: see [`phrase_total`]. Its first window is sized as
            // if a quarter of the listings with all the words held them side by side.
            let total = everything(conn)?;
            filters.window = window(conn, density, sort, total, estimate / 4.0)?;
            filters.pinned = pinnable(&filters, sort);
            return Ok(Plan {
                filters,
                total: Total::PhraseByPage {
                    listings: total as i64,
                },
                count: None,
            });
        }
        // The newest listings say how common the phrase is: clearly common, and it is
        // "1,000+" without counting (a few thousandths of a million listings is thousands).
        let (hits, sampled) = queries::sample_newest(conn, &filters, PHRASE_SAMPLE)?;
        let total = everything(conn)?;
        let phrase_estimate = hits as f64 / sampled.max(1) as f64 * total;
        if hits >= 8 && phrase_estimate >= 2.0 * COUNT_CAP as f64 {
            filters.window = window(conn, density, sort, total, phrase_estimate)?;
            return Ok(Plan {
                filters,
                total: Total::ClearlyMore,
                count: Some(queries::Explain::Sample {
                    sample: PHRASE_SAMPLE,
                }),
            });
        }
        let count = Some(queries::Explain::PhraseCount {
            cap: COUNT_CAP,
            budget: PHRASE_CANDIDATES,
        });
        let total = count_phrase(conn, &filters, sort)?;
        // Counted exactly: few enough to fetch them all.
        filters.few_matches = matches!(total, Total::Counted(n) if n <= COUNT_CAP);
        return Ok(Plan {
            filters,
            total,
            count,
        });
    }
    let trusted = filters.attributes.is_empty();
    // In a section or category, where a few thousand match: counted (and the count kept a
    // minute), then the page walks the scope's newest-first index when matches are dense
    // enough in it to meet a page soon, rather than read every match each time.
    if let Some(in_scope) = walkable_scope(conn, resolved, sort, after, counts)?
        && (PAGE_SIZE + 1) as f64 * in_scope as f64 / estimate.max(1.0) <= WALK_ROWS
    {
        let n = density.total(conn, &filters, sort, COUNT_CAP)?;
        filters.few_matches =
            (PAGE_SIZE + 1) as f64 * in_scope as f64 / n.max(1) as f64 > WALK_ROWS;
        filters.pinned = pinnable(&filters, sort);
        return Ok(Plan {
            filters,
            total: Total::Counted(n),
            count: Some(queries::Explain::Count { cap: COUNT_CAP }),
        });
    }
    let (total, few, count) = if trusted && after.is_none() {
        (Total::InPage, true, None)
    } else {
        let n = queries::count_matches(conn, &filters, sort, COUNT_CAP)?;
        (
            Total::Counted(n),
            n <= COUNT_CAP || trusted,
            Some(queries::Explain::Count { cap: COUNT_CAP }),
        )
    };
    if few && filters.near.is_some() && sort != Sort::Nearest {
        // Every match is fetched: through the circle's index when the circle is the
        // narrowest filter, through the others' (words, price) when they are.
        filters.near_dense = !circle_is_narrowest;
    }
    filters.few_matches = few;
    Ok(Plan {
        filters,
        total,
        count,
    })
}

/// Whether a newest-first page that walks the newest-first index or reads windows of days
/// (as [`plan`] settled) may pin its plan (see `Filters::pinned`): not when a detail, a list
/// of listings or a sparse circle (read through its own index) is among the filters, whose
/// statements vary more or are planned for their values.
fn pinnable(f: &queries::Filters, sort: Sort) -> bool {
    sort == Sort::Newest
        && !f.few_matches
        && f.attributes.is_empty()
        && f.ids.is_empty()
        && (f.near.is_none() || f.near_dense)
        && !f.phrases_as_words
        && !f.pairs_only
}

/// The public listings in a search's section or category, when its first page could walk
/// that scope's newest-first index: newest first, words, no circle or details.
fn walkable_scope(
    conn: &mut diesel::PgConnection,
    resolved: &Resolved,
    sort: Sort,
    after: Option<SearchCursor>,
    counts: Option<&listing_queries::CategoryCounts>,
) -> Result<Option<i64>, AppError> {
    let f = &resolved.filters;
    let (Some(counts), Some(scope)) = (counts, &resolved.scope_categories) else {
        return Ok(None);
    };
    if sort != Sort::Newest
        || after.is_some()
        || f.text.is_none()
        || f.near.is_some()
        || !f.attributes.is_empty()
    {
        return Ok(None);
    }
    let tally = counts.get(conn)?;
    Ok(Some(
        scope
            .iter()
            .map(|id| tally.get(id).copied().unwrap_or(0))
            .sum(),
    ))
}

/// A newest-first phrase search's total, once its page (`rows`, one more than a page when
/// another follows) is read. When the page found its matches among few enough listings that
/// their share of all `listings` is clearly over 1,000 (twice that: with 26 matches, a phrase
/// in only 1,000 listings would do it about once in a thousand searches), "1,000+" without
/// counting; otherwise counted within the budget of candidates.
fn phrase_total(
    conn: &mut diesel::PgConnection,
    filters: &Filters,
    after: Option<SearchCursor>,
    rows: &[SearchRow],
    listings: i64,
) -> Result<Total, AppError> {
    if let Some(last) = rows.last().filter(|_| rows.len() as i64 > PAGE_SIZE) {
        let last = SearchCursor {
            key: last.sort_key,
            id: last.id,
        };
        let reached = queries::listings_reached(conn, after, last)?;
        if rows.len() as f64 / reached.max(1) as f64 * listings as f64 >= 2.0 * COUNT_CAP as f64 {
            return Ok(Total::ClearlyMore);
        }
    }
    count_phrase(conn, filters, Sort::Newest)
}

/// A phrase search counted within the budget of candidates.
fn count_phrase(
    conn: &mut diesel::PgConnection,
    filters: &Filters,
    sort: Sort,
) -> Result<Total, AppError> {
    let count = queries::count_phrase_matches(conn, filters, sort, COUNT_CAP, PHRASE_CANDIDATES)?;
    Ok(match count {
        queries::PhraseCount::MoreThan => Total::ClearlyMore,
        queries::PhraseCount::AtLeast(n) => Total::AtLeast(n),
        queries::PhraseCount::Exactly(n) => Total::Counted(n),
    })
}

/// Rows a newest-first page may expect to walk through the newest-first index (checking each
/// listing) before it reads windows of days through the words' index instead: about where
/// the two cost the same.
const WALK_ROWS: f64 = 2000.0;

/// A window of days for a newest-first page whose matches (`matches` of `total` public
/// listings) are too sparse to walk the newest-first index for: the first window is sized to
/// hold about a page and a half, as if the matches were spread evenly since the oldest
/// listing.
fn window(
    conn: &mut diesel::PgConnection,
    density: &Density,
    sort: Sort,
    total: f64,
    matches: f64,
) -> Result<Option<queries::Window>, AppError> {
    if sort != Sort::Newest || !too_sparse_to_walk(total, matches) {
        return Ok(None);
    }
    let Some((oldest_day, newest_day)) = density.listed_days(conn)? else {
        return Ok(None);
    };
    let days = (newest_day - oldest_day + 1).max(1);
    Ok(Some(queries::Window {
        first_days: first_window_days(matches, days),
        oldest_day,
        newest_day,
    }))
}

/// Whether a page of `matches` among `total` listings means walking more than [`WALK_ROWS`].
fn too_sparse_to_walk(total: f64, matches: f64) -> bool {
    PAGE_SIZE as f64 * total / matches.max(1.0) > WALK_ROWS
}

/// Pages of matches a first window of days is sized to hold. Each day read costs the words'
/// index a list to intersect (a window of 13 days took 0.1 ms more than one of 7 at a
/// million listings), and a window that falls short costs a second statement: a page and a
/// half falls short about once in a hundred first pages when the estimate is right.
const FIRST_WINDOW_PAGES: f64 = 1.5;

/// Days that hold about [`FIRST_WINDOW_PAGES`] of `matches` spread evenly over `days` days.
fn first_window_days(matches: f64, days: i32) -> i32 {
    let wanted =
        (FIRST_WINDOW_PAGES * PAGE_SIZE as f64 * f64::from(days) / matches.max(1.0)).ceil();
    wanted.clamp(1.0, f64::from(days)) as i32
}

/// "Did you mean …": the query with each unknown word replaced by the closest title word.
fn suggest(conn: &mut diesel::PgConnection, text: &str) -> Result<Option<String>, AppError> {
    let mut changed = false;
    let mut words = Vec::new();
    for word in text.split_whitespace().take(8) {
        let bare = word.trim_matches(|c: char| !c.is_alphanumeric());
        if bare.chars().count() < 3 || word.starts_with('-') || bare.eq_ignore_ascii_case("or") {
            words.push(word.to_owned());
            continue;
        }
        match queries::suggest_word(conn, bare)? {
            Some(better) => {
                changed = true;
                words.push(word.replace(bare, &better));
            }
            None => words.push(word.to_owned()),
        }
    }
    Ok(changed.then(|| words.join(" ")))
}

/// A saved search's query string, resolved; `None` when it no longer makes sense.
fn resolve_saved(
    conn: &mut diesel::PgConnection,
    density: &Density,
    query: &str,
) -> Result<Option<Resolved>, AppError> {
    let pairs: Vec<(String, String)> = url::form_urlencoded::parse(query.as_bytes())
        .into_owned()
        .collect();
    let (search, mut problems) = Search::parse(&pairs);
    let resolved = resolve(conn, density, None, &search, &mut problems)?;
    Ok(problems.is_empty().then_some(resolved))
}

/// How many listings matching a saved search's query string were posted or renewed since
/// `since` (at most 1,000 counted); `None` when the saved query no longer makes sense.
pub fn count_new_matches(
    conn: &mut diesel::PgConnection,
    density: &Density,
    query: &str,
    since: chrono::DateTime<Utc>,
) -> Result<Option<i64>, AppError> {
    let Some(mut resolved) = resolve_saved(conn, density, query)? else {
        return Ok(None);
    };
    resolved.filters.posted_since = Some(
        resolved
            .filters
            .posted_since
            .map_or(since, |posted| posted.max(since)),
    );
    Ok(Some(queries::count_matches(
        conn,
        &resolved.filters,
        Sort::Newest,
        COUNT_CAP,
    )?))
}

/// What an alert of a saved search mails: up to `limit` of its matches, newest first,
/// posted or renewed since `since` (or, with `only`, among those listings whatever their
/// age), and the centre of its circle if it has one. `None` when the saved query no longer
/// makes sense.
pub fn alert_matches(
    conn: &mut diesel::PgConnection,
    density: &Density,
    query: &str,
    since: Option<chrono::DateTime<Utc>>,
    only: &[i64],
    limit: i64,
) -> Result<Option<AlertMatches>, AppError> {
    let Some(mut resolved) = resolve_saved(conn, density, query)? else {
        return Ok(None);
    };
    if let Some(since) = since {
        resolved.filters.posted_since = Some(
            resolved
                .filters
                .posted_since
                .map_or(since, |posted| posted.max(since)),
        );
    }
    resolved.filters.ids = only.to_vec();
    let centre = resolved.filters.near.map(|(lat, lon, _)| (lat, lon));
    let Plan { filters, .. } = plan(conn, &resolved, Sort::Newest, None, None, density)?;
    let mut rows = queries::search(conn, &filters, Sort::Newest, None, limit)?;
    rows.truncate(limit as usize);
    Ok(Some(AlertMatches { rows, centre }))
}

/// What [`alert_matches`] found.
pub struct AlertMatches {
    pub rows: Vec<SearchRow>,
    /// The centre of the search's circle (latitude, longitude), if it has one.
    pub centre: Option<(f64, f64)>,
}

/// The query string to store for a search (normalised: only the known parameters).
pub fn canonical_query(query: &str) -> Option<String> {
    let pairs: Vec<(String, String)> = url::form_urlencoded::parse(query.as_bytes())
        .into_owned()
        .collect();
    let (search, problems) = Search::parse(&pairs);
    if !problems.is_empty() {
        return None;
    }
    let url = search.url_with("/search", &[]);
    Some(
        url.split_once('?')
            .map_or(String::new(), |(_, q)| q.to_owned()),
    )
}

/// `EXPLAIN ANALYZE` of the statements a search's first page runs, as the page runs them
/// (the count when one is needed, the page): each statement's name,
/// plan and execution time in milliseconds. For the benchmark; `query` is a query string.
pub fn explain_search(
    conn: &mut diesel::PgConnection,
    query: &str,
) -> Result<Vec<(&'static str, String, f64)>, AppError> {
    let pairs: Vec<(String, String)> = url::form_urlencoded::parse(query.as_bytes())
        .into_owned()
        .collect();
    let (search, mut problems) = Search::parse(&pairs);
    // Planned as the pages plan it, with the category counts (read afresh).
    let density = Density::new(std::time::Duration::ZERO);
    let counts = listing_queries::CategoryCounts::new(std::time::Duration::ZERO);
    let resolved = resolve(conn, &density, Some(&counts), &search, &mut problems)?;
    if !problems.is_empty() {
        return Err(AppError::BadRequest(problems.join(" ")));
    }
    let Plan {
        filters,
        count,
        total,
    } = plan(conn, &resolved, search.sort, None, Some(&counts), &density)?;
    let mut statements = Vec::new();
    if let Some(count) = count {
        statements.push(("count", count));
    }
    statements.push(("page", queries::Explain::Page));
    if let Total::PhraseByPage { .. } = total {
        // How far back the page reached decides the count.
        let rows = queries::search(conn, &filters, search.sort, None, PAGE_SIZE + 1)?;
        if let Some(last) = rows.last() {
            let last = SearchCursor {
                key: last.sort_key,
                id: last.id,
            };
            statements.push(("count", queries::Explain::Reached { last }));
        }
    }
    let mut out = Vec::new();
    for (name, which) in statements {
        let (plan, ms) = queries::explain(conn, &filters, search.sort, PAGE_SIZE + 1, which)?;
        out.push((name, plan, ms));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sparse_matches_are_read_by_windows_sized_for_a_page_and_a_half() {
        // A million listings: a word in 10 % of them is met every ten listings.
        assert!(!too_sparse_to_walk(1e6, 100_000.0));
        assert!(!too_sparse_to_walk(1e6, 12_500.0));
        assert!(too_sparse_to_walk(1e6, 12_000.0));
        assert!(too_sparse_to_walk(1e6, 0.0));
        // 1,460 matches over a year: 4 a day, so 10 days hold 40.
        assert_eq!(first_window_days(1460.0, 365), 10);
        assert_eq!(first_window_days(1e6, 365), 1);
        assert_eq!(first_window_days(3.0, 365), 365);
        assert_eq!(first_window_days(0.0, 30), 30);
    }
}
