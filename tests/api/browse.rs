//! Browsing like a local: the visitor's area on every list, section and category pages that
//! filter like search, and what their pages say about where you are.

use reqwest::StatusCode;

use crate::helpers::{TestApp, TestListing, Visitor, assert_redirect_to, spawn_app};

/// Bikes in Portland, Beaverton (about 7 miles away) and Seattle (about 145), and a sofa in
/// New York.
fn bikes_in_three_cities(app: &TestApp) {
    for (title, zip, minutes_ago) in [
        ("Portland road bike", "97201", 10),
        ("Beaverton gravel bike", "97005", 20),
        ("Seattle commuter bike", "98101", 30),
    ] {
        TestListing {
            title,
            category: ("for-sale", "bikes"),
            zip,
            minutes_ago,
            ..TestListing::default()
        }
        .insert(app);
    }
    TestListing {
        title: "Manhattan sofa",
        category: ("for-sale", "furniture"),
        zip: "10001",
        minutes_ago: 40,
        ..TestListing::default()
    }
    .insert(app);
}

const ALL: [&str; 4] = [
    "Portland road bike",
    "Beaverton gravel bike",
    "Seattle commuter bike",
    "Manhattan sofa",
];

async fn shown(visitor: &Visitor, path: &str) -> (Vec<&'static str>, String) {
    let page = visitor.get_ok_page(path).await;
    let shown = ALL.into_iter().filter(|t| page.body.contains(t)).collect();
    (shown, page.body)
}

#[tokio::test]
async fn an_area_chosen_once_filters_every_list_and_cards_say_how_far() {
    let app = spawn_app().await;
    app.sign_up_new_member().await;
    bikes_in_three_cities(&app);
    let visitor = app.new_visitor();

    let (everything, home) = shown(&visitor, "/").await;
    assert_eq!(everything, ALL);
    assert!(home.contains("choose your area"));

    let chosen = visitor
        .get("/area?place=Portland%2C+OR&radius=25&next=%2Fc%2Ffor-sale%2Fbikes")
        .await;
    assert_redirect_to(&chosen, "/c/for-sale/bikes");
    let cookie = chosen
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .find(|c| c.starts_with("area="))
        .expect("the area is remembered");
    assert!(cookie.contains("~25;"), "{cookie}");
    assert!(cookie.contains("Max-Age="), "{cookie}");

    let near = ["Portland road bike", "Beaverton gravel bike"];
    let (bikes, page) = shown(&visitor, "/c/for-sale/bikes").await;
    assert_eq!(bikes, near);
    assert!(page.contains("Near <strong data-area-label>Portland, OR</strong> · 25 mi"));
    // The total is the circle's, from the counts kept per ZIP and category.
    assert!(page.contains("1–2 of 2"), "the total within the area");
    // Cards say how far each listing is, and which category it is in.
    let distance = page
        .split("Beaverton, OR · ")
        .nth(1)
        .and_then(|rest| rest.split(" mi").next())
        .and_then(|miles| miles.parse::<u32>().ok())
        .expect("the distance on the card");
    assert!((3..=10).contains(&distance), "{distance} mi");
    // The listing's page says how far it is too.
    let path = page
        .split("Beaverton gravel bike")
        .next()
        .and_then(|before| before.rsplit("href=\"").next())
        .and_then(|rest| rest.split('"').next())
        .unwrap()
        .to_owned();
    let listing = visitor.get_ok_page(&path).await.body;
    assert!(
        listing.contains(&format!(
            "<span data-distance>{distance} mi from Portland, OR</span>"
        )),
        "{path}"
    );
    assert!(page.contains("Bikes · <time"), "the category on the card");
    // Links carry the area, so a shared link or a feed shows the same listings.
    assert!(page.contains("/search.atom?in=for-sale%2Fbikes&#38;zip="));

    for path in ["/", "/c/for-sale", "/search?q=bike"] {
        let (listed, _) = shown(&visitor, path).await;
        assert_eq!(listed, near, "{path}");
    }
    // A URL that says where wins over the area: here, everywhere.
    let (listed, _) = shown(&visitor, "/c/for-sale/bikes?zip=").await;
    assert_eq!(listed.len(), 3);

    // One click shows everything again, and that is remembered too.
    let everywhere = visitor
        .get("/area?everywhere=1&next=%2Fc%2Ffor-sale%2Fbikes")
        .await;
    assert_redirect_to(&everywhere, "/c/for-sale/bikes");
    let (listed, page) = shown(&visitor, "/c/for-sale/bikes").await;
    assert_eq!(listed.len(), 3);
    assert!(page.contains("Showing listings everywhere"));
    assert!(!page.contains(" mi · <time"), "no distance without an area");
}

#[tokio::test]
async fn a_members_home_zip_is_their_area_until_they_choose_another() {
    let app = spawn_app().await;
    app.sign_up_new_member().await;
    bikes_in_three_cities(&app);
    let (member, user) = app.new_member().await;
    app.execute(&format!(
        "UPDATE users SET home_zip = '98101' WHERE username = '{}'",
        user.username
    ));
    let (listed, page) = shown(&member, "/c/for-sale/bikes").await;
    assert_eq!(listed, ["Seattle commuter bike"]);
    assert!(page.contains("Near <strong data-area-label>Seattle, WA</strong> · 25 mi"));

    let chosen = member.get("/area?place=97201&radius=10&next=%2F").await;
    assert_redirect_to(&chosen, "/");
    let (listed, _) = shown(&member, "/c/for-sale/bikes").await;
    assert_eq!(listed, ["Portland road bike", "Beaverton gravel bike"]);

    member.get("/area?everywhere=1").await;
    let (listed, _) = shown(&member, "/c/for-sale/bikes").await;
    assert_eq!(listed.len(), 3, "everywhere, not the home ZIP");
}

