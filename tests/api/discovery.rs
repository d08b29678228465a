//! Being found: Atom feeds, sitemaps, robots.txt, the favicon, the manifest and the tags in
//! every page's head.

use reqwest::StatusCode;

use crate::helpers::{TestApp, TestListing, png, post_listing, spawn_app};

fn children<'a>(node: roxmltree::Node<'a, 'a>, name: &str) -> Vec<roxmltree::Node<'a, 'a>> {
    node.children().filter(|n| n.has_tag_name(name)).collect()
}

fn child_text(node: roxmltree::Node<'_, '_>, name: &str) -> String {
    node.children()
        .find(|n| n.has_tag_name(name))
        .and_then(|n| n.text())
        .unwrap_or_default()
        .to_owned()
}

async fn xml(app: &TestApp, path: &str) -> String {
    let response = app.get(path).await;
    assert_eq!(response.status(), StatusCode::OK, "{path}");
    response.text().await.unwrap()
}

#[tokio::test]
async fn feeds_name_listings_by_a_stable_id_and_carry_price_place_category_and_photo() {
    let app = spawn_app().await;
    let seller = app.sign_up_new_member().await;
    let furniture = app.category_id("for-sale", "furniture");
    let posted = post_listing(
        &app,
        furniture,
        &[
            ("title", "Oak table & four chairs"),
            ("body", "Solid oak."),
            ("price", "240"),
            ("zip", "97201"),
            ("attr_condition", "good"),
        ],
        vec![("table.png", png(120, 90))],
    )
    .await;
    assert_eq!(posted.status(), StatusCode::SEE_OTHER);
    let id = crate::helpers::posted_listing_id(&posted);

    for path in [
        "/search.atom?in=for-sale/furniture".to_owned(),
        format!("/u/{}/feed", seller.username),
    ] {
        let text = xml(&app, &path).await;
        let doc = roxmltree::Document::parse(&text).unwrap_or_else(|e| panic!("{path}: {e}"));
        let feed = doc.root_element();
        let author = children(feed, "author");
        assert_eq!(author.len(), 1, "{path}: the feed has an author");
        assert_eq!(child_text(author[0], "name"), "Corkboard");
        let entries = children(feed, "entry");
        assert_eq!(entries.len(), 1, "{path}");
        let entry = entries[0];
        // The id is the listing's number, not its title: renaming it changes nothing.
        assert_eq!(
            child_text(entry, "id"),
            format!("{}/listings/{id}", app.address)
        );
        assert_eq!(child_text(entry, "title"), "Oak table & four chairs");
        let summary = child_text(entry, "summary");
        assert!(summary.contains("$240"), "{summary}");
        assert!(summary.contains("Portland, OR"), "{summary}");
        assert!(summary.contains("Furniture"), "{summary}");
        assert!(!text.contains(" ago"), "nothing relative in a feed");
        let category = children(entry, "category");
        assert_eq!(category[0].attribute("term"), Some("for-sale/furniture"));
        let photo = children(entry, "link")
            .into_iter()
            .find(|l| l.attribute("rel") == Some("enclosure"))
            .and_then(|l| l.attribute("href"))
            .expect("the first photo")
            .to_owned();
        let image = app.get(&photo).await;
        assert_eq!(image.status(), StatusCode::OK, "{photo}");
        assert_eq!(image.headers()["content-type"], "image/jpeg");
    }

    // Pages with lists link their feed, in the head and on the page.
    let profile = format!("/u/{}", seller.username);
    for path in ["/", "/c/for-sale/furniture", profile.as_str()] {
        let page = app.get_ok_page(path).await;
        let alternate = page
            .body
            .split("<link rel=\"alternate\" type=\"application/atom+xml\"")
            .nth(1)
            .and_then(|rest| rest.split("href=\"").nth(1))
            .and_then(|rest| rest.split('"').next())
            .unwrap_or_else(|| panic!("{path}: no feed link"))
            .replace("&#38;", "&");
        assert!(
            page.body.matches(&*alternate.replace('&', "&#38;")).count() >= 2,
            "{path}: the feed is linked on the page too"
        );
        xml(&app, &alternate).await;
    }
}

