//! Static files (CSS, JavaScript, icons), embedded in the binary.
//!
//! Policy: every asset URL carries a version taken from the file's content hash
//! (`/static/<version>/css/app.css`), so responses are cached for a year as immutable and a new
//! release is picked up at once. A request with a stale version (an old page during a rolling
//! deploy) still gets the current file, marked `no-cache`.

#[cfg(not(debug_assertions))]
use std::collections::HashMap;
#[cfg(not(debug_assertions))]
use std::sync::LazyLock;

use actix_web::http::header::{self, ETag, EntityTag, HeaderValue};
use actix_web::{HttpRequest, HttpResponse, web};
use rust_embed::RustEmbed;

use super::AppError;

#[derive(RustEmbed)]
#[folder = "static/"]
#[exclude = "*.map"]
#[exclude = ".*"]
struct StaticFiles;

const IMMUTABLE: &str = "public, max-age=31536000, immutable";

/// Content version of each embedded file, computed once. (Debug builds read the files from
/// disk and hash them on every call instead, so a rebuilt stylesheet gets a new URL at once.)
#[cfg(not(debug_assertions))]
static VERSIONS: LazyLock<HashMap<String, String>> = LazyLock::new(|| {
    StaticFiles::iter()
        .filter_map(|path| {
            let file = StaticFiles::get(&path)?;
            Some((path.into_owned(), version_of(&file.metadata.sha256_hash())))
        })
        .collect()
});

fn version_of(hash: &[u8; 32]) -> String {
    hex::encode(&hash[..5])
}

fn current_version(path: &str) -> Option<String> {
    #[cfg(not(debug_assertions))]
    return VERSIONS.get(path).cloned();
    #[cfg(debug_assertions)]
    return StaticFiles::get(path).map(|file| version_of(&file.metadata.sha256_hash()));
}

/// The versioned URL of `path` (relative to `static/`).
pub fn url(path: &str) -> String {
    match current_version(path) {
        Some(version) => format!("/static/{version}/{path}"),
        None => {
            tracing::warn!(path, "asset not found");
            format!("/static/missing/{path}")
        }
    }
}

/// `GET /static/{version}/{path:.*}`
pub async fn serve_static(
    req: HttpRequest,
    params: web::Path<(String, String)>,
) -> Result<HttpResponse, AppError> {
    let (version, path) = params.into_inner();
    let file = StaticFiles::get(&path).ok_or(AppError::NotFound)?;
    let current = version_of(&file.metadata.sha256_hash());
    let etag = EntityTag::new_strong(hex::encode(file.metadata.sha256_hash()));
    let cache_control = if version != current {
        "no-cache"
    } else {
        IMMUTABLE
    };
    let not_modified = req
        .headers()
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|tag| tag.trim() == etag.to_string()));
    let mut response = if not_modified {
        HttpResponse::NotModified()
    } else {
        HttpResponse::Ok()
    };
    response.insert_header(ETag(etag)).insert_header((
        header::CACHE_CONTROL,
        HeaderValue::from_static(cache_control),
    ));
    if not_modified {
        return Ok(response.finish());
    }
    let mime = mime_guess::from_path(&path).first_or_octet_stream();
    Ok(response
        .content_type(mime.essence_str())
        .body(file.data.into_owned()))
}

/// `GET /favicon.ico`: where browsers and feed readers look for the icon without asking.
pub async fn serve_favicon() -> Result<HttpResponse, AppError> {
    let file = StaticFiles::get("favicon.ico").ok_or(AppError::NotFound)?;
    Ok(HttpResponse::Ok()
        .content_type("image/x-icon")
        .insert_header((header::CACHE_CONTROL, "public, max-age=86400"))
        .body(file.data.into_owned()))
}

/// `GET /manifest.webmanifest`: the web app manifest (name, colours, icons), so a phone can
/// put the site on its home screen.
pub async fn serve_manifest(site: web::Data<super::SiteConfig>) -> HttpResponse {
    let manifest = serde_json::json!({
        "name": site.site_name,
        "short_name": site.site_name,
        "description": "Local classifieds: buy, sell, rent, hire and meet people near you.",
        "start_url": "/",
        "scope": "/",
        "display": "standalone",
        "background_color": "#fafaf9",
        "theme_color": "#292524",
        "icons": [
            {"src": url("icon-192.png"), "sizes": "192x192", "type": "image/png"},
            {"src": url("icon-512.png"), "sizes": "512x512", "type": "image/png"},
            {"src": url("favicon.svg"), "sizes": "any", "type": "image/svg+xml"},
        ],
    });
    HttpResponse::Ok()
        .content_type("application/manifest+json")
        .insert_header((header::CACHE_CONTROL, "public, max-age=3600"))
        .body(manifest.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_stylesheet_has_a_versioned_url() {
        let url = url("css/app.css");
        let version = url
            .strip_prefix("/static/")
            .and_then(|rest| rest.strip_suffix("/css/app.css"))
            .unwrap();
        assert_eq!(version.len(), 10);
        assert!(version.chars().all(|c| c.is_ascii_hexdigit()));
    }

    #[test]
    fn a_missing_asset_gets_an_unservable_url() {
        assert_eq!(url("nope.css"), "/static/missing/nope.css");
    }
}
