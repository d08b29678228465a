//! What a listing's owner may do to it: the moderation states they can never leave, deleting
//! with a confirmation and restoring, the photo limit, and what strangers learn of listings
//! they may not see.

use corkboard::db::ids::ListingId;
use reqwest::StatusCode;
use reqwest::multipart::Part;

use crate::helpers::{TestApp, spawn_app};
use crate::helpers::{png, post_listing};

const BIKE: &[(&str, &str)] = &[
    ("title", "Red road bike"),
    ("body", "Ten speeds, new tyres."),
    ("price", "300"),
    ("zip", "94110"),
    ("attr_condition", "good"),
];

/// Posts a bike as the app's first visitor; returns its id and path.
async fn post_bike(app: &TestApp, photos: Vec<(&str, Vec<u8>)>) -> (i64, String) {
    let bikes = app.category_id("for-sale", "bikes");
    let response = post_listing(app, bikes, BIKE, photos).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let path = response.headers()["location"].to_str().unwrap().to_owned();
    (path.split('/').nth(2).unwrap().parse().unwrap(), path)
}

fn sql(app: &TestApp, statement: &str) {
    diesel::RunQueryDsl::execute(diesel::sql_query(statement), &mut app.pool.get().unwrap())
        .unwrap();
}

fn status_of(app: &TestApp, id: i64) -> String {
    use corkboard::db::schema::listings;
    use diesel::prelude::*;
    listings::table
        .find(id)
        .select(listings::status)
        .first(&mut app.pool.get().unwrap())
        .unwrap()
}

#[tokio::test]
async fn an_owner_can_never_move_a_listing_out_of_moderation() {
    let app = spawn_app().await;
    app.sign_up_new_member().await;
    let (id, path) = post_bike(&app, vec![]).await;
    // Old enough to renew, then hidden by the moderators.
    sql(
        &app,
        &format!(
            "UPDATE listings SET renewed_at = now() - interval '3 days', status = 'held' WHERE id = {id}"
        ),
    );
    let page = app.get_ok_page(&path).await;
    assert!(
        page.body
            .contains("The moderators took this listing off the site")
    );
    assert!(!page.body.contains("/renew") && !page.body.contains("Mark sold"));

    for (action, fields) in [
        ("renew", vec![]),
        ("status", vec![("status", "active")]),
        ("status", vec![("status", "sold")]),
        ("delete", vec![]),
    ] {
        let response = app
            .submit_form(&path, &format!("/listings/{id}/{action}"), &fields)
            .await;
        assert_eq!(
            response.status(),
            StatusCode::FORBIDDEN,
            "{action} {fields:?}"
        );
        assert_eq!(status_of(&app, id), "held", "{action} {fields:?}");
    }
    // Editing the text is allowed (to fix what was wrong), and leaves it hidden.
    let edit = format!("/listings/{id}/edit");
    let form = app
        .multipart_form(&edit)
        .await
        .text("title", "Red road bike, fixed")
        .text("body", "Ten speeds.")
        .text("zip", "94110");
    assert_eq!(
        app.post_multipart(&edit, form).await.status(),
        StatusCode::SEE_OTHER
    );
    assert_eq!(status_of(&app, id), "held");

    // A removed listing is not the owner's to touch at all.
    sql(
        &app,
        &format!("UPDATE listings SET status = 'removed' WHERE id = {id}"),
    );
    let renew = app
        .submit_form("/settings", &format!("/listings/{id}/renew"), &[])
        .await;
    assert_eq!(renew.status(), StatusCode::NOT_FOUND);
    assert_eq!(status_of(&app, id), "removed");
}

#[tokio::test]
async fn a_status_change_made_meanwhile_by_a_moderator_is_not_overwritten() {
    let app = spawn_app().await;
    app.sign_up_new_member().await;
    let (id, _) = post_bike(&app, vec![]).await;
    let mut conn = app.pool.get().unwrap();
    sql(
        &app,
        &format!("UPDATE listings SET status = 'held' WHERE id = {id}"),
    );
    use corkboard::listings::models::ListingStatus;
    use corkboard::listings::queries;

    // The queries themselves refuse, whatever the handler read before.
    let expires = chrono::Utc::now() + chrono::Duration::days(30);
    assert!(!queries::renew(&mut conn, ListingId(id), expires).unwrap());
    assert!(
        !queries::set_status(
            &mut conn,
            ListingId(id),
            ListingStatus::Active,
            &ListingStatus::OWNER_CHANGEABLE
        )
        .unwrap()
    );
    assert!(!queries::delete_by_owner(&mut conn, ListingId(id)).unwrap());
    assert_eq!(status_of(&app, id), "held");
}

