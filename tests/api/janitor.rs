//! Nothing is left behind: failed uploads, abandoned forms and orphaned objects.

use std::time::Duration;

use bytes::Bytes;
use corkboard::listings::janitor::{SweepReport, sweep};
use corkboard::storage::ObjectKey;
use corkboard::web::Db;
use diesel::{QueryDsl, RunQueryDsl};
use reqwest::StatusCode;

use crate::helpers::{StorageChoice, TestApp, spawn_app_with};
use crate::helpers::{png, post_listing};

fn count(app: &TestApp, table: &str) -> i64 {
    #[derive(diesel::QueryableByName)]
    struct N {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    let n: N = diesel::sql_query(format!("SELECT count(*) AS n FROM {table}"))
        .get_result(&mut app.pool.get().unwrap())
        .unwrap();
    n.n
}

const FIELDS: &[(&str, &str)] = &[
    ("title", "Lamp"),
    ("body", "Bright"),
    ("price", "10"),
    ("zip", "94110"),
];

async fn a_failure_after_storing_objects_leaves_nothing(choice: StorageChoice) {
    let app = spawn_app_with(choice).await;
    app.sign_up_new_member().await;
    // Inject the failure: writing the photo row fails after its objects are stored.
    diesel::connection::SimpleConnection::batch_execute(
        &mut app.pool.get().unwrap(),
        "CREATE FUNCTION refuse_photo() RETURNS trigger LANGUAGE plpgsql AS
           $$ BEGIN RAISE EXCEPTION 'injected failure'; END $$;
         CREATE TRIGGER refuse_photo BEFORE INSERT ON listing_photos
           FOR EACH ROW EXECUTE FUNCTION refuse_photo();",
    )
    .unwrap();

    let response = post_listing(
        &app,
        app.category_id("for-sale", "furniture"),
        FIELDS,
        vec![("a.png", png(300, 200))],
    )
    .await;

    assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
    assert!(!response.text().await.unwrap().contains("injected"));
    assert_eq!(count(&app, "listings"), 0, "no half-made listing");
    assert_eq!(count(&app, "listing_photos"), 0);
    let left = app.storage.list("photos/").await.unwrap();
    assert!(left.is_empty(), "objects left behind: {left:?}");
    let report = sweep(&Db::new(app.pool.clone()), &app.storage, Duration::ZERO)
        .await
        .unwrap();
    assert_eq!(report, SweepReport::default());
}

#[tokio::test]
async fn a_failure_after_storing_objects_leaves_nothing_on_local_disk() {
    a_failure_after_storing_objects_leaves_nothing(StorageChoice::Local).await;
}

#[tokio::test]
async fn a_failure_after_storing_objects_leaves_nothing_on_s3() {
    a_failure_after_storing_objects_leaves_nothing(StorageChoice::S3).await;
}

async fn the_janitor_removes_leftovers_and_keeps_what_is_used(choice: StorageChoice) {
    let app = spawn_app_with(choice).await;
    app.sign_up_new_member().await;
    let category = app.category_id("for-sale", "furniture");
    // A posted listing with a photo: must survive.
    let posted = post_listing(&app, category, FIELDS, vec![("kept.png", png(120, 80))]).await;
    assert_eq!(posted.status(), StatusCode::SEE_OTHER);
    // An abandoned form: its photo stays pending.
    let abandoned = post_listing(
        &app,
        category,
        &[("title", "")],
        vec![("left.png", png(90, 90))],
    )
    .await;
    assert_eq!(abandoned.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(count(&app, "listing_photos"), 2);
    // An object no row knows about (what a crash between the two steps leaves).
    let orphan =
        ObjectKey::parse("photos/00000000-0000-0000-0000-000000000000/display.jpg").unwrap();
    app.storage
        .put(&orphan, Bytes::from_static(b"jpeg"), "image/jpeg")
        .await
        .unwrap();
    let db = Db::new(app.pool.clone());

    // Within the grace period nothing goes.
    let early = sweep(&db, &app.storage, Duration::from_secs(3600))
        .await
        .unwrap();
    assert_eq!(early, SweepReport::default());
    assert_eq!(app.storage.list("photos/").await.unwrap().len(), 5);

    let report = sweep(&db, &app.storage, Duration::ZERO).await.unwrap();

    assert_eq!(
        report,
        SweepReport {
            expired_listings: 0,
            pending_photos: 1,
            orphan_objects: 1,
            deleted_listing_photos: 0,
        }
    );
    assert_eq!(count(&app, "listing_photos"), 1);
    let left = app.storage.list("photos/").await.unwrap();
    assert_eq!(
        left.len(),
        2,
        "the listing's display image and thumbnail: {left:?}"
    );
    let mut conn = app.pool.get().unwrap();
    let kept: Vec<String> = corkboard::db::schema::listing_photos::table
        .select(corkboard::db::schema::listing_photos::thumb_key)
        .load(&mut conn)
        .unwrap();
    assert!(left.iter().any(|o| o.key == kept[0]));
}

#[tokio::test]
async fn the_janitor_cleans_local_disk() {
    the_janitor_removes_leftovers_and_keeps_what_is_used(StorageChoice::Local).await;
}

#[tokio::test]
async fn the_janitor_cleans_s3() {
    the_janitor_removes_leftovers_and_keeps_what_is_used(StorageChoice::S3).await;
}

#[tokio::test]
async fn expired_listings_are_marked_and_leave_the_counts() {
    let app = crate::helpers::spawn_app().await;
    app.sign_up_new_member().await;
    let furniture = app.category_id("for-sale", "furniture");
    for _ in 0..3 {
        let response = post_listing(&app, furniture, FIELDS, vec![]).await;
        assert!(response.status().is_success() || response.status().is_redirection());
    }
    let mut conn = app.pool.get().unwrap();
    diesel::sql_query(
        "UPDATE listings SET expires_at = now() - interval '1 minute'
         WHERE id IN (SELECT id FROM listings ORDER BY id LIMIT 2)",
    )
    .execute(&mut conn)
    .unwrap();
    let kept = |conn: &mut diesel::PgConnection| -> i64 {
        use corkboard::db::schema::category_listing_counts::dsl::*;
        category_listing_counts
            .filter(diesel::ExpressionMethods::eq(category_id, furniture))
            .select(listings)
            .first::<i32>(conn)
            .map(i64::from)
            .unwrap()
    };
    // Before the janitor runs, the counts already leave the expired ones out.
    assert_eq!(kept(&mut conn), 3);
    assert!(
        app.get_page("/")
            .await
            .body
            .contains(r#"aria-label="1 listings""#)
    );

    let report = sweep(
        &Db::new(app.pool.clone()),
        &app.storage,
        Duration::from_secs(3600),
    )
    .await
    .unwrap();

    assert_eq!(report.expired_listings, 2);
    assert_eq!(count(&app, "listings WHERE status = 'expired'"), 2);
    assert_eq!(kept(&mut conn), 1);
    assert!(
        app.get_page("/")
            .await
            .body
            .contains(r#"aria-label="1 listings""#)
    );
    let again = sweep(
        &Db::new(app.pool.clone()),
        &app.storage,
        Duration::from_secs(3600),
    )
    .await
    .unwrap();
    assert_eq!(again, SweepReport::default());
}

#[tokio::test]
async fn photos_of_deleted_listings_go_once_they_can_no_longer_come_back() {
    let app = crate::helpers::spawn_app().await;
    app.sign_up_new_member().await;
    let furniture = app.category_id("for-sale", "furniture");
    let mut ids = Vec::new();
    for _ in 0..2 {
        let posted = post_listing(&app, furniture, FIELDS, vec![("a.png", png(64, 48))]).await;
        let path = posted.headers()["location"].to_str().unwrap().to_owned();
        let id: i64 = path.split('/').nth(2).unwrap().parse().unwrap();
        app.submit_form(&path, &format!("/listings/{id}/delete"), &[])
            .await;
        ids.push(id);
    }
    let mut conn = app.pool.get().unwrap();
    // One was deleted 31 days ago (past its restore window), one just now.
    diesel::sql_query(format!(
        "UPDATE listings SET deleted_at = now() - interval '31 days' WHERE id = {}",
        ids[0]
    ))
    .execute(&mut conn)
    .unwrap();
    let db = Db::new(app.pool.clone());

    let report = sweep(&db, &app.storage, Duration::from_secs(3600))
        .await
        .unwrap();

    assert_eq!(report.deleted_listing_photos, 1);
    assert_eq!(
        count(
            &app,
            &format!("listing_photos WHERE listing_id = {}", ids[0])
        ),
        0
    );
    assert_eq!(
        count(
            &app,
            &format!("listing_photos WHERE listing_id = {}", ids[1])
        ),
        1
    );
    assert_eq!(app.storage.list("photos/").await.unwrap().len(), 2);

    // With the account deleted, the rest go after the grace period, not 30 days.
    diesel::sql_query("UPDATE users SET status = 'deleted'")
        .execute(&mut conn)
        .unwrap();
    diesel::sql_query(format!(
        "UPDATE listings SET deleted_at = now() - interval '2 days' WHERE id = {}",
        ids[1]
    ))
    .execute(&mut conn)
    .unwrap();
    let report = sweep(&db, &app.storage, Duration::from_secs(3600))
        .await
        .unwrap();
    assert_eq!(report.deleted_listing_photos, 1);
    assert_eq!(count(&app, "listing_photos"), 0);
    assert!(app.storage.list("photos/").await.unwrap().is_empty());
}

#[tokio::test]
async fn logins_past_their_lifetime_are_swept() {
    let app = crate::helpers::spawn_app().await;
    app.sign_up_new_member().await;
    app.new_visitor().sign_up_new_member().await;
    let mut conn = app.pool.get().unwrap();
    diesel::sql_query(
        "UPDATE user_sessions SET created_at = now() - interval '31 days'
         WHERE token_hash = (SELECT token_hash FROM user_sessions LIMIT 1)",
    )
    .execute(&mut conn)
    .unwrap();

    let (logins, _) = corkboard::listings::janitor::sweep_sessions(
        &Db::new(app.pool.clone()),
        Duration::from_secs(30 * 86_400),
    )
    .await
    .unwrap();

    assert_eq!(logins, 1);
    assert_eq!(count(&app, "user_sessions"), 1);
}
