//! Moderation: members flag listings (weighted flags hold one), owners appeal once, members
//! report profiles, and admins browse, hold, restore, remove and move listings, each action
//! written to the append-only audit log.

use diesel::prelude::*;
use reqwest::StatusCode;

use crate::helpers::{TestApp, TestListing, TestUser, Visitor, assert_redirect_to, spawn_app};
use corkboard::db::ids::ListingId;
use corkboard::listings::models::ListingStatus;

fn flag_weight_of(app: &TestApp, id: ListingId) -> f32 {
    use corkboard::db::schema::listings;
    listings::table
        .find(id)
        .select(listings::flag_weight)
        .first(&mut app.pool.get().unwrap())
        .unwrap()
}

/// Makes a member's account `days` old (flags from accounts younger than a week weigh half).
fn age(app: &TestApp, user: &TestUser, days: i64) {
    app.execute(&format!(
        "UPDATE users SET created_at = now() - interval '{days} days' WHERE username = '{}'",
        user.username
    ));
}

/// A member whose account is a month old.
async fn seasoned_member(app: &TestApp) -> (Visitor, TestUser) {
    let (visitor, user) = app.new_member().await;
    age(app, &user, 30);
    (visitor, user)
}

/// A listing of the first member's, active and public.
fn listing(app: &TestApp, title: &str) -> ListingId {
    TestListing {
        title,
        ..TestListing::default()
    }
    .insert(app)
}

fn path_of(id: ListingId) -> String {
    format!("/listings/{id}")
}

async fn flag(visitor: &Visitor, id: ListingId, reason: &str, note: &str) -> reqwest::Response {
    visitor
        .submit_form(
            &format!("/listings/{id}/flag"),
            &format!("/listings/{id}/flag"),
            &[("reason", reason), ("note", note)],
        )
        .await
}

/// Every audit entry: (action, target, reason), oldest first.
fn audit_actions(app: &TestApp) -> Vec<(String, i64, String)> {
    use corkboard::db::schema::audit_log;
    audit_log::table
        .order(audit_log::id)
        .select((audit_log::action, audit_log::target_id, audit_log::reason))
        .load(&mut app.pool.get().unwrap())
        .unwrap()
}

#[tokio::test]
async fn weighted_flags_hold_a_listing_at_the_threshold() {
    let app = spawn_app().await;
    let owner = app.sign_up_new_member().await;
    let id = listing(&app, "Suspicious laptop");
    let page = path_of(id);

    // A new account's flag weighs half.
    let (newcomer, _) = app.new_member().await;
    let flagged = flag(&newcomer, id, "scam", "").await;
    assert_eq!(flagged.status(), StatusCode::SEE_OTHER);
    assert_eq!(flag_weight_of(&app, id), 0.5);
    // Once per member: a second flag is refused, the weight unchanged.
    flag(&newcomer, id, "spam", "").await;
    assert_eq!(flag_weight_of(&app, id), 0.5);

    // A member whose earlier flag was upheld weighs 1.5.
    let (trusted, trusted_user) = seasoned_member(&app).await;
    let earlier = listing(&app, "Earlier bad listing");
    flag(&trusted, earlier, "prohibited", "").await;
    app.execute(&format!(
        "UPDATE flags SET decision = 'upheld' WHERE listing_id = {earlier}"
    ));
    flag(&trusted, id, "scam", "Asks for a wire transfer").await;
    assert_eq!(flag_weight_of(&app, id), 2.0);
    assert_eq!(app.listing_status(id), "active");
    let _ = trusted_user;

    // An ordinary month-old member takes it to 3: held.
    let (ordinary, _) = seasoned_member(&app).await;
    flag(&ordinary, id, "other", "Same photos as another listing").await;
    assert_eq!(flag_weight_of(&app, id), 3.0);
    assert_eq!(app.listing_status(id), "held");

    // Held: gone from the lists and its page for everyone but its owner, who sees why.
    let category = app.get_ok_page("/c/for-sale/general").await;
    assert!(!category.body.contains("Suspicious laptop"));
    assert_eq!(ordinary.get(&page).await.status(), StatusCode::NOT_FOUND);
    let owners = app.get(&page).await;
    let owners = app
        .get_ok_page(owners.headers()["location"].to_str().unwrap())
        .await;
    assert!(owners.body.contains("Held for review"), "{}", owners.body);
    assert!(owners.body.contains("most often as: looks like a scam"));
    assert!(owners.body.contains("Appeal this decision"));
    // And in the owner's own list of listings, with the reason.
    let mine = app.get_ok_page(&format!("/u/{}", owner.username)).await;
    assert!(
        mine.body
            .contains("The moderators' reason: Held for review")
    );
}

