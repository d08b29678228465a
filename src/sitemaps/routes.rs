//! The routes search engines read.

use actix_web::http::Method as M;
use actix_web::web;

use super::handlers;
use crate::web::routes::RouteDef;

/// Every route of this feature, in the order they are matched.
pub fn routes() -> Vec<RouteDef> {
    vec![
        RouteDef::site("/robots.txt", M::GET, web::get().to(handlers::robots)),
        RouteDef::site(
            "/sitemap.xml",
            M::GET,
            web::get().to(handlers::sitemap_index),
        ),
        RouteDef::site("/sitemaps/{name}", M::GET, web::get().to(handlers::sitemap)),
    ]
}
