//! The messages feature's routes.

use actix_web::http::Method as M;
use actix_web::web;

use super::api;
use super::handlers as messages;
use crate::web::routes::RouteDef;

/// Every route of this feature, in the order they are matched.
pub fn routes() -> Vec<RouteDef> {
    vec![
        RouteDef::api("/messages", M::POST, web::post().to(api::send_message)),
        RouteDef::api("/messages", M::GET, web::get().to(api::messages_with)),
        RouteDef::api("/conversations", M::GET, web::get().to(api::conversations)),
        RouteDef::api(
            "/conversations/{id}/messages",
            M::GET,
            web::get().to(api::conversation_messages),
        ),
        RouteDef::api(
            "/conversations/{id}/read",
            M::POST,
            web::post().to(api::mark_read),
        ),
        RouteDef::site(
            "/listings/{id}/contact",
            M::GET,
            web::get().to(messages::contact_form),
        ),
        RouteDef::site(
            "/listings/{id}/contact",
            M::POST,
            web::post().to(messages::contact),
        ),
        RouteDef::site("/messages", M::GET, web::get().to(messages::inbox)),
        // Before `/messages/{id}`.
        RouteDef::site("/messages/sent", M::GET, web::get().to(messages::sent)),
        RouteDef::site(
            "/messages/{id}",
            M::GET,
            web::get().to(messages::show_conversation),
        ),
        RouteDef::site("/messages/{id}", M::POST, web::post().to(messages::reply)),
        RouteDef::site(
            "/messages/{id}/archive",
            M::POST,
            web::post().to(messages::archive),
        ),
        RouteDef::site(
            "/messages/{id}/block",
            M::POST,
            web::post().to(messages::block),
        ),
        RouteDef::site(
            "/messages/{id}/report/{message}",
            M::GET,
            web::get().to(messages::report_form),
        ),
        RouteDef::site(
            "/messages/{id}/report/{message}",
            M::POST,
            web::post().to(messages::report),
        ),
        RouteDef::site("/safety", M::GET, web::get().to(messages::safety)),
        // Signed links from mail (no login, no CSRF token: see `web::csrf`).
        RouteDef::site(
            "/mail/unsubscribe/{user}/{token}",
            M::GET,
            web::get().to(messages::unsubscribe_form),
        ),
        RouteDef::site(
            "/mail/unsubscribe/{user}/{token}",
            M::POST,
            web::post().to(messages::unsubscribe),
        ),
    ]
}
