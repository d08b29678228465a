//! The search's SQL, one file per job, written with the statement builder (`db::statement`:
//! static fragments, bound values): the filters and their WHERE clause, a page of results, counting, the planner's
//! estimate, `EXPLAIN` for the benchmark, and spelling suggestions.
//!
//! Policy for speed: public listings only (the partial indexes), full text through the GIN
//! index (`websearch_to_tsquery`: "phrases", -exclusions, or), radius through the GiST index
//! on the listing's point (its box first, then the haversine distance, in plain arithmetic:
//! no `earthdistance` function runs per row or per plan), keyset pagination on
//! the sort key and id, and counts that stop at 1,001 rows.

mod count;
mod estimate;
mod explain;
mod filters;
mod page;
mod suggest;

/// The price a search filters and sorts by (free listings count as 0), as SQL over `l`.
macro_rules! price {
    () => {
        "COALESCE(l.price_cents, CASE WHEN l.is_free THEN 0 END)"
    };
}
use price;

#[cfg(test)]
mod snapshots;

pub use count::{
    PhraseCount, count_matches, count_phrase_matches, listings_reached, sample_newest,
};
pub use estimate::{Estimate, estimate_matches};
pub use explain::{Explain, explain};
pub use filters::{
    AttributeFilter, DENSE_CIRCLE, Filters, Window, attribute_filters, day_of, has_phrase,
    is_one_term,
};
pub use page::{FEW_MATCHES_CAP, SearchCursor, SearchRow, search};
pub use suggest::suggest_word;
