//! What members do for moderation: flag a listing (and withdraw the flag), appeal a hold or
//! removal of their own listing, report a profile.
//!
//! Policy: a listing the member may not see is a 404 here as everywhere. Every form works
//! without JavaScript (post/redirect/get); a form with errors comes back with what was typed
//! and a 422.

use actix_session::Session;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;

use super::domain::{NewFlag, Reason};
use super::queries::{self, Appealed, Flagged};
use super::views::{AppealPage, FlagPage, ProfileReportPage};
use crate::accounts::queries as accounts;
use crate::config::ModerationSettings;
use crate::db::ids::ListingId;
use crate::listings::domain::slugify;
use crate::web::respond::{form_page, redirect, unprocessable};
use crate::web::session::{self, FlashKind};
use crate::web::{AppError, AuthUser, Db, FieldErrors, PageContext};

/// A listing as these pages name it: its title and address.
struct Named {
    title: String,
    path: String,
}

/// The listing, if the member may see it (owners see their own in any state).
async fn named_listing(
    db: &Db,
    listing: ListingId,
    me: crate::db::ids::UserId,
) -> Result<(Named, queries::Moderated), AppError> {
    let found = db
        .run(move |conn| queries::moderation_of(conn, listing))
        .await?
        .filter(|l| l.status.is_viewable() || l.owner_id == me)
        .ok_or(AppError::NotFound)?;
    Ok((
        Named {
            title: found.title.clone(),
            path: format!("/listings/{listing}/{}", slugify(&found.title)),
        },
        found,
    ))
}

// ---------------------------------------------------------------------------------------------
// Flags

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct FlagForm {
    reason: String,
    note: String,
}

/// `GET /listings/{id}/flag`: the flag form, or the member's flag with a way to withdraw it.
pub async fn flag_form(
    req: HttpRequest,
    ctx: PageContext,
    AuthUser(me): AuthUser,
    db: Db,
    id: web::Path<ListingId>,
) -> Result<HttpResponse, AppError> {
    let listing = id.into_inner();
    let (named, found) = named_listing(&db, listing, me.id).await?;
    if found.owner_id == me.id {
        return Err(AppError::NotFound);
    }
    let user = me.id;
    let mine = db
        .run(move |conn| queries::flag_of(conn, listing, user))
        .await?;
    let page = FlagPage {
        ctx,
        listing,
        title: named.title,
        path: named.path,
        reason: String::new(),
        note: String::new(),
        errors: FieldErrors::new(),
        mine,
    };
    Ok(form_page(page, &req))
}

/// `POST /listings/{id}/flag`
pub async fn flag_listing(
    req: HttpRequest,
    ctx: PageContext,
    AuthUser(me): AuthUser,
    db: Db,
    session: Session,
    settings: web::Data<ModerationSettings>,
    id: web::Path<ListingId>,
    form: web::Form<FlagForm>,
) -> Result<HttpResponse, AppError> {
    let listing = id.into_inner();
    let (named, found) = named_listing(&db, listing, me.id).await?;
    if found.owner_id == me.id {
        session::push_flash(
            &session,
            FlashKind::Error,
            "You cannot flag your own listing. Edit it, or delete it.",
        );
        return Ok(redirect(&named.path));
    }
    let flag = match NewFlag::parse(&form.reason, &form.note) {
        Ok(flag) => flag,
        Err(errors) => {
            let page = FlagPage {
                ctx,
                listing,
                title: named.title,
                path: named.path,
                reason: form.reason.clone(),
                note: form.note.clone(),
                errors,
                mine: None,
            };
            return Ok(unprocessable(page, &req));
        }
    };
    let user = me.id;
    let threshold = settings.flag_hold_threshold;
    let outcome = db
        .run(move |conn| queries::flag_listing(conn, listing, user, &flag, threshold))
        .await?;
    let message = match outcome {
        Flagged::Recorded { .. } => {
            "Thank you. The moderators will look at this listing; the seller is not told who flagged it."
        }
        Flagged::AlreadyFlagged => "You have already flagged this listing.",
        Flagged::OwnListing => "You cannot flag your own listing.",
        Flagged::NotFound => return Err(AppError::NotFound),
    };
    let kind = match outcome {
        Flagged::Recorded { .. } => FlashKind::Success,
        _ => FlashKind::Info,
    };
    session::push_flash(&session, kind, message);
    Ok(redirect(&named.path))
}

/// `POST /listings/{id}/flag/withdraw`: takes back the member's flag while it is undecided.
pub async fn withdraw_flag(
    AuthUser(me): AuthUser,
    db: Db,
    session: Session,
    id: web::Path<ListingId>,
) -> Result<HttpResponse, AppError> {
    let listing = id.into_inner();
    let (named, _) = named_listing(&db, listing, me.id).await?;
    let user = me.id;
    let withdrawn = db
        .run(move |conn| queries::withdraw_flag(conn, listing, user))
        .await?;
    if withdrawn {
        session::push_flash(&session, FlashKind::Success, "Your flag is withdrawn.");
    } else {
        session::push_flash(
            &session,
            FlashKind::Info,
            "There is no flag of yours to withdraw (the moderators may have reviewed it).",
        );
    }
    Ok(redirect(&named.path))
}

