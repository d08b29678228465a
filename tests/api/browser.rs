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
    let page = &browser.client;

    // Sign up from the header link.
    page.goto(&app.url("/")).await.unwrap();
    page.wait()
        .for_element(Locator::LinkText("Sign up"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    page.wait()
        .for_element(Locator::Id("username"))
        .await
        .unwrap()
        .send_keys(&user.username)
        .await
        .unwrap();
    page.wait()
        .for_element(Locator::Id("email"))
        .await
        .unwrap()
        .send_keys(&user.email)
        .await
        .unwrap();
    page.wait()
        .for_element(Locator::Id("password"))
        .await
        .unwrap()
        .send_keys(&user.password)
        .await
        .unwrap();
    page.wait()
        .for_element(Locator::Css("form[action='/signup'] button"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let welcome = page
        .wait()
        .for_element(Locator::Css(".flash"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(welcome.contains("Welcome to Corkboard"), "{welcome}");
    browser.screenshot("signed-up").await;

    // Log out from the header.
    page.wait()
        .for_element(Locator::Css("form[action='/logout'] button"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    assert!(
        page.wait()
            .for_element(Locator::LinkText("Log in"))
            .await
            .is_ok()
    );

    // Log in with the e-mail address.
    page.wait()
        .for_element(Locator::LinkText("Log in"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    page.wait()
        .for_element(Locator::Id("login"))
        .await
        .unwrap()
        .send_keys(&user.email)
        .await
        .unwrap();
    page.wait()
        .for_element(Locator::Id("password"))
        .await
        .unwrap()
        .send_keys(&user.password)
        .await
        .unwrap();
    page.wait()
        .for_element(Locator::Css("form[action='/login'] button"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let flash = page
        .wait()
        .for_element(Locator::Css(".flash"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(flash.contains("Welcome back"), "{flash}");

    // Edit the profile; a bad ZIP first, then a good one.
    page.wait()
        .for_element(Locator::LinkText("Settings"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let name = page
        .wait()
        .for_element(Locator::Id("display_name"))
        .await
        .unwrap();
    name.send_keys("Robin Seller").await.unwrap();
    page.wait()
        .for_element(Locator::Id("home_zip"))
        .await
        .unwrap()
        .send_keys("12")
        .await
        .unwrap();
    page.wait()
        .for_element(Locator::Css("form[action='/settings/profile'] button"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let error = page
        .wait()
        .for_element(Locator::Id("home_zip-error"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(error.contains("five-digit ZIP"), "{error}");
    let kept = page
        .wait()
        .for_element(Locator::Id("display_name"))
        .await
        .unwrap()
        .prop("value")
        .await
        .unwrap();
    assert_eq!(kept.as_deref(), Some("Robin Seller"));
    browser.screenshot("settings-error").await;
    let zip = page
        .wait()
        .for_element(Locator::Id("home_zip"))
        .await
        .unwrap();
    zip.clear().await.unwrap();
    zip.send_keys("10001").await.unwrap();
    page.wait()
        .for_element(Locator::Css("form[action='/settings/profile'] button"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    assert!(
        page.wait()
            .for_element(Locator::Css(".flash"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap()
            .contains("Profile saved")
    );

    page.goto(&app.url(&format!("/u/{}", user.username)))
        .await
        .unwrap();
    let heading = page
        .wait()
        .for_element(Locator::Css("h1"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(heading, "Robin Seller");
    browser.screenshot("profile").await;

    browser.close().await;
}