#[tokio::test]
async fn a_member_flags_and_withdraws_but_never_their_own_listing() {
    let app = spawn_app().await;
    app.sign_up_new_member().await;
    let id = listing(&app, "Garden chairs");
    let (member, _) = seasoned_member(&app).await;

    // The control is on the listing page, and works as a plain form.
    let page = member.get(&path_of(id)).await;
    let page = member
        .get_ok_page(page.headers()["location"].to_str().unwrap())
        .await;
    assert!(page.body.contains("Flag this listing"));
    assert!(
        page.body
            .contains(&format!("action=\"/listings/{id}/flag\""))
    );

    // Bad input comes back with what was typed and a message by each field.
    let refused = flag(&member, id, "", &"x".repeat(501)).await;
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body = refused.text().await.unwrap();
    assert!(body.contains("Choose what is wrong with this listing."));
    assert!(body.contains("Use at most 500 characters"));
    let refused = flag(&member, id, "other", "").await;
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused
            .text()
            .await
            .unwrap()
            .contains("Say what is wrong, in a few words.")
    );

    let flagged = flag(&member, id, "miscategorized", "").await;
    assert_redirect_to(&flagged, &format!("/listings/{id}/garden-chairs"));
    assert_eq!(flag_weight_of(&app, id), 1.0);
    let mine = member.get_ok_page(&format!("/listings/{id}/flag")).await;
    assert!(
        mine.body
            .contains("You flagged this listing: In the wrong category.")
    );

    let withdrawn = member
        .submit_form(
            &format!("/listings/{id}/flag"),
            &format!("/listings/{id}/flag/withdraw"),
            &[],
        )
        .await;
    assert_eq!(withdrawn.status(), StatusCode::SEE_OTHER);
    assert_eq!(flag_weight_of(&app, id), 0.0);

    // The owner cannot flag their own listing (and is not offered to).
    assert_eq!(
        app.get(&format!("/listings/{id}/flag")).await.status(),
        StatusCode::NOT_FOUND
    );
    let own = app
        .submit_form(
            "/settings",
            &format!("/listings/{id}/flag"),
            &[("reason", "spam")],
        )
        .await;
    assert_eq!(own.status(), StatusCode::SEE_OTHER);
    let told = app.get_ok_page("/settings").await;
    assert!(told.body.contains("You cannot flag your own listing."));
    assert_eq!(flag_weight_of(&app, id), 0.0);

    // A visitor is sent to log in first.
    let visitor = app.new_visitor();
    let to_login = visitor.get(&format!("/listings/{id}/flag")).await;
    assert_redirect_to(&to_login, &format!("/login?next=/listings/{id}/flag"));
}

#[tokio::test]
async fn the_owner_of_a_held_listing_appeals_once() {
    let app = spawn_app().await;
    app.sign_up_new_member().await;
    let id = listing(&app, "Concert tickets");
    let admin = app.new_admin().await.0;
    let held = admin
        .submit_form(
            &format!("/admin/listings/{id}"),
            &format!("/admin/listings/{id}/action"),
            &[("action", "hold"), ("reason", "Tickets above face value")],
        )
        .await;
    assert_redirect_to(&held, &format!("/admin/listings/{id}"));
    assert_eq!(app.listing_status(id), "held");

    // Nobody else can appeal (or see the form).
    let (stranger, _) = app.new_member().await;
    assert_eq!(
        stranger
            .get(&format!("/listings/{id}/appeal"))
            .await
            .status(),
        StatusCode::NOT_FOUND
    );

    let form = app.get_ok_page(&format!("/listings/{id}/appeal")).await;
    assert!(form.body.contains("Tickets above face value"));
    let empty = app
        .submit_form(
            &format!("/listings/{id}/appeal"),
            &format!("/listings/{id}/appeal"),
            &[("message", "   ")],
        )
        .await;
    assert_eq!(empty.status(), StatusCode::UNPROCESSABLE_ENTITY);

    let appealed = app
        .submit_form(
            &format!("/listings/{id}/appeal"),
            &format!("/listings/{id}/appeal"),
            &[("message", "They are at face value; here is the receipt.")],
        )
        .await;
    assert_eq!(appealed.status(), StatusCode::SEE_OTHER);
    let again = app
        .submit_form(
            &format!("/listings/{id}/appeal"),
            &format!("/listings/{id}/appeal"),
            &[("message", "Please!")],
        )
        .await;
    assert_eq!(again.status(), StatusCode::SEE_OTHER);
    let count: i64 = corkboard::db::schema::appeals::table
        .count()
        .get_result(&mut app.pool.get().unwrap())
        .unwrap();
    assert_eq!(count, 1);
    let page = app
        .get_ok_page(&format!("/listings/{id}/concert-tickets"))
        .await;
    assert!(page.body.contains("waiting for a moderator"));
    assert!(!page.body.contains("Appeal this decision"));

    // The admin sees it, restores the listing: the appeal is granted, the owner told.
    let detail = admin.get_ok_page(&format!("/admin/listings/{id}")).await;
    assert!(detail.body.contains("here is the receipt"));
    admin
        .submit_form(
            &format!("/admin/listings/{id}"),
            &format!("/admin/listings/{id}/action"),
            &[("action", "restore"), ("reason", "Receipt checked")],
        )
        .await;
    assert_eq!(app.listing_status(id), "active");
    let page = app
        .get_ok_page(&format!("/listings/{id}/concert-tickets"))
        .await;
    assert!(page.body.contains("Receipt checked"));
    let decision: Option<String> = corkboard::db::schema::appeals::table
        .select(corkboard::db::schema::appeals::decision)
        .first(&mut app.pool.get().unwrap())
        .unwrap();
    assert_eq!(decision.as_deref(), Some("granted"));
}