#[tokio::test]
async fn sitemaps_list_exactly_the_public_listings_in_ranges_of_ids() {
    let app = spawn_app().await;
    let seller = app.sign_up_new_member().await;
    let public = TestListing {
        title: "Public lamp",
        ..TestListing::default()
    }
    .insert(&app);
    let mut hidden = Vec::new();
    for status in [
        corkboard::listings::models::ListingStatus::Sold,
        corkboard::listings::models::ListingStatus::Held,
        corkboard::listings::models::ListingStatus::Deleted,
    ] {
        hidden.push(
            TestListing {
                title: "Not listed",
                status,
                ..TestListing::default()
            }
            .insert(&app),
        );
    }
    let expired = TestListing {
        title: "Expired but not yet marked",
        ..TestListing::default()
    }
    .insert(&app);
    app.execute(&format!(
        "UPDATE listings SET expires_at = now() - interval '1 minute' WHERE id = {expired}"
    ));
    // A listing in a later range of ids.
    app.execute("SELECT setval('listings_id_seq', 20000)");
    let later = TestListing {
        title: "Public chair",
        ..TestListing::default()
    }
    .insert(&app);
    assert!(later.0 > 20_000);
    // A member in a later range of ids with nothing listed: no profile sitemap names them.
    app.execute("SELECT setval('users_id_seq', 30000)");
    app.new_member().await;
    // A range whose only listing expired (not yet marked) has no sitemap either.
    app.execute("SELECT setval('listings_id_seq', 40000)");
    let stale = TestListing {
        title: "Stale stool",
        ..TestListing::default()
    }
    .insert(&app);
    app.execute(&format!(
        "UPDATE listings SET expires_at = now() - interval '1 minute' WHERE id = {stale}"
    ));

    let index = xml(&app, "/sitemap.xml").await;
    let doc = roxmltree::Document::parse(&index).unwrap();
    let sitemaps: Vec<String> = doc
        .root_element()
        .descendants()
        .filter(|n| n.has_tag_name("loc"))
        .map(|n| n.text().unwrap().replace(&app.address, ""))
        .collect();
    assert_eq!(
        sitemaps,
        [
            "/sitemaps/pages.xml",
            "/sitemaps/listings-0.xml",
            "/sitemaps/listings-2.xml",
            "/sitemaps/profiles-0.xml",
        ]
    );

    let mut listed = Vec::new();
    for path in ["/sitemaps/listings-0.xml", "/sitemaps/listings-2.xml"] {
        let text = xml(&app, path).await;
        let doc = roxmltree::Document::parse(&text).unwrap();
        assert_eq!(
            doc.root_element().tag_name().namespace(),
            Some("http://www.sitemaps.org/schemas/sitemap/0.9")
        );
        listed.extend(
            doc.root_element()
                .descendants()
                .filter(|n| n.has_tag_name("loc"))
                .map(|n| n.text().unwrap().replace(&app.address, "")),
        );
    }
    assert_eq!(
        listed,
        [
            format!("/listings/{public}/public-lamp"),
            format!("/listings/{later}/public-chair"),
        ]
    );
    // A range with nothing public, or no range at all, is not a sitemap.
    for path in [
        "/sitemaps/listings-1.xml",
        "/sitemaps/listings-4.xml",
        "/sitemaps/profiles-3.xml",
        "/sitemaps/listings-99999.xml",
        "/sitemaps/listings--1.xml",
        "/sitemaps/secrets-0.xml",
    ] {
        assert_eq!(
            app.get(path).await.status(),
            StatusCode::NOT_FOUND,
            "{path}"
        );
    }

    let pages = xml(&app, "/sitemaps/pages.xml").await;
    for page in [
        "/</loc>",
        "/c/for-sale</loc>",
        "/c/for-sale/bikes</loc>",
        "/about</loc>",
        "/privacy</loc>",
    ] {
        assert!(pages.contains(page), "{page}");
    }
    let profiles = xml(&app, "/sitemaps/profiles-0.xml").await;
    assert!(profiles.contains(&format!("/u/{}</loc>", seller.username)));

    let robots = app.get_ok_page("/robots.txt").await.body;
    assert!(robots.contains(&format!("Sitemap: {}/sitemap.xml", app.address)));
    assert!(robots.contains("Disallow: /admin"));
}

