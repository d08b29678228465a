//! The visitor's area: a place and a radius, chosen once and remembered in a cookie, that
//! every list shows listings within by default ("Near Portland, OR · 25 mi").
//!
//! Policy: the cookie holds only a ZIP code and a radius (or "everywhere"); what it names is
//! checked against the gazetteer on every request (a forged or stale cookie is no area, not an
//! error). Without a cookie a member's home ZIP is their area. Choosing an area changes nothing
//! on the server, so `/area` takes it as a GET form (no session, no CSRF token: the header's
//! form must not start a session for every visitor).
//!
//! This layer knows no places: the gazetteer's lookup is registered as app data
//! ([`AreaLookup`]) by `startup`, as the login lookup is.

use actix_web::HttpRequest;
use actix_web::cookie::{Cookie, SameSite, time::Duration};

/// The cookie's name.
pub const COOKIE: &str = "area";
/// The radii a visitor chooses from, in miles.
pub const RADII: [u32; 6] = [5, 10, 25, 50, 100, 200];
/// The radius of an area chosen without one (a member's home ZIP).
pub const DEFAULT_RADIUS: u32 = 25;
/// How long the choice is remembered.
const COOKIE_DAYS: i64 = 400;

/// A place and a radius.
#[derive(Debug, Clone, PartialEq)]
pub struct Area {
    pub zip: String,
    /// "Portland, OR"
    pub label: String,
    pub latitude: f64,
    pub longitude: f64,
    pub radius_miles: u32,
}

impl Area {
    /// Miles from the area's centre to a point, rounded for a card ("4 mi").
    pub fn miles_to(&self, latitude: f64, longitude: f64) -> f64 {
        miles_between((self.latitude, self.longitude), (latitude, longitude))
    }
}

/// What the visitor chose.
#[derive(Debug, Clone, PartialEq)]
pub enum AreaChoice {
    Near(Area),
    /// Chose to see everything (remembered, so a member's home ZIP does not come back).
    Everywhere,
}

impl AreaChoice {
    pub fn near(&self) -> Option<&Area> {
        match self {
            Self::Near(area) => Some(area),
            Self::Everywhere => None,
        }
    }
}

/// A ZIP's label and centre, if the gazetteer has it.
pub type FindPlace = fn(&str) -> Option<(String, f64, f64)>;

/// The [`FindPlace`] function, as app data.
#[derive(Clone, Copy)]
pub struct AreaLookup(pub FindPlace);

/// The cookie's value for a choice.
pub fn cookie_value(zip: Option<&str>, radius_miles: u32) -> String {
    match zip {
        Some(zip) => format!("{zip}~{radius_miles}"),
        None => "everywhere".to_owned(),
    }
}

/// The cookie that remembers a choice (`None`: everywhere).
pub fn cookie(zip: Option<&str>, radius_miles: u32, secure: bool) -> Cookie<'static> {
    Cookie::build(COOKIE, cookie_value(zip, radius_miles))
        .path("/")
        .max_age(Duration::days(COOKIE_DAYS))
        .same_site(SameSite::Lax)
        .http_only(true)
        .secure(secure)
        .finish()
}

/// A cookie value read: `Some(None)` is everywhere; `None` is no readable choice.
fn parse(value: &str) -> Option<Option<(&str, u32)>> {
    if value == "everywhere" {
        return Some(None);
    }
    let (zip, radius) = value.split_once('~')?;
    let radius = radius.parse().ok().filter(|r| RADII.contains(r))?;
    (zip.len() == 5 && zip.bytes().all(|b| b.is_ascii_digit())).then_some(Some((zip, radius)))
}

/// The area a ZIP and radius name, if the gazetteer knows the ZIP.
pub fn area_of(find: FindPlace, zip: &str, radius_miles: u32) -> Option<Area> {
    let (label, latitude, longitude) = find(zip)?;
    Some(Area {
        zip: zip.to_owned(),
        label,
        latitude,
        longitude,
        radius_miles,
    })
}

/// The request's area: its cookie's, else the member's home ZIP's; `None` when neither names
/// one.
pub fn of_request(req: &HttpRequest, home_zip: Option<&str>) -> Option<AreaChoice> {
    let find = req.app_data::<AreaLookup>()?.0;
    match req.cookie(COOKIE).as_ref().and_then(|c| parse(c.value())) {
        Some(None) => Some(AreaChoice::Everywhere),
        Some(Some((zip, radius))) => area_of(find, zip, radius).map(AreaChoice::Near),
        None => home_zip
            .and_then(|zip| area_of(find, zip, DEFAULT_RADIUS))
            .map(AreaChoice::Near),
    }
}

/// Great-circle distance in miles.
pub fn miles_between(a: (f64, f64), b: (f64, f64)) -> f64 {
    const EARTH_MILES: f64 = 3958.8;
    let (la1, lo1, la2, lo2) = (
        a.0.to_radians(),
        a.1.to_radians(),
        b.0.to_radians(),
        b.1.to_radians(),
    );
    let h = ((la2 - la1) / 2.0).sin().powi(2)
        + la1.cos() * la2.cos() * ((lo2 - lo1) / 2.0).sin().powi(2);
    2.0 * EARTH_MILES * h.sqrt().min(1.0).asin()
}

/// "4 mi", "less than 1 mi", "120 mi".
pub fn distance_label(miles: f64) -> String {
    if miles < 1.0 {
        "less than 1 mi".to_owned()
    } else {
        format!("{} mi", miles.round() as i64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cookie_is_read_strictly() {
        assert_eq!(parse("97201~25"), Some(Some(("97201", 25))));
        assert_eq!(parse("everywhere"), Some(None));
        for bad in [
            "97201~26",
            "9720~25",
            "97201",
            "abcde~25",
            "97201~",
            "",
            "97201~25~",
        ] {
            assert_eq!(parse(bad), None, "{bad}");
        }
        assert_eq!(
            parse(&cookie_value(Some("10001"), 50)),
            Some(Some(("10001", 50)))
        );
        assert_eq!(parse(&cookie_value(None, 50)), Some(None));
    }

    #[test]
    fn distances_are_great_circle_miles() {
        // Portland, OR to Seattle, WA: about 145 miles.
        let d = miles_between((45.5152, -122.6784), (47.6062, -122.3321));
        assert!((140.0..150.0).contains(&d), "{d}");
        assert_eq!(miles_between((40.0, -100.0), (40.0, -100.0)), 0.0);
        assert_eq!(distance_label(0.4), "less than 1 mi");
        assert_eq!(distance_label(3.6), "4 mi");
    }
}
