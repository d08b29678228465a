//! Favourites (`/favorites`) and saved searches (`/saved-searches`).

use actix_session::Session;
use actix_web::{HttpRequest, HttpResponse, web};
use chrono::Utc;
use serde::Deserialize;

use super::alerts::{self, AlertCadence};
use super::queries;
use super::service;
use super::views::{
    AlertUnsubscribePage, FavoriteRow, FavoritesPage, SaveSearchPage, SavedSearchRow,
    SavedSearchesPage,
};
use crate::config::SecretKey;
use crate::db::ids::{ListingId, SavedSearchId, UserId};
use crate::listings::domain::format_price;
use crate::listings::models::ListingStatus;
use crate::search::density::Density;
use crate::search::service::canonical_query;
use crate::web::confirm::ConfirmPage;
use crate::web::respond::{form_page, redirect, safe_next, unprocessable};
use crate::web::session::{self, FlashKind};
use crate::web::{AppError, AuthUser, Db, FieldErrors, PageContext};

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
    id: web::Path<ListingId>,
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
        .run(move |conn| service::set_favorite(conn, me.id, id, add))
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
                    ListingStatus::Held | ListingStatus::Removed => {
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
    /// The alert's cadence (`off` when missing).
    alert: String,
}

/// `POST /saved-searches`
pub async fn save_search(
    req: HttpRequest,
    ctx: PageContext,
    AuthUser(me): AuthUser,
    db: Db,
    session: Session,
    form: web::Form<SaveSearchForm>,
) -> Result<HttpResponse, AppError> {
    let mut errors = FieldErrors::new();
    let name = errors.take("name", service::parse_search_name(&form.name));
    let cadence = errors.take("alert", service::parse_cadence(&form.alert));
    let query = errors.take("query", service::parse_query(&form.query));
    if let Some(full) = service::room_for_another(&db, me.id).await? {
        errors.add("name", full);
    }
    let (Some(name), Some(query), Some(cadence), true) = (name, query, cadence, errors.is_empty())
    else {
        let page = SaveSearchPage {
            ctx,
            search_name: form.name.clone(),
            alert: form.alert.clone(),
            // Sent back as it came only when it was sound; a bad one is not echoed.
            query: canonical_query(&form.query)
                .filter(|q| q.chars().count() <= service::MAX_SAVED_QUERY_CHARS)
                .unwrap_or_default(),
            errors,
        };
        return Ok(unprocessable(page, &req));
    };
    let search_url = if query.is_empty() {
        "/search".to_owned()
    } else {
        format!("/search?{query}")
    };
    db.run(move |conn| queries::save_search(conn, me.id, &name, &query, cadence))
        .await?;
    session::push_flash(
        &session,
        FlashKind::Success,
        match cadence {
            AlertCadence::Off => "Search saved. Find it under Saved searches.",
            _ => "Search saved. We will e-mail you what's new; change that under Saved searches.",
        },
    );
    Ok(redirect(&search_url))
}

/// `GET /saved-searches`: each search with its new matches. A count is made again only when
/// a listing was posted or renewed since it was made (or it is ten minutes old), and a visit
/// recounts at most the stalest ten, so the page costs the same however many searches are
/// saved.
pub async fn list_saved_searches(
    ctx: PageContext,
    AuthUser(me): AuthUser,
    db: Db,
    density: web::Data<Density>,
) -> Result<SavedSearchesPage, AppError> {
    let searches = db
        .run(move |conn| service::saved_searches_counted(conn, &density, me.id))
        .await?
        .into_iter()
        .map(|s| SavedSearchRow {
            id: s.id,
            alert: s.alert,
            new_matches: match (s.counted_at, s.new_matches) {
                (None, _) => "Not counted yet".into(),
                (Some(_), None) => {
                    "This search no longer works; delete it and save a new one.".into()
                }
                (Some(_), Some(0)) => "No new listings".into(),
                (Some(_), Some(1)) => "1 new listing".into(),
                (Some(_), Some(n)) if n > 1000 => "1,000+ new listings".into(),
                (Some(_), Some(n)) => format!("{n} new listings"),
            },
            name: s.name,
        })
        .collect();
    Ok(SavedSearchesPage { ctx, searches })
}

