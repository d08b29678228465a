//! The statement builder: SQL from static fragments only, every value a bound parameter.
//!
//! Policy: [`Statement::push`] takes `&'static str`, so no value (or anything else a request
//! controls) can become SQL text; values go through [`Statement::bind`] as `$n` parameters.

use chrono::{DateTime, Utc};
use diesel::pg::Pg;
use diesel::query_builder::BoxedSqlQuery;
use diesel::sql_types::{Array, BigInt, Double, Integer, SmallInt, Text, Timestamptz};

/// The price a search filters and sorts by (free listings count as 0), as SQL over `l`.
macro_rules! price {
    () => {
        "COALESCE(l.price_cents, CASE WHEN l.is_free THEN 0 END)"
    };
}
pub(super) use price;

/// A bound value.
#[derive(Debug, Clone)]
pub(super) enum Param {
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
pub(super) struct Statement {
    text: String,
    params: Vec<Param>,
}

impl Statement {
    pub(super) fn push(&mut self, sql: &'static str) -> &mut Self {
        self.text.push_str(sql);
        self
    }

    pub(super) fn bind(&mut self, param: Param) -> &mut Self {
        use std::fmt::Write;
        self.params.push(param);
        let _ = write!(self.text, "${}", self.params.len());
        self
    }

    /// Puts `sql` before the statement (`EXPLAIN …`).
    pub(super) fn prefix(&mut self, sql: &'static str) -> &mut Self {
        self.text.insert_str(0, sql);
        self
    }

    /// The SQL text, for snapshot tests.
    #[cfg(test)]
    pub(super) fn text(&self) -> &str {
        &self.text
    }

    pub(super) fn query(self) -> BoxedSqlQuery<'static, Pg, diesel::query_builder::SqlQuery> {
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
