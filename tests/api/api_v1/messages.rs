//! Typed messages through the API: the product notes' seed flow, live delivery between the
//! API and the pages, history pages that hold still, and the pages' rules (verified address,
//! blocks, strangers).

use std::time::Duration;

use reqwest::StatusCode;
use serde_json::{Value, json};

use super::ApiClient;
use crate::helpers::{TestUser, smtp_server, spawn_app};
use crate::messages::{contact, conversation_of, count, listing, reply};

const WAIT: Duration = Duration::from_secs(10);

fn text(to: &str, text: &str) -> Value {
    json!({"recipient": to, "body": {"type": "text", "text": text}})
}

#[tokio::test]
async fn the_seed_flow_with_plain_requests() {
    let mut app = spawn_app().await;
    app.send_mail_by_smtp();
    let anonymous = ApiClient::new(&app);
    let (ada, bob) = (TestUser::generate(), TestUser::generate());
    for user in [&ada, &bob] {
        assert_eq!(
            anonymous.create_user(user).await.status,
            StatusCode::CREATED
        );
    }
    let ada_api = ApiClient::with_token(
        &app,
        anonymous.tokens_for(&ada).await["access_token"]
            .as_str()
            .unwrap(),
    );

    // Until Ada confirms her address, the API says so.
    let refused = ada_api.post("/messages", text(&bob.username, "Hi!")).await;
    assert!(
        refused.problem(403)["detail"]
            .as_str()
            .unwrap()
            .contains("Confirm your e-mail address")
    );

    // She follows the link in the mail the SMTP server received.
    app.run_jobs().await;
    let mail = smtp_server()
        .inbox(&ada.email)
        .into_iter()
        .find(|m| m.text.contains("/verify-email?token="))
        .expect("the confirmation mail arrived");
    let link = mail.link(&format!("{}/verify-email", app.address)).unwrap();
    let confirmed = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
        .get(&link)
        .send()
        .await
        .unwrap();
    assert!(confirmed.status().is_success() || confirmed.status().is_redirection());
    assert_eq!(ada_api.get("/me").await.body["email_verified"], true);

    // One message of each kind.
    let sent = ada_api
        .post("/messages", text(&bob.username, "Hi Bob!"))
        .await;
    assert_eq!(sent.status, StatusCode::CREATED, "{:?}", sent.body);
    assert_eq!(sent.body["sender"], ada.username.as_str());
    assert_eq!(
        sent.body["body"],
        json!({"type": "text", "text": "Hi Bob!"})
    );
    let image = ada_api
        .post(
            "/messages",
            json!({"recipient": bob.username, "body": {
                "type": "image", "url": "https://images.example.com/bike.jpg",
                "width": 1600, "height": 1200}}),
        )
        .await;
    assert_eq!(image.status, StatusCode::CREATED, "{:?}", image.body);
    assert_eq!(
        image.body["body"]["url"],
        "https://images.example.com/bike.jpg"
    );
    assert_eq!(image.body["body"]["width"], 1600);
    let video = ada_api
        .post(
            "/messages",
            json!({"recipient": bob.username, "body": {
                "type": "video", "url": "https://youtu.be/dQw4w9WgXcQ", "length_seconds": 212}}),
        )
        .await;
    assert_eq!(video.status, StatusCode::CREATED, "{:?}", video.body);
    assert_eq!(video.body["body"]["source"], "youtube");
    assert_eq!(video.body["body"]["length_seconds"], 212);
    assert_eq!(
        video.body["body"]["url"],
        "https://www.youtube.com/watch?v=dQw4w9WgXcQ"
    );
    // All in one conversation.
    assert_eq!(sent.body["conversation_id"], video.body["conversation_id"]);

    // Bob reads them two at a time, newest first.
    let bob_api = ApiClient::with_token(
        &app,
        anonymous.tokens_for(&bob).await["access_token"]
            .as_str()
            .unwrap(),
    );
    let with = format!("/messages?with={}", ada.username);
    let first = bob_api.get(&format!("{with}&page=1&per_page=2")).await;
    assert_eq!(first.status, StatusCode::OK, "{:?}", first.body);
    let kinds = |answer: &super::Answer| -> Vec<String> {
        answer.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["body"]["type"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(kinds(&first), ["video", "image"]);
    assert_eq!(first.body["total"], 3);
    let link = first.headers["link"].to_str().unwrap();
    assert!(link.contains("page=2&per_page=2>; rel=\"next\""), "{link}");
    let second = bob_api.get(&format!("{with}&page=2&per_page=2")).await;
    assert_eq!(kinds(&second), ["text"]);
    assert_eq!(second.body["items"][0]["body"]["text"], "Hi Bob!");
    assert!(
        !second.headers["link"]
            .to_str()
            .unwrap()
            .contains("rel=\"next\"")
    );

    // The inbox counts what Bob has not read, until he marks it read.
    let inbox = bob_api.get("/conversations").await;
    assert_eq!(inbox.body["total"], 1);
    assert_eq!(inbox.body["items"][0]["with"], ada.username.as_str());
    assert_eq!(inbox.body["items"][0]["unread"], 3);
    let id = inbox.body["items"][0]["id"].as_i64().unwrap();
    let read = bob_api
        .send(
            reqwest::Method::POST,
            &format!("/conversations/{id}/read"),
            None,
        )
        .await;
    assert_eq!(read.status, StatusCode::NO_CONTENT);
    assert_eq!(
        bob_api.get("/conversations").await.body["items"][0]["unread"],
        0
    );
}

#[tokio::test]
async fn a_message_from_the_api_arrives_live_on_the_page_and_a_reply_from_the_page_in_the_api() {
    let app = spawn_app().await;
    let bob = app.sign_up_new_member().await;
    let (ada_api, ada) = ApiClient::new_member(&app).await;

    // Bob's tab is open; Ada writes through the API.
    let mut stream = app.visitor.open_events("", None).await;
    let sent = ada_api
        .post("/messages", text(&bob.username, "Are you free on Sunday?"))
        .await;
    assert_eq!(sent.status, StatusCode::CREATED, "{:?}", sent.body);
    let event = stream.next_event(WAIT).await.expect("a live event");
    assert_eq!(event.event, "message");
    let data: Value = serde_json::from_str(&event.data).unwrap();
    assert_eq!(data["message"], sent.body["id"]);

    // The conversation is on Bob's pages, and he answers there.
    let path = format!("/messages/{}", sent.body["conversation_id"]);
    let page = app.get_ok_page(&path).await;
    assert!(page.body.contains("Are you free on Sunday?"));
    let answered = reply(&app.visitor, &path, &[("body", "Sunday works.")]).await;
    assert_eq!(answered.status(), StatusCode::SEE_OTHER);

    let history = ada_api
        .get(&format!("/messages?with={}", bob.username))
        .await;
    assert_eq!(history.body["items"][0]["body"]["text"], "Sunday works.");
    assert_eq!(history.body["items"][0]["sender"], bob.username.as_str());
    let inbox = ada_api.get("/conversations").await;
    assert_eq!(inbox.body["items"][0]["unread"], 1);
    assert_eq!(inbox.body["items"][0]["last_message"], "Sunday works.");
    assert_eq!(inbox.body["items"][0]["last_message_mine"], false);
    let _ = ada;
}

#[tokio::test]
async fn bad_messages_name_every_bad_field() {
    let app = spawn_app().await;
    let (api, _) = ApiClient::new_member(&app).await;
    let bob = app.sign_up_new_member().await;

    let answer = api.post("/messages", text("nobody_at_all", "   ")).await;
    assert_eq!(answer.bad_fields(), ["body.text", "recipient"]);

    let answer = api
        .post(
            "/messages",
            json!({"recipient": bob.username, "body": {
                "type": "image", "url": "javascript:alert(1)", "width": 0, "height": 10}}),
        )
        .await;
    assert_eq!(answer.bad_fields(), ["body.url", "body.width"]);

    let answer = api
        .post(
            "/messages",
            json!({"recipient": bob.username, "body": {
                "type": "video", "url": "https://youtu.be/dQw4w9WgXcQ", "source": "vimeo",
                "length_seconds": 100000}}),
        )
        .await;
    assert_eq!(answer.bad_fields(), ["body.length_seconds"]);
    let answer = api
        .post(
            "/messages",
            json!({"recipient": bob.username, "body": {
                "type": "video", "url": "https://youtu.be/dQw4w9WgXcQ", "source": "vimeo"}}),
        )
        .await;
    assert_eq!(answer.bad_fields(), ["body.source"]);
    let answer = api
        .post(
            "/messages",
            json!({"recipient": bob.username, "body": {
                "type": "video", "url": "https://example.com/movie.mp4"}}),
        )
        .await;
    assert_eq!(answer.bad_fields(), ["body.url"]);

    let answer = api
        .post(
            "/messages",
            json!({"recipient": bob.username, "body": {"type": "gif", "url": "x"}}),
        )
        .await;
    assert_eq!(answer.bad_fields(), ["body.type"]);

    // To oneself.
    let me = api.get("/me").await.body["username"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(
        api.post("/messages", text(&me, "Note to self"))
            .await
            .bad_fields(),
        ["recipient"]
    );
    // Nothing was sent by any of it.
    assert_eq!(count(&app, "SELECT count(*) AS n FROM messages"), 0);

    // Bad pages and cursors.
    let answer = api
        .get(&format!(
            "/messages?with={}&page=0&per_page=500&before_id=x",
            bob.username
        ))
        .await;
    assert_eq!(answer.bad_fields(), ["before_id", "page", "per_page"]);
    let answer = api.get("/messages?with=nobody_at_all").await;
    assert_eq!(answer.bad_fields(), ["with"]);
    // Oneself is not someone to have a history with.
    let answer = api.get(&format!("/messages?with={me}")).await;
    assert_eq!(answer.bad_fields(), ["with"]);
}

#[tokio::test]
async fn strangers_and_blocked_members_get_nothing() {
    let app = spawn_app().await;
    let (ada_api, ada) = ApiClient::new_member(&app).await;
    let bob = app.sign_up_new_member().await;
    let (carol_api, _) = ApiClient::new_member(&app).await;
    let sent = ada_api
        .post("/messages", text(&bob.username, "Hello"))
        .await;
    let id = sent.body["conversation_id"].as_i64().unwrap();

    // Carol is not in it: the same 404 as a conversation that does not exist.
    carol_api
        .get(&format!("/conversations/{id}/messages"))
        .await
        .problem(404);
    carol_api
        .get("/conversations/999999/messages")
        .await
        .problem(404);
    carol_api
        .send(
            reqwest::Method::POST,
            &format!("/conversations/{id}/read"),
            None,
        )
        .await
        .problem(404);
    let between = carol_api
        .get(&format!("/messages?with={}", bob.username))
        .await;
    assert_eq!(between.status, StatusCode::OK);
    assert_eq!(between.body["total"], 0);
    assert_eq!(carol_api.get("/conversations").await.body["total"], 0);

    // Bob blocks Ada on his page: her next message is refused.
    let path = format!("/messages/{id}");
    let blocked = app
        .visitor
        .submit_form(&path, &format!("{path}/block"), &[("action", "block")])
        .await;
    assert_eq!(blocked.status(), StatusCode::SEE_OTHER);
    let refused = ada_api
        .post("/messages", text(&bob.username, "Hello?"))
        .await;
    assert!(
        refused.problem(403)["detail"]
            .as_str()
            .unwrap()
            .contains("not accepting")
    );
    assert_eq!(count(&app, "SELECT count(*) AS n FROM messages"), 1);
    let _ = ada;
}

#[tokio::test]
async fn history_pages_hold_still_while_new_messages_arrive() {
    let app = spawn_app().await;
    let (ada_api, _) = ApiClient::new_member(&app).await;
    let bob = app.sign_up_new_member().await;
    let mut ids = Vec::new();
    for n in 1..=5 {
        let sent = ada_api
            .post("/messages", text(&bob.username, &format!("message {n}")))
            .await;
        ids.push(sent.body["id"].as_i64().unwrap());
    }
    let id = ada_api.get("/conversations").await.body["items"][0]["id"]
        .as_i64()
        .unwrap();
    let texts = |answer: &super::Answer| -> Vec<String> {
        answer.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["body"]["text"].as_str().unwrap().to_owned())
            .collect()
    };
    let history = format!("/conversations/{id}/messages");
    let first = ada_api.get(&format!("{history}?per_page=2")).await;
    assert_eq!(texts(&first), ["message 5", "message 4"]);

    // A new message arrives while the client scrolls back.
    ada_api
        .post("/messages", text(&bob.username, "message 6"))
        .await;
    let before = ids[4] + 1;
    let second = ada_api
        .get(&format!("{history}?per_page=2&page=2&before_id={before}"))
        .await;
    assert_eq!(texts(&second), ["message 3", "message 2"]);
    assert_eq!(second.body["total"], 5);
    assert!(second.headers["link"].to_str().unwrap().contains(&format!(
        "before_id={before}&page=3&per_page=2>; rel=\"next\""
    )));
    // Without the cursor the pages shift by the new message.
    let shifted = ada_api.get(&format!("{history}?per_page=2&page=2")).await;
    assert_eq!(texts(&shifted), ["message 4", "message 3"]);
}

#[tokio::test]
async fn a_message_about_a_listing_joins_its_conversation() {
    let app = spawn_app().await;
    let seller = app.sign_up_new_member().await;
    let (listing_id, _) = listing(&app, "Oak desk").await;
    let (buyer_api, buyer) = ApiClient::new_member(&app).await;

    let about = |to: &str, text: &str| {
        json!({"recipient": to, "listing_id": listing_id,
               "body": {"type": "text", "text": text}})
    };
    let asked = buyer_api
        .post(
            "/messages",
            about(&seller.username, "Is the desk still there?"),
        )
        .await;
    assert_eq!(asked.status, StatusCode::CREATED, "{:?}", asked.body);
    // The seller's page inbox has it, about the listing.
    let inbox = app.get_ok_page("/messages").await;
    assert!(inbox.body.contains("Oak desk"));

    // The seller answers through the API in the same conversation.
    let tokens = ApiClient::new(&app).tokens_for(&seller).await;
    let seller_api = ApiClient::with_token(&app, tokens["access_token"].as_str().unwrap());
    let answered = seller_api
        .post("/messages", about(&buyer.username, "It is."))
        .await;
    assert_eq!(answered.status, StatusCode::CREATED, "{:?}", answered.body);
    assert_eq!(
        answered.body["conversation_id"],
        asked.body["conversation_id"]
    );
    let listed = seller_api.get("/conversations").await;
    assert_eq!(listed.body["items"][0]["listing"]["title"], "Oak desk");

    // A listing that is neither's, and one the buyer never asked about.
    let (third_api, third) = ApiClient::new_member(&app).await;
    assert_eq!(
        third_api
            .post("/messages", about(&buyer.username, "Hi"))
            .await
            .bad_fields(),
        ["listing_id"]
    );
    assert_eq!(
        seller_api
            .post("/messages", about(&third.username, "Hi"))
            .await
            .bad_fields(),
        ["listing_id"]
    );

    // A page message about the listing is in the same conversation too.
    let (page_buyer, _) = app.new_member().await;
    let sent = contact(&page_buyer, listing_id, &[("body", "Me too!")]).await;
    let path = conversation_of(&sent);
    assert_ne!(
        path,
        format!("/messages/{}", asked.body["conversation_id"]),
        "another buyer, another conversation"
    );
}

#[tokio::test]
async fn a_long_history_is_numbered_and_one_across_conversations_counted_to_a_thousand() {
    let app = spawn_app().await;
    let bob = app.sign_up_new_member().await;
    let (listing_id, _) = listing(&app, "Oak desk").await;
    let (ada_api, _) = ApiClient::new_member(&app).await;
    let sent = ada_api
        .post("/messages", text(&bob.username, "message 0"))
        .await;
    let id = sent.body["conversation_id"].as_i64().unwrap();
    crate::messages::sql(
        &app,
        &format!(
            "INSERT INTO messages (conversation_id, member_id, kind, body)
             SELECT {id}, m.id, 'text', 'message ' || i
             FROM generate_series(1, 1004) AS i,
                  (SELECT id FROM conversation_members WHERE conversation_id = {id}
                   ORDER BY id LIMIT 1) AS m
             ORDER BY i"
        ),
    );
    // One conversation: numbered, so counted exactly at any depth.
    let history = format!("/conversations/{id}/messages?per_page=100");
    let first = ada_api.get(&history).await;
    assert_eq!(first.body["total"], 1005);
    assert_eq!(first.body["total_is_lower_bound"], false);
    assert_eq!(first.body["items"][0]["body"]["text"], "message 1004");
    let link = first.headers["link"].to_str().unwrap();
    assert!(
        link.contains("page=11&per_page=100>; rel=\"last\""),
        "{link}"
    );
    let last = ada_api.get(&format!("{history}&page=11")).await;
    assert_eq!(last.body["items"].as_array().unwrap().len(), 5);
    assert_eq!(last.body["items"][4]["body"]["text"], "message 0");
    assert!(
        !last.headers["link"]
            .to_str()
            .unwrap()
            .contains("rel=\"next\"")
    );
    // Page 3 is the 201st to 300th newest, with or without a cursor at the newest.
    let third = ada_api.get(&format!("{history}&page=3")).await;
    assert_eq!(third.body["items"][0]["body"]["text"], "message 804");
    let newest = first.body["items"][0]["id"].as_i64().unwrap();
    let cursor = ada_api
        .get(&format!("{history}&page=3&before_id={}", newest + 1))
        .await;
    assert_eq!(cursor.body["items"], third.body["items"]);

    // Two conversations with Bob (the direct one and one about his listing): counted to
    // 1,000, then "at least", with a next page and no last.
    let about = ada_api
        .post(
            "/messages",
            serde_json::json!({"recipient": bob.username, "listing_id": listing_id,
                               "body": {"type": "text", "text": "Is the desk there?"}}),
        )
        .await;
    assert_eq!(about.status, StatusCode::CREATED);
    let with = ada_api
        .get(&format!("/messages?with={}&per_page=100", bob.username))
        .await;
    assert_eq!(with.body["total"], 1000);
    assert_eq!(with.body["total_is_lower_bound"], true);
    assert_eq!(with.body["items"][0]["body"]["text"], "Is the desk there?");
    let link = with.headers["link"].to_str().unwrap();
    assert!(
        link.contains("rel=\"next\"") && !link.contains("rel=\"last\""),
        "{link}"
    );
}

#[tokio::test]
async fn a_photo_is_sent_as_a_multipart_message_and_only_the_pair_sees_it() {
    use reqwest::multipart::{Form, Part};
    let app = spawn_app().await;
    let (ada_api, ada) = ApiClient::new_member(&app).await;
    let (bob_api, bob) = ApiClient::new_member(&app).await;

    let photo = |bytes: Vec<u8>| Part::bytes(bytes).file_name("photo.png");
    let sent = ada_api
        .post_multipart(
            "/messages",
            Form::new()
                .text("recipient", bob.username.clone())
                .text("caption", "The bike, from the left")
                .part("image", photo(crate::helpers::png(300, 200))),
        )
        .await;
    assert_eq!(sent.status, StatusCode::CREATED, "{:?}", sent.body);
    assert_eq!(sent.body["body"]["type"], "image");
    assert_eq!(sent.body["body"]["width"], 300);
    assert_eq!(sent.body["body"]["height"], 200);
    assert_eq!(sent.body["body"]["caption"], "The bike, from the left");

    // Bob reads it through the API, with a link that serves the re-encoded photo.
    let history = bob_api
        .get(&format!("/messages?with={}", ada.username))
        .await;
    assert_eq!(history.status, StatusCode::OK, "{:?}", history.body);
    let body = &history.body["items"][0]["body"];
    assert_eq!(body["type"], "image");
    let url = body["url"].as_str().unwrap();
    let url = if url.starts_with('/') {
        format!("{}{url}", app.address)
    } else {
        url.to_owned()
    };
    let image = reqwest::get(&url).await.unwrap();
    assert_eq!(image.status(), StatusCode::OK);
    assert_eq!(image.headers()["content-type"], "image/jpeg");

    // A file that is not a photo, no file, and a bad listing id: every field at once.
    let bad = ada_api
        .post_multipart(
            "/messages",
            Form::new()
                .text("recipient", bob.username.clone())
                .part("image", photo(b"plain text".to_vec())),
        )
        .await;
    assert_eq!(bad.bad_fields(), ["image"]);
    let empty = ada_api
        .post_multipart(
            "/messages",
            Form::new()
                .text("recipient", "nobody-at-all")
                .text("listing_id", "seven"),
        )
        .await;
    let mut fields = empty.bad_fields();
    fields.sort();
    assert_eq!(
        fields,
        ["image", "listing_id", "recipient"],
        "{:?}",
        empty.body
    );
    assert_eq!(
        crate::messages::count(&app, "SELECT count(*) AS n FROM messages"),
        1,
        "only the good one was sent"
    );
}
