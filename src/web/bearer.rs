//! The JSON API's caller: the member behind an `Authorization: Bearer` access token.
//!
//! Policy: the API reads the `Authorization` header only, never the session cookie, so a
//! browser's cookie cannot act through the API and the API needs no CSRF token. A token must
//! be one we signed that has not expired ([`super::jwt`]), for an active account whose
//! `auth_epoch` is still the token's: that is looked up on every request, so logging out
//! everywhere, a password change or a ban ends API access at the next request.

use actix_web::HttpMessage;
use actix_web::body::MessageBody;
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::http::header;
use actix_web::middleware::Next;
use actix_web::{FromRequest, HttpRequest, web};
use diesel::pg::PgConnection;
use diesel::result::QueryResult;
use futures_util::future::LocalBoxFuture;

use super::jwt::{AccessTokens, Rejected};
use super::{AppError, CurrentUser, Db};
use crate::db::ids::UserId;

/// Finds an active member by id whose `auth_epoch` is the given one: registered as app data
/// by `startup` (the accounts feature knows the tables; this layer does not).
pub type FindTokenUser = fn(&mut PgConnection, UserId, i32) -> QueryResult<Option<CurrentUser>>;

/// The [`FindTokenUser`] function, as app data.
#[derive(Clone, Copy)]
pub struct TokenLookup(pub FindTokenUser);

/// The member an API request acts for; without a valid token the request is a 401.
#[derive(Debug, Clone)]
pub struct ApiUser(pub CurrentUser);

/// The member an API request acts for, if it carries a token; a token that is not valid is
/// still a 401 (a client that sends one expects to be someone).
#[derive(Debug, Clone)]
pub struct MaybeApiUser(pub Option<CurrentUser>);

const NO_TOKEN: &str = "Send an access token: Authorization: Bearer <token>.";
const EXPIRED: &str = "The access token has expired. Get a new one with your refresh token.";
const INVALID: &str =
    "The access token is not valid. Get a new one with your refresh token or your password.";
const ENDED: &str = "The access token is no longer valid (you logged out everywhere, changed your password or the account was suspended). Log in again.";

/// The token of `Authorization: Bearer <token>`; `Err` when the header is there but is not
/// a bearer token.
fn bearer_token(req: &HttpRequest) -> Result<Option<String>, AppError> {
    let Some(value) = req.headers().get(header::AUTHORIZATION) else {
        return Ok(None);
    };
    let value = value.to_str().unwrap_or_default().trim();
    match value.split_once(' ') {
        Some((scheme, token))
            if scheme.eq_ignore_ascii_case("bearer") && !token.trim().is_empty() =>
        {
            Ok(Some(token.trim().to_owned()))
        }
        _ => Err(AppError::Unauthorized {
            message: NO_TOKEN,
            token_given: true,
        }),
    }
}

/// The member behind the request's token: `Ok(None)` when it has none.
async fn caller(req: &HttpRequest) -> Result<Option<CurrentUser>, AppError> {
    let Some(token) = bearer_token(req)? else {
        return Ok(None);
    };
    let refused = |message| AppError::Unauthorized {
        message,
        token_given: true,
    };
    let tokens = req
        .app_data::<web::Data<AccessTokens>>()
        .ok_or_else(|| AppError::Internal(anyhow::anyhow!("AccessTokens is not registered")))?;
    let claims = tokens.verify(&token).map_err(|rejected| match rejected {
        Rejected::Expired => refused(EXPIRED),
        Rejected::Invalid => refused(INVALID),
    })?;
    let user = claims.user_id().ok_or_else(|| refused(INVALID))?;
    let TokenLookup(find) = *req
        .app_data::<TokenLookup>()
        .ok_or_else(|| AppError::Internal(anyhow::anyhow!("TokenLookup is not registered")))?;
    let db = req
        .app_data::<Db>()
        .cloned()
        .ok_or_else(|| AppError::Internal(anyhow::anyhow!("Db is not registered")))?;
    let epoch = claims.auth_epoch;
    let found = db
        .run(move |conn| find(conn, user, epoch))
        .await?
        .ok_or_else(|| refused(ENDED))?;
    if let Some(rate) = req.app_data::<web::Data<super::api_rate::ApiRate>>() {
        rate.hit_account(&db, found.id).await?;
    }
    Ok(Some(found))
}

/// The caller as [`authenticate`] found them, for the extractors to take.
struct Resolved(Result<Option<CurrentUser>, AppError>);

/// Middleware of the API's scope: finds the caller of a request that carries a token before
/// the handler runs, so a token that is not good is the answer (401) whatever else is wrong
/// with the request: no extractor reads a body for someone who is not let in.
pub async fn authenticate(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    if req.headers().contains_key(header::AUTHORIZATION) {
        let resolved = caller(req.request()).await;
        req.extensions_mut().insert(Resolved(resolved));
    }
    next.call(req).await
}

/// The caller: as the middleware found them, or (outside its scope) looked up now.
async fn resolved(req: &HttpRequest) -> Result<Option<CurrentUser>, AppError> {
    let found = req.extensions_mut().remove::<Resolved>();
    match found {
        Some(Resolved(resolved)) => resolved,
        None => caller(req).await,
    }
}

impl FromRequest for ApiUser {
    type Error = AppError;
    type Future = LocalBoxFuture<'static, Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move {
            resolved(&req)
                .await?
                .map(Self)
                .ok_or(AppError::Unauthorized {
                    message: NO_TOKEN,
                    token_given: false,
                })
        })
    }
}

impl FromRequest for MaybeApiUser {
    type Error = AppError;
    type Future = LocalBoxFuture<'static, Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move { resolved(&req).await.map(Self) })
    }
}
