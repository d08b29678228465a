//! Search: relevance, filters, distance, sorts, pages, feeds and bad input.

use diesel::RunQueryDsl;
use reqwest::StatusCode;

use crate::helpers::{TestApp, TestListing, spawn_app};

/// A listing straight into the database (see [`TestListing`]); returns its id.
type Post<'a> = TestListing<'a>;

fn post(app: &TestApp, p: Post<'_>) -> i64 {
    p.insert(app).0
}

async fn app_with_member() -> TestApp {
    let app = spawn_app().await;
    app.sign_up_new_member().await;
    app
}

/// The ids of the listings a search page shows, in order.
async fn ids(app: &TestApp, query: &str) -> Vec<i64> {
    let page = app.get_page(&format!("/search?{query}")).await;
    assert_eq!(page.status, StatusCode::OK, "{query}: {}", page.body);
    result_ids(&page.body)
}

fn result_ids(html: &str) -> Vec<i64> {
    let results = &html[html.find("results-heading").unwrap()..];
    let mut found: Vec<i64> = Vec::new();
    for (at, _) in results.match_indices("href=\"/listings/") {
        let rest = &results[at + 16..];
        if let Ok(id) = rest[..rest.find('/').unwrap()].parse::<i64>()
            && !found.contains(&id)
        {
            found.push(id);
        }
    }
    found
}

#[tokio::test]
async fn title_matches_rank_above_body_matches_and_words_are_stemmed() {
    let app = app_with_member().await;
    let in_body = post(
        &app,
        Post {
            title: "Commuter special",
            body: "Great bikes for the city",
            ..Post::default()
        },
    );
    let in_title = post(
        &app,
        Post {
            title: "Blue bike",
            body: "Barely ridden",
            minutes_ago: 60,
            ..Post::default()
        },
    );
    post(
        &app,
        Post {
            title: "Sofa",
            body: "Comfy",
            ..Post::default()
        },
    );

    assert_eq!(
        ids(&app, "q=bikes&sort=relevance").await,
        vec![in_title, in_body]
    );
    assert_eq!(
        ids(&app, "q=bike").await,
        vec![in_body, in_title],
        "newest first by default"
    );
    assert_eq!(ids(&app, "q=bike&titles=1").await, vec![in_title]);
}

#[tokio::test]
async fn phrases_exclusions_and_or_work_like_a_web_search() {
    let app = app_with_member().await;
    let red_bike = post(
        &app,
        Post {
            title: "Red bike",
            ..Post::default()
        },
    );
    let red_fast_bike = post(
        &app,
        Post {
            title: "Red fast bike",
            minutes_ago: 1,
            ..Post::default()
        },
    );
    let blue_bike = post(
        &app,
        Post {
            title: "Blue bike",
            minutes_ago: 2,
            ..Post::default()
        },
    );
    let sofa = post(
        &app,
        Post {
            title: "Old sofa",
            minutes_ago: 3,
            ..Post::default()
        },
    );

    assert_eq!(ids(&app, "q=%22red+bike%22").await, vec![red_bike]);
    assert_eq!(ids(&app, "q=bike+-red").await, vec![blue_bike]);
    assert_eq!(ids(&app, "q=sofa+or+blue").await, vec![blue_bike, sofa]);
    assert_eq!(ids(&app, "q=red+bike").await, vec![red_bike, red_fast_bike]);
}

