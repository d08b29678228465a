//! Journeys in a real headless Chromium.

use fantoccini::Locator;

use crate::helpers::{Browser, spawn_app};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_visitor_sees_the_styled_home_page() {
    let app = spawn_app().await;
    let browser = Browser::start().await;
    let page = &browser.client;

    page.goto(&app.url("/")).await.unwrap();

    assert_eq!(page.title().await.unwrap(), "Local classifieds · Corkboard");
    let brand = page.find(Locator::Css("header a[href='/']")).await.unwrap();
    assert!(brand.text().await.unwrap().contains("Corkboard"));
    // The stylesheet loaded and applied: the header is dark, the hero heading large.
    let styles = page
        .execute(
            "const h = getComputedStyle(document.querySelector('header'));
             const h1 = getComputedStyle(document.querySelector('h1'));
             return [h.backgroundColor, h1.fontWeight, document.styleSheets.length];",
            vec![],
        )
        .await
        .unwrap();
    assert_ne!(
        styles[0], "rgba(0, 0, 0, 0)",
        "header has no background: {styles}"
    );
    assert_eq!(styles[1], "700", "{styles}");
    assert_eq!(styles[2], 1, "{styles}");
    // The search box is there and reachable.
    page.find(Locator::Css("input#site-search[name='q']"))
        .await
        .unwrap();
    let shot = browser.screenshot("home").await;
    assert!(std::fs::metadata(shot).unwrap().len() > 10_000);

    browser.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_member_signs_up_logs_out_logs_in_and_edits_their_profile() {
    let app = spawn_app().await;
    let user = crate::helpers::TestUser::generate();
    let browser = Browser::start().await;

    // Sign up from the header link.
    browser.client.goto(&app.url("/")).await.unwrap();
    browser.click("header a[href='/signup']").await;
    browser.fill("username", &user.username).await;
    browser.fill("email", &user.email).await;
    browser.fill("password", &user.password).await;
    browser.click("form[action='/signup'] button").await;
    browser
        .wait_for_text(".flash", "Welcome to Corkboard")
        .await;
    browser.screenshot("signed-up").await;

    // Log out from the header, then log in with the e-mail address.
    browser.click("form[action='/logout'] button").await;
    browser.click("header a[href='/login']").await;
    browser.fill("login", &user.email).await;
    browser.fill("password", &user.password).await;
    browser.click("form[action='/login'] button").await;
    browser.wait_for_text(".flash", "Welcome back").await;

    // Edit the profile: a bad ZIP first (the form keeps what was typed), then a good one.
    browser.click("header a[href='/settings']").await;
    browser.fill("display_name", "Robin Seller").await;
    browser.fill("home_zip", "12").await;
    browser
        .click("form[action='/settings/profile'] button")
        .await;
    browser
        .wait_for_text("#home_zip-error", "five-digit ZIP")
        .await;
    let kept = browser
        .client
        .find(Locator::Id("display_name"))
        .await
        .unwrap()
        .prop("value")
        .await
        .unwrap();
    assert_eq!(kept.as_deref(), Some("Robin Seller"));
    browser.screenshot("settings-error").await;
    browser.fill("home_zip", "10001").await;
    browser
        .click("form[action='/settings/profile'] button")
        .await;
    browser.wait_for_text(".flash", "Profile saved").await;

    browser
        .client
        .goto(&app.url(&format!("/u/{}", user.username)))
        .await
        .unwrap();
    browser.wait_for_text("h1", "Robin Seller").await;
    browser.screenshot("profile").await;

    browser.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_member_posts_a_listing_with_two_photos_and_finds_it_on_the_site() {
    let app = spawn_app().await;
    let user = crate::helpers::TestUser::generate();
    let photos = tempfile::tempdir().unwrap();
    let paths: Vec<String> = [(640, 480), (480, 640), (300, 300)]
        .iter()
        .enumerate()
        .map(|(i, (w, h))| {
            let path = photos.path().join(format!("photo{i}.png"));
            std::fs::write(&path, crate::helpers::png(*w, *h)).unwrap();
            path.display().to_string()
        })
        .collect();
    let browser = Browser::start().await;

    browser.client.goto(&app.url("/signup")).await.unwrap();
    browser.fill("username", &user.username).await;
    browser.fill("email", &user.email).await;
    browser.fill("password", &user.password).await;
    browser.click("form[action='/signup'] button").await;
    browser.wait_for_text(".flash", "Welcome").await;

    // Choose the category, then fill in its form.
    browser
        .client
        .goto(&app.url("/listings/new"))
        .await
        .unwrap();
    browser
        .click("a[href^='/listings/new?category=']:not([href=''])")
        .await;
    let heading = browser.wait_for_text("h1", "Post in ").await;
    assert!(heading.starts_with("Post in "), "{heading}");
    let category = heading.trim_start_matches("Post in ").to_owned();
    browser.fill("title", "Mid-century armchair").await;
    browser.fill("body", "Teak frame, new cushions.").await;
    browser.fill("price", "240").await;
    browser.fill("zip", "98103").await;
    // The title counts down what is left of its 100 characters.
    browser
        .wait_for_text("#title-counter", "80 characters left")
        .await;
    let input = browser.client.find(Locator::Id("photos")).await.unwrap();
    input.send_keys(&paths.join("\n")).await.unwrap();
    // The script shows previews before anything is sent; the second becomes the cover and
    // the third goes, and the files to send follow.
    let previews = browser
        .client
        .execute(
            "return document.querySelectorAll('.photo-previews img').length;",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(previews, 3);
    browser
        .click(".photo-previews li:nth-child(2) button[aria-label='Make cover: photo1.png']")
        .await;
    browser
        .click(".photo-previews li:nth-child(3) button[aria-label='Remove: photo2.png']")
        .await;
    let chosen = browser
        .client
        .execute(
            "return [Array.from(document.querySelectorAll('.photo-previews img')).map(i => i.alt),
                     Array.from(document.getElementById('photos').files).map(f => f.name)];",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(
        chosen,
        serde_json::json!([["photo1.png", "photo0.png"], ["photo1.png", "photo0.png"]])
    );
    browser.screenshot("listing-form").await;
    browser
        .click("form[data-photo-form] button[type=submit]")
        .await;

    // The listing page, with both photos.
    browser
        .client
        .wait()
        .for_element(Locator::Css(".gallery"))
        .await
        .unwrap();
    browser
        .wait_for_text(".flash", "Your listing is live.")
        .await;
    browser.wait_for_text("h1", "Mid-century armchair").await;
    let shown = browser
        .client
        .execute(
            "return document.querySelectorAll('.gallery img').length;",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(shown, 2);
    let cover_is_portrait = browser
        .client
        .execute(
            "const img = document.querySelector('.gallery img');
             return img.naturalHeight > img.naturalWidth;",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(
        cover_is_portrait, true,
        "the photo made the cover comes first"
    );
    let path = browser
        .client
        .current_url()
        .await
        .unwrap()
        .path()
        .to_owned();
    assert!(path.ends_with("/mid-century-armchair"), "{path}");
    browser.screenshot("listing").await;

    // Its card on the front page leads back to it; its breadcrumb leads to its category page,
    // which lists it too.
    browser.client.goto(&app.url("/")).await.unwrap();
    browser.click(&format!("main a[href='{path}']")).await;
    browser
        .client
        .wait()
        .for_element(Locator::Css(".gallery"))
        .await
        .unwrap();
    browser
        .click("nav[aria-label='Breadcrumb'] a:last-child")
        .await;
    browser
        .client
        .wait()
        .for_element(Locator::Css(&format!("main a[href='{path}']")))
        .await
        .unwrap();
    browser.wait_for_text("h1", &category).await;
    browser.screenshot("category").await;

    browser.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_visitor_searches_filters_by_distance_and_switches_views() {
    let app = spawn_app().await;
    app.sign_up_new_member().await;
    let category = app.category_id("for-sale", "bikes");
    for (title, zip) in [
        ("Brooklyn road bike", "11211"),
        ("Manhattan city bike", "10001"),
        ("Seattle gravel bike", "98103"),
    ] {
        let response = crate::helpers::post_listing(
            &app,
            category,
            &[
                ("title", title),
                ("body", "Rides well."),
                ("price", "300"),
                ("zip", zip),
            ],
            vec![("bike.png", crate::helpers::png(320, 240))],
        )
        .await;
        assert_eq!(response.status().as_u16(), 303);
    }
    let browser = Browser::start().await;

    // Search from the header box.
    browser.client.goto(&app.url("/")).await.unwrap();
    browser.fill("site-search", "bikes").await;
    browser.click("header form[role=search] button").await;
    browser.wait_for_text("[role=status]", "1–3 of 3").await;

    // Only those within 10 miles of Manhattan.
    browser.fill("search-zip", "10001").await;
    browser
        .client
        .find(Locator::Css("#search-radius option[value='10']"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    browser
        .click("form[aria-label='Filters'] button[type=submit]")
        .await;
    browser
        .wait_for_text("#results-heading", "within 10 mi of New York, NY")
        .await;
    browser.wait_for_text("[role=status]", "1–2 of 2").await;
    browser.screenshot("search-list").await;

    // Gallery, then map: the same two listings.
    browser.click("nav[aria-label=Views] a:nth-child(2)").await;
    browser
        .client
        .wait()
        .for_element(Locator::Css("ul.grid .listing-card"))
        .await
        .unwrap();
    let cards = browser
        .client
        .execute(
            "return document.querySelectorAll('.listing-card').length;",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(cards, 2);
    browser.screenshot("search-gallery").await;

    browser.click("nav[aria-label=Views] a:nth-child(3)").await;
    browser
        .client
        .wait()
        .for_element(Locator::Css("#results-map[data-ready='true']"))
        .await
        .unwrap();
    let markers = browser
        .client
        .execute(
            "return document.querySelectorAll('.leaflet-marker-icon').length;",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(markers, 2, "one marker per listing, even without map tiles");
    let links = browser
        .client
        .execute(
            "return document.querySelectorAll('main li a[href^=\"/listings/\"]').length;",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(links, 2, "the list still shows under the map");
    browser.screenshot("search-map").await;

    browser.close().await;
}

/// The value of the form field with `id`.
async fn value_of(browser: &Browser, id: &str) -> String {
    browser
        .client
        .find(Locator::Id(id))
        .await
        .unwrap()
        .prop("value")
        .await
        .unwrap()
        .unwrap_or_default()
}

/// The text of the element matching `css`, or "" when there is none.
async fn text_of(browser: &Browser, css: &str) -> String {
    match browser.client.find(Locator::Css(css)).await {
        Ok(element) => element.text().await.unwrap_or_default(),
        Err(_) => String::new(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_members_chat_live_in_two_browsers() {
    use crate::messages::{contact, conversation_of, listing};
    let app = spawn_app().await;
    let seller = app.sign_up_new_member().await;
    let (id, _) = listing(&app, "Cedar chest").await;
    let (buyer_client, buyer) = app.new_member().await;
    let path =
        conversation_of(&contact(&buyer_client, id, &[("body", "Hi! Still for sale?")]).await);

    let (sellers, buyers) = tokio::join!(Browser::start(), Browser::start());
    tokio::join!(sellers.log_in(&app, &seller), buyers.log_in(&app, &buyer));
    // The seller is on the front page: the header counts the unread message.
    sellers.client.goto(&app.url("/")).await.unwrap();
    assert_eq!(text_of(&sellers, "header [data-unread-count]").await, "1");
    buyers.client.goto(&app.url(&path)).await.unwrap();
    buyers.wait_for_text("#messages", "Still for sale?").await;

    // The buyer writes again: the seller's header and title count it without a reload.
    let stay = "window.stayed = true; return true;";
    sellers.client.execute(stay, vec![]).await.unwrap();
    buyers.client.execute(stay, vec![]).await.unwrap();
    buyers.fill("body", "Can I pick it up tonight?").await;
    buyers.click("form[data-reply-form] button").await;
    buyers
        .wait_for_text("#messages", "Can I pick it up tonight?")
        .await;
    sellers
        .wait_for_text("header [data-unread-count]", "2")
        .await;
    assert!(sellers.client.title().await.unwrap().starts_with("(2) "));

    // The seller opens the conversation; the buyer sees "Seen" appear under their message.
    sellers.client.goto(&app.url(&path)).await.unwrap();
    sellers
        .wait_for_text("#messages", "Can I pick it up tonight?")
        .await;
    buyers
        .wait_for_text("#messages li:last-child", "Seen")
        .await;

    // The seller answers: it shows up on the buyer's page live, and the buyer's page
    // (open and visible) reads it at once.
    sellers.client.execute(stay, vec![]).await.unwrap();
    sellers.fill("body", "Yes, any time after 6.").await;
    sellers.click("form[data-reply-form] button").await;
    buyers
        .wait_for_text("#messages", "Yes, any time after 6.")
        .await;
    sellers
        .wait_for_text("#messages li:last-child", "Seen")
        .await;
    assert_eq!(
        value_of(&sellers, "body").await,
        "",
        "the box is emptied once sent"
    );

    // A refused message stays in the box with the reason next to it, still without a reload.
    let too_long = "x".repeat(5_001);
    sellers
        .client
        .execute(
            "document.getElementById('body').value = arguments[0]; return true;",
            vec![serde_json::json!(too_long)],
        )
        .await
        .unwrap();
    sellers.click("form[data-reply-form] button").await;
    sellers.wait_for_text("#error-summary", "5,000").await;
    assert_eq!(
        value_of(&sellers, "body").await.len(),
        5_001,
        "the text is kept"
    );

    // Neither page ever reloaded.
    for browser in [&sellers, &buyers] {
        let stayed = browser
            .client
            .execute("return window.stayed === true;", vec![])
            .await
            .unwrap();
        assert_eq!(stayed, serde_json::json!(true));
    }
    sellers.screenshot("chat-seller").await;
    buyers.screenshot("chat-buyer").await;
    sellers.close().await;
    buyers.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_member_without_javascript_contacts_a_seller_and_reads_the_answer() {
    use crate::messages::reply;
    let app = spawn_app().await;
    app.sign_up_new_member().await;
    let (_, listing_path) = crate::messages::listing(&app, "Pine bench").await;
    let (_, buyer) = app.new_member().await;
    let browser = Browser::start_without_javascript().await;
    browser.log_in(&app, &buyer).await;

    browser.client.goto(&app.url(&listing_path)).await.unwrap();
    browser.click("a.btn[href$='/contact']").await;
    browser.fill("body", "Would you take 40?").await;
    browser.click("form button.btn-primary").await;
    // Post, redirect, and the conversation page shows the message.
    browser
        .wait_for_text("#messages", "Would you take 40?")
        .await;
    let url = browser.client.current_url().await.unwrap();
    assert!(url.path().starts_with("/messages/"), "{url}");
    assert!(
        browser
            .client
            .find(Locator::Css(".send-status"))
            .await
            .is_err(),
        "no script ran"
    );

    // The seller answers; a reload shows it.
    let path = url.path().to_owned();
    reply(&app.visitor, &path, &[("body", "45 and it is yours.")]).await;
    browser.client.goto(&app.url(&path)).await.unwrap();
    browser
        .wait_for_text("#messages", "45 and it is yours.")
        .await;
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_admin_finds_a_flagged_listing_holds_it_and_its_owner_appeals() {
    use diesel::prelude::*;
    let app = spawn_app().await;
    let owner = app.sign_up_new_member().await;
    let id = crate::helpers::TestListing {
        title: "Vintage amplifier",
        ..crate::helpers::TestListing::default()
    }
    .insert(&app);
    crate::helpers::TestListing {
        title: "Unflagged toaster",
        ..crate::helpers::TestListing::default()
    }
    .insert(&app);
    // A member flags it (not enough to hold it on its own).
    let (flagger, _) = app.new_member().await;
    let flagged = flagger
        .submit_form(
            &format!("/listings/{id}/flag"),
            &format!("/listings/{id}/flag"),
            &[("reason", "scam"), ("note", "Same ad in three cities")],
        )
        .await;
    assert_eq!(flagged.status(), reqwest::StatusCode::SEE_OTHER);
    let (_, admin) = app.new_member().await;
    diesel::sql_query("UPDATE users SET role = 'admin' WHERE username = $1")
        .bind::<diesel::sql_types::Text, _>(&admin.username)
        .execute(&mut app.pool.get().unwrap())
        .unwrap();

    let (admins, owners) = tokio::join!(Browser::start(), Browser::start());
    tokio::join!(admins.log_in(&app, &admin), owners.log_in(&app, &owner));

    // The admin narrows the browser to flagged listings and opens the one it finds.
    admins.client.goto(&app.url("/admin")).await.unwrap();
    admins.click("a[href='/admin/listings']").await;
    admins.wait_for_text("table", "Unflagged toaster").await;
    admins.click("input[name='flagged']").await;
    admins.click("form[action='/admin/listings'] button").await;
    let rows = admins.wait_for_text("table", "Vintage amplifier").await;
    assert!(!rows.contains("Unflagged toaster"), "{rows}");
    admins
        .click(&format!("a[href='/admin/listings/{id}']"))
        .await;
    admins
        .wait_for_text("main", "Same ad in three cities")
        .await;
    admins.click("input[name='action'][value='hold']").await;
    admins
        .fill(
            "action-reason",
            "The same photos appear in other cities' ads",
        )
        .await;
    admins
        .click(&format!(
            "form[action='/admin/listings/{id}/action'] button"
        ))
        .await;
    admins.wait_for_text(".flash", "Listing held.").await;
    admins.screenshot("admin-listing").await;

    // Its owner sees why on the listing and appeals from there.
    owners
        .client
        .goto(&app.url(&format!("/listings/{id}")))
        .await
        .unwrap();
    owners
        .wait_for_text("main", "The same photos appear in other cities' ads")
        .await;
    owners.click("#moderation-heading ~ details summary").await;
    owners
        .fill(
            "appeal-message",
            "These are my own photos; here is the serial.",
        )
        .await;
    owners
        .click(&format!("form[action='/listings/{id}/appeal'] button"))
        .await;
    owners.wait_for_text(".flash", "Your appeal is sent").await;
    owners
        .wait_for_text("main", "waiting for a moderator")
        .await;
    owners.screenshot("owner-appeal").await;
    let appeals: i64 = corkboard::db::schema::appeals::table
        .count()
        .get_result(&mut app.pool.get().unwrap())
        .unwrap();
    assert_eq!(appeals, 1);
    admins.close().await;
    owners.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_a_phone_filters_open_over_the_list_and_results_come_first() {
    let app = spawn_app().await;
    app.sign_up_new_member().await;
    for (title, price) in [
        ("Kids bike with stabilisers", 4_000),
        ("Commuter bike with rack", 25_000),
        ("Carbon race bike", 320_000),
    ] {
        crate::helpers::TestListing {
            title,
            category: ("for-sale", "bikes"),
            price: Some(price),
            zip: "97201",
            ..crate::helpers::TestListing::default()
        }
        .insert(&app);
    }
    let browser = Browser::start().await;
    browser.resize(390, 844).await;
    browser
        .client
        .goto(&app.url("/c/for-sale/bikes"))
        .await
        .unwrap();
    browser.wait_for_text("[role=status]", "1–3 of 3").await;
    let filters_shown =
        "return document.getElementById('filters').getBoundingClientRect().height > 0;";
    assert_eq!(
        browser.client.execute(filters_shown, vec![]).await.unwrap(),
        false,
        "on a phone the filters wait behind their button"
    );

    browser.click("a[data-filters-toggle]").await;
    assert_eq!(
        browser.client.execute(filters_shown, vec![]).await.unwrap(),
        true,
        "the button opens them"
    );
    browser.fill("max-price", "300").await;
    browser
        .click("form[aria-label='Filters'] button[type=submit]")
        .await;
    browser.wait_for_text("[role=status]", "1–2 of 2").await;
    // The results start within the first screen, before any filter.
    let top = browser
        .client
        .execute(
            "const first = document.querySelector('[data-results] li a');
             return [first.getBoundingClientRect().top, window.innerHeight, first.textContent];",
            vec![],
        )
        .await
        .unwrap();
    let (top, height) = (top[0].as_f64().unwrap(), top[1].as_f64().unwrap());
    assert!(
        top < height,
        "the first result is above the fold: {top} of {height}"
    );
    assert!(browser.sideways_overflow().await.is_none());
    browser.screenshot("phone-category-filtered").await;
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_listing_page_shows_its_area_as_a_circle_and_links_to_it_without_javascript() {
    let app = spawn_app().await;
    app.sign_up_new_member().await;
    let (_, path) = crate::messages::listing(&app, "Pine bench").await;

    let browser = Browser::start().await;
    browser.client.goto(&app.url(&path)).await.unwrap();
    browser
        .client
        .wait()
        .for_element(Locator::Css("#listing-map[data-ready='true']"))
        .await
        .unwrap();
    let drawn = browser
        .client
        .execute(
            "const m = document.getElementById('listing-map');
             return [m.querySelectorAll('.leaflet-overlay-pane path').length,
                     m.querySelectorAll('.leaflet-marker-icon').length,
                     m.getBoundingClientRect().height > 100,
                     m.getAttribute('aria-label')];",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(drawn[0], 1, "one circle: {drawn:?}");
    assert_eq!(drawn[1], 0, "never a pin on the spot");
    assert_eq!(drawn[2], true, "the map has room");
    assert_eq!(drawn[3], "Map of the area around New York, NY");
    browser.close().await;

    let plain = Browser::start_without_javascript().await;
    plain.client.goto(&app.url(&path)).await.unwrap();
    let fallback = plain
        .client
        .execute(
            "const m = document.getElementById('listing-map');
             const link = document.querySelector('a[href^=\"https://www.openstreetmap.org/#map=13/\"]');
             return [m.getBoundingClientRect().height, link !== null];",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(fallback[0], 0, "no empty box without a map");
    assert_eq!(fallback[1], true, "a link to the area instead");
    plain.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_browsers_chat_through_a_rooms_shared_link() {
    // The product notes' own test: two different browsers (separate profiles, no accounts)
    // talking through the shared link; one of them without JavaScript.
    let app = spawn_app().await;
    let (host, guest) = tokio::join!(Browser::start(), Browser::start_without_javascript());

    host.client.goto(&app.url("/rooms/new")).await.unwrap();
    host.fill("room-name", "Maple Street yard sale").await;
    host.fill("chat-name", "Ada").await;
    host.click("form[action='/rooms/new'] button").await;
    host.wait_for_text("h1", "Maple Street yard sale").await;
    let link = host
        .client
        .find(Locator::Id("share-link"))
        .await
        .unwrap()
        .prop("value")
        .await
        .unwrap()
        .unwrap();
    assert!(link.contains("/rooms/"), "{link}");
    host.client
        .execute("window.stayed = true; return true;", vec![])
        .await
        .unwrap();

    // The guest opens the shared link, picks a name, and writes.
    guest.client.goto(&link).await.unwrap();
    guest
        .wait_for_text("label[for='chat-name']", "What should we call you?")
        .await;
    guest.fill("chat-name", "Bob").await;
    guest.click("form[action$='/join'] button").await;
    guest
        .wait_for_text("[data-room] header", "You are Bob")
        .await;
    guest.fill("room-body", "Is the lamp still there?").await;
    guest.click("form[data-room-form] button").await;
    guest
        .wait_for_text("#room-messages", "Is the lamp still there?")
        .await;

    // It shows up on the host's page live; the host answers without leaving the page.
    host.wait_for_text("#room-messages", "Is the lamp still there?")
        .await;
    host.fill("room-body", "Yes! Come by at noon.").await;
    host.click("form[data-room-form] button").await;
    host.wait_for_text("#room-messages", "Yes! Come by at noon.")
        .await;
    assert_eq!(value_of(&host, "room-body").await, "", "the box is emptied");
    let stayed = host
        .client
        .execute("return window.stayed === true;", vec![])
        .await
        .unwrap();
    assert_eq!(
        stayed,
        serde_json::json!(true),
        "the host's page never reloaded"
    );

    // Without JavaScript, a reload shows the answer.
    guest.client.goto(&link).await.unwrap();
    guest
        .wait_for_text("#room-messages", "Yes! Come by at noon.")
        .await;
    host.screenshot("room-host").await;
    guest.screenshot("room-guest").await;
    host.close().await;
    guest.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_members_meet_say_yes_and_message_through_their_match() {
    let app = spawn_app().await;
    // Each signs up in their own session (one cookie jar cannot sign up two at once).
    let (_, ada) = app.new_member().await;
    let (_, bob) = app.new_member().await;
    let (adas, bobs) = tokio::join!(Browser::start(), Browser::start_without_javascript());
    tokio::join!(adas.log_in(&app, &ada), bobs.log_in(&app, &bob));

    // Both opt in through the profile form.
    for (browser, hobbies) in [(&adas, "hiking, chess"), (&bobs, "chess, baking")] {
        browser
            .client
            .goto(&app.url("/people/profile"))
            .await
            .unwrap();
        browser.fill("hobbies", hobbies).await;
        browser.fill("zip", "94110").await;
        browser.fill("radius", "10").await;
        browser.click("form[action='/people/profile'] button").await;
        browser
            .wait_for_text("#flash", "Your friend profile is saved")
            .await;
    }

    // Ada is shown Bob, with chess marked as shared, and says yes with the keyboard.
    adas.client.goto(&app.url("/people")).await.unwrap();
    adas.wait_for_text("#person-name", &bob.username).await;
    assert!(
        text_of(&adas, "[data-person]")
            .await
            .contains("about 1 mile")
    );
    let shared = text_of(&adas, "[data-person] .badge-shared").await;
    assert!(shared.to_lowercase().contains("chess"), "{shared}");
    adas.client
        .execute(
            "document.dispatchEvent(new KeyboardEvent('keydown', {key: 'ArrowRight'})); return true;",
            vec![],
        )
        .await
        .unwrap();
    adas.wait_for_text("main", "That's everyone for now").await;

    // Bob, without JavaScript, says yes with the button: the match opens its conversation.
    bobs.client.goto(&app.url("/people")).await.unwrap();
    bobs.wait_for_text("#person-name", &ada.username).await;
    bobs.click("[data-answer='yes']").await;
    bobs.wait_for_text("#messages", "You matched on: chess")
        .await;
    bobs.fill("body", "Chess in the park on Saturday?").await;
    bobs.click("form[data-reply-form] button").await;
    bobs.wait_for_text("#messages", "Chess in the park on Saturday?")
        .await;

    // Ada finds the match and the message.
    adas.client.goto(&app.url("/people/matches")).await.unwrap();
    adas.wait_for_text("[data-match]", &bob.username).await;
    adas.click("[data-match] a.btn").await;
    adas.wait_for_text("#messages", "Chess in the park on Saturday?")
        .await;
    adas.screenshot("people-match-ada").await;
    bobs.screenshot("people-match-bob").await;
    adas.close().await;
    bobs.close().await;
}
