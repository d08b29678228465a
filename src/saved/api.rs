//! The saved part of the JSON API: the caller's favourite listings and saved searches, with
//! the pages' rules (`service`): only a listing that is up may be saved, at most 50 searches,
//! a search kept in its normal form, its news counted as the page counts it.

use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::alerts::AlertCadence;
use super::queries::{self, SavedSearch};
use super::service;
use crate::db::ids::{ListingId, SavedSearchId};
use crate::listings::json::PriceOut;
use crate::search::density::Density;
use crate::web::bearer::ApiUser;
use crate::web::json::{ApiJson, json, unprocessable};
use crate::web::paging::{self, Extent, PageParams, Paging};
use crate::web::problem::Problem;
use crate::web::{AppError, Db, FieldErrors};

/// A saved listing, whatever became of it.
#[derive(Debug, Serialize, ToSchema)]
pub struct FavoriteOut {
    pub listing_id: i64,
    pub title: String,
    pub price: PriceOut,
    /// `active`, `pending`, `sold`, `expired`, `deleted`, or `removed` by the moderators.
    pub status: String,
    /// Whether it is still up (`GET /api/v1/listings/{id}` reads it).
    pub visible: bool,
    pub path: String,
    pub saved_at: DateTime<Utc>,
}

/// A page of favourites.
#[derive(Debug, Serialize, ToSchema)]
pub struct FavoriteList {
    pub items: Vec<FavoriteOut>,
    pub page: i64,
    pub per_page: i64,
    pub total: i64,
}

