//! Alerts against the real SMTP server: saved searches mail their new matches and price drops
//! at their cadence (instant at most hourly, daily, weekly), favourites mail price drops and
//! sales, and every mail's one-click link stops it.

use reqwest::StatusCode;

use crate::helpers::{
    ReceivedMail, TestApp, TestListing, Visitor, png, post_listing, smtp_server, spawn_app,
};
use crate::messages::{count, sql};

/// Lets the alerts job run now, and runs the due jobs.
async fn run_alerts(app: &TestApp) {
    corkboard::jobs::runner::ensure_periodic(&corkboard::web::Db::new(app.pool.clone()))
        .await
        .unwrap();
    sql(app, "UPDATE jobs SET run_at = now() WHERE kind = 'alerts'");
    app.run_jobs().await;
}

fn inbox(to: &str) -> Vec<ReceivedMail> {
    smtp_server().inbox(to)
}

/// The link in `text` that starts with `prefix`.
fn link_in(text: &str, prefix: &str) -> String {
    let start = text
        .find(prefix)
        .unwrap_or_else(|| panic!("no {prefix} in {text}"));
    text[start..]
        .chars()
        .take_while(|c| !c.is_whitespace() && *c != '"' && *c != '>')
        .collect()
}

async fn save_search(visitor: &Visitor, name: &str, query: &str, alert: &str) {
    let saved = visitor
        .submit_form(
            &format!("/search?{query}"),
            "/saved-searches",
            &[("name", name), ("query", query), ("alert", alert)],
        )
        .await;
    assert_eq!(saved.status(), StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn an_instant_alert_mails_new_matches_and_price_drops_at_most_hourly_until_stopped() {
    let mut app = spawn_app().await;
    app.sign_up_new_member().await;
    let (buyer, buyer_user) = app.new_member().await;
    app.run_jobs().await;
    app.send_mail_by_smtp();
    let bikes = app.category_id("for-sale", "bikes");
    // Up before the search was saved: not news, unless its price drops.
    TestListing {
        title: "Old bike",
        category: ("for-sale", "bikes"),
        minutes_ago: 60,
        ..TestListing::default()
    }
    .insert(&app);
    let blue = TestListing {
        title: "Blue bike",
        category: ("for-sale", "bikes"),
        price: Some(2000),
        zip: "97005",
        minutes_ago: 60,
        ..TestListing::default()
    }
    .insert(&app);
    save_search(
        &buyer,
        "Bikes near Portland",
        "q=bike&zip=97201&radius=50",
        "instant",
    )
    .await;

    let posted = post_listing(
        &app,
        bikes,
        &[
            ("title", "Red bike"),
            ("body", "Fast."),
            ("price", "150"),
            ("zip", "97201"),
        ],
        vec![("red.png", png(120, 90))],
    )
    .await;
    assert_eq!(posted.status(), StatusCode::SEE_OTHER);
    TestListing {
        title: "Brass lamp",
        zip: "97201",
        ..TestListing::default()
    }
    .insert(&app);
    TestListing {
        title: "Seattle bike",
        category: ("for-sale", "bikes"),
        zip: "98101",
        ..TestListing::default()
    }
    .insert(&app);
    sql(
        &app,
        &format!("UPDATE listings SET price_cents = 1500 WHERE id = {blue}"),
    );

    run_alerts(&app).await;
    let mails = inbox(&buyer_user.email);
    assert_eq!(mails.len(), 1, "{mails:?}");
    let mail = &mails[0];
    assert!(
        mail.subject
            .contains("2 new listings and price drops for “Bikes near Portland”"),
        "{}",
        mail.subject
    );
    assert!(mail.text.contains("[New] Red bike"), "{}", mail.text);
    assert!(
        mail.text
            .contains("$150 · Portland, OR · less than 1 mi away"),
        "{}",
        mail.text
    );
    assert!(mail.text.contains("Beaverton, OR · 5 mi away"));
    assert!(mail.text.contains("[Price dropped] Blue bike"));
    assert!(mail.text.contains("$15 (was $20)"));
    for absent in ["Old bike", "Brass lamp", "Seattle bike"] {
        assert!(!mail.text.contains(absent), "{absent}");
    }
    // The photo is a stable public address that serves it.
    let photo = link_in(&mail.html, &format!("{}/photos/", app.address));
    assert!(photo.ends_with("/thumb.jpg"), "{photo}");
    let image = app
        .new_visitor()
        .get(photo.strip_prefix(&app.address).unwrap())
        .await;
    assert_eq!(image.status(), StatusCode::OK);
    let unsubscribe = mail.unsubscribe_link();
    assert!(mail.text.contains(&unsubscribe));

    // More news within the hour waits for the next hour's mail.
    TestListing {
        title: "Green bike",
        category: ("for-sale", "bikes"),
        zip: "97201",
        ..TestListing::default()
    }
    .insert(&app);
    run_alerts(&app).await;
    assert_eq!(inbox(&buyer_user.email).len(), 1);
    sql(
        &app,
        "UPDATE saved_searches SET alert_mailed_at = alert_mailed_at - interval '61 minutes'",
    );
    run_alerts(&app).await;
    let mails = inbox(&buyer_user.email);
    assert_eq!(mails.len(), 2);
    let second = &mails[1];
    assert!(
        second.subject.contains("1 new listing for"),
        "{}",
        second.subject
    );
    assert!(second.text.contains("[New] Green bike"));
    assert!(!second.text.contains("Red bike"), "already mailed");

    // One click (as a mail program makes it: no cookie, no form token) stops this search's
    // alerts; opening the link first only asks.
    let path = unsubscribe.strip_prefix(&app.address).unwrap().to_owned();
    let page = app.new_visitor().get_ok_page(&path).await.body;
    assert!(page.contains("Stop the alerts of the saved search “Bikes near Portland”?"));
    assert_eq!(
        count(
            &app,
            "SELECT count(*) AS n FROM saved_searches WHERE alert = 'instant'"
        ),
        1
    );
    let one_click = reqwest::Client::new()
        .post(&unsubscribe)
        .form(&[("List-Unsubscribe", "One-Click")])
        .send()
        .await
        .unwrap();
    assert_eq!(one_click.status(), StatusCode::OK);
    assert_eq!(
        count(
            &app,
            "SELECT count(*) AS n FROM saved_searches WHERE alert = 'off'"
        ),
        1
    );
    let forged = format!("/mail/alerts/search/1/{}", "0".repeat(32));
    assert_eq!(
        app.new_visitor().get(&forged).await.status(),
        StatusCode::NOT_FOUND
    );
    sql(
        &app,
        "UPDATE saved_searches SET alert_mailed_at = now() - interval '2 hours'",
    );
    TestListing {
        title: "Yellow bike",
        category: ("for-sale", "bikes"),
        zip: "97201",
        ..TestListing::default()
    }
    .insert(&app);
    run_alerts(&app).await;
    assert_eq!(inbox(&buyer_user.email).len(), 2);
}

#[tokio::test]
async fn daily_and_weekly_alerts_wait_their_turn_and_members_change_them_on_the_list() {
    let mut app = spawn_app().await;
    app.sign_up_new_member().await;
    let (buyer, buyer_user) = app.new_member().await;
    app.run_jobs().await;
    app.send_mail_by_smtp();
    save_search(&buyer, "Lamps", "q=lamp", "daily").await;
    let page = buyer.get_ok_page("/saved-searches").await.body;
    assert!(
        page.contains("<option value=\"daily\" selected>Daily</option>"),
        "{page}"
    );

    TestListing {
        title: "Brass lamp",
        ..TestListing::default()
    }
    .insert(&app);
    run_alerts(&app).await;
    assert!(inbox(&buyer_user.email).is_empty(), "not a day yet");
    // A day later, the day's news in one mail.
    sql(
        &app,
        "UPDATE saved_searches SET alert_checked_at = alert_checked_at - interval '1 day'",
    );
    sql(
        &app,
        "UPDATE listings SET renewed_at = now() - interval '1 hour'",
    );
    run_alerts(&app).await;
    let mails = inbox(&buyer_user.email);
    assert_eq!(mails.len(), 1);
    assert!(mails[0].text.contains("[New] Brass lamp"));

    // Weekly, chosen on the list: a day later is not yet a week.
    let id = count(&app, "SELECT id AS n FROM saved_searches");
    let changed = buyer
        .submit_form(
            "/saved-searches",
            &format!("/saved-searches/{id}/alert"),
            &[("alert", "weekly")],
        )
        .await;
    assert_eq!(changed.status(), StatusCode::SEE_OTHER);
    assert!(
        buyer
            .get_ok_page("/saved-searches")
            .await
            .body
            .contains("<option value=\"weekly\" selected>Weekly</option>")
    );
    TestListing {
        title: "Floor lamp",
        ..TestListing::default()
    }
    .insert(&app);
    sql(
        &app,
        "UPDATE saved_searches SET alert_checked_at = alert_checked_at - interval '1 day'",
    );
    run_alerts(&app).await;
    assert_eq!(inbox(&buyer_user.email).len(), 1);
    sql(
        &app,
        "UPDATE saved_searches SET alert_checked_at = alert_checked_at - interval '7 days'",
    );
    run_alerts(&app).await;
    assert_eq!(inbox(&buyer_user.email).len(), 2);

    // Nobody changes another member's alert; a made-up cadence is refused.
    let (stranger, _) = app.new_member().await;
    let theirs = stranger
        .submit_form(
            "/saved-searches",
            &format!("/saved-searches/{id}/alert"),
            &[("alert", "off")],
        )
        .await;
    assert_eq!(theirs.status(), StatusCode::NOT_FOUND);
    let bad = buyer
        .submit_form(
            "/saved-searches",
            &format!("/saved-searches/{id}/alert"),
            &[("alert", "hourly")],
        )
        .await;
    assert_eq!(bad.status(), StatusCode::BAD_REQUEST);
    // Saving with a made-up cadence re-renders the form with what was typed.
    let refused = buyer
        .submit_form(
            "/search?q=sofa",
            "/saved-searches",
            &[("name", "Sofas"), ("query", "q=sofa"), ("alert", "hourly")],
        )
        .await;
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body = refused.text().await.unwrap();
    assert!(body.contains("value=\"Sofas\""));
    assert!(body.contains("Choose how often to e-mail you"));
}

#[tokio::test]
async fn favourites_mail_price_drops_and_sales_once_to_those_who_want_them() {
    let mut app = spawn_app().await;
    let seller = app.sign_up_new_member().await;
    let (buyer, buyer_user) = app.new_member().await;
    let (quiet, quiet_user) = app.new_member().await;
    app.run_jobs().await;
    app.send_mail_by_smtp();
    let chair = TestListing {
        title: "Oak chair",
        price: Some(4000),
        ..TestListing::default()
    }
    .insert(&app);
    let page = format!("/listings/{chair}/oak-chair");
    for visitor in [&buyer, &quiet] {
        visitor
            .submit_form(
                &page,
                &format!("/listings/{chair}/favorite"),
                &[("action", "add")],
            )
            .await;
    }
    quiet
        .submit_form(
            "/settings",
            "/settings/notifications",
            &[("message_mail", "on")],
        )
        .await;

    // The seller lowers the price with the edit form's own path: the database notes it.
    sql(
        &app,
        &format!("UPDATE listings SET price_cents = 3000 WHERE id = {chair}"),
    );
    run_alerts(&app).await;
    let mails = inbox(&buyer_user.email);
    assert_eq!(mails.len(), 1, "{mails:?}");
    assert!(
        mails[0].subject.contains("Price dropped: “Oak chair”"),
        "{}",
        mails[0].subject
    );
    assert!(
        mails[0].text.contains("Now $30 (was $40)"),
        "{}",
        mails[0].text
    );
    assert!(inbox(&quiet_user.email).is_empty());
    assert!(inbox(&seller.email).is_empty());
    run_alerts(&app).await;
    assert_eq!(inbox(&buyer_user.email).len(), 1, "once");

    // A raise is no news; a sale is.
    sql(
        &app,
        &format!("UPDATE listings SET price_cents = 3500 WHERE id = {chair}"),
    );
    let sold = app
        .submit_form(
            &page,
            &format!("/listings/{chair}/status"),
            &[("status", "sold")],
        )
        .await;
    assert_eq!(sold.status(), StatusCode::SEE_OTHER);
    run_alerts(&app).await;
    let mails = inbox(&buyer_user.email);
    assert_eq!(mails.len(), 2);
    assert!(
        mails[1].subject.contains("Sold: “Oak chair”"),
        "{}",
        mails[1].subject
    );

    // Its one-click link stops them.
    let unsubscribe = mails[1].unsubscribe_link();
    assert!(unsubscribe.contains("/mail/alerts/favorites/"));
    let stopped = reqwest::Client::new()
        .post(&unsubscribe)
        .form(&[("List-Unsubscribe", "One-Click")])
        .send()
        .await
        .unwrap();
    assert_eq!(stopped.status(), StatusCode::OK);
    assert_eq!(
        count(
            &app,
            &format!(
                "SELECT count(*) AS n FROM users WHERE username = '{}' AND NOT favorite_mail",
                buyer_user.username
            )
        ),
        1
    );
    let settings = buyer.get_ok_page("/settings").await.body;
    let input = &settings[settings.find("id=\"favorite_mail\"").expect("the switch")..];
    assert!(
        !input[..input.find('>').unwrap()].contains("checked"),
        "off in the settings"
    );
}