/// `GET /saved-searches/{id}`: marks it seen and runs it.
pub async fn open_saved_search(
    AuthUser(me): AuthUser,
    db: Db,
    id: web::Path<SavedSearchId>,
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

/// `GET /saved-searches/{id}/delete`: "are you sure?"
pub async fn confirm_delete_saved_search(
    req: HttpRequest,
    ctx: PageContext,
    AuthUser(me): AuthUser,
    db: Db,
    id: web::Path<SavedSearchId>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let saved = db
        .run(move |conn| queries::find_saved_search(conn, me.id, id))
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(form_page(
        ConfirmPage {
            ctx,
            title: format!("Delete the saved search “{}”?", saved.name),
            message: "It leaves your saved searches; the listings it found stay where they are."
                .into(),
            action: format!("/saved-searches/{id}/delete"),
            confirm_label: "Delete saved search",
            cancel_url: "/saved-searches".into(),
        },
        &req,
    ))
}

/// `POST /saved-searches/{id}/delete`
pub async fn delete_saved_search(
    AuthUser(me): AuthUser,
    db: Db,
    session: Session,
    id: web::Path<SavedSearchId>,
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

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct AlertForm {
    alert: String,
}

/// `POST /saved-searches/{id}/alert`: how often the search mails its news.
pub async fn set_alert(
    AuthUser(me): AuthUser,
    db: Db,
    session: Session,
    id: web::Path<SavedSearchId>,
    form: web::Form<AlertForm>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let cadence = AlertCadence::parse(form.alert.trim()).ok_or_else(|| {
        AppError::BadRequest("Choose how often to e-mail you from the list.".into())
    })?;
    let changed = db
        .run(move |conn| queries::set_alert(conn, me.id, id, cadence))
        .await?;
    if !changed {
        return Err(AppError::NotFound);
    }
    session::push_flash(
        &session,
        FlashKind::Success,
        match cadence {
            AlertCadence::Off => "No more e-mail about this search.",
            _ => "Alert saved.",
        },
    );
    Ok(redirect("/saved-searches"))
}

/// What a signed alert unsubscribe link is for.
enum AlertLink {
    Search(SavedSearchId),
    Favorites(UserId),
}

impl AlertLink {
    fn parse(secret: &SecretKey, what: &str, id: i64, token: &str) -> Result<Self, AppError> {
        let link = match what {
            "search" => Self::Search(SavedSearchId(id)),
            "favorites" => Self::Favorites(UserId(id)),
            _ => return Err(AppError::NotFound),
        };
        if !alerts::valid_token(secret, what, id, token) {
            return Err(AppError::NotFound);
        }
        Ok(link)
    }

    /// What the page calls the mail, and whether it is off already; 404 when the search or
    /// member is gone.
    async fn describe(&self, db: &Db) -> Result<(String, bool), AppError> {
        let found = match *self {
            Self::Search(id) => db
                .run(move |conn| queries::find_alert(conn, id))
                .await?
                .map(|(name, cadence)| {
                    (
                        format!("alerts of the saved search “{name}”"),
                        cadence == AlertCadence::Off,
                    )
                }),
            Self::Favorites(user) => db
                .run(move |conn| queries::favorite_mail_of(conn, user))
                .await?
                .map(|(username, on)| (format!("e-mail to {username} about saved listings"), !on)),
        };
        found.ok_or(AppError::NotFound)
    }
}

/// The signed link's subject: what it stops, how the page names it, and whether it is off
/// already. 404 for a bad signature or a search or member that is gone.
async fn open_alert_link(
    db: &Db,
    secret: &SecretKey,
    (what, id, token): (String, i64, String),
) -> Result<(AlertLink, String, bool), AppError> {
    let link = AlertLink::parse(secret, &what, id, &token)?;
    let (subject, off) = link.describe(db).await?;
    Ok((link, subject, off))
}

/// `GET /mail/alerts/{what}/{id}/{token}`: asks to confirm (a link scanner opening the link
/// changes nothing).
pub async fn alert_unsubscribe_form(
    req: HttpRequest,
    ctx: PageContext,
    db: Db,
    secret: web::Data<SecretKey>,
    path: web::Path<(String, i64, String)>,
) -> Result<AlertUnsubscribePage, AppError> {
    let (_, subject, off) = open_alert_link(&db, &secret, path.into_inner()).await?;
    Ok(AlertUnsubscribePage {
        ctx,
        action: req.path().to_owned(),
        subject,
        off,
    })
}

/// `POST /mail/alerts/{what}/{id}/{token}`: turns that mail off. Needs no login nor CSRF
/// token (a mail program's one-click button posts it, RFC 8058): the signature is the
/// authority, and the request's session is never used.
pub async fn alert_unsubscribe(
    req: HttpRequest,
    ctx: PageContext,
    db: Db,
    secret: web::Data<SecretKey>,
    path: web::Path<(String, i64, String)>,
) -> Result<AlertUnsubscribePage, AppError> {
    let (link, subject, _) = open_alert_link(&db, &secret, path.into_inner()).await?;
    match link {
        AlertLink::Search(id) => {
            db.run(move |conn| queries::turn_alert_off(conn, id))
                .await?;
            tracing::info!(search = %id, "alert turned off by its mail's link");
        }
        AlertLink::Favorites(user) => {
            db.run(move |conn| queries::set_favorite_mail(conn, user, false))
                .await?;
            tracing::info!(%user, "favourites mail turned off by its mail's link");
        }
    }
    Ok(AlertUnsubscribePage {
        ctx,
        action: req.path().to_owned(),
        subject,
        off: true,
    })
}
