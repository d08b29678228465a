//! The accounts part of the JSON API: sign-up, tokens (issue, refresh, log out) and the
//! caller's own account. Same rules, limits and messages as the pages (`service`).

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::api_tokens::{self, REFRESH_TOKEN_LIFETIME, Rotation};
use super::domain::{ProfileForm, SignUpForm};
use super::handlers::PasswordCost;
use super::models::User;
use super::queries;
use super::service::{self, Client, Refused, SUSPENDED};
use crate::mail::MailSite;
use crate::storage::{ObjectKey, Storage};
use crate::web::bearer::ApiUser;
use crate::web::json::{ApiJson, json, unprocessable};
use crate::web::jwt::{ACCESS_TOKEN_LIFETIME, AccessTokens};
use crate::web::problem::Problem;
use crate::web::{AppError, Db, FieldErrors, SiteConfig};

/// A new account.
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct NewAccountBody {
    /// 3–30 letters, digits, `_` or `-`.
    #[schema(example = "ada", pattern = "^[A-Za-z0-9_-]{3,30}$")]
    #[serde(default)]
    pub username: String,
    #[schema(example = "ada@example.com", format = Email, max_length = 254)]
    #[serde(default)]
    pub email: String,
    /// 10–128 characters, not a common password.
    #[schema(example = "correct horse battery", min_length = 10, max_length = 128)]
    #[serde(default)]
    pub password: String,
}

/// A member's own account.
#[derive(Debug, Serialize, ToSchema)]
pub struct Account {
    pub id: i64,
    pub username: String,
    /// Shown instead of the username when not empty.
    pub display_name: String,
    pub bio: String,
    /// The member's area, when they chose one.
    pub home_zip: Option<String>,
    pub email: String,
    /// Whether the address was confirmed (from the link in the mail sent at sign-up). Until
    /// then the member cannot send messages.
    pub email_verified: bool,
    /// A signed link to the avatar, good for a while.
    pub avatar_url: Option<String>,
    pub created_at: DateTime<Utc>,
}

async fn account(storage: &Storage, user: &User) -> Account {
    Account {
        id: user.id.0,
        username: user.username.clone(),
        display_name: user.display_name.clone(),
        bio: user.bio.clone(),
        home_zip: user.home_zip.clone(),
        email: user.email.clone(),
        email_verified: user.email_verified(),
        avatar_url: avatar_url(storage, user.avatar_key.as_ref()).await,
        created_at: user.created_at,
    }
}

async fn avatar_url(storage: &Storage, key: Option<&ObjectKey>) -> Option<String> {
    match storage.signed_url(key?).await {
        Ok(url) => Some(url),
        Err(err) => {
            tracing::warn!(error = %err, "cannot sign the avatar URL");
            None
        }
    }
}

