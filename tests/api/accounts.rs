//! Sign-up, log-in, log-out, sessions and their revocation.

use corkboard::accounts::queries;
use reqwest::StatusCode;

use crate::helpers::{TestUser, assert_redirect_to, spawn_app, spawn_app_behind_proxy};

#[tokio::test]
async fn signing_up_logs_the_new_member_in() {
    let app = spawn_app().await;
    let user = TestUser::generate();

    let response = app.sign_up(&user).await;

    assert_redirect_to(&response, &format!("/u/{}", user.username));
    let profile = app.get_page(&format!("/u/{}", user.username)).await;
    assert!(
        profile
            .body
            .contains(&format!("Welcome to Corkboard, {}!", user.username))
    );
    assert_eq!(
        app.logged_in_as().await.as_deref(),
        Some(user.username.as_str())
    );
    // The welcome is shown once.
    let again = app.get_page(&format!("/u/{}", user.username)).await;
    assert!(!again.body.contains("Welcome to Corkboard"));
}

#[tokio::test]
async fn a_taken_username_or_email_is_refused_in_any_letter_case() {
    let app = spawn_app().await;
    let first = app.sign_up_new_member().await;
    let other = app.new_visitor();
    let mut second = TestUser::generate();
    second.username = first.username.to_uppercase();
    second.email = first.email.to_uppercase();

    let response = other.sign_up(&second).await;

    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = response.text().await.unwrap();
    assert!(html.contains("That username is taken"));
    assert!(html.contains("An account with that e-mail address exists"));
    // What was typed comes back, except the password.
    assert!(html.contains(&format!("value=\"{}\"", second.username)));
    assert!(!html.contains(&second.password));
    assert_eq!(other.logged_in_as().await, None);
}

