//! Getting back in: "Forgot password?" mails a one-time link (valid for an hour) that sets a
//! new password and ends every other session; and confirming an e-mail address through the
//! link mailed at sign-up or after a change of address.
//!
//! Policy: the answer to "forgot password" is the same whether or not the address has an
//! account (and it is rate-limited before any lookup), so the form cannot be used to find out
//! who is a member. Links carry their token in the query string, which never reaches the logs.

use actix_session::Session;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;

use super::domain::{Email, NewPassword};
use super::handlers::PasswordCost;
use super::mail::{PasswordChanged, PasswordReset, VerifyEmail};
use super::models::{User, UserStatus};
use super::password;
use super::queries::{self, TokenPurpose};
use super::views::{ForgotPasswordPage, ResetPasswordPage};
use crate::mail::{MailSite, queue_mail};
use crate::web::rate_limit::{
    self, PASSWORD_RESETS_PER_ADDRESS, PASSWORD_RESETS_PER_NETWORK, VERIFICATION_MAILS_PER_ACCOUNT,
};
use crate::web::respond::{form_page, redirect, too_many, unprocessable};
use crate::web::session::{self, FlashKind};
use crate::web::{AppError, AuthUser, Db, FieldErrors, PageContext};

/// Queues the mail with a link that confirms `user`'s address (in the caller's transaction).
pub fn send_verification(
    conn: &mut diesel::PgConnection,
    site: &MailSite,
    user: &User,
    welcome: bool,
) -> anyhow::Result<()> {
    let token = queries::create_token(conn, user.id, TokenPurpose::VerifyEmail, Some(&user.email))?;
    let link = format!("{}/verify-email?token={token}", site.url);
    queue_mail(
        conn,
        site,
        &user.email,
        &VerifyEmail {
            username: user.username.clone(),
            link,
            welcome,
        },
    )
}

/// Queues the notice that `user`'s password changed (in the caller's transaction).
pub fn send_password_changed(
    conn: &mut diesel::PgConnection,
    site: &MailSite,
    user: &User,
) -> anyhow::Result<()> {
    queue_mail(
        conn,
        site,
        &user.email,
        &PasswordChanged {
            username: user.username.clone(),
            reset_link: format!("{}/password/forgot", site.url),
        },
    )
}

