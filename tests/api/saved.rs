//! Favourites and saved searches belong to their member.

use diesel::RunQueryDsl;
use reqwest::StatusCode;

use crate::helpers::post_listing;
use crate::helpers::{TestApp, assert_redirect_to, spawn_app};

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
            .get_ok_page("/favorites")
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
            .get_ok_page("/favorites")
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
        "UPDATE listings SET status = 'held' WHERE id = {id}"
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
    assert_eq!(
        other
            .get(&format!("/saved-searches/{id}/delete"))
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
    assert!(
        !other
            .get_ok_page("/saved-searches")
            .await
            .body
            .contains("Bikes")
    );

    // Deleting asks first, on a page that works without JavaScript.
    let confirm = app
        .get_ok_page(&format!("/saved-searches/{id}/delete"))
        .await
        .body;
    assert!(confirm.contains("Delete the saved search “Bikes”?"));
    assert!(confirm.contains(&format!("action=\"/saved-searches/{id}/delete\"")));

    let deleted = app
        .submit_form(
            "/saved-searches",
            &format!("/saved-searches/{id}/delete"),
            &[],
        )
        .await;
    assert_redirect_to(&deleted, "/saved-searches");
    assert!(
        !app.get_ok_page("/saved-searches")
            .await
            .body
            .contains("Bikes")
    );
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

    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = response.text().await.unwrap();
    assert!(page.contains("That search has problems"));
    assert!(!page.contains("min_price=-1"), "a bad search is not echoed");
}

#[tokio::test]
async fn saved_searches_are_capped_with_a_message_next_to_the_field() {
    let app = spawn_app().await;
    app.sign_up_new_member().await;
    let save = |name: String, query: String| {
        let app = &app;
        async move {
            app.submit_form(
                "/settings",
                "/saved-searches",
                &[("name", &name), ("query", &query)],
            )
            .await
        }
    };
    for i in 0..50 {
        let response = save(format!("Search {i}"), format!("q=lamp{i}")).await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER, "{i}");
    }

    let refused = save("One too many".into(), "q=sofa".into()).await;

    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = refused.text().await.unwrap();
    assert!(page.contains("the most you can keep"));
    assert!(page.contains("value=\"One too many\""), "the name is kept");
    assert!(page.contains("value=\"q=sofa\""), "the search is kept");
    let list = app.get_ok_page("/saved-searches").await.body;
    assert_eq!(list.matches("data-alert-form").count(), 50);
}

#[tokio::test]
async fn a_search_too_long_to_save_is_a_field_error_not_a_500() {
    let app = spawn_app().await;
    app.sign_up_new_member().await;
    // Many details make a long query string (each one well-formed on its own).
    let mut query = String::from("q=lamp&in=for-sale/furniture");
    for i in 0..12 {
        query.push_str(&format!("&attr_detail{i}={}", "v".repeat(90)));
    }

    let response = app
        .submit_form(
            "/saved-searches",
            "/saved-searches",
            &[("name", "Long"), ("query", &query)],
        )
        .await;

    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(response.text().await.unwrap().contains("too long to save"));
    let name = "n".repeat(81);
    let response = app
        .submit_form(
            "/saved-searches",
            "/saved-searches",
            &[("name", &name), ("query", "q=lamp")],
        )
        .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        response
            .text()
            .await
            .unwrap()
            .contains("at most 80 characters")
    );
}

#[tokio::test]
async fn a_visit_recounts_only_a_few_saved_searches() {
    let app = spawn_app().await;
    app.sign_up_new_member().await;
    for i in 0..15 {
        app.submit_form(
            "/settings",
            "/saved-searches",
            &[("name", &format!("S{i}")), ("query", &format!("q=lamp{i}"))],
        )
        .await;
    }
    let counted = |app: &TestApp| -> i64 {
        #[derive(diesel::QueryableByName)]
        struct N {
            #[diesel(sql_type = diesel::sql_types::BigInt)]
            n: i64,
        }
        diesel::RunQueryDsl::get_result::<N>(
            diesel::sql_query(
                "SELECT count(*) AS n FROM saved_searches WHERE counted_at IS NOT NULL",
            ),
            &mut app.pool.get().unwrap(),
        )
        .unwrap()
        .n
    };

    let first = app.get_ok_page("/saved-searches").await.body;
    assert_eq!(counted(&app), 10, "ten recounted on this visit");
    assert_eq!(first.matches("Not counted yet").count(), 5);
    app.get_ok_page("/saved-searches").await;
    assert_eq!(counted(&app), 15, "the rest on the next");
}