#[tokio::test]
async fn every_sign_up_rule_is_explained_next_to_its_field() {
    let app = spawn_app().await;
    let cases: &[(&str, &str, &str, &str)] = &[
        (
            "ab",
            "a@example.com",
            "long enough password",
            "Use 3 to 30 characters.",
        ),
        (
            &"a".repeat(31),
            "a@example.com",
            "long enough password",
            "Use 3 to 30 characters.",
        ),
        (
            "bad name",
            "a@example.com",
            "long enough password",
            "Use only letters, digits, _ and -.",
        ),
        (
            "admin",
            "a@example.com",
            "long enough password",
            "That username is reserved.",
        ),
        (
            "",
            "a@example.com",
            "long enough password",
            "Choose a username.",
        ),
        (
            "good_name",
            "not-an-email",
            "long enough password",
            "Enter an e-mail address like",
        ),
        (
            "good_name",
            "",
            "long enough password",
            "Enter your e-mail address.",
        ),
        (
            "good_name",
            "a@example.com",
            "short",
            "Use at least 10 characters.",
        ),
        (
            "good_name",
            "a@example.com",
            &"p".repeat(129),
            "Use at most 128 characters.",
        ),
        (
            "good_name",
            "a@example.com",
            "password123",
            "one of the most common",
        ),
        (
            "good_name",
            "a@example.com",
            "good_name",
            "Use at least 10 characters.",
        ),
        (
            "good_name1",
            "a@example.com",
            "good_name1",
            "must not be your username",
        ),
    ];

    for (username, email, password, message) in cases {
        let response = app
            .submit_form(
                "/signup",
                "/signup",
                &[
                    ("username", username),
                    ("email", email),
                    ("password", password),
                ],
            )
            .await;
        assert_eq!(
            response.status(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "{username}/{email}"
        );
        let html = response.text().await.unwrap();
        assert!(
            html.contains(message),
            "{username}/{email}/{password}: expected {message:?}"
        );
        assert!(html.contains("aria-invalid=\"true\""));
    }
}

#[tokio::test]
async fn html_in_a_username_is_shown_as_text() {
    let app = spawn_app().await;

    let response = app
        .submit_form(
            "/signup",
            "/signup",
            &[
                ("username", "<script>alert(1)</script>"),
                ("email", "x@example.com"),
                ("password", "a long password"),
            ],
        )
        .await;

    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = response.text().await.unwrap();
    assert!(!html.contains("<script>alert(1)</script>"));
    assert!(
        html.contains("&#60;script&#62;alert(1)&#60;/script&#62;")
            || html.contains("&lt;script&gt;")
    );
}

#[tokio::test]
async fn members_log_in_with_their_username_or_email_in_any_case() {
    let app = spawn_app().await;
    let user = app.sign_up_new_member().await;
    app.log_out().await;

    for login in [user.username.clone(), user.email.to_uppercase()] {
        let visitor = app.new_visitor();
        let response = visitor.log_in(&login, &user.password).await;
        assert_redirect_to(&response, "/");
        assert_eq!(
            visitor.logged_in_as().await.as_deref(),
            Some(user.username.as_str())
        );
    }
}

#[tokio::test]
async fn an_unknown_user_and_a_wrong_password_look_the_same() {
    let app = spawn_app().await;
    let user = app.sign_up_new_member().await;
    let visitor = app.new_visitor();

    let wrong_password = visitor.log_in(&user.username, "not the password").await;
    let wrong_status = wrong_password.status();
    let wrong_body = wrong_password.text().await.unwrap();
    let unknown = visitor.log_in("nobody_here", "not the password").await;
    let unknown_status = unknown.status();
    let unknown_body = unknown.text().await.unwrap();

    assert_eq!(wrong_status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(unknown_status, wrong_status);
    let message = "That username or e-mail address and password don&#39;t match an account.";
    assert!(wrong_body.contains(message) || wrong_body.contains("don't match an account"));
    assert!(unknown_body.contains("match an account"));
    // The same page but for the echoed login and the form token.
    let strip = |html: &str, login: &str| {
        html.replace(login, "LOGIN")
            .lines()
            .filter(|l| !l.contains("csrf_token"))
            .collect::<Vec<_>>()
            .join("\n")
    };
    assert_eq!(
        strip(&wrong_body, &user.username),
        strip(&unknown_body, "nobody_here")
    );
    assert_eq!(visitor.logged_in_as().await, None);
}

#[tokio::test]
async fn log_in_returns_to_the_page_asked_for_but_never_off_site() {
    let app = spawn_app().await;
    let user = app.sign_up_new_member().await;

    for (next, expected) in [
        ("/settings", "/settings"),
        ("/u/someone?tab=listings", "/u/someone?tab=listings"),
        ("https://evil.example/", "/"),
        ("//evil.example/path", "/"),
        ("/\\evil.example", "/"),
        ("javascript:alert(1)", "/"),
        ("/login", "/"),
    ] {
        let visitor = app.new_visitor();
        let page = format!("/login?next={}", corkboard::web::error::urlencode(next));
        let response = visitor
            .submit_form(
                &page,
                "/login",
                &[
                    ("login", &user.username),
                    ("password", &user.password),
                    ("next", next),
                ],
            )
            .await;
        assert_redirect_to(&response, expected);
    }
}

#[tokio::test]
async fn a_page_for_members_sends_visitors_to_log_in_and_back() {
    let app = spawn_app().await;

    let response = app.get("/settings").await;

    assert_redirect_to(&response, "/login?next=/settings");
    let form = app.get_page("/login?next=/settings").await;
    assert!(form.body.contains("name=\"next\" value=\"/settings\""));
}

#[tokio::test]
async fn the_session_cookie_is_renewed_at_log_in() {
    let app = spawn_app().await;
    let user = app.sign_up_new_member().await;
    app.log_out().await;
    let visitor = app.new_visitor();
    visitor.get_page("/login").await;
    let before = visitor
        .session_cookie()
        .expect("the login form sets a session");

    visitor.log_in(&user.username, &user.password).await;

    let after = visitor.session_cookie().unwrap();
    assert_ne!(before, after);
    // The pre-login cookie grants nothing.
    let replay = app.new_visitor();
    let response = replay
        .client
        .get(replay.url("/settings"))
        .header("Cookie", format!("corkboard_session={before}"))
        .send()
        .await
        .unwrap();
    assert_redirect_to(&response, "/login?next=/settings");
}

#[tokio::test]
async fn the_cookie_is_private_httponly_and_samesite() {
    let app = spawn_app().await;

    let response = app.get("/login").await;

    let cookie = response.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(cookie.starts_with("corkboard_session="));
    assert!(cookie.contains("HttpOnly"));
    assert!(cookie.contains("SameSite=Lax"));
    // Encrypted: the CSRF token inside is not readable from the cookie.
    let page = response.text().await.unwrap();
    let token = crate::helpers::hidden_field(&page, "csrf_token").unwrap();
    assert!(!cookie.contains(&token));
}

/// Replays `cookie` from a fresh client and says whether it is logged in.
async fn cookie_is_logged_in(app: &crate::helpers::TestApp, cookie: &str) -> bool {
    let replay = app.new_visitor();
    let response = replay
        .client
        .get(replay.url("/settings"))
        .header("Cookie", format!("corkboard_session={cookie}"))
        .send()
        .await
        .unwrap();
    response.status() == StatusCode::OK
}

#[tokio::test]
async fn an_old_cookie_is_useless_after_logging_out() {
    let app = spawn_app().await;
    app.sign_up_new_member().await;
    let cookie = app.session_cookie().unwrap();
    assert!(cookie_is_logged_in(&app, &cookie).await);

    let response = app.log_out().await;

    assert_redirect_to(&response, "/");
    assert_eq!(app.logged_in_as().await, None);
    assert!(!cookie_is_logged_in(&app, &cookie).await);
}

#[tokio::test]
async fn logging_out_everywhere_ends_the_sessions_of_other_browsers() {
    let app = spawn_app().await;
    let user = app.sign_up_new_member().await;
    let phone = app.new_visitor();
    phone.log_in(&user.username, &user.password).await;
    assert!(phone.logged_in_as().await.is_some());

    let response = app
        .submit_form("/settings", "/settings/logout-everywhere", &[])
        .await;

    assert_redirect_to(&response, "/login");
    assert_eq!(phone.logged_in_as().await, None);
    assert_eq!(app.logged_in_as().await, None);
}

#[tokio::test]
async fn changing_the_password_ends_other_sessions_but_keeps_this_one() {
    let app = spawn_app().await;
    let user = app.sign_up_new_member().await;
    let phone = app.new_visitor();
    phone.log_in(&user.username, &user.password).await;

    let response = app
        .submit_form(
            "/settings",
            "/settings/password",
            &[
                ("current_password", &user.password),
                ("new_password", "a brand new passphrase"),
            ],
        )
        .await;

    assert_redirect_to(&response, "/settings");
    assert_eq!(
        app.logged_in_as().await.as_deref(),
        Some(user.username.as_str())
    );
    assert_eq!(phone.logged_in_as().await, None);
    let again = app.new_visitor();
    assert_redirect_to(
        &again.log_in(&user.username, "a brand new passphrase").await,
        "/",
    );
    let old = app.new_visitor();
    assert_eq!(
        old.log_in(&user.username, &user.password).await.status(),
        StatusCode::UNPROCESSABLE_ENTITY
    );
}

#[tokio::test]
async fn a_ban_ends_the_members_sessions_and_stops_them_logging_in() {
    let app = spawn_app().await;
    let user = app.sign_up_new_member().await;
    let user_id = {
        let mut conn = app.pool.get().unwrap();
        queries::find_by_login(&mut conn, &user.username)
            .unwrap()
            .unwrap()
            .id
    };

    queries::ban_user(&mut app.pool.get().unwrap(), user_id).unwrap();

    assert_eq!(app.logged_in_as().await, None);
    let response = app
        .new_visitor()
        .log_in(&user.username, &user.password)
        .await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    assert!(response.text().await.unwrap().contains("suspended"));
}

#[tokio::test]
async fn a_hundred_byte_password_is_not_cut_at_72_bytes() {
    let app = spawn_app().await;
    let mut user = TestUser::generate();
    let prefix = "p".repeat(72);
    user.password = format!("{prefix}{}", "a".repeat(28));
    app.sign_up(&user).await;
    app.log_out().await;

    let impostor = format!("{prefix}{}", "b".repeat(28));
    let response = app.log_in(&user.username, &impostor).await;

    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_redirect_to(&app.log_in(&user.username, &user.password).await, "/");
}

#[tokio::test]
async fn wrong_guesses_from_one_address_never_lock_the_owner_out_elsewhere() {
    let app = spawn_app_behind_proxy().await;
    let user = app.sign_up_new_member().await;
    let attacker = app.visitor_from("203.0.113.9");
    for _ in 0..10 {
        let response = attacker.log_in(&user.username, "wrong password!").await;
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    }

    // That address is stopped for that account, even with the right password…
    let blocked = attacker.log_in(&user.username, &user.password).await;
    assert_eq!(blocked.status(), StatusCode::TOO_MANY_REQUESTS);
    let retry_after: u64 = blocked.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=900).contains(&retry_after), "{retry_after}");
    let page = blocked.text().await.unwrap();
    assert!(page.contains("try again"), "{page}");
    assert!(
        page.contains(&user.username),
        "the form keeps what was typed"
    );

    // …but the owner, from another address, gets in (a little slower after the guesses).
    let owner = app.visitor_from("198.51.100.7");
    let started = std::time::Instant::now();
    assert_redirect_to(&owner.log_in(&user.username, &user.password).await, "/");
    assert!(started.elapsed() >= std::time::Duration::from_secs(2));

    // An IPv6 attacker cannot step around the limit by changing the last 64 bits.
    let other = app.visitor_from("192.0.2.1").sign_up_new_member().await;
    for i in 0..10 {
        let hopping = app.visitor_from(&format!("2001:db8:7:7::{i:x}"));
        hopping.log_in(&other.username, "wrong password!").await;
    }
    let hopping = app.visitor_from("2001:db8:7:7::ffff");
    assert_eq!(
        hopping
            .log_in(&other.username, &other.password)
            .await
            .status(),
        StatusCode::TOO_MANY_REQUESTS
    );
}

