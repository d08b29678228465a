//! Pages that fit their category: what the price means (rent per month, pay per hour, an
//! event's date, free stuff with none), and structured data read back as JSON-LD with the
//! properties Google's Rich Results require.

use reqwest::StatusCode;
use serde_json::Value;

use crate::helpers::{TestApp, png, post_listing, spawn_app};
use crate::messages::count;

/// The page's JSON-LD, parsed; `None` when it has none.
fn json_ld(body: &str) -> Option<Value> {
    let start = body.find("<script type=\"application/ld+json\">")? + 35;
    let end = start + body[start..].find("</script>").expect("a closed script");
    Some(serde_json::from_str(&body[start..end]).expect("valid JSON-LD"))
}

/// Posts in `section/category`; returns the listing page's body.
async fn post(app: &TestApp, category: (&str, &str), fields: &[(&str, &str)]) -> String {
    let posted = post_listing(
        app,
        app.category_id(category.0, category.1),
        fields,
        vec![("a.png", png(64, 48))],
    )
    .await;
    assert_eq!(
        posted.status(),
        StatusCode::SEE_OTHER,
        "{category:?} {fields:?}"
    );
    let path = posted.headers()["location"].to_str().unwrap().to_owned();
    app.get_ok_page(&path).await.body
}

/// Posts and expects the form back with an error on `field` and what was typed kept.
async fn refused(app: &TestApp, category: (&str, &str), fields: &[(&str, &str)], field: &str) {
    let response = post_listing(app, app.category_id(category.0, category.1), fields, vec![]).await;
    assert_eq!(
        response.status(),
        StatusCode::UNPROCESSABLE_ENTITY,
        "{fields:?}"
    );
    let body = response.text().await.unwrap();
    assert!(
        body.contains(&format!("id=\"{field}-error\"")),
        "{field}: {body}"
    );
    assert!(
        body.contains("value=\"Thing to keep\""),
        "what was typed is kept"
    );
}

fn str_of<'a>(value: &'a Value, pointer: &str) -> &'a str {
    value
        .pointer(pointer)
        .and_then(Value::as_str)
        .unwrap_or_else(|| panic!("no {pointer} in {value}"))
}

#[tokio::test]
async fn things_for_sale_are_products_with_offers_and_free_stuff_has_no_price() {
    let app = spawn_app().await;
    let seller = app.sign_up_new_member().await;
    let page = post(
        &app,
        ("for-sale", "furniture"),
        &[
            ("title", "Oak table"),
            ("body", "Solid </script> oak."),
            ("price", "125"),
            ("zip", "97201"),
            ("attr_condition", "good"),
        ],
    )
    .await;
    assert!(page.contains("data-price>$125</p>"));
    let data = json_ld(&page).expect("structured data");
    assert_eq!(str_of(&data, "/@type"), "Product");
    assert_eq!(str_of(&data, "/name"), "Oak table");
    assert_eq!(str_of(&data, "/description"), "Solid </script> oak.");
    assert_eq!(data.pointer("/offers/price"), Some(&Value::from(125)));
    assert_eq!(str_of(&data, "/offers/priceCurrency"), "USD");
    assert_eq!(
        str_of(&data, "/offers/itemCondition"),
        "https://schema.org/UsedCondition"
    );
    assert_eq!(
        str_of(&data, "/offers/availability"),
        "https://schema.org/InStock"
    );
    assert_eq!(str_of(&data, "/offers/seller/name"), seller.username);
    assert_eq!(
        str_of(&data, "/offers/areaServed/address/postalCode"),
        "97201"
    );
    assert_eq!(str_of(&data, "/offers/priceValidUntil").len(), 10);
    assert!(str_of(&data, "/image/0").ends_with("/display.jpg"));

    // No price: no offer, so no product (Google's rule).
    let page = post(
        &app,
        ("for-sale", "furniture"),
        &[("title", "Pine shelf"), ("body", "Ask."), ("zip", "97201")],
    )
    .await;
    assert!(json_ld(&page).is_none());

    // Free stuff asks for no price and says "Free".
    let form = app
        .get_ok_page(&format!(
            "/listings/new?category={}",
            app.category_id("for-sale", "free")
        ))
        .await
        .body;
    assert!(form.contains("no price to set"));
    assert!(!form.contains("name=\"price\""));
    let page = post(
        &app,
        ("for-sale", "free"),
        &[
            ("title", "Moving boxes"),
            ("body", "Take them."),
            ("zip", "97201"),
            ("price", "40"),
        ],
    )
    .await;
    assert!(page.contains("data-price>Free</p>"));
    assert_eq!(
        json_ld(&page).unwrap().pointer("/offers/price"),
        Some(&Value::from(0))
    );
}

