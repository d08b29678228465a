//! Posting and managing listings through the API: the pages' rules, named as the request
//! names its fields; someone else's listing is 403 (up) or 404 (not up); photos upload
//! whole or not at all.

use reqwest::StatusCode;
use reqwest::multipart::{Form, Part};
use serde_json::{Value, json};

use super::ApiClient;
use crate::helpers::{png, spawn_app};
use crate::messages::{count, sql};

fn bike(category_id: i32) -> Value {
    json!({
        "category_id": category_id,
        "title": "Trek road bike",
        "body": "56 cm frame, new tyres.",
        "price": {"cents": 45000, "currency": "USD"},
        "zip": "10001",
        "attributes": {"condition": "good", "make": "Trek"},
    })
}

#[tokio::test]
async fn a_listing_is_posted_edited_marked_and_deleted() {
    let app = spawn_app().await;
    let (api, me) = ApiClient::new_member(&app).await;
    let bikes = app.category_id("for-sale", "bikes");

    // Every bad field at once, named as the request names it.
    let bad = api
        .post(
            "/listings",
            json!({
                "category_id": bikes,
                "title": " ",
                "body": "",
                "price": {"cents": -5},
                "zip": "abc",
                "attributes": {"condition": "shiny", "gears": 21},
            }),
        )
        .await;
    let mut fields = bad.bad_fields();
    fields.sort();
    assert_eq!(
        fields,
        [
            "attributes.condition",
            "attributes.gears",
            "body",
            "price.cents",
            "title",
            "zip"
        ],
        "{:?}",
        bad.body
    );
    let nowhere = api
        .post(
            "/listings",
            json!({"category_id": 999_999, "title": "x", "body": "y", "zip": "10001"}),
        )
        .await;
    assert_eq!(nowhere.bad_fields(), ["category_id"]);
    let typo = api
        .post(
            "/listings",
            json!({"category_id": bikes, "titel": "x", "body": "y", "zip": "10001"}),
        )
        .await;
    typo.problem(422);
    let euros = api
        .post(
            "/listings",
            json!({"category_id": bikes, "title": "x", "body": "y", "zip": "10001",
                   "price": {"cents": 100, "currency": "EUR"}}),
        )
        .await;
    assert_eq!(euros.bad_fields(), ["price.currency"]);
    let unknown_zip = api
        .post(
            "/listings",
            json!({"category_id": bikes, "title": "x", "body": "y", "zip": "00000"}),
        )
        .await;
    assert_eq!(unknown_zip.bad_fields(), ["zip"]);
    assert_eq!(
        count(&app, "SELECT count(*) AS n FROM listings"),
        0,
        "nothing is saved from a refused request"
    );
    ApiClient::new(&app)
        .post("/listings", bike(bikes))
        .await
        .problem(401);

    let posted = api.post("/listings", bike(bikes)).await;
    assert_eq!(posted.status, StatusCode::CREATED, "{:?}", posted.body);
    let id = posted.body["id"].as_i64().unwrap();
    assert_eq!(
        posted.headers["location"].to_str().unwrap(),
        format!("/api/v1/listings/{id}")
    );
    assert_eq!(posted.body["title"], "Trek road bike");
    assert_eq!(posted.body["price"]["cents"], 45000);
    assert_eq!(posted.body["price"]["currency"], "USD");
    assert_eq!(posted.body["attributes"]["condition"], "good");
    assert_eq!(posted.body["status"], "active");
    assert_eq!(posted.body["seller"], me.username.as_str());
    assert_eq!(posted.body["place"]["zip"], "10001");
    // It is up: anyone reads it, and the site's page shows it.
    let public = ApiClient::new(&app).get(&format!("/listings/{id}")).await;
    assert_eq!(public.status, StatusCode::OK);
    let page = app
        .new_visitor()
        .get(posted.body["path"].as_str().unwrap())
        .await;
    assert_eq!(page.status(), StatusCode::OK);
    assert!(page.text().await.unwrap().contains("Trek road bike"));

    // Editing: only what is sent changes.
    let edited = api
        .patch(
            &format!("/listings/{id}"),
            json!({"title": "Trek road bike, 56 cm", "price": {"cents": 40000},
                   "attributes": {"make": null}}),
        )
        .await;
    assert_eq!(edited.status, StatusCode::OK, "{:?}", edited.body);
    assert_eq!(edited.body["title"], "Trek road bike, 56 cm");
    assert_eq!(edited.body["body"], "56 cm frame, new tyres.");
    assert_eq!(edited.body["price"]["cents"], 40000);
    assert_eq!(edited.body["attributes"], json!({"condition": "good"}));
    assert!(
        edited.body["path"]
            .as_str()
            .unwrap()
            .ends_with("trek-road-bike-56-cm")
    );
    let refused = api
        .patch(&format!("/listings/{id}"), json!({"title": "", "zip": "1"}))
        .await;
    let mut fields = refused.bad_fields();
    fields.sort();
    assert_eq!(fields, ["title", "zip"]);
    assert_eq!(
        api.get(&format!("/listings/{id}")).await.body["title"],
        "Trek road bike, 56 cm",
        "a refused edit changes nothing"
    );

    // Someone else: 403 while it is up.
    let (stranger, _) = ApiClient::new_member(&app).await;
    stranger
        .patch(&format!("/listings/{id}"), json!({"title": "Mine now"}))
        .await
        .problem(403);
    stranger
        .post(&format!("/listings/{id}/status"), json!({"status": "sold"}))
        .await
        .problem(403);
    stranger
        .delete(&format!("/listings/{id}"))
        .await
        .problem(403);

    // Status.
    let sold = api
        .post(&format!("/listings/{id}/status"), json!({"status": "sold"}))
        .await;
    assert_eq!(sold.status, StatusCode::OK, "{:?}", sold.body);
    assert_eq!(sold.body["status"], "sold");
    let odd = api
        .post(
            &format!("/listings/{id}/status"),
            json!({"status": "deleted"}),
        )
        .await;
    assert_eq!(odd.bad_fields(), ["status"]);
    api.post(
        &format!("/listings/{id}/status"),
        json!({"status": "active"}),
    )
    .await;

    // Held by the moderators: its owner may not change its status or delete it.
    sql(
        &app,
        &format!("UPDATE listings SET status = 'held' WHERE id = {id}"),
    );
    let held = api
        .post(&format!("/listings/{id}/status"), json!({"status": "sold"}))
        .await;
    assert!(
        held.problem(403)["detail"]
            .as_str()
            .unwrap()
            .contains("moderators")
    );
    api.delete(&format!("/listings/{id}")).await.problem(403);
    // Not up: a stranger gets the 404 of a listing that never was.
    stranger
        .patch(&format!("/listings/{id}"), json!({"title": "Mine now"}))
        .await
        .problem(404);
    sql(
        &app,
        &format!("UPDATE listings SET status = 'active' WHERE id = {id}"),
    );

    let deleted = api.delete(&format!("/listings/{id}")).await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT);
    assert_eq!(deleted.body, Value::Null);
    ApiClient::new(&app)
        .get(&format!("/listings/{id}"))
        .await
        .problem(404);
    api.delete(&format!("/listings/{id}")).await.problem(404);
    assert_eq!(
        app.listing_status(corkboard::db::ids::ListingId(id)),
        "deleted"
    );
}

