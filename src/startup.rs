//! Builds the HTTP server: the routes, the middleware and the shared state.
//!
//! `Application::build` takes a bound listener, so tests bind port 0 and read the port back.

use std::net::TcpListener;

use actix_web::dev::Server;
use actix_web::http::Method;
use actix_web::middleware::{Compress, ErrorHandlers, from_fn};
use actix_web::{App, HttpServer, web};
use tracing_actix_web::TracingLogger;

use crate::accounts::handlers::PasswordCost;
use crate::config::{AuthSettings, SecretKey};
use crate::config::{ListingSettings, MessageSettings, ModerationSettings};
use crate::listings::service::ListingRules;
use crate::search::handlers::SearchRate;
use crate::storage::Storage;
use crate::web::area::AreaLookup;
use crate::web::bearer::TokenLookup;
use crate::web::rate_limit::TrustProxyHeaders;
use crate::web::request_log::RedactedRootSpan;
use crate::web::routes::{RouteDef, Scope};
use crate::web::session::{
    self, LoginLookup, SessionLifetime, load_current_user, session_middleware,
};
use crate::web::{
    AppError, Db, SiteConfig, assets, csrf, error, head, headers, health, media, nul, problem,
};

/// Everything handlers share. Cheap to clone: each field is a handle.
#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    pub storage: Storage,
    pub site: SiteConfig,
    pub auth: AuthSettings,
    pub listings: ListingSettings,
    pub messages: MessageSettings,
    pub moderation: ModerationSettings,
    /// Keys the session cookie.
    pub secret: SecretKey,
    /// The database whose notifications this process listens to for live events (the same
    /// database as `db`'s).
    pub database_url: String,
}

pub struct Application {
    port: u16,
    server: Server,
    lifecycle: Lifecycle,
}

/// What stopping the process gracefully touches: readiness, the live streams, the server.
/// Cheap to clone.
#[derive(Clone)]
pub struct Lifecycle {
    draining: health::Draining,
    hub: crate::live::Hub,
    server: actix_web::dev::ServerHandle,
}

impl Lifecycle {
    /// Stops serving without losing a request: `/readyz` fails at once and live streams end
    /// (their browsers come back after the retry time, through the load balancer, to another
    /// instance); after `drain` (for a balancer that polls `/readyz` to notice) the listener
    /// closes, and requests in flight are finished (up to 10 s) before the server stops.
    pub async fn shut_down(&self, drain: std::time::Duration) {
        tracing::info!(drain_seconds = drain.as_secs(), "shutting down");
        self.draining.begin();
        self.hub.close_all();
        tokio::time::sleep(drain).await;
        self.server.stop(true).await;
    }

    /// The live streams of this process (for `/metrics`).
    pub fn hub(&self) -> &crate::live::Hub {
        &self.hub
    }