#[tokio::test]
async fn log_in_limits_end_with_their_window() {
    let app = spawn_app().await;
    let user = app.sign_up_new_member().await;
    let attacker = app.new_visitor();
    for _ in 0..10 {
        attacker.log_in(&user.username, "wrong password!").await;
    }
    assert_eq!(
        attacker
            .log_in(&user.username, &user.password)
            .await
            .status(),
        StatusCode::TOO_MANY_REQUESTS
    );

    // Fifteen minutes later the address may try again.
    diesel::RunQueryDsl::execute(
        diesel::sql_query(
            "UPDATE rate_limits SET window_start = window_start - interval '16 minutes'",
        ),
        &mut app.pool.get().unwrap(),
    )
    .unwrap();
    assert_redirect_to(&attacker.log_in(&user.username, &user.password).await, "/");
}

#[tokio::test]
async fn a_campus_behind_one_address_can_sign_up_together() {
    let app = spawn_app_behind_proxy().await;
    for _ in 0..30 {
        app.visitor_from("192.0.2.10").sign_up_new_member().await;
    }

    // The 31st in the hour is asked to wait, with what they typed kept.
    let late = TestUser::generate();
    let response = app.visitor_from("192.0.2.10").sign_up(&late).await;

    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(response.headers().contains_key("retry-after"));
    let page = response.text().await.unwrap();
    assert!(
        page.contains(&format!("value=\"{}\"", late.username)),
        "{page}"
    );
    assert!(page.contains(&format!("value=\"{}\"", late.email)));
    assert!(page.contains("try again"));
    // Someone elsewhere is not affected.
    app.visitor_from("192.0.3.10").sign_up_new_member().await;
}

