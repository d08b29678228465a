use reqwest::StatusCode;

use crate::helpers::spawn_app;

/// The `href` of the stylesheet link in a page.
fn stylesheet_url(html: &str) -> String {
    let at = html
        .find("rel=\"stylesheet\" href=\"")
        .expect("a stylesheet link")
        + 23;
    html[at..at + html[at..].find('"').unwrap()].to_owned()
}

#[tokio::test]
async fn the_home_page_renders_in_the_site_layout() {
    let app = spawn_app().await;

    let page = app.get_page("/").await;

    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(page.headers["content-type"], "text/html; charset=utf-8");
    assert!(
        page.body
            .contains("<title>Local classifieds · Corkboard</title>")
    );
    assert!(page.body.contains(r#"<header class="site-header">"#));
    assert!(page.body.contains(r#"role="search""#));
    assert!(page.body.contains(r#"href="/login""#));
    assert!(page.body.contains("Housing"));
    assert!(stylesheet_url(&page.body).starts_with("/static/"));
}

#[tokio::test]
async fn the_stylesheet_is_served_under_its_content_version_for_a_year() {
    let app = spawn_app().await;
    let css_url = stylesheet_url(&app.get_page("/").await.body);

    let response = app.get(&css_url).await;

    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["content-type"], "text/css");
    assert_eq!(
        response.headers()["cache-control"],
        "public, max-age=31536000, immutable"
    );
    let css = response.text().await.unwrap();
    assert!(
        css.contains(".site-header"),
        "the Tailwind build is missing our components"
    );
}

#[tokio::test]
async fn a_stale_asset_version_gets_the_current_file_uncached() {
    let app = spawn_app().await;

    let response = app.get("/static/0000000000/css/app.css").await;

    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["cache-control"], "no-cache");
}

#[tokio::test]
async fn an_unchanged_asset_is_not_sent_again() {
    let app = spawn_app().await;
    let css_url = stylesheet_url(&app.get_page("/").await.body);
    let etag = app.get(&css_url).await.headers()["etag"].clone();

    let response = app
        .client
        .get(app.url(&css_url))
        .header("If-None-Match", etag)
        .send()
        .await
        .unwrap();

    assert_eq!(response.status(), StatusCode::NOT_MODIFIED);
}

#[tokio::test]
async fn pages_are_compressed_for_clients_that_accept_gzip() {
    let app = spawn_app().await;

    let response = app
        .client
        .get(app.url("/"))
        .header("Accept-Encoding", "gzip")
        .send()
        .await
        .unwrap();

    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["content-encoding"], "gzip");
}

#[tokio::test]
async fn an_unknown_page_is_a_404_page_in_the_layout() {
    let app = spawn_app().await;

    let page = app.get_page("/no/such/page?x=<script>").await;

    assert_eq!(page.status, StatusCode::NOT_FOUND);
    assert_eq!(page.headers["content-type"], "text/html; charset=utf-8");
    assert!(
        page.body
            .contains("<title>Page not found · Corkboard</title>")
    );
    assert!(page.body.contains(r#"<header class="site-header">"#));
    assert!(!page.body.contains("<script>"));
}

#[tokio::test]
async fn a_missing_static_file_is_a_404_page() {
    let app = spawn_app().await;

    let page = app.get_page("/static/abc/nope.css").await;

    assert_eq!(page.status, StatusCode::NOT_FOUND);
    assert!(page.body.contains("Page not found"));
}

#[tokio::test]
async fn every_get_route_answers_head_like_get_without_a_body() {
    let app = spawn_app().await;
    app.sign_up_new_member().await;
    let bikes = app.category_id("for-sale", "bikes");
    let posted = crate::helpers::post_listing(
        &app,
        bikes,
        &[
            ("title", "Head bike"),
            ("body", "Checked by HEAD."),
            ("zip", "10001"),
        ],
        vec![],
    )
    .await;
    let listing = posted.headers()["location"].to_str().unwrap().to_owned();
    let id = listing.split('/').nth(2).unwrap().to_owned();
    let user = app.logged_in_as().await.unwrap();
    let css = {
        let html = app.get_ok_page("/").await.body;
        let at = html.find("/static/").unwrap();
        html[at..at + html[at..].find('"').unwrap()].to_owned()
    };
    // A real path for every GET route of the table.
    let sample = |pattern: &str| -> String {
        match pattern {
            "/static/{version}/{path:.*}" => css.clone(),
            "/media/{key:.*}" => "/media/photos/none.jpg".into(),
            "/photos/{photo_id}/{variant}.jpg" => {
                "/photos/00000000-0000-0000-0000-000000000000/display.jpg".into()
            }
            "/c/{section}" => "/c/for-sale".into(),
            "/c/{section}/{category}" => "/c/for-sale/bikes".into(),
            "/u/{username}" => format!("/u/{user}"),
            "/u/{username}/feed" => format!("/u/{user}/feed"),
            "/sitemaps/{name}" => "/sitemaps/listings-0.xml".into(),
            "/listings/{id}/{slug}" => listing.clone(),
            other => other.replace("{id}", &id),
        }
    };

    let routes: Vec<String> = corkboard::startup::route_table()
        .into_iter()
        .filter(|def| def.method == actix_web::http::Method::GET)
        .map(|def| sample(&def.full_path()))
        .collect();
    assert!(routes.len() >= 15, "{routes:?}");
    for path in routes
        .iter()
        .map(String::as_str)
        .chain(["/search.atom?q=bike", "/nope"])
    {
        let get = app.get(path).await;
        let head = app.client.head(app.url(path)).send().await.unwrap();
        assert_eq!(head.status(), get.status(), "HEAD {path}");
        assert_ne!(head.status(), StatusCode::METHOD_NOT_ALLOWED, "HEAD {path}");
        assert_eq!(
            head.headers().get("content-type"),
            get.headers().get("content-type"),
            "HEAD {path}"
        );
        assert!(
            head.text().await.unwrap().is_empty(),
            "HEAD {path} has a body"
        );
    }
    for path in ["/", "/healthz", listing.as_str(), "/search.atom?q=bike"] {
        let head = app.client.head(app.url(path)).send().await.unwrap();
        assert_eq!(head.status(), StatusCode::OK, "HEAD {path}");
    }
}
