//! Live delivery: `/events` streams, across instances, with replay after a reconnect.

use std::time::Duration;

use reqwest::StatusCode;
use serde_json::Value;

use crate::helpers::{TestApp, spawn_app};
use crate::messages::{contact, conversation_of, count, listing, reply, sql};

const WAIT: Duration = Duration::from_secs(10);

fn data(event: &eventsource_stream::Event) -> Value {
    serde_json::from_str(&event.data).expect("JSON data")
}

/// The seller (first visitor) with a listing, and a buyer who wrote about it: returns the
/// buyer and the conversation's path.
async fn conversation(app: &TestApp) -> (crate::helpers::Visitor, String) {
    app.sign_up_new_member().await;
    let (id, _) = listing(app, "Walnut bookcase").await;
    let (buyer, _) = app.new_member().await;
    let sent = contact(&buyer, id, &[("body", "Hello, is it available?")]).await;
    (buyer, conversation_of(&sent))
}

fn conversation_id(path: &str) -> i64 {
    path.rsplit('/').next().unwrap().parse().unwrap()
}

#[tokio::test]
async fn a_message_posted_on_one_instance_reaches_a_page_on_another() {
    let app = spawn_app().await;
    let (buyer, path) = conversation(&app).await;
    let other = app.another_instance();

    // The seller's tab is connected to instance B, through a compressing client.
    let seller_b = app.visitor.at(&other.address);
    let mut stream = seller_b.open_events("", None).await;
    assert_eq!(stream.status, StatusCode::OK);
    assert_eq!(stream.headers["content-type"], "text/event-stream");
    assert!(
        stream
            .headers
            .get("content-encoding")
            .is_none_or(|e| e == "identity"),
        "never compressed (a compressor would hold events back)"
    );

    // The buyer writes through instance A.
    let sent = reply(&buyer, &path, &[("body", "I can come at six.")]).await;
    assert_eq!(sent.status(), StatusCode::SEE_OTHER);
    let message: i64 = sent.headers()["location"]
        .to_str()
        .unwrap()
        .rsplit("#m")
        .next()
        .unwrap()
        .parse()
        .unwrap();

    let event = stream.next_event(WAIT).await.expect("the stream is open");
    assert_eq!(event.event, "message");
    let body = data(&event);
    assert_eq!(body["conversation"], conversation_id(&path));
    assert_eq!(body["message"], message);
    assert_eq!(body["unread"], 2, "the first message and this one");
    assert!(!event.id.is_empty(), "every event has an id");

    // The seller reads the conversation on B; the buyer's tab on A sees "Seen".
    let mut buyer_stream = buyer.open_events("", None).await;
    app.visitor.at(&other.address).get_ok_page(&path).await;
    let seen = buyer_stream.next_event(WAIT).await.unwrap();
    assert_eq!(seen.event, "seen");
    assert_eq!(data(&seen)["message"], message);
    // The seller's own tabs hear that their count went to zero.
    let unread = stream.next_event(WAIT).await.unwrap();
    assert_eq!(unread.event, "unread");
    assert_eq!(data(&unread)["unread"], 0);
}

