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
    let welcome = browser.text(".flash").await;
    assert!(welcome.contains("Welcome to Corkboard"), "{welcome}");
    browser.screenshot("signed-up").await;

    // Log out from the header, then log in with the e-mail address.
    browser.click("form[action='/logout'] button").await;
    browser.click("header a[href='/login']").await;
    browser.fill("login", &user.email).await;
    browser.fill("password", &user.password).await;
    browser.click("form[action='/login'] button").await;
    let flash = browser.text(".flash").await;
    assert!(flash.contains("Welcome back"), "{flash}");

    // Edit the profile: a bad ZIP first (the form keeps what was typed), then a good one.
    browser.click("header a[href='/settings']").await;
    browser.fill("display_name", "Robin Seller").await;
    browser.fill("home_zip", "12").await;
    browser
        .click("form[action='/settings/profile'] button")
        .await;
    let error = browser.text("#home_zip-error").await;
    assert!(error.contains("five-digit ZIP"), "{error}");
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
    assert!(browser.text(".flash").await.contains("Profile saved"));

    browser
        .client
        .goto(&app.url(&format!("/u/{}", user.username)))
        .await
        .unwrap();
    assert_eq!(browser.text("h1").await, "Robin Seller");
    browser.screenshot("profile").await;

    browser.close().await;
}
