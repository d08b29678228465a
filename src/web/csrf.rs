//! Cross-site request forgery protection, checked once for every request that may change state.
//!
//! Policy: GET and HEAD never change state. Every other request must (1) not come from another
//! origin, when the browser says where it comes from (`Origin`, or `Referer` without it; an
//! `Origin: null` only with `Sec-Fetch-Site: same-origin`), and
//! (2) carry the session's synchronizer token: the `X-CSRF-Token` header (scripts), the
//! `csrf_token` field of a urlencoded form, or the *first* field of a multipart form (so it is
//! read before any file; the rest of the body streams on to the handler untouched). A token
//! never travels in a URL, where it would land in logs, history and `Referer` headers.
//!
//! Pages never show the session's secret itself: each form gets it XORed with a fresh random
//! pad (as Django does), so the bytes differ on every response and a compressed page that also
//! echoes the visitor's input cannot be used to guess the token byte by byte (BREACH).
//!
//! The origin the request must match is the configured public URL, or the address the site
//! was reached at: the `Host` header, and the proxy's `X-Forwarded-Host` / `Forwarded` only
//! when `TRUST_PROXY_HEADERS` is on. A failure is a 403 page that says to reload the form.

use actix_session::SessionExt;
use actix_web::ResponseError;
use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::http::{Method, header};
use actix_web::middleware::Next;
use actix_web::web::{self, Bytes, BytesMut};
use futures_util::StreamExt;
use rand::RngCore;

use super::page::origin_of;
use super::rate_limit::TrustProxyHeaders;
use super::{AppError, SiteConfig, session};

pub const FIELD: &str = "csrf_token";

/// Paths whose POSTs are authorised by a signature in the URL, not by a session: a mail
/// program's one-click unsubscribe (RFC 8058) posts from anywhere, without cookies. Handlers
/// under them check the signature and never act on the session.
pub const SIGNED_LINK_PREFIXES: &[&str] = &["/mail/unsubscribe/", "/mail/alerts/"];
pub const HEADER: &str = "x-csrf-token";

/// Whether a path is the JSON API's: it never reads the session cookie (its caller is known by
/// an access token in a header, which another site cannot make a browser send), so a forged
/// request has nothing to ride on and the API takes no CSRF token.
pub fn is_api(path: &str) -> bool {
    path.strip_prefix(super::routes::Scope::Api.prefix())
        .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
}

/// Largest urlencoded form body accepted; bigger ones get the 413 page.
pub const FORM_LIMIT_BYTES: usize = 64 * 1024;

/// How much of a multipart body is read to find its first field (the token comes first;
/// a browser sends it in a few hundred bytes).
const MULTIPART_PREFIX_BYTES: usize = 16 * 1024;

/// The message of the 403 page.
pub const EXPIRED: &str =
    "This form has expired or was sent from another site. Reload the page and try again.";

pub async fn verify_csrf<B: MessageBody>(
    req: ServiceRequest,
    next: Next<B>,
) -> Result<ServiceResponse<EitherBody<B>>, actix_web::Error> {
    if matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS)
        || SIGNED_LINK_PREFIXES
            .iter()
            .any(|prefix| req.path().starts_with(prefix))
        || is_api(req.path())
    {
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
    let expected = session::existing_csrf_secret(&req.get_session());
    let submitted = if let Some(token) = req.headers().get(HEADER).and_then(|v| v.to_str().ok()) {
        Some(token.to_owned())
    } else if has_content_type(&req, "application/x-www-form-urlencoded") {
        match read_form_body(&mut req).await {
            Ok(body) if super::nul::has_nul(&body) => return Err((req, super::nul::refused())),
            Ok(body) => {
                let token = form_field(&body, FIELD);
                req.set_payload(Payload::from(body));
                token
            }
            Err(err) => return Err((req, err)),
        }
    } else if has_content_type(&req, "multipart/form-data") {
        match first_multipart_field(&mut req).await {
            Ok(token) => token,
            Err(err) => return Err((req, err)),
        }
    } else {
        None
    };
    match (expected, submitted) {
        (Some(expected), Some(submitted)) if token_matches(&expected, &submitted) => Ok(req),
        _ => Err((req, AppError::Forbidden(Some(EXPIRED.into())))),
    }
}