#[tokio::test]
async fn the_area_form_keeps_what_was_typed_and_says_what_is_wrong() {
    let app = spawn_app().await;
    let visitor = app.new_visitor();

    let form = visitor.get_ok_page("/area?next=%2Fc%2Ffor-sale").await;
    assert!(form.body.contains("name=\"next\" value=\"/c/for-sale\""));

    let unknown = visitor
        .get("/area?place=Nowhereville+Flats&radius=25")
        .await;
    assert_eq!(unknown.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body = unknown.text().await.unwrap();
    assert!(body.contains("value=\"Nowhereville Flats\""));
    assert!(body.contains("know that place."));
    assert!(body.contains("aria-invalid=\"true\""));

    let several = visitor.get("/area?place=portland&radius=50").await;
    assert_eq!(several.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body = several.text().await.unwrap();
    assert!(body.contains("Several places have that name"));
    assert!(body.contains(">Portland, OR</a>"));
    assert!(body.contains(">Portland, ME</a>"));
    assert!(body.contains("radius=50"), "the choices keep the radius");

    let radius = visitor.get("/area?place=97201&radius=7").await;
    assert_eq!(radius.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        radius
            .text()
            .await
            .unwrap()
            .contains("Choose one of the distances offered.")
    );

    let empty = visitor.get("/area?place=&radius=25").await;
    assert_eq!(empty.status(), StatusCode::UNPROCESSABLE_ENTITY);

    // Only a path on this site is somewhere to go back to.
    let elsewhere = visitor
        .get("/area?place=97201&radius=25&next=https%3A%2F%2Fevil.example%2F")
        .await;
    assert_redirect_to(&elsewhere, "/");

    // A cookie naming no known place is no area, not an error.
    let forged = app.new_visitor();
    let page = forged
        .client
        .get(forged.url("/"))
        .header("Cookie", "area=00000~25")
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    assert!(page.text().await.unwrap().contains("choose your area"));
}

#[tokio::test]
async fn category_pages_filter_like_search_and_say_where_you_are() {
    let app = spawn_app().await;
    app.sign_up_new_member().await;
    for (title, price, attributes) in [
        ("Cheap kids bike", 2_000, r#"{"condition": "fair"}"#),
        ("Mid road bike", 30_000, r#"{"condition": "good"}"#),
        ("Fancy carbon bike", 250_000, r#"{"condition": "new"}"#),
    ] {
        TestListing {
            title,
            category: ("for-sale", "bikes"),
            price: Some(price),
            attributes,
            ..TestListing::default()
        }
        .insert(&app);
    }
    let visitor = app.new_visitor();
    let titles = |body: &str| {
        ["Cheap kids bike", "Mid road bike", "Fancy carbon bike"]
            .into_iter()
            .filter(|t| body.contains(t))
            .collect::<Vec<_>>()
    };

    let page = visitor.get_ok_page("/c/for-sale/bikes").await;
    assert_eq!(titles(&page.body).len(), 3);
    assert!(page.body.contains("1–3 of 3"));
    // The filter panel sends to this page, with the category's own details.
    assert!(page.body.contains("action=\"/c/for-sale/bikes\""));
    assert!(page.body.contains("name=\"attr_condition\""));
    assert!(page.body.contains("href=\"/listings/new?category="));
    assert!(page.body.contains("<link rel=\"canonical\" href=\"http"));
    assert!(
        !page.body.contains("noindex"),
        "a category's first page is indexed"
    );

    let cheap = visitor.get_ok_page("/c/for-sale/bikes?max_price=500").await;
    assert_eq!(titles(&cheap.body), ["Cheap kids bike", "Mid road bike"]);
    assert!(
        cheap.body.contains("noindex"),
        "filtered pages are not indexed"
    );
    let new = visitor
        .get_ok_page("/c/for-sale/bikes?attr_condition=new")
        .await;
    assert_eq!(titles(&new.body), ["Fancy carbon bike"]);
    let sorted = visitor
        .get_ok_page("/c/for-sale/bikes?sort=price_desc")
        .await;
    let at = |t: &str| sorted.body.find(t).unwrap();
    assert!(at("Fancy carbon bike") < at("Mid road bike"));
    assert!(at("Mid road bike") < at("Cheap kids bike"));

    // The header's search box shows the words searched for, and the page has one search form.
    let search = visitor.get_ok_page("/search?q=carbon").await;
    assert!(search.body.contains("id=\"site-search\" name=\"q\" type=\"search\" placeholder=\"Search listings\" value=\"carbon\""));
    assert_eq!(search.body.matches("role=\"search\"").count(), 1);

    // Unknown places are 404s, as before.
    assert_eq!(
        visitor.get("/c/for-sale/unicorns").await.status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        visitor.get("/c/nowhere").await.status(),
        StatusCode::NOT_FOUND
    );
    // Even with a filter that would be a problem on the search page.
    assert_eq!(
        visitor
            .get("/c/for-sale/unicorns?min_price=-1")
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
}
