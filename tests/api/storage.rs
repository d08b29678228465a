//! The storage contract, run against both backends: local disk and a real S3-compatible server.

use bytes::Bytes;
use corkboard::config::SecretKey;
use corkboard::storage::{ObjectKey, Storage, StorageError};
use reqwest::StatusCode;

use crate::helpers::{StorageChoice, TestApp, s3_server, spawn_app, spawn_app_with};

fn key(k: &str) -> ObjectKey {
    ObjectKey::parse(k).unwrap()
}

async fn objects_round_trip(storage: &Storage) {
    let k = key("photos/2026/round-trip.webp");
    let bytes = Bytes::from_static(b"RIFF....WEBPVP8 not really an image");

    storage.put(&k, bytes.clone(), "image/webp").await.unwrap();

    assert!(storage.exists(&k).await.unwrap());
    let object = storage.get(&k).await.unwrap();
    assert_eq!(object.bytes, bytes);
    assert_eq!(object.content_type, "image/webp");

    // Overwriting replaces the whole object.
    storage
        .put(&k, Bytes::from_static(b"v2"), "image/webp")
        .await
        .unwrap();
    assert_eq!(
        storage.get(&k).await.unwrap().bytes,
        Bytes::from_static(b"v2")
    );

    storage.delete(&k).await.unwrap();
    assert!(!storage.exists(&k).await.unwrap());
    // Deleting again is fine: clean-up may be retried.
    storage.delete(&k).await.unwrap();
}

async fn a_missing_object_is_not_found(storage: &Storage) {
    let err = storage
        .get(&key("photos/never-stored.jpg"))
        .await
        .unwrap_err();
    assert!(matches!(err, StorageError::NotFound(_)), "{err:?}");
    assert!(
        !storage
            .exists(&key("photos/never-stored.jpg"))
            .await
            .unwrap()
    );
}

async fn a_signed_url_serves_the_object_over_http(app: &TestApp) {
    let k = key("photos/signed.png");
    let bytes = Bytes::from_static(b"\x89PNG\r\n\x1a\n fake");
    app.storage
        .put(&k, bytes.clone(), "image/png")
        .await
        .unwrap();

    let url = app.storage.signed_url(&k).await.unwrap();
    let response = app.client.get(app.url(&url)).send().await.unwrap();

    assert_eq!(response.status(), StatusCode::OK, "{url}");
    assert_eq!(response.headers()["content-type"], "image/png");
    assert_eq!(response.bytes().await.unwrap(), bytes);

    // Signed once and handed out again (not signed per page), and the kept URL serves it.
    let again = app.storage.signed_url(&k).await.unwrap();
    assert_eq!(again, url);
    let other = key("photos/signed-other.png");
    app.storage
        .put(&other, bytes.clone(), "image/png")
        .await
        .unwrap();
    let other_url = app.storage.signed_url(&other).await.unwrap();
    assert_ne!(other_url, url, "each object has its own URL");
    let response = app.client.get(app.url(&other_url)).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK, "{other_url}");
    assert_eq!(response.bytes().await.unwrap(), bytes);
}

#[tokio::test]
async fn local_objects_round_trip() {
    let app = spawn_app().await;
    objects_round_trip(&app.storage).await;
}

#[tokio::test]
async fn s3_objects_round_trip() {
    let app = spawn_app_with(StorageChoice::S3).await;
    objects_round_trip(&app.storage).await;
}

#[tokio::test]
async fn a_missing_local_object_is_not_found() {
    let app = spawn_app().await;
    a_missing_object_is_not_found(&app.storage).await;
}

#[tokio::test]
async fn a_missing_s3_object_is_not_found() {
    let app = spawn_app_with(StorageChoice::S3).await;
    a_missing_object_is_not_found(&app.storage).await;
}

#[tokio::test]
async fn a_signed_local_url_serves_the_object() {
    let app = spawn_app().await;
    a_signed_url_serves_the_object_over_http(&app).await;
}

