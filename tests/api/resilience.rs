//! The site degrades to 503 while PostgreSQL is down and heals by itself when it returns.
//! This test runs its own cluster, so stopping it does not disturb the other tests.

use std::time::{Duration, Instant};

use corkboard::db;
use corkboard::db::embedded::{Durability, EmbeddedCluster};
use reqwest::StatusCode;

use crate::helpers::{TestApp, TestDatabase, local_storage_settings, spawn_app_on};

async fn readiness(app: &TestApp) -> (StatusCode, serde_json::Value) {
    let response = app.get("/readyz").await;
    let status = response.status();
    (status, response.json().await.unwrap())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_database_outage_gives_503_within_two_seconds_and_heals_without_a_restart() {
    // Arrange: a private cluster and an app on it.
    let dir = tempfile::Builder::new()
        .prefix("corkboard-outage-")
        .tempdir_in("/tmp")
        .unwrap();
    let cluster = EmbeddedCluster::new(dir.path()).unwrap();
    cluster.start(Durability::Ephemeral).unwrap();
    cluster.ensure_database("outage").unwrap();
    let url = cluster.url("outage");
    db::run_migrations(&mut db::connect(&url).unwrap()).unwrap();
    let data_dir = tempfile::tempdir().unwrap();
    let storage = corkboard::storage::Storage::from_settings(
        &local_storage_settings(),
        data_dir.path(),
        &corkboard::config::SecretKey::generate(),
    )
    .unwrap();
    let database = TestDatabase::unmanaged(url);
    let app = spawn_app_on(database, storage, data_dir).await;
    assert_eq!(readiness(&app).await.0, StatusCode::OK);
    // A member's pages need the database on every request.
    app.sign_up_new_member().await;
    assert_eq!(app.get_page("/settings").await.status, StatusCode::OK);

    // Act: PostgreSQL goes away.
    let stopping = cluster.clone();
    tokio::task::spawn_blocking(move || stopping.stop().unwrap())
        .await
        .unwrap();
    let started = Instant::now();
    let (status, body) = readiness(&app).await;
    let waited = started.elapsed();

    // Assert: a quick, honest 503, and the site heals once the database is back.
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(body["database"], "unavailable");
    assert!(waited < Duration::from_secs(2), "took {waited:?}");
    let started = Instant::now();
    let page = app.get_page("/settings").await;
    let waited = started.elapsed();
    assert_eq!(page.status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(waited < Duration::from_secs(2), "took {waited:?}");
    assert!(page.body.contains("Temporarily unavailable"));
    assert_eq!(page.headers["retry-after"], "5");
    // Every page that shows data says so, for visitors too; the process itself is fine.
    let home = app.new_visitor().get_page("/").await;
    assert_eq!(home.status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(home.body.contains("Temporarily unavailable"));
    assert_eq!(app.get("/healthz").await.status(), StatusCode::OK);

    let restarting = cluster.clone();
    tokio::task::spawn_blocking(move || restarting.start(Durability::Ephemeral).unwrap())
        .await
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let (status, _) = readiness(&app).await;
        if status == StatusCode::OK {
            break;
        }
        assert!(Instant::now() < deadline, "the site did not heal");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    // The member is still logged in: the session outlived the outage.
    assert_eq!(app.get_page("/settings").await.status, StatusCode::OK);

    drop(app);
    cluster.stop().unwrap();
}
