//! Builds the HTTP server: the routes, the middleware and the shared state.
//!
//! `Application::build` takes a bound listener, so tests bind port 0 and read the port back.

use std::net::TcpListener;

use actix_web::dev::Server;
use actix_web::middleware::{Compress, ErrorHandlers};
use actix_web::{App, HttpServer, web};
use tracing_actix_web::TracingLogger;

use crate::home;
use crate::storage::Storage;
use crate::web::{AppError, Db, SiteConfig, assets, error, headers, health, media};

/// Largest urlencoded form body accepted; bigger ones get the 413 page.
pub const FORM_LIMIT_BYTES: usize = 64 * 1024;

/// Everything handlers share. Cheap to clone: each field is a handle.
#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    pub storage: Storage,
    pub site: SiteConfig,
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
        let storage_origin = match &state.storage {
            Storage::S3(store) => Some(store.origin()),
            Storage::Local(_) => None,
        };
        let db = state.db.clone();
        let storage = web::Data::new(state.storage.clone());
        let site = web::Data::new(state.site.clone());
        let server = HttpServer::new(move || {
            App::new()
                .wrap(ErrorHandlers::new().default_handler(error::render_error_pages))
                .wrap(Compress::default())
                .wrap(headers::security_headers(storage_origin.as_deref()))
                .wrap(TracingLogger::default())
                .app_data(db.clone())
                .app_data(storage.clone())
                .app_data(site.clone())
                .app_data(
                    web::FormConfig::default()
                        .limit(FORM_LIMIT_BYTES)
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

/// Every route of the site.
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/", web::get().to(home::handlers::show_home))
        .route("/healthz", web::get().to(health::healthz))
        .route("/readyz", web::get().to(health::readyz))
        .route(
            "/static/{version}/{path:.*}",
            web::get().to(assets::serve_static),
        )
        .route("/media/{key:.*}", web::get().to(media::serve_media))
        .default_service(web::to(|| async { Err::<(), _>(AppError::NotFound) }));
}
