//! What every page's layout needs, built from the request.
//!
//! Handlers take a [`PageContext`] as an extractor and put it in their page struct as `ctx`;
//! `base.html` reads only from it. The error pages build it from the same request, so they
//! show the same header and footer as the page the visitor was on.

use std::future::{Ready, ready};
use std::sync::Arc;

use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpRequest, web};

use actix_session::{Session, SessionExt};
use actix_web::HttpMessage;
use actix_web::http::Method;

use super::area::{self, AreaChoice};
use super::assets;
use super::session::{self, CurrentUser, Flash};

/// Site-wide settings the pages show.
#[derive(Debug, Clone)]
pub struct SiteConfig {
    pub site_name: String,
    /// Scheme and host, no trailing slash.
    pub public_url: String,
    pub map_tile_url: String,
    pub map_attribution: String,
}

impl Default for SiteConfig {
    fn default() -> Self {
        Self {
            site_name: "Corkboard".to_owned(),
            public_url: "http://127.0.0.1:8080".to_owned(),
            map_tile_url: "https://tile.openstreetmap.org/{z}/{x}/{y}.png".to_owned(),
            map_attribution: "© OpenStreetMap contributors".to_owned(),
        }
    }
}

/// Scheme, host and port of a URL ("" when it has none).
pub fn origin_of(url: &str) -> String {
    match url.split_once("://") {
        Some((scheme, rest)) => {
            let host = rest.split(['/', '?', '#']).next().unwrap_or_default();
            format!("{scheme}://{host}")
        }
        None => String::new(),
    }
}

/// The layout's data for one request.
#[derive(Clone)]
pub struct PageContext {
    pub site: Arc<SiteConfig>,
    /// Path of the current page, to mark the current nav item and build "log in and come back".
    pub path: String,
    pub user: Option<CurrentUser>,
    /// Flash messages, taken from the session when a GET page is shown.
    pub flashes: Vec<Flash>,
    /// The visitor's area, if they chose one (or have a home ZIP).
    pub area: Option<AreaChoice>,
    /// The request's query string.
    query: String,
    session: Session,
}

impl std::fmt::Debug for PageContext {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PageContext")
            .field("path", &self.path)
            .field("user", &self.user)
            .finish_non_exhaustive()
    }
}

impl PageContext {
    pub fn for_request(req: &HttpRequest) -> Self {
        let site = req
            .app_data::<web::Data<SiteConfig>>()
            .map(|data| data.clone().into_inner())
            .unwrap_or_default();
        let session = req.get_session();
        let flashes = if matches!(*req.method(), Method::GET | Method::HEAD) {
            session::take_flashes(&session)
        } else {
            Vec::new()
        };
        let user = req.extensions().get::<CurrentUser>().cloned();
        let area = area::of_request(req, user.as_ref().and_then(|u| u.home_zip.as_deref()));
        Self {
            site,
            path: req.path().to_owned(),
            user,
            flashes,
            area,
            query: req.query_string().to_owned(),
            session,
        }
    }

    /// A CSRF token for a form's hidden field: the session's secret (created on first use,
    /// so pages without forms set no cookie), masked afresh for every form.
    pub fn csrf_token(&self) -> String {
        super::csrf::mask(&session::csrf_secret(&self.session))
    }

    /// Whether the current user is an admin.
    pub fn is_admin(&self) -> bool {
        self.user.as_ref().is_some_and(CurrentUser::is_admin)
    }

    /// Versioned URL of a static file, e.g. `ctx.asset("css/app.css")`.
    pub fn asset(&self, path: &str) -> String {
        assets::url(path)
    }

    /// The area lists show by default (none when the visitor chose everywhere or nothing).
    pub fn near(&self) -> Option<&area::Area> {
        self.area.as_ref().and_then(AreaChoice::near)
    }

    /// The area form, coming back here.
    pub fn area_url(&self) -> String {
        self.area_link(&[])
    }

    /// "Everywhere": forgets the area and comes back here.
    pub fn everywhere_url(&self) -> String {
        self.area_link(&[("everywhere", "1")])
    }

    fn area_link(&self, pairs: &[(&str, &str)]) -> String {
        let mut query = url::form_urlencoded::Serializer::new(String::new());
        for (k, v) in pairs {
            query.append_pair(k, v);
        }
        // The page's path only: a query string may hold anything a link put there.
        query.append_pair("next", &self.path);
        format!("/area?{}", query.finish())
    }

    /// This page's address without its query string (pages with a meaningful query say
    /// their own).
    pub fn canonical_url(&self) -> String {
        format!("{}{}", self.site.public_url, self.path)
    }

    /// A page search engines should not index: one of a member's own, a form, the admin area.
    pub fn is_private(&self) -> bool {
        const PRIVATE: [&str; 14] = [
            "/admin",
            "/messages",
            "/settings",
            "/favorites",
            "/saved-searches",
            "/area",
            "/listings/new",
            "/login",
            "/signup",
            "/password",
            "/verify-email",
            "/mail/",
            "/reports",
            "/appeals",
        ];
        PRIVATE.iter().any(|p| self.path.starts_with(p))
            || self.path.ends_with("/edit")
            || self.path.ends_with("/delete")
            || self.path.ends_with("/contact")
            || self.path.ends_with("/report")
    }

    /// The words of the search this page shows (the header's search box keeps them).
    pub fn search_words(&self) -> String {
        if self.path != "/search" && !self.path.starts_with("/c/") {
            return String::new();
        }
        url::form_urlencoded::parse(self.query.as_bytes())
            .find(|(k, _)| k == "q")
            .map(|(_, v)| v.into_owned())
            .unwrap_or_default()
    }

    pub fn site_name(&self) -> &str {
        &self.site.site_name
    }

    pub fn year(&self) -> i32 {
        use chrono::Datelike;
        chrono::Utc::now().year()
    }
}

impl FromRequest for PageContext {
    type Error = actix_web::Error;
    type Future = Ready<Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(Ok(Self::for_request(req)))
    }
}
