//! The listings part of the JSON API, reading: one listing, and the category tree with the
//! details each category asks for. (Searching is the search feature's `GET /listings`.)

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};

use super::json::{ListingDetail, PhotoOut, PriceOut, SectionOut};
use super::photos::photo_views;
use super::queries::{self, CategoryCounts};
use crate::db::ids::ListingId;
use crate::places;
use crate::storage::Storage;
use crate::web::bearer::MaybeApiUser;
use crate::web::json::json;
use crate::web::problem::Problem;
use crate::web::{AppError, Db};

/// `GET /api/v1/listings/{id}`
#[utoipa::path(
    get,
    path = "/api/v1/listings/{id}",
    tag = "listings",
    params(("id" = i64, Path, description = "The listing.")),
    security((), ("bearer" = [])),
    responses(
        (status = 200, description = "The listing. Anyone sees a listing that is up; its owner (with a token) sees it in every state.", body = ListingDetail),
        (status = 404, description = "No such listing, or one the caller may not see.", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn get_listing(
    MaybeApiUser(me): MaybeApiUser,
    db: Db,
    storage: web::Data<Storage>,
    counts: web::Data<CategoryCounts>,
    id: web::Path<ListingId>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let viewer = me.as_ref().map(|me| me.id);
    let (found, section, category, place) = db
        .run(move |conn| {
            let found =
                queries::find_listing_for_viewer(conn, id, viewer)?.ok_or(AppError::NotFound)?;
            let may_see = found.listing.is_public()
                || me
                    .as_ref()
                    .is_some_and(|me| me.id == found.listing.owner_id || me.is_admin());
            if !may_see {
                return Err(AppError::NotFound);
            }
            let (section, category) = counts.category_by_id(conn, found.listing.category_id)?;
            let place = places::place_of(conn, &found.listing.zip)?;
            Ok((found, section, category, place))
        })
        .await?;
    let listing = &found.listing;
    let photos = photo_views(&storage, &found.photos)
        .await
        .into_iter()
        .map(|p| PhotoOut {
            id: p.id,
            display_url: p.display_url,
            thumb_url: p.thumb_url,
            width: p.width,
            height: p.height,
            alt_text: p.alt_text,
        })
        .collect();
    let detail = ListingDetail {
        id: listing.id.0,
        title: listing.title.clone(),
        body: listing.body.clone(),
        price: PriceOut::new(
            listing.price_cents,
            listing.price_max_cents,
            listing.price_unit,
            listing.is_free,
        ),
        status: listing
            .effective_status(chrono::Utc::now())
            .as_str()
            .to_owned(),
        section: section.slug,
        category: category.slug,
        attributes: listing.attributes.clone(),
        place: place.as_ref().map(Into::into),
        photos,
        seller: found.owner.username.clone(),
        created_at: listing.created_at,
        renewed_at: listing.renewed_at,
        expires_at: listing.expires_at,
        path: listing.path(),
    };
    Ok(json(StatusCode::OK, &detail))
}

/// `GET /api/v1/categories`
#[utoipa::path(
    get,
    path = "/api/v1/categories",
    tag = "listings",
    responses(
        (status = 200, description = "Every section with its categories (retired ones left out) and the details each asks for.", body = Vec<SectionOut>),
    )
)]
pub async fn categories(
    db: Db,
    counts: web::Data<CategoryCounts>,
) -> Result<HttpResponse, AppError> {
    let tree = db.run(move |conn| counts.tree(conn)).await?;
    let sections: Vec<SectionOut> = tree
        .iter()
        .map(|(section, categories)| SectionOut::new(section, categories))
        .collect();
    Ok(json(StatusCode::OK, &sections))
}
