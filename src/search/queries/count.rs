//! Counting a search's matches, always within a bound: up to 1,001, a phrase within a budget
//! of candidates, a sample of the newest listings, or how far a page reached.

use chrono::DateTime;
use diesel::prelude::*;
use diesel::sql_types::BigInt;

use super::filters::{Filters, conditions, where_clause};
use super::page::SearchCursor;
use crate::db::statement::{Param, Statement};
use crate::search::domain::Sort;

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

pub(super) fn count_statement(f: &Filters, sort: Sort, cap: i64) -> Statement {
    let mut s = Statement::default();
    s.push("SELECT count(*) AS n FROM (SELECT 1 FROM listings l");
    where_clause(&mut s, f);
    super::filters::sorted_on(&mut s, sort);
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

pub(super) fn sample_statement(f: &Filters, sample: i64) -> Statement {
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

pub(super) fn reached_statement(after: Option<SearchCursor>, last: SearchCursor) -> Statement {
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
    .bind(Param::BigInt(last.id.0))
    .push(")");
    if let Some(after) = after {
        s.push(" AND (l.renewed_at, l.id) < (")
            .bind(Param::Time(at(after)))
            .push(", ")
            .bind(Param::BigInt(after.id.0))
            .push(")");
    }
    s
}

/// Phrase matches among the first `budget` candidates, up to `cap + 1`.
pub(super) fn phrase_count_statement(f: &Filters, sort: Sort, cap: i64, budget: i64) -> Statement {
    let candidates = Filters {
        phrases_as_words: true,
        ..f.clone()
    };
    let mut s = Statement::default();
    s.push("SELECT count(*) AS n FROM (SELECT 1 FROM (SELECT l.search FROM listings l");
    where_clause(&mut s, &candidates);
    super::filters::sorted_on(&mut s, sort);
    s.push(" LIMIT ")
        .bind(Param::BigInt(budget))
        .push(") c WHERE c.search @@ websearch_to_tsquery('english', ")
        .bind(Param::Text(f.text.clone().unwrap_or_default()))
        .push(") LIMIT ")
        .bind(Param::BigInt(cap + 1))
        .push(") m");
    s
}
