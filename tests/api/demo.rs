//! `corkboard seed-demo`.

use corkboard::demo::DEMO_PASSWORD;

use crate::helpers::{TestApp, assert_redirect_to, spawn_app};

fn seed_demo(app: &TestApp) -> String {
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_corkboard"))
        .arg("seed-demo")
        .env("DATABASE_URL", &app.database.url)
        .env("DATA_DIR", app.data_dir.path())
        .env("BCRYPT_COST", "4")
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "seed-demo failed ({}):\n{}\n{}",
        output.status,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap()
}

#[tokio::test]
async fn demo_data_fills_an_empty_site_once() {
    let app = spawn_app().await;

    let first = seed_demo(&app);
    let second = seed_demo(&app);

    assert!(first.contains("8 members"), "{first}");
    assert!(first.contains("288 listings in every category"), "{first}");
    assert!(second.contains("nothing seeded"), "{second}");
    assert_redirect_to(&app.log_in("alice_w", DEMO_PASSWORD).await, "/");
    let profile = app.get_page("/u/alice_w").await;
    assert!(profile.body.contains("Alice Wong"));
    // Alice has conversations, one waiting for her answer.
    assert!(first.contains("5 conversations"), "{first}");
    let inbox = app.get_ok_page("/messages").await;
    assert!(inbox.body.contains("pay cash today"), "the inbox");
    assert!(
        !inbox.body.contains("data-unread-count>0<"),
        "an unread message"
    );
    // Every category has listings, some with photos, and the front page shows them.
    let home = app.get_page("/").await.body;
    assert!(
        !home.contains(r#"aria-label="0 listings""#),
        "an empty category"
    );
    assert!(
        home.contains("/media/photos/"),
        "no thumbnails on the front page"
    );
    let apartments = app.get_page("/c/housing/apartments").await.body;
    assert!(apartments.contains("/listings/"));
    // Meet people: Alice finds Bob, who said yes to her already, so her yes makes the match.
    assert!(first.contains("4 friend profiles"), "{first}");
    let people = app.get_ok_page("/people").await;
    assert!(
        people.body.contains("/people/bob_builds/answer"),
        "{}",
        people.body
    );
    let answered = app
        .submit_form("/people", "/people/bob_builds/answer", &[("answer", "yes")])
        .await;
    assert_eq!(answered.status(), reqwest::StatusCode::SEE_OTHER);
    let conversation = answered.headers()["location"].to_str().unwrap().to_owned();
    assert!(conversation.starts_with("/messages/"), "{conversation}");
    let page = app.get_ok_page(&conversation).await.body;
    assert!(
        page.contains("You matched on: hiking, board games, live music"),
        "the match's note: {page}"
    );
    let admin = app.new_visitor();
    admin.log_in("demo_admin", DEMO_PASSWORD).await;
    assert_eq!(admin.get("/admin").await.status(), reqwest::StatusCode::OK);
}

#[tokio::test]
async fn demo_data_never_mixes_with_real_accounts() {
    let app = spawn_app().await;
    app.sign_up_new_member().await;

    let output = seed_demo(&app);

    assert!(output.contains("already holds accounts"), "{output}");
    assert_eq!(
        app.get("/u/alice_w").await.status(),
        reqwest::StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn demo_listings_fit_their_category_and_are_posted_near_home() {
    use diesel::RunQueryDsl;
    let app = spawn_app().await;
    seed_demo(&app);
    #[derive(diesel::QueryableByName, Debug)]
    struct Row {
        #[diesel(sql_type = diesel::sql_types::Text)]
        category: String,
        #[diesel(sql_type = diesel::sql_types::Text)]
        section: String,
        #[diesel(sql_type = diesel::sql_types::Text)]
        title: String,
        #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::BigInt>)]
        price_cents: Option<i64>,
        #[diesel(sql_type = diesel::sql_types::Bool)]
        is_free: bool,
        #[diesel(sql_type = diesel::sql_types::Jsonb)]
        attributes: serde_json::Value,
        #[diesel(sql_type = diesel::sql_types::Double)]
        miles_from_home: f64,
    }
    let rows: Vec<Row> = diesel::sql_query(
        "SELECT c.slug AS category, s.slug AS section, l.title, l.price_cents, l.is_free,
                l.attributes,
                earth_distance(ll_to_earth(l.latitude, l.longitude),
                               ll_to_earth(h.latitude, h.longitude)) / 1609.344 AS miles_from_home
         FROM listings l
         JOIN categories c ON c.id = l.category_id JOIN sections s ON s.id = c.section_id
         JOIN users u ON u.id = l.owner_id JOIN places h ON h.zip = u.home_zip",
    )
    .load(&mut app.pool.get().unwrap())
    .unwrap();
    assert_eq!(rows.len(), 288);

    for row in &rows {
        let what = format!("{} in {}", row.title, row.category);
        assert!(
            row.miles_from_home <= 8.5,
            "{what}: {} mi from home",
            row.miles_from_home
        );
        let title = row.title.to_lowercase();
        match row.category.as_str() {
            "bikes" => assert!(title.contains("bike"), "{what}"),
            "cars-trucks" => {
                let year = row.attributes["year"].as_i64().unwrap_or_default();
                assert!((1990..=2026).contains(&year), "{what}");
                assert!(title.contains(&year.to_string()), "{what}");
                assert!(row.attributes["make"].is_string(), "{what}");
            }
            "free" => assert!(row.is_free && row.price_cents.is_none(), "{what}"),
            "apartments" | "rooms" | "sublets" | "real-estate" => {
                assert!(row.attributes["bedrooms"].is_i64(), "{what}")
            }
            _ => {}
        }
        match row.section.as_str() {
            "jobs" => {
                assert!(row.price_cents.is_none(), "{what}");
                assert!(row.attributes["compensation"].is_string(), "{what}");
            }
            "community" => assert!(row.price_cents.is_none() && !row.is_free, "{what}"),
            _ => {}
        }
    }
    // Nothing of the old mix-ups: no tent among bikes, no barista in software.
    assert!(
        !rows
            .iter()
            .any(|r| r.category == "bikes" && r.title.contains("tent"))
    );
    assert!(
        !rows
            .iter()
            .any(|r| r.category == "software" && r.title.contains("Barista"))
    );
}
