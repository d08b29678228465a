//! Account pages: sign up, log in, log out, profiles, settings.

use actix_multipart::Multipart;
use actix_session::Session;
use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use bytes::Bytes;
use diesel::Connection;

use super::domain::{
    DeleteAccountForm, Email, EmailForm, LogInForm, NewPassword, PasswordForm, ProfileForm,
    SignUpForm, safe_next,
};
use super::mail::{EmailChanged, masked};
use super::models::User;
use super::password;
use super::queries::{self, AccountConflict};
use super::recovery;
use super::service::{self, Client, Refused, SUSPENDED};
use super::views::{LogInPage, PastListing, ProfilePage, SettingsPage, SignUpPage};
use crate::db::ids::UserId;
use crate::listings::cards::{CardContext, card_views};
use crate::listings::feed::{self as listing_feed, FEED_SIZE, FeedListing};
use crate::listings::queries::{self as listing_queries, Scope};
use crate::mail::{MailSite, queue_mail};
use crate::photos;
use crate::places;
use crate::storage::{ObjectKey, Storage};
use crate::web::confirm::ConfirmPage;
use crate::web::rate_limit::{self, PASSWORD_CHECKS_PER_ACCOUNT};
use crate::web::respond::{form_page, redirect, too_many, unavailable_form, unprocessable};
use crate::web::session::{self, FlashKind};
use crate::web::time::ago;
use crate::web::upload::{UploadLimits, read_upload};
use crate::web::{AppError, AuthUser, Db, FieldErrors, MaybeUser, PageContext, ReadDb};

/// Password hashing cost, registered as app data.
#[derive(Debug, Clone, Copy)]
pub struct PasswordCost(pub u32);

const WRONG_PASSWORD: &str = "That is not your current password.";

fn user_agent(req: &HttpRequest) -> String {
    req.headers()
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .chars()
        .take(200)
        .collect()
}

/// Logs `user` in on this session: a fresh cookie and a new `user_sessions` row.
pub(crate) async fn start_session(
    db: &Db,
    session: &Session,
    user: &User,
    req: &HttpRequest,
) -> Result<(), AppError> {
    let token = session::begin_login(session)?;
    let hash = session::token_hash(&token);
    let user = user.clone();
    let agent = user_agent(req);
    db.run(move |conn| queries::create_session(conn, &hash, &user, &agent))
        .await
}

// ---------------------------------------------------------------------------------------------
// Sign up

/// `GET /signup`
pub async fn signup_form(req: HttpRequest, ctx: PageContext, user: MaybeUser) -> HttpResponse {
    if user.0.is_some() {
        return redirect("/");
    }
    form_page(
        SignUpPage {
            ctx,
            username: String::new(),
            email: String::new(),
            errors: FieldErrors::new(),
            notice: None,
        },
        &req,
    )
}

/// `POST /signup`
pub async fn create_account(
    req: HttpRequest,
    ctx: PageContext,
    db: Db,
    session: Session,
    cost: web::Data<PasswordCost>,
    form: web::Form<SignUpForm>,
) -> Result<HttpResponse, AppError> {
    let form = form.into_inner();
    let rerender = |errors: FieldErrors, ctx: PageContext, form: &SignUpForm| SignUpPage {
        ctx,
        username: form.username.trim().to_owned(),
        email: form.email.trim().to_owned(),
        errors,
        notice: None,
    };
    let site = MailSite::from(ctx.site.as_ref());
    let user = match service::sign_up(&db, cost.0, site, &Client::of(&req), &form).await {
        Ok(user) => user,
        Err(Refused::Invalid(errors)) => {
            return Ok(unprocessable(rerender(errors, ctx, &form), &req));
        }
        Err(Refused::Limited {
            retry_after,
            reason,
        }) => {
            let mut page = rerender(FieldErrors::new(), ctx, &form);
            page.notice = Some(AppError::wait_message(reason, retry_after));
            return Ok(too_many(page, retry_after, &req));
        }
        Err(Refused::Failed(err)) => return Err(err),
        Err(Refused::WrongLogin(_) | Refused::Suspended) => {
            return Err(AppError::Internal(anyhow::anyhow!(
                "a sign-up cannot be refused as a log-in"
            )));
        }
    };
    start_session(&db, &session, &user, &req).await?;
    session::push_flash(
        &session,
        FlashKind::Success,
        format!("Welcome to {}, {}!", ctx.site_name(), user.username),
    );
    Ok(redirect(&format!("/u/{}", user.username)))
}