#[tokio::test]
async fn deleting_asks_first_and_can_be_undone_for_thirty_days() {
    let app = spawn_app().await;
    app.sign_up_new_member().await;
    let (id, path) = post_bike(&app, vec![]).await;
    app.submit_form(
        &path,
        &format!("/listings/{id}/status"),
        &[("status", "pending")],
    )
    .await;

    // The listing page links to a confirmation page, which works without JavaScript.
    let page = app.get_ok_page(&path).await.body;
    assert!(page.contains(&format!("href=\"/listings/{id}/delete\"")));
    let confirm = app
        .get_ok_page(&format!("/listings/{id}/delete"))
        .await
        .body;
    assert!(confirm.contains("Delete “Red road bike”?"));
    assert!(confirm.contains(&format!("action=\"/listings/{id}/delete\"")));
    assert!(confirm.contains("30 days"));
    assert_eq!(
        status_of(&app, id),
        "pending",
        "opening the page deletes nothing"
    );

    let deleted = app
        .submit_form(
            &format!("/listings/{id}/delete"),
            &format!("/listings/{id}/delete"),
            &[],
        )
        .await;
    assert_eq!(deleted.headers()["location"], "/my/listings?status=deleted");
    assert_eq!(
        app.new_visitor().get(&path).await.status(),
        StatusCode::NOT_FOUND
    );
    let own = app.get_ok_page(&path).await.body;
    assert!(own.contains("Restore listing"));

    let restored = app
        .submit_form(&path, &format!("/listings/{id}/restore"), &[])
        .await;
    assert_eq!(restored.status(), StatusCode::SEE_OTHER);
    assert_eq!(status_of(&app, id), "pending", "back as it was");
    assert_eq!(app.new_visitor().get(&path).await.status(), StatusCode::OK);

    // Deleted 31 days ago: too late.
    app.submit_form(&path, &format!("/listings/{id}/delete"), &[])
        .await;
    sql(
        &app,
        &format!("UPDATE listings SET deleted_at = now() - interval '31 days' WHERE id = {id}"),
    );
    let own = app.get_ok_page(&path).await.body;
    assert!(!own.contains("Restore listing"));
    assert!(own.contains("can no longer be"));
    app.submit_form(&path, &format!("/listings/{id}/restore"), &[])
        .await;
    assert_eq!(status_of(&app, id), "deleted");
}

#[tokio::test]
async fn nobody_else_can_restore_a_deleted_listing() {
    let app = spawn_app().await;
    app.sign_up_new_member().await;
    let (id, path) = post_bike(&app, vec![]).await;
    app.submit_form(&path, &format!("/listings/{id}/delete"), &[])
        .await;
    let stranger = app.new_visitor();
    stranger.sign_up_new_member().await;

    let response = stranger
        .submit_form("/settings", &format!("/listings/{id}/restore"), &[])
        .await;

    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    assert_eq!(status_of(&app, id), "deleted");
}

#[tokio::test]
async fn a_sold_listing_does_not_offer_to_renew() {
    let app = spawn_app().await;
    app.sign_up_new_member().await;
    let (id, path) = post_bike(&app, vec![]).await;
    app.submit_form(
        &path,
        &format!("/listings/{id}/status"),
        &[("status", "sold")],
    )
    .await;

    let page = app.get_ok_page(&path).await.body;
    assert!(page.contains("Sold"));
    assert!(!page.contains("You can renew this listing"));
    assert!(!page.contains("/renew"));

    sql(
        &app,
        &format!("UPDATE listings SET renewed_at = now() - interval '3 days' WHERE id = {id}"),
    );
    assert!(!app.get_ok_page(&path).await.body.contains("/renew"));
    app.submit_form(&path, &format!("/listings/{id}/renew"), &[])
        .await;
    assert_eq!(status_of(&app, id), "sold", "renewing does not unsell it");
    assert!(
        app.get_ok_page(&path)
            .await
            .body
            .contains("Mark it available first")
    );
}

#[tokio::test]
async fn a_listing_nobody_may_see_is_a_404_without_a_redirect() {
    let app = spawn_app().await;
    app.sign_up_new_member().await;
    let (id, path) = post_bike(&app, vec![]).await;
    let visitor = app.new_visitor();
    let by_id = format!("/listings/{id}");
    assert_eq!(
        visitor.get(&by_id).await.status(),
        StatusCode::MOVED_PERMANENTLY
    );

    for status in ["held", "removed", "deleted"] {
        sql(
            &app,
            &format!("UPDATE listings SET status = '{status}' WHERE id = {id}"),
        );
        for url in [by_id.clone(), format!("{by_id}/wrong-slug")] {
            let response = visitor.get(&url).await;
            assert_eq!(response.status(), StatusCode::NOT_FOUND, "{status} {url}");
            assert!(
                response.headers().get("location").is_none(),
                "{status} {url}"
            );
            let body = response.text().await.unwrap();
            assert!(
                !body.contains("Red road bike"),
                "{status} {url} leaks the title"
            );
        }
        // Its owner still finds it.
        assert_eq!(
            app.get(&by_id).await.status(),
            StatusCode::MOVED_PERMANENTLY
        );
    }
    assert_eq!(visitor.get(&path).await.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn naming_a_photo_many_times_for_removal_cannot_beat_the_photo_limit() {
    let app = spawn_app().await;
    app.sign_up_new_member().await;
    let twelve: Vec<(&str, Vec<u8>)> = (0..12).map(|_| ("p.png", png(40, 30))).collect();
    let (id, _) = post_bike(&app, twelve).await;
    let edit = format!("/listings/{id}/edit");
    let html = app.get_ok_page(&edit).await.body;
    let first = html
        .split("name=\"remove_photo\" value=\"")
        .nth(1)
        .map(|rest| rest[..36].to_owned())
        .unwrap();

    // Remove one photo, named 30 times, and add 12 new ones.
    let mut form = app
        .multipart_form(&edit)
        .await
        .text("title", "Red road bike")
        .text("body", "Ten speeds.")
        .text("zip", "94110");
    for _ in 0..30 {
        form = form.text("remove_photo", first.clone());
    }
    for _ in 0..12 {
        form = form.part("photos", Part::bytes(png(40, 30)).file_name("n.png"));
    }
    let response = app.post_multipart(&edit, form).await;

    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        response
            .text()
            .await
            .unwrap()
            .contains("Only 1 more photo fit")
    );
    use corkboard::db::schema::listing_photos;
    use diesel::prelude::*;
    let attached: i64 = listing_photos::table
        .filter(listing_photos::listing_id.eq(id))
        .count()
        .get_result(&mut app.pool.get().unwrap())
        .unwrap();
    assert_eq!(attached, 12);
}
