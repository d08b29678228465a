//! Places: the US ZIP-code gazetteer behind locations and distance search.
//!
//! The data ships in the binary (`data/places-us.csv.gz`, from the npm package `zipcodes`, BSD
//! licence; see `data/README.md`) and is loaded into `places` the first time the database is
//! prepared, under the migration lock, so every instance and every test database has it.

pub mod area;
pub mod routes;

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

/// A ZIP's label and centre from the shipped gazetteer: the area cookie's lookup
/// ([`crate::web::area::AreaLookup`]).
pub fn area_place(zip: &str) -> Option<(String, f64, f64)> {
    shipped()
        .get(zip)
        .map(|p| (p.label(), p.latitude, p.longitude))
}

/// What a visitor typed as their area, looked up.
#[derive(Debug, Clone, PartialEq)]
pub enum Lookup {
    /// One place: a ZIP, or a city's most central ZIP.
    Found(&'static Place),
    /// A city name several states have: "Portland, OR", "Portland, ME", … (biggest first).
    Choices(Vec<String>),
    NotFound,
}

/// Most choices offered for an ambiguous city name.
const MAX_CHOICES: usize = 10;

/// Looks up a ZIP code, "City, ST" or a city name (any case, extra spaces ignored).
pub fn lookup(text: &str) -> Lookup {
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if text.len() == 5 && text.bytes().all(|b| b.is_ascii_digit()) {
        return shipped().get(&text).map_or(Lookup::NotFound, Lookup::Found);
    }
    let key = text.to_lowercase().replace(" ,", ",");
    let cities = cities();
    let key = match key.split_once(',') {
        Some((city, state)) => format!("{}, {}", city.trim(), state.trim()),
        None => key,
    };
    if let Some(zip) = cities.central.get(&key) {
        return Lookup::Found(&shipped()[zip]);
    }
    match cities.by_name.get(&key).map(Vec::as_slice) {
        Some([only]) => Lookup::Found(&shipped()[&cities.central[only]]),
        Some(labels) => Lookup::Choices(
            labels
                .iter()
                .take(MAX_CHOICES)
                .map(|l| shipped()[&cities.central[l]].label())
                .collect(),
        ),
        None => Lookup::NotFound,
    }
}

/// Cities by name: each "city, st" (lower case) to its ZIP nearest its ZIPs' median point, and each city name to
/// its "city, st" keys, the ones with most ZIPs first.
struct Cities {
    central: std::collections::HashMap<String, String>,
    by_name: std::collections::HashMap<String, Vec<String>>,
}

fn cities() -> &'static Cities {
    static CITIES: std::sync::OnceLock<Cities> = std::sync::OnceLock::new();
    CITIES.get_or_init(|| {
        let mut zips: std::collections::HashMap<String, Vec<&Place>> =
            std::collections::HashMap::new();
        for place in shipped().values() {
            let key = format!("{}, {}", place.city, place.state).to_lowercase();
            zips.entry(key).or_default().push(place);
        }
        let mut central = std::collections::HashMap::new();
        let mut by_name: std::collections::HashMap<String, Vec<(usize, String)>> =
            std::collections::HashMap::new();
        for (key, places) in zips {
            // The median point: a few outlying ZIPs (post office boxes) do not move it.
            let median = |value: fn(&&Place) -> f64| {
                let mut values: Vec<f64> = places.iter().map(value).collect();
                values.sort_by(f64::total_cmp);
                values[values.len() / 2]
            };
            let (lat, lon) = (median(|p| p.latitude), median(|p| p.longitude));
            let middle = places
                .iter()
                .min_by(|a, b| {
                    let da = (a.latitude - lat).powi(2) + (a.longitude - lon).powi(2);
                    let db = (b.latitude - lat).powi(2) + (b.longitude - lon).powi(2);
                    da.total_cmp(&db).then_with(|| a.zip.cmp(&b.zip))
                })
                .expect("a city has a ZIP");
            let name = key
                .rsplit_once(", ")
                .map_or(key.clone(), |(c, _)| c.to_owned());
            by_name
                .entry(name)
                .or_default()
                .push((places.len(), key.clone()));
            central.insert(key, middle.zip.clone());
        }
        let by_name = by_name
            .into_iter()
            .map(|(name, mut keys)| {
                keys.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
                (name, keys.into_iter().map(|(_, k)| k).collect())
            })
            .collect();
        Cities { central, by_name }
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

/// A ZIP's place: from the shipped gazetteer (in memory), or from the database for a place
/// added since.
pub fn place_of(conn: &mut PgConnection, zip: &str) -> QueryResult<Option<Place>> {
    match shipped().get(zip) {
        Some(place) => Ok(Some(place.clone())),
        None => find_place(conn, zip),
    }
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

    #[test]
    fn areas_are_found_by_zip_city_and_state_or_city_alone() {
        let Lookup::Found(place) = lookup("97201") else {
            panic!("a ZIP")
        };
        assert_eq!(place.label(), "Portland, OR");
        let Lookup::Found(place) = lookup("  portland ,  or ") else {
            panic!("a city and state")
        };
        assert_eq!(place.label(), "Portland, OR");
        let Lookup::Choices(choices) = lookup("Portland") else {
            panic!("several states have a Portland")
        };
        assert!(choices.contains(&"Portland, OR".to_owned()), "{choices:?}");
        assert!(choices.contains(&"Portland, ME".to_owned()), "{choices:?}");
        assert!(choices.len() <= MAX_CHOICES);
        assert_eq!(lookup("Nowhere-on-earth"), Lookup::NotFound);
        assert_eq!(lookup("00000"), Lookup::NotFound);
        // A city's ZIP is one of its own, near its middle (Manhattan, not Staten Island).
        let Lookup::Found(place) = lookup("New York, NY") else {
            panic!("New York")
        };
        assert_eq!(place.city, "New York");
        assert!((place.latitude - 40.75).abs() < 0.1, "{place:?}");
    }
}
