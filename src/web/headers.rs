//! Security headers on every response, pages, errors and static files alike.
//!
//! The Content-Security-Policy allows scripts, styles and frames from this site only (no inline
//! script, no framing by others); images may also come from the S3 endpoint when one is used.
//! A handler that sets its own policy (the media route) keeps it. When the public URL is
//! https, browsers are told to use nothing else for a year (HSTS).

use actix_web::middleware::DefaultHeaders;

/// Headers for every response. `extra_img_src` are other origins images come from (the S3
/// endpoint, the map tiles); `https` says the site is served over HTTPS.
pub fn security_headers(extra_img_src: &[String], https: bool) -> DefaultHeaders {
    let mut img_src = "'self' data: blob:".to_owned();
    for origin in extra_img_src.iter().filter(|o| !o.is_empty()) {
        img_src.push(' ');
        img_src.push_str(origin);
    }
    let csp = format!(
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src {img_src}; \
         font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; \
         form-action 'self'; frame-ancestors 'none'"
    );
    let mut headers = DefaultHeaders::new();
    if https {
        headers = headers.add(("Strict-Transport-Security", "max-age=31536000"));
    }
    headers
        .add(("Content-Security-Policy", csp))
        .add(("X-Content-Type-Options", "nosniff"))
        .add(("X-Frame-Options", "DENY"))
        .add(("Referrer-Policy", "same-origin"))
        .add(("Cross-Origin-Opener-Policy", "same-origin"))
        .add((
            "Permissions-Policy",
            "camera=(), microphone=(), geolocation=(), payment=()",
        ))
}