#[tokio::test]
async fn every_admin_action_writes_its_audit_entry_and_the_history_names_the_admin() {
    let app = spawn_app().await;
    app.sign_up_new_member().await;
    let id = listing(&app, "Mountain bike");
    let (flagger, _) = seasoned_member(&app).await;
    flag(&flagger, id, "miscategorized", "").await;
    let admin = app.new_admin().await.0;
    let act = |action: &'static str, reason: &'static str, category: String| {
        let admin = &admin;
        async move {
            admin
                .submit_form(
                    &format!("/admin/listings/{id}"),
                    &format!("/admin/listings/{id}/action"),
                    &[
                        ("action", action),
                        ("reason", reason),
                        ("category", &category),
                    ],
                )
                .await
        }
    };
    let bikes = app.category_id("for-sale", "bikes").to_string();

    // A missing reason, or a category that does not exist: 422, kept, nothing done.
    let refused = act("hold", "", String::new()).await;
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let refused = act("category", "Wrong place", "999999".into()).await;
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused
            .text()
            .await
            .unwrap()
            .contains("That category does not exist.")
    );
    assert!(audit_actions(&app).is_empty());

    assert_eq!(
        act("category", "Belongs in bikes", bikes.clone())
            .await
            .status(),
        StatusCode::SEE_OTHER
    );
    assert_eq!(
        act("hold", "Checking the serial", String::new())
            .await
            .status(),
        StatusCode::SEE_OTHER
    );
    // Holding a held listing is refused with a message.
    let twice = act("hold", "Again", String::new()).await;
    assert_eq!(twice.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        act("restore", "Serial is fine", String::new())
            .await
            .status(),
        StatusCode::SEE_OTHER
    );
    assert_eq!(
        act("remove", "Stolen after all", String::new())
            .await
            .status(),
        StatusCode::SEE_OTHER
    );
    assert_eq!(app.listing_status(id), "removed");

    let entries = audit_actions(&app);
    let actions: Vec<&str> = entries.iter().map(|e| e.0.as_str()).collect();
    assert_eq!(
        actions,
        [
            "listing.category",
            "listing.hold",
            "listing.restore",
            "listing.remove"
        ]
    );
    assert!(entries.iter().all(|e| e.1 == id.0));
    assert_eq!(entries[3].2, "Stolen after all");

    // Restoring rejected the flag made before it.
    let decision: Option<String> = corkboard::db::schema::flags::table
        .select(corkboard::db::schema::flags::decision)
        .first(&mut app.pool.get().unwrap())
        .unwrap();
    assert_eq!(decision.as_deref(), Some("rejected"));

    // The listing's page shows its history with the admin's name, and the audit log lists all.
    let detail = admin.get_ok_page(&format!("/admin/listings/{id}")).await;
    assert!(detail.body.contains("Bikes"), "{}", detail.body);
    assert!(detail.body.contains("category"));
    let log = admin.get_ok_page("/admin/audit").await;
    for label in [
        "Changed category",
        "Held listing",
        "Restored listing",
        "Removed listing",
    ] {
        assert!(log.body.contains(label), "{label}");
    }
    let filtered = admin
        .get_ok_page("/admin/audit?action=listing.remove")
        .await;
    assert!(filtered.body.contains("Stolen after all"));
    assert!(!filtered.body.contains("Serial is fine"));

    // The log is append-only in the database itself.
    let mut conn = app.pool.get().unwrap();
    for sql in [
        "UPDATE audit_log SET reason = 'nothing'",
        "DELETE FROM audit_log",
        "TRUNCATE audit_log",
    ] {
        let refused = diesel::sql_query(sql).execute(&mut conn);
        assert!(refused.is_err(), "{sql}");
    }
    assert_eq!(audit_actions(&app).len(), 4);
}