#[tokio::test]
async fn a_reconnecting_page_gets_what_it_missed_then_goes_live() {
    let app = spawn_app().await;
    let (buyer, path) = conversation(&app).await;
    let mut stream = app.visitor.open_events("", None).await;
    reply(&buyer, &path, &[("body", "one")]).await;
    let first = stream.next_event(WAIT).await.unwrap();
    drop(stream);

    // Two messages while the seller's tab is away.
    reply(&buyer, &path, &[("body", "two")]).await;
    reply(&buyer, &path, &[("body", "three")]).await;

    let mut stream = app.visitor.open_events("", Some(&first.id)).await;
    let second = stream.next_event(WAIT).await.unwrap();
    let third = stream.next_event(WAIT).await.unwrap();
    let ids: Vec<i64> = [&first, &second, &third]
        .iter()
        .map(|e| e.id.parse().unwrap())
        .collect();
    assert_eq!(
        ids,
        vec![ids[0], ids[0] + 1, ids[0] + 2],
        "in order, none skipped"
    );
    assert!(data(&second)["message"].as_i64() < data(&third)["message"].as_i64());
    assert_eq!(data(&third)["unread"], 4);

    // And then live.
    reply(&buyer, &path, &[("body", "four")]).await;
    let fourth = stream.next_event(WAIT).await.unwrap();
    assert_eq!(fourth.id.parse::<i64>().unwrap(), ids[0] + 3);

    // A page's `after=` (the position it was made at) works the same for a first connection.
    let page = app.get_ok_page("/").await;
    let after = page
        .body
        .split("data-events=\"/events?after=")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("a member's page names its stream position")
        .to_owned();
    assert_eq!(after, fourth.id);
    reply(&buyer, &path, &[("body", "five")]).await;
    let mut fresh = app
        .visitor
        .open_events(&format!("?after={}", ids[0]), None)
        .await;
    let replayed = fresh.next_event(WAIT).await.unwrap();
    assert_eq!(replayed.id.parse::<i64>().unwrap(), ids[0] + 1);

    // A position the server no longer keeps: the page is told to start again.
    sql(&app, "DELETE FROM member_events");
    let mut stale = app.visitor.open_events("", Some(&first.id)).await;
    assert_eq!(stale.next_event(WAIT).await.unwrap().event, "reset");
    // A position ahead of the stream (forged) is read as "from now on".
    let mut ahead = app.visitor.open_events("", Some("999999")).await;
    reply(&buyer, &path, &[("body", "six")]).await;
    assert_eq!(ahead.next_event(WAIT).await.unwrap().event, "message");
    // Nonsense is a 400.
    let bad = app.visitor.open_events("", Some("yesterday")).await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn a_lost_listener_reconnects_and_delivers_what_came_meanwhile() {
    let app = spawn_app().await;
    let (buyer, path) = conversation(&app).await;
    let mut stream = app.visitor.open_events("", None).await;
    // Cut the instance's LISTEN connection, as a database restart or a network cut would.
    let cut = count(
        &app,
        "SELECT count(*) AS n FROM pg_stat_activity
         WHERE datname = current_database() AND query LIKE 'LISTEN%'
           AND pg_terminate_backend(pid)",
    );
    assert_eq!(cut, 1, "the instance's one listener");
    reply(&buyer, &path, &[("body", "while the listener was down")]).await;
    let event = stream.next_event(WAIT).await.unwrap();
    assert_eq!(event.event, "message");
    // It listens again.
    let listening = count(
        &app,
        "SELECT count(*) AS n FROM pg_stat_activity
         WHERE datname = current_database() AND query LIKE 'LISTEN%'",
    );
    assert_eq!(listening, 1);
}

#[tokio::test]
async fn streams_are_private_and_end_with_the_login() {
    let app = spawn_app().await;
    let (buyer, path) = conversation(&app).await;

    // A visitor has no stream.
    let visitor = app.new_visitor();
    let refused = visitor.open_events("", None).await;
    assert_eq!(refused.status, StatusCode::UNAUTHORIZED);

    // A third member's stream hears nothing of the others' conversation.
    let (stranger, _) = app.new_member().await;
    let mut strangers = stranger.open_events("", None).await;
    assert_eq!(strangers.status, StatusCode::OK);
    let mut sellers = app.visitor.open_events("", None).await;
    reply(&buyer, &path, &[("body", "private")]).await;
    assert_eq!(sellers.next_event(WAIT).await.unwrap().event, "message");
    assert!(
        strangers
            .event_within(Duration::from_millis(500))
            .await
            .is_none(),
        "the stranger's stream stays quiet"
    );

    // Logging out ends this browser's streams on every instance; the buyer's go on.
    let other = app.another_instance();
    let mut on_b = app.visitor.at(&other.address).open_events("", None).await;
    let mut buyers = buyer.open_events("", None).await;
    assert_eq!(app.visitor.log_out().await.status(), StatusCode::SEE_OTHER);
    assert!(sellers.ends_within(WAIT).await, "closed on A");
    assert!(on_b.ends_within(WAIT).await, "closed on B");
    assert!(
        buyers
            .event_within(Duration::from_millis(300))
            .await
            .is_none(),
        "another member's stream is untouched"
    );
    let again = app.visitor.open_events("", None).await;
    assert_eq!(again.status, StatusCode::UNAUTHORIZED);

    // "Log out everywhere" ends every stream of the member.
    let mut second_device = buyer.open_events("", None).await;
    let response = buyer
        .submit_form("/settings", "/settings/logout-everywhere", &[])
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert!(buyers.ends_within(WAIT).await);
    assert!(second_device.ends_within(WAIT).await);
}

#[tokio::test]
async fn the_janitor_forgets_events_older_than_two_days() {
    let app = spawn_app().await;
    let (buyer, path) = conversation(&app).await;
    reply(&buyer, &path, &[("body", "recent")]).await;
    let all = count(&app, "SELECT count(*) AS n FROM member_events");
    assert!(all >= 3, "{all}");
    sql(
        &app,
        "UPDATE member_events SET created_at = now() - interval '49 hours'
         WHERE seq = 1",
    );
    let old = count(
        &app,
        "SELECT count(*) AS n FROM member_events WHERE created_at < now() - interval '2 days'",
    );
    assert!(old >= 1);
    corkboard::jobs::runner::ensure_periodic(&corkboard::web::Db::new(app.pool.clone()))
        .await
        .unwrap();
    app.run_jobs().await;
    assert_eq!(
        count(&app, "SELECT count(*) AS n FROM member_events"),
        all - old
    );
}