// ---------------------------------------------------------------------------------------------
// Log in and out

#[derive(Debug, serde::Deserialize)]
pub struct NextQuery {
    #[serde(default)]
    next: String,
}

/// `GET /login`
pub async fn login_form(
    req: HttpRequest,
    ctx: PageContext,
    user: MaybeUser,
    query: web::Query<NextQuery>,
) -> HttpResponse {
    let next = safe_next(&query.next).unwrap_or_default();
    if user.0.is_some() {
        return redirect(if next.is_empty() { "/" } else { &next });
    }
    form_page(
        LogInPage {
            ctx,
            login: String::new(),
            next,
            error: None,
        },
        &req,
    )
}

/// `POST /login`
pub async fn log_in(
    req: HttpRequest,
    ctx: PageContext,
    db: Db,
    session: Session,
    cost: web::Data<PasswordCost>,
    form: web::Form<LogInForm>,
) -> Result<HttpResponse, AppError> {
    let form = form.into_inner();
    let next = safe_next(&form.next);
    let failed = |ctx: PageContext, message: &str| LogInPage {
        ctx,
        login: form.login.trim().to_owned(),
        next: next.clone().unwrap_or_default(),
        error: Some(message.to_owned()),
    };
    let client = Client::of(&req);
    let user = match service::authenticate(&db, cost.0, &client, &form.login, &form.password).await
    {
        Ok(user) => user,
        Err(Refused::WrongLogin(message)) => {
            return Ok(unprocessable(failed(ctx, message), &req));
        }
        Err(Refused::Limited {
            retry_after,
            reason,
        }) => {
            let page = failed(ctx, &AppError::wait_message(reason, retry_after));
            return Ok(too_many(page, retry_after, &req));
        }
        Err(Refused::Suspended) => return Err(AppError::Forbidden(Some(SUSPENDED.into()))),
        Err(Refused::Failed(err)) => return Err(err),
        Err(Refused::Invalid(_)) => {
            return Err(AppError::Internal(anyhow::anyhow!(
                "a log-in cannot be refused as a sign-up"
            )));
        }
    };
    start_session(&db, &session, &user, &req).await?;
    session::push_flash(
        &session,
        FlashKind::Success,
        format!("Welcome back, {}!", user.shown_name()),
    );
    Ok(redirect(next.as_deref().unwrap_or("/")))
}

/// `POST /logout`
pub async fn log_out(db: Db, session: Session) -> Result<HttpResponse, AppError> {
    if let Some(token) = session::login_token(&session) {
        let hash = session::token_hash(&token);
        db.run(move |conn| queries::delete_session(conn, &hash))
            .await?;
    }
    session::end_login(&session);
    session::push_flash(&session, FlashKind::Info, "You've logged out.");
    Ok(redirect("/"))
}

// ---------------------------------------------------------------------------------------------
// Profiles

/// `GET /u/{username}/feed`: the member's listings as an Atom feed.
pub async fn profile_feed(
    ctx: PageContext,
    ReadDb { db, .. }: ReadDb,
    counts: web::Data<listing_queries::CategoryCounts>,
    username: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let name = username.into_inner();
    let (user, listings, photos, tree) = db
        .run(move |conn| {
            let user = queries::find_active_by_username(conn, &name)?.ok_or(AppError::NotFound)?;
            let cards =
                listing_queries::public_listings(conn, Scope::Owner(user.id), None, FEED_SIZE)?;
            let ids: Vec<_> = cards.iter().map(|c| c.id).collect();
            let photos = listing_feed::cover_photos(conn, &ids)?;
            let listings: Vec<FeedListing> = cards.iter().map(FeedListing::from).collect();
            Ok::<_, AppError>((user, listings, photos, counts.tree(conn)?))
        })
        .await?;
    let feed = listing_feed::feed(
        ctx.site_name(),
        &ctx.site.public_url,
        &format!("{}: listings by {}", ctx.site_name(), user.shown_name()),
        &format!("/u/{}/feed", user.username),
        &format!("/u/{}", user.username),
        &listings,
        &photos,
        &tree,
    );
    listing_feed::respond(&feed)
}

