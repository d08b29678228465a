//! The OpenAPI document: served, well formed, and describing exactly the API's routes.

use std::collections::BTreeSet;

use reqwest::StatusCode;

use super::ApiClient;
use crate::helpers::spawn_app;
use corkboard::web::routes::Scope;

#[tokio::test]
async fn the_document_describes_every_api_route_and_nothing_else() {
    let app = spawn_app().await;
    let answer = ApiClient::new(&app).get("/openapi.json").await;
    assert_eq!(answer.status, StatusCode::OK);
    let doc = answer.body;
    assert!(doc["openapi"].as_str().unwrap().starts_with("3.1"));
    assert_eq!(doc["info"]["title"], "Corkboard API");
    assert_eq!(
        doc["components"]["securitySchemes"]["bearer"]["scheme"],
        "bearer"
    );

    let documented: BTreeSet<(String, String)> = doc["paths"]
        .as_object()
        .unwrap()
        .iter()
        .flat_map(|(path, item)| {
            item.as_object()
                .unwrap()
                .keys()
                .map(move |method| (method.to_uppercase(), path.clone()))
        })
        .collect();
    // The document itself is the one route it does not describe.
    let routed: BTreeSet<(String, String)> = corkboard::startup::route_table()
        .into_iter()
        .filter(|def| def.scope == Scope::Api && def.path != "/openapi.json")
        .map(|def| (def.method.to_string(), def.full_path()))
        .collect();
    assert_eq!(documented, routed);

    // Every operation that takes anything says how it refuses it, and every schema the
    // document names is defined.
    let text = doc.to_string();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            let takes_input =
                operation.get("parameters").is_some() || operation.get("requestBody").is_some();
            let responses = operation["responses"].as_object().unwrap();
            assert!(
                !takes_input || responses.keys().any(|code| code.starts_with('4')),
                "{method} {path} has no error answer"
            );
        }
    }
    let schemas = doc["components"]["schemas"].as_object().unwrap();
    for name in text.split("#/components/schemas/").skip(1) {
        let name = &name[..name.find('"').unwrap()];
        assert!(schemas.contains_key(name), "{name} is not defined");
    }
}

#[tokio::test]
async fn an_unknown_api_path_is_a_problem_document() {
    let app = spawn_app().await;
    let api = ApiClient::new(&app);
    let answer = api.get("/no/such/thing").await;
    answer.problem(404);
    // Never an HTML page under the API, whatever went wrong.
    let answer = api.send(reqwest::Method::DELETE, "/me", None).await;
    assert!(answer.status.is_client_error());
    assert_eq!(answer.content_type(), "application/problem+json");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_reference_page_renders_the_document_offline_under_the_csp() {
    let app = spawn_app().await;
    let page = app.get_ok_page("/api/docs").await;
    let csp = page.headers["content-security-policy"].to_str().unwrap();
    assert!(csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"));
    // Everything it loads comes from this site.
    assert!(!page.body.contains("//cdn") && !page.body.contains("unpkg"));
    assert!(page.body.contains("/static/") && page.body.contains("swagger-ui-bundle.js"));

    let operations = ApiClient::new(&app).get("/openapi.json").await.body["paths"]
        .as_object()
        .unwrap()
        .values()
        .map(|item| item.as_object().unwrap().len())
        .sum::<usize>();
    let browser = crate::helpers::Browser::start().await;
    browser.client.goto(&app.url("/api/docs")).await.unwrap();
    browser
        .wait_for_text(".swagger-ui .title", "Corkboard API")
        .await;
    let shown = browser
        .client
        .execute(
            "return document.querySelectorAll('.swagger-ui .opblock').length",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(shown, operations, "every operation is listed");
    // It passes axe like every page of the site, at a desktop's width and a phone's.
    for (width, height) in [(1280, 900), (390, 844)] {
        browser.resize(width, height).await;
        browser.client.goto(&app.url("/api/docs")).await.unwrap();
        browser
            .wait_for_text(".swagger-ui .title", "Corkboard API")
            .await;
        let violations = browser.axe_violations().await;
        assert!(violations.is_empty(), "at {width} px: {violations:#?}");
    }
    browser.close().await;

    // Without JavaScript the page says where the document is.
    let browser = crate::helpers::Browser::start_without_javascript().await;
    browser.client.goto(&app.url("/api/docs")).await.unwrap();
    browser.wait_for_text("main", "OpenAPI document").await;
    browser.close().await;
}

#[tokio::test]
async fn every_operation_that_needs_a_token_refuses_each_kind_of_bad_one() {
    use base64::Engine;
    let app = spawn_app().await;
    let (_, user) = ApiClient::new_member(&app).await;
    let id = app.user_id(&user.username);
    let tokens = app.access_tokens();
    let expired = tokens
        .issue_at(id, 0, chrono::Utc::now() - chrono::Duration::minutes(16))
        .unwrap()
        .token;
    let foreign = corkboard::web::jwt::AccessTokens::new(&[7; 32])
        .issue(id, 0)
        .unwrap()
        .token;
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
    // A good token, then the member logs out everywhere.
    let ended = tokens.issue(id, 0).unwrap().token;
    crate::messages::sql(
        &app,
        &format!(
            "UPDATE users SET auth_epoch = auth_epoch + 1 WHERE id = {}",
            id.0
        ),
    );

    let doc = ApiClient::new(&app).get("/openapi.json").await.body;
    let mut checked = 0;
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            // Operations open to anyone list an empty requirement; these need a token.
            let Some(security) = operation["security"].as_array() else {
                continue;
            };
            if security
                .iter()
                .any(|s| s.as_object().is_some_and(|s| s.is_empty()))
            {
                continue;
            }
            let path = path
                .split('/')
                .map(|part| match part {
                    "{photo_id}" => "6f1c9b43-5b1e-4c55-9d0a-3f0c2f6a7d11",
                    p if p.starts_with('{') => "1",
                    p => p,
                })
                .collect::<Vec<_>>()
                .join("/");
            let method: reqwest::Method = method.to_uppercase().parse().unwrap();
            let api_path = path.strip_prefix("/api/v1").unwrap();
            for (kind, token) in [
                ("none", None),
                ("expired", Some(&expired)),
                ("foreign", Some(&foreign)),
                ("alg none", Some(&unsigned)),
                ("after logging out everywhere", Some(&ended)),
            ] {
                let client = match token {
                    Some(token) => ApiClient::with_token(&app, token),
                    None => ApiClient::new(&app),
                };
                let answer = client
                    .send(method.clone(), api_path, Some(serde_json::json!({})))
                    .await;
                assert_eq!(
                    answer.status,
                    StatusCode::UNAUTHORIZED,
                    "{method} {path} with a {kind} token: {:?}",
                    answer.body
                );
                answer.problem(401);
            }
            checked += 1;
        }
    }
    assert!(checked >= 20, "only {checked} operations need a token");
}