    /// Whether [`Lifecycle::shut_down`] began.
    pub fn is_draining(&self) -> bool {
        self.draining.is_draining()
    }
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
        db.watch_replica();
        let storage = web::Data::new(state.storage.clone());
        let site = web::Data::new(state.site.clone());
        let cost = web::Data::new(PasswordCost(state.auth.bcrypt_cost));
        let counts_ttl = std::time::Duration::from_secs(state.listings.counts_ttl_seconds);
        let counts = web::Data::new(crate::listings::queries::CategoryCounts::new(counts_ttl));
        let density = web::Data::new(crate::search::density::Density::new(counts_ttl));
        let sitemap_chunks = web::Data::new(crate::sitemaps::queries::IndexChunks::new(counts_ttl));
        let rules = web::Data::new(ListingRules {
            lifetime: std::time::Duration::from_secs(
                u64::from(state.listings.listing_lifetime_days) * 86_400,
            ),
            max_photos: usize::from(state.listings.max_photos),
        });
        let search_rate = SearchRate::per_minute(state.listings.search_rate_per_minute);
        if let Some(meter) = &search_rate.0 {
            tokio::spawn(meter.clone().flush_every(
                state.db.clone(),
                crate::search::handlers::SEARCH_METER_FLUSH,
            ));
        }
        let search_rate = web::Data::new(search_rate);
        let api_rate = crate::web::api_rate::ApiRate::per_minute(
            state.auth.api_rate_per_minute,
            state.auth.api_account_rate_per_minute,
        );
        for meter in api_rate.meters() {
            tokio::spawn(
                meter
                    .clone()
                    .flush_every(state.db.clone(), crate::web::api_rate::API_METER_FLUSH),
            );
        }
        let api_rate = web::Data::new(api_rate);
        let lifetime = SessionLifetime::from_days(state.auth.session_lifetime_days);
        let trust_proxy = TrustProxyHeaders(state.auth.trust_proxy_headers);
        let secure_cookies = state.site.public_url.starts_with("https://");
        let cookie_key = session_key(&state.secret);
        let hub = crate::live::Hub::default();
        tokio::spawn(crate::live::listener::listen(
            state.database_url.clone(),
            hub.clone(),
            counts.clone().into_inner(),
        ));
        let live = hub.clone();
        let hub = web::Data::new(hub);
        let draining = health::Draining::default();
        let readiness = web::Data::new(draining.clone());
        let room_feeds = web::Data::new(crate::rooms::feed::RoomFeeds::default());
        let views = std::sync::Arc::new(crate::listings::counter::ViewCounter::default());
        tokio::spawn(views.clone().flush_every(
            state.db.clone(),
            std::time::Duration::from_secs(state.listings.view_flush_seconds),
        ));
        let views = web::Data::from(views);
        let related = web::Data::new(crate::listings::related::RelatedCache::default());
        let listing_pages = web::Data::new(crate::listings::page_cache::ListingPages::default());
        let message_settings = web::Data::new(state.messages.clone());
        let moderation_settings = web::Data::new(state.moderation.clone());
        let secret = web::Data::new(state.secret.clone());
        let access_tokens = web::Data::new(access_tokens(&state.secret));
        let server = HttpServer::new(move || {
            // Outermost last: logging, headers, compression, the session cookie, error pages,
            // then the current user and the CSRF check right around the handlers.
            App::new()
                .wrap(from_fn(csrf::verify_csrf))
                .wrap(from_fn(crate::web::db::remember_writes))
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
                .wrap(from_fn(crate::web::request_metrics::record_requests))
                .wrap(TracingLogger::<RedactedRootSpan>::new())
                .app_data(db.clone())
                .app_data(storage.clone())
                .app_data(site.clone())
                .app_data(cost.clone())
                .app_data(rules.clone())
                .app_data(counts.clone())
                .app_data(density.clone())
                .app_data(search_rate.clone())
                .app_data(api_rate.clone())
                .app_data(hub.clone())
                .app_data(readiness.clone())
                .app_data(room_feeds.clone())
                .app_data(views.clone())
                .app_data(related.clone())
                .app_data(listing_pages.clone())
                .app_data(sitemap_chunks.clone())
                .app_data(message_settings.clone())
                .app_data(moderation_settings.clone())
                .app_data(secret.clone())
                .app_data(access_tokens.clone())
                .app_data(TokenLookup(crate::accounts::api_tokens::token_user))
                .app_data(lifetime)
                .app_data(LoginLookup(
                    crate::accounts::queries::current_user_for_session,
                ))
                .app_data(AreaLookup(crate::places::area_place))
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
        // SIGTERM and Ctrl-C are handled by the caller, through `lifecycle` (readiness and
        // the live streams first).
        .disable_signals()
        .listen(listener)?
        .run();
        let lifecycle = Lifecycle {
            draining,
            hub: live,
            server: server.handle(),
        };
        Ok(Self {
            port,
            server,
            lifecycle,
        })
    }

    /// Stops this server gracefully (see [`Lifecycle::shut_down`]).
    pub fn lifecycle(&self) -> Lifecycle {
        self.lifecycle.clone()
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

/// What signs and checks the API's access tokens: a key derived from the secret, so every
/// instance agrees and rotating the secret ends every token.
pub fn access_tokens(secret: &SecretKey) -> crate::web::jwt::AccessTokens {
    crate::web::jwt::AccessTokens::new(&secret.derive("corkboard api access tokens v1"))
}

/// Every route of the site, from each feature's list: scope, path, method, handler. Tests read
/// the paths and methods, so a new route is covered by the CSRF, HEAD and admin tests without
/// anyone listing it again.
pub fn route_table() -> Vec<RouteDef> {
    type M = Method;
    let plumbing = vec![
        RouteDef::site("/healthz", M::GET, web::get().to(health::healthz)),
        RouteDef::site("/readyz", M::GET, web::get().to(health::readyz)),
        RouteDef::site(
            "/static/{version}/{path:.*}",
            M::GET,
            web::get().to(assets::serve_static),
        ),
        RouteDef::site("/media/{key:.*}", M::GET, web::get().to(media::serve_media)),
        RouteDef::api(
            "/openapi.json",
            M::GET,
            web::get().to(crate::openapi::serve_document),
        ),
        RouteDef::site(
            "/api/docs",
            M::GET,
            web::get().to(crate::openapi::docs_page),
        ),
        RouteDef::site("/favicon.ico", M::GET, web::get().to(assets::serve_favicon)),
        RouteDef::site(
            "/manifest.webmanifest",
            M::GET,
            web::get().to(assets::serve_manifest),
        ),
    ];
    [
        plumbing,
        crate::home::routes::routes(),
        crate::accounts::routes::routes(),
        // Before the listings' `/listings/{id}/{slug}`.
        crate::messages::routes::routes(),
        crate::moderation::routes::routes(),
        crate::admin::routes::routes(),
        crate::listings::routes::routes(),
        crate::search::routes::routes(),
        crate::saved::routes::routes(),
        crate::live::routes::routes(),
        crate::rooms::routes::routes(),
        crate::people::routes::routes(),
        crate::places::routes::routes(),
        crate::sitemaps::routes::routes(),
    ]
    .into_iter()
    .flatten()
    .collect()
}

/// Every route of the site, each in its scope: the pages at the root, the admin area behind
/// its guard, the API with problem documents for errors (and a problem-document 404 for
/// anything under it that is not a route).
pub fn routes(cfg: &mut web::ServiceConfig) {
    let mut admin = web::scope(Scope::Admin.prefix()).wrap(from_fn(session::require_admin));
    let mut api = web::scope(Scope::Api.prefix())
        .wrap(from_fn(crate::web::bearer::authenticate))
        .wrap(from_fn(crate::web::api_rate::limit_networks))
        .wrap(ErrorHandlers::new().default_handler(problem::render_problems))
        .app_data(web::QueryConfig::default().error_handler(|err, _| {
            AppError::BadRequest(format!("The query string is not valid: {err}.")).into()
        }))
        .app_data(web::PathConfig::default().error_handler(|_, _| AppError::NotFound.into()));
    let mut site = Vec::new();
    for def in route_table() {
        match def.scope {
            Scope::Site => site.push(def),
            Scope::Admin => admin = admin.route(def.path, def.route),
            Scope::Api => api = api.route(def.path, def.route),
        }
    }
    let reserved: Vec<&str> = [Scope::Admin, Scope::Api]
        .iter()
        .filter_map(|scope| scope.prefix().split('/').nth(1))
        .collect();
    for group in crate::web::routes::by_first_segment(site, &reserved) {
        group.register(cfg);
    }
    cfg.service(admin);
    cfg.service(api.default_service(web::to(|| async { Err::<(), _>(AppError::NotFound) })));
    cfg.default_service(web::to(|| async { Err::<(), _>(AppError::NotFound) }));
}

/// The (method, path) of every route that may change state and is guarded by the CSRF token,
/// for the CSRF tests (signed links, `csrf::SIGNED_LINK_PREFIXES`, are authorised by their
/// signature instead, and the JSON API by its bearer tokens).
pub fn state_changing_routes() -> Vec<(Method, String)> {
    route_table()
        .into_iter()
        .filter(|def| def.scope != Scope::Api)
        .filter(|def| !matches!(def.method, Method::GET | Method::HEAD))
        .map(|def| (def.method.clone(), def.full_path()))
        .filter(|(_, path)| {
            !csrf::SIGNED_LINK_PREFIXES
                .iter()
                .any(|prefix| path.starts_with(prefix))
        })
        .collect()
}
