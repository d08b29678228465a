//! Cross-site request forgery protection, checked once for every request that may change state.
//!
//! Policy: GET and HEAD never change state. Every other request must (1) not come from another
//! origin, when the browser says where it comes from (`Origin`, or `Referer` without it), and
//! (2) carry the session's synchronizer token: the `csrf_token` field of a urlencoded form, the
//! `X-CSRF-Token` header (scripts), or the `csrf_token` query parameter (multipart forms, whose
//! body is streamed to storage and is not read here). A failure is a 403 page that says to
//! reload the form.

use actix_session::SessionExt;
use actix_web::ResponseError;
use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::{Method, header};
use actix_web::middleware::Next;
use actix_web::web::{self, Bytes};

use super::page::origin_of;
use super::{AppError, SiteConfig, session};

pub const FIELD: &str = "csrf_token";
pub const HEADER: &str = "x-csrf-token";

/// The message of the 403 page.
pub const EXPIRED: &str =
    "This form has expired or was sent from another site. Reload the page and try again.";

pub async fn verify_csrf<B: MessageBody>(
    req: ServiceRequest,
    next: Next<B>,
) -> Result<ServiceResponse<EitherBody<B>>, actix_web::Error> {
    if matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS) {
        return next
            .call(req)
            .await
            .map(ServiceResponse::map_into_left_body);
    }
    match check(req).await {
        Ok(req) => next
            .call(req)
            .await
            .map(ServiceResponse::map_into_left_body),
        // Answered here (not propagated) so the error-page middleware around us dresses it.
        Err((req, err)) => Ok(req
            .into_response(err.error_response())
            .map_into_right_body()),
    }
}

/// Passes the request on, or hands it back with the reason it fails.
async fn check(mut req: ServiceRequest) -> Result<ServiceRequest, (ServiceRequest, AppError)> {
    let public_url = req
        .app_data::<web::Data<SiteConfig>>()
        .map(|site| site.public_url.clone())
        .unwrap_or_default();
    if !same_origin(&req, &public_url) {
        tracing::info!("rejected a cross-origin form");
        return Err((req, AppError::Forbidden(Some(EXPIRED.into()))));
    }
    let expected = session::existing_csrf_token(&req.get_session());
    let submitted = match submitted_token(&req) {
        Some(token) => Some(token),
        None if is_urlencoded(&req) => {
            let body = match read_form_body(&mut req).await {
                Ok(body) => body,
                Err(err) => return Err((req, err)),
            };
            let token = form_field(&body, FIELD);
            req.set_payload(actix_web::dev::Payload::from(body));
            token
        }
        None => None,
    };
    match (expected, submitted) {
        (Some(expected), Some(submitted)) if constant_time_eq(&expected, &submitted) => Ok(req),
        _ => Err((req, AppError::Forbidden(Some(EXPIRED.into())))),
    }
}

/// False when the browser says the request comes from another origin.
fn same_origin(req: &ServiceRequest, public_url: &str) -> bool {
    let headers = req.headers();
    let source = match headers.get(header::ORIGIN) {
        Some(origin) => origin.to_str().unwrap_or("invalid").to_owned(),
        None => match headers.get(header::REFERER).and_then(|v| v.to_str().ok()) {
            Some(referer) => origin_of(referer),
            None => return true,
        },
    };
    if source == origin_of(public_url) {
        return true;
    }
    // The site may also be reached under the address it listens on (e.g. tests, health checks).
    let conn = req.connection_info();
    source == format!("{}://{}", conn.scheme(), conn.host())
}

fn submitted_token(req: &ServiceRequest) -> Option<String> {
    if let Some(token) = req.headers().get(HEADER).and_then(|v| v.to_str().ok()) {
        return Some(token.to_owned());
    }
    form_field(req.query_string().as_bytes(), FIELD)
}

fn is_urlencoded(req: &ServiceRequest) -> bool {
    req.headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| ct.starts_with("application/x-www-form-urlencoded"))
}

async fn read_form_body(req: &mut ServiceRequest) -> Result<Bytes, AppError> {
    use actix_web::HttpMessage;
    use futures_util::StreamExt;
    let mut payload = req.take_payload();
    let mut body = web::BytesMut::new();
    while let Some(chunk) = payload.next().await {
        let chunk =
            chunk.map_err(|_| AppError::BadRequest("The form could not be read.".into()))?;
        if body.len() + chunk.len() > crate::startup::FORM_LIMIT_BYTES {
            return Err(AppError::PayloadTooLarge);
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body.freeze())
}

/// The first value of `name` in an urlencoded body or query string.
fn form_field(body: &[u8], name: &str) -> Option<String> {
    url::form_urlencoded::parse(body)
        .find(|(key, _)| key == name)
        .map(|(_, value)| value.into_owned())
}

fn constant_time_eq(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_are_scheme_and_host() {
        assert_eq!(
            origin_of("https://example.com/a/b?c"),
            "https://example.com"
        );
        assert_eq!(origin_of("http://127.0.0.1:8080"), "http://127.0.0.1:8080");
        assert_eq!(origin_of("garbage"), "");
    }

    #[test]
    fn fields_are_found_in_urlencoded_bodies() {
        assert_eq!(
            form_field(b"a=1&csrf_token=x%2By&b=2", FIELD).as_deref(),
            Some("x+y")
        );
        assert_eq!(form_field(b"a=1", FIELD), None);
    }

    #[test]
    fn tokens_compare_exactly() {
        assert!(constant_time_eq("abc", "abc"));
        assert!(!constant_time_eq("abc", "abd"));
        assert!(!constant_time_eq("abc", "abcd"));
    }
}
