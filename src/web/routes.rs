//! How features declare their routes, and the scope each one lives in.
//!
//! Policy: each feature lists its routes (`<feature>::routes()`); `startup` composes them into
//! one table, which is also what the CSRF, HEAD and admin tests enumerate, so a new route is
//! covered without anyone listing it again. The scope decides what guards a route and how its
//! errors read: the site's pages (HTML error pages), the admin area (behind one admin guard,
//! so a new admin route cannot forget its check) and the JSON API (problem documents).

use actix_web::Route;
use actix_web::http::Method;

/// Where a route lives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// The site's pages, at the root.
    Site,
    /// Under `/admin`, for admins only.
    Admin,
    /// Under `/api/v1`: JSON in and out, problem documents for errors.
    Api,
}

impl Scope {
    /// The path the scope's routes are under.
    pub fn prefix(self) -> &'static str {
        match self {
            Self::Site => "",
            Self::Admin => "/admin",
            Self::Api => "/api/v1",
        }
    }
}

/// One route: a path (relative to its scope), a method and the handler.
pub struct RouteDef {
    pub scope: Scope,
    pub path: &'static str,
    pub method: Method,
    pub route: Route,
}

impl RouteDef {
    /// A route of the site's pages.
    pub fn site(path: &'static str, method: Method, route: Route) -> Self {
        Self {
            scope: Scope::Site,
            path,
            method,
            route,
        }
    }

    /// A route of the admin area (`path` relative to `/admin`).
    pub fn admin(path: &'static str, method: Method, route: Route) -> Self {
        Self {
            scope: Scope::Admin,
            path,
            method,
            route,
        }
    }

    /// A route of the JSON API (`path` relative to `/api/v1`).
    pub fn api(path: &'static str, method: Method, route: Route) -> Self {
        Self {
            scope: Scope::Api,
            path,
            method,
            route,
        }
    }

    /// The whole path, scope included.
    pub fn full_path(&self) -> String {
        format!("{}{}", self.scope.prefix(), self.path)
    }
}