/// `GET /u/{username}`
pub async fn show_profile(
    ctx: PageContext,
    ReadDb { db, .. }: ReadDb,
    storage: web::Data<Storage>,
    counts: web::Data<listing_queries::CategoryCounts>,
    username: web::Path<String>,
) -> Result<ProfilePage, AppError> {
    let name = username.into_inner();
    let me = ctx.user.as_ref().map(|u| u.id);
    let (user, place, active, past, tree) = db
        .run(move |conn| {
            let tree = counts.tree(conn)?;
            let user = queries::find_active_by_username(conn, &name)?.ok_or(AppError::NotFound)?;
            let place = match &user.home_zip {
                Some(zip) => places::find_place(conn, zip)?,
                None => None,
            };
            let active = listing_queries::public_listings(conn, Scope::Owner(user.id), None, 48)?;
            let past = if me == Some(user.id) {
                listing_queries::past_listings_of_owner(conn, user.id, 50)?
            } else {
                Vec::new()
            };
            Ok::<_, AppError>((user, place, active, past, tree))
        })
        .await?;
    let avatar_url = avatar_url(&storage, user.avatar_key.as_ref()).await;
    let cards = CardContext::new(&tree, ctx.near());
    let now = chrono::Utc::now();
    Ok(ProfilePage {
        is_self: me == Some(user.id),
        email_verified: user.email_verified(),
        username: user.username.clone(),
        shown_name: user.shown_name().to_owned(),
        bio: user.bio.clone(),
        location: place.map(|p| p.label()),
        member_since: user.created_at,
        avatar_url,
        active: card_views(&storage, &active, &cards).await,
        past: past
            .iter()
            .map(|l| PastListing {
                path: l.path(),
                title: l.title.clone(),
                status: l.effective_status(now),
                status_label: crate::listings::views::status_label(l.effective_status(now)),
                when: ago(l.updated_at, now),
                moderation_reason: l
                    .status()
                    .is_moderated()
                    .then(|| l.moderation_reason.clone())
                    .flatten(),
            })
            .collect(),
        ctx,
    })
}

