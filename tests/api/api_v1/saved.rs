//! Favourites and saved searches through the API: the caller's own, with the pages' rules.

use reqwest::StatusCode;
use serde_json::json;

use super::ApiClient;
use crate::helpers::spawn_app;
use crate::messages::{listing, sql};

#[tokio::test]
async fn favourites_are_saved_listed_page_by_page_and_removed() {
    let app = spawn_app().await;
    let _seller = app.sign_up_new_member().await;
    let (desk, _) = listing(&app, "Oak desk").await;
    let (chair, _) = listing(&app, "Oak chair").await;
    let (lamp, _) = listing(&app, "Brass lamp").await;
    let (api, _) = ApiClient::new_member(&app).await;

    for id in [desk, chair, lamp, desk] {
        let saved = api
            .send(reqwest::Method::PUT, &format!("/favorites/{id}"), None)
            .await;
        assert_eq!(saved.status, StatusCode::NO_CONTENT, "{:?}", saved.body);
    }
    api.send(reqwest::Method::PUT, "/favorites/99999999", None)
        .await
        .problem(404);
    ApiClient::new(&app).get("/favorites").await.problem(401);

    let first = api.get("/favorites?per_page=2").await;
    assert_eq!(first.status, StatusCode::OK, "{:?}", first.body);
    assert_eq!(first.body["total"], 3);
    let titles: Vec<&str> = first.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["title"].as_str().unwrap())
        .collect();
    assert_eq!(
        titles,
        ["Brass lamp", "Oak chair"],
        "the latest saved first"
    );
    assert!(
        first.headers["link"]
            .to_str()
            .unwrap()
            .contains("rel=\"next\"")
    );
    let second = api.get("/favorites?per_page=2&page=2").await;
    assert_eq!(second.body["items"][0]["title"], "Oak desk");
    assert_eq!(second.body["items"][0]["price"]["cents"], 12000);
    assert_eq!(second.body["items"][0]["visible"], true);

    // What became of it shows; a listing taken down cannot be saved anew.
    sql(
        &app,
        &format!("UPDATE listings SET status = 'held' WHERE id = {lamp}"),
    );
    let after = api.get("/favorites").await;
    assert_eq!(after.body["items"][0]["status"], "removed");
    assert_eq!(after.body["items"][0]["visible"], false);
    api.send(reqwest::Method::PUT, &format!("/favorites/{lamp}"), None)
        .await
        .problem(404);

    // Another member's list is their own.
    let (other, _) = ApiClient::new_member(&app).await;
    let theirs = other.get("/favorites").await;
    assert_eq!(theirs.status, StatusCode::OK);
    assert_eq!(theirs.body["total"], 0);

    let removed = api.delete(&format!("/favorites/{chair}")).await;
    assert_eq!(removed.status, StatusCode::NO_CONTENT);
    assert_eq!(
        api.delete(&format!("/favorites/{chair}")).await.status,
        StatusCode::NO_CONTENT
    );
    assert_eq!(api.get("/favorites").await.body["total"], 2);
}

#[tokio::test]
async fn searches_are_saved_counted_changed_and_deleted() {
    let app = spawn_app().await;
    let _seller = app.sign_up_new_member().await;
    let (api, _) = ApiClient::new_member(&app).await;

    let bad = api
        .post(
            "/saved-searches",
            json!({"name": "x".repeat(81), "query": "min_price=cheap", "alert": "hourly"}),
        )
        .await;
    let mut fields = bad.bad_fields();
    fields.sort();
    assert_eq!(fields, ["alert", "name", "query"], "{:?}", bad.body);

    let saved = api
        .post(
            "/saved-searches",
            json!({"name": "  Oak  things ", "query": "q=oak&page=3&bogus=1", "alert": "daily"}),
        )
        .await;
    assert_eq!(saved.status, StatusCode::CREATED, "{:?}", saved.body);
    let id = saved.body["id"].as_i64().unwrap();
    assert_eq!(
        saved.headers["location"].to_str().unwrap(),
        format!("/api/v1/saved-searches/{id}")
    );
    assert_eq!(saved.body["name"], "Oak things");
    assert_eq!(saved.body["query"], "q=oak", "kept in its normal form");
    assert_eq!(saved.body["alert"], "daily");

    // New listings that match are counted when the list is read.
    listing(&app, "Oak desk").await;
    let list = api.get("/saved-searches").await;
    assert_eq!(list.status, StatusCode::OK, "{:?}", list.body);
    assert_eq!(list.body["total"], 1);
    assert_eq!(list.body["items"][0]["new_matches"], 1);

    let changed = api
        .patch(
            &format!("/saved-searches/{id}"),
            json!({"name": "Oak", "alert": "off", "seen": true}),
        )
        .await;
    assert_eq!(changed.status, StatusCode::OK, "{:?}", changed.body);
    assert_eq!(changed.body["name"], "Oak");
    assert_eq!(changed.body["alert"], "off");
    assert_eq!(changed.body["new_matches"], 0);
    let wrong = api
        .patch(
            &format!("/saved-searches/{id}"),
            json!({"alert": "sometimes"}),
        )
        .await;
    assert_eq!(wrong.bad_fields(), ["alert"]);

    // Someone else's is not found.
    let (other, _) = ApiClient::new_member(&app).await;
    other
        .patch(&format!("/saved-searches/{id}"), json!({"name": "Mine"}))
        .await
        .problem(404);
    other
        .delete(&format!("/saved-searches/{id}"))
        .await
        .problem(404);

    // At most 50.
    sql(
        &app,
        &format!(
            "INSERT INTO saved_searches (user_id, name, query)
             SELECT user_id, 'more', 'q=' || n FROM saved_searches, generate_series(1, 49) AS n
             WHERE id = {id}"
        ),
    );
    let full = api
        .post("/saved-searches", json!({"query": "q=lamp"}))
        .await;
    assert_eq!(full.bad_fields(), ["query"]);
    let paged = api.get("/saved-searches?per_page=20&page=3").await;
    assert_eq!(paged.body["total"], 50);
    assert_eq!(paged.body["items"].as_array().unwrap().len(), 10);

    let deleted = api.delete(&format!("/saved-searches/{id}")).await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT);
    api.delete(&format!("/saved-searches/{id}"))
        .await
        .problem(404);
}
