//! One error type for every handler, and the HTML error pages.
//!
//! Policy:
//! - Handlers return `Result<_, AppError>`. Form validation errors are *not* `AppError`s: the
//!   handler re-renders the form with its field errors and status 422.
//! - The user sees a page that says what happened and what to do next, in the site's layout,
//!   and never a message from a library, a query or a stack: `Internal` and `Unavailable` keep
//!   their detail for the log, where it is written with the request id that the page shows.
//! - Diesel's `NotFound` becomes 404; a database that cannot be reached (no free connection in
//!   time, a dropped connection, a statement cancelled by its timeout) becomes 503.
//! - Responses that actix-web makes itself (unknown route, body too large, malformed form) get
//!   the same pages through [`render_error_pages`], which dresses every error response that is
//!   not already HTML or JSON.

use std::time::Duration;

use actix_web::body::{BoxBody, EitherBody, MessageBody};
use actix_web::dev::ServiceResponse;
use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::middleware::ErrorHandlerResponse;
use actix_web::{HttpMessage, HttpResponse, ResponseError};
use askama::Template;
use diesel::result::{DatabaseErrorKind, Error as DieselError};

use super::page::PageContext;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("not found")]
    NotFound,
    /// The user may not do this; the message, if any, is shown to them.
    #[error("forbidden")]
    Forbidden(Option<String>),
    /// Log in first; `next` is where to return afterwards.
    #[error("login required")]
    Unauthenticated { next: String },
    /// The JSON API's "log in first": no access token, or one that is no longer good
    /// (`token_given` says which, for the `WWW-Authenticate` header); the message says why.
    #[error("unauthorized: {message}")]
    Unauthorized {
        message: &'static str,
        token_given: bool,
    },
    /// A request no form of ours produces; the message is shown to the user.
    #[error("bad request: {0}")]
    BadRequest(String),
    #[error("request body too large")]
    PayloadTooLarge,
    /// A body in a format the route does not read; the message says which it wants.
    #[error("unsupported media type: {0}")]
    UnsupportedMediaType(&'static str),
    /// Over a rate limit; `reason` says what happened (the page adds how long to wait).
    #[error("rate limited")]
    TooManyRequests {
        retry_after: Duration,
        reason: &'static str,
    },
    /// A dependency (database, storage) is down; the detail goes to the log only.
    #[error("service unavailable: {0}")]
    Unavailable(String),
    /// Anything unexpected; the detail goes to the log only.
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl AppError {
    /// What a refusal over a rate limit says: what happened, and how long to wait.
    pub fn wait_message(reason: &str, retry_after: Duration) -> String {
        let reason = if reason.is_empty() {
            "Too many attempts."
        } else {
            reason
        };
        format!(
            "{reason} Please wait {} and try again.",
            human_duration(retry_after)
        )
    }
}

/// A message for the user, carried from an [`AppError`] to the page that renders it.
#[derive(Debug, Clone)]
pub(super) struct UserMessage(pub(super) String);

impl ResponseError for AppError {
    fn status_code(&self) -> StatusCode {
        match self {
            Self::NotFound => StatusCode::NOT_FOUND,
            Self::Forbidden(_) => StatusCode::FORBIDDEN,
            Self::Unauthenticated { .. } => StatusCode::SEE_OTHER,
            Self::Unauthorized { .. } => StatusCode::UNAUTHORIZED,
            Self::BadRequest(_) => StatusCode::BAD_REQUEST,
            Self::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            Self::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Self::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
            Self::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        let mut response = HttpResponse::build(self.status_code());
        match self {
            Self::Unauthenticated { next } => {
                let location = format!("/login?next={}", urlencode(next));
                return response
                    .insert_header((header::LOCATION, location))
                    .finish();
            }
            Self::TooManyRequests { retry_after, .. } => {
                response.insert_header((header::RETRY_AFTER, retry_after.as_secs().max(1)));
            }
            Self::Unauthorized { token_given, .. } => {
                // RFC 6750: say that a token was refused, not only that one is needed.
                let challenge = if *token_given {
                    r#"Bearer realm="api", error="invalid_token""#
                } else {
                    r#"Bearer realm="api""#
                };
                response.insert_header((header::WWW_AUTHENTICATE, challenge));
            }
            Self::Unavailable(detail) => {
                tracing::warn!(error = %detail, "answering 503");
                response.insert_header((header::RETRY_AFTER, 5));
            }
            Self::Internal(err) => tracing::error!(error = ?err, "unexpected error"),
            _ => {}
        }
        let mut response = response.finish();
        let message = match self {
            Self::Forbidden(Some(message)) | Self::BadRequest(message) => Some(message.clone()),
            Self::Unauthorized { message, .. } | Self::UnsupportedMediaType(message) => {
                Some((*message).to_owned())
            }
            Self::TooManyRequests {
                retry_after,
                reason,
            } => Some(Self::wait_message(reason, *retry_after)),
            _ => None,
        };
        if let Some(message) = message {
            response.extensions_mut().insert(UserMessage(message));
        }
        response
    }
}

impl From<DieselError> for AppError {
    fn from(err: DieselError) -> Self {
        match err {
            DieselError::NotFound => Self::NotFound,
            DieselError::DatabaseError(DatabaseErrorKind::ClosedConnection, info) => {
                Self::Unavailable(format!("database connection closed: {}", info.message()))
            }
            DieselError::DatabaseError(DatabaseErrorKind::UnableToSendCommand, info) => {
                Self::Unavailable(format!("database unreachable: {}", info.message()))
            }
            DieselError::DatabaseError(_, ref info)
                if info.message().contains("statement timeout")
                    || info.message().contains("lock timeout") =>
            {
                Self::Unavailable(format!("database too slow: {}", info.message()))
            }
            other => Self::Internal(anyhow::Error::new(other)),
        }
    }
}

impl From<diesel::r2d2::PoolError> for AppError {
    fn from(err: diesel::r2d2::PoolError) -> Self {
        Self::Unavailable(format!("no database connection: {err}"))
    }
}

impl From<crate::db::CheckoutError> for AppError {
    fn from(err: crate::db::CheckoutError) -> Self {
        match err {
            crate::db::CheckoutError::Pool(err) => err.into(),
            crate::db::CheckoutError::Query(err) => err.into(),
        }
    }
}

impl From<actix_web::error::BlockingError> for AppError {
    fn from(err: actix_web::error::BlockingError) -> Self {
        Self::Internal(anyhow::anyhow!("blocking task failed: {err}"))
    }
}

impl From<crate::storage::StorageError> for AppError {
    fn from(err: crate::storage::StorageError) -> Self {
        use crate::storage::StorageError;
        match err {
            StorageError::NotFound(_) | StorageError::InvalidKey(_) => Self::NotFound,
            StorageError::Unavailable(detail) => Self::Unavailable(detail),
            other => Self::Internal(anyhow::Error::new(other)),
        }
    }
}

/// The page shown for every error status.
#[derive(Template)]
#[template(path = "errors/error.html")]
pub struct ErrorPage {
    pub ctx: PageContext,
    pub status: u16,
    pub title: &'static str,
    pub message: String,
    pub request_id: Option<String>,
}

impl ErrorPage {
    fn new(ctx: PageContext, status: StatusCode, message: Option<String>) -> Self {
        let (title, default_message) = describe(status);
        Self {
            ctx,
            status: status.as_u16(),
            title,
            message: message.unwrap_or_else(|| default_message.to_owned()),
            request_id: None,
        }
    }
}

/// Title and default explanation for a status.
pub(super) fn describe(status: StatusCode) -> (&'static str, &'static str) {
    match status.as_u16() {
        400 => (
            "Bad request",
            "Something in that request didn't make sense to us. Go back, check the form and try again.",
        ),
        401 => (
            "Unauthorized",
            "A valid access token is needed for that: ask for one with your username and password.",
        ),
        403 => (
            "Not allowed",
            "You don't have permission to do that. If you think you should, make sure you're logged in to the right account.",
        ),
        404 | 410 => (
            "Page not found",
            "We couldn't find that page. It may have been removed, or the link may be mistyped.",
        ),
        405 => (
            "Not allowed",
            "That page can't be used like that. Go back and use the form or link on the page.",
        ),
        409 => (
            "Conflict",
            "That changed while you were looking at it. Reload and try again.",
        ),
        413 => (
            "Too large",
            "What you sent is larger than we accept. Try smaller photos, or fewer at a time.",
        ),
        415 => (
            "Unsupported format",
            "We can't read what was sent. Go back and try again.",
        ),
        422 => (
            "Please check your input",
            "Some of what you entered isn't valid. Go back, correct it and try again.",
        ),
        429 => (
            "Slow down",
            "Too many requests in a short time. Please wait a moment and try again.",
        ),
        503 => (
            "Temporarily unavailable",
            "The site is having trouble reaching one of its services. Please try again in a few seconds.",
        ),
        s if s >= 500 => (
            "Something went wrong",
            "An unexpected error happened on our side. It has been logged; please try again in a moment.",
        ),
        _ => (
            "Something went wrong",
            "That request could not be completed. Go back and try again.",
        ),
    }
}

/// Middleware hook (`ErrorHandlers::default_handler`): gives every error response that is not
/// already an HTML page or a JSON document the site's error page, keeping its status and
/// headers (`Retry-After`, `Allow`, …).
pub fn render_error_pages<B: MessageBody + 'static>(
    res: ServiceResponse<B>,
) -> actix_web::Result<ErrorHandlerResponse<B>> {
    const RENDERED: &[&str] = &["text/html", "application/json", "application/problem+json"];
    replace_error_body(res, RENDERED, |request, failure| {
        let status = failure.status;
        // Refused before reaching the API's scope (a NUL byte, say): still a problem document.
        if super::csrf::is_api(request.path()) {
            let mut problem = super::problem::Problem::new(status, failure.message);
            problem.request_id = failure.request_id;
            let body = serde_json::to_string(&problem).unwrap_or_else(|_| "{}".into());
            return (body, "application/problem+json");
        }
        let mut page = ErrorPage::new(PageContext::for_request(request), status, failure.message);
        page.request_id = failure.request_id;
        let body = page.render().unwrap_or_else(|err| {
            tracing::error!(error = %err, "cannot render the error page");
            format!(
                "<!doctype html><title>Error {}</title><h1>Error {}</h1>",
                status.as_u16(),
                status.as_u16()
            )
        });
        (body, "text/html; charset=utf-8")
    })
}

/// What an error renderer is told about the failure.
pub(super) struct Failure {
    pub status: StatusCode,
    /// The message the handler meant for the user ([`UserMessage`]), if any.
    pub message: Option<String>,
    /// The request id, for server errors only (so a report can be matched to the log).
    pub request_id: Option<String>,
}

/// Gives an error response a new body (and content type) from `render`, unless its content
/// type starts with one of `keep` (a handler already rendered it). Status and the other
/// headers stay; the response is never cached.
pub(super) fn replace_error_body<B: MessageBody + 'static>(
    res: ServiceResponse<B>,
    keep: &[&str],
    render: impl FnOnce(&actix_web::HttpRequest, Failure) -> (String, &'static str),
) -> actix_web::Result<ErrorHandlerResponse<B>> {
    let rendered = res
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| keep.iter().any(|kind| ct.starts_with(kind)));
    if rendered {
        return Ok(ErrorHandlerResponse::Response(res.map_into_left_body()));
    }
    let status = res.status();
    let message = res
        .response()
        .extensions()
        .get::<UserMessage>()
        .map(|m| m.0.clone());
    let (request, response) = res.into_parts();
    let request_id = status
        .is_server_error()
        .then(|| {
            request
                .extensions()
                .get::<tracing_actix_web::RequestId>()
                .map(|id| id.to_string())
        })
        .flatten();
    let failure = Failure {
        status,
        message,
        request_id,
    };
    let (body, content_type) = render(&request, failure);
    let mut response = response.set_body(BoxBody::new(body));
    let headers = response.headers_mut();
    headers.remove(header::CONTENT_LENGTH);
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    let res: ServiceResponse<EitherBody<B>> =
        ServiceResponse::new(request, response).map_into_right_body();
    Ok(ErrorHandlerResponse::Response(res))
}

