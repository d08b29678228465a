//! Where and since when the public listings are, held in memory for choosing search plans.
//!
//! - How crowded a radius search's circle is, from the per-ZIP counts of public listings that
//!   the database's triggers keep (`zip_listing_counts`, and per category
//!   `zip_category_counts`, read one category at a time as pages ask for it: all of them at
//!   once are hundreds of thousands of rows): a search adds up the ZIPs whose centre lies
//!   inside its circle
//!   (listings sit at their ZIP's centre), as the planner cannot estimate a distance
//!   condition. The distance is the flat-earth approximation.
//! - The oldest day with a public listing, which bounds how far back a newest-first search
//!   reads windows of days.
//! - Answers a search asked the database before, kept by what it asked (bounded memos): the
//!   planner's estimate, the spelling suggestion, and the total of a few thousand matches
//!   within a category.
//!
//! All may lag the rows by the snapshot's age (as the per-category counts do; a circle's sum,
//! kept as long again, by up to twice that): a category page in an area shows its circle's
//! count as its total.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use diesel::prelude::*;

use diesel::sql_types::{Double, Integer};

use super::domain::Sort;
use super::queries::{self, Estimate, Filters};
use crate::db::memo::Memo;
use crate::db::snapshot::Snapshot;

/// Most answers each memo keeps (each about as big as its search's words and filters).
const MEMO_CAPACITY: usize = 10_000;

/// Metres in a degree of latitude (and of longitude at the equator).
const METRES_PER_DEGREE: f64 = 111_195.0;

#[derive(Debug, Clone, PartialEq, QueryableByName)]
struct ZipCount {
    #[diesel(sql_type = Double)]
    latitude: f64,
    #[diesel(sql_type = Double)]
    longitude: f64,
    #[diesel(sql_type = Integer)]
    listings: i32,
}

/// The per-ZIP counts (sorted by latitude): of every public listing, and of each category's
/// (read when a page first asks for that category), and the oldest day, each read again at
/// most every `ttl`. One per app.
#[derive(Debug)]
pub struct Density {
    ttl: Duration,
    zips: Snapshot<Vec<ZipCount>>,
    /// By category id. Only categories of the tree are asked for, so this is bounded by the
    /// categories table.
    categories: Mutex<HashMap<i32, Arc<Snapshot<Vec<ZipCount>>>>>,
    /// The oldest and newest days with a public listing.
    listed_days: Snapshot<Option<(i32, i32)>>,
    /// The planner's estimates of searches' matches, by search.
    estimates: Memo<String, Estimate>,
    /// "Did you mean" for searches' words, by words.
    suggestions: Memo<String, Option<String>>,
    /// Searches' counted totals (at most 1,001), by search.
    totals: Memo<String, i64>,
    /// Listings in a circle (latitude, longitude and metres, as bits) of some categories
    /// (none: of all), added up from the snapshots: a visitor's area is asked about on every
    /// page, and adding up a crowded band of ZIPs for each of a section's categories cost a
    /// twentieth of a section page's time.
    circles: Memo<(u64, u64, u64, Vec<i32>), i64>,
}

impl Density {
    pub fn new(ttl: Duration) -> Self {
        Self {
            ttl,
            zips: Snapshot::new(ttl),
            categories: Mutex::new(HashMap::new()),
            listed_days: Snapshot::new(ttl),
            estimates: Memo::new(ttl, MEMO_CAPACITY),
            suggestions: Memo::new(ttl, MEMO_CAPACITY),
            totals: Memo::new(ttl, MEMO_CAPACITY),
            circles: Memo::new(ttl, MEMO_CAPACITY),
        }
    }

    /// What a search is asked as, for the memos: its filters and sort, with its time limit
    /// to the hour.
    fn asked(filters: &Filters, sort: Sort) -> String {
        let asked = Filters {
            posted_since: filters
                .posted_since
                .map(|at| at - chrono::Duration::seconds(at.timestamp().rem_euclid(3600))),
            ..filters.clone()
        };
        format!("{sort:?} {asked:?}")
    }

    /// A search's total, counted up to `cap + 1` ([`queries::count_matches`]), kept for the
    /// ttl: like the category counts, it may lag the rows by that much (the page itself
    /// never does).
    pub fn total(
        &self,
        conn: &mut PgConnection,
        filters: &Filters,
        sort: Sort,
        cap: i64,
    ) -> QueryResult<i64> {
        self.totals
            .get_or_read(format!("{cap} {}", Self::asked(filters, sort)), || {
                queries::count_matches(conn, filters, sort, cap)
            })
    }

    /// The planner's estimate of a search's matches ([`queries::estimate_matches`]), kept for
    /// the ttl: it changes only as the table's statistics do. A search's time limit is part
    /// of what it asks, to the hour.
    pub fn estimate(
        &self,
        conn: &mut PgConnection,
        filters: &Filters,
        sort: Sort,
    ) -> QueryResult<Estimate> {
        self.estimates.get_or_read(Self::asked(filters, sort), || {
            queries::estimate_matches(conn, filters, sort)
        })
    }

    /// The spelling suggestion for `text` (made by `suggest` when not kept), kept for the
    /// ttl: the words of titles change slowly.
    pub fn suggestion<E>(
        &self,
        text: &str,
        suggest: impl FnOnce() -> Result<Option<String>, E>,
    ) -> Result<Option<String>, E> {
        self.suggestions.get_or_read(text.to_owned(), suggest)
    }

