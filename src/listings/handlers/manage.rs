//! Managing a listing: its status, renewing it, deleting and restoring it.

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use chrono::Utc;

use super::*;
use crate::config::SecretKey;
use crate::db::ids::ListingId;
use crate::listings::models::{Listing, ListingStatus};
use crate::listings::queries::{self};
use crate::listings::reminders;
use crate::web::confirm::ConfirmPage;
use crate::web::respond::{private_page, redirect, safe_next};
use crate::web::session::{self, FlashKind};
use crate::web::{AppError, AuthUser, Db, PageContext};

/// `?next=`: the page an action goes back to (the dashboard), instead of the listing's.
#[derive(Debug, Default, serde::Deserialize)]
pub struct ReturnTo {
    #[serde(default)]
    next: Option<String>,
}

impl ReturnTo {
    /// The page to go back to: `next` when it is a path on this site, else `fallback`.
    fn or(&self, fallback: &str) -> String {
        self.next
            .as_deref()
            .and_then(safe_next)
            .unwrap_or_else(|| fallback.to_owned())
    }

    /// `?next=…` to carry on to the next form, or nothing.
    fn query(&self) -> String {
        match self.next.as_deref().and_then(safe_next) {
            Some(next) => format!(
                "?next={}",
                url::form_urlencoded::byte_serialize(next.as_bytes()).collect::<String>()
            ),
            None => String::new(),
        }
    }
}

#[derive(Debug, serde::Deserialize)]
pub struct StatusForm {
    #[serde(default)]
    status: String,
}

/// The answer when a listing changed under the owner's feet (a moderator hid it, another
/// tab deleted it) between loading and saving.
fn changed_meanwhile(session: &Session, listing: &Listing) -> HttpResponse {
    session::push_flash(
        session,
        FlashKind::Error,
        "This listing changed while you were looking at it. Check it and try again.",
    );
    redirect(&listing.path())
}

/// `POST /listings/{id}/status`: mark active, pending or sold.
pub async fn change_status(
    AuthUser(me): AuthUser,
    db: Db,
    session: Session,
    id: web::Path<ListingId>,
    back: web::Query<ReturnTo>,
    form: web::Form<StatusForm>,
) -> Result<HttpResponse, AppError> {
    let listing = load_for_change(&db, id.into_inner(), &me).await?;
    let status = service::owner_status(&form.status)
        .ok_or_else(|| AppError::BadRequest("That is not a status you can choose.".into()))?;
    not_moderated(&listing, "changed")?;
    let listing_id = listing.id;
    let changed = db
        .run(move |conn| {
            queries::set_status(conn, listing_id, status, &ListingStatus::OWNER_CHANGEABLE)
        })
        .await?;
    if !changed {
        return Ok(changed_meanwhile(&session, &listing));
    }
    let message = match status {
        ListingStatus::Sold => "Marked as sold. Congratulations!",
        ListingStatus::Pending => "Marked as sale pending.",
        _ => "Marked as available.",
    };
    session::push_flash(&session, FlashKind::Success, message);
    Ok(redirect(&back.or(&listing.path())))
}

/// `POST /listings/{id}/renew`: back to the top, with a fresh lifetime, once 48 hours have
/// passed since it was posted or last renewed. A sold listing is marked available first.
pub async fn renew_listing(
    AuthUser(me): AuthUser,
    db: Db,
    session: Session,
    rules: web::Data<ListingRules>,
    id: web::Path<ListingId>,
    back: web::Query<ReturnTo>,
) -> Result<HttpResponse, AppError> {
    let listing = load_for_change(&db, id.into_inner(), &me).await?;
    not_moderated(&listing, "renewed")?;
    if listing.status() == ListingStatus::Sold {
        session::push_flash(
            &session,
            FlashKind::Error,
            "This listing is marked sold. Mark it available first if you want to show it again.",
        );
        return Ok(redirect(&back.or(&listing.path())));
    }
    let now = Utc::now();
    let allowed_at =
        listing.renewed_at + chrono::Duration::from_std(RENEW_AFTER).unwrap_or_default();
    if allowed_at > now {
        session::push_flash(
            &session,
            FlashKind::Error,
            format!(
                "You can renew this listing {}.",
                ago_future(allowed_at, now)
            ),
        );
        return Ok(redirect(&back.or(&listing.path())));
    }
    let expires_at = now + chrono::Duration::from_std(rules.lifetime).unwrap_or_default();
    let listing_id = listing.id;
    let renewed = db
        .run(move |conn| queries::renew(conn, listing_id, expires_at))
        .await?;
    if !renewed {
        return Ok(changed_meanwhile(&session, &listing));
    }
    session::push_flash(
        &session,
        FlashKind::Success,
        "Renewed: your listing is back at the top.",
    );
    Ok(redirect(&back.or(&listing.path())))
}

/// `GET /listings/{id}/delete`: "are you sure?"
pub async fn confirm_delete_listing(
    req: HttpRequest,
    ctx: PageContext,
    AuthUser(me): AuthUser,
    db: Db,
    id: web::Path<ListingId>,
    back: web::Query<ReturnTo>,
) -> Result<HttpResponse, AppError> {
    let listing = load_for_change(&db, id.into_inner(), &me).await?;
    not_moderated(&listing, "deleted")?;
    let days = queries::RESTORE_WITHIN.as_secs() / 86_400;
    let page = ConfirmPage {
        ctx,
        title: format!("Delete “{}”?", listing.title),
        message: format!(
            "It disappears from the site at once. For {days} days you can still open it from \
             your profile and restore it; after that it is gone for good, photos included."
        ),
        action: format!("/listings/{}/delete{}", listing.id, back.query()),
        confirm_label: "Delete listing",
        cancel_url: back.or(&listing.path()),
    };
    Ok(private_page(page, StatusCode::OK, &req))
}

