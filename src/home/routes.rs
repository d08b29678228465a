//! The front page's route, and the site's own pages.

use actix_web::http::Method as M;
use actix_web::web;

use super::handlers;
use crate::web::routes::RouteDef;

/// Every route of this feature, in the order they are matched.
pub fn routes() -> Vec<RouteDef> {
    vec![
        RouteDef::site("/", M::GET, web::get().to(handlers::show_home)),
        RouteDef::site("/about", M::GET, web::get().to(handlers::about)),
        RouteDef::site("/help", M::GET, web::get().to(handlers::help)),
        RouteDef::site("/terms", M::GET, web::get().to(handlers::terms)),
        RouteDef::site("/privacy", M::GET, web::get().to(handlers::privacy)),
    ]
}
