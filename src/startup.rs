//! Builds the HTTP server: the routes, the middleware and the shared state.
//!
//! `Application::build` takes a bound listener, so tests bind port 0 and read the port back.

use std::net::TcpListener;

use actix_web::dev::Server;
use actix_web::http::Method;
use actix_web::middleware::{Compress, ErrorHandlers, from_fn};
use actix_web::{App, HttpServer, Route, web};
use tracing_actix_web::TracingLogger;

use crate::accounts::handlers::{self as accounts, PasswordCost};
use crate::accounts::recovery;
use crate::config::ListingSettings;
use crate::config::{AuthSettings, SecretKey};
use crate::home;
use crate::listings::handlers::{self as listings, ListingRules};
use crate::saved::handlers as saved;
use crate::search::handlers as search;
use crate::storage::Storage;
use crate::web::rate_limit::TrustProxyHeaders;
use crate::web::request_log::RedactedRootSpan;
use crate::web::session::{LoginLookup, SessionLifetime, load_current_user, session_middleware};
use crate::web::{
    AppError, Db, SiteConfig, assets, csrf, error, head, headers, health, media, nul,
};

/// Everything handlers share. Cheap to clone: each field is a handle.
#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    pub storage: Storage,
    pub site: SiteConfig,
    pub auth: AuthSettings,
    pub listings: ListingSettings,
    /// Keys the session cookie.
    pub secret: SecretKey,
}

pub struct Application {
    port: u16,
    server: Server,
}

impl Application {
    /// Starts serving on `listener` with `workers` threads (not yet polled: call
    /// [`Application::run_until_stopped`]).
    pub fn build(state: AppState, listener: TcpListener, workers: usize) -> anyhow::Result<Self> {
        let port = listener.local_addr()?.port();
        let mut image_origins = vec![crate::web::page::origin_of(&state.site.map_tile_url)];
        if let Storage::S3(store) = &state.storage {
            image_origins.push(store.origin());
        }
        let db = state.db.clone();
        let storage = web::Data::new(state.storage.clone());
        let site = web::Data::new(state.site.clone());
        let cost = web::Data::new(PasswordCost(state.auth.bcrypt_cost));
        let counts_ttl = std::time::Duration::from_secs(state.listings.counts_ttl_seconds);
        let counts = web::Data::new(crate::listings::queries::CategoryCounts::new(counts_ttl));
        let density = web::Data::new(crate::search::density::Density::new(counts_ttl));
        let rules = web::Data::new(ListingRules {
            lifetime: std::time::Duration::from_secs(
                u64::from(state.listings.listing_lifetime_days) * 86_400,
            ),
            max_photos: usize::from(state.listings.max_photos),
        });
        let search_rate = web::Data::new(search::SearchRate(state.listings.search_rate_per_minute));
        let lifetime = SessionLifetime::from_days(state.auth.session_lifetime_days);
        let trust_proxy = TrustProxyHeaders(state.auth.trust_proxy_headers);
        let secure_cookies = state.site.public_url.starts_with("https://");
        let cookie_key = session_key(&state.secret);
        let server = HttpServer::new(move || {
            // Outermost last: logging, headers, compression, the session cookie, error pages,
            // then the current user and the CSRF check right around the handlers.
            App::new()
                .wrap(from_fn(csrf::verify_csrf))
                .wrap(from_fn(load_current_user))
                .wrap(from_fn(nul::refuse_nul_bytes))
                .wrap(ErrorHandlers::new().default_handler(error::render_error_pages))
                .wrap(session_middleware(
                    cookie_key.clone(),
                    secure_cookies,
                    lifetime.0,
                ))
                .wrap(Compress::default())
                .wrap(headers::security_headers(&image_origins, secure_cookies))
                .wrap(from_fn(head::answer_head_like_get))
                .wrap(TracingLogger::<RedactedRootSpan>::new())
                .app_data(db.clone())
                .app_data(storage.clone())
                .app_data(site.clone())
                .app_data(cost.clone())
                .app_data(rules.clone())
                .app_data(counts.clone())
                .app_data(density.clone())
                .app_data(search_rate.clone())
                .app_data(lifetime)
                .app_data(LoginLookup(
                    crate::accounts::queries::current_user_for_session,
                ))
                .app_data(trust_proxy)
                .app_data(
                    web::FormConfig::default()
                        .limit(csrf::FORM_LIMIT_BYTES)
                        .error_handler(|err, _| match err {
                            actix_web::error::UrlencodedError::Overflow { .. } => {
                                AppError::PayloadTooLarge.into()
                            }
                            other => {
                                tracing::info!(error = %other, "unreadable form");
                                AppError::BadRequest(
                                    "The form could not be read. Go back and submit it again."
                                        .into(),
                                )
                                .into()
                            }
                        }),
                )
                .configure(routes)
        })
        .workers(workers.max(1))
        .shutdown_timeout(10)
        .listen(listener)?
        .run();
        Ok(Self { port, server })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// A handle to stop the server gracefully.
    pub fn handle(&self) -> actix_web::dev::ServerHandle {
        self.server.handle()
    }

    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        self.server.await
    }
}

/// The cookie key: 64 bytes derived from the secret, for signing and encryption.
fn session_key(secret: &SecretKey) -> actix_web::cookie::Key {
    let mut material = Vec::with_capacity(64);
    material.extend_from_slice(&secret.derive("corkboard session signing v1"));
    material.extend_from_slice(&secret.derive("corkboard session encryption v1"));
    actix_web::cookie::Key::from(&material)
}

