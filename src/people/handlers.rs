//! Meet people's pages: the friend profile (`/people/profile`), discovering one person at a
//! time (`/people`), yes / no, matches, unmatching, blocking and reporting.
//!
//! Policy: everything here is for logged-in members. Someone a member may not see (not
//! shown to them, no match) is a 404 everywhere, the same as a username that does not
//! exist, so nobody can probe who is near.

use actix_multipart::Multipart;
use actix_session::SessionExt;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;

use super::domain::Answer;
use super::queries::{self, Answered, MAX_PHOTOS};
use super::service::{self, PhotosRefused};
use super::views::{
    Discover, DiscoverPage, MatchView, MatchesPage, OwnPhoto, ProfilePage, ProfileValues,
    ReportPage,
};
use crate::storage::Storage;
use crate::web::respond::{private_page, redirect, unprocessable};
use crate::web::session::{self as web_session, FlashKind};
use crate::web::{AppError, AuthUser, Db, FieldErrors, PageContext};

fn values_of(profile: &queries::Profile) -> ProfileValues {
    ProfileValues {
        about: profile.about.clone(),
        hobbies: profile.hobbies.join(", "),
        interests: profile.interests.join(", "),
        zip: profile.zip.clone(),
        radius: profile.radius_miles.to_string(),
        visible: profile.visible,
    }
}

async fn own_photos(
    db: &Db,
    storage: &Storage,
    me: crate::db::ids::UserId,
) -> Result<Vec<OwnPhoto>, AppError> {
    let photos = db.run(move |conn| queries::photos(conn, me)).await?;
    Ok(service::signed(storage, photos)
        .await
        .into_iter()
        .map(|(photo, url)| OwnPhoto {
            id: photo.id,
            url,
            position: photo.position,
        })
        .collect())
}

async fn profile_page(
    db: &Db,
    storage: &Storage,
    ctx: PageContext,
    me: crate::db::ids::UserId,
) -> Result<ProfilePage, AppError> {
    let profile = service::my_profile(db, me).await?;
    let values = profile.as_ref().map(values_of).unwrap_or(ProfileValues {
        radius: "10".into(),
        visible: true,
        ..Default::default()
    });
    Ok(ProfilePage {
        ctx,
        saved: profile.is_some(),
        visible: profile.as_ref().is_some_and(|p| p.visible),
        values,
        errors: FieldErrors::new(),
        photos: own_photos(db, storage, me).await?,
        photo_errors: FieldErrors::new(),
        suggestions: super::domain::SUGGESTIONS,
        max_photos: MAX_PHOTOS,
    })
}

/// `GET /people/profile`
pub async fn show_profile(
    req: HttpRequest,
    ctx: PageContext,
    AuthUser(me): AuthUser,
    db: Db,
    storage: web::Data<Storage>,
) -> Result<HttpResponse, AppError> {
    let page = profile_page(&db, &storage, ctx, me.id).await?;
    Ok(private_page(page, StatusCode::OK, &req))
}

