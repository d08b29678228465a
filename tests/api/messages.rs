//! Messages: contacting a seller, the inbox, conversations, and what members do in them.

use diesel::RunQueryDsl;
use reqwest::StatusCode;

use crate::helpers::{TestApp, Visitor, assert_redirect_to, png, post_listing, spawn_app};

/// The seller (the app's first visitor) posts a listing; returns its id and path.
pub async fn listing(app: &TestApp, title: &str) -> (i64, String) {
    let response = post_listing(
        app,
        app.category_id("for-sale", "furniture"),
        &[
            ("title", title),
            ("body", "Solid wood."),
            ("price", "120"),
            ("zip", "10001"),
        ],
        vec![],
    )
    .await;
    let path = response.headers()["location"].to_str().unwrap().to_owned();
    (path.split('/').nth(2).unwrap().parse().unwrap(), path)
}

/// Sends a message from the contact form; returns the response (303 when it was sent).
pub async fn contact(
    visitor: &Visitor,
    listing: i64,
    fields: &[(&str, &str)],
) -> reqwest::Response {
    let path = format!("/listings/{listing}/contact");
    let mut form = visitor.multipart_form(&path).await;
    for (name, value) in fields {
        form = form.text(name.to_string(), value.to_string());
    }
    visitor.post_multipart(&path, form).await
}

/// Replies in a conversation; returns the response.
pub async fn reply(
    visitor: &Visitor,
    conversation: &str,
    fields: &[(&str, &str)],
) -> reqwest::Response {
    let mut form = visitor.multipart_form(conversation).await;
    for (name, value) in fields {
        form = form.text(name.to_string(), value.to_string());
    }
    visitor.post_multipart(conversation, form).await
}

/// `/messages/{id}` from a `303` to `/messages/{id}#m{message}`.
pub fn conversation_of(response: &reqwest::Response) -> String {
    assert_eq!(response.status(), StatusCode::SEE_OTHER, "not sent");
    let location = response.headers()["location"].to_str().unwrap();
    assert!(location.starts_with("/messages/"), "{location}");
    location.split('#').next().unwrap().to_owned()
}

pub fn sql(app: &TestApp, statement: &str) {
    diesel::sql_query(statement)
        .execute(&mut app.pool.get().unwrap())
        .unwrap();
}

