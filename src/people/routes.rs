//! Meet people's routes.

use actix_web::http::Method as M;
use actix_web::web;

use super::handlers as people;
use crate::web::routes::RouteDef;

/// Every route of this feature, in the order they are matched.
pub fn routes() -> Vec<RouteDef> {
    vec![
        RouteDef::api(
            "/people/profile",
            M::GET,
            web::get().to(super::api::get_profile),
        ),
        RouteDef::api(
            "/people/profile",
            M::PUT,
            web::put().to(super::api::put_profile),
        ),
        RouteDef::api(
            "/people/profile/photos",
            M::POST,
            web::post().to(super::api::add_photos),
        ),
        RouteDef::api("/people/next", M::GET, web::get().to(super::api::next)),
        RouteDef::api(
            "/people/{username}/answer",
            M::POST,
            web::post().to(super::api::answer),
        ),
        RouteDef::api(
            "/people/matches",
            M::GET,
            web::get().to(super::api::matches),
        ),
        RouteDef::api(
            "/people/matches/{username}",
            M::DELETE,
            web::delete().to(super::api::unmatch),
        ),
        RouteDef::api(
            "/users/{username}/photos",
            M::GET,
            web::get().to(super::api::user_photos),
        ),
        RouteDef::site("/people", M::GET, web::get().to(people::discover)),
        RouteDef::site(
            "/people/profile",
            M::GET,
            web::get().to(people::show_profile),
        ),
        RouteDef::site(
            "/people/profile",
            M::POST,
            web::post().to(people::save_profile),
        ),
        RouteDef::site(
            "/people/profile/visibility",
            M::POST,
            web::post().to(people::set_visibility),
        ),
        RouteDef::site(
            "/people/profile/photos",
            M::POST,
            web::post().to(people::add_photos),
        ),
        RouteDef::site(
            "/people/profile/photos/{id}/delete",
            M::POST,
            web::post().to(people::delete_photo),
        ),
        RouteDef::site("/people/matches", M::GET, web::get().to(people::matches)),
        RouteDef::site(
            "/people/matches/{username}/unmatch",
            M::POST,
            web::post().to(people::unmatch),
        ),
        RouteDef::site(
            "/people/{username}/answer",
            M::POST,
            web::post().to(people::answer),
        ),
        RouteDef::site(
            "/people/{username}/block",
            M::POST,
            web::post().to(people::block),
        ),
        RouteDef::site(
            "/people/{username}/report",
            M::GET,
            web::get().to(people::report_form),
        ),
        RouteDef::site(
            "/people/{username}/report",
            M::POST,
            web::post().to(people::report),
        ),
    ]
}