// ---------------------------------------------------------------------------------------------
// Appeals

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct AppealForm {
    message: String,
}

/// The owner's held or removed listing (404 for anyone else, or a listing that is up).
async fn appealable(
    db: &Db,
    listing: ListingId,
    me: crate::db::ids::UserId,
) -> Result<(Named, queries::Moderated), AppError> {
    let (named, found) = named_listing(db, listing, me).await?;
    if found.owner_id != me || !found.status.is_moderated() {
        return Err(AppError::NotFound);
    }
    Ok((named, found))
}

/// `GET /listings/{id}/appeal`
pub async fn appeal_form(
    req: HttpRequest,
    ctx: PageContext,
    AuthUser(me): AuthUser,
    db: Db,
    id: web::Path<ListingId>,
) -> Result<HttpResponse, AppError> {
    let listing = id.into_inner();
    let (named, found) = appealable(&db, listing, me.id).await?;
    let page = AppealPage {
        ctx,
        listing,
        title: named.title,
        path: named.path,
        moderation_reason: found.moderation_reason.unwrap_or_default(),
        message: String::new(),
        errors: FieldErrors::new(),
    };
    Ok(form_page(page, &req))
}

/// `POST /listings/{id}/appeal`: the owner's one appeal against the current decision.
pub async fn appeal(
    req: HttpRequest,
    ctx: PageContext,
    AuthUser(me): AuthUser,
    db: Db,
    session: Session,
    id: web::Path<ListingId>,
    form: web::Form<AppealForm>,
) -> Result<HttpResponse, AppError> {
    let listing = id.into_inner();
    let (named, found) = appealable(&db, listing, me.id).await?;
    let message = match Reason::parse(&form.message) {
        Ok(message) => message,
        Err(error) => {
            let mut errors = FieldErrors::new();
            errors.add("message", error);
            let page = AppealPage {
                ctx,
                listing,
                title: named.title,
                path: named.path,
                moderation_reason: found.moderation_reason.unwrap_or_default(),
                message: form.message.clone(),
                errors,
            };
            return Ok(unprocessable(page, &req));
        }
    };
    let user = me.id;
    let outcome = db
        .run(move |conn| queries::appeal(conn, listing, user, &message))
        .await?;
    match outcome {
        Appealed::Recorded => session::push_flash(
            &session,
            FlashKind::Success,
            "Your appeal is sent. A moderator will look at the listing again.",
        ),
        Appealed::AlreadyAppealed => session::push_flash(
            &session,
            FlashKind::Info,
            "You have already appealed this decision.",
        ),
        Appealed::NotAppealable => return Err(AppError::NotFound),
    }
    Ok(redirect(&named.path))
}

// ---------------------------------------------------------------------------------------------
// Profile reports

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ReportForm {
    reason: String,
}

/// Another member's active profile: their username and shown name.
async fn reportable_profile(
    db: &Db,
    username: String,
    me: crate::db::ids::UserId,
) -> Result<crate::accounts::models::User, AppError> {
    db.run(move |conn| accounts::find_active_by_username(conn, &username))
        .await?
        .filter(|user| user.id != me)
        .ok_or(AppError::NotFound)
}

/// `GET /u/{username}/report`
pub async fn report_profile_form(
    req: HttpRequest,
    ctx: PageContext,
    AuthUser(me): AuthUser,
    db: Db,
    username: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let user = reportable_profile(&db, username.into_inner(), me.id).await?;
    let page = ProfileReportPage {
        ctx,
        name: user.shown_name().to_owned(),
        username: user.username,
        reason: String::new(),
        errors: FieldErrors::new(),
    };
    Ok(form_page(page, &req))
}

/// `POST /u/{username}/report`
pub async fn report_profile(
    req: HttpRequest,
    ctx: PageContext,
    AuthUser(me): AuthUser,
    db: Db,
    session: Session,
    username: web::Path<String>,
    form: web::Form<ReportForm>,
) -> Result<HttpResponse, AppError> {
    let user = reportable_profile(&db, username.into_inner(), me.id).await?;
    let reason = match Reason::parse(&form.reason) {
        Ok(reason) => reason,
        Err(error) => {
            let mut errors = FieldErrors::new();
            errors.add("reason", error);
            let page = ProfileReportPage {
                ctx,
                name: user.shown_name().to_owned(),
                username: user.username,
                reason: form.reason.clone(),
                errors,
            };
            return Ok(unprocessable(page, &req));
        }
    };
    let (reported, reporter) = (user.id, me.id);
    let new = db
        .run(move |conn| queries::report_profile(conn, reported, reporter, &reason))
        .await?;
    session::push_flash(
        &session,
        FlashKind::Success,
        if new {
            "Thank you. The moderators will look at this profile."
        } else {
            "You have already reported this profile; the moderators have it."
        },
    );
    Ok(redirect(&format!("/u/{}", user.username)))
}