/// A browser URL for an avatar; a storage hiccup shows the placeholder instead of failing.
async fn avatar_url(storage: &Storage, key: Option<&ObjectKey>) -> Option<String> {
    match storage.signed_url(key?).await {
        Ok(url) => Some(url),
        Err(err) => {
            tracing::warn!(error = %err, "cannot sign the avatar URL");
            None
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Settings

async fn settings_page(
    ctx: PageContext,
    db: &Db,
    storage: &Storage,
    user_id: UserId,
) -> Result<SettingsPage, AppError> {
    let user = db
        .run(move |conn| queries::find_user(conn, user_id))
        .await?;
    Ok(SettingsPage {
        ctx,
        username: user.username.clone(),
        display_name: user.display_name.clone(),
        bio: user.bio.clone(),
        home_zip: user.home_zip.clone().unwrap_or_default(),
        email: user.email.clone(),
        saved_email: user.email.clone(),
        email_verified: user.email_verified(),
        message_mail: user.message_mail,
        expiry_mail: user.expiry_mail,
        favorite_mail: user.favorite_mail,
        avatar_url: avatar_url(storage, user.avatar_key.as_ref()).await,
        errors: FieldErrors::new(),
    })
}

/// `GET /settings`
pub async fn settings_form(
    req: HttpRequest,
    ctx: PageContext,
    AuthUser(me): AuthUser,
    db: Db,
    storage: web::Data<Storage>,
) -> Result<HttpResponse, AppError> {
    let page = settings_page(ctx, &db, &storage, me.id).await?;
    Ok(form_page(page, &req))
}

/// `POST /settings/profile`
pub async fn update_profile(
    req: HttpRequest,
    ctx: PageContext,
    AuthUser(me): AuthUser,
    db: Db,
    storage: web::Data<Storage>,
    session: Session,
    form: web::Form<ProfileForm>,
) -> Result<HttpResponse, AppError> {
    let update = match service::check_profile(&db, &form).await? {
        Ok(update) => update,
        Err(errors) => {
            let mut page = settings_page(ctx, &db, &storage, me.id).await?;
            page.display_name = form.display_name.clone();
            page.bio = form.bio.clone();
            page.home_zip = form.home_zip.clone();
            page.errors = errors;
            return Ok(unprocessable(page, &req));
        }
    };
    service::save_profile(&db, me.id, update).await?;
    session::push_flash(&session, FlashKind::Success, "Profile saved.");
    Ok(redirect("/settings"))
}

#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct NotificationsForm {
    /// Checkboxes: present ("on") when ticked.
    message_mail: Option<String>,
    expiry_mail: Option<String>,
    favorite_mail: Option<String>,
}

/// `POST /settings/notifications`
pub async fn update_notifications(
    AuthUser(me): AuthUser,
    db: Db,
    session: Session,
    form: web::Form<NotificationsForm>,
) -> Result<HttpResponse, AppError> {
    let wants = queries::MailWanted {
        messages: form.message_mail.is_some(),
        expiry: form.expiry_mail.is_some(),
        favorites: form.favorite_mail.is_some(),
    };
    db.run(move |conn| queries::set_notifications(conn, me.id, wants))
        .await?;
    session::push_flash(&session, FlashKind::Success, "Notifications saved.");
    Ok(redirect("/settings#notifications-heading"))
}

/// Why a "current password" was not accepted: wrong, or too many tries (then the form comes
/// back with 429 and `Retry-After`).
struct PasswordRefused {
    message: String,
    retry_after: Option<std::time::Duration>,
}

impl PasswordRefused {
    /// The settings page re-rendered with this refusal's status.
    fn respond(
        retry_after: Option<std::time::Duration>,
        page: SettingsPage,
        req: &HttpRequest,
    ) -> HttpResponse {
        match retry_after {
            Some(wait) => too_many(page, wait, req),
            None => unprocessable(page, req),
        }
    }
}

/// Checks the current password on the blocking pool; `Ok(None)` when it is right. Checks are
/// limited per account, so a session left open cannot be used to guess the password.
async fn check_current_password(
    db: &Db,
    user_id: UserId,
    current: &str,
) -> Result<Option<PasswordRefused>, AppError> {
    let checked = db
        .run(move |conn| {
            rate_limit::hit(
                conn,
                PASSWORD_CHECKS_PER_ACCOUNT,
                &format!("user:{user_id}"),
            )?;
            queries::find_user(conn, user_id).map_err(AppError::from)
        })
        .await;
    let user = match checked {
        Ok(user) => user,
        Err(AppError::TooManyRequests {
            retry_after,
            reason,
        }) => {
            return Ok(Some(PasswordRefused {
                message: AppError::wait_message(reason, retry_after),
                retry_after: Some(retry_after),
            }));
        }
        Err(err) => return Err(err),
    };
    let current = current.to_owned();
    let ok = web::block(move || password::verify(&current, &user.password_hash)).await?;
    Ok((!ok).then(|| PasswordRefused {
        message: WRONG_PASSWORD.to_owned(),
        retry_after: None,
    }))
}

/// `POST /settings/email`
pub async fn update_email(
    req: HttpRequest,
    ctx: PageContext,
    AuthUser(me): AuthUser,
    db: Db,
    storage: web::Data<Storage>,
    session: Session,
    form: web::Form<EmailForm>,
) -> Result<HttpResponse, AppError> {
    let mut errors = FieldErrors::new();
    let email = errors.take("email", Email::parse(&form.email));
    let mut limited = None;
    if let Some(refused) = check_current_password(&db, me.id, &form.current_password).await? {
        errors.add("email_current_password", refused.message);
        limited = refused.retry_after;
    }
    if let (Some(email), true) = (email, errors.is_empty()) {
        let new = email.as_str().to_owned();
        let site = MailSite::from(ctx.site.as_ref());
        match db
            .run(move |conn| {
                // The change, a link to confirm the new address, and a word to the old one.
                conn.transaction::<_, AppError, _>(|conn| {
                    let before = queries::find_user(conn, me.id)?;
                    let changed = conn.transaction(|conn| queries::update_email(conn, me.id, &new));
                    if changed.is_ok() && !before.email.eq_ignore_ascii_case(&new) {
                        let user = queries::find_user(conn, me.id)?;
                        recovery::send_verification(conn, &site, &user, false)?;
                        queue_mail(
                            conn,
                            &site,
                            &before.email,
                            &EmailChanged {
                                username: user.username.clone(),
                                new_address: masked(&new),
                            },
                        )?;
                    }
                    Ok(changed)
                })
            })
            .await?
        {
            Ok(()) => {
                session::push_flash(&session, FlashKind::Success, "E-mail address changed.");
                return Ok(redirect("/settings"));
            }
            Err(AccountConflict::EmailTaken) => {
                errors.add("email", "Another account uses that e-mail address.")
            }
            Err(AccountConflict::UsernameTaken) => {}
            Err(AccountConflict::Database(err)) => return Err(err.into()),
        }
    }
    let mut page = settings_page(ctx, &db, &storage, me.id).await?;
    page.email = form.email.trim().to_owned();
    page.errors = errors;
    Ok(PasswordRefused::respond(limited, page, &req))
}

/// `POST /settings/password`: changing the password ends every other session.
pub async fn update_password(
    req: HttpRequest,
    ctx: PageContext,
    AuthUser(me): AuthUser,
    db: Db,
    storage: web::Data<Storage>,
    session: Session,
    cost: web::Data<PasswordCost>,
    form: web::Form<PasswordForm>,
) -> Result<HttpResponse, AppError> {
    let user = db.run(move |conn| queries::find_user(conn, me.id)).await?;
    let mut errors = FieldErrors::new();
    let mut limited = None;
    if let Some(refused) = check_current_password(&db, me.id, &form.current_password).await? {
        errors.add("current_password", refused.message);
        limited = refused.retry_after;
    }
    let new = errors.take(
        "new_password",
        NewPassword::parse(&form.new_password, &user.username, &user.email),
    );
    let Some(new) = new.filter(|_| errors.is_empty()) else {
        let mut page = settings_page(ctx, &db, &storage, me.id).await?;
        page.errors = errors;
        return Ok(PasswordRefused::respond(limited, page, &req));
    };
    let cost = cost.0;
    let hash = web::block(move || password::hash(new.expose(), cost)).await??;
    let site = MailSite::from(ctx.site.as_ref());
    let user = db
        .run(move |conn| {
            conn.build_transaction().run::<_, AppError, _>(|conn| {
                queries::update_password_hash(conn, me.id, &hash)?;
                queries::end_all_sessions(conn, me.id)?;
                let user = queries::find_user(conn, me.id)?;
                recovery::send_password_changed(conn, &site, &user)?;
                Ok(user)
            })
        })
        .await?;
    start_session(&db, &session, &user, &req).await?;
    session::push_flash(
        &session,
        FlashKind::Success,
        "Password changed. You've been logged out on every other device.",
    );
    Ok(redirect("/settings"))
}

/// `POST /settings/logout-everywhere`
pub async fn log_out_everywhere(
    AuthUser(me): AuthUser,
    db: Db,
    session: Session,
) -> Result<HttpResponse, AppError> {
    db.run(move |conn| queries::end_all_sessions(conn, me.id))
        .await?;
    session::end_login(&session);
    session::push_flash(
        &session,
        FlashKind::Info,
        "You've been logged out on every device.",
    );
    Ok(redirect("/login"))
}

/// `POST /settings/delete`
pub async fn delete_account(
    req: HttpRequest,
    ctx: PageContext,
    AuthUser(me): AuthUser,
    db: Db,
    storage: web::Data<Storage>,
    session: Session,
    form: web::Form<DeleteAccountForm>,
) -> Result<HttpResponse, AppError> {
    if let Some(refused) = check_current_password(&db, me.id, &form.current_password).await? {
        let mut page = settings_page(ctx, &db, &storage, me.id).await?;
        page.errors.add("delete_current_password", refused.message);
        return Ok(PasswordRefused::respond(refused.retry_after, page, &req));
    }
    let avatar = db
        .run(move |conn| queries::delete_account(conn, me.id))
        .await?;
    delete_avatar_objects(&storage, avatar.as_ref()).await;
    tracing::info!(user_id = %me.id, "account deleted");
    session::end_login(&session);
    session::push_flash(
        &session,
        FlashKind::Info,
        "Your account has been deleted. Goodbye!",
    );
    Ok(redirect("/"))
}

// ---------------------------------------------------------------------------------------------
// Avatar

/// Upload limits of the avatar form: one photo and the CSRF token.
const AVATAR_LIMITS: UploadLimits = UploadLimits {
    max_file_bytes: photos::MAX_FILE_BYTES,
    max_files: 1,
    max_text_bytes: 1024,
    max_parts: 4,
    max_total_bytes: photos::MAX_FILE_BYTES + 64 * 1024,
};
const AVATAR_PIXELS: u32 = 256;

/// `POST /settings/avatar` (multipart)
pub async fn upload_avatar(
    req: HttpRequest,
    ctx: PageContext,
    AuthUser(me): AuthUser,
    db: Db,
    storage: web::Data<Storage>,
    session: Session,
    multipart: Multipart,
) -> Result<HttpResponse, AppError> {
    let upload = read_upload(multipart, AVATAR_LIMITS).await?;
    let processed = match upload.files.into_iter().next() {
        None => Err("Choose a photo to upload.".to_owned()),
        Some(file) if file.too_large => Err(photos::PhotoError::TooLarge.to_string()),
        Some(file) => photos::run_limited(move || {
            photos::decode(file.file.path())
                .map(|img| photos::encode_jpeg(&photos::square(&img, AVATAR_PIXELS)))
        })
        .await?
        .map_err(|err| err.to_string()),
    };
    let jpeg = match processed {
        Ok(jpeg) => jpeg,
        Err(message) => {
            let mut page = settings_page(ctx, &db, &storage, me.id).await?;
            page.errors.add("avatar", message);
            return Ok(unprocessable(page, &req));
        }
    };
    let key = ObjectKey::parse(&format!(
        "avatars/{}/{}.jpg",
        me.id,
        uuid::Uuid::new_v4().simple()
    ))?;
    if let Err(err) = storage.put(&key, Bytes::from(jpeg), "image/jpeg").await {
        tracing::warn!(error = %err, "cannot store an avatar");
        let mut page = settings_page(ctx, &db, &storage, me.id).await?;
        page.errors.add(
            "avatar",
            "Photos can't be stored right now. Please try again in a few minutes.",
        );
        return Ok(unavailable_form(page, &req));
    }
    // The row points at the object only once it exists; if the row cannot be written, the
    // object goes again.
    let stored = key.clone();
    let old = match db
        .run(move |conn| queries::set_avatar(conn, me.id, Some(&stored)))
        .await
    {
        Ok(old) => old,
        Err(err) => {
            let _ = storage.delete(&key).await;
            return Err(err);
        }
    };
    delete_avatar_objects(&storage, old.as_ref()).await;
    session::push_flash(&session, FlashKind::Success, "Photo updated.");
    Ok(redirect("/settings"))
}

/// `GET /settings/avatar/remove`: "are you sure?"
pub async fn confirm_remove_avatar(
    req: HttpRequest,
    ctx: PageContext,
    _me: AuthUser,
) -> HttpResponse {
    form_page(
        ConfirmPage {
            ctx,
            title: "Remove your photo?".into(),
            message:
                "Your profile shows your initial instead. You can upload a new photo at any time."
                    .into(),
            action: "/settings/avatar/remove".into(),
            confirm_label: "Remove photo",
            cancel_url: "/settings".into(),
        },
        &req,
    )
}

/// `POST /settings/avatar/remove`
pub async fn remove_avatar(
    AuthUser(me): AuthUser,
    db: Db,
    storage: web::Data<Storage>,
    session: Session,
) -> Result<HttpResponse, AppError> {
    let old = db
        .run(move |conn| queries::set_avatar(conn, me.id, None))
        .await?;
    delete_avatar_objects(&storage, old.as_ref()).await;
    session::push_flash(&session, FlashKind::Success, "Photo removed.");
    Ok(redirect("/settings"))
}

async fn delete_avatar_objects(storage: &Storage, key: Option<&ObjectKey>) {
    let Some(key) = key else {
        return;
    };
    if let Err(err) = storage.delete(key).await {
        // Left for the storage janitor; nothing refers to it any more.
        tracing::warn!(error = %err, %key, "cannot delete an old avatar");
    }
}