/// `POST /listings/{id}/delete`: gone for everyone else; its owner may restore it for 30 days.
pub async fn delete_listing(
    AuthUser(me): AuthUser,
    db: Db,
    session: Session,
    id: web::Path<ListingId>,
    back: web::Query<ReturnTo>,
) -> Result<HttpResponse, AppError> {
    let listing = load_for_change(&db, id.into_inner(), &me).await?;
    not_moderated(&listing, "deleted")?;
    let listing_id = listing.id;
    let deleted = db
        .run(move |conn| queries::delete_by_owner(conn, listing_id))
        .await?;
    if !deleted {
        return Ok(changed_meanwhile(&session, &listing));
    }
    session::push_flash(
        &session,
        FlashKind::Info,
        "Listing deleted. You can restore it from your listings for 30 days.",
    );
    Ok(redirect(&back.or("/my/listings?status=deleted")))
}

/// `POST /listings/{id}/restore`: undoes a delete made less than 30 days ago.
pub async fn restore_listing(
    AuthUser(me): AuthUser,
    db: Db,
    session: Session,
    id: web::Path<ListingId>,
    back: web::Query<ReturnTo>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let listing = db
        .run(move |conn| queries::find_listing(conn, id))
        .await?
        .filter(|listing| may_manage(Some(&me), listing))
        .ok_or(AppError::NotFound)?;
    let restored = db.run(move |conn| queries::restore(conn, id)).await?;
    if !restored {
        session::push_flash(
            &session,
            FlashKind::Error,
            "This listing can't be restored: only listings deleted in the last 30 days can.",
        );
        return Ok(redirect(&back.or(&listing.path())));
    }
    session::push_flash(&session, FlashKind::Success, "Listing restored.");
    Ok(redirect(&back.or(&listing.path())))
}

/// The listing a signed renew link (from the reminder mail) is for, if the link still holds:
/// the same expiry, a status it may be renewed from, an owner who is still a member.
async fn listing_for_renew_link(
    db: &Db,
    secret: &SecretKey,
    id: ListingId,
    token: &str,
) -> Result<Listing, AppError> {
    let listing = db
        .run(move |conn| queries::find_listing(conn, id))
        .await?
        .ok_or(AppError::NotFound)?;
    if !reminders::valid_renew_token(secret, listing.id, listing.expires_at, token)
        || !queries::RENEWABLE.contains(&listing.status())
    {
        return Err(AppError::Forbidden(Some(
            "This renewal link no longer works: the listing was renewed, changed or deleted \
             since we sent it. Log in to see your listings."
                .into(),
        )));
    }
    Ok(listing)
}

/// `GET /listings/{id}/renew/{token}`: the reminder mail's link asks first (a mail scanner
/// that follows links renews nothing).
pub async fn renew_link_form(
    req: HttpRequest,
    ctx: PageContext,
    db: Db,
    secret: web::Data<SecretKey>,
    rules: web::Data<ListingRules>,
    path: web::Path<(ListingId, String)>,
) -> Result<HttpResponse, AppError> {
    let (id, token) = path.into_inner();
    let listing = listing_for_renew_link(&db, &secret, id, &token).await?;
    let days = rules.lifetime.as_secs() / 86_400;
    let page = ConfirmPage {
        ctx,
        title: format!("Renew “{}”?", listing.title),
        message: format!(
            "It goes back to the top of its lists and stays up for another {days} days."
        ),
        action: format!("/listings/{id}/renew/{token}"),
        confirm_label: "Renew listing",
        cancel_url: listing.path(),
    };
    Ok(private_page(page, StatusCode::OK, &req))
}

/// `POST /listings/{id}/renew/{token}`: renews without logging in; the signed link is the
/// owner's say-so, once.
pub async fn renew_by_link(
    db: Db,
    session: Session,
    secret: web::Data<SecretKey>,
    rules: web::Data<ListingRules>,
    path: web::Path<(ListingId, String)>,
) -> Result<HttpResponse, AppError> {
    let (id, token) = path.into_inner();
    let listing = listing_for_renew_link(&db, &secret, id, &token).await?;
    not_moderated(&listing, "renewed")?;
    let now = Utc::now();
    let allowed_at =
        listing.renewed_at + chrono::Duration::from_std(RENEW_AFTER).unwrap_or_default();
    if allowed_at > now {
        return Err(AppError::Forbidden(Some(format!(
            "This listing can be renewed {}.",
            ago_future(allowed_at, now)
        ))));
    }
    let expires_at = Utc::now() + chrono::Duration::from_std(rules.lifetime).unwrap_or_default();
    let renewed = db
        .run(move |conn| queries::renew(conn, id, expires_at))
        .await?;
    if !renewed {
        return Ok(changed_meanwhile(&session, &listing));
    }
    tracing::info!(listing = %id, "renewed from the reminder mail");
    session::push_flash(
        &session,
        FlashKind::Success,
        "Renewed: your listing is back at the top.",
    );
    Ok(redirect(&listing.path()))
}
