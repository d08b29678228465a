//! Profiles, account settings, avatars, deleting an account, and the admin role.

use reqwest::StatusCode;
use reqwest::multipart::Part;

use crate::helpers::{TestUser, Visitor, assert_redirect_to, png, spawn_app};

#[tokio::test]
async fn a_profile_shows_the_member_and_their_bio_as_text() {
    let app = spawn_app().await;
    let user = app.sign_up_new_member().await;

    let response = app
        .submit_form(
            "/settings",
            "/settings/profile",
            &[
                ("display_name", "Ann <b>Bold</b>"),
                ("bio", "I sell <script>bikes</script>.\r\nAsk me!"),
                ("home_zip", "94110"),
            ],
        )
        .await;
    assert_redirect_to(&response, "/settings");

    let stranger = app.new_visitor();
    let page = stranger.get_page(&format!("/u/{}", user.username)).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body.contains("Ann &#60;b&#62;Bold&#60;/b&#62;")
            || page.body.contains("Ann &lt;b&gt;")
    );
    assert!(!page.body.contains("<script>bikes</script>"));
    assert!(
        page.body.contains("San Francisco, CA"),
        "the city from the gazetteer"
    );
    assert!(page.body.contains("Member since"));
    assert!(page.body.contains("Active listings"));
    assert!(
        !page.body.contains("Your past listings"),
        "strangers see only active listings"
    );
    let own = app.get_page(&format!("/u/{}", user.username)).await;
    assert!(own.body.contains("Your past listings"));
}

#[tokio::test]
async fn a_home_zip_must_be_a_real_place() {
    let app = spawn_app().await;
    app.sign_up_new_member().await;

    let response = app
        .submit_form(
            "/settings",
            "/settings/profile",
            &[("display_name", ""), ("bio", ""), ("home_zip", "00000")],
        )
        .await;

    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        response
            .text()
            .await
            .unwrap()
            .contains("know that ZIP code")
    );
}

#[tokio::test]
async fn a_profile_lists_active_listings_and_past_ones_only_to_their_owner() {
    let app = spawn_app().await;
    let user = app.sign_up_new_member().await;
    let furniture = app.category_id("for-sale", "furniture");
    let fields = [
        ("title", "Walnut desk"),
        ("body", "Solid"),
        ("price", "80"),
        ("zip", "10001"),
    ];
    let active = crate::helpers::post_listing(&app, furniture, &fields, vec![]).await;
    let active = active.headers()["location"].to_str().unwrap().to_owned();
    let sold = crate::helpers::post_listing(
        &app,
        furniture,
        &[
            ("title", "Old lamp"),
            ("body", "Works"),
            ("price", "5"),
            ("zip", "10001"),
        ],
        vec![],
    )
    .await;
    let sold = sold.headers()["location"].to_str().unwrap().to_owned();
    let sold_id = sold.split('/').nth(2).unwrap();
    app.submit_form(
        &sold,
        &format!("/listings/{sold_id}/status"),
        &[("status", "sold")],
    )
    .await;

    let public = app
        .new_visitor()
        .get_page(&format!("/u/{}", user.username))
        .await
        .body;
    let own = app.get_page(&format!("/u/{}", user.username)).await.body;

    assert!(public.contains(&active) && !public.contains(&sold));
    assert!(own.contains(&active) && own.contains(&sold));
    assert!(own.contains("badge-sold"));
}

