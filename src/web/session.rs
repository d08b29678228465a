//! Sessions, the current user, and flash messages.
//!
//! Policy: the session lives in a private (encrypted and authenticated) cookie holding a random
//! login token, the CSRF token and pending flash messages. A login is valid only while its
//! `user_sessions` row exists, the user is active, the user's `auth_epoch` equals the one at
//! login and the login is younger than the configured lifetime; every request with a login
//! token checks all four in one query. So logging out (row deleted), logging out everywhere,
//! changing the password and being banned (epoch bumped, rows deleted) end sessions at once,
//! even for copies of the cookie.

use std::future::{Ready, ready};
use std::time::Duration;

use actix_session::{Session, SessionExt};
use actix_web::ResponseError;
use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderValue};
use actix_web::middleware::Next;
use actix_web::{FromRequest, HttpMessage, HttpRequest};
use rand::RngCore;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use diesel::{PgConnection, QueryResult};

use super::{AppError, Db};
use crate::db::ids::UserId;

const LOGIN_TOKEN: &str = "login";
const CSRF_TOKEN: &str = "csrf";
const FLASHES: &str = "flash";

/// The logged-in member, as loaded for this request.
#[derive(Debug, Clone)]
pub struct CurrentUser {
    pub id: UserId,
    pub username: String,
    pub display_name: String,
    pub admin: bool,
    pub avatar_key: Option<crate::storage::ObjectKey>,
    /// Whether the member confirmed their e-mail address.
    pub email_verified: bool,
    /// Their area when they chose none ([`super::area`]).
    pub home_zip: Option<String>,
    /// Unread messages, for the header's badge (filled in by the login lookup).
    pub unread_messages: i64,
    /// How far the member's live event stream had got when this request began: a page's
    /// live connection follows on from there (filled in by the login lookup).
    pub events_seen: i64,
}

/// Finds the member behind a login token's hash, if the login is still valid: registered as
/// app data by `startup` (the accounts feature knows the tables; this layer does not).
pub type FindLogin =
    fn(&mut PgConnection, &[u8], Duration, &str) -> QueryResult<Option<CurrentUser>>;

/// The [`FindLogin`] function, as app data.
#[derive(Clone, Copy)]
pub struct LoginLookup(pub FindLogin);

impl CurrentUser {
    pub fn is_admin(&self) -> bool {
        self.admin
    }

    /// The name to show: the display name, or the username when there is none.
    pub fn shown_name(&self) -> &str {
        if self.display_name.is_empty() {
            &self.username
        } else {
            &self.display_name
        }
    }
}

/// What it takes to ask again, later, whether a request's login is still valid: for
/// responses that outlive the request, such as event streams.
#[derive(Clone)]
pub struct LoginCheck {
    db: Db,
    find: FindLogin,
    hash: Vec<u8>,
    lifetime: Duration,
    user_agent: String,
    user: UserId,
}

impl LoginCheck {
    /// The check for this request's login, if it has one.
    pub fn for_request(req: &HttpRequest, user: UserId) -> Option<Self> {
        let token = login_token(&req.get_session())?;
        Some(Self {
            db: req.app_data::<Db>()?.clone(),
            find: req.app_data::<LoginLookup>()?.0,
            hash: token_hash(&token),
            lifetime: req
                .app_data::<SessionLifetime>()
                .map_or(Duration::from_secs(30 * 86_400), |l| l.0),
            user_agent: user_agent(req.headers()),
            user,
        })
    }

    /// Whether the login is still valid for the same member. A database error counts as
    /// valid (the next check decides).
    pub async fn still_valid(&self) -> bool {
        let (find, hash, lifetime) = (self.find, self.hash.clone(), self.lifetime);
        let agent = self.user_agent.clone();
        match self
            .db
            .run(move |conn| find(conn, &hash, lifetime, &agent))
            .await
        {
            Ok(found) => found.is_some_and(|u| u.id == self.user),
            Err(err) => {
                tracing::warn!(error = %err, "cannot check a login again");
                true
            }
        }
    }
}

/// The browser's name as recorded with a login (at most 200 characters).
fn user_agent(headers: &header::HeaderMap) -> String {
    headers
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .chars()
        .take(200)
        .collect()
}

/// How long a login lasts, registered as app data.
#[derive(Debug, Clone, Copy)]
pub struct SessionLifetime(pub Duration);

/// A new random token of 32 bytes, hex-encoded.
pub fn random_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    hex::encode(bytes)
}

/// What is stored for a login token.
pub fn token_hash(token: &str) -> Vec<u8> {
    Sha256::digest(token.as_bytes()).to_vec()
}

/// Starts a fresh session for a login: new cookie, new CSRF token, the login token. Flash
/// messages survive. Returns the token to record in `user_sessions`.
pub fn begin_login(session: &Session) -> Result<String, AppError> {
    let flashes = take_flashes(session);
    session.clear();
    session.renew();
    let token = random_token();
    insert(session, LOGIN_TOKEN, &token)?;
    insert(session, CSRF_TOKEN, &random_token())?;
    for flash in flashes {
        push_flash(session, flash.kind, flash.message);
    }
    Ok(token)
}

