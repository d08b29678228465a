//! The seller's dashboard: every listing with its views, saves, messages and expiry, filtered
//! by status, with the actions that come back to it.

use reqwest::StatusCode;

use crate::helpers::{TestApp, TestListing, Visitor, assert_redirect_to, smtp_server, spawn_app};
use crate::messages::{contact, count};

/// The dashboard's entry for listing `id`, from its `<li>` to the next.
fn entry(body: &str, id: i64) -> &str {
    let marker = format!("data-listing=\"{id}\"");
    let start = body
        .find(&marker)
        .unwrap_or_else(|| panic!("listing {id} is not on the page"));
    let rest = &body[start..];
    &rest[..rest.find("</li>\n").unwrap_or(rest.len())]
}

fn number_in(entry: &str, attribute: &str) -> i64 {
    let start = entry.find(attribute).expect(attribute) + attribute.len();
    let rest = &entry[start..];
    let rest = &rest[rest.find('>').unwrap() + 1..];
    rest[..rest.find('<').unwrap()].parse().unwrap()
}

async fn dashboard(visitor: &Visitor, path: &str) -> String {
    visitor.get_ok_page(path).await.body
}

#[tokio::test]
async fn a_seller_sees_every_listing_with_views_saves_messages_and_expiry() {
    let app = spawn_app().await;
    let seller = app.sign_up_new_member().await;
    let bike = TestListing {
        title: "Red road bike",
        category: ("for-sale", "bikes"),
        ..TestListing::default()
    }
    .insert(&app);
    let lamp = TestListing {
        title: "Brass lamp",
        minutes_ago: 60,
        ..TestListing::default()
    }
    .insert(&app);
    let old = TestListing {
        title: "Old radio",
        minutes_ago: 5 * 24 * 60,
        ..TestListing::default()
    }
    .insert(&app);
    app.execute(&format!(
        "UPDATE listings SET expires_at = now() - interval '1 hour' WHERE id = {old}"
    ));
    app.execute(&format!(
        "UPDATE listings SET expires_at = now() + interval '2 days' WHERE id = {lamp}"
    ));

    // Two buyers' views count; the seller's own does not.
    let bike_page = format!("/listings/{bike}/red-road-bike");
    app.get_ok_page(&bike_page).await;
    let (buyer, _) = app.new_member().await;
    buyer.get_ok_page(&bike_page).await;
    app.new_visitor().get_ok_page(&bike_page).await;
    buyer
        .submit_form(
            &bike_page,
            &format!("/listings/{bike}/favorite"),
            &[("action", "add")],
        )
        .await;
    let sent = contact(&buyer, bike.0, &[("body", "Still for sale?")]).await;
    assert_eq!(sent.status(), StatusCode::SEE_OTHER);

    // The buyer opened the page twice (once more to save it), the stranger once. Views are
    // written every second; wait (boundedly) for them.
    let mut body = dashboard(&app, "/my/listings").await;
    for _ in 0..50 {
        if number_in(entry(&body, bike.0), "data-views") >= 3 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        body = dashboard(&app, "/my/listings").await;
    }
    let row = entry(&body, bike.0);
    assert_eq!(number_in(row, "data-views"), 3, "{row}");
    assert_eq!(number_in(row, "data-saves"), 1);
    assert_eq!(number_in(row, "data-conversations"), 1);
    assert!(
        row.contains("Expires in 29 days") || row.contains("Expires in 30 days"),
        "{row}"
    );
    let lamp_row = entry(&body, lamp.0);
    assert!(lamp_row.contains("Expires in 1 day"), "{lamp_row}");
    assert!(
        lamp_row.contains("text-red-800"),
        "expiring soon stands out"
    );
    assert_eq!(number_in(lamp_row, "data-views"), 0);
    let old_row = entry(&body, old.0);
    assert!(old_row.contains("badge-expired"), "{old_row}");
    assert!(old_row.contains(&format!("/listings/{old}/renew")));
    // Newest first.
    assert!(body.find("Red road bike").unwrap() < body.find("Brass lamp").unwrap());
    assert!(body.contains("All <span class=\"text-stone-600\">(3)</span>"));
    assert!(body.contains("Expired <span class=\"text-stone-600\">(1)</span>"));

    // Nobody else's listings, nobody else's counts.
    let others = dashboard(&buyer, "/my/listings").await;
    assert!(others.contains("My listings"));
    assert!(!others.contains("Red road bike"));
    assert!(!others.contains(&seller.username));
    assert_redirect_to(
        &app.new_visitor().get("/my/listings").await,
        "/login?next=/my/listings",
    );
    assert_eq!(
        app.get("/my/listings?status=bogus").await.status(),
        StatusCode::BAD_REQUEST
    );
    assert_eq!(
        app.get("/my/listings?page=0").await.status(),
        StatusCode::BAD_REQUEST
    );
}

