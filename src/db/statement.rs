//! The statement builder, for statements Diesel's query builder cannot write (searches, the
//! similar listings): SQL from static fragments only, every value a bound parameter.
//!
//! Policy: [`Statement::push`] takes `&'static str`, so no value (or anything else a request
//! controls) can become SQL text; values go through [`Statement::bind`] as `$n` parameters.
//! The one exception is [`Statement::number`]: an integer, written as such.
//!
//! A statement whose text decides its plan ([`Statement::hidden`]) hides every value from the
//! planner: each parameter is read through a one-row subquery, `(SELECT $n)`, which
//! PostgreSQL evaluates once per execution (an InitPlan) and plans without looking at. Its
//! plans are then the same for every value, so once the connection has planned the kept
//! statement five times PostgreSQL reuses its generic plan (it is cheaper than planning
//! again) and skips parsing and planning on every later execution.

use chrono::{DateTime, Utc};
use diesel::pg::Pg;
use diesel::query_builder::BoxedSqlQuery;
use diesel::sql_types::{Array, BigInt, Double, Integer, SmallInt, Text, Timestamptz};

/// A bound value.
#[derive(Debug, Clone)]
pub enum Param {
    Text(String),
    BigInt(i64),
    Int(i32),
    SmallInt(i16),
    Double(f64),
    Time(DateTime<Utc>),
    Ints(Vec<i32>),
    BigInts(Vec<i64>),
}

/// SQL text with `$n` placeholders and the values for them, in order.
#[derive(Debug, Default)]
pub struct Statement {
    text: String,
    params: Vec<Param>,
    /// Where each parameter's placeholder ends in `text` (see [`Statement::prepared`]).
    placeholders: Vec<(usize, usize)>,
    /// Every value is read through a subquery the planner does not look into (see
    /// [`Statement::hidden`]).
    hidden: bool,
}

impl Statement {
    /// A statement whose values the planner does not see: for the shapes of a search whose
    /// text leaves one plan (see `Filters::pinned`), kept prepared and planned once.
    pub fn hidden() -> Self {
        Self {
            hidden: true,
            ..Self::default()
        }
    }

    /// Whether the values are hidden from the planner (see [`Statement::hidden`]).
    pub fn is_hidden(&self) -> bool {
        self.hidden
    }

    pub fn push(&mut self, sql: &'static str) -> &mut Self {
        self.text.push_str(sql);
        self
    }

    /// An integer written into the text rather than bound, for a plain list's prepared
    /// statement (see [`Statement::prepared`]), whose one generic plan must cost what a custom
    /// plan would. With `LIMIT $n` PostgreSQL costs the generic plan as if it read a tenth of
    /// the rows, and with `section_id = $n` as if the section were an average one; each time
    /// the custom plan looks cheaper, so it plans the statement again on every execution
    /// (0.4–0.5 ms, most of a category page's database time). An integer cannot carry SQL, and
    /// the few page sizes and sections give the few texts kept.
    pub fn number(&mut self, n: i64) -> &mut Self {
        use std::fmt::Write;
        let _ = write!(self.text, "{n}");
        self
    }

    pub fn bind(&mut self, param: Param) -> &mut Self {
        use std::fmt::Write;
        // An array is cast so that `= ANY((SELECT $n)::int4[])` reads as an array, not as
        // `ANY (subquery)`.
        let cast = match (&param, self.hidden) {
            (_, false) => None,
            (Param::Ints(_), true) => Some(")::int4[]"),
            (Param::BigInts(_), true) => Some(")::int8[]"),
            (_, true) => Some(")"),
        };
        self.params.push(param);
        if cast.is_some() {
            self.text.push_str("(SELECT ");
        }
        let start = self.text.len();
        let _ = write!(self.text, "${}", self.params.len());
        self.placeholders.push((start, self.text.len()));
        if let Some(cast) = cast {
            self.text.push_str(cast);
        }
        self
    }

    /// A parameter written as a bare `$n`, for a hidden statement's own subquery (`(SELECT
    /// websearch_to_tsquery('english', $n))`: the whole value computed once, not per row).
    pub fn bind_bare(&mut self, param: Param) -> &mut Self {
        let hidden = std::mem::replace(&mut self.hidden, false);
        self.bind(param);
        self.hidden = hidden;
        self
    }

    /// Puts `sql` before the statement (`EXPLAIN …`).
    pub fn prefix(&mut self, sql: &'static str) -> &mut Self {
        self.text.insert_str(0, sql);
        for (start, end) in &mut self.placeholders {
            *start += sql.len();
            *end += sql.len();
        }
        self
    }

    /// The statement as one the connection prepares once and keeps (by its text), so that
    /// PostgreSQL need not plan it on every request. Only for the few shapes of a plain list
    /// (see `service::browse`): every distinct text stays prepared on every connection, so
    /// statements whose text a visitor's input can vary without bound must not be kept.
    ///
    /// `ST` is the SQL type of its rows when they are read by position (a tuple, for
    /// `Queryable` rows), or `Untyped` for rows read by column name.
    pub fn prepared<ST>(self) -> Prepared<ST> {
        self.into_pieces(true)
    }

    /// The statement as one planned for its values on every run, like [`Statement::query`],
    /// but with its rows read by position (`ST`, see [`Statement::prepared`]).
    pub fn planned<ST>(self) -> Prepared<ST> {
        self.into_pieces(false)
    }

