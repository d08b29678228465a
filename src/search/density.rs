//! Where and since when the public listings are, held in memory for choosing search plans.
//!
//! - How crowded a radius search's circle is, from the per-ZIP counts of public listings that
//!   the database's triggers keep (`zip_listing_counts`, and per category
//!   `zip_category_counts`): a search adds up the ZIPs whose centre lies inside its circle
//!   (listings sit at their ZIP's centre), as the planner cannot estimate a distance
//!   condition. The distance is the flat-earth approximation.
//! - The oldest day with a public listing, which bounds how far back a newest-first search
//!   reads windows of days.
//!
//! Both may lag the rows by the snapshot's age (as the per-category counts do): a category
//! page in an area shows its circle's count as its total.

use std::time::Duration;

use diesel::prelude::*;

use diesel::sql_types::{Array, Double, Integer};

use crate::db::snapshot::Snapshot;

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
    /// The categories with listings here, ascending, and how many each has.
    #[diesel(sql_type = Array<Integer>)]
    category_ids: Vec<i32>,
    #[diesel(sql_type = Array<Integer>)]
    category_listings: Vec<i32>,
}

impl ZipCount {
    /// Its listings in `categories` (every one when `None`).
    fn listings_in(&self, categories: Option<&[i32]>) -> i64 {
        match categories {
            None => i64::from(self.listings),
            Some(wanted) => self
                .category_ids
                .iter()
                .zip(&self.category_listings)
                .filter(|(id, _)| wanted.contains(id))
                .map(|(_, n)| i64::from(*n))
                .sum(),
        }
    }
}

/// The per-ZIP counts (sorted by latitude) and the oldest day, read again at most every
/// `ttl`. One per app.
#[derive(Debug)]
pub struct Density {
    zips: Snapshot<Vec<ZipCount>>,
    oldest_day: Snapshot<Option<i32>>,
}

impl Density {
    pub fn new(ttl: Duration) -> Self {
        Self {
            zips: Snapshot::new(ttl),
            oldest_day: Snapshot::new(ttl),
        }
    }

    /// The oldest day (`listing_day`) with a public listing; `None` when there is none.
    pub fn oldest_day(&self, conn: &mut PgConnection) -> QueryResult<Option<i32>> {
        #[derive(QueryableByName)]
        struct Day {
            #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Integer>)]
            day: Option<i32>,
        }
        let day = self.oldest_day.get(conn, |conn| {
            diesel::sql_query(
                "SELECT listing_day(min(renewed_at)) AS day FROM listings
                 WHERE status IN ('active', 'pending')",
            )
            .get_result::<Day>(conn)
            .map(|d| d.day)
        })?;
        Ok(*day)
    }

    /// About how many public listings lie within `metres` of the point.
    pub fn in_circle(
        &self,
        conn: &mut PgConnection,
        lat: f64,
        lon: f64,
        metres: f64,
    ) -> QueryResult<i64> {
        let zips = self.zips.get(conn, read)?;
        Ok(sum_in_circle(&zips, lat, lon, metres, None))
    }

    /// About how many public listings of `categories` lie within `metres` of the point.
    pub fn in_circle_of(
        &self,
        conn: &mut PgConnection,
        (lat, lon, metres): (f64, f64, f64),
        categories: &[i32],
    ) -> QueryResult<i64> {
        let zips = self.zips.get(conn, read)?;
        Ok(sum_in_circle(&zips, lat, lon, metres, Some(categories)))
    }
}

fn read(conn: &mut PgConnection) -> QueryResult<Vec<ZipCount>> {
    diesel::sql_query(
        "SELECT z.latitude, z.longitude, z.listings,
                COALESCE(array_agg(c.category_id ORDER BY c.category_id)
                         FILTER (WHERE c.listings > 0), '{}') AS category_ids,
                COALESCE(array_agg(c.listings ORDER BY c.category_id)
                         FILTER (WHERE c.listings > 0), '{}') AS category_listings
         FROM zip_listing_counts z
         LEFT JOIN zip_category_counts c ON c.zip = z.zip
         WHERE z.listings > 0
         GROUP BY z.zip
         ORDER BY z.latitude",
    )
    .load(conn)
}

/// The listings (of `categories`, or all) of the ZIPs (sorted by latitude) whose centre is
/// within `metres`: only the band of latitudes the circle spans is looked at.
fn sum_in_circle(
    zips: &[ZipCount],
    lat: f64,
    lon: f64,
    metres: f64,
    categories: Option<&[i32]>,
) -> i64 {
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
        .map(|z| z.listings_in(categories))
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_circle_adds_up_the_zips_whose_centre_it_holds() {
        // Half of each ZIP's listings are bikes (category 7), the rest furniture (8).
        let zip = |latitude, longitude, listings: i32| ZipCount {
            latitude,
            longitude,
            listings,
            category_ids: vec![7, 8],
            category_listings: vec![listings / 2, listings - listings / 2],
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
        let sum = |km: f64| sum_in_circle(&zips, midtown.0, midtown.1, km * 1000.0, None);
        assert_eq!(sum(0.1), 300);
        assert_eq!(sum(15.0), 320);
        assert_eq!(sum(25.0), 327);
        assert_eq!(sum(40.0), 331);
        assert_eq!(sum(5000.0), 1331);
        assert_eq!(sum_in_circle(&[], 0.0, 0.0, 1000.0, None), 0);
        let bikes = |km: f64| sum_in_circle(&zips, midtown.0, midtown.1, km * 1000.0, Some(&[7]));
        assert_eq!(bikes(0.1), 150);
        assert_eq!(bikes(25.0), 150 + 10 + 3);
        let both = sum_in_circle(&zips, midtown.0, midtown.1, 25_000.0, Some(&[7, 8]));
        assert_eq!(both, 327);
        assert_eq!(
            sum_in_circle(&zips, midtown.0, midtown.1, 25_000.0, Some(&[99])),
            0
        );
    }
}