async fn act(
    app: &TestApp,
    page: &str,
    action: &str,
    fields: &[(&str, &str)],
) -> reqwest::Response {
    app.submit_form(page, action, fields).await
}

#[tokio::test]
async fn actions_from_the_dashboard_come_back_to_it_and_move_listings_between_tabs() {
    let app = spawn_app().await;
    app.sign_up_new_member().await;
    let bike = TestListing {
        title: "Red road bike",
        ..TestListing::default()
    }
    .insert(&app);
    let old = TestListing {
        title: "Old radio",
        minutes_ago: 5 * 24 * 60,
        ..TestListing::default()
    }
    .insert(&app);
    app.execute(&format!(
        "UPDATE listings SET expires_at = now() - interval '1 hour' WHERE id = {old}"
    ));

    let active = "/my/listings?status=active";
    let body = dashboard(&app, active).await;
    let back = "next=%2Fmy%2Flistings%3Fstatus%3Dactive";
    let sell = format!("/listings/{bike}/status?{back}");
    assert!(body.contains(&sell.replace('&', "&#38;")), "{body}");
    let sold = act(&app, active, &sell, &[("status", "sold")]).await;
    assert_redirect_to(&sold, active);
    assert!(!dashboard(&app, active).await.contains("Red road bike"));
    let sold_tab = dashboard(&app, "/my/listings?status=sold").await;
    assert!(entry(&sold_tab, bike.0).contains("badge-sold"));

    // Renewing an expired listing brings it back among the active ones.
    let expired = "/my/listings?status=expired";
    let renew = format!("/listings/{old}/renew?next=%2Fmy%2Flistings%3Fstatus%3Dexpired");
    assert!(dashboard(&app, expired).await.contains(&renew));
    assert_redirect_to(&act(&app, expired, &renew, &[]).await, expired);
    assert!(dashboard(&app, active).await.contains("Old radio"));

    // Deleting asks first, then comes back; the deleted tab offers to restore.
    let page = dashboard(&app, active).await;
    let delete = format!("/listings/{old}/delete?next=%2Fmy%2Flistings%3Fstatus%3Dactive");
    assert!(page.contains(&delete));
    let confirm = app.get_ok_page(&delete).await.body;
    assert!(
        confirm.contains(&format!("action=\"{}\"", delete.replace('&', "&#38;"))),
        "{confirm}"
    );
    assert!(
        confirm.contains("href=\"/my/listings?status=active\""),
        "cancel goes back"
    );
    assert_redirect_to(&act(&app, &delete, &delete, &[]).await, active);
    let deleted = dashboard(&app, "/my/listings?status=deleted").await;
    let restore = format!("/listings/{old}/restore?next=%2Fmy%2Flistings%3Fstatus%3Ddeleted");
    assert!(entry(&deleted, old.0).contains(&restore));
    assert!(!dashboard(&app, "/my/listings").await.contains("Old radio"));
    act(&app, "/my/listings?status=deleted", &restore, &[]).await;
    assert!(dashboard(&app, active).await.contains("Old radio"));

    // `next` only ever leads to a page of this site.
    let elsewhere = act(
        &app,
        "/my/listings",
        &format!("/listings/{bike}/status?next=https%3A%2F%2Fevil.example%2F"),
        &[("status", "active")],
    )
    .await;
    assert_redirect_to(&elsewhere, &format!("/listings/{bike}/red-road-bike"));
}

