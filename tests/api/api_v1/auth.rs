//! Signing up, tokens (issue, refresh, log out) and the caller's account, through the API.

use reqwest::StatusCode;
use serde_json::json;

use super::ApiClient;
use crate::helpers::{TestUser, spawn_app};

#[tokio::test]
async fn a_program_signs_up_gets_tokens_and_reads_its_account() {
    let app = spawn_app().await;
    let api = ApiClient::new(&app);
    let user = TestUser::generate();

    let created = api.create_user(&user).await;
    assert_eq!(created.status, StatusCode::CREATED, "{:?}", created.body);
    assert_eq!(created.content_type(), "application/json");
    assert_eq!(created.body["username"], user.username.as_str());
    assert_eq!(created.body["email"], user.email.as_str());
    assert_eq!(created.body["email_verified"], false);
    assert!(created.body["id"].as_i64().unwrap() > 0);
    assert!(created.body.get("password_hash").is_none());
    // The same confirmation mail as a sign-up on the page.
    app.run_jobs().await;
    let mails = app.mail_files();
    assert!(
        mails
            .iter()
            .any(|m| m.to.contains(&user.email) && m.text.contains("/verify-email?token=")),
        "a confirmation mail was sent"
    );

    let tokens = api.tokens_for(&user).await;
    assert_eq!(tokens["token_type"], "Bearer");
    assert_eq!(tokens["expires_in"], 900);
    assert_eq!(tokens["refresh_expires_in"], 30 * 86_400);
    let refresh = tokens["refresh_token"].as_str().unwrap();
    assert!(refresh.starts_with("cbr_") && refresh.len() > 60);
    // Claims readable by the client: sub, iat, exp, jti and the epoch.
    let access = tokens["access_token"].as_str().unwrap();
    let claims = app.access_tokens().verify(access).expect("a valid token");
    assert_eq!(claims.user_id(), Some(app.user_id(&user.username)));
    assert_eq!(claims.exp - claims.iat, 900);

    let me = ApiClient::with_token(&app, access).get("/me").await;
    assert_eq!(me.status, StatusCode::OK);
    assert_eq!(me.body["username"], user.username.as_str());
    assert_eq!(me.body["id"], created.body["id"]);
    assert_eq!(me.headers["cache-control"], "no-store");

    // The account is an ordinary one: the same name and password log in on the pages.
    let visitor = app.new_visitor();
    let response = visitor.log_in(&user.email, &user.password).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn a_sign_up_names_every_bad_field_at_once() {
    let app = spawn_app().await;
    let api = ApiClient::new(&app);

    let answer = api
        .post(
            "/users",
            json!({"username": "a", "email": "not-an-address", "password": "password"}),
        )
        .await;
    assert_eq!(answer.bad_fields(), ["email", "password", "username"]);
    assert_eq!(answer.body["detail"], "3 fields are not valid.");
    for error in answer.body["errors"].as_array().unwrap() {
        assert!(!error["message"].as_str().unwrap().is_empty());
    }

    // Missing fields are fields to fill in, not a parse error.
    let answer = api.post("/users", json!({})).await;
    assert_eq!(answer.bad_fields(), ["email", "password", "username"]);

    // A name and an address that are taken, both at once.
    let taken = app.sign_up_new_member().await;
    let answer = api
        .post(
            "/users",
            json!({
                "username": taken.username.to_uppercase(),
                "email": taken.email,
                "password": "a long new password 1",
            }),
        )
        .await;
    assert_eq!(answer.bad_fields(), ["email", "username"]);

    // A field of the wrong type is named too.
    let answer = api
        .post(
            "/users",
            json!({"username": 7, "email": "a@example.com", "password": "x"}),
        )
        .await;
    assert_eq!(answer.bad_fields(), ["username"]);

    // Not JSON, or not said to be: 400 and 415, as problem documents.
    let raw = reqwest::Client::new()
        .post(format!("{}/api/v1/users", app.address))
        .header("content-type", "application/json")
        .body("{\"username\": ")
        .send()
        .await
        .unwrap();
    assert_eq!(raw.status(), StatusCode::BAD_REQUEST);
    assert_eq!(raw.headers()["content-type"], "application/problem+json");
    let raw = reqwest::Client::new()
        .post(format!("{}/api/v1/users", app.address))
        .form(&[("username", "someone")])
        .send()
        .await
        .unwrap();
    assert_eq!(raw.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert_eq!(raw.headers()["content-type"], "application/problem+json");
    let body: serde_json::Value = raw.json().await.unwrap();
    assert!(
        body["detail"]
            .as_str()
            .unwrap()
            .contains("application/json")
    );

    // Nothing was made by any of it.
    #[derive(diesel::QueryableByName)]
    struct Count {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    use diesel::RunQueryDsl;
    let count: Count = diesel::sql_query("SELECT count(*) AS n FROM users")
        .get_result(&mut app.pool.get().unwrap())
        .unwrap();
    assert_eq!(count.n, 1);
}

#[tokio::test]
async fn sign_ups_are_rate_limited_like_the_pages() {
    let app = spawn_app().await;
    let api = ApiClient::new(&app);
    for _ in 0..30 {
        let answer = api.create_user(&TestUser::generate()).await;
        assert_eq!(answer.status, StatusCode::CREATED);
    }
    let answer = api.create_user(&TestUser::generate()).await;
    answer.problem(429);
    let wait: u64 = answer.headers["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(wait > 0);
}

#[tokio::test]
async fn a_wrong_password_is_a_401_and_a_missing_one_a_422() {
    let app = spawn_app().await;
    let api = ApiClient::new(&app);
    let user = app.sign_up_new_member().await;

    let answer = api
        .post(
            "/auth/token",
            json!({"login": user.username, "password": "not the password"}),
        )
        .await;
    let problem = answer.problem(401);
    assert_eq!(
        problem["detail"],
        "That username or e-mail address and password don't match an account."
    );
    // An unknown name reads the same.
    let unknown = api
        .post(
            "/auth/token",
            json!({"login": "nobody_here", "password": "not the password"}),
        )
        .await;
    assert_eq!(unknown.problem(401)["detail"], problem["detail"]);

    let answer = api.post("/auth/token", json!({"login": " "})).await;
    assert_eq!(answer.bad_fields(), ["login", "password"]);

    // The e-mail address logs in as well as the name.
    let tokens = api
        .post(
            "/auth/token",
            json!({"login": user.email, "password": user.password}),
        )
        .await;
    assert_eq!(tokens.status, StatusCode::OK);
}

#[tokio::test]
async fn missing_expired_forged_and_unsigned_tokens_are_refused() {
    let app = spawn_app().await;
    let (api, user) = ApiClient::new_member(&app).await;
    assert_eq!(api.get("/me").await.status, StatusCode::OK);
    let id = app.user_id(&user.username);

    let anonymous = ApiClient::new(&app);
    let answer = anonymous.get("/me").await;
    answer.problem(401);
    assert_eq!(answer.headers["www-authenticate"], r#"Bearer realm="api""#);

    let expired = app
        .access_tokens()
        .issue_at(id, 0, chrono::Utc::now() - chrono::Duration::minutes(16))
        .unwrap()
        .token;
    let answer = ApiClient::with_token(&app, &expired).get("/me").await;
    assert!(
        answer.problem(401)["detail"]
            .as_str()
            .unwrap()
            .contains("expired")
    );
    assert_eq!(
        answer.headers["www-authenticate"],
        r#"Bearer realm="api", error="invalid_token""#
    );

    // Signed with another key (another site's secret).
    let foreign = corkboard::web::jwt::AccessTokens::new(&[7; 32])
        .issue(id, 0)
        .unwrap()
        .token;
    ApiClient::with_token(&app, &foreign)
        .get("/me")
        .await
        .problem(401);

    // `alg: none` with the right claims and no signature.
    use base64::Engine;
    let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let now = chrono::Utc::now().timestamp();
    let unsigned = format!(
        "{}.{}.",
        b64.encode(r#"{"alg":"none","typ":"JWT"}"#),
        b64.encode(format!(
            r#"{{"sub":"{}","iat":{now},"exp":{},"jti":"x","auth_epoch":0}}"#,
            id.0,
            now + 600
        ))
    );
    ApiClient::with_token(&app, &unsigned)
        .get("/me")
        .await
        .problem(401);

    // Not a bearer token at all.
    let basic = reqwest::Client::new()
        .get(format!("{}/api/v1/me", app.address))
        .basic_auth(&user.username, Some(&user.password))
        .send()
        .await
        .unwrap();
    assert_eq!(basic.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn a_refresh_token_works_once_and_its_reuse_ends_the_family() {
    let app = spawn_app().await;
    let api = ApiClient::new(&app);
    let user = app.sign_up_new_member().await;
    let first = api.tokens_for(&user).await;
    let other_login = api.tokens_for(&user).await;

    let refresh = |token: &serde_json::Value| json!({"refresh_token": token.as_str().unwrap()});
    let second = api
        .post("/auth/refresh", refresh(&first["refresh_token"]))
        .await;
    assert_eq!(second.status, StatusCode::OK);
    assert_ne!(second.body["refresh_token"], first["refresh_token"]);
    assert_ne!(second.body["access_token"], first["access_token"]);
    let access = second.body["access_token"].as_str().unwrap();
    assert_eq!(
        ApiClient::with_token(&app, access).get("/me").await.status,
        StatusCode::OK
    );

    // The first refresh token again: refused, and the one it led to is ended with it.
    let reused = api
        .post("/auth/refresh", refresh(&first["refresh_token"]))
        .await;
    assert!(
        reused.problem(401)["detail"]
            .as_str()
            .unwrap()
            .contains("Log in again")
    );
    api.post("/auth/refresh", refresh(&second.body["refresh_token"]))
        .await
        .problem(401);
    // Another log-in of the same member is another family, untouched.
    let elsewhere = api
        .post("/auth/refresh", refresh(&other_login["refresh_token"]))
        .await;
    assert_eq!(elsewhere.status, StatusCode::OK);

    // Made-up and empty tokens.
    api.post("/auth/refresh", json!({"refresh_token": "cbr_0000"}))
        .await
        .problem(401);
    assert_eq!(
        api.post("/auth/refresh", json!({})).await.bad_fields(),
        ["refresh_token"]
    );
}

#[tokio::test]
async fn logging_out_ends_the_refresh_family() {
    let app = spawn_app().await;
    let api = ApiClient::new(&app);
    let user = app.sign_up_new_member().await;
    let tokens = api.tokens_for(&user).await;
    let refresh_token = tokens["refresh_token"].as_str().unwrap();
    let next = api
        .post("/auth/refresh", json!({"refresh_token": refresh_token}))
        .await;
    let latest = next.body["refresh_token"].as_str().unwrap();

    // Logging out with any token of the family ends all of it.
    let answer = api
        .post("/auth/logout", json!({"refresh_token": refresh_token}))
        .await;
    assert_eq!(answer.status, StatusCode::NO_CONTENT);
    api.post("/auth/refresh", json!({"refresh_token": latest}))
        .await
        .problem(401);
    // Again, or with a token that never was: the same quiet answer.
    let again = api
        .post("/auth/logout", json!({"refresh_token": latest}))
        .await;
    assert_eq!(again.status, StatusCode::NO_CONTENT);
}

#[tokio::test]
async fn logging_out_everywhere_a_new_password_or_a_ban_end_api_access_at_once() {
    let app = spawn_app().await;
    let (visitor, user) = app.new_member().await;
    let api = ApiClient::new(&app);

    // Log out everywhere, on the settings page.
    let tokens = api.tokens_for(&user).await;
    let access = ApiClient::with_token(&app, tokens["access_token"].as_str().unwrap());
    assert_eq!(access.get("/me").await.status, StatusCode::OK);
    let response = visitor
        .submit_form("/settings", "/settings/logout-everywhere", &[])
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert!(
        access.get("/me").await.problem(401)["detail"]
            .as_str()
            .unwrap()
            .contains("no longer valid")
    );
    api.post(
        "/auth/refresh",
        json!({"refresh_token": tokens["refresh_token"]}),
    )
    .await
    .problem(401);

    // A ban.
    let tokens = api.tokens_for(&user).await;
    let access = ApiClient::with_token(&app, tokens["access_token"].as_str().unwrap());
    assert_eq!(access.get("/me").await.status, StatusCode::OK);
    corkboard::accounts::queries::ban_user(
        &mut app.pool.get().unwrap(),
        app.user_id(&user.username),
    )
    .unwrap();
    access.get("/me").await.problem(401);
    api.post(
        "/auth/refresh",
        json!({"refresh_token": tokens["refresh_token"]}),
    )
    .await
    .problem(401);
    let answer = api
        .post(
            "/auth/token",
            json!({"login": user.username, "password": user.password}),
        )
        .await;
    assert!(
        answer.problem(403)["detail"]
            .as_str()
            .unwrap()
            .contains("suspended")
    );
}

#[tokio::test]
async fn the_api_never_reads_the_session_cookie_and_takes_no_csrf_token() {
    let app = spawn_app().await;
    let (visitor, user) = app.new_member().await;
    assert!(visitor.logged_in_as().await.is_some());

    // A logged-in browser's cookie is not a credential here: reads and writes are 401.
    let read = visitor.get("/api/v1/me").await;
    assert_eq!(read.status(), StatusCode::UNAUTHORIZED);
    let write = visitor
        .client
        .patch(visitor.url("/api/v1/me"))
        .json(&json!({"bio": "written with a cookie"}))
        .send()
        .await
        .unwrap();
    assert_eq!(write.status(), StatusCode::UNAUTHORIZED);
    assert!(write.headers().get("set-cookie").is_none());

    // A bearer token needs no CSRF token.
    let tokens = ApiClient::new(&app).tokens_for(&user).await;
    let api = ApiClient::with_token(&app, tokens["access_token"].as_str().unwrap());
    let answer = api
        .patch("/me", json!({"bio": "written with a token"}))
        .await;
    assert_eq!(answer.status, StatusCode::OK);
    assert_eq!(answer.body["bio"], "written with a token");

    // The pages keep theirs: the same change as a form without the token is refused.
    let refused = visitor
        .post_form(
            "/settings/profile",
            &[("display_name", ""), ("bio", "no token"), ("home_zip", "")],
        )
        .await;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    assert_eq!(api.get("/me").await.body["bio"], "written with a token");
}

#[tokio::test]
async fn patching_the_account_changes_only_what_is_sent() {
    let app = spawn_app().await;
    let (api, _) = ApiClient::new_member(&app).await;

    let answer = api
        .patch(
            "/me",
            json!({"display_name": "Ada L.", "home_zip": "10001"}),
        )
        .await;
    assert_eq!(answer.status, StatusCode::OK, "{:?}", answer.body);
    let answer = api.patch("/me", json!({"bio": "Bikes and books."})).await;
    assert_eq!(answer.body["display_name"], "Ada L.");
    assert_eq!(answer.body["home_zip"], "10001");
    assert_eq!(answer.body["bio"], "Bikes and books.");

    let answer = api
        .patch(
            "/me",
            json!({"display_name": "x".repeat(200), "home_zip": "00000"}),
        )
        .await;
    assert_eq!(answer.bad_fields(), ["display_name", "home_zip"]);
    assert_eq!(api.get("/me").await.body["display_name"], "Ada L.");

    // An empty ZIP clears it.
    let answer = api.patch("/me", json!({"home_zip": ""})).await;
    assert_eq!(answer.body["home_zip"], serde_json::Value::Null);
}

#[tokio::test]
async fn the_api_limits_requests_per_account_and_per_network() {
    let app = crate::helpers::spawn_app_configured(|state| {
        state.auth.api_rate_per_minute = 8;
        state.auth.api_account_rate_per_minute = 3;
    })
    .await;
    // Signing up and getting tokens: two requests from this network.
    let (api, _) = ApiClient::new_member(&app).await;
    for _ in 0..3 {
        assert_eq!(api.get("/me").await.status, StatusCode::OK);
    }
    let account = api.get("/me").await;
    let detail = account.problem(429)["detail"].as_str().unwrap().to_owned();
    assert!(detail.contains("for this account"), "{detail}");
    let wait: u64 = account.headers["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=60).contains(&wait), "{wait}");

    // Six requests so far; two more from anyone here, then the network is refused too.
    let anonymous = ApiClient::new(&app);
    for _ in 0..2 {
        assert_eq!(anonymous.get("/categories").await.status, StatusCode::OK);
    }
    let network = anonymous.get("/categories").await;
    assert!(
        network.problem(429)["detail"]
            .as_str()
            .unwrap()
            .contains("from your network")
    );
    assert!(network.headers.contains_key("retry-after"));
    // The pages are not the API's budget.
    assert_eq!(app.new_visitor().get("/").await.status(), StatusCode::OK);
}