#[tokio::test]
async fn the_admin_listing_browser_filters_sorts_pages_and_acts_in_bulk() {
    let app = spawn_app().await;
    let owner = app.sign_up_new_member().await;
    let bike = TestListing {
        title: "Racing bike",
        category: ("for-sale", "bikes"),
        minutes_ago: 60 * 24 * 10,
        ..TestListing::default()
    }
    .insert(&app);
    let sofa = TestListing {
        title: "Green sofa",
        category: ("for-sale", "furniture"),
        minutes_ago: 60,
        ..TestListing::default()
    }
    .insert(&app);
    let room = TestListing {
        title: "Sunny room",
        category: ("housing", "rooms"),
        minutes_ago: 30,
        status: ListingStatus::Sold,
        ..TestListing::default()
    }
    .insert(&app);
    let (flagger, _) = seasoned_member(&app).await;
    flag(&flagger, sofa, "spam", "").await;
    let admin = app.new_admin().await.0;

    let shows = |body: &str| {
        ["Racing bike", "Green sofa", "Sunny room"]
            .into_iter()
            .filter(|t| body.contains(t))
            .collect::<Vec<_>>()
    };
    let bikes = format!("category={}", app.category_id("for-sale", "bikes"));
    let cases: [(&str, &[&str]); 11] = [
        ("", &["Racing bike", "Green sofa", "Sunny room"]),
        ("status=sold", &["Sunny room"]),
        ("section=housing", &["Sunny room"]),
        (&bikes, &["Racing bike"]),
        ("category=999999", &[]),
        ("flagged=1", &["Green sofa"]),
        ("q=sofa", &["Green sofa"]),
        // Words find listings in any status (a sold one is in the other word index).
        ("q=sunny", &["Sunny room"]),
        (
            &format!("owner={}", owner.username),
            &["Racing bike", "Green sofa", "Sunny room"],
        ),
        ("owner=nobody-here", &[]),
        ("status=held", &[]),
    ];
    for (query, expected) in cases {
        let page = admin.get_ok_page(&format!("/admin/listings?{query}")).await;
        assert_eq!(shows(&page.body), expected, "{query}");
    }
    // From the day of two hours ago (the sofa's and the room's, or the day before just after
    // midnight UTC) to today.
    let now = chrono::Utc::now();
    let (from, to) = (
        (now - chrono::Duration::hours(2)).date_naive(),
        now.date_naive(),
    );
    let page = admin
        .get_ok_page(&format!("/admin/listings?from={from}&to={to}"))
        .await;
    assert_eq!(shows(&page.body), ["Green sofa", "Sunny room"]);
    let page = admin
        .get_ok_page(&format!("/admin/listings?q={room}"))
        .await;
    assert_eq!(shows(&page.body), ["Sunny room"]);
    // A date that is not one is left out, and the page says so.
    let page = admin.get_ok_page("/admin/listings?from=soon").await;
    assert!(page.body.contains("is not a date like"));
    assert_eq!(shows(&page.body).len(), 3);
    // Oldest first puts the bike first.
    let page = admin.get_ok_page("/admin/listings?sort=oldest").await;
    let (b, s) = (
        page.body.find("Racing bike").unwrap(),
        page.body.find("Green sofa").unwrap(),
    );
    assert!(b < s);
    // A forged cursor is a 400.
    assert_eq!(
        admin
            .get("/admin/listings?sort=flags&after=p1.1")
            .await
            .status(),
        StatusCode::BAD_REQUEST
    );

    // Bulk: nothing ticked and no reason comes back with both messages and the choice kept.
    let back = "status=active";
    let refused = admin
        .submit_form(
            "/admin/listings?status=active",
            "/admin/listings/bulk",
            &[("action", "hold"), ("reason", ""), ("back", back)],
        )
        .await;
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body = refused.text().await.unwrap();
    assert!(body.contains("Tick the listings to act on."));
    assert!(body.contains("Give a reason."));
    assert!(body.contains("<option value=\"hold\" selected>"));

    let bike_id = bike.to_string();
    let sofa_id = sofa.to_string();
    let room_id = room.to_string();
    let held = admin
        .submit_form(
            "/admin/listings?status=active",
            "/admin/listings/bulk",
            &[
                ("ids", bike_id.as_str()),
                ("ids", sofa_id.as_str()),
                ("ids", room_id.as_str()),
                ("action", "remove"),
                ("reason", "Spam wave"),
                ("back", back),
            ],
        )
        .await;
    assert_redirect_to(&held, "/admin/listings?status=active");
    for id in [bike, sofa, room] {
        assert_eq!(app.listing_status(id), "removed");
    }
    assert_eq!(audit_actions(&app).len(), 3);
    // Restoring brings back exactly what each was.
    let restored = admin
        .submit_form(
            "/admin/listings?status=removed",
            "/admin/listings/bulk",
            &[
                ("ids", bike_id.as_str()),
                ("ids", room_id.as_str()),
                ("action", "restore"),
                ("reason", "Not spam"),
                ("back", "status=removed"),
            ],
        )
        .await;
    assert_eq!(restored.status(), StatusCode::SEE_OTHER);
    assert_eq!(app.listing_status(bike), "active");
    assert_eq!(app.listing_status(room), "sold");
    assert_eq!(app.listing_status(sofa), "removed");
    let flash = admin.get_ok_page("/admin/listings?status=removed").await;
    assert!(flash.body.contains("2 listings restored."));
}

