//! The search feature's routes: the search page and its feed.

use actix_web::http::Method as M;
use actix_web::web;

use super::handlers as search;
use crate::web::routes::RouteDef;

/// Every route of this feature, in the order they are matched.
pub fn routes() -> Vec<RouteDef> {
    vec![
        RouteDef::api(
            "/listings",
            M::GET,
            web::get().to(super::api::list_listings),
        ),
        RouteDef::site("/search", M::GET, web::get().to(search::search_page)),
        RouteDef::site("/search.atom", M::GET, web::get().to(search::search_feed)),
        RouteDef::site("/c/{section}", M::GET, web::get().to(search::show_section)),
        RouteDef::site(
            "/c/{section}/{category}",
            M::GET,
            web::get().to(search::show_category),
        ),
    ]
}
