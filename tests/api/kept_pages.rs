//! Listing pages kept for visitors who are not logged in (issue 15): served again for one
//! statement, and never once the listing, its photos or its seller's name changed, whatever
//! path the change took; never to anyone whose page differs.

use corkboard::db::ids::ListingId;

use crate::helpers::{Page, TestApp, TestListing, Visitor};
use crate::round_trips::{counted_app, statements_of};

/// Views `path` as `visitor` (a 200), with the statements the view ran (besides the pool's
/// test of a connection that sat idle a while).
async fn view(app: &TestApp, visitor: &Visitor, path: &str) -> (Page, Vec<String>) {
    let (page, mut statements) = statements_of(app, || visitor.get_ok_page(path)).await;
    statements.retain(|s| !s.starts_with("SELECT 1 "));
    (page, statements)
}

/// Views `path` as `visitor` and asserts the page came from the kept ones: one statement, the
/// listing's version by its key.
#[track_caller]
fn assert_kept(statements: &[String], what: &str) {
    assert!(
        statements.len() == 1 && statements[0].contains("xmin"),
        "{what}: a kept page reads only the listing's version: {statements:#?}"
    );
}

/// Asserts the page was rendered afresh: the listing read with its seller and photos (after
/// its version, when a page was kept for the visitor).
#[track_caller]
fn assert_rendered(statements: &[String], what: &str) {
    assert!(
        (1..=2).contains(&statements.len())
            && statements.last().unwrap().contains("\"listing_photos\""),
        "{what}: rendered afresh: {statements:#?}"
    );
}