    fn into_pieces<ST>(self, keep: bool) -> Prepared<ST> {
        let mut pieces = Vec::with_capacity(self.params.len() + 1);
        let mut at = 0;
        for (start, end) in &self.placeholders {
            pieces.push(self.text[at..*start].to_owned());
            at = *end;
        }
        pieces.push(self.text[at..].to_owned());
        Prepared {
            pieces,
            params: self.params,
            keep,
            rows: std::marker::PhantomData,
        }
    }

    /// The SQL text, for snapshot tests.
    #[cfg(test)]
    pub fn text(&self) -> &str {
        &self.text
    }

    pub fn query(self) -> BoxedSqlQuery<'static, Pg, diesel::query_builder::SqlQuery> {
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
                Param::BigInts(v) => query.bind::<Array<BigInt>, _>(v),
            };
        }
        query
    }
}

/// A statement as Diesel runs it (see [`Statement::prepared`] and [`Statement::planned`]): its
/// SQL between the parameters, which Diesel numbers as it binds them, and whether the
/// connection keeps it prepared.
pub struct Prepared<ST = diesel::sql_types::Untyped> {
    pieces: Vec<String>,
    params: Vec<Param>,
    keep: bool,
    rows: std::marker::PhantomData<fn() -> ST>,
}

impl<ST> std::fmt::Debug for Prepared<ST> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Prepared")
            .field("pieces", &self.pieces)
            .field("params", &self.params)
            .field("keep", &self.keep)
            .finish()
    }
}

impl<ST> diesel::query_builder::QueryId for Prepared<ST> {
    type QueryId = ();
    // Cached by its SQL text and parameter types.
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl<ST: 'static> diesel::query_builder::Query for Prepared<ST> {
    type SqlType = ST;
}

impl<ST, Conn> diesel::RunQueryDsl<Conn> for Prepared<ST> {}

impl<ST> diesel::query_builder::QueryFragment<Pg> for Prepared<ST> {
    fn walk_ast<'b>(
        &'b self,
        mut out: diesel::query_builder::AstPass<'_, 'b, Pg>,
    ) -> diesel::QueryResult<()> {
        if !self.keep {
            out.unsafe_to_cache_prepared();
        }
        for (i, piece) in self.pieces.iter().enumerate() {
            out.push_sql(piece);
            let Some(param) = self.params.get(i) else {
                continue;
            };
            match param {
                Param::Text(v) => out.push_bind_param::<Text, _>(v)?,
                Param::BigInt(v) => out.push_bind_param::<BigInt, _>(v)?,
                Param::Int(v) => out.push_bind_param::<Integer, _>(v)?,
                Param::SmallInt(v) => out.push_bind_param::<SmallInt, _>(v)?,
                Param::Double(v) => out.push_bind_param::<Double, _>(v)?,
                Param::Time(v) => out.push_bind_param::<Timestamptz, _>(v)?,
                Param::Ints(v) => out.push_bind_param::<Array<Integer>, _>(v)?,
                Param::BigInts(v) => out.push_bind_param::<Array<BigInt>, _>(v)?,
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_prepared_statement_has_the_same_sql_and_parameters() {
        let mut s = Statement::default();
        s.push("SELECT 1 FROM listings l WHERE l.id = ")
            .bind(Param::BigInt(7))
            .push(" AND l.title = ")
            .bind(Param::Text("x".into()))
            .prefix("EXPLAIN ");
        let text = s.text().to_owned();
        let sql =
            diesel::debug_query::<Pg, _>(&s.prepared::<diesel::sql_types::Untyped>()).to_string();
        assert!(
            sql.starts_with(&format!("{text} -- binds: [7, \"x\"]")),
            "{sql}"
        );
    }

    #[test]
    fn a_hidden_statement_reads_each_value_through_a_subquery() {
        let mut s = Statement::hidden();
        s.push("SELECT 1 FROM listings l WHERE l.id = ")
            .bind(Param::BigInt(7))
            .push(" AND listing_day(l.renewed_at) = ANY(")
            .bind(Param::Ints(vec![1, 2]))
            .push(") AND l.search @@ (SELECT websearch_to_tsquery('english', ")
            .bind_bare(Param::Text("x".into()))
            .push("))");
        assert_eq!(
            s.text(),
            "SELECT 1 FROM listings l WHERE l.id = (SELECT $1) AND listing_day(l.renewed_at) = \
             ANY((SELECT $2)::int4[]) AND l.search @@ (SELECT websearch_to_tsquery('english', $3))"
        );
        assert!(s.is_hidden());
        let sql =
            diesel::debug_query::<Pg, _>(&s.prepared::<diesel::sql_types::Untyped>()).to_string();
        assert!(sql.ends_with("-- binds: [7, [1, 2], \"x\"]"), "{sql}");
    }

    #[test]
    fn only_a_prepared_statement_is_kept_by_the_connection() {
        use diesel::query_builder::QueryFragment;
        let statement = || {
            let mut s = Statement::default();
            s.push("SELECT 1 FROM listings l WHERE l.id = ")
                .bind(Param::BigInt(7));
            s
        };
        let kept = statement().prepared::<diesel::sql_types::Untyped>();
        let planned = statement().planned::<diesel::sql_types::Untyped>();
        assert!(kept.is_safe_to_cache_prepared(&Pg).unwrap());
        assert!(!planned.is_safe_to_cache_prepared(&Pg).unwrap());
        // The same text and values either way.
        assert_eq!(
            diesel::debug_query::<Pg, _>(&kept).to_string(),
            diesel::debug_query::<Pg, _>(&planned).to_string()
        );
    }
}
