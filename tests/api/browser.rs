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
