//! Every page type passes axe-core's WCAG 2.x A/AA rules with zero violations, at a desktop
//! width and a phone's, and no page scrolls sideways on a phone.

use crate::helpers::{Browser, TestApp, TestUser, spawn_app};
use crate::helpers::{png, post_listing};

/// Checks the page at `path` at both widths; returns the problems found.
async fn check(browser: &Browser, app: &TestApp, path: &str, problems: &mut Vec<String>) {
    for (width, height) in [(1280, 900), (390, 844)] {
        browser.resize(width, height).await;
        browser.client.goto(&app.url(path)).await.unwrap();
        for violation in browser.axe_violations().await {
            problems.push(format!("{path} at {width} px: {violation}"));
        }
        if width < 500
            && let Some(overflow) = browser.sideways_overflow().await
        {
            problems.push(format!("{path} at {width} px scrolls sideways: {overflow}"));
        }
    }
}

/// A member with listings (one with photos) and a saved search; returns the app, the member
/// and the listing's path.
async fn site_with_content() -> (TestApp, TestUser, String) {
    let app = spawn_app().await;
    let user = app.sign_up_new_member().await;
    let bikes = app.category_id("for-sale", "bikes");
    let posted = post_listing(
        &app,
        bikes,
        &[
            (
                "title",
                "Red road bike with a rather long title to test wrapping",
            ),
            ("body", "Ten speeds. https://example.com/bike"),
            ("price", "300"),
            ("zip", "10001"),
            ("attr_condition", "good"),
        ],
        vec![("a.png", png(300, 200)), ("b.png", png(200, 300))],
    )
    .await;
    let listing = posted.headers()["location"].to_str().unwrap().to_owned();
    post_listing(
        &app,
        bikes,
        &[
            ("title", "Blue bike, no photo"),
            ("body", "Fine."),
            ("zip", "10001"),
        ],
        vec![],
    )
    .await;
    app.submit_form(
        "/settings",
        "/saved-searches",
        &[("name", "Bikes"), ("query", "q=bike")],
    )
    .await;
    (app, user, listing)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_page_a_visitor_sees_passes_axe_at_desktop_and_phone_widths() {
    let (app, user, listing) = site_with_content().await;
    let username = user.username;
    let browser = Browser::start().await;
    let mut problems = Vec::new();

    for path in [
        "/",
        "/c/for-sale",
        "/c/for-sale/bikes",
        listing.as_str(),
        "/search?q=bike",
        "/search?q=bike&view=gallery",
        "/search?q=bike&view=map",
        "/search?q=zzzzqqq",
        "/search?min_price=-1",
        &format!("/u/{username}"),
        "/login",
        "/signup",
        "/safety",
        "/no-such-page",
        "/area",
        "/area?place=portland&radius=25",
        "/about",
        "/help",
        "/terms",
        "/privacy",
        "/c/for-sale/bikes?zip=94110&radius=25&max_price=500#filters",
    ] {
        check(&browser, &app, path, &mut problems).await;
    }
    // The signed unsubscribe link from a mail, before and after confirming.
    let unsubscribe = app.unsubscribe_path(&username);
    check(&browser, &app, &unsubscribe, &mut problems).await;
    browser.client.goto(&app.url(&unsubscribe)).await.unwrap();
    browser.click("main form button").await;
    browser.wait_for_text("main", "will not get e-mails").await;
    for violation in browser.axe_violations().await {
        problems.push(format!("unsubscribed: {violation}"));
    }
    // A form with errors.
    browser.client.goto(&app.url("/signup")).await.unwrap();
    browser.fill("username", "x").await;
    browser.click("form[action='/signup'] button").await;
    browser.wait_for_text("#username-error", "3 to 30").await;
    for violation in browser.axe_violations().await {
        problems.push(format!("sign-up with errors: {violation}"));
    }

    browser.close().await;
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_page_a_member_sees_passes_axe_at_desktop_and_phone_widths() {
    let (app, user, listing) = site_with_content().await;
    let username = user.username.clone();
    let id = listing.split('/').nth(2).unwrap().to_owned();
    // A long display name and the admin role make the header as full as it gets.
    app.submit_form(
        "/settings",
        "/settings/profile",
        &[
            (
                "display_name",
                "Maximilian Alexander Featherstonehaugh-Worthington",
            ),
            ("bio", "Hello."),
            ("home_zip", "10001"),
        ],
    )
    .await;
    {
        let mut conn = app.pool.get().unwrap();
        diesel::RunQueryDsl::execute(
            diesel::sql_query("UPDATE users SET role = 'admin'"),
            &mut conn,
        )
        .unwrap();
    }
    // A buyer writes (so the header shows an unread count), and posts a listing of their own
    // (for a contact form).
    let (buyer, buyer_user) = app.new_member().await;
    let contact = format!("/listings/{id}/contact");
    let form = buyer
        .multipart_form(&contact)
        .await
        .text("body", "Is it still available? https://example.com/more")
        .text("video_url", "https://youtu.be/dQw4w9WgXcQ");
    let sent = buyer.post_multipart(&contact, form).await;
    let conversation = sent.headers()["location"]
        .to_str()
        .unwrap()
        .split('#')
        .next()
        .unwrap()
        .to_owned();
    let theirs = post_listing(
        &buyer,
        app.category_id("for-sale", "bikes"),
        &[("title", "Green bike"), ("body", "Fine."), ("zip", "10001")],
        vec![],
    )
    .await;
    let their_id = crate::helpers::posted_listing_id(&theirs).to_string();
    let message = {
        #[derive(diesel::QueryableByName)]
        struct Id {
            #[diesel(sql_type = diesel::sql_types::BigInt)]
            id: i64,
        }
        diesel::RunQueryDsl::get_result::<Id>(
            diesel::sql_query("SELECT max(id) AS id FROM messages"),
            &mut app.pool.get().unwrap(),
        )
        .unwrap()
        .id
    };
    // Moderation: the member reports the buyer's message and flags their listing; one of
    // the member's own listings is held (for the appeal form).
    let report = format!("{conversation}/report/{message}");
    app.submit_form(&report, &report, &[("reason", "Spam link")])
        .await;
    let flag = format!("/listings/{their_id}/flag");
    app.submit_form(&flag, &flag, &[("reason", "scam"), ("note", "Too cheap")])
        .await;
    let held = crate::helpers::TestListing {
        title: "Held radio",
        status: corkboard::listings::models::ListingStatus::Held,
        ..crate::helpers::TestListing::default()
    }
    .insert(&app);
    diesel::RunQueryDsl::execute(
        diesel::sql_query(format!(
            "UPDATE listings SET moderation_reason = 'Looks like a copy', moderated_at = now()
             WHERE id = {held}"
        )),
        &mut app.pool.get().unwrap(),
    )
    .unwrap();
    let browser = Browser::start().await;
    // The browser has its own cookies: log in there as the same member.
    browser.client.goto(&app.url("/login")).await.unwrap();
    browser.fill("login", &user.username).await;
    browser.fill("password", &user.password).await;
    browser.click("form[action='/login'] button").await;
    browser.wait_for_text(".flash", "Welcome back").await;
    let bikes = app.category_id("for-sale", "bikes");
    let mut problems = Vec::new();

    for path in [
        "/",
        listing.as_str(),
        &format!("/u/{username}"),
        "/settings",
        "/listings/new",
        &format!("/listings/new?category={bikes}"),
        &format!("/listings/{id}/edit"),
        &format!("/listings/{id}/delete"),
        "/my/listings",
        "/favorites",
        "/saved-searches",
        "/admin",
        "/admin/listings",
        "/admin/listings?flagged=1&sort=flags",
        &format!("/admin/listings/{their_id}"),
        "/admin/queue",
        &format!("/admin/reports/messages/{message}"),
        &format!("/admin/members?q={}", buyer_user.username),
        &format!("/admin/members/{}", member_id(&app, &buyer_user.username)),
        "/admin/categories",
        &format!("/admin/categories/{bikes}"),
        "/admin/jobs",
        "/admin/audit",
        &format!("/listings/{their_id}/flag"),
        &format!("/u/{}/report", buyer_user.username),
        &format!("/listings/{held}/appeal"),
        "/messages",
        "/messages/sent",
        "/messages?archived=1",
        &format!("/listings/{their_id}/contact"),
        &format!("{conversation}/report/{message}"),
        // Last: opening it marks it read.
        conversation.as_str(),
        "/safety",
    ] {
        check(&browser, &app, path, &mut problems).await;
    }

    // The phone menu, opened.
    browser.resize(390, 844).await;
    browser.client.goto(&app.url("/")).await.unwrap();
    browser.click("details.site-menu summary").await;
    browser
        .wait_for_text("details.site-menu[open] nav", "Log out")
        .await;
    for violation in browser.axe_violations().await {
        problems.push(format!("open menu at 390 px: {violation}"));
    }
    if let Some(overflow) = browser.sideways_overflow().await {
        problems.push(format!("open menu at 390 px scrolls sideways: {overflow}"));
    }
    browser.screenshot("phone-menu").await;

    // The listing form with errors.
    browser.resize(1280, 900).await;
    browser
        .client
        .goto(&app.url(&format!("/listings/new?category={bikes}")))
        .await
        .unwrap();
    browser.fill("price", "lots").await;
    browser
        .click("form[data-photo-form] button[type=submit]")
        .await;
    browser.wait_for_text("#error-summary", "Price").await;
    // Focus goes to the summary, whose links lead to the fields.
    let focused = browser
        .client
        .execute(
            "return document.activeElement && document.activeElement.id;",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(focused, "error-summary");
    browser.click("#error-summary a[href='#price']").await;
    let focused = browser
        .client
        .execute("return location.hash;", vec![])
        .await
        .unwrap();
    assert_eq!(focused, "#price");
    for violation in browser.axe_violations().await {
        problems.push(format!("listing form with errors: {violation}"));
    }

    browser.close().await;
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

fn member_id(app: &crate::helpers::TestApp, username: &str) -> i64 {
    use diesel::prelude::*;
    corkboard::db::schema::users::table
        .filter(corkboard::db::schema::users::username.eq(username))
        .select(corkboard::db::schema::users::id)
        .first::<corkboard::db::ids::UserId>(&mut app.pool.get().unwrap())
        .unwrap()
        .0
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_chat_room_pages_pass_axe_at_desktop_and_phone_widths() {
    let app = crate::helpers::spawn_app().await;
    // A room someone else made, with a message; the browser joins it through the link.
    let host = app.new_visitor();
    let made = host
        .submit_form(
            "/rooms/new",
            "/rooms/new",
            &[("name", "Yard sale"), ("chat_name", "Ada")],
        )
        .await;
    let path = made.headers()["location"].to_str().unwrap().to_owned();
    host.submit_form(
        &path,
        &path,
        &[("body", "Hello! Details at https://example.com")],
    )
    .await;
    let browser = Browser::start().await;
    let mut problems = Vec::new();
    check(&browser, &app, "/rooms/new", &mut problems).await;
    check(&browser, &app, &path, &mut problems).await;
    browser.client.goto(&app.url(&path)).await.unwrap();
    browser.fill("chat-name", "Bob").await;
    browser.click("form[action$='/join'] button").await;
    browser
        .wait_for_text("[data-room] header", "You are Bob")
        .await;
    check(&browser, &app, &path, &mut problems).await;
    check(&browser, &app, "/rooms", &mut problems).await;
    // The browser's own room: the owner's page and forms.
    browser.client.goto(&app.url("/rooms/new")).await.unwrap();
    browser.fill("room-name", "Book club").await;
    browser.fill("chat-name", "Bob").await;
    browser.click("form[action='/rooms/new'] button").await;
    browser.wait_for_text("h1", "Book club").await;
    let own = browser
        .client
        .current_url()
        .await
        .unwrap()
        .path()
        .to_owned();
    for page in [
        own.clone(),
        format!("{own}/people"),
        format!("{own}/delete"),
    ] {
        check(&browser, &app, &page, &mut problems).await;
    }
    browser.close().await;
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_meet_people_pages_pass_axe_at_desktop_and_phone_widths() {
    let app = crate::helpers::spawn_app().await;
    // Someone nearby to be shown, and a match to list.
    let (other, other_user) = app.new_member().await;
    other
        .submit_form(
            "/people/profile",
            "/people/profile",
            &[
                ("hobbies", "chess, hiking"),
                ("interests", "live music"),
                ("zip", "94110"),
                ("radius_miles", "10"),
                ("visible", "on"),
            ],
        )
        .await;
    let (_, me) = app.new_member().await;
    let browser = Browser::start().await;
    browser.log_in(&app, &me).await;
    let mut problems = Vec::new();
    check(&browser, &app, "/people", &mut problems).await;
    check(&browser, &app, "/people/profile", &mut problems).await;
    browser
        .client
        .goto(&app.url("/people/profile"))
        .await
        .unwrap();
    browser.fill("hobbies", "chess").await;
    browser.fill("zip", "94110").await;
    browser.fill("radius", "10").await;
    browser.click("form[action='/people/profile'] button").await;
    browser
        .wait_for_text("#flash", "Your friend profile is saved")
        .await;
    for page in [
        "/people".to_owned(),
        "/people/profile".to_owned(),
        format!("/people/{}/report", other_user.username),
    ] {
        check(&browser, &app, &page, &mut problems).await;
    }
    // The other says yes first; the browser's yes makes the match.
    let yes = other
        .submit_form(
            "/people/profile",
            &format!("/people/{}/answer", me.username),
            &[("answer", "yes")],
        )
        .await;
    assert_eq!(yes.status(), reqwest::StatusCode::SEE_OTHER);
    browser.client.goto(&app.url("/people")).await.unwrap();
    browser.click("[data-answer='yes']").await;
    browser
        .wait_for_text("#messages", "You matched on: chess")
        .await;
    let conversation = browser
        .client
        .current_url()
        .await
        .unwrap()
        .path()
        .to_owned();
    for page in [
        "/people".to_owned(),
        "/people/matches".to_owned(),
        conversation,
    ] {
        check(&browser, &app, &page, &mut problems).await;
    }
    browser.close().await;
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
