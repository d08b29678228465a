//! `/area`: choosing the area lists show (a ZIP code or a city, and a radius), or everywhere.
//! The choice lives in a cookie ([`crate::web::area`]); this page only reads and sets it.

use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use askama_web::WebTemplate;
use serde::Deserialize;

use super::{Lookup, lookup};
use crate::web::area::{self, DEFAULT_RADIUS, RADII};
use crate::web::respond::{form_page, safe_next, unprocessable};
use crate::web::{AppError, FieldErrors, PageContext};

/// The longest place name a visitor may type.
const PLACE_MAX_CHARS: usize = 100;

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct AreaQuery {
    place: String,
    radius: String,
    everywhere: String,
    next: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "places/area.html")]
pub struct AreaPage {
    pub ctx: PageContext,
    pub place: String,
    pub radius: u32,
    pub next: String,
    pub errors: FieldErrors,
    /// Cities of that name, when it named several.
    pub choices: Vec<(String, String)>,
}

impl AreaPage {
    pub fn radii(&self) -> Vec<(u32, bool)> {
        RADII.iter().map(|&r| (r, r == self.radius)).collect()
    }

    pub fn everywhere_url(&self) -> String {
        choice_url(&[("everywhere", "1"), ("next", &self.next)])
    }
}

fn choice_url(pairs: &[(&str, &str)]) -> String {
    let mut query = url::form_urlencoded::Serializer::new(String::new());
    for (k, v) in pairs {
        query.append_pair(k, v);
    }
    format!("/area?{}", query.finish())
}

/// `GET /area`: the form; with `place` (and `radius`) or `everywhere`, the choice, remembered
/// and then back to `next`.
pub async fn choose_area(
    req: HttpRequest,
    ctx: PageContext,
    query: web::Query<AreaQuery>,
) -> Result<HttpResponse, AppError> {
    let query = query.into_inner();
    let next = safe_next(&query.next).unwrap_or_else(|| "/".to_owned());
    let secure = ctx.site.public_url.starts_with("https://");
    let back = |zip: Option<&str>, radius: u32| {
        HttpResponse::SeeOther()
            .insert_header((actix_web::http::header::LOCATION, next.clone()))
            .cookie(area::cookie(zip, radius, secure))
            .finish()
    };
    if !query.everywhere.is_empty() {
        return Ok(back(None, DEFAULT_RADIUS));
    }
    let current = ctx.near().cloned();
    let mut page = AreaPage {
        place: current
            .as_ref()
            .map(|a| a.label.clone())
            .unwrap_or_default(),
        radius: current.as_ref().map_or(DEFAULT_RADIUS, |a| a.radius_miles),
        next: next.clone(),
        errors: FieldErrors::new(),
        choices: Vec::new(),
        ctx,
    };
    if query.place.is_empty() && query.radius.is_empty() {
        return Ok(form_page(page, &req));
    }
    page.place = query.place.trim().to_owned();
    let radius = match query.radius.trim() {
        "" => Some(DEFAULT_RADIUS),
        raw => {
            let radius = raw.parse().ok().filter(|r| RADII.contains(r));
            if radius.is_none() {
                page.errors
                    .add("radius", "Choose one of the distances offered.");
            }
            radius
        }
    };
    let place = if page.place.is_empty() {
        page.errors.add(
            "place",
            "Enter a ZIP code or a city, like 97201 or Portland, OR.",
        );
        None
    } else if page.place.chars().count() > PLACE_MAX_CHARS
        || crate::web::text::refuse_control_characters(&page.place).is_err()
    {
        page.errors
            .add("place", "We don't know a place by that name.");
        None
    } else {
        match lookup(&page.place) {
            Lookup::Found(place) => Some(place),
            Lookup::Choices(labels) => {
                let radius = radius.unwrap_or(DEFAULT_RADIUS).to_string();
                page.choices = labels
                    .into_iter()
                    .map(|label| {
                        let url =
                            choice_url(&[("place", &label), ("radius", &radius), ("next", &next)]);
                        (label, url)
                    })
                    .collect();
                page.errors
                    .add("place", "Several places have that name: choose one.");
                None
            }
            Lookup::NotFound => {
                page.errors.add(
                    "place",
                    "We don't know that place. Try its ZIP code, or the city and state, like Portland, OR.",
                );
                None
            }
        }
    };
    match (place, radius) {
        (Some(place), Some(radius)) => Ok(back(Some(&place.zip), radius)),
        _ => {
            if let Some(r) = radius {
                page.radius = r;
            }
            Ok(unprocessable(page, &req))
        }
    }
}
