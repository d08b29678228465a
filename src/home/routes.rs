//! The front page's route.

use actix_web::http::Method as M;
use actix_web::web;

use super::handlers;
use crate::web::routes::RouteDef;

/// Every route of this feature, in the order they are matched.
pub fn routes() -> Vec<RouteDef> {
    vec![RouteDef::site(
        "/",
        M::GET,
        web::get().to(handlers::show_home),
    )]
}
