//! The accounts feature's routes: sign-up, log-in, recovery, profiles, settings.

use actix_web::http::Method as M;
use actix_web::web;

use super::api;
use super::handlers as accounts;
use super::recovery;
use crate::web::routes::RouteDef;

/// Every route of this feature, in the order they are matched.
pub fn routes() -> Vec<RouteDef> {
    vec![
        RouteDef::api("/users", M::POST, web::post().to(api::create_user)),
        RouteDef::api("/auth/token", M::POST, web::post().to(api::token)),
        RouteDef::api("/auth/refresh", M::POST, web::post().to(api::refresh)),
        RouteDef::api("/auth/logout", M::POST, web::post().to(api::logout)),
        RouteDef::api("/me", M::GET, web::get().to(api::me)),
        RouteDef::api("/me", M::PATCH, web::patch().to(api::update_me)),
        RouteDef::site("/signup", M::GET, web::get().to(accounts::signup_form)),
        RouteDef::site("/signup", M::POST, web::post().to(accounts::create_account)),
        RouteDef::site("/login", M::GET, web::get().to(accounts::login_form)),
        RouteDef::site("/login", M::POST, web::post().to(accounts::log_in)),
        RouteDef::site("/logout", M::POST, web::post().to(accounts::log_out)),
        RouteDef::site(
            "/password/forgot",
            M::GET,
            web::get().to(recovery::forgot_password_form),
        ),
        RouteDef::site(
            "/password/forgot",
            M::POST,
            web::post().to(recovery::request_password_reset),
        ),
        RouteDef::site(
            "/password/reset",
            M::GET,
            web::get().to(recovery::reset_password_form),
        ),
        RouteDef::site(
            "/password/reset",
            M::POST,
            web::post().to(recovery::reset_password),
        ),
        RouteDef::site(
            "/verify-email",
            M::GET,
            web::get().to(recovery::verify_email),
        ),
        RouteDef::site(
            "/settings/verify-email",
            M::POST,
            web::post().to(recovery::resend_verification),
        ),
        RouteDef::site(
            "/u/{username}",
            M::GET,
            web::get().to(accounts::show_profile),
        ),
        RouteDef::site(
            "/u/{username}/feed",
            M::GET,
            web::get().to(accounts::profile_feed),
        ),
        RouteDef::site("/settings", M::GET, web::get().to(accounts::settings_form)),
        RouteDef::site(
            "/settings/notifications",
            M::POST,
            web::post().to(accounts::update_notifications),
        ),
        RouteDef::site(
            "/settings/profile",
            M::POST,
            web::post().to(accounts::update_profile),
        ),
        RouteDef::site(
            "/settings/avatar",
            M::POST,
            web::post().to(accounts::upload_avatar),
        ),
        RouteDef::site(
            "/settings/avatar/remove",
            M::GET,
            web::get().to(accounts::confirm_remove_avatar),
        ),
        RouteDef::site(
            "/settings/avatar/remove",
            M::POST,
            web::post().to(accounts::remove_avatar),
        ),
        RouteDef::site(
            "/settings/email",
            M::POST,
            web::post().to(accounts::update_email),
        ),
        RouteDef::site(
            "/settings/password",
            M::POST,
            web::post().to(accounts::update_password),
        ),
        RouteDef::site(
            "/settings/logout-everywhere",
            M::POST,
            web::post().to(accounts::log_out_everywhere),
        ),
        RouteDef::site(
            "/settings/delete",
            M::POST,
            web::post().to(accounts::delete_account),
        ),
    ]
}