#[tokio::test]
async fn a_presigned_s3_url_serves_the_object() {
    let app = spawn_app_with(StorageChoice::S3).await;
    a_signed_url_serves_the_object_over_http(&app).await;
}

#[tokio::test]
async fn s3_objects_land_in_the_bucket() {
    let s3 = s3_server();
    let bucket = s3.new_bucket();
    let storage = Storage::from_settings(
        &s3.storage_settings(&bucket),
        std::path::Path::new("/nonexistent"),
        &SecretKey::generate(),
    )
    .unwrap();

    storage
        .put(&key("a/b.jpg"), Bytes::from_static(b"jpeg"), "image/jpeg")
        .await
        .unwrap();

    assert_eq!(
        std::fs::read(s3.object_path(&bucket, "a/b.jpg")).unwrap(),
        b"jpeg"
    );
}

#[tokio::test]
async fn wrong_s3_credentials_are_a_clean_error() {
    let s3 = s3_server();
    let mut settings = s3.storage_settings(&s3.new_bucket());
    settings.s3_secret_key = Some("not-the-secret".into());
    let storage = Storage::from_settings(
        &settings,
        std::path::Path::new("/x"),
        &SecretKey::generate(),
    )
    .unwrap();

    let put = storage
        .put(&key("a.jpg"), Bytes::from_static(b"x"), "image/jpeg")
        .await
        .unwrap_err();
    let get = storage.get(&key("a.jpg")).await.unwrap_err();
    let check = storage.check().await.unwrap_err();

    for err in [put, get, check] {
        assert!(matches!(err, StorageError::Denied(_)), "{err:?}");
    }
}

#[tokio::test]
async fn an_unreachable_s3_server_is_reported_unavailable() {
    let mut settings = s3_server().storage_settings("any");
    // Nothing listens on port 9 (discard) on loopback.
    settings.s3_endpoint = Some("http://127.0.0.1:9".into());
    let storage = Storage::from_settings(
        &settings,
        std::path::Path::new("/x"),
        &SecretKey::generate(),
    )
    .unwrap();

    let err = storage.check().await.unwrap_err();

    assert!(matches!(err, StorageError::Unavailable(_)), "{err:?}");
}

#[tokio::test]
async fn a_tampered_or_unsigned_media_url_is_refused() {
    let app = spawn_app().await;
    let k = key("photos/private.jpg");
    app.storage
        .put(&k, Bytes::from_static(b"secret"), "image/jpeg")
        .await
        .unwrap();
    let url = app.storage.signed_url(&k).await.unwrap();
    let tampered = url.replace("private.jpg", "other.jpg");
    let (path, query) = url.split_once('?').unwrap();
    let mut later = query.to_owned();
    later = later.replacen("expires=", "expires=9", 1);

    for bad in [
        tampered,
        path.to_owned(),
        format!("{path}?{later}"),
        "/media/../../etc/passwd?expires=1&sig=00".to_owned(),
    ] {
        let page = app.get_page(&bad).await;
        assert!(
            matches!(
                page.status,
                StatusCode::FORBIDDEN | StatusCode::NOT_FOUND | StatusCode::BAD_REQUEST
            ),
            "{bad}: {}",
            page.status
        );
        assert!(!page.body.contains("secret"), "{bad}");
    }
}

#[tokio::test]
async fn media_is_served_sandboxed() {
    let app = spawn_app().await;
    let k = key("photos/x.jpg");
    app.storage
        .put(
            &k,
            Bytes::from_static(b"<html><script>alert(1)</script>"),
            "image/jpeg",
        )
        .await
        .unwrap();

    let response = app.get(&app.storage.signed_url(&k).await.unwrap()).await;

    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["content-type"], "image/jpeg");
    assert_eq!(
        response.headers()["content-security-policy"],
        "sandbox; default-src 'none'"
    );
    assert!(
        response.headers()["cache-control"]
            .to_str()
            .unwrap()
            .starts_with("private, max-age=")
    );
}
