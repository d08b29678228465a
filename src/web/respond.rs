//! The responses handlers build again and again.

use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpRequest, HttpResponse, Responder};

/// `303 See Other` to `location`: the answer to every successful POST (post/redirect/get).
pub fn redirect(location: &str) -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header((header::LOCATION, location))
        .finish()
}

/// A page with a form (and so a CSRF token): never stored by any cache.
pub fn form_page<R: Responder>(page: R, req: &HttpRequest) -> HttpResponse {
    private_page(page, StatusCode::OK, req)
}

/// A form re-rendered with what was typed and its errors.
pub fn unprocessable<R: Responder>(page: R, req: &HttpRequest) -> HttpResponse {
    private_page(page, StatusCode::UNPROCESSABLE_ENTITY, req)
}

/// A form re-rendered with what was typed because a rate limit refused it: 429 with
/// `Retry-After`, so nothing typed is lost.
pub fn too_many<R: Responder>(
    page: R,
    retry_after: std::time::Duration,
    req: &HttpRequest,
) -> HttpResponse {
    let mut res = private_page(page, StatusCode::TOO_MANY_REQUESTS, req);
    res.headers_mut().insert(
        header::RETRY_AFTER,
        HeaderValue::from(retry_after.as_secs().max(1)),
    );
    res
}

/// A form re-rendered with what was typed because a service it needs is down (the photo
/// storage): 503 with `Retry-After`, so nothing typed is lost.
pub fn unavailable_form<R: Responder>(page: R, req: &HttpRequest) -> HttpResponse {
    let mut res = private_page(page, StatusCode::SERVICE_UNAVAILABLE, req);
    res.headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from_static("60"));
    res
}

/// A page with `status`, marked `no-store`.
pub fn private_page<R: Responder>(page: R, status: StatusCode, req: &HttpRequest) -> HttpResponse {
    let mut res = page
        .customize()
        .with_status(status)
        .respond_to(req)
        .map_into_boxed_body();
    res.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    res
}

/// Where to go back to after a form (logging in, choosing an area): only a path on this
/// site, never another host.
pub fn safe_next(next: &str) -> Option<String> {
    let next = next.trim();
    let is_local_path = next.starts_with('/')
        && !next.starts_with("//")
        && !next.starts_with("/\\")
        && !next.chars().any(|c| c.is_control() || c == '\\')
        && next.len() <= 1000;
    // "/login" would only bring them back to the form.
    (is_local_path && !next.starts_with("/login") && !next.starts_with("/logout"))
        .then(|| next.to_owned())
}