/// Waits until `instances` instances listen for events. An instance forgets its category
/// tree once its listener has connected (as after any reconnection), and a page kept before
/// that would be rendered again after it.
async fn wait_for_listeners(app: &TestApp, instances: i64) {
    for _ in 0..100 {
        let listening = crate::messages::count(
            app,
            "SELECT count(*) AS n FROM pg_stat_activity
             WHERE datname = current_database() AND query LIKE 'LISTEN%' AND state = 'idle'",
        );
        if listening >= instances {
            // The LISTEN has returned; the listener forgets the tree right after.
            tokio::time::sleep(std::time::Duration::from_millis(300)).await;
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("{instances} instances did not listen within 5 s");
}

/// Views `path` twice (the first keeps the page, unless it was already) and returns the
/// second view, served from the kept pages.
async fn until_kept(app: &TestApp, visitor: &Visitor, path: &str) -> Page {
    view(app, visitor, path).await;
    let (page, statements) = view(app, visitor, path).await;
    assert_kept(&statements, "a second view");
    page
}

fn updated_at(app: &TestApp, id: ListingId) -> chrono::DateTime<chrono::Utc> {
    use corkboard::db::schema::listings;
    use diesel::prelude::*;
    listings::table
        .find(id)
        .select(listings::updated_at)
        .first(&mut app.pool.get().unwrap())
        .unwrap()
}

#[tokio::test]
async fn a_kept_listing_page_is_served_until_what_it_shows_changes() {
    let app = counted_app().await;
    app.sign_up_new_member().await;
    let id = TestListing {
        title: "Oak desk",
        body: "Solid oak, one drawer.",
        ..TestListing::default()
    }
    .insert(&app);
    let path = format!("/listings/{id}/oak-desk");
    let visitor = app.new_visitor();
    wait_for_listeners(&app, 1).await;

    let (first, _) = view(&app, &visitor, &path).await;
    assert!(first.body.contains("Solid oak, one drawer."));
    let again = until_kept(&app, &visitor, &path).await;
    assert_eq!(again.body, first.body, "the same page");
    assert_eq!(
        again.headers["content-type"], first.headers["content-type"],
        "served as the rendered page was"
    );
    // Another visitor who is not logged in gets it too.
    let (_, statements) = view(&app, &app.new_visitor(), &path).await;
    assert_kept(&statements, "another visitor's view");

    // The listing's row, changed outside the app.
    app.execute(&format!(
        "UPDATE listings SET body = 'Solid oak, two drawers.' WHERE id = {id}"
    ));
    let (page, statements) = view(&app, &visitor, &path).await;
    assert_rendered(&statements, "after the body changed");
    assert!(
        page.body.contains("Solid oak, two drawers."),
        "the new body"
    );
    assert!(!page.body.contains("one drawer"));
    let (page, statements) = view(&app, &visitor, &path).await;
    assert_kept(&statements, "the new page, again");
    assert!(page.body.contains("Solid oak, two drawers."));

    // A photo added, relabelled and removed: the listing's row is touched each time, and its
    // "updated" time stays as it was for a new label.
    app.execute(&format!(
        "INSERT INTO listing_photos (id, owner_id, listing_id, display_key, thumb_key, width, height, alt_text)
         SELECT gen_random_uuid(), owner_id, id, 'photos/desk.webp', 'photos/desk-thumb.webp', 800, 600, 'The desk from the front'
         FROM listings WHERE id = {id}"
    ));
    let (page, statements) = view(&app, &visitor, &path).await;
    assert_rendered(&statements, "after a photo was added");
    assert!(page.body.contains("The desk from the front"));
    view(&app, &visitor, &path).await;
    let before = updated_at(&app, id);
    app.execute(&format!(
        "UPDATE listing_photos SET alt_text = 'The desk, drawer open' WHERE listing_id = {id}"
    ));
    assert_eq!(updated_at(&app, id), before, "a touch is not an edit");
    let (page, statements) = view(&app, &visitor, &path).await;
    assert_rendered(&statements, "after the photo's label changed");
    assert!(page.body.contains("The desk, drawer open"));
    assert!(!page.body.contains("The desk from the front"));
    app.execute(&format!(
        "DELETE FROM listing_photos WHERE listing_id = {id}"
    ));
    let (page, _) = view(&app, &visitor, &path).await;
    assert!(
        !page.body.contains("The desk, drawer open"),
        "the photo is gone"
    );

    // The seller's name, changed.
    view(&app, &visitor, &path).await;
    let before = updated_at(&app, id);
    app.execute(&format!(
        "UPDATE users SET display_name = 'Oak Workshop' WHERE id = (SELECT owner_id FROM listings WHERE id = {id})"
    ));
    assert_eq!(updated_at(&app, id), before, "a touch is not an edit");
    let (page, statements) = view(&app, &visitor, &path).await;
    assert_rendered(&statements, "after the seller's name changed");
    assert!(page.body.contains("Oak Workshop"));

    // Another slug is still sent to the listing's address.
    let moved = visitor.get(&format!("/listings/{id}/pine-desk")).await;
    assert_eq!(moved.status(), 301);
    assert_eq!(moved.headers()["location"], path.as_str());

    // Removed by the moderators: gone at once, kept page or not.
    view(&app, &visitor, &path).await;
    app.execute(&format!(
        "UPDATE listings SET status = 'removed' WHERE id = {id}"
    ));
    assert_eq!(visitor.get(&path).await.status(), 404);
    // Deleted from the table altogether.
    app.execute(&format!(
        "UPDATE listings SET status = 'active' WHERE id = {id}"
    ));
    view(&app, &visitor, &path).await;
    view(&app, &visitor, &path).await;
    app.execute(&format!("DELETE FROM listings WHERE id = {id}"));
    assert_eq!(visitor.get(&path).await.status(), 404);
}

#[tokio::test]
async fn a_kept_page_is_served_only_to_visitors_whose_page_it_is() {
    let app = counted_app().await;
    app.sign_up_new_member().await;
    let id = TestListing {
        title: "Road bike",
        zip: "10001",
        ..TestListing::default()
    }
    .insert(&app);
    let path = format!("/listings/{id}/road-bike");
    let visitor = app.new_visitor();
    wait_for_listeners(&app, 1).await;
    let anonymous = until_kept(&app, &visitor, &path).await;
    assert!(anonymous.body.contains("Log in to write to the seller"));

    // A member gets their own page (the save button), not the kept one.
    let (member, _) = app.new_member().await;
    let (page, statements) = view(&app, &member, &path).await;
    assert!(
        statements.len() > 1,
        "a member's page is rendered: {statements:#?}"
    );
    assert!(
        page.body.contains("aria-pressed=\"false\""),
        "the save button"
    );
    assert!(!page.body.contains("Log in to write to the seller"));
    // …and the visitor still gets theirs, without it.
    let (page, statements) = view(&app, &visitor, &path).await;
    assert_kept(&statements, "the visitor's view after a member's");
    assert!(!page.body.contains("aria-pressed"));

    // A visitor who chose an area sees the distance from it, on a page of their own.
    let near = app.new_visitor();
    near.get("/area?place=10001&radius=25").await;
    let (page, statements) = view(&app, &near, &path).await;
    assert_rendered(&statements, "the first view from an area");
    assert!(
        page.body.contains("data-distance"),
        "the distance from the area"
    );
    let (page, statements) = view(&app, &near, &path).await;
    assert_kept(&statements, "the second view from the area");
    assert!(page.body.contains("data-distance"));
    let (page, _) = view(&app, &visitor, &path).await;
    assert!(!page.body.contains("data-distance"), "no area, no distance");

    // A query string or a flash message waiting: rendered for the visitor.
    let (_, statements) = view(&app, &visitor, &format!("{path}?from=feed")).await;
    assert_rendered(&statements, "a view with a query string");
}

#[tokio::test]
async fn another_instance_never_serves_a_page_its_listing_has_outgrown() {
    let app = counted_app().await;
    let seller = app.sign_up_new_member().await;
    let id = TestListing {
        title: "Bookshelf",
        body: "Five shelves.",
        ..TestListing::default()
    }
    .insert(&app);
    let path = format!("/listings/{id}/bookshelf");
    let other = app.another_instance();
    let there = app.new_visitor().at(&other.address);
    wait_for_listeners(&app, 2).await;
    let page = until_kept(&app, &there, &path).await;
    assert!(page.body.contains("Five shelves."));

    // The seller edits the listing through this instance.
    let owner = app.new_visitor();
    owner.log_in(&seller.username, &seller.password).await;
    let edit = format!("/listings/{id}/edit");
    let form = owner
        .multipart_form(&edit)
        .await
        .text("title", "Bookshelf")
        .text("body", "Six shelves.")
        .text("price", "10")
        .text("zip", "10001");
    let response = owner.post_multipart(&edit, form).await;
    assert_eq!(response.status(), 303, "the edit is saved");
    let (page, _) = view(&app, &there, &path).await;
    assert!(
        page.body.contains("Six shelves."),
        "the other instance shows the edit"
    );
    assert!(!page.body.contains("Five shelves."));
}

#[tokio::test]
async fn a_kept_page_is_not_served_past_its_listings_expiry() {
    let app = counted_app().await;
    app.sign_up_new_member().await;
    let id = TestListing {
        title: "Camping stove",
        ..TestListing::default()
    }
    .insert(&app);
    let path = format!("/listings/{id}/camping-stove");
    let contact = format!("/login?next=/listings/{id}/contact");
    let visitor = app.new_visitor();
    wait_for_listeners(&app, 1).await;
    app.execute(&format!(
        "UPDATE listings SET expires_at = now() + interval '2 seconds' WHERE id = {id}"
    ));
    let page = until_kept(&app, &visitor, &path).await;
    assert!(
        page.body.contains(&contact),
        "a listing that is up takes messages"
    );

    tokio::time::sleep(std::time::Duration::from_millis(2500)).await;
    let (page, statements) = view(&app, &visitor, &path).await;
    assert_rendered(&statements, "after the listing expired");
    assert!(
        !page.body.contains(&contact),
        "an expired listing takes no messages"
    );
    // Nothing on an expired listing's page changes with the clock any more: it is kept.
    let (page, statements) = view(&app, &visitor, &path).await;
    assert_kept(&statements, "the expired listing's page");
    assert!(!page.body.contains(&contact));
}