/// False when the browser says the request comes from another origin.
fn same_origin(req: &ServiceRequest, public_url: &str) -> bool {
    let headers = req.headers();
    let source = match headers.get(header::ORIGIN) {
        // A page sent with `Referrer-Policy: no-referrer` (a chat room's, whose address holds
        // its key) has its forms posted with `Origin: null`; the browser's own
        // `Sec-Fetch-Site` still says whether they came from this site.
        Some(origin) if origin.as_bytes() == b"null" => {
            return headers
                .get("sec-fetch-site")
                .is_some_and(|site| site.as_bytes() == b"same-origin");
        }
        Some(origin) => origin.to_str().unwrap_or("invalid").to_owned(),
        None => match headers.get(header::REFERER).and_then(|v| v.to_str().ok()) {
            Some(referer) => origin_of(referer),
            None => return true,
        },
    };
    if source == origin_of(public_url) {
        return true;
    }
    // The site may also be reached under the address it listens on (tests, health checks).
    source == reached_at(req)
}

/// The origin the request was sent to: `Host` (the site speaks plain HTTP itself), or what
/// the proxy reports when its headers are trusted.
fn reached_at(req: &ServiceRequest) -> String {
    let trust = req.app_data::<TrustProxyHeaders>().is_some_and(|t| t.0);
    if trust {
        let info = req.connection_info();
        return format!("{}://{}", info.scheme(), info.host());
    }
    match req
        .headers()
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
    {
        Some(host) => format!("http://{host}"),
        None => String::new(),
    }
}

fn has_content_type(req: &ServiceRequest, essence: &str) -> bool {
    req.headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| {
            ct.split(';')
                .next()
                .is_some_and(|t| t.trim().eq_ignore_ascii_case(essence))
        })
}

