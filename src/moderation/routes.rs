//! The moderation feature's routes (members' side; the admin area has its own).

use actix_web::http::Method as M;
use actix_web::web;

use super::handlers as moderation;
use crate::web::routes::RouteDef;

/// Every route of this feature, in the order they are matched (before the listings'
/// `/listings/{id}/{slug}`).
pub fn routes() -> Vec<RouteDef> {
    vec![
        RouteDef::site(
            "/listings/{id}/flag",
            M::GET,
            web::get().to(moderation::flag_form),
        ),
        RouteDef::site(
            "/listings/{id}/flag",
            M::POST,
            web::post().to(moderation::flag_listing),
        ),
        RouteDef::site(
            "/listings/{id}/flag/withdraw",
            M::POST,
            web::post().to(moderation::withdraw_flag),
        ),
        RouteDef::site(
            "/listings/{id}/appeal",
            M::GET,
            web::get().to(moderation::appeal_form),
        ),
        RouteDef::site(
            "/listings/{id}/appeal",
            M::POST,
            web::post().to(moderation::appeal),
        ),
        RouteDef::site(
            "/u/{username}/report",
            M::GET,
            web::get().to(moderation::report_profile_form),
        ),
        RouteDef::site(
            "/u/{username}/report",
            M::POST,
            web::post().to(moderation::report_profile),
        ),
    ]
}
