//! The listings feature's routes: browsing, posting, the listing page, its photos, editing, managing.

use actix_web::http::Method as M;
use actix_web::web;

use super::handlers as listings;
use crate::web::routes::RouteDef;

/// Every route of this feature, in the order they are matched.
pub fn routes() -> Vec<RouteDef> {
    vec![
        RouteDef::api(
            "/listings/{id}",
            M::GET,
            web::get().to(super::api::get_listing),
        ),
        RouteDef::api("/categories", M::GET, web::get().to(super::api::categories)),
        RouteDef::site(
            "/photos/{photo_id}/{variant}.jpg",
            M::GET,
            web::get().to(listings::show_public_photo),
        ),
        RouteDef::site("/my/listings", M::GET, web::get().to(listings::my_listings)),
        RouteDef::site(
            "/listings/new",
            M::GET,
            web::get().to(listings::new_listing_form),
        ),
        RouteDef::site(
            "/listings/new",
            M::POST,
            web::post().to(listings::create_listing),
        ),
        RouteDef::site(
            "/listings/{id}",
            M::GET,
            web::get().to(listings::listing_by_id),
        ),
        RouteDef::site(
            "/listings/{id}/edit",
            M::GET,
            web::get().to(listings::edit_listing_form),
        ),
        RouteDef::site(
            "/listings/{id}/edit",
            M::POST,
            web::post().to(listings::update_listing),
        ),
        RouteDef::site(
            "/listings/{id}/status",
            M::POST,
            web::post().to(listings::change_status),
        ),
        RouteDef::site(
            "/listings/{id}/renew",
            M::POST,
            web::post().to(listings::renew_listing),
        ),
        RouteDef::site(
            "/listings/{id}/renew/{token}",
            M::GET,
            web::get().to(listings::renew_link_form),
        ),
        RouteDef::site(
            "/listings/{id}/renew/{token}",
            M::POST,
            web::post().to(listings::renew_by_link),
        ),
        RouteDef::site(
            "/listings/{id}/delete",
            M::GET,
            web::get().to(listings::confirm_delete_listing),
        ),
        RouteDef::site(
            "/listings/{id}/delete",
            M::POST,
            web::post().to(listings::delete_listing),
        ),
        RouteDef::site(
            "/listings/{id}/restore",
            M::POST,
            web::post().to(listings::restore_listing),
        ),
        RouteDef::site(
            "/listings/{id}/{slug}",
            M::GET,
            web::get().to(listings::show_listing),
        ),
    ]
}