#[tokio::test]
async fn every_page_has_an_icon_a_manifest_and_tags_for_sharing_and_indexing() {
    let app = spawn_app().await;
    let icon = app.get("/favicon.ico").await;
    assert_eq!(icon.status(), StatusCode::OK);
    assert_eq!(icon.headers()["content-type"], "image/x-icon");
    let bytes = icon.bytes().await.unwrap();
    assert_eq!(&bytes[..4], &[0, 0, 1, 0], "an ICO file");

    let manifest: serde_json::Value = app.get("/manifest.webmanifest").await.json().await.unwrap();
    assert_eq!(manifest["name"], "Corkboard");
    assert_eq!(manifest["start_url"], "/");
    for icon in manifest["icons"].as_array().unwrap() {
        let src = icon["src"].as_str().unwrap();
        assert_eq!(app.get(src).await.status(), StatusCode::OK, "{src}");
    }

    let home = app.get_ok_page("/").await.body;
    for tag in [
        "<meta property=\"og:site_name\" content=\"Corkboard\">",
        "<meta name=\"twitter:card\" content=\"summary\">",
        "<link rel=\"manifest\" href=\"/manifest.webmanifest\">",
        &format!("<link rel=\"canonical\" href=\"{}/\">", app.address),
    ] {
        assert!(home.contains(tag), "{tag}");
    }
    assert!(!home.contains("noindex"));
    // The footer names the site's own pages, each one there to read.
    for (path, heading) in [
        ("/about", "About Corkboard"),
        ("/help", "How Corkboard works"),
        ("/safety", "Safety tips"),
        ("/terms", "Terms of use"),
        ("/privacy", "Privacy"),
    ] {
        assert!(home.contains(&format!("<li><a href=\"{path}\"")), "{path}");
        let page = app.get_ok_page(path).await;
        assert!(page.body.contains(&format!(">{heading}</h1>")), "{path}");
    }
    // Forms and a member's own pages are not for search engines; nor is a search.
    for path in ["/login", "/signup", "/area", "/search?q=lamp"] {
        let page = app.get_page(path).await;
        assert!(
            page.body
                .contains("<meta name=\"robots\" content=\"noindex\">"),
            "{path}"
        );
        assert_eq!(page.body.matches("rel=\"canonical\"").count(), 1, "{path}");
    }
}

#[tokio::test]
async fn a_listing_page_shares_by_plain_links_and_links_the_safety_tips() {
    let app = spawn_app().await;
    app.sign_up_new_member().await;
    let id = TestListing {
        title: "Red kayak & paddle",
        ..TestListing::default()
    }
    .insert(&app);
    let visitor = app.new_visitor();
    let page = visitor
        .get_ok_page(&format!("/listings/{id}/red-kayak-paddle"))
        .await;
    let url = format!("{}/listings/{id}/red-kayak-paddle", app.address);
    // One canonical address, the listing's own.
    assert_eq!(page.body.matches("rel=\"canonical\"").count(), 1);
    assert!(
        page.body
            .contains(&format!("<link rel=\"canonical\" href=\"{url}\">"))
    );
    let encoded: String = url::form_urlencoded::byte_serialize(url.as_bytes()).collect();
    assert!(
        page.body.contains(&format!("value=\"{url}\" readonly")),
        "the address to copy"
    );
    for link in [
        format!("mailto:?subject=Red+kayak+%26+paddle&#38;body={encoded}"),
        "https://wa.me/?text=Red+kayak+%26+paddle+".to_owned(),
        format!("https://www.facebook.com/sharer/sharer.php?u={encoded}"),
        format!("https://x.com/intent/post?text=Red+kayak+%26+paddle&#38;url={encoded}"),
    ] {
        assert!(page.body.contains(&link), "{link}");
    }
    assert!(
        !page.body.contains("<script src=\"http"),
        "no third-party scripts"
    );
    assert!(page.body.contains("data-web-share"));
    // The seller's contact button comes with the safety tips.
    let tip = page.body.find("data-safety-tip").expect("a safety tip");
    assert!(page.body[tip..].contains("href=\"/safety\""));
}

/// The part of a page from `marker` to the end of its section.
fn section_at<'a>(body: &'a str, marker: &str) -> &'a str {
    let start = body
        .find(marker)
        .unwrap_or_else(|| panic!("no {marker} in the page"));
    let rest = &body[start..];
    &rest[..rest.find("</section>").unwrap_or(rest.len())]
}

