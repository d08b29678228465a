//! The planner's estimate of how many listings match a search, read from
//! `EXPLAIN (FORMAT JSON)` (no rows are read).

use diesel::prelude::*;
use diesel::sql_types::Text;

use super::filters::{Filters, has_phrase, where_clause};
use crate::db::statement::Statement;
use crate::search::domain::Sort;

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

/// The rows `EXPLAIN` expects a search to match, and the plan (as JSON text).
fn explain_rows(conn: &mut PgConnection, f: &Filters, sort: Sort) -> QueryResult<(f64, String)> {
    #[derive(QueryableByName)]
    struct Plan {
        #[diesel(sql_type = Text, column_name = "QUERY PLAN")]
        json: String,
    }
    let mut s = Statement::default();
    s.push("EXPLAIN (FORMAT JSON) SELECT 1 FROM listings l");
    where_clause(&mut s, f);
    super::filters::sorted_on(&mut s, sort);
    let plan: Plan = s.query().get_result(conn)?;
    Ok((rows_of(&plan.json), plan.json))
}

/// The top node's "Plan Rows" in an `EXPLAIN (FORMAT JSON)` document (as many as there may
/// be when it cannot be read).
fn rows_of(json: &str) -> f64 {
    serde_json::from_str::<serde_json::Value>(json)
        .ok()
        .and_then(|plan| plan[0]["Plan"]["Plan Rows"].as_f64())
        .unwrap_or(f64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_estimate_is_the_top_plan_nodes_rows() {
        let json = r#"[{"Plan": {"Node Type": "Aggregate", "Plan Rows": 1234,
            "Plans": [{"Node Type": "Bitmap Heap Scan", "Plan Rows": 99}]}}]"#;
        assert_eq!(rows_of(json), 1234.0);
        assert_eq!(rows_of("not json"), f64::MAX);
        assert_eq!(rows_of("[]"), f64::MAX);
    }
}