#[tokio::test]
async fn an_unknown_profile_is_a_404() {
    let app = spawn_app().await;
    assert_eq!(
        app.get("/u/nobody-at-all").await.status(),
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn bad_profile_settings_come_back_with_what_was_typed() {
    let app = spawn_app().await;
    app.sign_up_new_member().await;

    let response = app
        .submit_form(
            "/settings",
            "/settings/profile",
            &[
                ("display_name", "Kept name"),
                ("bio", "Kept bio"),
                ("home_zip", "9411"),
            ],
        )
        .await;

    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = response.text().await.unwrap();
    assert!(html.contains("Enter a five-digit ZIP code"));
    assert!(html.contains("value=\"Kept name\""));
    assert!(html.contains(">Kept bio</textarea>"));
    assert!(html.contains("value=\"9411\""));
}

#[tokio::test]
async fn changing_the_email_needs_the_current_password() {
    let app = spawn_app().await;
    let user = app.sign_up_new_member().await;

    let wrong = app
        .submit_form(
            "/settings",
            "/settings/email",
            &[
                ("email", "new@example.com"),
                ("current_password", "not it at all"),
            ],
        )
        .await;
    assert_eq!(wrong.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = wrong.text().await.unwrap();
    assert!(html.contains("That is not your current password."));
    assert!(html.contains("value=\"new@example.com\""));

    let right = app
        .submit_form(
            "/settings",
            "/settings/email",
            &[
                ("email", "new@example.com"),
                ("current_password", &user.password),
            ],
        )
        .await;
    assert_redirect_to(&right, "/settings");
    app.log_out().await;
    assert_redirect_to(&app.log_in("NEW@example.com", &user.password).await, "/");
}

#[tokio::test]
async fn a_new_password_follows_the_sign_up_rules_and_needs_the_old_one() {
    let app = spawn_app().await;
    let user = app.sign_up_new_member().await;

    for (current, new, message) in [
        (
            "wrong current pw",
            "a fine new password",
            "That is not your current password.",
        ),
        (
            user.password.as_str(),
            "short",
            "Use at least 10 characters.",
        ),
        (user.password.as_str(), "password123", "most common"),
    ] {
        let response = app
            .submit_form(
                "/settings",
                "/settings/password",
                &[("current_password", current), ("new_password", new)],
            )
            .await;
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY, "{new}");
        let html = response.text().await.unwrap();
        assert!(html.contains(message), "{new}: {message}");
        assert!(!html.contains(&user.password));
    }
}

async fn upload_avatar(visitor: &Visitor, name: &str, bytes: Vec<u8>) -> reqwest::Response {
    let form = visitor
        .multipart_form("/settings")
        .await
        .part("avatar", Part::bytes(bytes).file_name(name.to_owned()));
    visitor.post_multipart("/settings/avatar", form).await
}

#[tokio::test]
async fn an_avatar_is_cropped_square_and_re_encoded() {
    let app = spawn_app().await;
    let user = app.sign_up_new_member().await;

    let response = upload_avatar(&app, "me.png", png(600, 400)).await;

    assert_redirect_to(&response, "/settings");
    let profile = app
        .new_visitor()
        .get_page(&format!("/u/{}", user.username))
        .await
        .body;
    let at = profile
        .find("src=\"/media/avatars/")
        .expect("the avatar is shown")
        + 5;
    let url = profile[at..at + profile[at..].find('"').unwrap()]
        .replace("&amp;", "&")
        .replace("&#38;", "&");
    let image = app.get(&url).await;
    assert_eq!(image.status(), StatusCode::OK);
    assert_eq!(image.headers()["content-type"], "image/jpeg");
    let decoded = image::load_from_memory(&image.bytes().await.unwrap()).unwrap();
    assert_eq!((decoded.width(), decoded.height()), (256, 256));
}

#[tokio::test]
async fn removing_the_avatar_asks_first() {
    let app = spawn_app().await;
    let user = app.sign_up_new_member().await;
    upload_avatar(&app, "me.png", png(100, 100)).await;
    let settings = app.get_ok_page("/settings").await.body;
    assert!(settings.contains("href=\"/settings/avatar/remove\""));

    let confirm = app.get_ok_page("/settings/avatar/remove").await.body;
    assert!(confirm.contains("Remove your photo?"));
    let profile = format!("/u/{}", user.username);
    assert!(
        app.get_ok_page(&profile)
            .await
            .body
            .contains("/media/avatars/")
    );

    let removed = app
        .submit_form("/settings/avatar/remove", "/settings/avatar/remove", &[])
        .await;

    assert_redirect_to(&removed, "/settings");
    assert!(
        !app.get_ok_page(&profile)
            .await
            .body
            .contains("/media/avatars/")
    );
}

#[tokio::test]
async fn a_file_that_is_not_a_photo_is_refused_by_its_bytes() {
    let app = spawn_app().await;
    app.sign_up_new_member().await;

    for (name, bytes, message) in [
        (
            "photo.jpg",
            b"just some text, renamed".to_vec(),
            "That file is not a photo.",
        ),
        (
            "x.png",
            b"<svg xmlns=\"http://www.w3.org/2000/svg\"></svg>".to_vec(),
            "SVG files are not accepted.",
        ),
        (
            "x.jpg",
            b"<!DOCTYPE html><html><script>alert(1)</script>".to_vec(),
            "HTML files are not accepted.",
        ),
    ] {
        let response = upload_avatar(&app, name, bytes).await;
        assert_eq!(
            response.status(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "{name}"
        );
        assert!(response.text().await.unwrap().contains(message), "{name}");
    }
}

#[tokio::test]
async fn deleting_an_account_needs_the_password_and_takes_its_listings_down() {
    let app = spawn_app().await;
    let user = app.sign_up_new_member().await;
    let furniture = app.category_id("for-sale", "furniture");
    let posted = crate::helpers::post_listing(
        &app,
        furniture,
        &[("title", "Rug"), ("body", "Red"), ("zip", "10001")],
        vec![],
    )
    .await;
    assert_eq!(posted.status(), StatusCode::SEE_OTHER);
    let listing = posted.headers()["location"].to_str().unwrap().to_owned();
    assert_eq!(
        app.new_visitor().get(&listing).await.status(),
        StatusCode::OK
    );

    let wrong = app
        .submit_form(
            "/settings",
            "/settings/delete",
            &[("current_password", "nope nope nope")],
        )
        .await;
    assert_eq!(wrong.status(), StatusCode::UNPROCESSABLE_ENTITY);

    let response = app
        .submit_form(
            "/settings",
            "/settings/delete",
            &[("current_password", &user.password)],
        )
        .await;

    assert_redirect_to(&response, "/");
    assert_eq!(app.logged_in_as().await, None);
    assert_eq!(
        app.get(&format!("/u/{}", user.username)).await.status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.log_in(&user.username, &user.password).await.status(),
        StatusCode::UNPROCESSABLE_ENTITY
    );
    // The listing went down with the account.
    assert_eq!(
        app.new_visitor().get(&listing).await.status(),
        StatusCode::NOT_FOUND
    );
    // The row stays, wiped, for conversations to name a "deleted user".
    let mut conn = app.pool.get().unwrap();
    let remaining = corkboard::accounts::queries::find_by_login(&mut conn, &user.email).unwrap();
    assert!(remaining.is_none());
    use diesel::prelude::*;
    let (name, email, status, hash): (String, String, String, String) =
        corkboard::db::schema::users::table
            .filter(corkboard::db::schema::users::email.like("deleted-%"))
            .select((
                corkboard::db::schema::users::username,
                corkboard::db::schema::users::email,
                corkboard::db::schema::users::status,
                corkboard::db::schema::users::password_hash,
            ))
            .first(&mut conn)
            .expect("the wiped row is kept");
    assert_eq!(
        (name.as_str(), status.as_str(), hash.as_str()),
        (email.as_str(), "deleted", "!")
    );
}

#[tokio::test]
async fn nobody_can_block_an_account_deletion_by_claiming_its_marker() {
    let app = spawn_app().await;
    let victim = app.sign_up_new_member().await;
    let victim_id = {
        let mut conn = app.pool.get().unwrap();
        corkboard::accounts::queries::find_by_login(&mut conn, &victim.username)
            .unwrap()
            .unwrap()
            .id
    };
    let attacker = app.new_visitor();
    let attacker_user = attacker.sign_up_new_member().await;
    // The old marker is an ordinary address now; the new one is no address at all.
    let old_marker = format!("deleted-{victim_id}@deleted.invalid");
    let claimed = attacker
        .submit_form(
            "/settings",
            "/settings/email",
            &[
                ("email", &old_marker),
                ("current_password", &attacker_user.password),
            ],
        )
        .await;
    assert_redirect_to(&claimed, "/settings");
    let new_marker = format!("deleted-{victim_id}");
    let refused = attacker
        .submit_form(
            "/settings",
            "/settings/email",
            &[
                ("email", &new_marker),
                ("current_password", &attacker_user.password),
            ],
        )
        .await;
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let squatter = app.new_visitor();
    let taken = squatter
        .sign_up(&TestUser {
            username: new_marker.clone(),
            ..TestUser::generate()
        })
        .await;
    assert_eq!(taken.status(), StatusCode::UNPROCESSABLE_ENTITY);

    let response = app
        .submit_form(
            "/settings",
            "/settings/delete",
            &[("current_password", &victim.password)],
        )
        .await;

    assert_redirect_to(&response, "/");
    assert_eq!(app.logged_in_as().await, None);
}

#[tokio::test]
async fn only_admins_open_the_admin_area() {
    let app = spawn_app().await;

    assert_redirect_to(&app.get("/admin").await, "/login?next=/admin");
    let member = app.sign_up_new_member().await;
    assert_eq!(app.get("/admin").await.status(), StatusCode::FORBIDDEN);

    let output = std::process::Command::new(env!("CARGO_BIN_EXE_corkboard"))
        .args(["create-admin", &member.username])
        .env("DATABASE_URL", &app.database.url)
        .env("DATA_DIR", app.data_dir.path())
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );

    let page = app.get_page("/admin").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Administration"));
}

#[tokio::test]
async fn create_admin_makes_a_new_account_with_a_password_from_stdin() {
    use std::io::Write;
    let app = spawn_app().await;
    let admin = TestUser::generate();

    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_corkboard"))
        .args(["create-admin", &admin.username, "--email", &admin.email])
        .env("DATABASE_URL", &app.database.url)
        .env("DATA_DIR", app.data_dir.path())
        .env("BCRYPT_COST", "4")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    writeln!(child.stdin.take().unwrap(), "{}", admin.password).unwrap();
    let output = child.wait_with_output().unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );

    assert_redirect_to(&app.log_in(&admin.username, &admin.password).await, "/");
    assert_eq!(app.get("/admin").await.status(), StatusCode::OK);
}
