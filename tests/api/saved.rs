//! Favourites and saved searches belong to their member.

use diesel::RunQueryDsl;
use reqwest::StatusCode;

use crate::helpers::{TestApp, assert_redirect_to, spawn_app};
use crate::listings::post_listing;

async fn posted(app: &TestApp, title: &str) -> (i64, String) {
    let response = post_listing(
        app,
        app.category_id("for-sale", "furniture"),
        &[
            ("title", title),
            ("body", "Nice"),
            ("price", "50"),
            ("zip", "10001"),
        ],
        vec![],
    )
    .await;
    let path = response.headers()["location"].to_str().unwrap().to_owned();
    (path.split('/').nth(2).unwrap().parse().unwrap(), path)
}

#[tokio::test]
async fn a_member_saves_a_listing_and_sees_what_became_of_it() {
    let app = spawn_app().await;
    app.sign_up_new_member().await;
    let (id, path) = posted(&app, "Walnut bookcase").await;
    let buyer = app.new_visitor();
    buyer.sign_up_new_member().await;

    let saved = buyer
        .submit_form(
            &path,
            &format!("/listings/{id}/favorite"),
            &[("action", "add")],
        )
        .await;
    assert_redirect_to(&saved, &path);
    assert!(
        buyer
            .get_page(&path)
            .await
            .body
            .contains("aria-pressed=\"true\"")
    );
    assert!(
        buyer
            .get_page("/favorites")
            .await
            .body
            .contains("Walnut bookcase")
    );

    // The seller marks it sold: the favourite says so.
    app.submit_form(
        &path,
        &format!("/listings/{id}/status"),
        &[("status", "sold")],
    )
    .await;
    assert!(
        buyer
            .get_page("/favorites")
            .await
            .body
            .contains("This listing was sold.")
    );

    // Favourites are the member's own.
    let other = app.new_visitor();
    other.sign_up_new_member().await;
    assert!(
        !other
            .get_page("/favorites")
            .await
            .body
            .contains("Walnut bookcase")
    );

    let removed = buyer
        .submit_form(
            "/favorites",
            &format!("/listings/{id}/favorite"),
            &[("action", "remove"), ("next", "/favorites")],
        )
        .await;
    assert_redirect_to(&removed, "/favorites");
    assert!(
        !buyer
            .get_page("/favorites")
            .await
            .body
            .contains("Walnut bookcase")
    );
}

#[tokio::test]
async fn hidden_listings_cannot_be_saved_and_visitors_must_log_in() {
    let app = spawn_app().await;
    app.sign_up_new_member().await;
    let (id, path) = posted(&app, "Secret chair").await;
    diesel::sql_query(format!(
        "UPDATE listings SET status = 'hidden' WHERE id = {id}"
    ))
    .execute(&mut app.pool.get().unwrap())
    .unwrap();
    let buyer = app.new_visitor();
    buyer.sign_up_new_member().await;

    let response = buyer
        .submit_form(
            "/",
            &format!("/listings/{id}/favorite"),
            &[("action", "add")],
        )
        .await;

    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    let _ = path;
    assert_redirect_to(
        &app.new_visitor().get("/favorites").await,
        "/login?next=/favorites",
    );
}

#[tokio::test]
async fn a_saved_search_counts_new_matches_since_it_was_last_opened() {
    let app = spawn_app().await;
    app.sign_up_new_member().await;
    posted(&app, "Old bike").await;

    let response = app
        .submit_form(
            "/search?q=bike",
            "/saved-searches",
            &[("name", "Bikes"), ("query", "q=bike&junk=1")],
        )
        .await;
    assert_redirect_to(&response, "/search?q=bike");
    let list = app.get_page("/saved-searches").await.body;
    assert!(
        list.contains("Bikes") && list.contains("No new listings"),
        "{list}"
    );

    posted(&app, "New bike").await;
    assert!(
        app.get_page("/saved-searches")
            .await
            .body
            .contains("1 new listing")
    );

    let id = {
        let at = list.find("href=\"/saved-searches/").unwrap() + 22;
        list[at..at + list[at..].find('"').unwrap()].to_owned()
    };
    assert_redirect_to(
        &app.get(&format!("/saved-searches/{id}")).await,
        "/search?q=bike",
    );
    assert!(
        app.get_page("/saved-searches")
            .await
            .body
            .contains("No new listings")
    );

    // Someone else can neither open nor delete it.
    let other = app.new_visitor();
    other.sign_up_new_member().await;
    assert_eq!(
        other.get(&format!("/saved-searches/{id}")).await.status(),
        StatusCode::NOT_FOUND
    );
    let delete = other
        .submit_form(
            "/saved-searches",
            &format!("/saved-searches/{id}/delete"),
            &[],
        )
        .await;
    assert_eq!(delete.status(), StatusCode::NOT_FOUND);
    assert!(
        !other
            .get_page("/saved-searches")
            .await
            .body
            .contains("Bikes")
    );

    let deleted = app
        .submit_form(
            "/saved-searches",
            &format!("/saved-searches/{id}/delete"),
            &[],
        )
        .await;
    assert_redirect_to(&deleted, "/saved-searches");
    assert!(!app.get_page("/saved-searches").await.body.contains("Bikes"));
}

#[tokio::test]
async fn a_broken_search_cannot_be_saved() {
    let app = spawn_app().await;
    app.sign_up_new_member().await;

    let response = app
        .submit_form(
            "/search",
            "/saved-searches",
            &[("name", "x"), ("query", "min_price=-1")],
        )
        .await;

    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
}
