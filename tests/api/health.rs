use std::time::Duration;

use reqwest::StatusCode;

use crate::helpers::{StorageChoice, spawn_app, spawn_app_with};

#[tokio::test]
async fn healthz_answers_while_the_process_runs() {
    let app = spawn_app().await;

    let response = app.get("/healthz").await;

    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.text().await.unwrap(), "ok\n");
}

#[tokio::test]
async fn readyz_checks_the_database_and_the_local_store() {
    let app = spawn_app().await;

    let response = app.get("/readyz").await;

    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["cache-control"], "no-store");
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(
        body,
        serde_json::json!({"database": "ok", "storage": "ok", "draining": false})
    );
}

#[tokio::test]
async fn readyz_checks_the_s3_bucket() {
    let app = spawn_app_with(StorageChoice::S3).await;

    let response = app.get("/readyz").await;

    assert_eq!(response.status(), StatusCode::OK);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["storage"], "ok");
}

#[tokio::test]
async fn readyz_fails_when_the_local_store_is_gone() {
    let app = spawn_app().await;
    std::fs::remove_dir_all(app.data_dir.path().join("uploads")).unwrap();

    let response = app.get("/readyz").await;

    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(
        body,
        serde_json::json!({"database": "ok", "storage": "unavailable", "draining": false})
    );
}

/// What SIGTERM does (issue 19), on a second instance of the app: `/readyz` fails at once,
/// live streams end (the browser comes back elsewhere) and new ones are refused with a 503,
/// pages are still served while the balancer notices, then the port closes.
#[tokio::test]
async fn a_stopping_instance_fails_readiness_ends_its_streams_then_closes() {
    let app = spawn_app().await;
    let (member, _) = app.new_member().await;
    let instance = app.another_instance();
    let there = member.at(&instance.address);
    assert_eq!(there.get("/readyz").await.status(), StatusCode::OK);
    let mut stream = there.open_events("", None).await;
    assert_eq!(stream.status, StatusCode::OK);

    let lifecycle = instance.lifecycle.clone();
    let stopping =
        tokio::spawn(async move { lifecycle.shut_down(Duration::from_millis(1500)).await });

    assert!(
        stream.ends_within(Duration::from_secs(2)).await,
        "the live stream ends"
    );
    let ready = there.get("/readyz").await;
    assert_eq!(ready.status(), StatusCode::SERVICE_UNAVAILABLE);
    let body: serde_json::Value = ready.json().await.unwrap();
    assert_eq!(body["draining"], true, "{body}");
    assert_eq!(
        there.open_events("", None).await.status,
        StatusCode::SERVICE_UNAVAILABLE,
        "no new stream"
    );
    there.get_ok_page("/messages").await;

    tokio::time::timeout(Duration::from_secs(12), stopping)
        .await
        .expect("stopped in time")
        .unwrap();
    let refused = reqwest::Client::new()
        .get(format!("{}/healthz", instance.address))
        .send()
        .await;
    assert!(refused.is_err(), "the port is closed: {refused:?}");
    // The other instance serves on.
    app.get_ok_page("/").await;
}
