//! The admin area beyond listings: the queue with its one-form decisions, a reported message
//! shown with the ten around it, members found, banned and unbanned, admins made and unmade.

use diesel::prelude::*;
use reqwest::StatusCode;

use crate::helpers::{TestApp, TestListing, TestUser, Visitor, assert_redirect_to, spawn_app};
use corkboard::db::ids::UserId;
use corkboard::listings::models::ListingStatus;

fn user_id(app: &TestApp, user: &TestUser) -> UserId {
    use corkboard::db::schema::users;
    users::table
        .filter(users::username.eq(&user.username))
        .select(users::id)
        .first(&mut app.pool.get().unwrap())
        .unwrap()
}

/// Two members talk; the buyer writes `n` messages, the seller's reply is in the middle.
async fn conversation_with(app: &TestApp, n: usize) -> (String, Visitor) {
    let id = TestListing {
        title: "Old radio",
        ..TestListing::default()
    }
    .insert(app);
    let (buyer, _) = app.new_member().await;
    let contact_path = format!("/listings/{id}/contact");
    let contact = buyer
        .post_multipart(
            &contact_path,
            buyer
                .multipart_form(&contact_path)
                .await
                .text("body", "Message 1"),
        )
        .await;
    assert_eq!(contact.status(), StatusCode::SEE_OTHER);
    let conversation = contact.headers()["location"]
        .to_str()
        .unwrap()
        .split('#')
        .next()
        .unwrap()
        .to_owned();
    for i in 2..=n {
        let body = format!("Message {i}");
        let reply = buyer
            .post_multipart(
                &conversation,
                buyer.multipart_form(&conversation).await.text("body", body),
            )
            .await;
        assert_eq!(reply.status(), StatusCode::SEE_OTHER, "message {i}");
    }
    (conversation, buyer)
}