pub fn count(app: &TestApp, query: &str) -> i64 {
    #[derive(diesel::QueryableByName)]
    struct N {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    diesel::sql_query(query)
        .get_result::<N>(&mut app.pool.get().unwrap())
        .unwrap()
        .n
}

#[tokio::test]
async fn a_buyer_contacts_the_seller_and_they_converse() {
    let app = spawn_app().await;
    let seller = app.sign_up_new_member().await;
    let (id, path) = listing(&app, "Oak dresser").await;
    let (buyer, buyer_user) = app.new_member().await;

    // The listing page offers the form; the first message opens the conversation.
    let page = buyer.get_ok_page(&path).await;
    assert!(page.body.contains(&format!("/listings/{id}/contact")));
    let sent = contact(&buyer, id, &[("body", "Is it still available?")]).await;
    let conversation = conversation_of(&sent);

    let page = buyer.get_ok_page(&conversation).await;
    assert!(page.body.contains("Is it still available?"));
    assert!(page.body.contains("Oak dresser"));

    // The seller sees it unread: in the header, the title and the inbox.
    let inbox = app.get_ok_page("/messages").await;
    assert!(
        inbox.body.contains("<title>(1) Messages"),
        "title counts unread"
    );
    assert!(inbox.body.contains("data-unread-count>1<"));
    assert!(inbox.body.contains("Is it still available?"));
    assert!(inbox.body.contains("Oak dresser"));
    assert!(!inbox.body.contains(&seller.email), "no e-mail addresses");
    assert!(!inbox.body.contains(&buyer_user.email));

    // Nothing is "Seen" until the seller opens it.
    assert!(
        !buyer
            .get_ok_page(&conversation)
            .await
            .body
            .contains("data-seen")
    );
    let opened = app.get_ok_page(&conversation).await;
    assert!(opened.body.contains("Is it still available?"));
    let inbox = app.get_ok_page("/messages").await;
    assert!(inbox.body.contains("data-unread-count>0<"), "read now");
    assert!(
        buyer
            .get_ok_page(&conversation)
            .await
            .body
            .contains("data-seen")
    );

    // The seller answers; the buyer has one unread.
    let answered = reply(&app, &conversation, &[("body", "Yes! Come by Saturday.")]).await;
    assert_eq!(conversation_of(&answered), conversation);
    let inbox = buyer.get_ok_page("/messages").await;
    assert!(inbox.body.contains("Yes! Come by Saturday."));
    assert!(inbox.body.contains("data-unread-count>1<"));

    // Writing again from the listing continues the same conversation.
    let again = contact(&buyer, id, &[("body", "Great, see you then.")]).await;
    assert_eq!(conversation_of(&again), conversation);
    assert_eq!(count(&app, "SELECT count(*) AS n FROM conversations"), 1);
    let page = app.get_ok_page(&conversation).await;
    let first = page.body.find("Is it still available?").unwrap();
    let second = page.body.find("Yes! Come by Saturday.").unwrap();
    let third = page.body.find("Great, see you then.").unwrap();
    assert!(first < second && second < third, "oldest first");

    // Sent lists what each wrote.
    let sent = buyer.get_ok_page("/messages/sent").await;
    assert!(sent.body.contains("Great, see you then."));
    assert!(!sent.body.contains("Yes! Come by Saturday."));
}

#[tokio::test]
async fn visitors_log_in_first_and_sellers_cannot_message_themselves() {
    let app = spawn_app().await;
    app.sign_up_new_member().await;
    let (id, path) = listing(&app, "Bookshelf").await;

    let visitor = app.new_visitor();
    let page = visitor.get_ok_page(&path).await;
    assert!(
        page.body
            .contains(&format!("/login?next=/listings/{id}/contact"))
    );
    let response = visitor.get(&format!("/listings/{id}/contact")).await;
    assert_redirect_to(&response, &format!("/login?next=/listings/{id}/contact"));

    // The seller's own page offers no contact form, and the form refuses them.
    let own = app.get_ok_page(&path).await;
    assert!(!own.body.contains("Contact seller"));
    let response = app.get(&format!("/listings/{id}/contact")).await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn a_stranger_can_neither_read_nor_touch_a_conversation() {
    let app = spawn_app().await;
    app.sign_up_new_member().await;
    let (id, _) = listing(&app, "Armchair").await;
    let (buyer, _) = app.new_member().await;
    let conversation =
        conversation_of(&contact(&buyer, id, &[("body", "Secret offer: $80")]).await);
    let message: i64 = count(&app, "SELECT max(id) AS n FROM messages");
    let (stranger, _) = app.new_member().await;
    let missing = "/messages/999999";

    for path in [
        conversation.clone(),
        format!("{conversation}?before=999"),
        format!("{conversation}/report/{message}"),
        format!("{missing}/report/{message}"),
        missing.to_owned(),
    ] {
        let page = stranger.get_page(&path).await;
        assert_eq!(page.status, StatusCode::NOT_FOUND, "GET {path}");
        assert!(!page.body.contains("Secret offer"), "{path}");
    }
    // Every form, with a valid token of the stranger's own.
    let settings = stranger.get_ok_page("/settings").await;
    let token = crate::helpers::hidden_field(&settings.body, "csrf_token").expect("a token");
    for (path, fields) in [
        (
            format!("{conversation}/archive"),
            vec![("action", "archive")],
        ),
        (format!("{conversation}/block"), vec![("action", "block")]),
        (
            format!("{conversation}/report/{message}"),
            vec![("reason", "spam")],
        ),
    ] {
        let mut all = fields.clone();
        all.push(("csrf_token", &token));
        let response = stranger.post_form(&path, &all).await;
        assert_eq!(response.status(), StatusCode::NOT_FOUND, "POST {path}");
    }
    let form = reqwest::multipart::Form::new()
        .text("csrf_token", token.clone())
        .text("body", "let me in");
    let response = stranger.post_multipart(&conversation, form).await;
    assert_eq!(
        response.status(),
        StatusCode::NOT_FOUND,
        "POST {conversation}"
    );

    // Nothing changed, and the stranger's lists know nothing of it.
    assert_eq!(count(&app, "SELECT count(*) AS n FROM messages"), 1);
    assert_eq!(count(&app, "SELECT count(*) AS n FROM blocks"), 0);
    assert_eq!(count(&app, "SELECT count(*) AS n FROM message_reports"), 0);
    assert_eq!(
        count(
            &app,
            "SELECT count(*) AS n FROM conversation_members WHERE archived"
        ),
        0
    );
    for list in ["/messages", "/messages/sent", "/messages?archived=1"] {
        let page = stranger.get_ok_page(list).await;
        assert!(!page.body.contains("Armchair"), "{list}");
        assert!(!page.body.contains("Secret offer"), "{list}");
    }
}

#[tokio::test]
async fn archiving_hides_a_conversation_until_a_new_message() {
    let app = spawn_app().await;
    app.sign_up_new_member().await;
    let (id, _) = listing(&app, "Floor lamp").await;
    let (buyer, _) = app.new_member().await;
    let conversation = conversation_of(&contact(&buyer, id, &[("body", "Does it dim?")]).await);

    let archived = app
        .submit_form(
            &conversation,
            &format!("{conversation}/archive"),
            &[("action", "archive")],
        )
        .await;
    assert_redirect_to(&archived, "/messages");
    let inbox = app.get_ok_page("/messages").await;
    assert!(!inbox.body.contains("Floor lamp"));
    // The link to the archive counts it, from an empty inbox page and from the archive.
    assert!(inbox.body.contains("Archived (1)"), "{}", inbox.body);
    let archive = app.get_ok_page("/messages?archived=1").await;
    assert!(archive.body.contains("Floor lamp"));
    assert!(archive.body.contains("Archived (1)"));

    // A new message brings it back.
    reply(&buyer, &conversation, &[("body", "Hello?")]).await;
    let inbox = app.get_ok_page("/messages").await;
    assert!(inbox.body.contains("Floor lamp"));
    assert!(!inbox.body.contains("Archived ("));
    assert!(
        !app.get_ok_page("/messages?archived=1")
            .await
            .body
            .contains("Floor lamp")
    );

    // Unarchiving by hand.
    app.submit_form(
        &conversation,
        &format!("{conversation}/archive"),
        &[("action", "archive")],
    )
    .await;
    let back = app
        .submit_form(
            &conversation,
            &format!("{conversation}/archive"),
            &[("action", "unarchive")],
        )
        .await;
    assert_redirect_to(&back, &conversation);
    assert!(
        app.get_ok_page("/messages")
            .await
            .body
            .contains("Floor lamp")
    );
}

#[tokio::test]
async fn a_block_stops_messages_both_ways() {
    let app = spawn_app().await;
    app.sign_up_new_member().await;
    let (id, _) = listing(&app, "Desk chair").await;
    let (buyer, _) = app.new_member().await;
    let conversation =
        conversation_of(&contact(&buyer, id, &[("body", "Would you take 50?")]).await);

    let blocked = app
        .submit_form(
            &conversation,
            &format!("{conversation}/block"),
            &[("action", "block")],
        )
        .await;
    assert_redirect_to(&blocked, &conversation);

    // The blocked buyer: the form is gone, a neutral note instead; a post is refused with
    // the text kept.
    let form = buyer.get_ok_page(&format!("/listings/{id}/contact")).await;
    assert!(form.body.contains("This member is not accepting messages."));
    assert!(!form.body.contains("name=\"body\""));
    let page = buyer.get_ok_page(&conversation).await;
    assert!(page.body.contains("This member is not accepting messages."));
    let token = crate::helpers::hidden_field(&page.body, "csrf_token").unwrap();
    let refused = buyer
        .post_multipart(
            &conversation,
            reqwest::multipart::Form::new()
                .text("csrf_token", token)
                .text("body", "Please answer"),
        )
        .await;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    let body = refused.text().await.unwrap();
    assert!(body.contains("This member is not accepting messages."));

    // The seller who blocked cannot write either, until they unblock.
    let page = app.get_ok_page(&conversation).await;
    assert!(page.body.contains("Unblock"));
    assert!(!page.body.contains("name=\"body\""));
    assert_eq!(count(&app, "SELECT count(*) AS n FROM messages"), 1);

    app.submit_form(
        &conversation,
        &format!("{conversation}/block"),
        &[("action", "unblock")],
    )
    .await;
    let sent = reply(&app, &conversation, &[("body", "Sorry, 60 is my lowest.")]).await;
    assert_eq!(conversation_of(&sent), conversation);
    let sent = reply(&buyer, &conversation, &[("body", "Deal.")]).await;
    assert_eq!(conversation_of(&sent), conversation);
}

#[tokio::test]
async fn each_message_kind_and_its_bad_input() {
    let app = spawn_app().await;
    app.sign_up_new_member().await;
    let (id, _) = listing(&app, "Record player").await;
    let (buyer, _) = app.new_member().await;
    let conversation = conversation_of(&contact(&buyer, id, &[("body", "Hi")]).await);

    // A video link, with its length.
    let sent = reply(
        &buyer,
        &conversation,
        &[
            ("body", "Like this one?"),
            ("video_url", "https://youtu.be/dQw4w9WgXcQ"),
            ("video_length", "3:33"),
        ],
    )
    .await;
    conversation_of(&sent);
    let page = app.get_ok_page(&conversation).await;
    assert!(page.body.contains("Video on YouTube"));
    assert!(
        page.body
            .contains("https://www.youtube.com/watch?v=dQw4w9WgXcQ")
    );
    assert!(page.body.contains("3:33"));

    // A photo: stored re-encoded, shown with its size.
    let path = conversation.clone();
    let form = buyer.multipart_form(&path).await.part(
        "image",
        reqwest::multipart::Part::bytes(png(640, 480)).file_name("turntable.png"),
    );
    conversation_of(&buyer.post_multipart(&path, form).await);
    let page = app.get_ok_page(&conversation).await;
    assert!(
        page.body.contains("width=\"640\" height=\"480\""),
        "the photo"
    );
    assert_eq!(
        count(
            &app,
            "SELECT count(*) AS n FROM messages WHERE kind = 'image' AND image_key LIKE 'messages/%'"
        ),
        1
    );

    // Bad input: 422, the text kept, nothing stored.
    let before = count(&app, "SELECT count(*) AS n FROM messages");
    for (fields, needle) in [
        (vec![("body", "   ")], "Write a message."),
        (
            vec![
                ("body", "Here: "),
                ("video_url", "https://dailymotion.com/video/x7tgad0"),
            ],
            "YouTube, Vimeo or Vevo",
        ),
        (
            vec![
                ("body", "Here: "),
                ("video_url", "https://youtu.be/dQw4w9WgXcQ"),
                ("video_length", "ten"),
            ],
            "minutes:seconds",
        ),
    ] {
        let response = reply(&buyer, &conversation, &fields).await;
        assert_eq!(
            response.status(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "{fields:?}"
        );
        let body = response.text().await.unwrap();
        assert!(body.contains(needle), "{needle}");
        assert!(body.contains("id=\"error-summary\""));
        if let Some(url) = fields.iter().find(|(k, _)| *k == "video_url") {
            assert!(body.contains(url.1), "the link is kept");
        }
    }
    let long = "word ".repeat(1001);
    let response = reply(&buyer, &conversation, &[("body", &long)]).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body = response.text().await.unwrap();
    assert!(body.contains("at most 5,000 characters"));
    assert!(
        body.contains(long.trim_end()),
        "the text is kept in the box"
    );

    // Not a photo.
    let form = buyer
        .multipart_form(&path)
        .await
        .text("body", "my file")
        .part(
            "image",
            reqwest::multipart::Part::bytes(b"%PDF-1.7 not an image".to_vec()).file_name("x.pdf"),
        );
    let response = buyer.post_multipart(&path, form).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body = response.text().await.unwrap();
    assert!(
        body.contains("not a photo") || body.contains("are not accepted"),
        "{}",
        &body[..200]
    );
    assert!(body.contains("my file"), "the text is kept");
    assert_eq!(count(&app, "SELECT count(*) AS n FROM messages"), before);

    // Text is escaped; links are nofollow.
    reply(
        &buyer,
        &conversation,
        &[("body", "<b>bold</b> see https://example.com/x")],
    )
    .await;
    let page = app.get_ok_page(&conversation).await;
    assert!(page.body.contains("&#60;b&#62;bold&#60;/b&#62;"));
    assert!(!page.body.contains("<b>bold"));
    assert!(
        page.body
            .contains("href=\"https://example.com/x\" rel=\"nofollow ugc noopener\"")
    );
}

#[tokio::test]
async fn an_unverified_member_is_asked_to_confirm_first() {
    let app = spawn_app().await;
    app.sign_up_new_member().await;
    let (id, _) = listing(&app, "Side table").await;
    let buyer = app.new_visitor();
    buyer.sign_up_new_member().await;

    let page = buyer.get_ok_page(&format!("/listings/{id}/contact")).await;
    assert!(page.body.contains("please confirm your e-mail address"));
    assert!(page.body.contains("/settings#email-heading"));
    let token = crate::helpers::hidden_field(&page.body, "csrf_token").expect("the page's token");
    let response = buyer
        .post_multipart(
            &format!("/listings/{id}/contact"),
            reqwest::multipart::Form::new()
                .text("csrf_token", token)
                .text("body", "Hello there"),
        )
        .await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    assert_eq!(count(&app, "SELECT count(*) AS n FROM messages"), 0);
}

#[tokio::test]
async fn a_risky_first_message_from_a_new_account_carries_a_caution() {
    let app = spawn_app().await;
    app.sign_up_new_member().await;
    let (id, _) = listing(&app, "Road bike").await;
    let (scammer, _) = app.new_member().await;
    let (neighbour, _) = app.new_member().await;
    let (old_timer, old_user) = app.new_member().await;
    sql(
        &app,
        &format!(
            "UPDATE users SET created_at = now() - interval '30 days' WHERE username = '{}'",
            old_user.username
        ),
    );

    let risky = conversation_of(
        &contact(
            &scammer,
            id,
            &[(
                "body",
                "I'll pay with a cashier's check, text me at (555) 123-4567",
            )],
        )
        .await,
    );
    let ordinary = conversation_of(
        &contact(
            &neighbour,
            id,
            &[("body", "Hi, could I see it Saturday at 10?")],
        )
        .await,
    );
    let trusted = conversation_of(
        &contact(
            &old_timer,
            id,
            &[("body", "Text me at (555) 123-4567 please")],
        )
        .await,
    );

    let page = app.get_ok_page(&risky).await;
    assert!(page.body.contains("Be careful with this conversation"));
    assert!(
        page.body.contains("cashier's checks")
            || page.body.contains("cashier&#x27;s checks")
            || page.body.contains("cashier&#39;s checks")
    );
    assert!(page.body.contains("off this site"));
    assert!(page.body.contains("href=\"/safety\""));
    assert!(
        app.get_ok_page("/safety")
            .await
            .body
            .contains("Safety tips")
    );
    // Not for the sender, not for ordinary messages, not from an established account.
    assert!(
        !scammer
            .get_ok_page(&risky)
            .await
            .body
            .contains("Be careful")
    );
    assert!(!app.get_ok_page(&ordinary).await.body.contains("Be careful"));
    assert!(!app.get_ok_page(&trusted).await.body.contains("Be careful"));
}

#[tokio::test]
async fn a_member_reports_a_message() {
    let app = spawn_app().await;
    app.sign_up_new_member().await;
    let (id, _) = listing(&app, "Sofa").await;
    let (buyer, _) = app.new_member().await;
    let conversation =
        conversation_of(&contact(&buyer, id, &[("body", "Buy crypto now!!!")]).await);
    let message = count(&app, "SELECT max(id) AS n FROM messages");
    let report = format!("{conversation}/report/{message}");

    // One's own messages have no report link.
    assert!(
        !buyer
            .get_ok_page(&conversation)
            .await
            .body
            .contains("/report/")
    );
    let response = buyer.get(&report).await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);

    let empty = app.submit_form(&report, &report, &[("reason", " ")]).await;
    assert_eq!(empty.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let done = app
        .submit_form(
            &report,
            &report,
            &[("reason", "Spam, nothing to do with the sofa")],
        )
        .await;
    assert_redirect_to(&done, &conversation);
    assert_eq!(
        count(
            &app,
            "SELECT count(*) AS n FROM message_reports WHERE reason LIKE 'Spam%'"
        ),
        1
    );
}

#[tokio::test]
async fn sending_is_rate_limited_with_the_text_kept() {
    let app = spawn_app().await;
    app.sign_up_new_member().await;
    let (id, _) = listing(&app, "Mirror").await;
    let (buyer, user) = app.new_member().await;
    let conversation = conversation_of(&contact(&buyer, id, &[("body", "Hi")]).await);
    // As if 29 more had been sent this minute.
    sql(
        &app,
        &format!(
            "UPDATE rate_limits SET hits = 30 WHERE key = 'messages:' || (SELECT id FROM users WHERE username = '{}')",
            user.username
        ),
    );
    let response = reply(&buyer, &conversation, &[("body", "One more thing")]).await;
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(response.headers().contains_key("retry-after"));
    let body = response.text().await.unwrap();
    assert!(body.contains("One more thing"), "the text is kept");
    assert!(body.contains("faster than anyone types"));
}

#[tokio::test]
async fn long_conversations_and_inboxes_page() {
    let app = spawn_app().await;
    app.sign_up_new_member().await;
    let (id, _) = listing(&app, "Bench").await;
    let (buyer, _) = app.new_member().await;
    let conversation = conversation_of(&contact(&buyer, id, &[("body", "message 0")]).await);
    let conversation_id: i64 = conversation.rsplit('/').next().unwrap().parse().unwrap();
    // 60 more, written straight through the app's own query.
    {
        let mut conn = app.pool.get().unwrap();
        let buyer_id: corkboard::db::ids::UserId = {
            use corkboard::db::schema::users;
            use diesel::prelude::*;
            users::table
                .select(users::id)
                .order(users::id.desc())
                .first(&mut conn)
                .unwrap()
        };
        for n in 1..=60 {
            corkboard::messages::queries::send(
                &mut conn,
                corkboard::db::ids::ConversationId(conversation_id),
                buyer_id,
                corkboard::messages::queries::Content::Text(format!("message {n}")),
            )
            .unwrap()
            .unwrap();
        }
    }
    let page = app.get_ok_page(&conversation).await;
    assert!(page.body.contains("message 60"));
    assert!(page.body.contains("message 11<"));
    assert!(
        !page.body.contains("message 10<"),
        "older ones are on the next page"
    );
    let older = page
        .body
        .split("?before=")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("a link to older messages")
        .to_owned();
    let page = app
        .get_ok_page(&format!("{conversation}?before={older}"))
        .await;
    assert!(page.body.contains("message 0<") && page.body.contains("message 10<"));
    assert!(!page.body.contains("message 11<"));
    assert_eq!(
        app.get(&format!("{conversation}?before=abc"))
            .await
            .status(),
        StatusCode::BAD_REQUEST
    );
    assert_eq!(
        app.get("/messages?after=nonsense").await.status(),
        StatusCode::BAD_REQUEST
    );
}

#[tokio::test]
async fn a_thread_outlives_its_listing() {
    let app = spawn_app().await;
    app.sign_up_new_member().await;
    let (id, path) = listing(&app, "Coat rack").await;
    let (buyer, _) = app.new_member().await;
    let conversation = conversation_of(&contact(&buyer, id, &[("body", "Still there?")]).await);
    let (latecomer, _) = app.new_member().await;

    // Deleted by its seller: the two go on writing; nobody new can start.
    app.submit_form(
        &format!("/listings/{id}/delete"),
        &format!("/listings/{id}/delete"),
        &[],
    )
    .await;
    assert_eq!(buyer.get(&path).await.status(), StatusCode::NOT_FOUND);
    let page = buyer.get_ok_page(&conversation).await;
    assert!(page.body.contains("Coat rack") && page.body.contains("Deleted"));
    assert!(
        !page.body.contains(&format!("href=\"{path}\"")),
        "no link to a listing that is gone"
    );
    conversation_of(&reply(&buyer, &conversation, &[("body", "Oh, it's gone?")]).await);
    conversation_of(
        &reply(
            &app,
            &conversation,
            &[("body", "Sold it elsewhere, sorry.")],
        )
        .await,
    );
    assert_eq!(
        latecomer
            .get(&format!("/listings/{id}/contact"))
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn the_janitor_removes_message_photos_nothing_refers_to() {
    let app = spawn_app().await;
    app.sign_up_new_member().await;
    let (id, _) = listing(&app, "Brass lamp").await;
    let (buyer, _) = app.new_member().await;
    let conversation = conversation_of(&contact(&buyer, id, &[("body", "Hello")]).await);
    let form = buyer.multipart_form(&conversation).await.part(
        "image",
        reqwest::multipart::Part::bytes(png(320, 240)).file_name("lamp.png"),
    );
    conversation_of(&buyer.post_multipart(&conversation, form).await);
    // A photo left behind by a process that died between storing it and its message.
    let orphan = corkboard::storage::ObjectKey::parse("messages/left-behind.jpg").unwrap();
    app.storage
        .put(&orphan, bytes::Bytes::from_static(b"jpeg"), "image/jpeg")
        .await
        .unwrap();
    assert_eq!(app.storage.list("messages/").await.unwrap().len(), 2);

    let db = corkboard::web::Db::new(app.pool.clone());
    // Young leftovers are left alone (their message may be on its way).
    let removed = corkboard::messages::images::sweep_orphans(
        &db,
        &app.storage,
        std::time::Duration::from_secs(3600),
    )
    .await
    .unwrap();
    assert_eq!(removed, 0);
    let removed =
        corkboard::messages::images::sweep_orphans(&db, &app.storage, std::time::Duration::ZERO)
            .await
            .unwrap();
    assert_eq!(removed, 1);
    let left = app.storage.list("messages/").await.unwrap();
    assert_eq!(left.len(), 1);
    assert_ne!(left[0].key, orphan.as_str());
    let page = app.get_ok_page(&conversation).await;
    assert!(
        page.body.contains("width=\"320\" height=\"240\""),
        "the sent photo stays"
    );
}
