//! The saved feature's routes: favourites and saved searches.

use actix_web::http::Method as M;
use actix_web::web;

use super::handlers as saved;
use crate::web::routes::RouteDef;

/// Every route of this feature, in the order they are matched.
pub fn routes() -> Vec<RouteDef> {
    vec![
        RouteDef::api("/favorites", M::GET, web::get().to(super::api::favorites)),
        RouteDef::api(
            "/favorites/{listing_id}",
            M::PUT,
            web::put().to(super::api::add_favorite),
        ),
        RouteDef::api(
            "/favorites/{listing_id}",
            M::DELETE,
            web::delete().to(super::api::remove_favorite),
        ),
        RouteDef::api(
            "/saved-searches",
            M::GET,
            web::get().to(super::api::saved_searches),
        ),
        RouteDef::api(
            "/saved-searches",
            M::POST,
            web::post().to(super::api::save_search),
        ),
        RouteDef::api(
            "/saved-searches/{id}",
            M::PATCH,
            web::patch().to(super::api::update_saved_search),
        ),
        RouteDef::api(
            "/saved-searches/{id}",
            M::DELETE,
            web::delete().to(super::api::delete_saved_search),
        ),
        RouteDef::site(
            "/listings/{id}/favorite",
            M::POST,
            web::post().to(saved::toggle_favorite),
        ),
        RouteDef::site("/favorites", M::GET, web::get().to(saved::show_favorites)),
        RouteDef::site(
            "/saved-searches",
            M::GET,
            web::get().to(saved::list_saved_searches),
        ),
        RouteDef::site(
            "/saved-searches",
            M::POST,
            web::post().to(saved::save_search),
        ),
        RouteDef::site(
            "/saved-searches/{id}",
            M::GET,
            web::get().to(saved::open_saved_search),
        ),
        RouteDef::site(
            "/saved-searches/{id}/alert",
            M::POST,
            web::post().to(saved::set_alert),
        ),
        RouteDef::site(
            "/mail/alerts/{what}/{id}/{token}",
            M::GET,
            web::get().to(saved::alert_unsubscribe_form),
        ),
        RouteDef::site(
            "/mail/alerts/{what}/{id}/{token}",
            M::POST,
            web::post().to(saved::alert_unsubscribe),
        ),
        RouteDef::site(
            "/saved-searches/{id}/delete",
            M::GET,
            web::get().to(saved::confirm_delete_saved_search),
        ),
        RouteDef::site(
            "/saved-searches/{id}/delete",
            M::POST,
            web::post().to(saved::delete_saved_search),
        ),
    ]
}
