//! Reading listings through the API: the search with the search page's meaning, one listing,
//! and the category tree a client builds its form from.

use reqwest::StatusCode;

use super::ApiClient;
use crate::helpers::spawn_app;
use crate::messages::{listing, sql};

#[tokio::test]
async fn the_search_finds_what_the_search_page_finds_page_by_page() {
    let app = spawn_app().await;
    app.sign_up_new_member().await;
    let (first, _) = listing(&app, "Walnut bookcase").await;
    let (second, _) = listing(&app, "Walnut side table").await;
    listing(&app, "Pine dresser").await;
    let api = ApiClient::new(&app);

    let found = api.get("/listings?q=walnut").await;
    assert_eq!(found.status, StatusCode::OK, "{:?}", found.body);
    assert_eq!(found.body["total"], 2);
    assert_eq!(found.body["total_is_lower_bound"], false);
    let ids: Vec<i64> = found.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|item| item["id"].as_i64().unwrap())
        .collect();
    assert_eq!(ids, [second, first], "newest first, as on the page");
    let page = app.get_ok_page("/search?q=walnut").await;
    assert!(page.body.contains("Walnut bookcase") && !page.body.contains("Pine dresser"));

    let item = &found.body["items"][1];
    assert_eq!(item["title"], "Walnut bookcase");
    assert_eq!(item["price"]["cents"], 12000);
    assert_eq!(item["price"]["currency"], "USD");
    assert_eq!(item["section"], "for-sale");
    assert_eq!(item["category"], "furniture");
    assert_eq!(item["place"]["zip"], "10001");
    assert_eq!(item["place"]["state"], "NY");
    assert!(
        item["path"]
            .as_str()
            .unwrap()
            .starts_with(&format!("/listings/{first}/"))
    );

    // One a page: the second page has the older one, and the links say so.
    let second_page = api.get("/listings?q=walnut&per_page=1&page=2").await;
    assert_eq!(second_page.body["items"][0]["id"], first);
    let link = second_page.headers["link"].to_str().unwrap();
    assert!(
        link.contains("q=walnut&page=1&per_page=1>; rel=\"prev\""),
        "{link}"
    );
    assert!(!link.contains("rel=\"next\""), "{link}");

    // Filters mean what they mean on the page.
    let cheap = api.get("/listings?q=walnut&max_price=50").await;
    assert_eq!(cheap.body["total"], 0);
    let furniture = api
        .get("/listings?section=for-sale&category=furniture")
        .await;
    assert_eq!(furniture.body["total"], 3);

    // What is wrong with a search is said, field by field where there is a field.
    let bad = api
        .get("/listings?sort=sideways&radius=900&zip=10001")
        .await;
    assert_eq!(bad.bad_fields().len(), 2, "{:?}", bad.body);
    let deep = api.get("/listings?q=walnut&page=11&per_page=100").await;
    assert_eq!(deep.bad_fields(), ["page"]);
    let zero = api.get("/listings?per_page=0").await;
    assert_eq!(zero.bad_fields(), ["per_page"]);
}

#[tokio::test]
async fn a_listing_is_read_whole_and_hidden_ones_only_by_their_owner() {
    let app = spawn_app().await;
    let seller = app.sign_up_new_member().await;
    let (id, _) = listing(&app, "Oak desk").await;
    let api = ApiClient::new(&app);

    let read = api.get(&format!("/listings/{id}")).await;
    assert_eq!(read.status, StatusCode::OK, "{:?}", read.body);
    assert_eq!(read.body["title"], "Oak desk");
    assert_eq!(read.body["body"], "Solid wood.");
    assert_eq!(read.body["seller"], seller.username.as_str());
    assert_eq!(read.body["status"], "active");
    assert_eq!(read.body["price"]["cents"], 12000);
    assert_eq!(read.body["photos"], serde_json::json!([]));
    assert!(read.body["expires_at"].is_string());

    // Held by the moderators: a stranger gets the 404 of a listing that never was.
    sql(
        &app,
        &format!("UPDATE listings SET status = 'held' WHERE id = {id}"),
    );
    api.get(&format!("/listings/{id}")).await.problem(404);
    api.get("/listings/99999999").await.problem(404);
    api.get("/listings/not-a-number").await.problem(404);
    let (stranger, _) = ApiClient::new_member(&app).await;
    stranger.get(&format!("/listings/{id}")).await.problem(404);
    // Its owner still reads it.
    let tokens = api.tokens_for(&seller).await;
    let owner = ApiClient::with_token(&app, tokens["access_token"].as_str().unwrap());
    let own = owner.get(&format!("/listings/{id}")).await;
    assert_eq!(own.status, StatusCode::OK);
    assert_eq!(own.body["status"], "held");
}

#[tokio::test]
async fn the_categories_say_what_details_each_asks_for() {
    let app = spawn_app().await;
    let tree = ApiClient::new(&app).get("/categories").await;
    assert_eq!(tree.status, StatusCode::OK);
    let sections = tree.body.as_array().unwrap();
    let housing = sections
        .iter()
        .find(|s| s["slug"] == "housing")
        .expect("a housing section");
    let apartments = housing["categories"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["slug"] == "apartments")
        .expect("apartments");
    assert_eq!(apartments["price_kind"], "rent");
    let bedrooms = apartments["attributes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["key"] == "bedrooms")
        .expect("apartments ask for bedrooms");
    assert_eq!(bedrooms["type"], "int");
    assert!(bedrooms["max"].as_i64().unwrap() > 0);
    assert!(sections.iter().any(|s| s["slug"] == "for-sale"));
}
