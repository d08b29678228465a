//! Favourites (`/favorites`) and saved searches (`/saved-searches`).

use actix_session::Session;
use actix_web::{HttpResponse, web};
use chrono::Utc;
use serde::Deserialize;

use super::queries;
use super::views::{FavoriteRow, FavoritesPage, SavedSearchRow, SavedSearchesPage};
use crate::accounts::domain::safe_next;
use crate::listings::domain::format_price;
use crate::listings::models::ListingStatus;
use crate::listings::queries as listing_queries;
use crate::search::density::Density;
use crate::search::handlers::{canonical_query, count_new_matches};
use crate::web::respond::redirect;
use crate::web::session::{self, FlashKind};
use crate::web::{AppError, AuthUser, Db, PageContext};

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct FavoriteForm {
    action: String,
    next: String,
}

/// `POST /listings/{id}/favorite`: `action` = add or remove.
pub async fn toggle_favorite(
    AuthUser(me): AuthUser,
    db: Db,
    id: web::Path<i64>,
    form: web::Form<FavoriteForm>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let add = match form.action.as_str() {
        "add" => true,
        "remove" => false,
        _ => {
            return Err(AppError::BadRequest(
                "Choose to save or unsave the listing.".into(),
            ));
        }
    };
    let listing = db
        .run(move |conn| {
            let listing = listing_queries::find_listing(conn, id)?.ok_or(AppError::NotFound)?;
            if add {
                if !listing.is_public() {
                    return Err(AppError::NotFound);
                }
                queries::add_favorite(conn, me.id, id)?;
            } else {
                queries::remove_favorite(conn, me.id, id)?;
            }
            Ok(listing)
        })
        .await?;
    Ok(redirect(
        &safe_next(&form.next).unwrap_or_else(|| listing.path()),
    ))
}

/// `GET /favorites`
pub async fn show_favorites(
    ctx: PageContext,
    AuthUser(me): AuthUser,
    db: Db,
) -> Result<FavoritesPage, AppError> {
    let listings = db
        .run(move |conn| queries::favorites_of(conn, me.id))
        .await?;
    let now = Utc::now();
    let favorites = listings
        .iter()
        .map(|listing| {
            let status = listing.effective_status(now);
            FavoriteRow {
                id: listing.id,
                path: listing.path(),
                title: listing.title.clone(),
                price: if listing.is_free {
                    Some("Free".into())
                } else {
                    listing.price_cents.map(format_price)
                },
                note: match status {
                    ListingStatus::Sold => Some("This listing was sold."),
                    ListingStatus::Expired => Some("This listing has expired."),
                    ListingStatus::Pending => Some("A sale is pending."),
                    ListingStatus::Deleted => Some("The seller deleted this listing."),
                    ListingStatus::Hidden | ListingStatus::Removed => {
                        Some("This listing was removed.")
                    }
                    ListingStatus::Active => None,
                },
                visible: listing.is_public(),
            }
        })
        .collect();
    Ok(FavoritesPage { ctx, favorites })
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct SaveSearchForm {
    name: String,
    query: String,
}

/// `POST /saved-searches`
pub async fn save_search(
    AuthUser(me): AuthUser,
    db: Db,
    session: Session,
    form: web::Form<SaveSearchForm>,
) -> Result<HttpResponse, AppError> {
    let Some(query) = canonical_query(&form.query) else {
        return Err(AppError::BadRequest(
            "That search has problems; correct it before saving.".into(),
        ));
    };
    let name = form.name.split_whitespace().collect::<Vec<_>>().join(" ");
    let name: String = if name.is_empty() {
        "My search".into()
    } else {
        name.chars().take(80).collect()
    };
    let search_url = if query.is_empty() {
        "/search".to_owned()
    } else {
        format!("/search?{query}")
    };
    db.run(move |conn| queries::save_search(conn, me.id, &name, &query))
        .await?;
    session::push_flash(
        &session,
        FlashKind::Success,
        "Search saved. Find it under Saved searches.",
    );
    Ok(redirect(&search_url))
}

/// `GET /saved-searches`
pub async fn list_saved_searches(
    ctx: PageContext,
    AuthUser(me): AuthUser,
    db: Db,
    density: web::Data<Density>,
) -> Result<SavedSearchesPage, AppError> {
    let searches = db
        .run(move |conn| {
            let saved = queries::saved_searches_of(conn, me.id)?;
            saved
                .into_iter()
                .map(|s| {
                    let new = count_new_matches(conn, &density, &s.query, s.last_seen_at)?;
                    Ok(SavedSearchRow {
                        id: s.id,
                        name: s.name,
                        new_matches: match new {
                            None => {
                                "This search no longer works; delete it and save a new one.".into()
                            }
                            Some(0) => "No new listings".into(),
                            Some(1) => "1 new listing".into(),
                            Some(n) if n > 1000 => "1,000+ new listings".into(),
                            Some(n) => format!("{n} new listings"),
                        },
                    })
                })
                .collect::<Result<Vec<_>, AppError>>()
        })
        .await?;
    Ok(SavedSearchesPage { ctx, searches })
}

/// `GET /saved-searches/{id}`: marks it seen and runs it.
pub async fn open_saved_search(
    AuthUser(me): AuthUser,
    db: Db,
    id: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let saved = db
        .run(move |conn| {
            let saved = queries::find_saved_search(conn, me.id, id)?.ok_or(AppError::NotFound)?;
            queries::mark_seen(conn, id)?;
            Ok::<_, AppError>(saved)
        })
        .await?;
    Ok(redirect(&if saved.query.is_empty() {
        "/search".to_owned()
    } else {
        format!("/search?{}", saved.query)
    }))
}

/// `POST /saved-searches/{id}/delete`
pub async fn delete_saved_search(
    AuthUser(me): AuthUser,
    db: Db,
    session: Session,
    id: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let deleted = db
        .run(move |conn| queries::delete_saved_search(conn, me.id, id))
        .await?;
    if deleted == 0 {
        return Err(AppError::NotFound);
    }
    session::push_flash(&session, FlashKind::Info, "Saved search deleted.");
    Ok(redirect("/saved-searches"))
}
