//! PostgreSQL's `cube` and `earthdistance` for Diesel's query builder, so that statements
//! about distances are built, type-checked and prepared once per connection like any other
//! (a `sql_query` is parsed and planned on every call).
//!
//! A point on the earth is a `cube` of one 3-D point, metres from the earth's centre
//! ([`ll_to_earth`]); [`cube_distance`] between two is the straight chord, and [`sec_to_gc`]
//! of it the great-circle distance: `earth_distance(a, b)` is `sec_to_gc(cube_distance(a, b))`.

use diesel::expression::functions::declare_sql_function;
use diesel::sql_types::Double;

pub use super::schema::sql_types::Cube;

#[declare_sql_function]
extern "SQL" {
    /// The point on the earth at a latitude and longitude.
    fn ll_to_earth(latitude: Double, longitude: Double) -> Cube;
    /// The straight-line (chord) distance between two points, in metres.
    fn cube_distance(a: Cube, b: Cube) -> Double;
    /// The great-circle distance for a chord, in metres.
    fn sec_to_gc(chord: Double) -> Double;
    /// A box holding every point within `metres` (great-circle) of `centre`: what a GiST
    /// index on points answers with `@>`.
    fn earth_box(centre: Cube, metres: Double) -> Cube;
}

diesel::infix_operator!(CubeContains, " @> ", backend: diesel::pg::Pg);
diesel::infix_operator!(CubeDistance, " <-> ", Double, backend: diesel::pg::Pg);

/// The type of [`contains`] (named like the function, as `auto_type` expects).
#[allow(non_camel_case_types)]
pub type contains<L, R> = CubeContains<L, R>;
/// The type of [`nearest_to`].
#[allow(non_camel_case_types)]
pub type nearest_to<L, R> = CubeDistance<L, R>;

/// `outer @> inner`: the cube `outer` holds `inner`.
pub fn contains<L, R>(outer: L, inner: R) -> CubeContains<L, R>
where
    L: diesel::Expression<SqlType = Cube>,
    R: diesel::Expression<SqlType = Cube>,
{
    CubeContains::new(outer, inner)
}

/// `a <-> b`: the chord between two points, which a GiST index on points orders by (nearest
/// first, reading no further than a `LIMIT` asks).
pub fn nearest_to<L, R>(a: L, b: R) -> CubeDistance<L, R>
where
    L: diesel::Expression<SqlType = Cube>,
    R: diesel::Expression<SqlType = Cube>,
{
    CubeDistance::new(a, b)
}