#[tokio::test]
async fn a_reported_message_is_shown_with_the_ten_around_it_and_nothing_else() {
    let app = spawn_app().await;
    app.sign_up_new_member().await;
    let (conversation, _buyer) = conversation_with(&app, 20).await;
    // The seller reports message 10.
    let message: i64 = corkboard::db::schema::messages::table
        .filter(corkboard::db::schema::messages::body.eq("Message 10"))
        .select(corkboard::db::schema::messages::id)
        .first::<corkboard::db::ids::MessageId>(&mut app.pool.get().unwrap())
        .unwrap()
        .0;
    let report_path = format!("{conversation}/report/{message}");
    let reported = app
        .submit_form(&report_path, &report_path, &[("reason", "Threatening")])
        .await;
    assert_eq!(reported.status(), StatusCode::SEE_OTHER);

    let (admin, _) = app.new_admin().await;
    let queue = admin.get_ok_page("/admin/queue").await;
    assert!(queue.body.contains("Threatening"));
    let page = admin
        .get_ok_page(&format!("/admin/reports/messages/{message}"))
        .await;
    for i in 5..=15 {
        assert!(
            page.body.contains(&format!(">Message {i}<")),
            "message {i} is in the window"
        );
    }
    for i in [1, 2, 3, 4, 16, 17, 20] {
        assert!(
            !page.body.contains(&format!(">Message {i}<")),
            "message {i} is outside the window"
        );
    }
    // A message nobody reported is not for moderators to read.
    let other = message + 3;
    assert_eq!(
        admin
            .get(&format!("/admin/reports/messages/{other}"))
            .await
            .status(),
        StatusCode::NOT_FOUND
    );

    // One form decides it, with its audit entry; the queue is empty again.
    let path = format!("/admin/reports/messages/{message}");
    let decided = admin
        .submit_form(
            &path,
            &path,
            &[("decision", "uphold"), ("reason", "Clear threat")],
        )
        .await;
    assert_redirect_to(&decided, "/admin/queue");
    assert_eq!(app.audit_count("report.uphold"), 1);
    let queue = admin.get_ok_page("/admin/queue").await;
    assert!(!queue.body.contains("Threatening"));
    // Deciding again finds nothing open.
    let again = admin
        .submit_form(
            &path,
            &path,
            &[("decision", "reject"), ("reason", "Changed my mind")],
        )
        .await;
    assert_eq!(again.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_queue_decides_held_listings_appeals_and_profile_reports_oldest_first() {
    let app = spawn_app().await;
    let owner = app.sign_up_new_member().await;
    let older = TestListing {
        title: "Older held",
        status: ListingStatus::Held,
        ..TestListing::default()
    }
    .insert(&app);
    let newer = TestListing {
        title: "Newer held",
        status: ListingStatus::Held,
        ..TestListing::default()
    }
    .insert(&app);
    for (id, days) in [(older, 2), (newer, 1)] {
        app.execute(&format!(
            "UPDATE listings SET moderated_at = now() - interval '{days} days',
                        moderation_reason = 'Flagged'
                 WHERE id = {id}"
        ));
    }
    let appealed = app
        .submit_form(
            &format!("/listings/{newer}/appeal"),
            &format!("/listings/{newer}/appeal"),
            &[("message", "It is a real radio.")],
        )
        .await;
    assert_eq!(appealed.status(), StatusCode::SEE_OTHER);
    let (reporter, _) = app.new_member().await;
    let path = format!("/u/{}/report", owner.username);
    reporter
        .submit_form(&path, &path, &[("reason", "Fake shop")])
        .await;

    let (admin, _) = app.new_admin().await;
    let queue = admin.get_ok_page("/admin/queue").await;
    let (o, n) = (
        queue.body.find("Older held").unwrap(),
        queue.body.find("Newer held").unwrap(),
    );
    assert!(o < n, "oldest first");
    assert!(queue.body.contains("It is a real radio."));
    assert!(queue.body.contains("Fake shop"));

    // A held listing: removed from the queue's own form, and back to the queue.
    let removed = admin
        .submit_form(
            "/admin/queue",
            &format!("/admin/listings/{older}/action"),
            &[
                ("action", "remove"),
                ("reason", "Counterfeit"),
                ("back", "/admin/queue"),
            ],
        )
        .await;
    assert_redirect_to(&removed, "/admin/queue");
    assert_eq!(app.listing_status(older), "removed");
    // Somewhere else than the admin area is never where it goes back to.
    let elsewhere = admin
        .submit_form(
            "/admin/queue",
            &format!("/admin/listings/{older}/action"),
            &[
                ("action", "category"),
                (
                    "category",
                    &app.category_id("for-sale", "general").to_string(),
                ),
                ("reason", "Tidy"),
                ("back", "//evil.example/admin/"),
            ],
        )
        .await;
    assert_redirect_to(&elsewhere, &format!("/admin/listings/{older}"));

    // The appeal: a decision without a reason is refused, then granted.
    let appeal_id: i64 = corkboard::db::schema::appeals::table
        .select(corkboard::db::schema::appeals::id)
        .first::<corkboard::db::ids::AppealId>(&mut app.pool.get().unwrap())
        .unwrap()
        .0;
    let refused = admin
        .submit_form(
            "/admin/queue",
            &format!("/admin/appeals/{appeal_id}"),
            &[("decision", "grant"), ("reason", "")],
        )
        .await;
    assert_redirect_to(&refused, "/admin/queue");
    assert_eq!(app.listing_status(newer), "held");
    let granted = admin
        .submit_form(
            "/admin/queue",
            &format!("/admin/appeals/{appeal_id}"),
            &[("decision", "grant"), ("reason", "Receipt shown")],
        )
        .await;
    assert_redirect_to(&granted, "/admin/queue");
    assert_eq!(app.listing_status(newer), "active");
    assert_eq!(app.audit_count("appeal.grant"), 1);
    assert_eq!(app.audit_count("listing.restore"), 1);

    // The profile report.
    let owner_id = user_id(&app, &owner);
    let rejected = admin
        .submit_form(
            "/admin/queue",
            &format!("/admin/reports/profiles/{owner_id}"),
            &[("decision", "reject"), ("reason", "A real shop")],
        )
        .await;
    assert_redirect_to(&rejected, "/admin/queue");
    assert_eq!(app.audit_count("report.reject"), 1);
    let queue = admin.get_ok_page("/admin/queue").await;
    assert!(queue.body.contains("Nothing held."));
    assert!(queue.body.contains("No open appeals."));
    assert!(!queue.body.contains("Fake shop"));
}

#[tokio::test]
async fn a_ban_ends_sessions_and_streams_and_hides_listings_and_an_unban_restores_exactly_those() {
    let app = spawn_app().await;
    let (seller, seller_user) = app.new_member().await;
    let seller_id = user_id(&app, &seller_user);
    // The seller's listings: two up, one sold, one an admin removed earlier.
    let insert = |title: &'static str, status: ListingStatus| {
        let id = TestListing {
            title,
            status,
            ..TestListing::default()
        }
        .insert(&app);
        app.execute(&format!(
            "UPDATE listings SET owner_id = {seller_id} WHERE id = {id}"
        ));
        id
    };
    // TestListing gives the first member's listings; the first member here is the seller.
    let up = insert("Up one", ListingStatus::Active);
    let pending = insert("Pending one", ListingStatus::Pending);
    let sold = insert("Sold one", ListingStatus::Sold);
    let removed = insert("Removed one", ListingStatus::Removed);
    let mut stream = seller.open_events("", None).await;

    let (admin, admin_user) = app.new_admin().await;
    let page = format!("/admin/members/{seller_id}");
    // Refusals: no reason; banning oneself; demoting the last admin.
    let no_reason = admin
        .submit_form(&page, &format!("{page}/ban"), &[("action", "ban")])
        .await;
    assert_eq!(no_reason.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let admin_id = user_id(&app, &admin_user);
    let own = format!("/admin/members/{admin_id}");
    let themselves = admin
        .submit_form(
            &own,
            &format!("{own}/ban"),
            &[("action", "ban"), ("reason", "Oops")],
        )
        .await;
    assert_eq!(themselves.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        themselves
            .text()
            .await
            .unwrap()
            .contains("You cannot ban yourself.")
    );
    let last = admin
        .submit_form(
            &own,
            &format!("{own}/role"),
            &[("action", "demote"), ("reason", "Stepping down")],
        )
        .await;
    assert_eq!(last.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        last.text()
            .await
            .unwrap()
            .contains("at least one active admin")
    );

    let banned = admin
        .submit_form(
            &page,
            &format!("{page}/ban"),
            &[("action", "ban"), ("reason", "Selling stolen goods")],
        )
        .await;
    assert_redirect_to(&banned, &page);
    // Their open session ends on the next request, and the live stream ends now.
    assert_redirect_to(&seller.get("/messages").await, "/login?next=/messages");
    assert!(stream.ends_within(std::time::Duration::from_secs(5)).await);
    // Every listing anyone could open is off the site; the removed one is as it was.
    for id in [up, pending, sold] {
        assert_eq!(app.listing_status(id), "held");
    }
    assert_eq!(app.listing_status(removed), "removed");
    let category = app.new_visitor().get_ok_page("/c/for-sale/general").await;
    assert!(!category.body.contains("Up one"));
    // They cannot log in again.
    let login = seller
        .log_in(&seller_user.username, &seller_user.password)
        .await;
    assert_ne!(login.status(), StatusCode::SEE_OTHER);

    // While banned, an admin decides one hidden listing on its own: the unban leaves it.
    admin
        .submit_form(
            &format!("/admin/listings/{pending}"),
            &format!("/admin/listings/{pending}/action"),
            &[("action", "remove"), ("reason", "Also stolen")],
        )
        .await;
    let unbanned = admin
        .submit_form(
            &page,
            &format!("{page}/ban"),
            &[("action", "unban"), ("reason", "Cleared by police")],
        )
        .await;
    assert_redirect_to(&unbanned, &page);
    assert_eq!(app.listing_status(up), "active");
    assert_eq!(app.listing_status(sold), "sold");
    assert_eq!(app.listing_status(pending), "removed");
    assert_eq!(app.listing_status(removed), "removed");
    assert_eq!(app.audit_count("member.ban"), 1);
    assert_eq!(app.audit_count("member.unban"), 1);
    let login = seller
        .log_in(&seller_user.username, &seller_user.password)
        .await;
    assert_eq!(login.status(), StatusCode::SEE_OTHER);

    // Promote, then the first admin may step down.
    let promoted = admin
        .submit_form(
            &page,
            &format!("{page}/role"),
            &[("action", "promote"), ("reason", "Trusted seller")],
        )
        .await;
    assert_redirect_to(&promoted, &page);
    let stepped_down = admin
        .submit_form(
            &own,
            &format!("{own}/role"),
            &[("action", "demote"), ("reason", "Stepping down")],
        )
        .await;
    assert_redirect_to(&stepped_down, &own);
    assert_eq!(admin.get("/admin").await.status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn admins_find_members_by_username_or_email() {
    let app = spawn_app().await;
    let (_, alice) = app.new_member().await;
    let (_, bob) = app.new_member().await;
    let (admin, _) = app.new_admin().await;
    let by_name = admin
        .get_ok_page(&format!("/admin/members?q={}", &alice.username[..6]))
        .await;
    assert!(by_name.body.contains(&alice.username));
    let by_email = admin
        .get_ok_page(&format!("/admin/members?q={}", bob.email))
        .await;
    assert!(by_email.body.contains(&bob.username));
    assert!(!by_email.body.contains(&alice.username));
    // LIKE's wildcards are plain characters.
    let wildcard = admin.get_ok_page("/admin/members?q=%25").await;
    assert!(wildcard.body.contains("No members match."));
    let detail = admin
        .get_ok_page(&format!("/admin/members/{}", user_id(&app, &alice)))
        .await;
    assert!(detail.body.contains(&alice.email));
    assert_eq!(
        admin.get("/admin/members/999999").await.status(),
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn admins_see_dead_jobs_with_their_error_and_retry_or_discard_them() {
    let app = spawn_app().await;
    let (admin, _) = app.new_admin().await;
    // Two jobs that used up their attempts, and one a worker holds right now.
    for (kind, state, locked) in [
        ("mail", "dead", "NULL"),
        ("janitor", "dead", "NULL"),
        ("mail", "pending", "now() + interval '1 minute'"),
    ] {
        app.execute(&format!(
            "INSERT INTO jobs (kind, payload, state, attempts, max_attempts, last_error,
                                   locked_by, locked_until)
                 VALUES ('{kind}', '{{}}', '{state}', 10, 10, 'SMTP said no to {kind}',
                         CASE WHEN {locked} IS NULL THEN NULL ELSE 'worker-1' END, {locked})"
        ));
    }
    // (The app queues jobs of its own, such as the janitor's next run: these are ours.)
    let ours = corkboard::db::schema::jobs::last_error.like("SMTP said no%");
    let ids: Vec<i64> = corkboard::db::schema::jobs::table
        .filter(ours)
        .order(corkboard::db::schema::jobs::id)
        .select(corkboard::db::schema::jobs::id)
        .load::<corkboard::db::ids::JobId>(&mut app.pool.get().unwrap())
        .unwrap()
        .into_iter()
        .map(|id| id.0)
        .collect();
    let page = admin.get_ok_page("/admin/jobs").await;
    assert!(page.body.contains("SMTP said no to mail"));
    assert!(page.body.contains("SMTP said no to janitor"));
    assert!(page.body.contains("running"));

    let retried = admin
        .submit_form(
            "/admin/jobs",
            &format!("/admin/jobs/{}", ids[0]),
            &[("action", "retry")],
        )
        .await;
    assert_redirect_to(&retried, "/admin/jobs");
    let discarded = admin
        .submit_form(
            "/admin/jobs",
            &format!("/admin/jobs/{}", ids[1]),
            &[("action", "discard")],
        )
        .await;
    assert_redirect_to(&discarded, "/admin/jobs");
    // The running one is left alone, with a message.
    admin
        .submit_form(
            "/admin/jobs",
            &format!("/admin/jobs/{}", ids[2]),
            &[("action", "discard")],
        )
        .await;
    let page = admin.get_ok_page("/admin/jobs").await;
    assert!(page.body.contains("A worker is running that job right now"));
    let states: Vec<(String, i32)> = corkboard::db::schema::jobs::table
        .filter(ours)
        .order(corkboard::db::schema::jobs::id)
        .select((
            corkboard::db::schema::jobs::state,
            corkboard::db::schema::jobs::attempts,
        ))
        .load(&mut app.pool.get().unwrap())
        .unwrap();
    assert_eq!(states, [("pending".into(), 0), ("pending".into(), 10)]);
    assert_eq!(app.audit_count("job.retry"), 1);
    assert_eq!(app.audit_count("job.discard"), 1);
    assert_eq!(
        admin
            .submit_form("/admin/jobs", "/admin/jobs/999999", &[("action", "retry")])
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn the_dashboard_charts_the_last_thirty_days_with_a_table_and_the_queue() {
    let app = spawn_app().await;
    app.sign_up_new_member().await;
    let today = TestListing {
        title: "Today's lamp",
        ..TestListing::default()
    }
    .insert(&app);
    // One from 10 days ago, one from 40 (outside the window).
    TestListing {
        minutes_ago: 10 * 24 * 60,
        ..TestListing::default()
    }
    .insert(&app);
    TestListing {
        minutes_ago: 40 * 24 * 60,
        ..TestListing::default()
    }
    .insert(&app);
    let (flagger, _) = app.new_member().await;
    flagger
        .submit_form(
            &format!("/listings/{today}/flag"),
            &format!("/listings/{today}/flag"),
            &[("reason", "spam")],
        )
        .await;
    app.execute(
        "UPDATE listings SET status = 'held', moderated_at = now() - interval '3 days'
         WHERE title = 'Today''s lamp'",
    );
    let (admin, _) = app.new_admin().await;
    let home = admin.get_ok_page("/admin").await;
    assert!(
        home.body.contains("id=\"total-listings\">2<"),
        "{}",
        home.body
    );
    // Three members: the owner, the flagger, the admin.
    assert!(home.body.contains("id=\"total-members\">3<"));
    assert!(home.body.contains("id=\"total-flags\">1<"));
    assert!(home.body.contains("id=\"queue-length\">1<"));
    assert!(home.body.contains("id=\"queue-oldest\">3 days<"));
    // Thirty bars a chart, and the same numbers in the table (today's row first).
    assert_eq!(home.body.matches("<rect ").count(), 4 * 30);
    let day = chrono::Utc::now().date_naive().to_string();
    let table = &home.body[home.body.find("id=\"activity-table\"").unwrap()..];
    let first_row = &table[table.find("<tbody>").unwrap()..];
    assert!(
        first_row.starts_with(&format!(
            "<tbody>\n        <tr><th scope=\"row\" class=\"font-normal\">{day}</th><td>1</td><td>3</td><td>0</td><td>1</td>"
        )),
        "{}",
        &first_row[..200.min(first_row.len())]
    );
}

#[tokio::test]
async fn category_edits_reach_every_instance_at_once_and_retired_ones_take_no_listings() {
    // Caches that would keep the tree for an hour: only the announcement refreshes them.
    let app = crate::helpers::spawn_app_configured(|state| {
        state.listings.counts_ttl_seconds = 3600;
    })
    .await;
    app.sign_up_new_member().await;
    let other = app.another_instance();
    let on_b = app.new_visitor().at(&other.address);
    assert!(
        !on_b
            .get_ok_page("/c/for-sale")
            .await
            .body
            .contains("Kayaks")
    );
    let (admin, _) = app.new_admin().await;

    // Bad input comes back with each field's message.
    let refused = admin
        .submit_form(
            "/admin/categories",
            "/admin/categories",
            &[
                ("section", "for-sale"),
                ("name", ""),
                ("slug", "Not a slug!"),
            ],
        )
        .await;
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body = refused.text().await.unwrap();
    assert!(body.contains("Give the category a name."));
    let taken = admin
        .submit_form(
            "/admin/categories",
            "/admin/categories",
            &[
                ("section", "for-sale"),
                ("name", "Bikes again"),
                ("slug", "bikes"),
            ],
        )
        .await;
    assert_eq!(taken.status(), StatusCode::UNPROCESSABLE_ENTITY);

    let added = admin
        .submit_form(
            "/admin/categories",
            "/admin/categories",
            &[("section", "for-sale"), ("name", "Kayaks & canoes")],
        )
        .await;
    assert_eq!(added.status(), StatusCode::SEE_OTHER);
    let page = added.headers()["location"].to_str().unwrap().to_owned();
    let id: i32 = page.rsplit('/').next().unwrap().parse().unwrap();
    // Instance B shows it without a restart, as soon as the announcement arrives.
    let mut seen = false;
    for _ in 0..50 {
        if on_b
            .get_ok_page("/c/for-sale")
            .await
            .body
            .contains("Kayaks &#38; canoes")
        {
            seen = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(seen, "the new category reached instance B");

    // Its attributes: bad JSON is refused with the text kept; good ones reach the form.
    let bad = admin
        .submit_form(
            &page,
            &page,
            &[
                ("name", "Kayaks & canoes"),
                ("slug", "kayaks-canoes"),
                ("attributes", "[{\"key\": \"Length\"}"),
            ],
        )
        .await;
    assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        bad.text()
            .await
            .unwrap()
            .contains("[{&#34;key&#34;: &#34;Length&#34;}")
    );
    let saved = admin
        .submit_form(
            &page,
            &page,
            &[
                ("name", "Kayaks and canoes"),
                ("slug", "kayaks-canoes"),
                ("price_kind", "rate"),
                (
                    "attributes",
                    r#"[{"key": "length_ft", "label": "Length (ft)", "type": "int", "min": 1, "max": 40}]"#,
                ),
            ],
        )
        .await;
    assert_redirect_to(&saved, &page);
    let form = app
        .get_ok_page(&format!("/listings/new?category={id}"))
        .await;
    assert!(form.body.contains("Length (ft)"));
    // What its price means is the admins' choice too: a rate, per hour or for the job.
    assert!(form.body.contains("Rate (USD)") && form.body.contains("for the job"));
    assert!(
        admin
            .get_ok_page(&page)
            .await
            .body
            .contains("<option value=\"rate\" selected>")
    );
    let unknown = admin
        .submit_form(
            &page,
            &page,
            &[
                ("name", "Kayaks and canoes"),
                ("slug", "kayaks-canoes"),
                ("price_kind", "barter"),
            ],
        )
        .await;
    assert_eq!(unknown.status(), StatusCode::UNPROCESSABLE_ENTITY);

    // Reordering puts it first in its section.
    let change = format!("/admin/categories/{id}/change");
    for _ in 0..20 {
        admin
            .submit_form("/admin/categories", &change, &[("action", "up")])
            .await;
    }
    let first: String = corkboard::db::schema::categories::table
        .inner_join(corkboard::db::schema::sections::table)
        .filter(corkboard::db::schema::sections::slug.eq("for-sale"))
        .order(corkboard::db::schema::categories::position)
        .select(corkboard::db::schema::categories::name)
        .first(&mut app.pool.get().unwrap())
        .unwrap();
    assert_eq!(first, "Kayaks and canoes");

    // A listing in it, then it retires: the listing stays readable, the category leaves the
    // menus and the posting form, and takes no new listing.
    let listing = TestListing {
        title: "Sea kayak",
        ..TestListing::default()
    }
    .insert(&app);
    app.execute(&format!(
        "UPDATE listings SET category_id = {id} WHERE id = {listing}"
    ));
    // A reason with control characters is refused like any other reason, nothing done.
    admin
        .submit_form(
            "/admin/categories",
            &change,
            &[("action", "retire"), ("reason", "Merged\u{7}")],
        )
        .await;
    let page = admin.get_ok_page("/admin/categories").await;
    assert!(page.body.contains("Reason:"), "{}", page.body);
    assert_eq!(app.audit_count("category.retire"), 0);
    let retired = admin
        .submit_form(
            "/admin/categories",
            &change,
            &[("action", "retire"), ("reason", "Merged into boats")],
        )
        .await;
    assert_redirect_to(&retired, "/admin/categories");
    let readable = app.get(&format!("/listings/{listing}")).await;
    assert_eq!(readable.status(), StatusCode::MOVED_PERMANENTLY);
    app.get_ok_page(readable.headers()["location"].to_str().unwrap())
        .await;
    let chooser = app.get_ok_page("/listings/new").await;
    assert!(chooser.body.contains("Bikes"));
    assert!(!chooser.body.contains("Kayaks and canoes"));
    let refused = app.get(&format!("/listings/new?category={id}")).await;
    assert_redirect_to(&refused, "/listings/new");
    let mut gone = false;
    for _ in 0..50 {
        let section = on_b.get_ok_page("/c/for-sale").await;
        if !section.body.contains("Kayaks and canoes") {
            gone = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(gone, "the retirement reached instance B");

    // The last category of a section that takes listings cannot retire.
    let jobs: Vec<i32> = corkboard::db::schema::categories::table
        .inner_join(corkboard::db::schema::sections::table)
        .filter(corkboard::db::schema::sections::slug.eq("jobs"))
        .select(corkboard::db::schema::categories::id)
        .load(&mut app.pool.get().unwrap())
        .unwrap();
    for (i, category) in jobs.iter().enumerate() {
        admin
            .submit_form(
                "/admin/categories",
                &format!("/admin/categories/{category}/change"),
                &[("action", "retire")],
            )
            .await;
        let page = admin.get_ok_page("/admin/categories").await;
        if i + 1 == jobs.len() {
            assert!(page.body.contains("It is the only category of its section"));
        }
    }
    let taking: i64 = corkboard::db::schema::categories::table
        .inner_join(corkboard::db::schema::sections::table)
        .filter(corkboard::db::schema::sections::slug.eq("jobs"))
        .filter(corkboard::db::schema::categories::retired_at.is_null())
        .count()
        .get_result(&mut app.pool.get().unwrap())
        .unwrap();
    assert_eq!(taking, 1);
    assert_eq!(app.audit_count("category.add"), 1);
    assert!(app.audit_count("category.edit") >= 2);
    assert_eq!(
        app.audit_count("category.retire"),
        1 + jobs.len() as i64 - 1
    );
}