#[tokio::test]
async fn each_category_takes_its_own_terms_and_details() {
    let app = spawn_app().await;
    let (api, _) = ApiClient::new_member(&app).await;
    let apartments = app.category_id("housing", "apartments");
    let flat = api
        .post(
            "/listings",
            json!({"category_id": apartments, "title": "Two bedrooms by the park",
                   "body": "Sunny.", "zip": "10001",
                   "price": {"cents": 180000, "per": "month"},
                   "attributes": {"bedrooms": 2, "bathrooms": 1.5, "cats_ok": true}}),
        )
        .await;
    assert_eq!(flat.status, StatusCode::CREATED, "{:?}", flat.body);
    assert_eq!(flat.body["price"]["per"], "month");
    assert_eq!(
        flat.body["attributes"],
        json!({"bedrooms": 2, "bathrooms": 1.5, "cats_ok": true})
    );
    let wrong = api
        .post(
            "/listings",
            json!({"category_id": apartments, "title": "Flat", "body": "Sunny.",
                   "zip": "10001", "price": {"per": "month"},
                   "attributes": {"bedrooms": "two", "cats_ok": "yes", "sqft": 0}}),
        )
        .await;
    let mut fields = wrong.bad_fields();
    fields.sort();
    assert_eq!(
        fields,
        [
            "attributes.bedrooms",
            "attributes.cats_ok",
            "attributes.sqft",
            "price.cents"
        ],
        "{:?}",
        wrong.body
    );

    // An event: local times, still to come.
    let events = app.category_id("community", "events");
    let soon = (chrono::Utc::now() + chrono::Duration::days(10))
        .format("%Y-%m-%dT19:30")
        .to_string();
    let party = api
        .post(
            "/listings",
            json!({"category_id": events, "title": "Block party", "body": "Bring a dish.",
                   "zip": "10001", "starts_at": soon}),
        )
        .await;
    assert_eq!(party.status, StatusCode::CREATED, "{:?}", party.body);
    assert_eq!(party.body["starts_at"], soon.as_str());
    assert_eq!(party.body["ends_at"], Value::Null);
    let past = api
        .post(
            "/listings",
            json!({"category_id": events, "title": "Block party", "body": "Bring a dish.",
                   "zip": "10001", "starts_at": "2020-01-01T19:30"}),
        )
        .await;
    assert_eq!(past.bad_fields(), ["starts_at"]);

    // Free: where the category allows it, and only there.
    let free = app.category_id("for-sale", "free");
    let sofa = api
        .post(
            "/listings",
            json!({"category_id": free, "title": "Sofa", "body": "Pick up.", "zip": "10001",
                   "price": {"free": true}}),
        )
        .await;
    assert_eq!(sofa.status, StatusCode::CREATED, "{:?}", sofa.body);
    assert_eq!(sofa.body["price"]["free"], true);
    let bikes = app.category_id("for-sale", "bikes");
    let free_bike = api
        .post(
            "/listings",
            json!({"category_id": bikes, "title": "Bike", "body": "Old.", "zip": "10001",
                   "price": {"free": true}}),
        )
        .await;
    assert_eq!(free_bike.bad_fields(), ["price.free"]);
}