/// Every route of the site: path, method, handler. Tests read the paths and methods, so a new
/// state-changing route is covered by the CSRF tests without anyone listing it again.
pub fn route_table() -> Vec<(&'static str, Method, Route)> {
    type M = Method;
    vec![
        ("/", M::GET, web::get().to(home::handlers::show_home)),
        ("/healthz", M::GET, web::get().to(health::healthz)),
        ("/readyz", M::GET, web::get().to(health::readyz)),
        (
            "/static/{version}/{path:.*}",
            M::GET,
            web::get().to(assets::serve_static),
        ),
        ("/media/{key:.*}", M::GET, web::get().to(media::serve_media)),
        (
            "/photos/{photo_id}/{variant}.jpg",
            M::GET,
            web::get().to(listings::show_public_photo),
        ),
        // Accounts
        ("/signup", M::GET, web::get().to(accounts::signup_form)),
        ("/signup", M::POST, web::post().to(accounts::create_account)),
        ("/login", M::GET, web::get().to(accounts::login_form)),
        ("/login", M::POST, web::post().to(accounts::log_in)),
        ("/logout", M::POST, web::post().to(accounts::log_out)),
        (
            "/password/forgot",
            M::GET,
            web::get().to(recovery::forgot_password_form),
        ),
        (
            "/password/forgot",
            M::POST,
            web::post().to(recovery::request_password_reset),
        ),
        (
            "/password/reset",
            M::GET,
            web::get().to(recovery::reset_password_form),
        ),
        (
            "/password/reset",
            M::POST,
            web::post().to(recovery::reset_password),
        ),
        (
            "/verify-email",
            M::GET,
            web::get().to(recovery::verify_email),
        ),
        (
            "/settings/verify-email",
            M::POST,
            web::post().to(recovery::resend_verification),
        ),
        (
            "/u/{username}",
            M::GET,
            web::get().to(accounts::show_profile),
        ),
        ("/settings", M::GET, web::get().to(accounts::settings_form)),
        (
            "/settings/profile",
            M::POST,
            web::post().to(accounts::update_profile),
        ),
        (
            "/settings/avatar",
            M::POST,
            web::post().to(accounts::upload_avatar),
        ),
        (
            "/settings/avatar/remove",
            M::GET,
            web::get().to(accounts::confirm_remove_avatar),
        ),
        (
            "/settings/avatar/remove",
            M::POST,
            web::post().to(accounts::remove_avatar),
        ),
        (
            "/settings/email",
            M::POST,
            web::post().to(accounts::update_email),
        ),
        (
            "/settings/password",
            M::POST,
            web::post().to(accounts::update_password),
        ),
        (
            "/settings/logout-everywhere",
            M::POST,
            web::post().to(accounts::log_out_everywhere),
        ),
        (
            "/settings/delete",
            M::POST,
            web::post().to(accounts::delete_account),
        ),
        ("/admin", M::GET, web::get().to(accounts::admin_home)),
        // Listings
        (
            "/c/{section}",
            M::GET,
            web::get().to(listings::show_section),
        ),
        (
            "/c/{section}/{category}",
            M::GET,
            web::get().to(listings::show_category),
        ),
        (
            "/listings/new",
            M::GET,
            web::get().to(listings::new_listing_form),
        ),
        (
            "/listings/new",
            M::POST,
            web::post().to(listings::create_listing),
        ),
        (
            "/listings/{id}",
            M::GET,
            web::get().to(listings::listing_by_id),
        ),
        (
            "/listings/{id}/edit",
            M::GET,
            web::get().to(listings::edit_listing_form),
        ),
        (
            "/listings/{id}/edit",
            M::POST,
            web::post().to(listings::update_listing),
        ),
        (
            "/listings/{id}/status",
            M::POST,
            web::post().to(listings::change_status),
        ),
        (
            "/listings/{id}/renew",
            M::POST,
            web::post().to(listings::renew_listing),
        ),
        (
            "/listings/{id}/delete",
            M::GET,
            web::get().to(listings::confirm_delete_listing),
        ),
        (
            "/listings/{id}/delete",
            M::POST,
            web::post().to(listings::delete_listing),
        ),
        (
            "/listings/{id}/restore",
            M::POST,
            web::post().to(listings::restore_listing),
        ),
        (
            "/listings/{id}/{slug}",
            M::GET,
            web::get().to(listings::show_listing),
        ),
        // Search
        ("/search", M::GET, web::get().to(search::search_page)),
        ("/search.atom", M::GET, web::get().to(search::search_feed)),
        // Favourites and saved searches
        (
            "/listings/{id}/favorite",
            M::POST,
            web::post().to(saved::toggle_favorite),
        ),
        ("/favorites", M::GET, web::get().to(saved::show_favorites)),
        (
            "/saved-searches",
            M::GET,
            web::get().to(saved::list_saved_searches),
        ),
        (
            "/saved-searches",
            M::POST,
            web::post().to(saved::save_search),
        ),
        (
            "/saved-searches/{id}",
            M::GET,
            web::get().to(saved::open_saved_search),
        ),
        (
            "/saved-searches/{id}/delete",
            M::GET,
            web::get().to(saved::confirm_delete_saved_search),
        ),
        (
            "/saved-searches/{id}/delete",
            M::POST,
            web::post().to(saved::delete_saved_search),
        ),
    ]
}

/// Every route of the site.
pub fn routes(cfg: &mut web::ServiceConfig) {
    for (path, _, route) in route_table() {
        cfg.route(path, route);
    }
    cfg.default_service(web::to(|| async { Err::<(), _>(AppError::NotFound) }));
}

/// The (method, path) of every route that may change state, for the CSRF tests.
pub fn state_changing_routes() -> Vec<(Method, &'static str)> {
    route_table()
        .into_iter()
        .filter(|(_, method, _)| !matches!(*method, Method::GET | Method::HEAD))
        .map(|(path, method, _)| (method, path))
        .collect()
}