#[tokio::test]
async fn a_script_rotating_addresses_in_one_network_is_stopped() {
    let app = spawn_app_behind_proxy().await;
    for i in 1..=100 {
        app.visitor_from(&format!("198.51.100.{i}"))
            .sign_up_new_member()
            .await;
    }

    let response = app
        .visitor_from("198.51.100.200")
        .sign_up(&TestUser::generate())
        .await;

    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
}

#[tokio::test]
async fn the_sign_up_limit_comes_before_saying_an_address_has_an_account() {
    let app = spawn_app_behind_proxy().await;
    let existing = app.visitor_from("192.0.2.1").sign_up_new_member().await;
    // The first try from there sets the counter; push it over the limit.
    app.visitor_from("192.0.2.77").sign_up_new_member().await;
    diesel::RunQueryDsl::execute(
        diesel::sql_query("UPDATE rate_limits SET hits = 1000 WHERE key = 'signup-ip:192.0.2.77'"),
        &mut app.pool.get().unwrap(),
    )
    .unwrap();

    let response = app
        .visitor_from("192.0.2.77")
        .sign_up(&TestUser {
            email: existing.email.clone(),
            ..TestUser::generate()
        })
        .await;

    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(!response.text().await.unwrap().contains("has an account"));
}

#[tokio::test]
async fn current_password_checks_are_rate_limited() {
    let app = spawn_app().await;
    let user = app.sign_up_new_member().await;
    for _ in 0..10 {
        let response = app
            .submit_form(
                "/settings",
                "/settings/delete",
                &[("current_password", "not my password")],
            )
            .await;
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    }

    for (action, fields) in [
        (
            "/settings/delete",
            vec![("current_password", user.password.as_str())],
        ),
        (
            "/settings/email",
            vec![
                ("email", "new@example.com"),
                ("current_password", user.password.as_str()),
            ],
        ),
        (
            "/settings/password",
            vec![
                ("current_password", user.password.as_str()),
                ("new_password", "another long passphrase"),
            ],
        ),
    ] {
        let response = app.submit_form("/settings", action, &fields).await;
        assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS, "{action}");
        assert!(
            response
                .text()
                .await
                .unwrap()
                .contains("Too many password attempts")
        );
    }
    assert!(
        app.logged_in_as().await.is_some(),
        "the account was not deleted"
    );
}
