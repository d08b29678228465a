//! `EXPLAIN ANALYZE` of the statements a search runs, for `make bench`.

use diesel::prelude::*;
use diesel::sql_types::Text;

use super::count::{count_statement, phrase_count_statement, reached_statement, sample_statement};
use super::filters::Filters;
use super::page::{SearchCursor, first_day, on_days, page_statement};
use crate::search::domain::Sort;

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
                let oldest = (newest.min(window.newest_day) - window.first_days.max(1) + 1)
                    .max(window.oldest_day);
                page_statement(&on_days(f, oldest, newest), sort, None, limit)
            }
            _ => page_statement(f, sort, None, limit),
        },
        Explain::Count { cap } => count_statement(f, sort, cap),
        Explain::PhraseCount { cap, budget } => phrase_count_statement(f, sort, cap, budget),
        Explain::Sample { sample } => sample_statement(f, sample),
        Explain::Reached { last } => reached_statement(None, last),
    };
    statement.prefix("EXPLAIN (ANALYZE, BUFFERS) ");
    let lines: Vec<Line> = statement.query().load(conn)?;
    let plan: Vec<String> = lines.into_iter().map(|l| l.line).collect();
    let ms = plan
        .iter()
        .find_map(|l| l.trim().strip_prefix("Execution Time: "))
        .and_then(|t| t.trim_end_matches(" ms").parse().ok())
        .unwrap_or(f64::NAN);
    Ok((plan.join("\n"), ms))
}