    /// The oldest day (`listing_day`) with a public listing; `None` when there is none.
    pub fn oldest_day(&self, conn: &mut PgConnection) -> QueryResult<Option<i32>> {
        Ok(self.listed_days(conn)?.map(|(oldest, _)| oldest))
    }

    /// The oldest and the newest day (`listing_day`) with a public listing (both ends of the
    /// newest-first index); `None` when there is none.
    pub fn listed_days(&self, conn: &mut PgConnection) -> QueryResult<Option<(i32, i32)>> {
        #[derive(QueryableByName)]
        struct Days {
            #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Integer>)]
            oldest: Option<i32>,
            #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Integer>)]
            newest: Option<i32>,
        }
        let days = self.listed_days.get(conn, |conn| {
            diesel::sql_query(
                "SELECT listing_day(min(renewed_at)) AS oldest,
                        listing_day(max(renewed_at)) AS newest
                 FROM listings WHERE status IN ('active', 'pending')",
            )
            .get_result::<Days>(conn)
            .map(|d| d.oldest.zip(d.newest))
        })?;
        Ok(*days)
    }

    /// About how many public listings lie within `metres` of the point.
    pub fn in_circle(
        &self,
        conn: &mut PgConnection,
        lat: f64,
        lon: f64,
        metres: f64,
    ) -> QueryResult<i64> {
        let key = (lat.to_bits(), lon.to_bits(), metres.to_bits(), Vec::new());
        self.circles.get_or_read(key, || {
            let zips = self.zips.get(conn, read_all)?;
            Ok(sum_in_circle(&zips, lat, lon, metres))
        })
    }

    /// About how many public listings of `categories` lie within `metres` of the point.
    pub fn in_circle_of(
        &self,
        conn: &mut PgConnection,
        (lat, lon, metres): (f64, f64, f64),
        categories: &[i32],
    ) -> QueryResult<i64> {
        let key = (
            lat.to_bits(),
            lon.to_bits(),
            metres.to_bits(),
            categories.to_vec(),
        );
        self.circles.get_or_read(key, || {
            let mut sum = 0;
            for &id in categories {
                let snapshot = {
                    let mut map = self.categories.lock().expect("density");
                    Arc::clone(
                        map.entry(id)
                            .or_insert_with(|| Arc::new(Snapshot::new(self.ttl))),
                    )
                };
                let zips = snapshot.get(conn, |conn| read_category(conn, id))?;
                sum += sum_in_circle(&zips, lat, lon, metres);
            }
            Ok(sum)
        })
    }
}

fn read_all(conn: &mut PgConnection) -> QueryResult<Vec<ZipCount>> {
    diesel::sql_query(
        "SELECT latitude, longitude, listings FROM zip_listing_counts
         WHERE listings > 0 ORDER BY latitude",
    )
    .load(conn)
}

fn read_category(conn: &mut PgConnection, category: i32) -> QueryResult<Vec<ZipCount>> {
    diesel::sql_query(
        "SELECT z.latitude, z.longitude, c.listings
         FROM zip_category_counts c JOIN zip_listing_counts z ON z.zip = c.zip
         WHERE c.category_id = $1 AND c.listings > 0
         ORDER BY z.latitude",
    )
    .bind::<Integer, _>(category)
    .load(conn)
}

/// The listings of the ZIPs (sorted by latitude) whose centre is within `metres`: only the
/// band of latitudes the circle spans is looked at.
fn sum_in_circle(zips: &[ZipCount], lat: f64, lon: f64, metres: f64) -> i64 {
    let reach = metres / METRES_PER_DEGREE;
    let shrink = lat.to_radians().cos();
    let first = zips.partition_point(|z| z.latitude < lat - reach);
    zips[first..]
        .iter()
        .take_while(|z| z.latitude <= lat + reach)
        .filter(|z| {
            let (dlat, dlon) = (z.latitude - lat, (z.longitude - lon) * shrink);
            dlat * dlat + dlon * dlon <= reach * reach
        })
        .map(|z| i64::from(z.listings))
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_circle_adds_up_the_zips_whose_centre_it_holds() {
        let zip = |latitude, longitude, listings: i32| ZipCount {
            latitude,
            longitude,
            listings,
        };
        // Sorted by latitude, as read.
        let zips = [
            zip(37.7509, -122.4153, 1000), // San Francisco
            zip(40.6500, -73.9500, 20),    // Brooklyn, ~12 km from Midtown
            zip(40.7484, -73.9967, 300),   // Midtown
            zip(40.7500, -73.6000, 4),     // ~33 km east of Midtown
            zip(40.9300, -73.9967, 7),     // ~20 km north of Midtown
        ];
        let midtown = (40.7484, -73.9967);
        let sum = |km: f64| sum_in_circle(&zips, midtown.0, midtown.1, km * 1000.0);
        assert_eq!(sum(0.1), 300);
        assert_eq!(sum(15.0), 320);
        assert_eq!(sum(25.0), 327);
        assert_eq!(sum(40.0), 331);
        assert_eq!(sum(5000.0), 1331);
        assert_eq!(sum_in_circle(&[], 0.0, 0.0, 1000.0), 0);
    }
}