#[tokio::test]
async fn the_admin_browser_pages_through_many_listings_without_repeats() {
    let app = spawn_app().await;
    app.sign_up_new_member().await;
    app.execute(
        "INSERT INTO listings (owner_id, category_id, title, body, zip, latitude, longitude,
                               expires_at, created_at)
         SELECT (SELECT min(id) FROM users), (SELECT min(id) FROM categories), 'Lot ' || n,
                'A lot.', '10001', 40.75, -73.99, now() + interval '30 days',
                now() - (n / 3) * interval '1 minute'
         FROM generate_series(1, 120) n",
    );
    let admin = app.new_admin().await.0;
    let mut seen = std::collections::HashSet::new();
    let mut next = Some("/admin/listings".to_owned());
    let mut pages = 0;
    while let Some(path) = next.take() {
        let page = admin.get_ok_page(&path).await;
        for n in 1..=120 {
            if page.body.contains(&format!(">Lot {n}<")) {
                assert!(seen.insert(n), "Lot {n} twice");
            }
        }
        next = page
            .body
            .split("href=\"")
            .filter_map(|s| s.split('"').next())
            .find(|href| href.starts_with("/admin/listings?") && href.contains("after="))
            .map(|href| href.replace("&amp;", "&"));
        pages += 1;
        assert!(pages < 10);
    }
    assert_eq!(seen.len(), 120);
    assert_eq!(pages, 3);
}

#[tokio::test]
async fn a_member_reports_a_profile_once() {
    let app = spawn_app().await;
    let target = app.sign_up_new_member().await;
    let (reporter, _) = app.new_member().await;
    let path = format!("/u/{}/report", target.username);
    // The profile offers it to other members, not to its own member.
    let profile = format!("/u/{}", target.username);
    assert!(reporter.get_ok_page(&profile).await.body.contains(&path));
    assert!(!app.get_ok_page(&profile).await.body.contains(&path));
    let empty = reporter.submit_form(&path, &path, &[("reason", "")]).await;
    assert_eq!(empty.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let sent = reporter
        .submit_form(&path, &path, &[("reason", "Impersonates a shop")])
        .await;
    assert_redirect_to(&sent, &format!("/u/{}", target.username));
    reporter
        .submit_form(&path, &path, &[("reason", "Again")])
        .await;
    let reasons: Vec<String> = corkboard::db::schema::profile_reports::table
        .select(corkboard::db::schema::profile_reports::reason)
        .load(&mut app.pool.get().unwrap())
        .unwrap();
    assert_eq!(reasons, ["Impersonates a shop"]);
    // Nobody reports themselves; the admin front page counts it.
    assert_eq!(app.get(&path).await.status(), StatusCode::NOT_FOUND);
    let admin = app.new_admin().await.0;
    let home = admin.get_ok_page("/admin").await;
    assert!(
        home.body.contains("id=\"count-profile-reports\">1<"),
        "{}",
        home.body
    );
}