#[tokio::test]
async fn housing_rents_per_month_or_week_as_offers_of_accommodation() {
    let app = spawn_app().await;
    app.sign_up_new_member().await;
    refused(
        &app,
        ("housing", "apartments"),
        &[
            ("title", "Thing to keep"),
            ("body", "Nice."),
            ("zip", "97201"),
        ],
        "price",
    )
    .await;
    let page = post(
        &app,
        ("housing", "apartments"),
        &[
            ("title", "Two-bedroom flat"),
            ("body", "Bright."),
            ("price", "1,200"),
            ("zip", "97201"),
            ("attr_bedrooms", "2"),
            ("attr_cats_ok", "on"),
        ],
    )
    .await;
    assert!(page.contains("data-price>$1,200 / month</p>"), "{page}");
    let data = json_ld(&page).unwrap();
    assert_eq!(str_of(&data, "/@type"), "Offer");
    assert_eq!(str_of(&data, "/itemOffered/@type"), "Apartment");
    assert_eq!(
        data.pointer("/itemOffered/numberOfBedrooms"),
        Some(&Value::from(2))
    );
    assert_eq!(
        data.pointer("/itemOffered/petsAllowed"),
        Some(&Value::from(true))
    );
    assert_eq!(data.pointer("/price"), Some(&Value::from(1200)));
    assert_eq!(str_of(&data, "/priceSpecification/unitCode"), "MON");
    assert!(str_of(&data, "/businessFunction").ends_with("LeaseOut"));
    assert_eq!(
        str_of(&data, "/itemOffered/address/addressLocality"),
        "Portland"
    );

    let page = post(
        &app,
        ("housing", "rooms"),
        &[
            ("title", "Room in a share"),
            ("body", "Quiet."),
            ("price", "300"),
            ("price_unit", "week"),
            ("zip", "97201"),
        ],
    )
    .await;
    assert!(page.contains("data-price>$300 / week</p>"));
    let data = json_ld(&page).unwrap();
    assert_eq!(str_of(&data, "/itemOffered/@type"), "Room");
    assert_eq!(str_of(&data, "/priceSpecification/unitCode"), "WEE");
    refused(
        &app,
        ("housing", "rooms"),
        &[
            ("title", "Thing to keep"),
            ("body", "Quiet."),
            ("price", "300"),
            ("price_unit", "hour"),
            ("zip", "97201"),
        ],
        "price_unit",
    )
    .await;
}

#[tokio::test]
async fn jobs_state_a_pay_range_per_period_as_a_job_posting() {
    let app = spawn_app().await;
    let employer = app.sign_up_new_member().await;
    let form = app
        .get_ok_page(&format!(
            "/listings/new?category={}",
            app.category_id("jobs", "software")
        ))
        .await
        .body;
    assert!(form.contains("Pay from (USD)") && form.contains("Pay up to (USD)"));
    assert!(!form.contains("Compensation"), "free-text pay is gone");
    let page = post(
        &app,
        ("jobs", "software"),
        &[
            ("title", "Rust developer"),
            ("body", "Build a marketplace."),
            ("price", "22"),
            ("price_max", "30"),
            ("price_unit", "hour"),
            ("zip", "97201"),
            ("attr_employment_type", "full-time"),
            ("attr_remote", "remote"),
        ],
    )
    .await;
    assert!(page.contains("data-price>$22–$30 / hour</p>"));
    let data = json_ld(&page).unwrap();
    assert_eq!(str_of(&data, "/@type"), "JobPosting");
    for required in ["/title", "/description", "/datePosted", "/validThrough"] {
        assert!(!str_of(&data, required).is_empty(), "{required}");
    }
    assert_eq!(str_of(&data, "/hiringOrganization/name"), employer.username);
    assert_eq!(str_of(&data, "/jobLocation/address/postalCode"), "97201");
    assert_eq!(str_of(&data, "/employmentType"), "FULL_TIME");
    assert_eq!(str_of(&data, "/jobLocationType"), "TELECOMMUTE");
    assert_eq!(
        data.pointer("/baseSalary/value/minValue"),
        Some(&Value::from(22))
    );
    assert_eq!(
        data.pointer("/baseSalary/value/maxValue"),
        Some(&Value::from(30))
    );
    assert_eq!(str_of(&data, "/baseSalary/value/unitText"), "HOUR");
    assert!(data.get("offers").is_none(), "a job is no offer");

    for (fields, field) in [
        (
            vec![("price", "30"), ("price_max", "22"), ("price_unit", "hour")],
            "price_max",
        ),
        (vec![("price", "50000")], "price_unit"),
    ] {
        let mut all = vec![
            ("title", "Thing to keep"),
            ("body", "Work."),
            ("zip", "97201"),
        ];
        all.extend(fields);
        refused(&app, ("jobs", "software"), &all, field).await;
    }
}