/// `POST /api/v1/users`
#[utoipa::path(
    post,
    path = "/api/v1/users",
    tag = "accounts",
    request_body = NewAccountBody,
    responses(
        (status = 201, description = "The account was made; a mail asks to confirm the address.", body = Account),
        (status = 422, description = "Fields to correct (a name or address in use, a weak password, …), all at once.", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many sign-ups from this network.", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn create_user(
    req: HttpRequest,
    db: Db,
    storage: web::Data<Storage>,
    site: web::Data<SiteConfig>,
    cost: web::Data<PasswordCost>,
    body: ApiJson<NewAccountBody>,
) -> Result<HttpResponse, AppError> {
    let body = body.0;
    let form = SignUpForm {
        username: body.username,
        email: body.email,
        password: body.password,
    };
    let site = MailSite::from(site.as_ref());
    match service::sign_up(&db, cost.0, site, &Client::of(&req), &form).await {
        Ok(user) => Ok(json(StatusCode::CREATED, &account(&storage, &user).await)),
        Err(refused) => refusal(refused),
    }
}

/// A sign-up or log-in refused, as an API answer.
fn refusal(refused: Refused) -> Result<HttpResponse, AppError> {
    match refused {
        Refused::Invalid(errors) => Ok(unprocessable(&errors)),
        Refused::Limited {
            retry_after,
            reason,
        } => Err(AppError::TooManyRequests {
            retry_after,
            reason,
        }),
        Refused::WrongLogin(message) => Err(AppError::Unauthorized {
            message,
            token_given: false,
        }),
        Refused::Suspended => Err(AppError::Forbidden(Some(SUSPENDED.into()))),
        Refused::Failed(err) => Err(err),
    }
}

/// Log-in with a password.
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct TokenRequest {
    /// Username or e-mail address.
    #[schema(example = "ada", min_length = 1)]
    #[serde(default)]
    pub login: String,
    #[schema(example = "correct horse battery", min_length = 1)]
    #[serde(default)]
    pub password: String,
}

/// A pair of tokens: send the access token as `Authorization: Bearer …`; when it expires,
/// trade the refresh token for a new pair (each refresh token works once).
#[derive(Debug, Serialize, ToSchema)]
pub struct TokenPair {
    pub access_token: String,
    /// Always `Bearer`.
    #[schema(example = "Bearer")]
    pub token_type: &'static str,
    /// Seconds until the access token expires.
    #[schema(example = 900)]
    pub expires_in: u64,
    pub refresh_token: String,
    /// Seconds until the refresh token expires (unless used or revoked first).
    #[schema(example = 2_592_000)]
    pub refresh_expires_in: u64,
}

/// A new token pair for `user`, in the refresh token family `family` (a new one at log-in).
async fn issue_pair(
    db: &Db,
    tokens: &AccessTokens,
    user: User,
    family: uuid::Uuid,
) -> Result<TokenPair, AppError> {
    let refresh_token = api_tokens::new_token();
    let hash = api_tokens::token_hash(&refresh_token);
    let (id, epoch) = (user.id, user.auth_epoch);
    db.run(move |conn| api_tokens::insert(conn, &hash, family, &user))
        .await?;
    pair(
        tokens,
        id,
        epoch,
        refresh_token,
        REFRESH_TOKEN_LIFETIME.as_secs(),
    )
}

/// A pair: a new access token with `refresh_token`.
fn pair(
    tokens: &AccessTokens,
    user: crate::db::ids::UserId,
    epoch: i32,
    refresh_token: String,
    refresh_expires_in: u64,
) -> Result<TokenPair, AppError> {
    Ok(TokenPair {
        access_token: tokens.issue(user, epoch)?.token,
        token_type: "Bearer",
        expires_in: ACCESS_TOKEN_LIFETIME.as_secs(),
        refresh_token,
        refresh_expires_in,
    })
}

/// The hash of the refresh token sent, if one was.
fn presented(body: RefreshRequest) -> Option<Vec<u8>> {
    let token = body.refresh_token.trim();
    (!token.is_empty()).then(|| api_tokens::token_hash(token))
}

/// 422: no refresh token was sent.
fn ask_for_refresh_token() -> HttpResponse {
    let mut errors = FieldErrors::new();
    errors.add("refresh_token", "Send the refresh token.");
    unprocessable(&errors)
}

/// `POST /api/v1/auth/token`
#[utoipa::path(
    post,
    path = "/api/v1/auth/token",
    tag = "auth",
    request_body = TokenRequest,
    responses(
        (status = 200, description = "Logged in.", body = TokenPair),
        (status = 401, description = "The name or address and the password don't match an account.", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The account is suspended.", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "The name or the password is missing.", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many attempts; wait as `Retry-After` says.", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn token(
    req: HttpRequest,
    db: Db,
    tokens: web::Data<AccessTokens>,
    cost: web::Data<PasswordCost>,
    body: ApiJson<TokenRequest>,
) -> Result<HttpResponse, AppError> {
    let body = body.0;
    let mut errors = FieldErrors::new();
    if body.login.trim().is_empty() {
        errors.add("login", "Enter your username or e-mail address.");
    }
    if body.password.is_empty() {
        errors.add("password", "Enter your password.");
    }
    if !errors.is_empty() {
        return Ok(unprocessable(&errors));
    }
    let client = Client::of(&req);
    match service::authenticate(&db, cost.0, &client, &body.login, &body.password).await {
        Ok(user) => {
            let pair = issue_pair(&db, &tokens, user, uuid::Uuid::new_v4()).await?;
            Ok(json(StatusCode::OK, &pair))
        }
        Err(refused) => refusal(refused),
    }
}

/// A refresh token, to trade or to end.
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct RefreshRequest {
    #[schema(min_length = 1)]
    #[serde(default)]
    pub refresh_token: String,
}

const REFRESH_REFUSED: &str =
    "The refresh token is not valid (used already, expired or revoked). Log in again.";

/// `POST /api/v1/auth/refresh`
#[utoipa::path(
    post,
    path = "/api/v1/auth/refresh",
    tag = "auth",
    request_body = RefreshRequest,
    responses(
        (status = 200, description = "A new pair; the refresh token sent is used up.", body = TokenPair),
        (status = 401, description = "The refresh token is not valid. A token that was already used ends every token descended from the same log-in.", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "No refresh token was sent.", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn refresh(
    db: Db,
    tokens: web::Data<AccessTokens>,
    body: ApiJson<RefreshRequest>,
) -> Result<HttpResponse, AppError> {
    let Some(old) = presented(body.0) else {
        return Ok(ask_for_refresh_token());
    };
    let refresh_token = api_tokens::new_token();
    let next = api_tokens::token_hash(&refresh_token);
    let rotation = db
        .run(move |conn| api_tokens::rotate(conn, &old, &next))
        .await?;
    let (user, expires_at) = match rotation {
        Rotation::Rotated { user, expires_at } => (user, expires_at),
        Rotation::Reused | Rotation::Unknown => {
            return Err(AppError::Unauthorized {
                message: REFRESH_REFUSED,
                token_given: false,
            });
        }
    };
    let left = (expires_at - Utc::now()).num_seconds().max(0) as u64;
    let pair = pair(&tokens, user.id, user.auth_epoch, refresh_token, left)?;
    Ok(json(StatusCode::OK, &pair))
}

/// `POST /api/v1/auth/logout`
#[utoipa::path(
    post,
    path = "/api/v1/auth/logout",
    tag = "auth",
    request_body = RefreshRequest,
    responses(
        (status = 204, description = "The refresh token and every token descended from the same log-in no longer work (access tokens already issued run out within 15 minutes). Also the answer for a token that was not valid."),
        (status = 422, description = "No refresh token was sent.", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn logout(db: Db, body: ApiJson<RefreshRequest>) -> Result<HttpResponse, AppError> {
    let Some(hash) = presented(body.0) else {
        return Ok(ask_for_refresh_token());
    };
    db.run(move |conn| api_tokens::end_family_of(conn, &hash))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// `GET /api/v1/me`
#[utoipa::path(
    get,
    path = "/api/v1/me",
    tag = "accounts",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The caller's account.", body = Account),
    )
)]
pub async fn me(
    ApiUser(me): ApiUser,
    db: Db,
    storage: web::Data<Storage>,
) -> Result<HttpResponse, AppError> {
    let user = db.run(move |conn| queries::find_user(conn, me.id)).await?;
    Ok(json(StatusCode::OK, &account(&storage, &user).await))
}

/// Changes to the caller's profile: the fields sent change, the others stay.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(default)]
pub struct ProfilePatch {
    /// At most 50 characters; empty to show the username.
    pub display_name: Option<String>,
    /// At most 1,000 characters.
    pub bio: Option<String>,
    /// A ZIP code the site knows; empty for none.
    pub home_zip: Option<String>,
}

/// `PATCH /api/v1/me`
#[utoipa::path(
    patch,
    path = "/api/v1/me",
    tag = "accounts",
    security(("bearer" = [])),
    request_body = ProfilePatch,
    responses(
        (status = 200, description = "The account as saved.", body = Account),
        (status = 422, description = "Fields to correct, all at once.", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn update_me(
    ApiUser(me): ApiUser,
    db: Db,
    storage: web::Data<Storage>,
    body: ApiJson<ProfilePatch>,
) -> Result<HttpResponse, AppError> {
    let patch = body.0;
    let id = me.id;
    let current = db.run(move |conn| queries::find_user(conn, id)).await?;
    let form = ProfileForm {
        display_name: patch.display_name.unwrap_or(current.display_name),
        bio: patch.bio.unwrap_or(current.bio),
        home_zip: patch
            .home_zip
            .unwrap_or_else(|| current.home_zip.unwrap_or_default()),
    };
    match service::check_profile(&db, &form).await? {
        Ok(update) => service::save_profile(&db, id, update).await?,
        Err(errors) => return Ok(unprocessable(&errors)),
    }
    let user = db.run(move |conn| queries::find_user(conn, id)).await?;
    Ok(json(StatusCode::OK, &account(&storage, &user).await))
}
