//! Places: the US ZIP-code gazetteer behind locations and distance search.
//!
//! The data ships in the binary (`data/places-us.csv.gz`, from the npm package `zipcodes`, BSD
//! licence; see `data/README.md`) and is loaded into `places` the first time the database is
//! prepared, under the migration lock, so every instance and every test database has it.

use std::io::Read;

use anyhow::Context;
use diesel::prelude::*;

use crate::db::schema::places;

static PLACES_CSV_GZ: &[u8] = include_bytes!("../../data/places-us.csv.gz");

/// A ZIP code with its city and centroid.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable)]
#[diesel(table_name = places, check_for_backend(diesel::pg::Pg))]
pub struct Place {
    pub zip: String,
    pub city: String,
    pub state: String,
    pub latitude: f64,
    pub longitude: f64,
}

impl Place {
    /// "San Francisco, CA"
    pub fn label(&self) -> String {
        format!("{}, {}", self.city, self.state)
    }
}

/// The shipped gazetteer by ZIP, parsed once per process (about 5 MiB). Lists label their
/// cards from it rather than joining `places`, which was loaded from the same file.
pub fn shipped() -> &'static std::collections::HashMap<String, Place> {
    static SHIPPED: std::sync::OnceLock<std::collections::HashMap<String, Place>> =
        std::sync::OnceLock::new();
    SHIPPED.get_or_init(|| {
        parse(PLACES_CSV_GZ)
            .expect("the shipped gazetteer parses (a unit test checks it)")
            .into_iter()
            .map(|place| (place.zip.clone(), place))
            .collect()
    })
}

/// "San Francisco, CA" for a ZIP code.
pub fn label_of(zip: &str) -> String {
    shipped()
        .get(zip)
        .map_or_else(|| format!("ZIP {zip}"), Place::label)
}

pub fn find_place(conn: &mut PgConnection, zip: &str) -> QueryResult<Option<Place>> {
    places::table
        .find(zip)
        .select(Place::as_select())
        .first(conn)
        .optional()
}

/// Loads the gazetteer if `places` is empty; returns how many places were loaded.
pub fn ensure_loaded(conn: &mut PgConnection) -> anyhow::Result<usize> {
    let present: i64 = places::table.count().get_result(conn)?;
    if present > 0 {
        return Ok(0);
    }
    let rows = parse(PLACES_CSV_GZ)?;
    conn.transaction(|conn| {
        for chunk in rows.chunks(5_000) {
            diesel::insert_into(places::table)
                .values(chunk)
                .on_conflict_do_nothing()
                .execute(conn)?;
        }
        Ok::<_, diesel::result::Error>(())
    })
    .context("cannot load the places")?;
    Ok(rows.len())
}

fn parse(gz: &[u8]) -> anyhow::Result<Vec<Place>> {
    let mut text = String::new();
    flate2::read::GzDecoder::new(gz)
        .read_to_string(&mut text)
        .context("the places file is damaged")?;
    text.lines()
        .skip(1)
        .filter(|line| !line.is_empty())
        .map(|line| {
            let fields: Vec<&str> = line.split(',').collect();
            let [zip, city, state, lat, lon] = fields[..] else {
                anyhow::bail!("bad places line {line:?}");
            };
            Ok(Place {
                zip: zip.to_owned(),
                city: city.to_owned(),
                state: state.to_owned(),
                latitude: lat
                    .parse()
                    .with_context(|| format!("bad latitude in {line:?}"))?,
                longitude: lon
                    .parse()
                    .with_context(|| format!("bad longitude in {line:?}"))?,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_gazetteer_parses_and_knows_big_cities() {
        let places = parse(PLACES_CSV_GZ).unwrap();
        assert!(places.len() > 40_000, "{}", places.len());
        let sf = places.iter().find(|p| p.zip == "94110").unwrap();
        assert_eq!(sf.label(), "San Francisco, CA");
        assert!((sf.latitude - 37.75).abs() < 0.1 && (sf.longitude + 122.41).abs() < 0.1);
        assert_eq!(label_of("10001"), "New York, NY");
        assert_eq!(label_of("00000"), "ZIP 00000");
    }
}