/// `POST /people/profile`: every field at once; errors come back next to their fields with
/// what was typed.
pub async fn save_profile(
    req: HttpRequest,
    ctx: PageContext,
    AuthUser(me): AuthUser,
    db: Db,
    storage: web::Data<Storage>,
    form: web::Form<Vec<(String, String)>>,
) -> Result<HttpResponse, AppError> {
    let typed = service::profile_form(&form);
    match typed.parse() {
        Ok(input) => {
            let id = me.id;
            db.run(move |conn| queries::save_profile(conn, id, &input))
                .await?;
            web_session::push_flash(
                &req.get_session(),
                FlashKind::Success,
                "Your friend profile is saved.",
            );
            Ok(redirect("/people/profile"))
        }
        Err(errors) => {
            let mut page = profile_page(&db, &storage, ctx, me.id).await?;
            page.values = ProfileValues {
                about: typed.about.to_owned(),
                hobbies: typed.hobbies.join(", "),
                interests: typed.interests.join(", "),
                zip: typed.zip.to_owned(),
                radius: typed.radius.to_owned(),
                visible: typed.visible,
            };
            page.errors = errors;
            Ok(unprocessable(page, &req))
        }
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct VisibilityForm {
    visible: String,
}

/// `POST /people/profile/visibility`: "show me to others" on or off, at once.
pub async fn set_visibility(
    req: HttpRequest,
    AuthUser(me): AuthUser,
    db: Db,
    form: web::Form<VisibilityForm>,
) -> Result<HttpResponse, AppError> {
    let visible = match form.visible.as_str() {
        "on" => true,
        "off" => false,
        _ => return Err(AppError::BadRequest("Choose on or off.".into())),
    };
    let id = me.id;
    let found = db
        .run(move |conn| queries::set_visible(conn, id, visible))
        .await?;
    if !found {
        return Err(AppError::NotFound);
    }
    web_session::push_flash(
        &req.get_session(),
        FlashKind::Info,
        if visible {
            "Others can see you again."
        } else {
            "You are hidden: nobody is shown your profile, and you keep your answers and matches."
        },
    );
    Ok(redirect("/people/profile"))
}

/// `POST /people/profile/photos` (multipart, `photo` files): all or nothing.
pub async fn add_photos(
    req: HttpRequest,
    ctx: PageContext,
    AuthUser(me): AuthUser,
    db: Db,
    storage: web::Data<Storage>,
    multipart: Multipart,
) -> Result<HttpResponse, AppError> {
    let (files, dropped) = service::read_photo_form(multipart).await?;
    match service::add_photos(&db, &storage, me.id, files, dropped).await? {
        Ok(_) => Ok(redirect("/people/profile#photos")),
        Err(refused) => {
            let message = match refused {
                PhotosRefused::Field(message) => message,
                PhotosRefused::StorageDown => {
                    "Photos can't be stored right now. Try again in a few minutes.".to_owned()
                }
            };
            let mut page = profile_page(&db, &storage, ctx, me.id).await?;
            page.photo_errors.add("photo", message);
            Ok(unprocessable(page, &req))
        }
    }
}

/// `POST /people/profile/photos/{id}/delete`
pub async fn delete_photo(
    AuthUser(me): AuthUser,
    db: Db,
    storage: web::Data<Storage>,
    id: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    let (user, id) = (me.id, id.into_inner());
    let key = db
        .run(move |conn| queries::delete_photo(conn, user, id))
        .await?
        .ok_or(AppError::NotFound)?;
    if let Err(err) = storage.delete(&key).await {
        // The janitor's sweep deletes it later.
        tracing::warn!(error = %err, %key, "cannot delete a profile photo");
    }
    Ok(redirect("/people/profile#photos"))
}

/// `GET /people`: the next person, or why there is nobody.
pub async fn discover(
    req: HttpRequest,
    ctx: PageContext,
    AuthUser(me): AuthUser,
    db: Db,
    storage: web::Data<Storage>,
) -> Result<HttpResponse, AppError> {
    let discover = match service::discover(&db, me.id).await? {
        None => Discover::NoProfile,
        Some((profile, _)) if !profile.visible => Discover::Hidden,
        Some((profile, Some((card, photos)))) => Discover::Card(Box::new(
            service::card_view(&storage, &profile, card, photos).await?,
        )),
        Some((profile, None)) => Discover::Empty {
            radius_miles: profile.radius_miles,
            tags: profile.hobbies.len() + profile.interests.len(),
        },
    };
    Ok(private_page(
        DiscoverPage { ctx, discover },
        StatusCode::OK,
        &req,
    ))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct AnswerForm {
    answer: String,
}

/// `POST /people/{username}/answer`: yes or no; a mutual yes opens the match's conversation.
pub async fn answer(
    req: HttpRequest,
    AuthUser(me): AuthUser,
    db: Db,
    username: web::Path<String>,
    form: web::Form<AnswerForm>,
) -> Result<HttpResponse, AppError> {
    let answer = Answer::parse(&form.answer)
        .ok_or_else(|| AppError::BadRequest("Answer yes or no.".into()))?;
    let profile = service::my_profile(&db, me.id)
        .await?
        .filter(|p| p.visible)
        .ok_or(AppError::NotFound)?;
    let answered = service::answer(&db, &profile, &username, answer.is_yes()).await?;
    let session = req.get_session();
    match answered {
        Answered::NotShown => return Err(AppError::NotFound),
        Answered::Already => {
            web_session::push_flash(
                &session,
                FlashKind::Info,
                "You answered about them already.",
            );
        }
        Answered::Recorded => {}
        Answered::Matched { conversation, .. } => {
            web_session::push_flash(
                &session,
                FlashKind::Success,
                "It's a match! You both said yes: say hello in your matches.",
            );
            return Ok(redirect(&format!("/messages/{conversation}")));
        }
    }
    Ok(redirect("/people"))
}

/// `GET /people/matches`
pub async fn matches(
    req: HttpRequest,
    ctx: PageContext,
    AuthUser(me): AuthUser,
    db: Db,
) -> Result<HttpResponse, AppError> {
    let id = me.id;
    let rows = db.run(move |conn| queries::matches(conn, id)).await?;
    let now = chrono::Utc::now();
    let matches = rows
        .into_iter()
        .map(|m| MatchView {
            username: m.username,
            name: m.display_name,
            city: m.city.unwrap_or_default(),
            shared: m.shared.join(", "),
            when: crate::web::time::ago(m.created_at, now),
            conversation: m.conversation_id.map(|c| format!("/messages/{c}")),
        })
        .collect();
    Ok(private_page(
        MatchesPage { ctx, matches },
        StatusCode::OK,
        &req,
    ))
}

/// `POST /people/matches/{username}/unmatch`: ends it for both; the conversation closes.
pub async fn unmatch(
    req: HttpRequest,
    AuthUser(me): AuthUser,
    db: Db,
    username: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let ended = service::unmatch(&db, me.id, &username).await?;
    if !ended {
        return Err(AppError::NotFound);
    }
    web_session::push_flash(
        &req.get_session(),
        FlashKind::Info,
        "Unmatched. Neither of you will be shown to the other again.",
    );
    Ok(redirect("/people/matches"))
}

/// `POST /people/{username}/block`: from their card or a match.
pub async fn block(
    req: HttpRequest,
    AuthUser(me): AuthUser,
    db: Db,
    username: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let profile = service::my_profile(&db, me.id)
        .await?
        .ok_or(AppError::NotFound)?;
    let card = service::visible_card(&db, &profile, &username)
        .await?
        .ok_or(AppError::NotFound)?;
    let (id, other) = (me.id, card.user_id);
    db.run(move |conn| queries::block(conn, id, other)).await?;
    web_session::push_flash(
        &req.get_session(),
        FlashKind::Info,
        "Blocked. You won't see each other here again, and they can't message you.",
    );
    Ok(redirect("/people"))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ReportForm {
    reason: String,
}

async fn reportable(
    db: &Db,
    me: crate::db::ids::UserId,
    username: &str,
) -> Result<queries::Card, AppError> {
    let profile = service::my_profile(db, me)
        .await?
        .ok_or(AppError::NotFound)?;
    service::visible_card(db, &profile, username)
        .await?
        .ok_or(AppError::NotFound)
}

/// `GET /people/{username}/report`
pub async fn report_form(
    req: HttpRequest,
    ctx: PageContext,
    AuthUser(me): AuthUser,
    db: Db,
    username: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let card = reportable(&db, me.id, &username).await?;
    let page = ReportPage {
        ctx,
        username: card.username,
        name: card.display_name,
        reason: String::new(),
        errors: FieldErrors::new(),
    };
    Ok(private_page(page, StatusCode::OK, &req))
}

/// `POST /people/{username}/report`: into the moderators' queue (profile reports).
pub async fn report(
    req: HttpRequest,
    ctx: PageContext,
    AuthUser(me): AuthUser,
    db: Db,
    username: web::Path<String>,
    form: web::Form<ReportForm>,
) -> Result<HttpResponse, AppError> {
    let card = reportable(&db, me.id, &username).await?;
    let reason = match crate::moderation::domain::Reason::parse(&form.reason) {
        Ok(reason) => reason,
        Err(problem) => {
            let mut errors = FieldErrors::new();
            errors.add("reason", problem);
            let page = ReportPage {
                ctx,
                username: card.username,
                name: card.display_name,
                reason: form.reason.clone(),
                errors,
            };
            return Ok(unprocessable(page, &req));
        }
    };
    let (id, other) = (me.id, card.user_id);
    db.run(move |conn| crate::moderation::queries::report_profile(conn, other, id, &reason))
        .await?;
    web_session::push_flash(
        &req.get_session(),
        FlashKind::Success,
        "Thank you. The moderators will look at this profile.",
    );
    Ok(redirect("/people"))
}
