//! The security baseline: CSRF on every state-changing route, headers on every response,
//! caching of private pages, body limits.

use corkboard::startup::state_changing_routes;
use reqwest::StatusCode;

use crate::helpers::{TestApp, spawn_app};

/// A concrete path for a route pattern.
fn sample_path(pattern: &str) -> String {
    pattern
        .split('/')
        .map(|segment| {
            if segment.starts_with('{') {
                "1"
            } else {
                segment
            }
        })
        .collect::<Vec<_>>()
        .join("/")
}

async fn assert_refused(app: &TestApp, response: reqwest::Response, what: &str) {
    assert_eq!(response.status(), StatusCode::FORBIDDEN, "{what}");
    let body = response.text().await.unwrap();
    assert!(body.contains("Reload the page"), "{what}: {body}");
    let _ = app;
}

#[tokio::test]
async fn every_state_changing_route_needs_the_csrf_token() {
    let app = spawn_app().await;
    app.sign_up_new_member().await;
    let token = crate::helpers::hidden_field(&app.get_page("/settings").await.body, "csrf_token")
        .expect("a form token");
    let routes = state_changing_routes();
    assert!(routes.len() >= 9, "{routes:?}");

    for (method, pattern) in routes {
        let path = sample_path(&pattern);
        let url = app.url(&path);
        let what = format!("{method} {path}");

        let missing = app
            .client
            .request(method.as_str().parse().unwrap(), &url)
            .header("Origin", &app.address)
            .form(&[("x", "1")])
            .send()
            .await
            .unwrap();
        assert_refused(&app, missing, &format!("{what} without a token")).await;

        let wrong = app
            .client
            .request(method.as_str().parse().unwrap(), &url)
            .header("Origin", &app.address)
            .form(&[("csrf_token", "0".repeat(64).as_str())])
            .send()
            .await
            .unwrap();
        assert_refused(&app, wrong, &format!("{what} with a wrong token")).await;

        let cross_site = app
            .client
            .request(method.as_str().parse().unwrap(), &url)
            .header("Origin", "https://evil.example")
            .form(&[("csrf_token", token.as_str())])
            .send()
            .await
            .unwrap();
        assert_refused(&app, cross_site, &format!("{what} from another origin")).await;
    }
    // None of that logged anyone out or changed anything.
    assert!(app.logged_in_as().await.is_some());
}