/// The login token of this session, if any.
pub fn login_token(session: &Session) -> Option<String> {
    session.get::<String>(LOGIN_TOKEN).ok().flatten()
}

/// Forgets the login (the caller deletes its row) and starts a clean anonymous session.
pub fn end_login(session: &Session) {
    session.clear();
    session.renew();
}

/// Bytes of a session's CSRF secret.
pub const CSRF_SECRET_BYTES: usize = 32;

/// The session's CSRF secret (hex), created on first use. Pages show it masked
/// (`web::csrf::mask`), never as it is.
pub fn csrf_secret(session: &Session) -> String {
    if let Ok(Some(token)) = session.get::<String>(CSRF_TOKEN) {
        return token;
    }
    let token = random_token();
    let _ = session.insert(CSRF_TOKEN, &token);
    token
}

/// The CSRF secret if the session has one (never creates it).
pub fn existing_csrf_secret(session: &Session) -> Option<String> {
    session.get::<String>(CSRF_TOKEN).ok().flatten()
}

fn insert(session: &Session, key: &str, value: &str) -> Result<(), AppError> {
    session
        .insert(key, value)
        .map_err(|err| AppError::Internal(anyhow::anyhow!("cannot write the session: {err}")))
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum FlashKind {
    Success,
    Info,
    Error,
}

/// A one-time message shown on the next page.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Flash {
    pub kind: FlashKind,
    pub message: String,
}

impl Flash {
    pub fn css_class(&self) -> &'static str {
        match self.kind {
            FlashKind::Success => "flash-success",
            FlashKind::Info => "flash-info",
            FlashKind::Error => "flash-error",
        }
    }
}

/// Flash messages kept at once, and the longest one: the session is a cookie, and browsers
/// drop cookies over 4 KB (every later request would then be a stranger's).
const MAX_FLASHES: usize = 3;
const MAX_FLASH_CHARS: usize = 300;

pub fn push_flash(session: &Session, kind: FlashKind, message: impl Into<String>) {
    let mut flashes: Vec<Flash> = session.get(FLASHES).ok().flatten().unwrap_or_default();
    let mut message: String = message.into();
    if message.chars().count() > MAX_FLASH_CHARS {
        message = message.chars().take(MAX_FLASH_CHARS - 1).collect();
        message.push('…');
    }
    // The same message twice says nothing new; past the limit the oldest goes.
    flashes.retain(|f| f.message != message);
    flashes.push(Flash { kind, message });
    let excess = flashes.len().saturating_sub(MAX_FLASHES);
    flashes.drain(..excess);
    let _ = session.insert(FLASHES, flashes);
}

pub fn take_flashes(session: &Session) -> Vec<Flash> {
    session
        .remove_as::<Vec<Flash>>(FLASHES)
        .and_then(Result::ok)
        .unwrap_or_default()
}

/// Paths served the same to everyone, and the JSON API (which knows its caller by their
/// access token only): no user lookup from the cookie (and no database) for them.
const SESSIONLESS_PREFIXES: &[&str] = &[
    "/static/", "/media/", "/photos/", "/healthz", "/readyz", "/api/",
];

/// Middleware: loads the current user from the login token, if the login is still valid, and
/// marks pages shown to a logged-in member `no-store`. An invalid login is forgotten.
pub async fn load_current_user<B: MessageBody>(
    req: ServiceRequest,
    next: Next<B>,
) -> Result<ServiceResponse<EitherBody<B>>, actix_web::Error> {
    let session = req.get_session();
    let mut logged_in = false;
    let needs_user = !SESSIONLESS_PREFIXES
        .iter()
        .any(|p| req.path().starts_with(p));
    if let Some(token) = login_token(&session).filter(|_| needs_user) {
        let db = req
            .app_data::<Db>()
            .cloned()
            .expect("Db is registered as app data");
        let LoginLookup(find_login) = *req
            .app_data::<LoginLookup>()
            .expect("LoginLookup is registered as app data");
        let lifetime = req
            .app_data::<SessionLifetime>()
            .map_or(Duration::from_secs(30 * 86_400), |l| l.0);
        let user_agent = user_agent(req.headers());
        let hash = token_hash(&token);
        let user = match db
            .run(move |conn| find_login(conn, &hash, lifetime, &user_agent))
            .await
        {
            Ok(user) => user,
            // Answered here so the error-page middleware around us dresses it (503 when the
            // database is down).
            Err(err) => {
                return Ok(req
                    .into_response(err.error_response())
                    .map_into_right_body());
            }
        };
        match user {
            Some(user) => {
                req.extensions_mut().insert(user);
                logged_in = true;
            }
            None => end_login(&session),
        }
    }
    let mut res = next.call(req).await?.map_into_left_body();
    if logged_in && !res.headers().contains_key(header::CACHE_CONTROL) {
        res.headers_mut().insert(
            header::CACHE_CONTROL,
            HeaderValue::from_static("private, no-store"),
        );
    }
    Ok(res)
}