/// `GET /password/forgot`
pub async fn forgot_password_form(req: HttpRequest, ctx: PageContext) -> HttpResponse {
    form_page(
        ForgotPasswordPage {
            ctx,
            email: String::new(),
            error: None,
            sent: false,
        },
        &req,
    )
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ForgotPasswordForm {
    email: String,
}

/// `POST /password/forgot`: mails a reset link if the address has an account, and says the
/// same either way.
pub async fn request_password_reset(
    req: HttpRequest,
    ctx: PageContext,
    db: Db,
    form: web::Form<ForgotPasswordForm>,
) -> Result<HttpResponse, AppError> {
    let email = match Email::parse(&form.email) {
        Ok(email) => email,
        Err(message) => {
            let page = ForgotPasswordPage {
                ctx,
                email: form.email.trim().to_owned(),
                error: Some(message),
                sent: false,
            };
            return Ok(unprocessable(page, &req));
        }
    };
    let network = rate_limit::client_network(&req);
    let site = MailSite::from(ctx.site.as_ref());
    let address = email.as_str().to_lowercase();
    let outcome = db
        .run(move |conn| {
            rate_limit::hit(conn, PASSWORD_RESETS_PER_NETWORK, &network)?;
            rate_limit::hit(conn, PASSWORD_RESETS_PER_ADDRESS, &address)?;
            let user = queries::find_by_login(conn, &address)?.filter(|u| {
                u.email.eq_ignore_ascii_case(&address) && u.status == UserStatus::Active
            });
            if let Some(user) = user {
                use diesel::Connection;
                conn.transaction(|conn| {
                    let token =
                        queries::create_token(conn, user.id, TokenPurpose::PasswordReset, None)?;
                    let link = format!("{}/password/reset?token={token}", site.url);
                    queue_mail(
                        conn,
                        &site,
                        &user.email,
                        &PasswordReset {
                            username: user.username.clone(),
                            link,
                        },
                    )
                })?;
            }
            Ok::<_, AppError>(())
        })
        .await;
    let page = ForgotPasswordPage {
        ctx,
        email: form.email.trim().to_owned(),
        error: None,
        sent: true,
    };
    match outcome {
        Ok(()) => Ok(form_page(page, &req)),
        Err(AppError::TooManyRequests {
            retry_after,
            reason,
        }) => {
            let page = ForgotPasswordPage {
                sent: false,
                error: Some(AppError::wait_message(reason, retry_after)),
                ..page
            };
            Ok(too_many(page, retry_after, &req))
        }
        Err(err) => Err(err),
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct TokenQuery {
    token: String,
}

/// `GET /password/reset?token=…`
pub async fn reset_password_form(
    req: HttpRequest,
    ctx: PageContext,
    db: Db,
    query: web::Query<TokenQuery>,
) -> Result<HttpResponse, AppError> {
    let token = query.into_inner().token;
    let lookup = token.clone();
    let valid = db
        .run(move |conn| queries::find_token(conn, &lookup, TokenPurpose::PasswordReset, false))
        .await?
        .is_some();
    Ok(form_page(
        ResetPasswordPage {
            ctx,
            token,
            valid,
            errors: FieldErrors::new(),
        },
        &req,
    ))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ResetPasswordForm {
    token: String,
    new_password: String,
}

/// `POST /password/reset`: sets the new password, ends every other session, logs in here.
pub async fn reset_password(
    req: HttpRequest,
    ctx: PageContext,
    db: Db,
    session: Session,
    cost: web::Data<PasswordCost>,
    form: web::Form<ResetPasswordForm>,
) -> Result<HttpResponse, AppError> {
    let form = form.into_inner();
    let lookup = form.token.clone();
    let Some((user, _)) = db
        .run(move |conn| queries::find_token(conn, &lookup, TokenPurpose::PasswordReset, false))
        .await?
    else {
        let page = ResetPasswordPage {
            ctx,
            token: form.token,
            valid: false,
            errors: FieldErrors::new(),
        };
        return Ok(unprocessable(page, &req));
    };
    let new = match NewPassword::parse(&form.new_password, &user.username, &user.email) {
        Ok(new) => new,
        Err(message) => {
            let mut errors = FieldErrors::new();
            errors.add("new_password", message);
            let page = ResetPasswordPage {
                ctx,
                token: form.token,
                valid: true,
                errors,
            };
            return Ok(unprocessable(page, &req));
        }
    };
    let cost = cost.0;
    let hash = web::block(move || password::hash(new.expose(), cost)).await??;
    let site = MailSite::from(ctx.site.as_ref());
    let token = form.token.clone();
    let changed = db
        .run(move |conn| {
            use diesel::Connection;
            conn.transaction(|conn| {
                // Used up in the same transaction as the change: a link works once.
                let Some((user, _)) =
                    queries::find_token(conn, &token, TokenPurpose::PasswordReset, true)?
                else {
                    return Ok(None);
                };
                queries::update_password_hash(conn, user.id, &hash)?;
                queries::end_all_sessions(conn, user.id)?;
                let user = queries::find_user(conn, user.id)?;
                send_password_changed(conn, &site, &user)?;
                Ok::<_, anyhow::Error>(Some(user))
            })
        })
        .await?;
    let Some(user) = changed else {
        return Ok(redirect("/password/forgot"));
    };
    tracing::info!(user_id = %user.id, "password reset through a mailed link");
    super::handlers::start_session(&db, &session, &user, &req).await?;
    session::push_flash(
        &session,
        FlashKind::Success,
        "Your new password is set. You've been logged out on every other device.",
    );
    Ok(redirect("/"))
}

/// `GET /verify-email?token=…`: confirms the address the link was sent to, if it is still the
/// account's.
pub async fn verify_email(
    db: Db,
    session: Session,
    query: web::Query<TokenQuery>,
) -> Result<HttpResponse, AppError> {
    let token = query.into_inner().token;
    let verified = db
        .run(move |conn| {
            use diesel::Connection;
            conn.transaction(|conn| {
                let Some((user, Some(email))) =
                    queries::find_token(conn, &token, TokenPurpose::VerifyEmail, true)?
                else {
                    return Ok(false);
                };
                queries::mark_email_verified(conn, user.id, &email)
            })
        })
        .await?;
    if verified {
        session::push_flash(
            &session,
            FlashKind::Success,
            "Thank you: your e-mail address is confirmed.",
        );
    } else {
        session::push_flash(
            &session,
            FlashKind::Error,
            "That confirmation link has expired or was already used. Log in and send a new one from your settings.",
        );
    }
    Ok(redirect("/settings"))
}

/// `POST /settings/verify-email`: sends the confirmation link again.
pub async fn resend_verification(
    ctx: PageContext,
    AuthUser(me): AuthUser,
    db: Db,
    session: Session,
) -> Result<HttpResponse, AppError> {
    let site = MailSite::from(ctx.site.as_ref());
    let outcome = db
        .run(move |conn| {
            let user = queries::find_user(conn, me.id)?;
            if user.email_verified() {
                return Ok(false);
            }
            rate_limit::hit(
                conn,
                VERIFICATION_MAILS_PER_ACCOUNT,
                &format!("user:{}", me.id),
            )?;
            send_verification(conn, &site, &user, false)?;
            Ok::<_, AppError>(true)
        })
        .await;
    match outcome {
        Ok(true) => session::push_flash(
            &session,
            FlashKind::Success,
            "We sent the link again. It may take a minute to arrive; check your spam folder too.",
        ),
        Ok(false) => session::push_flash(
            &session,
            FlashKind::Info,
            "Your e-mail address is already confirmed.",
        ),
        Err(AppError::TooManyRequests {
            retry_after,
            reason,
        }) => session::push_flash(
            &session,
            FlashKind::Error,
            AppError::wait_message(reason, retry_after),
        ),
        Err(err) => return Err(err),
    }
    Ok(redirect("/settings"))
}