#[tokio::test]
async fn a_listing_page_leads_on_to_the_sellers_other_listings_and_similar_ones_nearby() {
    use corkboard::listings::models::ListingStatus;
    let app = spawn_app().await;
    let seller = app.sign_up_new_member().await;
    let (_, other) = app.new_member().await;
    let listing = |title, category: (&'static str, &'static str), zip, minutes_ago| TestListing {
        title,
        category,
        zip,
        minutes_ago,
        ..TestListing::default()
    };
    let viewed = listing("Vintage road bike", ("for-sale", "bikes"), "97201", 1).insert(&app);
    listing("Portland mountain bike", ("for-sale", "bikes"), "97201", 2).insert(&app);
    listing("Oak desk", ("for-sale", "furniture"), "97201", 3).insert(&app);
    TestListing {
        status: ListingStatus::Sold,
        ..listing("Sold road bike", ("for-sale", "bikes"), "97201", 4)
    }
    .insert(&app);
    let theirs = [
        listing("Beaverton road bike", ("for-sale", "bikes"), "97005", 50).insert(&app),
        listing("Seattle road bike", ("for-sale", "bikes"), "98101", 5).insert(&app),
        listing("Road bike sofa", ("for-sale", "furniture"), "97201", 5).insert(&app),
        listing("Cargo trailer", ("for-sale", "bikes"), "97201", 6).insert(&app),
    ];
    for id in theirs {
        app.execute(&format!(
            "UPDATE listings SET owner_id = (SELECT id FROM users WHERE username = '{}') WHERE id = {id}",
            other.username
        ));
    }

    let page = app
        .get_ok_page(&format!("/listings/{viewed}/vintage-road-bike"))
        .await;
    let from_seller = section_at(&page.body, "data-more-from-seller");
    assert!(
        from_seller.contains(&format!("/u/{}", seller.username)),
        "{from_seller}"
    );
    for title in ["Portland mountain bike", "Oak desk"] {
        assert!(from_seller.contains(title), "{title} in {from_seller}");
    }
    for title in [
        "Portland road bike",
        "Sold road bike",
        "Beaverton road bike",
    ] {
        assert!(!from_seller.contains(title), "{title} in {from_seller}");
    }

    let similar = section_at(&page.body, "data-similar");
    let shown: Vec<&str> = [
        "Beaverton road bike",
        "Portland mountain bike",
        "Cargo trailer",
        "Vintage road bike",
        "Sold road bike",
        "Seattle road bike",
        "Road bike sofa",
    ]
    .into_iter()
    .filter(|title| similar.contains(title))
    .collect();
    // Two shared words, then one, then a neighbour in the category that shares none; never
    // the listing itself, a sold one, one 145 miles away or one in another category.
    assert_eq!(
        shown,
        [
            "Beaverton road bike",
            "Portland mountain bike",
            "Cargo trailer"
        ]
    );
    let at = |title| similar.find(title).unwrap();
    assert!(at("Beaverton road bike") < at("Portland mountain bike"));
    assert!(at("Portland mountain bike") < at("Cargo trailer"));
    assert!(!similar.contains(" mi ·"), "{similar}");

    // The cards shown to everyone a moment ago are not those of a visitor who chose an area:
    // theirs say how far each listing is, and the next visitor's do not.
    let nearby = app.new_visitor();
    nearby.get("/area?place=97201&radius=25&next=%2F").await;
    let page = nearby
        .get_ok_page(&format!("/listings/{viewed}/vintage-road-bike"))
        .await;
    let similar = section_at(&page.body, "data-similar");
    assert!(
        similar.contains("Beaverton road bike") && similar.contains(" mi ·"),
        "{similar}"
    );
    let page = app
        .new_visitor()
        .get_ok_page(&format!("/listings/{viewed}/vintage-road-bike"))
        .await;
    let similar = section_at(&page.body, "data-similar");
    assert!(
        similar.contains("Beaverton road bike") && !similar.contains(" mi ·"),
        "{similar}"
    );

    // A sold listing still leads a visitor who came for it to similar ones; one its owner
    // deleted (which only they may open) leads nowhere else.
    app.execute(&format!(
        "UPDATE listings SET status = 'sold' WHERE id = {viewed}"
    ));
    let sold = app
        .get_ok_page(&format!("/listings/{viewed}/vintage-road-bike"))
        .await;
    assert!(section_at(&sold.body, "data-similar").contains("Beaverton road bike"));
    app.execute(&format!(
        "UPDATE listings SET status = 'deleted', deleted_at = now() WHERE id = {viewed}"
    ));
    let deleted = app
        .get_ok_page(&format!("/listings/{viewed}/vintage-road-bike"))
        .await;
    assert!(deleted.body.contains("Vintage road bike"));
    assert!(!deleted.body.contains("data-similar"));
    assert!(!deleted.body.contains("data-more-from-seller"));
}
