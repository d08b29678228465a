//! `/metrics` in Prometheus' text format, on a listener of its own (`METRICS_BIND`, a
//! loopback port that the load balancer does not forward), so it is never public: what the
//! instance served and how fast, its database pool, its live streams, the job queue and the
//! photo pipeline.
//!
//! Counters and histograms are recorded where things happen, through the `metrics` crate's
//! process-wide recorder: every request ([`crate::web::request_metrics`]), every wait for a
//! database connection ([`crate::web::Db`]), every photo's work ([`crate::photos`]). Gauges
//! (the pool, the streams, the queue) are read when scraped.

use std::net::TcpListener;
use std::sync::OnceLock;
use std::time::Duration;

use actix_web::dev::Server;
use actix_web::{App, HttpResponse, HttpServer, web};
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};

use crate::live::Hub;
use crate::web::Db;

/// Latency buckets of every `…_seconds` histogram: 1 ms to 10 s.
const BUCKETS: &[f64] = &[
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

static RECORDER: OnceLock<PrometheusHandle> = OnceLock::new();

/// The process's recorder, installed on first use (tests start many apps in one process;
/// they share it).
pub fn recorder() -> &'static PrometheusHandle {
    RECORDER.get_or_init(|| {
        let recorder = PrometheusBuilder::new()
            .set_buckets_for_metric(Matcher::Suffix("_seconds".into()), BUCKETS)
            .expect("the buckets are not empty")
            .build_recorder();
        let handle = recorder.handle();
        if metrics::set_global_recorder(recorder).is_err() {
            tracing::warn!("another metrics recorder is installed: /metrics stays empty");
        }
        handle
    })
}

/// What a scrape reads besides the recorder.
#[derive(Clone)]
pub struct Sources {
    pub db: Db,
    pub hub: Hub,
}

/// Serves `GET /metrics` on `listener` (one worker). Installs the recorder, and keeps its
/// histograms drained between scrapes.
pub fn serve(listener: TcpListener, sources: Sources) -> anyhow::Result<Server> {
    let handle = recorder();
    tokio::spawn(async move {
        let mut every = tokio::time::interval(Duration::from_secs(5));
        loop {
            every.tick().await;
            handle.run_upkeep();
        }
    });
    let sources = web::Data::new(sources);
    let server = HttpServer::new(move || {
        App::new()
            .app_data(sources.clone())
            .route("/metrics", web::get().to(scrape))
    })
    .workers(1)
    .disable_signals()
    .shutdown_timeout(1)
    .listen(listener)?
    .run();
    Ok(server)
}

/// `GET /metrics`
async fn scrape(sources: web::Data<Sources>) -> HttpResponse {
    let state = sources.db.pool().state();
    metrics::gauge!("db_pool_connections").set(f64::from(state.connections));
    metrics::gauge!("db_pool_idle_connections").set(f64::from(state.idle_connections));
    metrics::gauge!("live_streams").set(sources.hub.open_streams() as f64);
    match sources.db.run(crate::jobs::queue::depth).await {
        Ok(depth) => {
            metrics::gauge!("jobs_due").set(depth.due as f64);
            metrics::gauge!("jobs_oldest_due_seconds").set(depth.oldest_due_seconds);
            metrics::gauge!("jobs_dead").set(depth.dead as f64);
        }
        Err(err) => tracing::warn!(error = %err, "metrics: cannot read the job queue"),
    }
    let handle = recorder();
    handle.run_upkeep();
    HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4; charset=utf-8")
        .insert_header(("Cache-Control", "no-store"))
        .body(handle.render())
}
