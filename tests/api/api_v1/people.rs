//! Meet people through the API: the profile, the next person, answers, matches, photos.

use reqwest::StatusCode;
use serde_json::json;

use super::ApiClient;
use crate::helpers::spawn_app;

fn profile(hobbies: &[&str]) -> serde_json::Value {
    json!({
        "about": "Runner",
        "hobbies": hobbies,
        "interests": ["live music"],
        "zip": "94110",
        "radius_miles": 20,
    })
}

#[tokio::test]
async fn two_programs_opt_in_say_yes_and_message_through_the_match() {
    let app = spawn_app().await;
    let (a, user_a) = ApiClient::new_member(&app).await;
    let (b, user_b) = ApiClient::new_member(&app).await;

    a.get("/people/profile").await.problem(404);
    a.get("/people/next").await.problem(404);
    let refused = a
        .put(
            "/people/profile",
            json!({"zip": "00000", "radius_miles": 101, "hobbies": ["<b>"]}),
        )
        .await;
    assert_eq!(refused.bad_fields(), vec!["hobbies", "radius_miles", "zip"]);
    a.put(
        "/people/profile",
        json!({"zip": "94110", "radius_miles": 5, "colour": "red"}),
    )
    .await
    .problem(422);

    let saved = a
        .put("/people/profile", profile(&["Chess", "hiking"]))
        .await;
    assert_eq!(saved.status, StatusCode::OK, "{:?}", saved.body);
    assert_eq!(saved.body["hobbies"], json!(["chess", "hiking"]));
    assert_eq!(saved.body["city"], "San Francisco, CA");
    assert_eq!(a.get("/people/next").await.status, StatusCode::NO_CONTENT);
    b.put("/people/profile", profile(&["chess"])).await;

    let next = a.get("/people/next").await;
    assert_eq!(next.status, StatusCode::OK, "{:?}", next.body);
    assert_eq!(next.body["username"], user_b.username.as_str());
    assert_eq!(next.body["shared"], json!(["chess", "live music"]));
    assert_eq!(next.body["distance_miles"], 1);
    assert!(next.body.get("zip").is_none(), "never the ZIP");

    let path_b = format!("/people/{}/answer", user_b.username);
    let path_a = format!("/people/{}/answer", user_a.username);
    let first = a.post(&path_b, json!({"answer": "yes"})).await;
    assert_eq!(
        first.body,
        json!({"matched": false, "conversation_id": null})
    );
    a.post(&path_b, json!({"answer": "no"})).await.problem(409);
    a.post(&path_b, json!({"answer": "maybe"}))
        .await
        .problem(422);
    let second = b.post(&path_a, json!({"answer": "yes"})).await;
    assert_eq!(second.body["matched"], true, "{:?}", second.body);
    let conversation = second.body["conversation_id"].as_i64().unwrap();

    let matches = a.get("/people/matches").await;
    assert_eq!(matches.body[0]["username"], user_b.username.as_str());
    assert_eq!(matches.body[0]["conversation_id"], conversation);
    let history = a
        .get(&format!("/conversations/{conversation}/messages"))
        .await;
    assert_eq!(history.status, StatusCode::OK, "{:?}", history.body);
    let first_message = &history.body["items"][0]["body"];
    assert_eq!(first_message["type"], "system");
    assert_eq!(first_message["text"], "You matched on: chess, live music");

    // Photos: only for someone the caller may see.
    let (c, _) = ApiClient::new_member(&app).await;
    c.put(
        "/people/profile",
        json!({"zip": "10001", "radius_miles": 5}),
    )
    .await;
    let photos = format!("/users/{}/photos", user_b.username);
    assert_eq!(a.get(&photos).await.status, StatusCode::OK);
    c.get(&photos).await.problem(404);
    c.get("/users/nobody-here/photos").await.problem(404);

    // They write through the match's conversation.
    let hello = json!({"recipient": user_a.username, "conversation_id": conversation, "body": {"type": "text", "text": "Chess on Saturday?"}});
    let sent = b.post("/messages", hello.clone()).await;
    assert_eq!(sent.status, StatusCode::CREATED, "{:?}", sent.body);
    assert_eq!(sent.body["conversation_id"], conversation);
    let stranger = c.post("/messages", json!({"recipient": user_a.username, "conversation_id": conversation, "body": {"type": "text", "text": "Hi"}})).await;
    assert_eq!(stranger.bad_fields(), vec!["conversation_id"]);

    // Unmatching closes the conversation.
    let ended = a
        .delete(&format!("/people/matches/{}", user_b.username))
        .await;
    assert_eq!(ended.status, StatusCode::NO_CONTENT);
    a.delete(&format!("/people/matches/{}", user_b.username))
        .await
        .problem(404);
    b.post("/messages", hello).await.problem(403);
    a.get(&photos).await.problem(404);
}