/// `GET /api/v1/favorites`
#[utoipa::path(
    get,
    path = "/api/v1/favorites",
    tag = "saved",
    security(("bearer" = [])),
    params(PageParams),
    responses(
        (status = 200, description = "Your saved listings, the most recently saved first.", body = FavoriteList),
        (status = 422, description = "A page number or size out of range.", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn favorites(
    req: HttpRequest,
    ApiUser(me): ApiUser,
    db: Db,
    page: web::Query<PageParams>,
) -> Result<HttpResponse, AppError> {
    let mut errors = FieldErrors::new();
    let Some(paging) = Paging::parse(&page, &mut errors) else {
        return Ok(unprocessable(&errors));
    };
    let (rows, total) = db
        .run(move |conn| {
            Ok::<_, AppError>((
                queries::favorites_page(conn, me.id, paging.offset(), paging.per_page)?,
                queries::count_favorites(conn, me.id)?,
            ))
        })
        .await?;
    let now = Utc::now();
    let items = rows
        .into_iter()
        .map(|(listing, saved_at)| {
            let status = match listing.effective_status(now).as_str() {
                "held" => "removed",
                other => other,
            };
            FavoriteOut {
                listing_id: listing.id.0,
                price: PriceOut::new(
                    listing.price_cents,
                    listing.price_max_cents,
                    listing.price_unit,
                    listing.is_free,
                ),
                status: status.to_owned(),
                visible: listing.is_public(),
                path: listing.path(),
                title: listing.title,
                saved_at,
            }
        })
        .collect();
    let body = FavoriteList {
        items,
        page: paging.page,
        per_page: paging.per_page,
        total,
    };
    Ok(paging::respond(&req, paging, Extent::Exact(total), &body))
}

/// `PUT /api/v1/favorites/{listing_id}`
#[utoipa::path(
    put,
    path = "/api/v1/favorites/{listing_id}",
    tag = "saved",
    security(("bearer" = [])),
    params(("listing_id" = i64, Path, description = "A listing that is up.")),
    responses(
        (status = 204, description = "Saved (saving it again is fine)."),
        (status = 404, description = "No such listing, or one that is not up.", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn add_favorite(
    ApiUser(me): ApiUser,
    db: Db,
    id: web::Path<ListingId>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    db.run(move |conn| service::set_favorite(conn, me.id, id, true))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// `DELETE /api/v1/favorites/{listing_id}`
#[utoipa::path(
    delete,
    path = "/api/v1/favorites/{listing_id}",
    tag = "saved",
    security(("bearer" = [])),
    params(("listing_id" = i64, Path, description = "A listing you saved.")),
    responses(
        (status = 204, description = "Not saved any more (or it was not)."),
        (status = 404, description = "No such listing.", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn remove_favorite(
    ApiUser(me): ApiUser,
    db: Db,
    id: web::Path<ListingId>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    db.run(move |conn| service::set_favorite(conn, me.id, id, false))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// A saved search.
#[derive(Debug, Serialize, ToSchema)]
pub struct SavedSearchOut {
    pub id: i64,
    pub name: String,
    /// The search, as the query string of `GET /api/v1/listings` (and of the site's
    /// `/search`).
    #[schema(example = "q=bike&section=for-sale&max_price=300")]
    pub query: String,
    /// How often it e-mails what is new: `off`, `instant`, `daily` or `weekly`.
    pub alert: String,
    /// Listings new since you last marked it seen, as last counted (absent when not counted
    /// yet, or when the search no longer works); counts stop at 1,001.
    pub new_matches: Option<i32>,
    pub counted_at: Option<DateTime<Utc>>,
    pub last_seen_at: DateTime<Utc>,
    pub created_at: DateTime<Utc>,
}

impl From<SavedSearch> for SavedSearchOut {
    fn from(s: SavedSearch) -> Self {
        Self {
            id: s.id.0,
            name: s.name,
            query: s.query,
            alert: s.alert.as_str().to_owned(),
            new_matches: s.new_matches,
            counted_at: s.counted_at,
            last_seen_at: s.last_seen_at,
            created_at: s.created_at,
        }
    }
}

/// A page of saved searches.
#[derive(Debug, Serialize, ToSchema)]
pub struct SavedSearchList {
    pub items: Vec<SavedSearchOut>,
    pub page: i64,
    pub per_page: i64,
    pub total: i64,
}

/// `GET /api/v1/saved-searches`
#[utoipa::path(
    get,
    path = "/api/v1/saved-searches",
    tag = "saved",
    security(("bearer" = [])),
    params(PageParams),
    responses(
        (status = 200, description = "Your saved searches (at most 50), newest first, with what is new in each: the stalest ten counts are made afresh on each request, as the page does.", body = SavedSearchList),
        (status = 422, description = "A page number or size out of range.", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn saved_searches(
    req: HttpRequest,
    ApiUser(me): ApiUser,
    db: Db,
    density: web::Data<Density>,
    page: web::Query<PageParams>,
) -> Result<HttpResponse, AppError> {
    let mut errors = FieldErrors::new();
    let Some(paging) = Paging::parse(&page, &mut errors) else {
        return Ok(unprocessable(&errors));
    };
    let all = db
        .run(move |conn| service::saved_searches_counted(conn, &density, me.id))
        .await?;
    let total = all.len() as i64;
    let items = all
        .into_iter()
        .skip(usize::try_from(paging.offset()).unwrap_or(usize::MAX))
        .take(usize::try_from(paging.per_page).unwrap_or(0))
        .map(SavedSearchOut::from)
        .collect();
    let body = SavedSearchList {
        items,
        page: paging.page,
        per_page: paging.per_page,
        total,
    };
    Ok(paging::respond(&req, paging, Extent::Exact(total), &body))
}

/// A search to save.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewSavedSearch {
    /// At most 80 characters ("My search" when left out).
    #[serde(default)]
    #[schema(max_length = 80, example = "Road bikes under $300")]
    pub name: String,
    /// The search: a query string of `GET /api/v1/listings`'s filters (no `page`).
    #[schema(
        max_length = 1000,
        example = "q=road+bike&section=for-sale&max_price=300"
    )]
    pub query: String,
    /// `off` (the default), `instant`, `daily` or `weekly`.
    #[serde(default)]
    #[schema(example = "daily")]
    pub alert: Option<String>,
}

/// `POST /api/v1/saved-searches`
#[utoipa::path(
    post,
    path = "/api/v1/saved-searches",
    tag = "saved",
    security(("bearer" = [])),
    request_body = NewSavedSearch,
    responses(
        (status = 201, description = "Saved; `Location` is its address.", body = SavedSearchOut,
         headers(("Location" = String, description = "The saved search's API address."))),
        (status = 422, description = "Fields to correct, all at once (a search with problems, 50 saved already, …).", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn save_search(
    ApiUser(me): ApiUser,
    db: Db,
    body: ApiJson<NewSavedSearch>,
) -> Result<HttpResponse, AppError> {
    let input = body.0;
    let mut errors = FieldErrors::new();
    let name = errors.take("name", service::parse_search_name(&input.name));
    let query = errors.take("query", service::parse_query(&input.query));
    let cadence = errors.take(
        "alert",
        service::parse_cadence(input.alert.as_deref().unwrap_or_default()),
    );
    if let Some(full) = service::room_for_another(&db, me.id).await? {
        errors.add("query", full);
    }
    let (Some(name), Some(query), Some(cadence), true) = (name, query, cadence, errors.is_empty())
    else {
        return Ok(unprocessable(&errors));
    };
    let saved = db
        .run(move |conn| queries::save_search(conn, me.id, &name, &query, cadence))
        .await?;
    let location = format!("/api/v1/saved-searches/{}", saved.id);
    let mut response = json(StatusCode::CREATED, &SavedSearchOut::from(saved));
    if let Ok(location) = header::HeaderValue::from_str(&location) {
        response.headers_mut().insert(header::LOCATION, location);
    }
    Ok(response)
}

/// Changes to a saved search.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SavedSearchPatch {
    #[serde(default)]
    #[schema(max_length = 80)]
    pub name: Option<String>,
    /// `off`, `instant`, `daily` or `weekly`; turning it on starts from now.
    #[serde(default)]
    pub alert: Option<String>,
    /// `true` marks it seen: nothing is new since now.
    #[serde(default)]
    pub seen: bool,
}

/// `PATCH /api/v1/saved-searches/{id}`
#[utoipa::path(
    patch,
    path = "/api/v1/saved-searches/{id}",
    tag = "saved",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "Your saved search.")),
    request_body = SavedSearchPatch,
    responses(
        (status = 200, description = "Changed.", body = SavedSearchOut),
        (status = 404, description = "No such saved search of yours.", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Fields to correct.", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn update_saved_search(
    ApiUser(me): ApiUser,
    db: Db,
    id: web::Path<SavedSearchId>,
    body: ApiJson<SavedSearchPatch>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let patch = body.0;
    let mut errors = FieldErrors::new();
    let name = match patch.name.as_deref() {
        Some(name) => errors.take("name", service::parse_search_name(name)),
        None => None,
    };
    let cadence: Option<AlertCadence> = match patch.alert.as_deref() {
        Some(alert) if alert.trim().is_empty() => {
            errors.add("alert", "Choose off, instant, daily or weekly.");
            None
        }
        Some(alert) => errors.take("alert", service::parse_cadence(alert)),
        None => None,
    };
    if !errors.is_empty() {
        return Ok(unprocessable(&errors));
    }
    let seen = patch.seen;
    let saved = db
        .run(move |conn| {
            conn.build_transaction().run(|conn| {
                if queries::find_saved_search(conn, me.id, id)?.is_none() {
                    return Err(AppError::NotFound);
                }
                if let Some(name) = &name {
                    queries::rename_saved_search(conn, me.id, id, name)?;
                }
                if let Some(cadence) = cadence {
                    queries::set_alert(conn, me.id, id, cadence)?;
                }
                if seen {
                    queries::mark_seen(conn, id)?;
                }
                queries::find_saved_search(conn, me.id, id)?.ok_or(AppError::NotFound)
            })
        })
        .await?;
    Ok(json(StatusCode::OK, &SavedSearchOut::from(saved)))
}

/// `DELETE /api/v1/saved-searches/{id}`
#[utoipa::path(
    delete,
    path = "/api/v1/saved-searches/{id}",
    tag = "saved",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "Your saved search.")),
    responses(
        (status = 204, description = "Deleted."),
        (status = 404, description = "No such saved search of yours.", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn delete_saved_search(
    ApiUser(me): ApiUser,
    db: Db,
    id: web::Path<SavedSearchId>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let deleted = db
        .run(move |conn| queries::delete_saved_search(conn, me.id, id))
        .await?;
    if deleted == 0 {
        return Err(AppError::NotFound);
    }
    Ok(HttpResponse::NoContent().finish())
}