/// Lets the janitor (which queues the reminders) run now.
async fn run_janitor(app: &TestApp) {
    corkboard::jobs::runner::ensure_periodic(&corkboard::web::Db::new(app.pool.clone()))
        .await
        .unwrap();
    app.execute("UPDATE jobs SET run_at = now() WHERE kind = 'janitor'");
    app.run_jobs().await;
}

#[tokio::test]
async fn sellers_are_reminded_once_three_days_before_expiry_and_renew_in_one_click() {
    let mut app = spawn_app().await;
    let seller = app.sign_up_new_member().await;
    let (other, other_user) = app.new_member().await;
    app.run_jobs().await;
    app.send_mail_by_smtp();
    let listing = |title, days_left: i64| {
        let id = TestListing {
            title,
            minutes_ago: 28 * 24 * 60,
            ..TestListing::default()
        }
        .insert(&app);
        app.execute(&format!(
            "UPDATE listings SET expires_at = now() + interval '{days_left} days' WHERE id = {id}"
        ));
        id
    };
    let soon = listing("Soon bike", 2);
    listing("Later lamp", 10);
    let sold = listing("Sold sofa", 1);
    app.execute(&format!(
        "UPDATE listings SET status = 'sold' WHERE id = {sold}"
    ));
    // The other member turned these reminders off.
    let theirs = listing("Their chair", 1);
    app.execute(&format!(
        "UPDATE listings SET owner_id = (SELECT id FROM users WHERE username = '{}') WHERE id = {theirs}",
        other_user.username
    ));
    other
        .submit_form(
            "/settings",
            "/settings/notifications",
            &[("message_mail", "on")],
        )
        .await;

    run_janitor(&app).await;
    let mails = smtp_server().inbox(&seller.email);
    assert_eq!(mails.len(), 1, "{mails:?}");
    let mail = &mails[0];
    assert!(mail.subject.contains("Soon bike"), "{}", mail.subject);
    assert!(smtp_server().inbox(&other_user.email).is_empty());
    let prefix = format!("{}/listings/{soon}/renew/", app.address);
    let start = mail.text.find(&prefix).expect("a renew link");
    let link: String = mail.text[start..]
        .chars()
        .take_while(|c| !c.is_whitespace())
        .collect();
    assert!(mail.html.contains(&link));
    assert!(mail.text.contains(&format!("{}/my/listings", app.address)));

    // Once per expiry, however often the janitor runs.
    run_janitor(&app).await;
    assert_eq!(smtp_server().inbox(&seller.email).len(), 1);

    // Opening the link changes nothing; its one button renews, no log-in needed.
    let path = link.strip_prefix(&app.address).unwrap().to_owned();
    let stranger = app.new_visitor();
    let page = stranger.get_ok_page(&path).await.body;
    assert!(page.contains("Renew “Soon bike”?"), "{page}");
    assert_eq!(
        count(
            &app,
            &format!(
                "SELECT count(*) AS n FROM listings WHERE id = {soon} AND expires_at < now() + interval '3 days'"
            )
        ),
        1
    );
    let renewed = stranger.submit_form(&path, &path, &[]).await;
    assert_redirect_to(&renewed, &format!("/listings/{soon}/soon-bike"));
    assert_eq!(
        count(
            &app,
            &format!(
                "SELECT count(*) AS n FROM listings WHERE id = {soon} AND expires_at > now() + interval '29 days' AND renewed_at > now() - interval '1 minute'"
            )
        ),
        1
    );

    // Used once: the listing's expiry moved on, so the link no longer works; nor does a
    // forged one.
    let again = stranger.get_page(&path).await;
    assert_eq!(again.status, StatusCode::FORBIDDEN);
    assert!(again.body.contains("no longer works"));
    let forged = format!("/listings/{soon}/renew/{}", "0".repeat(32));
    assert_eq!(stranger.get(&forged).await.status(), StatusCode::FORBIDDEN);
}
