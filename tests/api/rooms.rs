//! Chat rooms: made by anyone, joined through the link under a chat name, talked in live;
//! the owner rotates the link and closes the room; a stranger without the link finds nothing.

use std::time::Duration;

use reqwest::StatusCode;

use crate::helpers::{TestApp, Visitor, spawn_app};

const WAIT: Duration = Duration::from_secs(10);

/// Makes a room as `visitor` (named `chat_name` in it); returns its path.
async fn make_room(visitor: &Visitor, name: &str, chat_name: &str) -> String {
    let response = visitor
        .submit_form(
            "/rooms/new",
            "/rooms/new",
            &[("name", name), ("chat_name", chat_name)],
        )
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let path = response.headers()["location"].to_str().unwrap().to_owned();
    assert!(path.starts_with("/rooms/"), "{path}");
    path
}

/// Joins the room at `path` as `name`.
async fn join(visitor: &Visitor, path: &str, name: &str) {
    let page = visitor.get_page(path).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("What should we call you?"));
    let response = visitor
        .submit_form(path, &format!("{path}/join"), &[("chat_name", name)])
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
}

async fn say(visitor: &Visitor, path: &str, text: &str) -> reqwest::Response {
    visitor.submit_form(path, path, &[("body", text)]).await
}

fn rooms_count(app: &TestApp) -> i64 {
    crate::messages::count(
        app,
        "SELECT count(*) AS n FROM conversations WHERE kind = 'room'",
    )
}

