//! Where and since when the public listings are, held in memory for choosing search plans.
//!
//! - How crowded a radius search's circle is, from the per-ZIP counts of public listings that
//!   the database's triggers keep (`zip_listing_counts`): a search adds up the ZIPs whose
//!   centre lies inside its circle (listings sit at their ZIP's centre), as the planner cannot
//!   estimate a distance condition. The distance is the flat-earth approximation.
//! - The oldest day with a public listing, which bounds how far back a newest-first search
//!   reads windows of days.
//!
//! Neither is ever shown to anyone, so both may lag the rows by the snapshot's age.

use std::time::Duration;

use diesel::prelude::*;

use crate::db::schema::zip_listing_counts;
use crate::db::snapshot::Snapshot;

/// Metres in a degree of latitude (and of longitude at the equator).
const METRES_PER_DEGREE: f64 = 111_195.0;

#[derive(Debug, Clone, Copy, PartialEq, Queryable)]
struct ZipCount {
    latitude: f64,
    longitude: f64,
    listings: i32,
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
        Ok(sum_in_circle(&zips, lat, lon, metres))
    }
}

fn read(conn: &mut PgConnection) -> QueryResult<Vec<ZipCount>> {
    zip_listing_counts::table
        .filter(zip_listing_counts::listings.gt(0))
        .order(zip_listing_counts::latitude)
        .select((
            zip_listing_counts::latitude,
            zip_listing_counts::longitude,
            zip_listing_counts::listings,
        ))
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
        let zip = |latitude, longitude, listings| ZipCount {
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