/// Middleware for the admin area's scope: only admins get past it (visitors are sent to log
/// in, members get 403), whatever the handler behind it checks itself.
pub async fn require_admin<B: MessageBody>(
    req: ServiceRequest,
    next: Next<B>,
) -> Result<ServiceResponse<EitherBody<B>>, actix_web::Error> {
    let refusal = match req.extensions().get::<CurrentUser>() {
        Some(user) if user.is_admin() => None,
        Some(_) => Some(AppError::Forbidden(Some(
            "This part of the site is for administrators.".into(),
        ))),
        None => Some(AppError::Unauthenticated {
            next: return_path(req.request()),
        }),
    };
    match refusal {
        None => next
            .call(req)
            .await
            .map(ServiceResponse::map_into_left_body),
        Some(err) => Ok(req
            .into_response(err.error_response())
            .map_into_right_body()),
    }
}

/// The current user, if someone is logged in.
pub struct MaybeUser(pub Option<CurrentUser>);

impl FromRequest for MaybeUser {
    type Error = actix_web::Error;
    type Future = Ready<Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(Ok(Self(req.extensions().get::<CurrentUser>().cloned())))
    }
}

/// A logged-in member; anyone else is sent to the login page and brought back afterwards.
pub struct AuthUser(pub CurrentUser);

impl FromRequest for AuthUser {
    type Error = AppError;
    type Future = Ready<Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(match req.extensions().get::<CurrentUser>() {
            Some(user) => Ok(Self(user.clone())),
            None => Err(AppError::Unauthenticated {
                next: return_path(req),
            }),
        })
    }
}

/// A logged-in admin; members get 403 (404 would hide nothing: the admin area is well known).
pub struct AdminUser(pub CurrentUser);

impl FromRequest for AdminUser {
    type Error = AppError;
    type Future = Ready<Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(match req.extensions().get::<CurrentUser>() {
            Some(user) if user.is_admin() => Ok(Self(user.clone())),
            Some(_) => Err(AppError::Forbidden(Some(
                "This part of the site is for administrators.".into(),
            ))),
            None => Err(AppError::Unauthenticated {
                next: return_path(req),
            }),
        })
    }
}

/// Where to come back to after logging in: this page for GET, the referring form's page
/// otherwise.
fn return_path(req: &HttpRequest) -> String {
    if req.method() == actix_web::http::Method::GET {
        match req.query_string() {
            "" => req.path().to_owned(),
            query => format!("{}?{query}", req.path()),
        }
    } else {
        "/".to_owned()
    }
}

/// Session cookie middleware: private (encrypted) cookie, `HttpOnly`, `SameSite=Lax`, `Secure`
/// over HTTPS, lasting as long as a login may.
pub fn session_middleware(
    key: actix_web::cookie::Key,
    secure: bool,
    lifetime: Duration,
) -> actix_session::SessionMiddleware<actix_session::storage::CookieSessionStore> {
    use actix_session::config::{CookieContentSecurity, PersistentSession};
    use actix_web::cookie::{SameSite, time};
    actix_session::SessionMiddleware::builder(
        actix_session::storage::CookieSessionStore::default(),
        key,
    )
    .cookie_name("corkboard_session".to_owned())
    .cookie_content_security(CookieContentSecurity::Private)
    .cookie_http_only(true)
    .cookie_same_site(SameSite::Lax)
    .cookie_secure(secure)
    .session_lifecycle(
        PersistentSession::default()
            .session_ttl(time::Duration::seconds(lifetime.as_secs() as i64)),
    )
    .build()
}

impl SessionLifetime {
    pub fn from_days(days: u32) -> Self {
        Self(Duration::from_secs(u64::from(days) * 86_400))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::{App, HttpResponse, test as actix_test, web};

    #[actix_web::test]
    async fn flash_messages_cannot_outgrow_the_cookie() {
        let key = actix_web::cookie::Key::generate();
        let app = actix_test::init_service(
            App::new()
                .wrap(session_middleware(key, false, Duration::from_secs(3600)))
                .route(
                    "/",
                    web::get().to(|session: Session| async move {
                        for i in 0..20 {
                            push_flash(
                                &session,
                                FlashKind::Error,
                                format!("{i} {}", "x".repeat(2000)),
                            );
                        }
                        push_flash(&session, FlashKind::Info, "Saved.");
                        push_flash(&session, FlashKind::Info, "Saved.");
                        let flashes = take_flashes(&session);
                        assert_eq!(flashes.len(), MAX_FLASHES);
                        assert_eq!(flashes.last().unwrap().message, "Saved.");
                        assert!(
                            flashes
                                .iter()
                                .all(|f| f.message.chars().count() <= MAX_FLASH_CHARS)
                        );
                        for i in 0..20 {
                            push_flash(
                                &session,
                                FlashKind::Error,
                                format!("{i} {}", "y".repeat(2000)),
                            );
                        }
                        HttpResponse::Ok().finish()
                    }),
                ),
        )
        .await;

        let res =
            actix_test::call_service(&app, actix_test::TestRequest::get().uri("/").to_request())
                .await;

        assert!(res.status().is_success());
        let cookie = res.response().cookies().next().expect("a session cookie");
        assert!(
            cookie.value().len() < 3000,
            "{} bytes",
            cookie.value().len()
        );
    }
}