#[tokio::test]
async fn guests_make_join_and_talk_in_a_room_and_its_owner_rotates_and_closes_it() {
    let app = spawn_app().await;
    let owner = app.new_visitor();

    // Bad input: every field's error, the text kept, nothing made.
    let refused = owner
        .submit_form(
            "/rooms/new",
            "/rooms/new",
            &[("name", "  "), ("chat_name", &"x".repeat(33))],
        )
        .await;
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body = refused.text().await.unwrap();
    assert!(body.contains("Give the room a name."));
    assert!(body.contains("Use at most 32 characters."));
    assert!(body.contains(&"x".repeat(33)), "the name typed is kept");
    assert_eq!(rooms_count(&app), 0);

    let path = make_room(&owner, "Maple Street yard sale", "Ada").await;
    let page = owner.get_page(&path).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Maple Street yard sale"));
    assert!(page.body.contains(&format!("{}{path}", app.address)) || page.body.contains(&path));
    assert!(page.body.contains("You own this room"));
    assert_eq!(page.headers["referrer-policy"], "no-referrer");
    assert!(
        page.headers["x-robots-tag"]
            .to_str()
            .unwrap()
            .contains("noindex")
    );
    assert!(
        page.body
            .contains(r#"<meta name="robots" content="noindex, nofollow">"#)
    );

    // A second browser opens the link, is asked for a name, and is told apart from Ada.
    let guest = app.new_visitor();
    join(&guest, &path, "Ada").await;
    let joined = guest.get_page(&path).await;
    assert!(
        joined.body.contains("You are <strong>Ada 2</strong>"),
        "{}",
        joined.body
    );
    assert!(!joined.body.contains("You own this room"));

    let sent = say(&guest, &path, "Is the lamp still there?").await;
    assert_eq!(sent.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        sent.headers()["location"].to_str().unwrap(),
        format!("{path}#latest")
    );
    let seen = owner.get_page(&path).await;
    assert!(seen.body.contains("Is the lamp still there?"));
    assert!(seen.body.contains("Ada 2"));
    let empty = say(&guest, &path, "   ").await;
    assert_eq!(empty.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(empty.text().await.unwrap().contains("Write a message."));

    // Someone who did not join may not write; a key that is not a room is a plain 404.
    let stranger = app.new_visitor();
    assert_eq!(
        say(&stranger, &path, "Hi").await.status(),
        StatusCode::FORBIDDEN
    );
    let made_up = format!("/rooms/{}", "0".repeat(48));
    assert_eq!(stranger.get(&made_up).await.status(), StatusCode::NOT_FOUND);
    assert_eq!(
        stranger.get("/rooms/short").await.status(),
        StatusCode::NOT_FOUND
    );

    // Only the owner rotates; the old link is then a 404 like any made-up one.
    let not_owner = guest
        .submit_form(&path, &format!("{path}/rotate"), &[])
        .await;
    assert_eq!(not_owner.status(), StatusCode::FORBIDDEN);
    let rotated = owner
        .submit_form(&path, &format!("{path}/rotate"), &[])
        .await;
    assert_eq!(rotated.status(), StatusCode::SEE_OTHER);
    let new_path = rotated.headers()["location"].to_str().unwrap().to_owned();
    assert_ne!(new_path, path);
    assert_eq!(guest.get(&path).await.status(), StatusCode::NOT_FOUND);
    assert_eq!(owner.get(&path).await.status(), StatusCode::NOT_FOUND);
    // Those in the room find it under their rooms.
    let mine = guest.get_page("/rooms").await;
    assert_eq!(mine.status, StatusCode::OK);
    assert!(mine.body.contains(&new_path));
    assert!(mine.body.contains("Maple Street yard sale"));

    // Closed: read only.
    let closed = owner
        .submit_form(
            &new_path,
            &format!("{new_path}/close"),
            &[("action", "close")],
        )
        .await;
    assert_eq!(closed.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        say(&guest, &new_path, "Still there?").await.status(),
        StatusCode::FORBIDDEN
    );
    let page = guest.get_page(&new_path).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Is the lamp still there?"));
    assert!(page.body.contains("This room is closed"));
    assert!(!page.body.contains("data-room-form"));
}

#[tokio::test]
async fn members_have_a_badge_that_a_guest_name_cannot_borrow() {
    let app = spawn_app().await;
    let (member, user) = app.new_member().await;
    let path = make_room(&member, "Book club", "Reader").await;
    say(&member, &path, "Welcome!").await;

    // A guest picks the member's own chat name: told apart, and without the badge.
    let guest = app.new_visitor();
    join(&guest, &path, "Reader").await;
    say(&guest, &path, "Hello from a guest").await;
    let page = guest.get_page(&path).await;
    assert_eq!(page.status, StatusCode::OK);
    let member_item = page
        .body
        .split("<li id=\"r")
        .find(|item| item.contains("Welcome!"))
        .unwrap();
    assert!(member_item.contains(">member</span>"), "{member_item}");
    let guest_item = page
        .body
        .split("<li id=\"r")
        .find(|item| item.contains("Hello from a guest"))
        .unwrap();
    assert!(!guest_item.contains(">member</span>"));
    assert!(guest_item.contains("Reader 2"));
    // The member's room is under their rooms whichever browser they use.
    let mine = member.get_page("/rooms").await;
    assert!(mine.body.contains(&path));
    let _ = user;
}

#[tokio::test]
async fn a_message_reaches_every_open_room_stream_at_once() {
    let app = spawn_app().await;
    let owner = app.new_visitor();
    let path = make_room(&owner, "Moving day", "Sam").await;
    let guest = app.new_visitor();
    join(&guest, &path, "Kim").await;

    // Kim's tab follows the room; a stranger's request for the stream is refused.
    let mut stream = guest.open_stream(&format!("{path}/events")).await;
    assert_eq!(stream.status, StatusCode::OK);
    assert_eq!(
        app.new_visitor()
            .get(&format!("{path}/events"))
            .await
            .status(),
        StatusCode::FORBIDDEN
    );
    // A stream starts by saying who is here now (then every half minute, when it changed).
    let here = stream.next_event(WAIT).await.expect("who is here");
    assert_eq!(here.event, "present");
    let here: serde_json::Value = serde_json::from_str(&here.data).unwrap();
    assert_eq!(
        here,
        serde_json::json!([
            {"name": "Kim", "member": false},
            {"name": "Sam", "member": false},
        ])
    );
    say(&owner, &path, "Truck arrives at 9 <b>sharp</b>").await;
    let event = stream.next_event(WAIT).await.expect("the message");
    assert_eq!(event.event, "message");
    assert_eq!(event.id, "1");
    assert!(
        event.data.contains("Truck arrives at 9 &#60;b&#62;sharp"),
        "{}",
        event.data
    );
    assert!(
        !event.data.contains("<b>"),
        "escaped as the page escapes it"
    );
    assert!(event.data.contains("Sam"));

    // A reconnecting tab resumes after the last message it got.
    say(&owner, &path, "Bring gloves").await;
    let mut again = guest.open_stream(&format!("{path}/events?after=1")).await;
    let event = again.next_event(WAIT).await.expect("the second message");
    assert_eq!(event.id, "2");
    assert!(event.data.contains("Bring gloves"));

    // Closing the room tells open tabs to reload.
    let mut first_more = stream
        .next_event(WAIT)
        .await
        .expect("the second message live");
    assert!(first_more.data.contains("Bring gloves"));
    owner
        .submit_form(&path, &format!("{path}/close"), &[("action", "close")])
        .await;
    first_more = stream.next_event(WAIT).await.expect("the change");
    assert_eq!(first_more.event, "changed");
}

#[tokio::test]
async fn the_owner_renames_removes_and_deletes_and_idle_rooms_close() {
    let app = spawn_app().await;
    let owner = app.new_visitor();
    let path = make_room(&owner, "Club tickets", "Lee").await;
    let guest = app.new_visitor();
    join(&guest, &path, "Max").await;
    say(&guest, &path, "Two tickets please").await;
    say(&guest, &path, "spam spam spam").await;

    // Rename: checked like a new room's name.
    let bad = owner
        .submit_form(&path, &format!("{path}/rename"), &[("name", "")])
        .await;
    assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.text().await.unwrap().contains("Give the room a name."));
    let renamed = owner
        .submit_form(
            &path,
            &format!("{path}/rename"),
            &[("name", "Club tickets: Friday")],
        )
        .await;
    assert_eq!(renamed.status(), StatusCode::SEE_OTHER);
    assert!(
        guest
            .get_page(&path)
            .await
            .body
            .contains("Club tickets: Friday")
    );
    assert_eq!(
        guest
            .submit_form(&path, &format!("{path}/rename"), &[("name", "Mine")])
            .await
            .status(),
        StatusCode::FORBIDDEN
    );

    // Remove a message (number 2), after being asked.
    let mut stream = guest.open_stream(&format!("{path}/events")).await;
    assert_eq!(stream.next_event(WAIT).await.unwrap().event, "present");
    let ask = owner.get_page(&format!("{path}/messages/2/remove")).await;
    assert_eq!(ask.status, StatusCode::OK);
    assert!(ask.body.contains("Remove this message?"));
    let removed = owner
        .submit_form(
            &format!("{path}/messages/2/remove"),
            &format!("{path}/messages/2/remove"),
            &[],
        )
        .await;
    assert_eq!(removed.status(), StatusCode::SEE_OTHER);
    assert_eq!(stream.next_event(WAIT).await.unwrap().event, "changed");
    let page = guest.get_page(&path).await;
    assert!(page.body.contains("Two tickets please"));
    assert!(!page.body.contains("spam spam spam"));
    assert_eq!(
        guest
            .submit_form(&path, &format!("{path}/messages/1/remove"), &[])
            .await
            .status(),
        StatusCode::FORBIDDEN
    );

    // Remove a participant: they can no longer write, and their page says why.
    let id = crate::messages::count(
        &app,
        "SELECT id AS n FROM conversation_members WHERE display_name = 'Max'",
    );
    let people = format!("{path}/people");
    assert_eq!(guest.get(&people).await.status(), StatusCode::FORBIDDEN);
    let page = owner.get_page(&people).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body
            .contains(&format!("{path}/participants/{id}/remove"))
    );
    assert!(
        !page.body.contains(">Lee<"),
        "the owner is not listed to be removed"
    );
    let out = owner
        .submit_form(&people, &format!("{path}/participants/{id}/remove"), &[])
        .await;
    assert_eq!(out.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        say(&guest, &path, "Hello?").await.status(),
        StatusCode::FORBIDDEN
    );
    let page = guest.get_page(&path).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("removed you from this room"));
    assert!(
        !page.body.contains("Two tickets please"),
        "no longer reads it"
    );
    assert_eq!(
        guest.get(&format!("{path}/events")).await.status(),
        StatusCode::FORBIDDEN
    );
    // Joining again does not bring them back.
    let back = guest
        .submit_form(&path, &format!("{path}/join"), &[("chat_name", "Maxine")])
        .await;
    assert_eq!(back.status(), StatusCode::FORBIDDEN);

    // Delete, after being asked: the link is then a 404.
    let ask = owner.get_page(&format!("{path}/delete")).await;
    assert_eq!(ask.status, StatusCode::OK);
    let deleted = owner
        .submit_form(&format!("{path}/delete"), &format!("{path}/delete"), &[])
        .await;
    assert_eq!(deleted.status(), StatusCode::SEE_OTHER);
    assert_eq!(owner.get(&path).await.status(), StatusCode::NOT_FOUND);
    assert_eq!(rooms_count(&app), 0);

    // A room without a message for 30 days is closed by the janitor.
    let quiet = make_room(&owner, "Old room", "Lee").await;
    crate::messages::sql(
        &app,
        "UPDATE conversations SET created_at = now() - interval '31 days' WHERE kind = 'room'",
    );
    let closed = corkboard::rooms::queries::close_idle_rooms(
        &mut app.pool.get().unwrap(),
        corkboard::rooms::queries::ROOM_IDLE_CLOSE,
        100,
    )
    .unwrap();
    assert_eq!(closed, 1);
    assert!(
        owner
            .get_page(&quiet)
            .await
            .body
            .contains("This room is closed")
    );
}

