//! The area chooser's route.

use actix_web::http::Method as M;
use actix_web::web;

use super::area;
use crate::web::routes::RouteDef;

/// Every route of this feature, in the order they are matched.
pub fn routes() -> Vec<RouteDef> {
    vec![RouteDef::site(
        "/area",
        M::GET,
        web::get().to(area::choose_area),
    )]
}
