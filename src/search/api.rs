//! `GET /api/v1/listings`: the search page's search as JSON, every filter and sort with the
//! same meaning and the same rate limit, numbered pages instead of page links.

use actix_web::{HttpRequest, HttpResponse};
use serde::Serialize;
use utoipa::ToSchema;

use super::domain::Search;
use super::handlers::{Lists, count_in_database, count_search};
use super::service::{self, COUNT_CAP};
use crate::listings::json::{ListingSummary, PriceOut};
use crate::listings::photos::thumb_url;
use crate::places;
use crate::web::json::unprocessable;
use crate::web::paging::{self, Extent, PageParams, Paging};
use crate::web::problem::Problem;
use crate::web::rate_limit;
use crate::web::{AppError, FieldErrors};

/// A page of listings.
#[derive(Debug, Serialize, ToSchema)]
pub struct ListingList {
    pub items: Vec<ListingSummary>,
    pub page: i64,
    pub per_page: i64,
    /// How many match; with `total_is_lower_bound`, at least that many (searches count up to
    /// 1,000).
    pub total: i64,
    pub total_is_lower_bound: bool,
}

/// The search's filters, as on `/search`.
#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct SearchParams {
    /// Words (`"a phrase"`, `-without`, `or`), at most 16.
    q: Option<String>,
    /// `1` to match titles only.
    titles: Option<String>,
    /// A section's slug (`for-sale`, `housing`, …).
    section: Option<String>,
    /// A category's slug within the section.
    category: Option<String>,
    /// Lowest price, in dollars.
    min_price: Option<String>,
    /// Highest price, in dollars.
    max_price: Option<String>,
    /// `1` for listings with photos.
    photos: Option<String>,
    /// `today` or `week`.
    posted: Option<String>,
    /// A ZIP code to search around.
    zip: Option<String>,
    /// Miles around `zip`, 1–200.
    radius: Option<String>,
    /// `newest`, `price_asc`, `price_desc`, `nearest`, `relevance` or `soonest`.
    sort: Option<String>,
}

/// The query's pairs that are the search's (not the page's).
fn search_pairs(req: &HttpRequest) -> Result<Vec<(String, String)>, AppError> {
    let mut pairs = super::handlers::search_pairs(req)?;
    pairs.retain(|(key, _)| {
        !matches!(
            key.as_str(),
            "page" | "per_page" | "after" | "view" | "format"
        )
    });
    Ok(pairs)
}

/// `GET /api/v1/listings`
#[utoipa::path(
    get,
    path = "/api/v1/listings",
    tag = "listings",
    params(SearchParams, PageParams),
    responses(
        (status = 200, description = "The listings that match, in the order asked for. Category details filter as `attr_<key>=<value>` (see `GET /api/v1/categories`). `Link` points at the next and previous pages.", body = ListingList),
        (status = 422, description = "What is wrong with the search, or a page beyond the first 1,000 results.", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many searches from this network.", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn list_listings(req: HttpRequest, lists: Lists) -> Result<HttpResponse, AppError> {
    let pairs = search_pairs(&req)?;
    let mut errors = FieldErrors::new();
    let params = actix_web::web::Query::<PageParams>::from_query(req.query_string())
        .map(actix_web::web::Query::into_inner)
        .unwrap_or_default();
    let paging = Paging::parse(&params, &mut errors);
    if let Some(paging) = paging
        && paging.page * paging.per_page > COUNT_CAP
    {
        errors.add(
            "page",
            "Searches go 1,000 results deep: narrow the search to see more.",
        );
    }
    let (search, problems) = Search::parse(&pairs);
    for problem in problems {
        errors.add(format!("query.{}", errors.len()), problem);
    }
    let Some(paging) = paging.filter(|_| errors.is_empty()) else {
        return Ok(unprocessable(&errors));
    };
    let network = rate_limit::client_network(&req);
    let Lists {
        db,
        primary,
        storage,
        cache,
        density,
        rate,
    } = lists;
    let in_database = count_search(&rate, &network)?;
    // Counted in the database (the meter is full): a write, so not on the replica.
    let db = if in_database.is_some() { primary } else { db };
    // Pages are numbered: the first `page × per_page` results are read and this page kept
    // (at most 1,000, as far as a search counts).
    let limit = paging.page * paging.per_page + 1;
    let (outcome, tree, places) = db
        .run(move |conn| {
            count_in_database(conn, in_database, &network)?;
            let outcome = service::run(conn, &density, Some(&cache), &search, None, limit)?;
            let tree = cache.tree(conn)?;
            let mut places = std::collections::HashMap::new();
            for row in outcome.rows.iter().skip(paging.offset() as usize) {
                if !places.contains_key(&row.zip) {
                    places.insert(row.zip.clone(), places::place_of(conn, &row.zip)?);
                }
            }
            Ok::<_, AppError>((outcome, tree, places))
        })
        .await?;
    if !outcome.problems.is_empty() {
        for problem in outcome.problems {
            errors.add(format!("query.{}", errors.len()), problem);
        }
        return Ok(unprocessable(&errors));
    }
    let mut items = Vec::with_capacity(paging.per_page as usize);
    for row in outcome
        .rows
        .iter()
        .skip(paging.offset() as usize)
        .take(paging.per_page as usize)
    {
        let (section, category) = tree
            .iter()
            .find_map(|(s, cats)| {
                cats.iter()
                    .find(|c| c.id == row.category_id)
                    .map(|c| (s.slug.clone(), c.slug.clone()))
            })
            .unwrap_or_default();
        items.push(ListingSummary {
            id: row.id.0,
            title: row.title.clone(),
            price: PriceOut::new(
                row.price_cents,
                row.price_max_cents,
                row.price_unit,
                row.is_free,
            ),
            status: row.status.as_str().to_owned(),
            section,
            category,
            place: places
                .get(&row.zip)
                .and_then(|p| p.as_ref().map(Into::into)),
            photo_count: row.photo_count,
            thumb_url: thumb_url(&storage, row.thumb_key.as_ref()).await,
            renewed_at: row.renewed_at,
            path: format!(
                "/listings/{}/{}",
                row.id,
                crate::listings::domain::slugify(&row.title)
            ),
        });
    }
    let body = ListingList {
        items,
        page: paging.page,
        per_page: paging.per_page,
        total: outcome.total,
        total_is_lower_bound: outcome.at_least,
    };
    let extent = if outcome.at_least {
        Extent::AtLeast {
            total: outcome.total,
            more: outcome.rows.len() as i64 > paging.offset() + paging.per_page,
        }
    } else {
        Extent::Exact(outcome.total)
    };
    Ok(paging::respond(&req, paging, extent, &body))
}