#[tokio::test]
async fn a_form_from_a_page_without_referrers_passes_only_from_this_site() {
    // Room pages send `Referrer-Policy: no-referrer`, so browsers post their forms with
    // `Origin: null`: accepted with `Sec-Fetch-Site: same-origin`, refused otherwise.
    let app = spawn_app().await;
    let owner = app.new_visitor();
    let path = make_room(&owner, "Carpool", "Jo").await;
    let html = owner.get_page(&path).await.body;
    let token = crate::helpers::hidden_field(&html, "csrf_token").unwrap();
    let post = |site: Option<&'static str>| {
        let mut request = owner
            .client
            .post(owner.url(&path))
            .header("Origin", "null")
            .form(&[("body", "Leaving at 8"), ("csrf_token", token.as_str())]);
        if let Some(site) = site {
            request = request.header("Sec-Fetch-Site", site);
        }
        request.send()
    };
    assert_eq!(post(None).await.unwrap().status(), StatusCode::FORBIDDEN);
    assert_eq!(
        post(Some("cross-site")).await.unwrap().status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        post(Some("same-origin")).await.unwrap().status(),
        StatusCode::SEE_OTHER
    );
}

#[tokio::test]
async fn members_and_guests_report_a_rooms_message_to_the_moderators() {
    let app = spawn_app().await;
    let host = app.new_visitor();
    let path = make_room(&host, "Neighbours", "Pat").await;
    say(&host, &path, "Buy cheap pills at example.com").await;
    let (member, _) = app.new_member().await;
    join(&member, &path, "Robin").await;
    let guest = app.new_visitor();
    join(&guest, &path, "Sam").await;

    let report = format!("{path}/messages/1/report");
    for reporter in [&member, &guest] {
        let page = reporter.get_ok_page(&path).await;
        assert!(
            page.body.contains(&report),
            "participants may report others' messages"
        );
    }
    // Nobody reports their own message, and a stranger cannot report at all.
    let own = host.get_ok_page(&path).await;
    assert!(own.body.contains("Buy cheap pills"));
    assert!(!own.body.contains(&report));
    assert_eq!(host.get(&report).await.status(), StatusCode::NOT_FOUND);
    let stranger = app.new_visitor();
    assert_eq!(stranger.get(&report).await.status(), StatusCode::FORBIDDEN);

    let empty = member
        .submit_form(&report, &report, &[("reason", "")])
        .await;
    assert_eq!(empty.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let sent = member
        .submit_form(&report, &report, &[("reason", "Spam for pills")])
        .await;
    assert_eq!(sent.status(), StatusCode::SEE_OTHER);
    let sent = guest
        .submit_form(&report, &report, &[("reason", "Guest says: pills spam")])
        .await;
    assert_eq!(sent.status(), StatusCode::SEE_OTHER);
    // Once per reporter: a second report from the guest adds nothing.
    guest
        .submit_form(&report, &report, &[("reason", "Second report by Sam")])
        .await;
    assert_eq!(
        crate::messages::count(&app, "SELECT count(*) AS n FROM message_reports"),
        2
    );

    let (admin, _) = app.new_admin().await;
    let queue = admin.get_ok_page("/admin/queue").await;
    assert!(queue.body.contains("Spam for pills"), "{}", queue.body);
    let id = crate::messages::count(&app, "SELECT DISTINCT message_id AS n FROM message_reports");
    let report = admin
        .get_ok_page(&format!("/admin/reports/messages/{id}"))
        .await;
    // The author is the guest Pat; the reporters are the member and the guest Sam.
    assert!(report.body.contains("Pat (room guest)"), "{}", report.body);
    assert!(report.body.contains("Sam (room guest)"), "{}", report.body);
    assert!(report.body.contains("Guest says: pills spam"));
    assert!(!report.body.contains("Second report by Sam"));
}

#[tokio::test]
async fn message_numbers_in_addresses_are_bounded() {
    let app = spawn_app().await;
    let (member, _) = app.new_member().await;
    let path = make_room(&member, "Numbers", "Kai").await;
    for seq in ["2147483647", "-1", "0", "99999999999"] {
        let report = member.get(&format!("{path}/messages/{seq}/report")).await;
        assert_eq!(report.status(), StatusCode::NOT_FOUND, "{seq}");
        let remove = member.get(&format!("{path}/messages/{seq}/remove")).await;
        assert!(
            matches!(remove.status(), StatusCode::OK | StatusCode::NOT_FOUND),
            "{seq}: {}",
            remove.status()
        );
    }
}