fn human_duration(duration: Duration) -> String {
    let secs = duration.as_secs().max(1);
    match secs {
        1 => "a second".to_owned(),
        s if s < 60 => format!("{s} seconds"),
        s if s <= 60 => "a minute".to_owned(),
        s if s < 3600 => format!("{} minutes", s.div_ceil(60)),
        s if s <= 3600 => "an hour".to_owned(),
        s => format!("{} hours", s.div_ceil(3600)),
    }
}

/// Percent-encodes a query-string value.
pub fn urlencode(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for b in value.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~' | b'/') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::middleware::ErrorHandlers;
    use actix_web::test as actix_test;
    use actix_web::{App, web};

    async fn failing(kind: web::Path<String>) -> Result<HttpResponse, AppError> {
        Err(match kind.as_str() {
            "internal" => AppError::Internal(anyhow::anyhow!("password=hunter2 in the query")),
            "unavailable" => AppError::Unavailable("connection refused to 10.0.0.7".into()),
            "forbidden" => AppError::Forbidden(Some("Only the owner can do that.".into())),
            "limited" => AppError::TooManyRequests {
                retry_after: Duration::from_secs(90),
                reason: "Too many attempts.",
            },
            "login" => AppError::Unauthenticated {
                next: "/listings/new?x=1&y=2".into(),
            },
            "diesel" => DieselError::NotFound.into(),
            _ => AppError::BadRequest("That sort order does not exist.".into()),
        })
    }

    async fn call(path: &str) -> (StatusCode, actix_web::http::header::HeaderMap, String) {
        let app = actix_test::init_service(
            App::new()
                .wrap(ErrorHandlers::new().default_handler(render_error_pages))
                .route("/fail/{kind}", web::get().to(failing)),
        )
        .await;
        let res =
            actix_test::call_service(&app, actix_test::TestRequest::get().uri(path).to_request())
                .await;
        let status = res.status();
        let headers = res.headers().clone();
        let body = actix_test::read_body(res).await;
        (status, headers, String::from_utf8(body.to_vec()).unwrap())
    }

    #[actix_web::test]
    async fn an_internal_error_shows_a_page_without_its_detail() {
        let (status, headers, body) = call("/fail/internal").await;
        assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
        assert_eq!(
            headers.get("content-type").unwrap(),
            "text/html; charset=utf-8"
        );
        assert!(body.contains("Something went wrong"));
        assert!(!body.contains("hunter2"));
    }

    #[actix_web::test]
    async fn an_unavailable_dependency_is_a_503_page_that_hides_the_detail() {
        let (status, headers, body) = call("/fail/unavailable").await;
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(headers.get("retry-after").unwrap(), "5");
        assert!(body.contains("Temporarily unavailable"));
        assert!(!body.contains("10.0.0.7"));
    }

    #[actix_web::test]
    async fn messages_meant_for_the_user_are_shown() {
        let (status, _, body) = call("/fail/forbidden").await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        assert!(body.contains("Only the owner can do that."));
        let (status, _, body) = call("/fail/bad").await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert!(body.contains("That sort order does not exist."));
    }

    #[actix_web::test]
    async fn a_rate_limit_says_when_to_retry() {
        let (status, headers, body) = call("/fail/limited").await;
        assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(headers.get("retry-after").unwrap(), "90");
        assert!(body.contains("wait 2 minutes"), "{body}");
    }

    #[actix_web::test]
    async fn login_required_redirects_with_the_way_back() {
        let (status, headers, _) = call("/fail/login").await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        assert_eq!(
            headers.get("location").unwrap(),
            "/login?next=/listings/new%3Fx%3D1%26y%3D2"
        );
    }

    #[actix_web::test]
    async fn diesel_not_found_is_a_404_page() {
        let (status, _, body) = call("/fail/diesel").await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        assert!(body.contains("Page not found"));
    }

    #[test]
    fn every_error_status_has_its_own_title() {
        for (status, title) in [
            (403, "Not allowed"),
            (404, "Page not found"),
            (413, "Too large"),
            (422, "Please check your input"),
            (429, "Slow down"),
            (500, "Something went wrong"),
            (503, "Temporarily unavailable"),
        ] {
            assert_eq!(describe(StatusCode::from_u16(status).unwrap()).0, title);
        }
    }
}
