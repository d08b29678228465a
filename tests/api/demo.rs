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
        "{}",
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