async fn read_form_body(req: &mut ServiceRequest) -> Result<Bytes, AppError> {
    use actix_web::HttpMessage;
    let mut payload = req.take_payload();
    let mut body = BytesMut::new();
    while let Some(chunk) = payload.next().await {
        let chunk =
            chunk.map_err(|_| AppError::BadRequest("The form could not be read.".into()))?;
        if body.len() + chunk.len() > FORM_LIMIT_BYTES {
            return Err(AppError::PayloadTooLarge);
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body.freeze())
}

/// The value of a multipart body's first field when it is the token. Reads the start of the
/// body, parses it, and puts the body back as it was (the part read, then the rest).
async fn first_multipart_field(req: &mut ServiceRequest) -> Result<Option<String>, AppError> {
    use actix_web::HttpMessage;
    let mut payload = req.take_payload();
    let mut prefix = BytesMut::new();
    while prefix.len() < MULTIPART_PREFIX_BYTES {
        match payload.next().await {
            Some(Ok(chunk)) => prefix.extend_from_slice(&chunk),
            Some(Err(_)) => {
                return Err(AppError::BadRequest(
                    "The upload could not be read. Try again.".into(),
                ));
            }
            None => break,
        }
    }
    let prefix = prefix.freeze();
    let token = token_field(req.headers(), prefix.clone()).await;
    let body = futures_util::stream::once(async move { Ok(prefix) }).chain(payload);
    let body: std::pin::Pin<
        Box<dyn futures_util::Stream<Item = Result<Bytes, actix_web::error::PayloadError>>>,
    > = Box::pin(body);
    req.set_payload(Payload::from(body));
    Ok(token)
}

/// The first field of the multipart body that starts with `prefix`, if it is named
/// [`FIELD`] and short.
async fn token_field(headers: &header::HeaderMap, prefix: Bytes) -> Option<String> {
    let stream =
        futures_util::stream::once(async move { Ok::<_, actix_web::error::PayloadError>(prefix) });
    let mut multipart = actix_multipart::Multipart::new(headers, stream);
    let mut field = multipart.next().await?.ok()?;
    if field.name() != Some(FIELD) {
        return None;
    }
    let mut value = Vec::new();
    while let Some(chunk) = field.next().await {
        value.extend_from_slice(&chunk.ok()?);
        if value.len() > 256 {
            return None;
        }
    }
    String::from_utf8(value).ok()
}

/// The first value of `name` in an urlencoded body or query string.
fn form_field(body: &[u8], name: &str) -> Option<String> {
    url::form_urlencoded::parse(body)
        .find(|(key, _)| key == name)
        .map(|(_, value)| value.into_owned())
}

/// The session's secret as a page shows it: a fresh random pad, then the secret XORed with
/// it, both hex. Different bytes on every call, the same secret inside.
pub fn mask(secret: &str) -> String {
    let secret = hex::decode(secret).unwrap_or_default();
    let mut pad = vec![0u8; secret.len()];
    rand::rng().fill_bytes(&mut pad);
    let masked: Vec<u8> = secret.iter().zip(&pad).map(|(s, p)| s ^ p).collect();
    format!("{}{}", hex::encode(pad), hex::encode(masked))
}

/// The secret inside a masked token (or the token itself, when sent unmasked by a script).
fn unmask(token: &str) -> Option<Vec<u8>> {
    let bytes = hex::decode(token).ok()?;
    if bytes.len() == session::CSRF_SECRET_BYTES * 2 {
        let (pad, masked) = bytes.split_at(session::CSRF_SECRET_BYTES);
        Some(pad.iter().zip(masked).map(|(p, m)| p ^ m).collect())
    } else {
        Some(bytes)
    }
}

/// Whether a submitted token carries the session's secret (compared in constant time).
fn token_matches(secret: &str, submitted: &str) -> bool {
    match (hex::decode(secret), unmask(submitted)) {
        (Ok(secret), Some(submitted)) => constant_time_eq(&secret, &submitted),
        _ => false,
    }
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
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
    fn masked_tokens_differ_every_time_and_carry_the_secret() {
        let secret = session::random_token();
        let (a, b) = (mask(&secret), mask(&secret));
        assert_ne!(a, b);
        assert_eq!(a.len(), 4 * session::CSRF_SECRET_BYTES);
        assert!(token_matches(&secret, &a) && token_matches(&secret, &b));
        assert!(token_matches(&secret, &secret), "unmasked, from a script");
        let other = session::random_token();
        assert!(!token_matches(&other, &a));
        assert!(!token_matches(&secret, &a[..a.len() - 2]));
        assert!(!token_matches(&secret, "not hex"));
        assert!(!token_matches(&secret, ""));
    }

    #[tokio::test]
    async fn the_token_is_read_from_the_first_multipart_field_only() {
        let mut headers = header::HeaderMap::new();
        headers.insert(
            header::CONTENT_TYPE,
            header::HeaderValue::from_static("multipart/form-data; boundary=XyZ"),
        );
        let first = Bytes::from_static(
            b"--XyZ\r\nContent-Disposition: form-data; name=\"csrf_token\"\r\n\r\nabc123\r\n\
              --XyZ\r\nContent-Disposition: form-data; name=\"title\"\r\n\r\nSofa\r\n--XyZ--\r\n",
        );
        assert_eq!(
            token_field(&headers, first).await.as_deref(),
            Some("abc123")
        );
        let second = Bytes::from_static(
            b"--XyZ\r\nContent-Disposition: form-data; name=\"title\"\r\n\r\nSofa\r\n\
              --XyZ\r\nContent-Disposition: form-data; name=\"csrf_token\"\r\n\r\nabc123\r\n--XyZ--\r\n",
        );
        assert_eq!(token_field(&headers, second).await, None);
    }
}