#[tokio::test]
async fn phrases_are_looked_up_by_their_word_pairs_and_still_checked_whole() {
    use corkboard::search::domain::Sort;
    use corkboard::search::queries::{Filters, estimate_matches};

    let app = app_with_member().await;
    let listing = |title: &'static str, body: &'static str, minutes_ago: i64| {
        post(
            &app,
            Post {
                title,
                body,
                minutes_ago,
                ..Post::default()
            },
        )
    };
    let table = listing("Red oak table", "Solid.", 0);
    let _apart = listing("Table", "Red and oak, oak red.", 1);
    let for_sale = listing("Bike for sale", "Barely ridden.", 2);
    let oneil = listing("O'Neil's bike", "Blue.", 3);
    // The title's last word and the body's first stand side by side, as for the phrase itself.
    let across = listing("Used", "bike, like new", 4);
    let reversed = listing("Table oak red", "x", 5);

    assert_eq!(ids(&app, "q=%22red+oak+table%22").await, vec![table]);
    assert_eq!(ids(&app, "q=%22oak+table%22").await, vec![table]);
    assert_eq!(ids(&app, "q=%22table+oak%22").await, vec![reversed]);
    assert_eq!(ids(&app, "q=%22red+oak%22+-table").await, Vec::<i64>::new());
    assert_eq!(ids(&app, "q=%22bike+for+sale%22").await, vec![for_sale]);
    assert_eq!(ids(&app, "q=%22o%27neil%27s+bike%22").await, vec![oneil]);
    assert_eq!(ids(&app, "q=%22used+bike%22").await, vec![across]);
    assert_eq!(
        ids(&app, "q=%22oak+table%22+or+%22blue%22").await,
        vec![table, oneil]
    );

    // A phrase is estimated by its pairs, unless it has none ("for" is left out of
    // "bike for sale": its words are not side by side).
    let mut conn = app.pool.get().unwrap();
    let estimate = |conn: &mut diesel::PgConnection, text: &str| {
        let filters = Filters {
            text: Some(text.into()),
            ..Filters::default()
        };
        estimate_matches(conn, &filters, Sort::Newest).unwrap()
    };
    assert!(!estimate(&mut conn, r#""red oak table""#).loose);
    assert!(estimate(&mut conn, r#""bike for sale""#).loose);
    assert!(!estimate(&mut conn, "bike").loose);
}

#[tokio::test]
async fn each_filter_narrows_the_results() {
    let app = app_with_member().await;
    let cheap = post(
        &app,
        Post {
            title: "Cheap chair",
            price: Some(500),
            ..Post::default()
        },
    );
    let pricey = post(
        &app,
        Post {
            title: "Pricey chair",
            price: Some(90_000),
            minutes_ago: 1,
            ..Post::default()
        },
    );
    let old = post(
        &app,
        Post {
            title: "Old chair",
            price: Some(2_000),
            minutes_ago: 3 * 24 * 60,
            ..Post::default()
        },
    );
    let ancient = post(
        &app,
        Post {
            title: "Ancient chair",
            price: Some(2_000),
            minutes_ago: 10 * 24 * 60,
            ..Post::default()
        },
    );
    let flat = post(
        &app,
        Post {
            title: "Two bedroom flat",
            category: ("housing", "apartments"),
            price: Some(250_000),
            attributes: r#"{"bedrooms": 2, "cats_ok": true}"#,
            ..Post::default()
        },
    );
    let studio = post(
        &app,
        Post {
            title: "Studio",
            category: ("housing", "apartments"),
            price: Some(150_000),
            attributes: r#"{"bedrooms": 0, "cats_ok": false}"#,
            minutes_ago: 1,
            ..Post::default()
        },
    );
    diesel::sql_query(format!(
        "INSERT INTO listing_photos (id, owner_id, listing_id, display_key, thumb_key, width, height)
         VALUES (gen_random_uuid(), (SELECT min(id) FROM users), {cheap}, 'photos/x/display.jpg', 'photos/x/thumb.jpg', 10, 10)"
    ))
    .execute(&mut app.pool.get().unwrap())
    .unwrap();

    assert_eq!(
        ids(&app, "q=chair&min_price=10&max_price=100").await,
        vec![old, ancient]
    );
    assert_eq!(ids(&app, "q=chair&min_price=100").await, vec![pricey]);
    assert_eq!(ids(&app, "q=chair&photos=1").await, vec![cheap]);
    assert_eq!(ids(&app, "q=chair&posted=today").await, vec![cheap, pricey]);
    assert_eq!(
        ids(&app, "q=chair&posted=week").await,
        vec![cheap, pricey, old]
    );
    assert_eq!(ids(&app, "in=housing").await, vec![flat, studio]);
    assert_eq!(
        ids(&app, "in=housing/apartments&attr_bedrooms_min=1").await,
        vec![flat]
    );
    assert_eq!(
        ids(&app, "in=housing/apartments&attr_cats_ok=no").await,
        vec![studio]
    );
    assert_eq!(
        ids(
            &app,
            "in=for-sale/general&max_price=25&posted=week&photos=1"
        )
        .await,
        vec![cheap]
    );
}

#[tokio::test]
async fn radius_search_includes_the_boundary_and_nothing_past_it() {
    let app = app_with_member().await;
    let here = post(
        &app,
        Post {
            title: "Here",
            zip: "10001",
            ..Post::default()
        },
    );
    let near = post(
        &app,
        Post {
            title: "Near",
            zip: "11211",
            minutes_ago: 1,
            ..Post::default()
        },
    );
    let far = post(
        &app,
        Post {
            title: "Far",
            zip: "94110",
            minutes_ago: 2,
            ..Post::default()
        },
    );
    #[derive(diesel::QueryableByName)]
    struct Miles {
        #[diesel(sql_type = diesel::sql_types::Double)]
        miles: f64,
    }
    let d: Miles = diesel::sql_query(
        "SELECT earth_distance(ll_to_earth(a.latitude, a.longitude), ll_to_earth(b.latitude, b.longitude)) / 1609.344 AS miles
         FROM places a, places b WHERE a.zip = '10001' AND b.zip = '11211'",
    )
    .get_result(&mut app.pool.get().unwrap())
    .unwrap();
    let inside = d.miles.ceil() as u32;
    let outside = d.miles.floor() as u32;
    assert!(outside >= 1 && inside > outside, "{}", d.miles);

    assert_eq!(
        ids(&app, &format!("zip=10001&radius={inside}")).await,
        vec![here, near]
    );
    assert_eq!(
        ids(&app, &format!("zip=10001&radius={outside}")).await,
        vec![here]
    );
    assert_eq!(
        ids(&app, "zip=10001&radius=200&sort=nearest").await,
        vec![here, near]
    );
    assert!(!ids(&app, "zip=10001&radius=200").await.contains(&far));
}

/// Listings at 8 of the ZIPs within 40 miles of 10001, spread evenly by distance, and 16 on
/// the edge of the 10-mile circle, in for-sale › bikes: titles "Ring …" (24: one page).
fn ring_of_listings(app: &TestApp) -> usize {
    diesel::sql_query(
        "INSERT INTO listings (owner_id, category_id, title, body, zip, latitude, longitude, expires_at, renewed_at)
         SELECT (SELECT min(id) FROM users),
                (SELECT c.id FROM categories c JOIN sections s ON s.id = c.section_id
                 WHERE s.slug = 'for-sale' AND c.slug = 'bikes'),
                'Ring ' || p.zip, 'x', p.zip, p.latitude, p.longitude,
                now() + interval '30 days', now() - interval '1 hour' - p.n * interval '1 second'
         FROM (SELECT z.*, row_number() OVER (ORDER BY z.d) AS n, count(*) OVER () AS total
               FROM (SELECT pl.zip, pl.latitude, pl.longitude,
                            earth_distance(ll_to_earth(pl.latitude, pl.longitude), ll_to_earth(c.latitude, c.longitude)) AS d
                     FROM places pl, places c WHERE c.zip = '10001') z
               WHERE z.d <= 40 * 1609.344) p
         WHERE p.n % greatest(p.total / 8, 1) = 0
         LIMIT 8",
    )
    .execute(&mut app.pool.get().unwrap())
    .unwrap()
        + edge_listings(app)
}

/// Listings 2 m inside and 2 m outside 10 miles of 10001's centre, in eight directions (by
/// the spherical destination formula on `earthdistance`'s sphere): a circle that is off by
/// a few metres anywhere puts one of them on the wrong side.
fn edge_listings(app: &TestApp) -> usize {
    let (lat, lon) = {
        let place = corkboard::places::shipped().get("10001").unwrap();
        (place.latitude.to_radians(), place.longitude.to_radians())
    };
    let mut placed = 0;
    for step in 0..8 {
        let bearing = f64::from(step) * std::f64::consts::FRAC_PI_4 + 0.1;
        for (metres, side) in [(16_093.44 - 2.0, "in"), (16_093.44 + 2.0, "out")] {
            let angle: f64 = metres / 6_378_168.0;
            let to_lat = (lat.sin() * angle.cos() + lat.cos() * angle.sin() * bearing.cos()).asin();
            let to_lon = lon
                + (bearing.sin() * angle.sin() * lat.cos())
                    .atan2(angle.cos() - lat.sin() * to_lat.sin());
            placed += diesel::sql_query(
                "INSERT INTO listings (owner_id, category_id, title, body, zip, latitude, longitude, expires_at, renewed_at)
                 SELECT (SELECT min(id) FROM users),
                        (SELECT c.id FROM categories c JOIN sections s ON s.id = c.section_id
                         WHERE s.slug = 'for-sale' AND c.slug = 'bikes'),
                        $1, 'x', '10001', $2, $3, now() + interval '30 days', now() - interval '30 minutes'",
            )
            .bind::<diesel::sql_types::Text, _>(format!("Ring edge {step} {side}"))
            .bind::<diesel::sql_types::Double, _>(to_lat.to_degrees())
            .bind::<diesel::sql_types::Double, _>(to_lon.to_degrees())
            .execute(&mut app.pool.get().unwrap())
            .unwrap();
        }
    }
    placed
}

/// The "Ring" listings `earth_distance` puts within `miles` of 10001, by id.
fn ring_within(app: &TestApp, miles: u32) -> Vec<i64> {
    #[derive(diesel::QueryableByName)]
    struct Id {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        id: i64,
    }
    diesel::sql_query(
        "SELECT l.id FROM listings l, places c
         WHERE c.zip = '10001' AND l.title LIKE 'Ring %'
           AND earth_distance(ll_to_earth(c.latitude, c.longitude), ll_to_earth(l.latitude, l.longitude))
               <= $1 * 1609.344
         ORDER BY l.id",
    )
    .bind::<diesel::sql_types::Double, _>(f64::from(miles))
    .load::<Id>(&mut app.pool.get().unwrap())
    .unwrap()
    .into_iter()
    .map(|r| r.id)
    .collect()
}

/// 2,100 listings ("Filler n") at 10001's centre, posted `days_ago`: enough to make a circle
/// around it dense.
fn crowd_midtown(app: &TestApp, days_ago: i32) {
    diesel::sql_query(
        "INSERT INTO listings (owner_id, category_id, title, body, zip, latitude, longitude, expires_at, renewed_at)
         SELECT (SELECT min(id) FROM users), (SELECT min(id) FROM categories), 'Filler ' || n, 'x',
                '10001', 40.7484, -73.9967, now() + interval '30 days', now() - $1 * interval '1 day'
         FROM generate_series(1, 2100) AS n",
    )
    .bind::<diesel::sql_types::Integer, _>(days_ago)
    .execute(&mut app.pool.get().unwrap())
    .unwrap();
}

/// Every radius from 1 to 40 miles, as a search and as the category page: the circle holds
/// exactly the listings `earth_distance` puts in it.
async fn assert_circles_match(app: &TestApp, plan: &str) {
    let ring = ring_within(app, 40);
    for miles in 1..=40 {
        let expected = ring_within(app, miles);
        for path in [
            format!("/search?q=ring&zip=10001&radius={miles}"),
            format!("/c/for-sale/bikes?zip=10001&radius={miles}"),
        ] {
            let page = app.get_page(&path).await;
            assert_eq!(page.status, StatusCode::OK, "{path}");
            let mut shown: Vec<i64> = result_ids(&page.body)
                .into_iter()
                .filter(|id| ring.contains(id))
                .collect();
            shown.sort_unstable();
            assert_eq!(shown, expected, "{plan}: {path}");
        }
    }
}

#[tokio::test]
async fn a_circle_holds_exactly_the_listings_earth_distance_puts_in_it() {
    let app = app_with_member().await;
    let placed = ring_of_listings(&app);
    assert_eq!(placed, 24);
    assert!(ring_within(&app, 40).len() == placed);
    assert!(ring_within(&app, 5).len() < ring_within(&app, 20).len());
    // The edge listings are where they should be.
    let edge_in = ring_within(&app, 10).len() - ring_within(&app, 9).len();
    assert!(edge_in >= 8, "{edge_in}");
    // Few listings: the circle is read through its index.
    assert_circles_match(&app, "sparse").await;

    // Over 2,000 older listings at 10001's centre make the circle dense: pages walk the
    // newest-first index and check each listing against the circle.
    crowd_midtown(&app, 2);
    assert_circles_match(&app, "dense").await;
}

#[tokio::test]
async fn sorts_break_ties_the_same_way_every_time() {
    let app = app_with_member().await;
    let a = post(
        &app,
        Post {
            title: "Lamp a",
            price: Some(1000),
            ..Post::default()
        },
    );
    let b = post(
        &app,
        Post {
            title: "Lamp b",
            price: Some(1000),
            ..Post::default()
        },
    );
    let c = post(
        &app,
        Post {
            title: "Lamp c",
            price: Some(500),
            ..Post::default()
        },
    );
    let none = post(
        &app,
        Post {
            title: "Lamp d",
            price: None,
            ..Post::default()
        },
    );

    assert_eq!(ids(&app, "q=lamp&sort=price_asc").await, vec![c, a, b]);
    assert_eq!(ids(&app, "q=lamp&sort=price_desc").await, vec![b, a, c]);
    let newest = ids(&app, "q=lamp").await;
    assert_eq!(newest.len(), 4);
    assert!(
        newest.contains(&none),
        "unpriced listings show except in price sorts"
    );
}

#[tokio::test]
async fn pages_return_every_listing_once_while_new_ones_arrive() {
    let app = app_with_member().await;
    for i in 0..30 {
        post(
            &app,
            Post {
                title: "Chair",
                minutes_ago: 100 + i,
                ..Post::default()
            },
        );
    }
    let first = app.get_page("/search?q=chair").await.body;
    assert!(first.contains("1–25 of 30"));
    let next = first
        .split("href=\"/search?")
        .skip(1)
        .find(|s| s[..s.find('"').unwrap()].contains("after="))
        .map(|s| {
            s[..s.find('"').unwrap()]
                .replace("&amp;", "&")
                .replace("&#38;", "&")
        })
        .unwrap();

    // Someone posts two more chairs before the next page is read.
    post(
        &app,
        Post {
            title: "Chair",
            ..Post::default()
        },
    );
    post(
        &app,
        Post {
            title: "Chair",
            ..Post::default()
        },
    );
    let second = app.get_page(&format!("/search?{next}")).await.body;

    let (a, b) = (result_ids(&first), result_ids(&second));
    assert_eq!(a.len(), 25);
    assert_eq!(b.len(), 5);
    let mut all: Vec<i64> = a.into_iter().chain(b).collect();
    all.sort_unstable();
    all.dedup();
    assert_eq!(all.len(), 30);
}

#[tokio::test]
async fn big_result_sets_say_a_thousand_plus() {
    let app = app_with_member().await;
    diesel::sql_query(
        "INSERT INTO listings (owner_id, category_id, title, body, zip, latitude, longitude, expires_at)
         SELECT (SELECT min(id) FROM users), (SELECT min(id) FROM categories), 'Widget ' || n, 'x',
                '10001', 40.75, -73.99, now() + interval '30 days'
         FROM generate_series(1, 1005) AS n",
    )
    .execute(&mut app.pool.get().unwrap())
    .unwrap();

    let page = app.get_page("/search?q=widget").await.body;

    assert!(page.contains("1–25 of 1,000+"));
}

#[tokio::test]
async fn hidden_expired_deleted_and_removed_listings_never_appear() {
    let app = app_with_member().await;
    let shown = post(
        &app,
        Post {
            title: "Visible vase",
            ..Post::default()
        },
    );
    use corkboard::listings::models::ListingStatus;
    for status in [
        ListingStatus::Held,
        ListingStatus::Removed,
        ListingStatus::Deleted,
        ListingStatus::Sold,
    ] {
        post(
            &app,
            Post {
                title: "Hidden vase",
                status,
                ..Post::default()
            },
        );
    }
    let expired = post(
        &app,
        Post {
            title: "Expired vase",
            ..Post::default()
        },
    );
    diesel::sql_query(format!(
        "UPDATE listings SET expires_at = now() - interval '1 minute' WHERE id = {expired}"
    ))
    .execute(&mut app.pool.get().unwrap())
    .unwrap();

    assert_eq!(ids(&app, "q=vase").await, vec![shown]);
    let feed = app.get_page("/search.atom?q=vase").await.body;
    assert_eq!(feed.matches("<entry>").count(), 1);
}

#[tokio::test]
async fn a_misspelt_search_suggests_a_title_word() {
    let app = app_with_member().await;
    post(
        &app,
        Post {
            title: "Vintage bicycle",
            ..Post::default()
        },
    );

    let page = app.get_page("/search?q=vintage+bicycel").await.body;

    assert!(page.contains("No listings match."));
    assert!(page.contains("Did you mean"));
    assert!(page.contains(">vintage bicycle</a>"));
    // Another form of a word that is there already matches: nothing to suggest.
    let plural = app.get_page("/search?q=bicycles").await.body;
    assert!(plural.contains("1–1 of 1"));
    assert!(!plural.contains("Did you mean"));
}

#[tokio::test]
async fn the_atom_feed_is_xml_with_escaped_titles() {
    let app = app_with_member().await;
    post(
        &app,
        Post {
            title: "Tom & Jerry DVD <boxed> \"set\"",
            ..Post::default()
        },
    );
    post(
        &app,
        Post {
            title: "Second DVD",
            minutes_ago: 5,
            ..Post::default()
        },
    );

    for path in [
        "/search.atom?q=dvd",
        "/search?q=dvd&format=atom",
        "/search.atom?in=for-sale/general",
    ] {
        let response = app.get(path).await;
        assert_eq!(response.status(), StatusCode::OK, "{path}");
        assert_eq!(
            response.headers()["content-type"],
            "application/atom+xml; charset=utf-8"
        );
        let xml = response.text().await.unwrap();
        let doc = roxmltree::Document::parse(&xml).unwrap_or_else(|e| panic!("{path}: {e}\n{xml}"));
        let root = doc.root_element();
        assert_eq!(root.tag_name().name(), "feed");
        assert_eq!(
            root.tag_name().namespace(),
            Some("http://www.w3.org/2005/Atom")
        );
        let titles: Vec<&str> = root
            .children()
            .filter(|n| n.has_tag_name("entry"))
            .filter_map(|e| {
                e.children()
                    .find(|c| c.has_tag_name("title"))
                    .and_then(|t| t.text())
            })
            .collect();
        assert_eq!(
            titles,
            vec!["Tom & Jerry DVD <boxed> \"set\"", "Second DVD"],
            "{path}\n{xml}"
        );
        assert!(!xml.contains("<boxed>"), "the title is escaped in the XML");
    }
}

#[tokio::test]
async fn bad_search_input_is_explained_never_a_500() {
    let app = app_with_member().await;
    let long = "w".repeat(201);
    for (query, message) in [
        ("in=for-sale/nonsense", "There is no such category."),
        ("in=nowhere", "There is no such section."),
        ("min_price=-5", "cannot be negative"),
        (
            "min_price=500&max_price=10",
            "lowest price is above the highest",
        ),
        ("zip=10001&radius=500", "from 1 to 200 miles"),
        ("zip=00000", "know that ZIP code"),
        (&format!("q={long}"), "limited to 200 characters"),
        ("q=sofa&after=not-a-token", "That page link is not valid"),
        (
            "sort=%27%3B+DROP+TABLE+listings%3B--",
            "sort order does not exist",
        ),
        (
            "in=for-sale/furniture&attr_bedrooms_min=2",
            "not one this category has",
        ),
        ("attr_condition=new", "Choose a category"),
    ] {
        let page = app.get_page(&format!("/search?{query}")).await;
        assert_eq!(page.status, StatusCode::BAD_REQUEST, "{query}");
        assert!(page.body.contains(message), "{query}: expected {message:?}");
    }
    // Odd but harmless input just searches, echoed as text.
    let page = app
        .get_page("/search?q=%3Cscript%3Ealert(1)%3C%2Fscript%3E+%27+OR+1%3D1--")
        .await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(!page.body.contains("<script>alert(1)"));
    assert!(page.body.contains("No listings match."));
    let _ = long;
}

#[tokio::test]
async fn the_map_view_places_markers_near_but_not_on_the_zip_centre() {
    let app = app_with_member().await;
    post(
        &app,
        Post {
            title: "Map <b>chair</b>",
            zip: "94110",
            ..Post::default()
        },
    );

    let page = app.get_page("/search?q=chair&view=map").await;

    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("id=\"results-map\""));
    assert!(page.body.contains("/vendor/leaflet/leaflet.js"));
    assert!(
        !page.body.contains("<b>chair</b>"),
        "titles are escaped in the page"
    );
    let at = page.body.find("data-markers=\"").unwrap() + 14;
    let raw = &page.body[at..at + page.body[at..].find("\" data-tiles").unwrap()];
    let json = raw
        .replace("&#34;", "\"")
        .replace("&quot;", "\"")
        .replace("&#38;", "&")
        .replace("&amp;", "&")
        .replace("&#60;", "<")
        .replace("&#62;", ">")
        .replace("&lt;", "<")
        .replace("&gt;", ">");
    let markers: serde_json::Value =
        serde_json::from_str(&json).unwrap_or_else(|e| panic!("{e}: {json}"));
    let marker = &markers[0];
    assert_eq!(marker["title"], "Map <b>chair</b>");
    let (lat, lon) = (
        marker["lat"].as_f64().unwrap(),
        marker["lon"].as_f64().unwrap(),
    );
    let (dlat, dlon) = ((lat - 37.7509f64).abs(), (lon + 122.4153f64).abs());
    assert!(
        dlat < 0.003 && dlon < 0.004,
        "within a few hundred metres: {lat},{lon}"
    );
    assert!(dlat > 0.0 || dlon > 0.0, "not exactly on the centre");
    // The map's tile server is allowed to serve images, nothing else is added.
    assert!(
        page.headers["content-security-policy"]
            .to_str()
            .unwrap()
            .contains("img-src 'self' data: blob: https://tile.openstreetmap.org")
    );
}

#[tokio::test]
async fn a_dense_circle_gives_the_same_answers_as_a_sparse_one() {
    let app = app_with_member().await;
    // Over 2,000 listings around 10001 make the circle "dense" (the other plan is used).
    crowd_midtown(&app, 1);
    let near = post(
        &app,
        Post {
            title: "Dense lamp",
            zip: "11211",
            ..Post::default()
        },
    );
    let far = post(
        &app,
        Post {
            title: "Far lamp",
            zip: "94110",
            ..Post::default()
        },
    );
    {
        let mut conn = app.pool.get().unwrap();
        let in_circle = corkboard::search::density::Density::new(std::time::Duration::ZERO)
            .in_circle(&mut conn, 40.7484, -73.9967, 16093.44)
            .unwrap();
        assert!(in_circle >= 2101, "{in_circle}");
        assert!(in_circle >= corkboard::search::queries::DENSE_CIRCLE);
    }

    assert_eq!(ids(&app, "q=lamp&zip=10001&radius=10").await, vec![near]);
    assert_eq!(
        ids(&app, "q=lamp&zip=10001&radius=10&sort=price_asc").await,
        vec![near]
    );
    assert_eq!(
        ids(&app, "q=lamp&zip=10001&radius=10&sort=nearest").await,
        vec![near]
    );
    assert!(
        !ids(&app, "q=lamp&zip=10001&radius=200")
            .await
            .contains(&far)
    );
    let page = app.get_page("/search?zip=10001&radius=10").await.body;
    assert!(page.contains("1–25 of 1,000+"));
}

#[tokio::test]
async fn photo_summaries_and_zip_counts_follow_the_rows() {
    #[derive(diesel::QueryableByName, Debug, PartialEq)]
    struct Summary {
        #[diesel(sql_type = diesel::sql_types::SmallInt)]
        photo_count: i16,
        #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Text>)]
        cover_thumb_key: Option<String>,
    }
    let app = app_with_member().await;
    let mut conn = app.pool.get().unwrap();
    let summary = |conn: &mut diesel::PgConnection, id: i64| -> Summary {
        diesel::sql_query("SELECT photo_count, cover_thumb_key FROM listings WHERE id = $1")
            .bind::<diesel::sql_types::BigInt, _>(id)
            .get_result(conn)
            .unwrap()
    };
    let in_zip = |conn: &mut diesel::PgConnection, zip: &str| -> i64 {
        corkboard::search::density::Density::new(std::time::Duration::ZERO)
            .in_circle(
                conn,
                match zip {
                    "10001" => 40.7484,
                    _ => 37.7509,
                },
                match zip {
                    "10001" => -73.9967,
                    _ => -122.4153,
                },
                100.0,
            )
            .unwrap()
    };
    let before = (in_zip(&mut conn, "10001"), in_zip(&mut conn, "94110"));
    let id = post(&app, Post::default());
    assert_eq!(in_zip(&mut conn, "10001"), before.0 + 1);

    let photo = |position: i16, key: &str| {
        format!(
            "INSERT INTO listing_photos (id, owner_id, listing_id, position, display_key, thumb_key, width, height)
             VALUES (gen_random_uuid(), (SELECT min(id) FROM users), {id}, {position}, 'd', '{key}', 10, 10)"
        )
    };
    assert_eq!(
        summary(&mut conn, id),
        Summary {
            photo_count: 0,
            cover_thumb_key: None
        }
    );
    diesel::sql_query(photo(1, "second"))
        .execute(&mut conn)
        .unwrap();
    diesel::sql_query(photo(0, "first"))
        .execute(&mut conn)
        .unwrap();
    assert_eq!(
        summary(&mut conn, id),
        Summary {
            photo_count: 2,
            cover_thumb_key: Some("first".into())
        }
    );
    diesel::sql_query("DELETE FROM listing_photos WHERE thumb_key = 'first'")
        .execute(&mut conn)
        .unwrap();
    assert_eq!(
        summary(&mut conn, id),
        Summary {
            photo_count: 1,
            cover_thumb_key: Some("second".into())
        }
    );
    // Detached (back to a pending upload): the listing has none left.
    diesel::sql_query("UPDATE listing_photos SET listing_id = NULL WHERE thumb_key = 'second'")
        .execute(&mut conn)
        .unwrap();
    assert_eq!(summary(&mut conn, id).photo_count, 0);

    // Sold: no longer public; moved: counted in its new ZIP; back on sale: counted again.
    let set = |conn: &mut diesel::PgConnection, change: &str| {
        diesel::sql_query(format!("UPDATE listings SET {change} WHERE id = {id}"))
            .execute(conn)
            .unwrap();
    };
    set(&mut conn, "status = 'sold'");
    assert_eq!(in_zip(&mut conn, "10001"), before.0);
    set(
        &mut conn,
        "zip = '94110', latitude = 37.7509, longitude = -122.4153",
    );
    assert_eq!(in_zip(&mut conn, "94110"), before.1);
    set(&mut conn, "status = 'pending'");
    assert_eq!(in_zip(&mut conn, "94110"), before.1 + 1);
    set(&mut conn, "status = 'active'");
    assert_eq!(in_zip(&mut conn, "94110"), before.1 + 1);
    diesel::sql_query(format!("DELETE FROM listings WHERE id = {id}"))
        .execute(&mut conn)
        .unwrap();
    assert_eq!(
        (in_zip(&mut conn, "10001"), in_zip(&mut conn, "94110")),
        before
    );
}

#[tokio::test]
async fn a_search_far_broader_than_estimated_still_shows_the_newest_first() {
    let app = app_with_member().await;
    let mut conn = app.pool.get().unwrap();
    // Setting up thousands of listings may outlast the pool's timeout on a busy test machine
    // (each puts its words in the GIN indexes as it goes: they keep no pending list).
    diesel::sql_query("SET statement_timeout = '120s'")
        .execute(&mut conn)
        .unwrap();
    // Fresh rows the planner has no statistics for: it expects a few dozen matches, so the
    // page first reads every match, finds thousands, and walks the newest-first index.
    diesel::sql_query(format!(
        "INSERT INTO listings (owner_id, category_id, title, body, zip, latitude, longitude, expires_at, renewed_at)
         SELECT (SELECT min(id) FROM users), (SELECT min(id) FROM categories), 'Gizmo ' || n, 'x',
                '10001', 40.75, -73.99, now() + interval '30 days', now() - n * interval '1 second'
         FROM generate_series(1, {}) AS n",
        corkboard::search::queries::FEW_MATCHES_CAP + 100
    ))
    .execute(&mut conn)
    .unwrap();
    drop(conn);
    let newest: Vec<i64> = {
        #[derive(diesel::QueryableByName)]
        struct Id {
            #[diesel(sql_type = diesel::sql_types::BigInt)]
            id: i64,
        }
        diesel::sql_query("SELECT id FROM listings ORDER BY renewed_at DESC, id DESC LIMIT 25")
            .load::<Id>(&mut app.pool.get().unwrap())
            .unwrap()
            .into_iter()
            .map(|r| r.id)
            .collect()
    };

    let page = app.get_page("/search?q=gizmo").await.body;

    assert!(page.contains("1–25 of 1,000+"));
    assert_eq!(result_ids(&page), newest);
}

#[tokio::test]
async fn a_phrase_of_common_words_is_counted_not_guessed() {
    let app = app_with_member().await;
    let mut conn = app.pool.get().unwrap();
    // Setting up 6,000 listings may outlast the pool's timeout on a busy test machine.
    diesel::sql_query("SET statement_timeout = '120s'")
        .execute(&mut conn)
        .unwrap();
    // Thousands of listings hold both words, apart; three hold the phrase. The planner
    // estimates the phrase like its words anywhere ("clearly more than 1,000").
    diesel::sql_query(
        "INSERT INTO listings (owner_id, category_id, title, body, zip, latitude, longitude, expires_at)
         SELECT (SELECT min(id) FROM users), (SELECT min(id) FROM categories),
                'Alpha gamma beta ' || n, 'x', '10001', 40.75, -73.99, now() + interval '30 days'
         FROM generate_series(1, 6000) AS n",
    )
    .execute(&mut conn)
    .unwrap();
    diesel::sql_query("ANALYZE listings")
        .execute(&mut conn)
        .unwrap();
    let phrase: Vec<i64> = (0..3)
        .map(|i| {
            post(
                &app,
                Post {
                    title: "Alpha beta together",
                    minutes_ago: i,
                    ..Post::default()
                },
            )
        })
        .collect();

    let page = app.get_page("/search?q=%22alpha+beta%22").await.body;

    assert!(
        page.contains("1–3 of 3"),
        "{}",
        &page[page.find("results-heading").unwrap()..][..400]
    );
    assert_eq!(result_ids(&page), phrase);
    // The words alone are many.
    assert!(
        app.get_page("/search?q=alpha+beta")
            .await
            .body
            .contains("1–25 of 1,000+")
    );
}

#[tokio::test]
async fn windows_of_days_page_exactly_like_the_newest_first_walk() {
    use corkboard::search::domain::Sort;
    use corkboard::search::queries::{self, Filters, SearchCursor, Window};

    let app = app_with_member().await;
    let mut conn = app.pool.get().unwrap();
    // Kayaks every seven hours over 120 days, with pairs posted at the same moment (ties)
    // and other listings between them; one kayak is hidden.
    diesel::sql_query(
        "INSERT INTO listings (owner_id, category_id, title, body, zip, latitude, longitude,
                               status, expires_at, renewed_at, created_at)
         SELECT (SELECT min(id) FROM users), (SELECT min(id) FROM categories),
                CASE WHEN n % 3 = 0 THEN 'Lamp ' ELSE 'Kayak ' END || n, 'x', '10001', 40.75, -73.99,
                CASE WHEN n = 40 THEN 'held' ELSE 'active' END, now() + interval '30 days',
                now() - (n / 2) * interval '7 hours', now() - (n / 2) * interval '7 hours'
         FROM generate_series(1, 820) AS n",
    )
    .execute(&mut conn)
    .unwrap();

    let pages = newest_pages;
    let words = Filters {
        text: Some("kayak".into()),
        ..Filters::default()
    };
    let walked = pages(&mut conn, &words);
    assert_eq!(walked.len(), 820 - 273 - 1);

    let today = queries::day_of(chrono::Utc::now());
    // The oldest public listing was posted 410 × 7 hours ago.
    let oldest = corkboard::search::density::Density::new(std::time::Duration::ZERO)
        .oldest_day(&mut conn)
        .unwrap()
        .unwrap();
    let expected = queries::day_of(chrono::Utc::now() - chrono::Duration::hours(410 * 7));
    assert!(
        (expected - 1..=expected).contains(&oldest),
        "{oldest} {expected}"
    );
    // Pinned (values hidden, the plan kept): the walk and the windows page the same way.
    let pinned = Filters {
        pinned: true,
        ..words.clone()
    };
    assert_eq!(pages(&mut conn, &pinned), walked, "pinned walk");
    for (first_days, oldest_day) in [(1, today - 125), (3, today - 125), (200, today - 125)] {
        for pinned in [false, true] {
            let by_days = Filters {
                window: Some(Window {
                    first_days,
                    oldest_day,
                    newest_day: today,
                }),
                pinned,
                ..words.clone()
            };
            assert_eq!(
                pages(&mut conn, &by_days),
                walked,
                "{first_days} days, pinned: {pinned}"
            );
        }
    }
    // A first window counted back from a newest day seen long ago still reads every day
    // since, to tomorrow.
    for pinned in [false, true] {
        let counted_back = Filters {
            window: Some(Window {
                first_days: 2,
                oldest_day: today - 125,
                newest_day: today - 20,
            }),
            pinned,
            ..words.clone()
        };
        assert_eq!(pages(&mut conn, &counted_back), walked, "pinned: {pinned}");
    }
    // Listings older than the oldest day last seen (shown again since) are still found.
    let stale = Filters {
        window: Some(Window {
            first_days: 2,
            oldest_day: today - 60,
            newest_day: today,
        }),
        ..words.clone()
    };
    assert_eq!(pages(&mut conn, &stale), walked);

    // How far back a page reached: public listings (of any words) from a cursor to a row.
    let everything = Filters::default();
    let newest = queries::search(&mut conn, &everything, Sort::Newest, None, 300).unwrap();
    let cursor = |i: usize| SearchCursor {
        key: newest[i].sort_key,
        id: newest[i].id,
    };
    assert_eq!(
        queries::listings_reached(&mut conn, None, cursor(99)).unwrap(),
        100
    );
    assert_eq!(
        queries::listings_reached(&mut conn, Some(cursor(9)), cursor(99)).unwrap(),
        90
    );
}

#[tokio::test]
async fn pinned_statements_find_exactly_what_planned_ones_find() {
    use corkboard::search::queries::{self, Filters, Window};

    let app = app_with_member().await;
    let bikes = app.category_id("for-sale", "bikes");
    let mut conn = app.pool.get().unwrap();
    diesel::sql_query("SET statement_timeout = '120s'")
        .execute(&mut conn)
        .unwrap();
    // 9,000 listings, one every ten minutes: "zqalpha" in every third, "zqbeta" only in the
    // 40 oldest (past the most a pinned walk reads), the phrase "red kayak" in every
    // seventh and "kayak red" in every eleventh; a fifth of them bikes, half in 10001 and
    // half in San Francisco, prices from free to $1,000, a quarter with photos, some not
    // public.
    diesel::sql_query(
        "INSERT INTO listings (owner_id, category_id, title, body, price_cents, is_free, zip,
                               latitude, longitude, status, expires_at, renewed_at,
                               created_at, photo_count)
         SELECT (SELECT min(id) FROM users),
                CASE WHEN n % 5 = 0 THEN $1 ELSE (SELECT min(id) FROM categories) END,
                concat_ws(' ', 'item',
                          CASE WHEN n % 3 = 0 THEN 'zqalpha' END,
                          CASE WHEN n > 8960 THEN 'zqbeta' END,
                          CASE WHEN n % 7 = 0 THEN 'red kayak' END,
                          CASE WHEN n % 11 = 0 THEN 'kayak red' END),
                'x',
                CASE WHEN n % 17 = 0 THEN NULL ELSE (n * 3731) % 100000 END,
                n % 17 = 0,
                CASE WHEN n % 2 = 0 THEN '10001' ELSE '94110' END,
                CASE WHEN n % 2 = 0 THEN 40.7484 ELSE 37.7509 END,
                CASE WHEN n % 2 = 0 THEN -73.9967 ELSE -122.4153 END,
                CASE WHEN n % 23 = 0 THEN 'held' ELSE 'active' END,
                now() + interval '30 days',
                now() - n * interval '10 minutes', now() - n * interval '10 minutes',
                CASE WHEN n % 4 = 1 THEN 1 ELSE 0 END
         FROM generate_series(1, 9000) AS n",
    )
    .bind::<diesel::sql_types::Integer, _>(bikes)
    .execute(&mut conn)
    .unwrap();
    diesel::sql_query("ANALYZE listings")
        .execute(&mut conn)
        .unwrap();
    let section: i16 = diesel::sql_query("SELECT section_id FROM categories WHERE id = $1")
        .bind::<diesel::sql_types::Integer, _>(bikes)
        .load::<SectionOf>(&mut conn)
        .unwrap()[0]
        .section_id;
    let section_categories: Vec<i32> =
        diesel::sql_query("SELECT id AS category_id FROM categories WHERE section_id = $1")
            .bind::<diesel::sql_types::SmallInt, _>(section)
            .load::<CategoryOf>(&mut conn)
            .unwrap()
            .into_iter()
            .map(|c| c.category_id)
            .collect();
    assert!(section_categories.contains(&bikes));

    let pages = newest_pages;
    let words = |text: &str| Filters {
        text: Some(text.into()),
        ..Filters::default()
    };
    let today = queries::day_of(chrono::Utc::now());
    let cases: Vec<(&str, Filters)> = vec![
        ("a common word", words("zqalpha")),
        ("a word past the walk's reach", words("zqbeta")),
        ("two words", words("zqalpha kayak")),
        (
            "a phrase by its pairs",
            Filters {
                by_pairs: true,
                ..words("\"red kayak\"")
            },
        ),
        ("a phrase without pairs", words("\"red kayak\" OR zqbeta")),
        (
            "in a category, priced, with photos",
            Filters {
                category_id: Some(bikes),
                min_price: Some(10_000),
                max_price: Some(60_000),
                has_photos: true,
                ..words("zqalpha")
            },
        ),
        (
            "in a section, posted this week",
            Filters {
                section_id: Some(section),
                posted_since: Some(chrono::Utc::now() - chrono::Duration::days(7)),
                ..words("kayak")
            },
        ),
        (
            "in a section named by its categories",
            Filters {
                section_id: Some(section),
                section_categories: section_categories.clone(),
                ..words("zqalpha")
            },
        ),
        (
            "titles in a dense circle",
            Filters {
                titles_only: true,
                near: Some((40.7484, -73.9967, 40_233.6)),
                near_dense: true,
                ..words("zqalpha")
            },
        ),
    ];
    for (name, planned) in cases {
        let expected = pages(&mut conn, &planned);
        assert!(!expected.is_empty(), "{name}: finds something");
        // Run on one connection until PostgreSQL keeps the generic plan (after five).
        for round in 0..2 {
            let walk = Filters {
                pinned: true,
                ..planned.clone()
            };
            assert_eq!(
                pages(&mut conn, &walk),
                expected,
                "{name}, pinned walk {round}"
            );
            for first_days in [1, 20] {
                let window = Filters {
                    window: Some(Window {
                        first_days,
                        oldest_day: today - 70,
                        newest_day: today,
                    }),
                    ..walk.clone()
                };
                assert_eq!(
                    pages(&mut conn, &window),
                    expected,
                    "{name}, pinned windows of {first_days} days {round}"
                );
            }
        }
    }
    // The generic plans were kept: the pinned statements are no longer planned.
    let generic: Vec<GenericPlans> = diesel::sql_query(
        "SELECT count(*) FILTER (WHERE generic_plans > 0) AS generic FROM pg_prepared_statements
         WHERE statement LIKE '%(SELECT websearch_to_tsquery%'",
    )
    .load(&mut conn)
    .unwrap();
    assert!(generic[0].generic > 5, "{}", generic[0].generic);
}

/// Every page of a newest-first search, 25 at a time as the site pages it (26 read, the last
/// one only saying that another page follows): the ids in order.
fn newest_pages(
    conn: &mut diesel::PgConnection,
    filters: &corkboard::search::queries::Filters,
) -> Vec<i64> {
    use corkboard::search::domain::Sort;
    use corkboard::search::queries::{self, SearchCursor};
    let mut all = Vec::new();
    let mut after = None;
    loop {
        let rows = queries::search(conn, filters, Sort::Newest, after, 26).unwrap();
        assert!(rows.len() <= 26);
        all.extend(rows.iter().take(25).map(|r| r.id.0));
        if rows.len() < 26 {
            return all;
        }
        let last = &rows[24];
        after = Some(SearchCursor {
            key: last.sort_key,
            id: last.id,
        });
    }
}

#[derive(diesel::QueryableByName)]
struct SectionOf {
    #[diesel(sql_type = diesel::sql_types::SmallInt)]
    section_id: i16,
}

#[derive(diesel::QueryableByName)]
struct CategoryOf {
    #[diesel(sql_type = diesel::sql_types::Integer)]
    category_id: i32,
}

#[derive(diesel::QueryableByName)]
struct GenericPlans {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    generic: i64,
}

#[tokio::test]
async fn a_forged_page_cursor_is_a_400_and_costs_nothing() {
    let app = app_with_member().await;
    for i in 0..3 {
        post(
            &app,
            Post {
                title: "Vintage lamp",
                minutes_ago: i,
                ..Post::default()
            },
        );
    }
    // Keys no search could have made: the year 200,000, a negative price, a distance
    // longer than the earth is wide.
    let far_future = format!("{:x}-1", 6.3e18_f64.to_bits());
    let negative = format!("{:x}-1", (-5.0_f64).to_bits());
    let too_far = format!("{:x}-1", 2.0e7_f64.to_bits());
    for query in [
        format!("q=lamp&after={far_future}"),
        format!("q=lamp&sort=price_asc&after={negative}"),
        format!("q=lamp&zip=10001&sort=nearest&after={too_far}"),
    ] {
        let started = std::time::Instant::now();
        let page = app.get_page(&format!("/search?{query}")).await;
        assert_eq!(page.status, StatusCode::BAD_REQUEST, "{query}");
        assert!(page.body.contains("That page link is not valid"), "{query}");
        assert!(
            started.elapsed() < std::time::Duration::from_secs(2),
            "{query}"
        );
    }
    // The page explains; it lists nothing (no search ran for it).
    let page = app
        .get_page(&format!("/search?q=lamp&after={far_future}"))
        .await;
    assert_eq!(page.status, StatusCode::BAD_REQUEST);
    assert!(result_ids(&page.body).is_empty(), "{}", page.body);
    // A real next-page link still works.
    let first = app.get_ok_page("/search?q=lamp").await;
    assert!(first.body.contains("Vintage lamp"));
}

#[tokio::test]
async fn search_input_is_bounded_and_unknown_details_are_not_echoed() {
    let app = app_with_member().await;
    post(
        &app,
        Post {
            title: "Oak table",
            category: ("for-sale", "furniture"),
            attributes: r#"{"condition": "good"}"#,
            ..Post::default()
        },
    );

    // Thousands of detail filters: one message, a small page, nothing echoed.
    let mut query = String::from("in=for-sale/furniture");
    for i in 0..3000 {
        query.push_str(&format!("&attr_x{i}=1"));
    }
    let page = app.get_page(&format!("/search?{}", &query[..4000])).await;
    assert_eq!(page.status, StatusCode::BAD_REQUEST);
    assert!(page.body.len() < 100_000, "{} bytes", page.body.len());
    assert!(
        !page.body.contains("attr_x1="),
        "unknown details are echoed"
    );
    assert_eq!(page.body.matches("not one this category has").count(), 1);
    // Past the size of any form's URL: refused outright.
    let huge = app.get_page(&format!("/search?{query}")).await;
    assert_eq!(huge.status, StatusCode::BAD_REQUEST);
    assert!(huge.body.contains("too long"));

    // A known detail, given twice, counts once and stays in the links.
    let page = app
        .get_ok_page("/search?in=for-sale/furniture&attr_condition=good&attr_condition=new")
        .await;
    assert!(page.body.contains("Oak table"));
    assert!(page.body.contains("attr_condition=good"));
    assert!(!page.body.contains("attr_condition=new"));
    // An unknown one is explained, and left out of every link.
    let page = app
        .get_page("/search?in=for-sale/furniture&attr_condition=good&attr_bogus=1")
        .await;
    assert_eq!(page.status, StatusCode::BAD_REQUEST);
    assert!(page.body.contains("not one this category has"));
    assert!(page.body.contains("attr_condition=good"));
    assert!(!page.body.contains("attr_bogus"));

    // Words and "or"s are capped.
    let many_words = ["lamp"; 17].join("+");
    let page = app.get_page(&format!("/search?q={many_words}")).await;
    assert_eq!(page.status, StatusCode::BAD_REQUEST);
    assert!(page.body.contains("at most 16 words"));
    let many_ors = ["lamp"; 10].join("+or+");
    let page = app.get_page(&format!("/search?q={many_ors}")).await;
    assert_eq!(page.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn searching_too_fast_from_one_network_is_slowed_with_a_friendly_429() {
    let app = crate::helpers::spawn_app_configured(|state| {
        state.auth.trust_proxy_headers = true;
        state.listings.search_rate_per_minute = 5;
    })
    .await;
    let busy = app.visitor_from("203.0.113.5");
    for _ in 0..5 {
        assert_eq!(busy.get("/search?q=lamp").await.status(), StatusCode::OK);
    }

    let refused = busy.get("/search.atom?q=lamp").await;

    assert_eq!(refused.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(refused.headers().contains_key("retry-after"));
    let body = refused.text().await.unwrap();
    assert!(
        body.contains("searching faster than we can keep up"),
        "{body}"
    );
    // Another network is fine.
    let other_network = app.visitor_from("198.51.100.5");
    assert_eq!(
        other_network.get("/search?q=lamp").await.status(),
        StatusCode::OK
    );
    // Shared by every instance: each counts in memory and adds its count to the database's
    // every second, so another instance refuses the busy network once it has heard.
    let other = app.another_instance();
    let busy_elsewhere = busy.at(&other.address);
    let mut refused_elsewhere = false;
    for _ in 0..40 {
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        let status = busy_elsewhere.get("/search?q=lamp").await.status();
        if status == StatusCode::TOO_MANY_REQUESTS {
            refused_elsewhere = true;
            break;
        }
        // Before it has heard, the other instance counts the network's searches alone.
        assert_eq!(status, StatusCode::OK);
    }
    assert!(
        refused_elsewhere,
        "the other instance never heard of the busy network"
    );
    // The quiet network searched once: still fine there, with its first instance's count.
    assert_eq!(
        other_network
            .at(&other.address)
            .get("/search?q=lamp")
            .await
            .status(),
        StatusCode::OK
    );
}

#[tokio::test]
async fn a_control_character_cannot_get_into_a_title_and_feeds_stay_xml() {
    let app = app_with_member().await;
    let bikes = app.category_id("for-sale", "bikes");
    let refused = crate::helpers::post_listing(
        &app,
        bikes,
        &[
            ("title", "Bike\u{1}\u{8}"),
            ("body", "Fine\u{7}"),
            ("zip", "10001"),
        ],
        vec![],
    )
    .await;
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = refused.text().await.unwrap();
    for field in ["title", "body"] {
        assert!(
            page.contains(&format!(
                "id=\"{field}-error\" class=\"field-error\">Remove the invisible control characters"
            )),
            "{field}"
        );
    }

    // Text stored before this rule still makes a well-formed feed.
    post(
        &app,
        Post {
            title: "Old \u{1}bike\u{b} title",
            ..Post::default()
        },
    );
    let xml = app.get("/search.atom?q=bike").await.text().await.unwrap();
    let doc = roxmltree::Document::parse(&xml).unwrap_or_else(|e| panic!("{e}\n{xml}"));
    let title = doc
        .descendants()
        .find(|n| n.has_tag_name("entry"))
        .and_then(|e| e.children().find(|c| c.has_tag_name("title")))
        .and_then(|t| t.text())
        .unwrap();
    assert_eq!(title, "Old bike title");
}

#[tokio::test]
async fn each_view_is_marked_once_and_the_map_does_not_repeat_the_list() {
    let app = app_with_member().await;
    for i in 0..3 {
        post(
            &app,
            Post {
                title: "Garden chair",
                minutes_ago: i,
                ..Post::default()
            },
        );
    }
    for (view, current) in [("", "List"), ("gallery", "Gallery"), ("map", "Map")] {
        let page = app
            .get_ok_page(&format!("/search?q=chair&view={view}"))
            .await
            .body;
        let views = &page[page.find("aria-label=\"Views\"").unwrap()..];
        let views = &views[..views.find("</nav>").unwrap()];
        assert_eq!(views.matches("aria-current=\"page\"").count(), 1, "{view}");
        let at = views.find("aria-current=\"page\"").unwrap();
        assert!(
            views[at..].starts_with(&format!("aria-current=\"page\">{current}<")),
            "{view}: {views}"
        );
    }
    let map = app.get_ok_page("/search?q=chair&view=map").await.body;
    assert!(map.contains("On this map"));
    assert_eq!(
        map.matches(">Garden chair</a>").count(),
        3,
        "each listing named once"
    );
    assert!(!map.contains("No photo"), "no list cards under the map");
}

#[tokio::test]
async fn every_search_class_finds_what_plain_sql_finds_with_its_plan_memory_cold_and_warm() {
    // Estimates and spelling suggestions kept for a minute, as in production.
    let app = crate::helpers::spawn_app_configured(|state| {
        state.listings.counts_ttl_seconds = 60;
    })
    .await;
    app.sign_up_new_member().await;
    let bikes = app.category_id("for-sale", "bikes");
    let mut conn = app.pool.get().unwrap();
    // Setting up 6,000 listings may outlast the pool's timeout on a busy test machine.
    diesel::sql_query("SET statement_timeout = '120s'")
        .execute(&mut conn)
        .unwrap();
    // 6,000 listings, one every ten minutes: each title holds three of 40 made-up words
    // (the first few in most titles, the last in few), half in 10001 and half in San
    // Francisco, prices from free to $1,000, a third with photos, a tenth of them bikes, and
    // some not public.
    diesel::sql_query(
        "WITH v AS (SELECT array_agg('zq' || chr(97 + i / 26) || chr(97 + i % 26) || 'x') AS w
                    FROM generate_series(0, 39) AS i)
         INSERT INTO listings (owner_id, category_id, title, body, price_cents, is_free, zip,
                               latitude, longitude, status, expires_at, renewed_at,
                               created_at, photo_count)
         SELECT (SELECT min(id) FROM users),
                CASE WHEN n % 10 = 0 THEN $1 ELSE (SELECT min(id) FROM categories) END,
                v.w[1 + n % 3] || ' ' || v.w[1 + (n * 7) % 11] || ' ' || v.w[1 + (n * 13) % 40],
                'x',
                CASE WHEN n % 17 = 0 THEN NULL ELSE (n * 3731) % 100000 END,
                n % 17 = 0,
                CASE WHEN n % 2 = 0 THEN '10001' ELSE '94110' END,
                CASE WHEN n % 2 = 0 THEN 40.7484 ELSE 37.7509 END,
                CASE WHEN n % 2 = 0 THEN -73.9967 ELSE -122.4153 END,
                CASE WHEN n % 23 = 0 THEN 'held' ELSE 'active' END,
                now() + interval '30 days',
                now() - n * interval '10 minutes', now() - n * interval '10 minutes',
                CASE WHEN n % 3 = 0 THEN 1 ELSE 0 END
         FROM v, generate_series(1, 6000) AS n",
    )
    .bind::<diesel::sql_types::Integer, _>(bikes)
    .execute(&mut conn)
    .unwrap();
    drop(conn);
    app.execute("ANALYZE listings");
    let word = |i: usize| {
        format!(
            "zq{}{}x",
            (b'a' + (i / 26) as u8) as char,
            (b'a' + (i % 26) as u8) as char
        )
    };

    // Each class: its query string, and the same search as plain SQL over `l`.
    let classes: Vec<(String, String)> = vec![
        (
            format!("q={}", word(0)),
            format!("l.search @@ websearch_to_tsquery('english', '{}')", word(0)),
        ),
        (
            format!("q={}", word(5)),
            format!("l.search @@ websearch_to_tsquery('english', '{}')", word(5)),
        ),
        (
            format!("q={}", word(39)),
            format!("l.search @@ websearch_to_tsquery('english', '{}')", word(39)),
        ),
        (
            format!("q={}+{}", word(0), word(3)),
            format!(
                "l.search @@ websearch_to_tsquery('english', '{} {}')",
                word(0),
                word(3)
            ),
        ),
        (
            format!("q=%22{}+{}%22", word(1), word(4)),
            format!(
                "l.search @@ websearch_to_tsquery('english', '\"{} {}\"')",
                word(1),
                word(4)
            ),
        ),
        (
            format!("q={}&zip=10001&radius=25", word(0)),
            format!(
                "l.search @@ websearch_to_tsquery('english', '{}') AND l.zip = '10001'",
                word(0)
            ),
        ),
        (
            format!("q={}&min_price=50&max_price=500&photos=1", word(2)),
            format!(
                "l.search @@ websearch_to_tsquery('english', '{}') AND l.photo_count > 0
                 AND COALESCE(l.price_cents, CASE WHEN l.is_free THEN 0 END) BETWEEN 5000 AND 50000",
                word(2)
            ),
        ),
        (
            format!("q={}&in=for-sale/bikes", word(5)),
            format!(
                "l.search @@ websearch_to_tsquery('english', '{}') AND l.category_id = {bikes}",
                word(5)
            ),
        ),
    ];
    for (query, condition) in &classes {
        #[derive(diesel::QueryableByName)]
        struct Id {
            #[diesel(sql_type = diesel::sql_types::BigInt)]
            id: i64,
        }
        let expected: Vec<i64> = diesel::sql_query(format!(
            "SELECT l.id FROM listings l
             WHERE l.status IN ('active', 'pending') AND l.expires_at > now() AND {condition}
             ORDER BY l.renewed_at DESC, l.id DESC LIMIT 50"
        ))
        .load::<Id>(&mut app.pool.get().unwrap())
        .unwrap()
        .into_iter()
        .map(|r| r.id)
        .collect();
        assert!(!expected.is_empty(), "{query} matches nothing");
        #[derive(diesel::QueryableByName)]
        struct Count {
            #[diesel(sql_type = diesel::sql_types::BigInt)]
            n: i64,
        }
        let total = diesel::sql_query(format!(
            "SELECT count(*) AS n FROM listings l
             WHERE l.status IN ('active', 'pending') AND l.expires_at > now() AND {condition}"
        ))
        .get_result::<Count>(&mut app.pool.get().unwrap())
        .unwrap()
        .n;
        // Cold (the estimate and suggestion are read), then warm (kept).
        for round in ["cold", "warm"] {
            let page = app.get_page(&format!("/search?{query}")).await;
            assert_eq!(page.status, StatusCode::OK, "{query}: {}", page.body);
            let first = result_ids(&page.body);
            // A category's few hundred matches are counted (then walked newest first).
            if query.contains("in=") {
                assert!(
                    page.body.contains(&format!("1–25 of {total}")),
                    "{query}, {round}: {total}"
                );
            }
            assert_eq!(
                first,
                expected[..expected.len().min(25)],
                "{query}, {round}"
            );
            // The next page, by its link.
            if expected.len() > 25 {
                let next = page
                    .body
                    .split("rel=\"next\"")
                    .next()
                    .and_then(|before| before.rsplit("href=\"").next())
                    .and_then(|rest| rest.split('"').next())
                    .map(|link| link.replace("&#38;", "&"))
                    .expect("a next page link");
                assert_eq!(
                    ids_at(&app, &next).await,
                    expected[25..expected.len().min(50)],
                    "{query}, {round}, page 2"
                );
            }
        }
    }
}

/// The ids a list page at `path` shows, in order.
async fn ids_at(app: &TestApp, path: &str) -> Vec<i64> {
    let page = app.get_page(path).await;
    assert_eq!(page.status, StatusCode::OK, "{path}: {}", page.body);
    result_ids(&page.body)
}

#[tokio::test]
async fn the_search_indexes_keep_no_pending_list() {
    // A GIN index's pending list is read whole by every scan (see migration 000027).
    let app = spawn_app().await;
    #[derive(diesel::QueryableByName)]
    struct Index {
        #[diesel(sql_type = diesel::sql_types::Text)]
        name: String,
        #[diesel(sql_type = diesel::sql_types::Bool)]
        fast: bool,
    }
    let indexes: Vec<Index> = diesel::sql_query(
        "SELECT c.relname::text AS name,
                NOT coalesce('fastupdate=off' = ANY (c.reloptions), false) AS fast
         FROM pg_class c JOIN pg_am a ON a.oid = c.relam
         WHERE a.amname = 'gin' AND c.relnamespace = 'public'::regnamespace",
    )
    .load(&mut app.pool.get().unwrap())
    .unwrap();
    assert!(
        indexes.len() >= 4,
        "{:?}",
        indexes.iter().map(|i| &i.name).collect::<Vec<_>>()
    );
    let pending: Vec<&str> = indexes
        .iter()
        .filter(|i| i.fast)
        .map(|i| i.name.as_str())
        .collect();
    assert!(pending.is_empty(), "{pending:?}");
}