#[tokio::test]
async fn a_forged_referer_is_refused_when_there_is_no_origin() {
    let app = spawn_app().await;
    let page = app.get_page("/login").await.body;
    let token = crate::helpers::hidden_field(&page, "csrf_token").unwrap();
    let log_in_with_referer = |referer: String| {
        app.client
            .post(app.url("/login"))
            .header("Referer", referer)
            .form(&[
                ("csrf_token", token.as_str()),
                ("login", "x"),
                ("password", "y"),
            ])
            .send()
    };

    let forged = log_in_with_referer("https://evil.example/page".into())
        .await
        .unwrap();
    // The control: the same form from this site's own page is let through (to a wrong
    // password, which is a 422, not a 403).
    let own = log_in_with_referer(app.url("/login")).await.unwrap();

    assert_eq!(forged.status(), StatusCode::FORBIDDEN);
    assert_eq!(own.status(), StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn proxy_headers_cannot_vouch_for_another_origin_unless_trusted() {
    let app = spawn_app().await;
    let page = app.get_page("/login").await.body;
    let token = crate::helpers::hidden_field(&page, "csrf_token").unwrap();

    for (name, value) in [
        ("X-Forwarded-Host", "evil.example"),
        ("Forwarded", "host=evil.example;proto=https"),
    ] {
        let response = app
            .client
            .post(app.url("/login"))
            .header("Origin", "https://evil.example")
            .header("X-Forwarded-Proto", "https")
            .header(name, value)
            .form(&[
                ("csrf_token", token.as_str()),
                ("login", "x"),
                ("password", "y"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::FORBIDDEN, "{name}");
    }
}

#[tokio::test]
async fn form_tokens_never_travel_in_urls_and_differ_on_every_page() {
    use reqwest::multipart::{Form, Part};
    let app = spawn_app().await;
    app.sign_up_new_member().await;
    let a = crate::helpers::hidden_field(&app.get_ok_page("/settings").await.body, "csrf_token")
        .unwrap();
    let b = crate::helpers::hidden_field(&app.get_ok_page("/settings").await.body, "csrf_token")
        .unwrap();
    // Masked afresh for every page (BREACH), the same secret inside.
    assert_ne!(a, b);
    let html = app.get_ok_page("/settings").await.body;
    assert!(!html.contains("csrf_token="), "a token in a URL");
    let avatar = || Part::bytes(crate::helpers::png(64, 64)).file_name("me.png".to_owned());
    let send = |url: String, form: Form| {
        app.client
            .post(app.url(&url))
            .header("Origin", &app.address)
            .multipart(form)
            .send()
    };

    // In the URL: refused, though the token is right.
    let in_url = send(
        format!("/settings/avatar?csrf_token={a}"),
        Form::new().part("avatar", avatar()),
    )
    .await
    .unwrap();
    assert_eq!(in_url.status(), StatusCode::FORBIDDEN);
    // After the file: refused (it must come before any file is read).
    let after_file = send(
        "/settings/avatar".into(),
        Form::new()
            .part("avatar", avatar())
            .text("csrf_token", a.clone()),
    )
    .await
    .unwrap();
    assert_eq!(after_file.status(), StatusCode::FORBIDDEN);
    // First field: accepted, with either page's token.
    for token in [a, b] {
        let first = send(
            "/settings/avatar".into(),
            Form::new()
                .text("csrf_token", token)
                .part("avatar", avatar()),
        )
        .await
        .unwrap();
        assert_eq!(first.status(), StatusCode::SEE_OTHER);
    }
}

#[tokio::test]
async fn the_security_headers_are_on_pages_errors_and_static_files() {
    let app = spawn_app().await;
    let user = app.sign_up_new_member().await;
    let css = {
        let html = app.get_page("/").await.body;
        let at = html.find("/static/").unwrap();
        html[at..at + html[at..].find('"').unwrap()].to_owned()
    };
    // A real 500: the table behind profiles disappears.
    let broken = spawn_app().await;
    diesel::RunQueryDsl::execute(
        diesel::sql_query("DROP TABLE user_sessions, users CASCADE"),
        &mut broken.pool.get().unwrap(),
    )
    .unwrap();

    let checks = [
        (app.get("/").await, StatusCode::OK),
        (
            app.get(&format!("/u/{}", user.username)).await,
            StatusCode::OK,
        ),
        (app.get("/nope").await, StatusCode::NOT_FOUND),
        (app.get(&css).await, StatusCode::OK),
        (app.get("/healthz").await, StatusCode::OK),
        (app.get("/readyz").await, StatusCode::OK),
        (
            broken.get("/u/anyone").await,
            StatusCode::INTERNAL_SERVER_ERROR,
        ),
    ];

    for (response, status) in checks {
        let what = response.url().path().to_owned();
        assert_eq!(response.status(), status, "{what}");
        let headers = response.headers();
        let csp = headers["content-security-policy"].to_str().unwrap();
        assert!(
            csp.contains("frame-ancestors 'none'")
                && csp.contains("script-src 'self'")
                && !csp.contains("unsafe-inline"),
            "{what}: {csp}"
        );
        assert_eq!(headers["x-content-type-options"], "nosniff", "{what}");
        assert_eq!(headers["referrer-policy"], "same-origin", "{what}");
        assert!(!headers.contains_key("server"), "{what}");
        if status == StatusCode::INTERNAL_SERVER_ERROR {
            let body = response.text().await.unwrap();
            assert!(body.contains("Something went wrong"));
            assert!(
                !body.contains("relation"),
                "the 500 page leaks the database error"
            );
        }
    }
}

#[tokio::test]
async fn pages_shown_to_a_member_are_not_stored_by_caches() {
    let app = spawn_app().await;
    let anonymous_home = app.get("/").await;
    assert!(!anonymous_home.headers().contains_key("cache-control"));
    app.sign_up_new_member().await;

    for path in ["/", "/settings"] {
        let response = app.get(path).await;
        let cache = response.headers()["cache-control"]
            .to_str()
            .unwrap()
            .to_owned();
        assert!(cache.contains("no-store"), "{path}: {cache}");
    }
}

#[tokio::test]
async fn an_oversized_form_is_a_413_page() {
    let app = spawn_app().await;
    let page = app.get_page("/login").await.body;
    let token = crate::helpers::hidden_field(&page, "csrf_token").unwrap();
    let huge = "x".repeat(200 * 1024);

    let response = app
        .post_form(
            "/login",
            &[("csrf_token", token.as_str()), ("login", huge.as_str())],
        )
        .await;

    assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE);
    assert!(response.text().await.unwrap().contains("Too large"));
}

#[tokio::test]
async fn a_malformed_form_is_a_400_page() {
    let app = spawn_app().await;
    let page = app.get_page("/login").await.body;
    let token = crate::helpers::hidden_field(&page, "csrf_token").unwrap();

    let response = app
        .client
        .post(app.url("/login"))
        .header("Origin", &app.address)
        .header("X-CSRF-Token", &token)
        .header("Content-Type", "application/json")
        .body("{\"login\": 1}")
        .send()
        .await
        .unwrap();

    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert!(response.text().await.unwrap().contains("Bad request"));
}

#[tokio::test]
async fn a_nul_byte_anywhere_is_a_400_or_404_never_a_500() {
    use reqwest::multipart::Part;
    let app = spawn_app().await;
    app.sign_up_new_member().await;

    for (path, status) in [
        ("/u/%00", StatusCode::NOT_FOUND),
        ("/c/for-sale%00", StatusCode::NOT_FOUND),
        ("/listings/1/a%00b", StatusCode::NOT_FOUND),
        ("/search?q=lamp%00", StatusCode::BAD_REQUEST),
        (
            "/search?in=for-sale/furniture&attr_condition=%00",
            StatusCode::BAD_REQUEST,
        ),
        ("/login?next=%00", StatusCode::BAD_REQUEST),
    ] {
        assert_eq!(app.get(path).await.status(), status, "{path}");
    }
    let login = app
        .submit_form(
            "/settings",
            "/settings/profile",
            &[("display_name", "a\0b")],
        )
        .await;
    assert_eq!(login.status(), StatusCode::BAD_REQUEST);
    let anonymous = app.new_visitor();
    let response = anonymous
        .submit_form("/login", "/login", &[("login", "x\0"), ("password", "y")])
        .await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let furniture = app.category_id("for-sale", "furniture");
    let form = app
        .multipart_form(&format!("/listings/new?category={furniture}"))
        .await
        .text("title", "Nul\0title")
        .part(
            "photos",
            Part::bytes(crate::helpers::png(20, 20)).file_name("a.png".to_owned()),
        );
    let response = app
        .post_multipart(&format!("/listings/new?category={furniture}"), form)
        .await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn browsers_are_told_to_keep_to_https_when_the_site_is_https() {
    let plain = spawn_app().await;
    let https = crate::helpers::spawn_app_configured(|state| {
        state.site.public_url = "https://corkboard.example".into();
    })
    .await;

    assert!(
        !plain
            .get("/")
            .await
            .headers()
            .contains_key("strict-transport-security")
    );
    let header = https.get("/").await.headers()["strict-transport-security"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(header.starts_with("max-age=31536000"), "{header}");
}

#[tokio::test]
async fn every_admin_route_is_behind_the_admin_guard() {
    let app = spawn_app().await;
    let member = app.new_visitor();
    member.sign_up_new_member().await;
    // Something for the routes with an id to find, so the admin's GETs are pages: a listing,
    // the member, and a reported message of theirs.
    let listing = crate::helpers::TestListing::default().insert(&app);
    let mut conn = app.pool.get().unwrap();
    for sql in [
        "INSERT INTO conversations (kind, started_by) SELECT 'direct', min(id) FROM users",
        "INSERT INTO conversation_members (conversation_id, user_id)
         SELECT max(c.id), min(u.id) FROM conversations c, users u",
        "INSERT INTO messages (conversation_id, member_id, kind, body)
         SELECT conversation_id, id, 'text', 'Hello' FROM conversation_members",
        "INSERT INTO message_reports (message_id, reporter_id, reason)
         SELECT max(m.id), min(u.id), 'Rude' FROM messages m, users u",
    ] {
        diesel::RunQueryDsl::execute(diesel::sql_query(sql), &mut conn).unwrap();
    }
    drop(conn);
    let id_for = |path: &str| -> String {
        let table = if path.contains("/reports/messages/") {
            "messages"
        } else if path.contains("/members/") || path.contains("/reports/profiles/") {
            "users"
        } else if path.contains("/appeals/") {
            return "1".into();
        } else {
            return listing.to_string();
        };
        #[derive(diesel::QueryableByName)]
        struct Id {
            #[diesel(sql_type = diesel::sql_types::BigInt)]
            id: i64,
        }
        let found: Id = diesel::RunQueryDsl::get_result(
            diesel::sql_query(format!("SELECT min(id) AS id FROM {table}")),
            &mut app.pool.get().unwrap(),
        )
        .unwrap();
        found.id.to_string()
    };
    let admin_routes: Vec<(reqwest::Method, String)> = corkboard::startup::route_table()
        .into_iter()
        .filter(|def| def.scope == corkboard::web::routes::Scope::Admin)
        .map(|def| {
            let path = def.full_path();
            (
                def.method.as_str().parse().unwrap(),
                path.replace("{id}", &id_for(&path)),
            )
        })
        .map(|(method, path)| (method, sample_path(&path)))
        .collect();
    assert!(!admin_routes.is_empty());
    let admin = app.new_visitor();
    let admin_user = admin.sign_up_new_member().await;
    diesel::RunQueryDsl::execute(
        diesel::sql_query("UPDATE users SET role = 'admin' WHERE username = $1")
            .bind::<diesel::sql_types::Text, _>(&admin_user.username),
        &mut app.pool.get().unwrap(),
    )
    .unwrap();

    for (method, path) in &admin_routes {
        // A POST carries a valid CSRF token, so it is the admin guard that answers.
        let (visitor, refused) = if *method == reqwest::Method::GET {
            (app.new_visitor().get(path).await, member.get(path).await)
        } else {
            assert_eq!(*method, reqwest::Method::POST, "{path}");
            (
                app.new_visitor().submit_form("/login", path, &[]).await,
                member.submit_form("/settings", path, &[]).await,
            )
        };
        assert_eq!(visitor.status(), StatusCode::SEE_OTHER, "{method} {path}");
        assert!(
            visitor.headers()["location"]
                .to_str()
                .unwrap()
                .starts_with("/login?next="),
            "{method} {path}"
        );
        assert_eq!(refused.status(), StatusCode::FORBIDDEN, "{method} {path}");
        assert_eq!(
            refused.headers()["cache-control"],
            "no-store",
            "{method} {path}"
        );
        if *method == reqwest::Method::GET {
            let page = admin.get(path).await;
            assert_eq!(page.status(), StatusCode::OK, "{method} {path}");
            // Admin pages are never kept by a cache.
            assert!(
                page.headers()["cache-control"]
                    .to_str()
                    .unwrap()
                    .contains("no-store"),
                "{method} {path}"
            );
        }
    }
    // No admin link for members; one for admins.
    assert!(
        !member
            .get_ok_page("/")
            .await
            .body
            .contains("href=\"/admin\"")
    );
    assert!(
        admin
            .get_ok_page("/")
            .await
            .body
            .contains("href=\"/admin\"")
    );
}

#[tokio::test]
async fn the_api_scope_answers_with_problem_documents() {
    let app = spawn_app().await;

    let response = app.get("/api/v1/no-such-thing").await;

    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    assert_eq!(
        response.headers()["content-type"],
        "application/problem+json"
    );
    let problem: serde_json::Value = response.json().await.unwrap();
    assert_eq!(problem["status"], 404);
    assert_eq!(problem["title"], "Page not found");
    // The pages keep their HTML error pages.
    let page = app.get("/no-such-thing").await;
    assert!(
        page.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
}
