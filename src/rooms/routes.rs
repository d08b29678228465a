//! The rooms feature's routes.

use actix_web::http::Method as M;
use actix_web::web;

use super::{events, handlers as rooms};
use crate::web::routes::RouteDef;

/// Every route of this feature, in the order they are matched.
pub fn routes() -> Vec<RouteDef> {
    vec![
        RouteDef::site("/rooms", M::GET, web::get().to(rooms::my_rooms)),
        RouteDef::site("/rooms/new", M::GET, web::get().to(rooms::new_room_form)),
        RouteDef::site("/rooms/new", M::POST, web::post().to(rooms::create_room)),
        RouteDef::site("/rooms/{key}", M::GET, web::get().to(rooms::show_room)),
        RouteDef::site("/rooms/{key}", M::POST, web::post().to(rooms::send_message)),
        RouteDef::site(
            "/rooms/{key}/join",
            M::POST,
            web::post().to(rooms::join_room),
        ),
        RouteDef::site(
            "/rooms/{key}/events",
            M::GET,
            web::get().to(events::room_events),
        ),
        RouteDef::site(
            "/rooms/{key}/rotate",
            M::POST,
            web::post().to(rooms::rotate_link),
        ),
        RouteDef::site(
            "/rooms/{key}/close",
            M::POST,
            web::post().to(rooms::close_room),
        ),
        RouteDef::site(
            "/rooms/{key}/rename",
            M::POST,
            web::post().to(rooms::rename_room),
        ),
        RouteDef::site(
            "/rooms/{key}/messages/{seq}/remove",
            M::GET,
            web::get().to(rooms::confirm_remove_message),
        ),
        RouteDef::site(
            "/rooms/{key}/messages/{seq}/remove",
            M::POST,
            web::post().to(rooms::remove_message),
        ),
        RouteDef::site(
            "/rooms/{key}/messages/{seq}/report",
            M::GET,
            web::get().to(rooms::report_form),
        ),
        RouteDef::site(
            "/rooms/{key}/messages/{seq}/report",
            M::POST,
            web::post().to(rooms::report_message),
        ),
        RouteDef::site(
            "/rooms/{key}/participants/{id}/remove",
            M::POST,
            web::post().to(rooms::remove_participant),
        ),
        RouteDef::site("/rooms/{key}/people", M::GET, web::get().to(rooms::people)),
        RouteDef::site(
            "/rooms/{key}/delete",
            M::GET,
            web::get().to(rooms::confirm_delete_room),
        ),
        RouteDef::site(
            "/rooms/{key}/delete",
            M::POST,
            web::post().to(rooms::delete_room),
        ),
    ]
}
