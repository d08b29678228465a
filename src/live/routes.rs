//! The live feature's routes.

use actix_web::http::Method as M;
use actix_web::web;

use super::handlers;
use crate::web::routes::RouteDef;

/// Every route of this feature.
pub fn routes() -> Vec<RouteDef> {
    vec![RouteDef::site(
        "/events",
        M::GET,
        web::get().to(handlers::events),
    )]
}