#[tokio::test]
async fn a_member_without_a_confirmed_address_posts_two_listings() {
    let app = spawn_app().await;
    let anonymous = ApiClient::new(&app);
    let user = crate::helpers::TestUser::generate();
    assert_eq!(
        anonymous.create_user(&user).await.status,
        StatusCode::CREATED
    );
    let tokens = anonymous.tokens_for(&user).await;
    let api = ApiClient::with_token(&app, tokens["access_token"].as_str().unwrap());
    let bikes = app.category_id("for-sale", "bikes");
    for _ in 0..2 {
        assert_eq!(
            api.post("/listings", bike(bikes)).await.status,
            StatusCode::CREATED
        );
    }
    let third = api.post("/listings", bike(bikes)).await;
    assert!(
        third.problem(403)["detail"]
            .as_str()
            .unwrap()
            .contains("confirm your e-mail")
    );
}

fn photos(files: &[(Vec<u8>, &str)]) -> Form {
    files.iter().fold(Form::new(), |form, (bytes, name)| {
        form.part(
            "photo",
            Part::bytes(bytes.clone()).file_name(name.to_string()),
        )
    })
}

#[tokio::test]
async fn photos_are_added_whole_ordered_described_and_removed() {
    let app = spawn_app().await;
    let (api, _) = ApiClient::new_member(&app).await;
    let posted = api
        .post("/listings", bike(app.category_id("for-sale", "bikes")))
        .await;
    let id = posted.body["id"].as_i64().unwrap();
    let path = format!("/listings/{id}/photos");

    let added = api
        .post_multipart(
            &path,
            photos(&[(png(150, 100), "side.png"), (png(80, 120), "bell.png")])
                .text("alt_text", "The bike from the side"),
        )
        .await;
    assert_eq!(added.status, StatusCode::CREATED, "{:?}", added.body);
    let list = added.body.as_array().unwrap();
    assert_eq!(list.len(), 2);
    assert_eq!(list[0]["width"], 150);
    assert_eq!(list[0]["height"], 100);
    assert_eq!(list[0]["alt_text"], "The bike from the side");
    assert_eq!(list[1]["alt_text"], "");
    let ids: Vec<String> = list
        .iter()
        .map(|p| p["id"].as_str().unwrap().to_owned())
        .collect();
    // The signed link serves the re-encoded photo.
    let url = list[0]["display_url"].as_str().unwrap();
    let url = if url.starts_with('/') {
        format!("{}{url}", app.address)
    } else {
        url.to_owned()
    };
    let image = reqwest::get(&url).await.unwrap();
    assert_eq!(image.status(), StatusCode::OK);
    assert_eq!(image.headers()["content-type"], "image/jpeg");

    // One bad file: nothing of the request is added, nothing is left behind.
    let mixed = api
        .post_multipart(
            &path,
            photos(&[
                (png(60, 60), "fine.png"),
                (b"not a picture".to_vec(), "x.jpg"),
            ]),
        )
        .await;
    assert_eq!(mixed.bad_fields(), ["photo"]);
    assert!(
        mixed.body["errors"][0]["message"]
            .as_str()
            .unwrap()
            .starts_with("Photo 2:"),
        "{:?}",
        mixed.body
    );
    assert_eq!(
        count(
            &app,
            "SELECT count(*) AS n FROM listing_photos WHERE listing_id IS NULL"
        ),
        0
    );
    let empty = api
        .post_multipart(&path, Form::new().text("alt_text", "nothing"))
        .await;
    assert_eq!(empty.bad_fields(), ["photo"]);
    // More than the listing has room for (12 in all): none are added.
    let many: Vec<(Vec<u8>, &str)> = (0..11).map(|_| (png(20, 20), "p.png")).collect();
    let crowded = api.post_multipart(&path, photos(&many)).await;
    assert_eq!(crowded.bad_fields(), ["photo"]);
    assert!(
        crowded.body["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("room for 10 more"),
        "{:?}",
        crowded.body
    );
    assert_eq!(count(&app, "SELECT count(*) AS n FROM listing_photos"), 2);

    // Someone else's listing.
    let (stranger, _) = ApiClient::new_member(&app).await;
    stranger
        .post_multipart(&path, photos(&[(png(20, 20), "p.png")]))
        .await
        .problem(403);
    stranger
        .delete(&format!("{path}/{}", ids[0]))
        .await
        .problem(403);

    // Order: every photo once.
    let order = api
        .put(
            &format!("{path}/order"),
            json!({"photo_ids": [ids[1], ids[0]]}),
        )
        .await;
    assert_eq!(order.status, StatusCode::OK, "{:?}", order.body);
    assert_eq!(order.body[0]["id"], ids[1].as_str());
    assert_eq!(order.body[1]["id"], ids[0].as_str());
    let partial = api
        .put(
            &format!("{path}/order"),
            json!({"photo_ids": [ids[1], ids[1]]}),
        )
        .await;
    assert_eq!(partial.bad_fields(), ["photo_ids"]);

    // Describe.
    let described = api
        .patch(
            &format!("{path}/{}", ids[1]),
            json!({"alt_text": "  The   bell  "}),
        )
        .await;
    assert_eq!(described.status, StatusCode::OK, "{:?}", described.body);
    assert_eq!(described.body["alt_text"], "The bell");
    let long = api
        .patch(
            &format!("{path}/{}", ids[1]),
            json!({"alt_text": "x".repeat(201)}),
        )
        .await;
    assert_eq!(long.bad_fields(), ["alt_text"]);

    // Remove: the other closes up; a photo already gone is a 404.
    let removed = api.delete(&format!("{path}/{}", ids[1])).await;
    assert_eq!(removed.status, StatusCode::NO_CONTENT);
    api.delete(&format!("{path}/{}", ids[1])).await.problem(404);
    api.patch(&format!("{path}/{}", ids[1]), json!({"alt_text": "x"}))
        .await
        .problem(404);
    let read = api.get(&format!("/listings/{id}")).await;
    let left = read.body["photos"].as_array().unwrap();
    assert_eq!(left.len(), 1);
    assert_eq!(left[0]["id"], ids[0].as_str());
    assert_eq!(
        count(
            &app,
            &format!(
                "SELECT count(*) AS n FROM listing_photos WHERE listing_id = {id} AND position = 0"
            )
        ),
        1
    );
}