#[tokio::test]
async fn events_have_a_date_leave_the_lists_when_over_and_are_events_to_search_engines() {
    let app = spawn_app().await;
    app.sign_up_new_member().await;
    let day = (chrono::Utc::now() + chrono::Duration::days(3)).date_naive();
    let starts = format!("{day}T19:30");
    let ends = format!("{day}T22:00");
    let page = post(
        &app,
        ("community", "events"),
        &[
            ("title", "Swing dance night"),
            ("body", "Beginners welcome."),
            ("starts_at", &starts),
            ("ends_at", &ends),
            ("price", "free"),
            ("zip", "97201"),
        ],
    )
    .await;
    let label = day.format("%a, %b %-d, %Y, 7:30 PM – 10:00 PM").to_string();
    assert!(
        page.contains(&format!("<time datetime=\"{starts}\">{label}</time>")),
        "{page}"
    );
    let data = json_ld(&page).unwrap();
    assert_eq!(str_of(&data, "/@type"), "Event");
    assert_eq!(str_of(&data, "/startDate"), starts);
    assert_eq!(str_of(&data, "/endDate"), ends);
    assert_eq!(
        str_of(&data, "/location/address/addressLocality"),
        "Portland"
    );
    assert_eq!(data.pointer("/offers/price"), Some(&Value::from(0)));
    // It leaves the lists after it ends (read as UTC, plus the grace for US zones).
    assert_eq!(
        count(
            &app,
            &format!(
                "SELECT count(*) AS n FROM listings WHERE title = 'Swing dance night'
                   AND expires_at = ('{ends}'::timestamp + interval '14 hours') AT TIME ZONE 'UTC'"
            )
        ),
        1
    );
    assert!(
        app.get_ok_page("/c/community/events")
            .await
            .body
            .contains("Swing dance night")
    );
    app.execute("UPDATE listings SET expires_at = now() - interval '1 minute'");
    let list = app.get_ok_page("/c/community/events").await.body;
    assert!(
        !list.contains("Swing dance night"),
        "a past event leaves the list"
    );

    let past = format!(
        "{}T19:30",
        (chrono::Utc::now() - chrono::Duration::days(3)).date_naive()
    );
    for (starts_at, ends_at, field) in [
        ("", "", "starts_at"),
        (past.as_str(), "", "starts_at"),
        (
            starts.as_str(),
            format!("{day}T18:00").leak() as &str,
            "ends_at",
        ),
    ] {
        refused(
            &app,
            ("community", "events"),
            &[
                ("title", "Thing to keep"),
                ("body", "Fun."),
                ("starts_at", starts_at),
                ("ends_at", ends_at),
                ("zip", "97201"),
            ],
            field,
        )
        .await;
    }
}

#[tokio::test]
async fn services_may_charge_per_hour_and_community_posts_carry_no_price() {
    let app = spawn_app().await;
    app.sign_up_new_member().await;
    let page = post(
        &app,
        ("services", "lessons"),
        &[
            ("title", "Piano lessons"),
            ("body", "All levels."),
            ("price", "40"),
            ("price_unit", "hour"),
            ("zip", "97201"),
        ],
    )
    .await;
    assert!(page.contains("data-price>$40 / hour</p>"));
    let data = json_ld(&page).unwrap();
    assert_eq!(str_of(&data, "/@type"), "Service");
    assert_eq!(str_of(&data, "/offers/priceSpecification/unitCode"), "HUR");
    assert_eq!(str_of(&data, "/provider/@type"), "Person");

    let page = post(
        &app,
        ("community", "lost-found"),
        &[
            ("title", "Found: grey cat"),
            ("body", "Near the park."),
            ("price", "10"),
            ("zip", "97201"),
        ],
    )
    .await;
    assert!(!page.contains("data-price"));
    assert!(json_ld(&page).is_none());
}

#[tokio::test]
async fn events_are_listed_soonest_first_unless_another_order_is_chosen() {
    let app = spawn_app().await;
    app.sign_up_new_member().await;
    let day = |n: i64| (chrono::Utc::now() + chrono::Duration::days(n)).date_naive();
    // The sooner event is posted first, so "newest" and "soonest" differ.
    for (title, starts) in [
        ("Board game night", format!("{}T19:00", day(3))),
        ("Winter market", format!("{}T10:00", day(10))),
    ] {
        post(
            &app,
            ("community", "events"),
            &[
                ("title", title),
                ("body", "All welcome."),
                ("starts_at", &starts),
                ("zip", "97201"),
            ],
        )
        .await;
    }
    let soonest = app.get_ok_page("/c/community/events").await.body;
    let at = |body: &str, title: &str| body.find(title).unwrap_or_else(|| panic!("{title}"));
    assert!(at(&soonest, "Board game night") < at(&soonest, "Winter market"));
    assert!(soonest.contains("<option value=\"soonest\" selected>Soonest first</option>"));

    let newest = app
        .get_ok_page("/c/community/events?sort=newest")
        .await
        .body;
    assert!(at(&newest, "Winter market") < at(&newest, "Board game night"));
    assert!(newest.contains("<option value=\"newest\" selected>Newest</option>"));
    // Elsewhere the order is not offered.
    let bikes = app.get_ok_page("/c/for-sale/bikes").await.body;
    assert!(!bikes.contains("value=\"soonest\""));
}
