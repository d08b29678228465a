//! The admin area's routes, all in the `/admin` scope (behind `session::require_admin`).

use actix_web::http::Method as M;
use actix_web::web;

use super::handlers as admin;
use crate::web::routes::RouteDef;

/// Every route of this feature, in the order they are matched.
pub fn routes() -> Vec<RouteDef> {
    vec![
        RouteDef::admin("", M::GET, web::get().to(admin::admin_home)),
        RouteDef::admin("/listings", M::GET, web::get().to(admin::listings)),
        RouteDef::admin(
            "/listings/bulk",
            M::POST,
            web::post().to(admin::bulk_action),
        ),
        RouteDef::admin("/listings/{id}", M::GET, web::get().to(admin::show_listing)),
        RouteDef::admin(
            "/listings/{id}/action",
            M::POST,
            web::post().to(admin::act_on_listing),
        ),
        RouteDef::admin("/queue", M::GET, web::get().to(admin::queue)),
        RouteDef::admin(
            "/appeals/{id}",
            M::POST,
            web::post().to(admin::decide_appeal),
        ),
        RouteDef::admin(
            "/reports/messages/{id}",
            M::GET,
            web::get().to(admin::reported_message),
        ),
        RouteDef::admin(
            "/reports/messages/{id}",
            M::POST,
            web::post().to(admin::decide_message_report),
        ),
        RouteDef::admin(
            "/reports/profiles/{id}",
            M::POST,
            web::post().to(admin::decide_profile_report),
        ),
        RouteDef::admin("/members", M::GET, web::get().to(admin::members)),
        RouteDef::admin("/members/{id}", M::GET, web::get().to(admin::member)),
        RouteDef::admin(
            "/members/{id}/ban",
            M::POST,
            web::post().to(admin::set_banned),
        ),
        RouteDef::admin(
            "/members/{id}/role",
            M::POST,
            web::post().to(admin::set_role),
        ),
        RouteDef::admin("/categories", M::GET, web::get().to(admin::categories)),
        RouteDef::admin(
            "/categories",
            M::POST,
            web::post().to(admin::create_category),
        ),
        RouteDef::admin(
            "/categories/{id}",
            M::GET,
            web::get().to(admin::show_category),
        ),
        RouteDef::admin(
            "/categories/{id}",
            M::POST,
            web::post().to(admin::update_category),
        ),
        RouteDef::admin(
            "/categories/{id}/change",
            M::POST,
            web::post().to(admin::change_category),
        ),
        RouteDef::admin("/jobs", M::GET, web::get().to(admin::jobs)),
        RouteDef::admin("/jobs/{id}", M::POST, web::post().to(admin::act_on_job)),
        RouteDef::admin("/audit", M::GET, web::get().to(admin::audit_log)),
    ]
}
