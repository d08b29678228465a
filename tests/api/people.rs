//! Meet people (issue 18): friend profiles, who is shown to whom, yes / no, matches.

use reqwest::StatusCode;

use crate::helpers::{TestApp, TestUser, Visitor, spawn_app};

/// Opts `visitor` in through the profile form.
async fn opt_in(visitor: &Visitor, zip: &str, radius: &str, hobbies: &str) {
    let saved = visitor
        .submit_form(
            "/people/profile",
            "/people/profile",
            &[
                ("about", "New in town."),
                ("hobbies", hobbies),
                ("interests", "live music"),
                ("zip", zip),
                ("radius_miles", radius),
                ("visible", "on"),
            ],
        )
        .await;
    assert_eq!(saved.status(), StatusCode::SEE_OTHER);
}

/// A member with a profile in `zip`.
async fn person(app: &TestApp, zip: &str, hobbies: &str) -> (Visitor, TestUser) {
    let (visitor, user) = app.new_member().await;
    opt_in(&visitor, zip, "25", hobbies).await;
    (visitor, user)
}

/// Who `/people` shows `visitor` now, if anyone.
async fn shown(visitor: &Visitor) -> Option<String> {
    let page = visitor.get_ok_page("/people").await;
    let (_, rest) = page.body.split_once("data-person=\"")?;
    Some(rest[..rest.find('"').unwrap()].to_owned())
}

async fn answer(visitor: &Visitor, username: &str, answer: &str) -> reqwest::Response {
    visitor
        .submit_form(
            "/people/profile",
            &format!("/people/{username}/answer"),
            &[("answer", answer)],
        )
        .await
}

fn count(app: &TestApp, sql: &str) -> i64 {
    crate::messages::count(app, sql)
}

#[tokio::test]
async fn a_profile_with_errors_comes_back_with_what_was_typed() {
    let app = spawn_app().await;
    let (member, _) = app.new_member().await;
    let page = member.get_ok_page("/people").await;
    assert!(page.body.contains("Make your friend profile"));
    let many: Vec<String> = (0..21).map(|i| format!("tag{i}")).collect();
    let many = many.join(", ");
    let refused = member
        .submit_form(
            "/people/profile",
            "/people/profile",
            &[
                ("about", "Runner and chess player"),
                ("hobbies", &many),
                ("interests", "<b>"),
                ("zip", "00000"),
                ("radius_miles", "500"),
            ],
        )
        .await;
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body = refused.text().await.unwrap();
    for message in [
        "Choose at most 20.",
        "use letters, digits, spaces",
        "We don&#39;t know this ZIP code",
        "Choose a radius from 1 to 100 miles.",
    ] {
        let escaped = message.replace('\'', "&#39;");
        assert!(
            body.contains(message) || body.contains(&escaped),
            "{message}: {body}"
        );
    }
    assert!(body.contains("Runner and chess player"), "values are kept");
    assert!(body.contains("tag20"));
    assert_eq!(count(&app, "SELECT count(*) AS n FROM friend_profiles"), 0);

    opt_in(&member, "94110", "10", "Board  Games, #Hiking, hiking").await;
    let page = member.get_ok_page("/people/profile").await;
    assert!(
        page.body.contains("board games, hiking"),
        "tags are normalised"
    );
    assert!(page.body.contains("Shown to others"));
}

/// Moves a member's profile to a point and sets its radius.
fn place(app: &TestApp, user: &TestUser, lat: f64, lon: f64, radius: i32) {
    app.execute(&format!(
        "UPDATE friend_profiles SET latitude = {lat}, longitude = {lon}, radius_miles = {radius}
         WHERE user_id = (SELECT id FROM users WHERE username = '{}')",
        user.username
    ));
}

#[tokio::test]
async fn the_two_way_radius_rule_matches_earth_distance_at_its_boundary() {
    let app = spawn_app().await;
    let (a, user_a) = person(&app, "66952", "chess").await;
    let (b, user_b) = person(&app, "66952", "chess").await;
    // The earthdistance module's sphere: 10 miles north along a meridian is this many
    // degrees; put B just inside, exactly at and just outside it.
    let metres = 10.0 * 1609.344;
    let degrees = (metres / 6_378_168.0_f64).to_degrees();
    for (factor, radius_a, radius_b) in [
        (0.999_999, 10, 10),
        (1.000_001, 10, 10),
        (0.999_999, 10, 9),
        (0.999_999, 9, 10),
        (0.5, 10, 5),
        (0.5, 4, 100),
        (1.000_001, 11, 11),
    ] {
        place(&app, &user_a, 39.0, -98.0, radius_a);
        place(&app, &user_b, 39.0 + degrees * factor, -98.0, radius_b);
        let within = count(
            &app,
            &format!(
                "SELECT (earth_distance(ll_to_earth(39.0, -98.0), ll_to_earth({}, -98.0))
                         <= least({radius_a}, {radius_b}) * 1609.344)::int::int8 AS n",
                39.0 + degrees * factor
            ),
        ) == 1;
        let a_sees_b = shown(&a).await.as_deref() == Some(user_b.username.as_str());
        let b_sees_a = shown(&b).await.as_deref() == Some(user_a.username.as_str());
        assert_eq!(
            a_sees_b, within,
            "{factor} × 10 miles, radii {radius_a} and {radius_b}"
        );
        assert_eq!(b_sees_a, within, "both ways");
    }
}

#[tokio::test]
async fn an_answered_person_is_never_shown_again_and_strangers_get_404() {
    let app = spawn_app().await;
    let (me, _) = person(&app, "94110", "hiking, chess").await;
    let (_, close) = person(&app, "94110", "hiking, chess").await;
    let (_, other) = person(&app, "94110", "baking").await;
    let (far, far_user) = person(&app, "10001", "chess").await;

    // Shared interests first.
    assert_eq!(shown(&me).await, Some(close.username.clone()));
    let page = me.get_ok_page("/people").await;
    assert!(page.body.contains("San Francisco"), "the city");
    assert!(page.body.contains("about 1 mile"), "{}", page.body);
    assert!(!page.body.contains("94110"), "never the ZIP");
    assert!(page.body.contains("badge-shared"), "shared tags marked");
    assert_eq!(
        answer(&me, &close.username, "no").await.status(),
        StatusCode::SEE_OTHER
    );
    assert_eq!(shown(&me).await, Some(other.username.clone()));
    answer(&me, &other.username, "yes").await;
    assert_eq!(shown(&me).await, None);
    assert!(
        me.get_ok_page("/people")
            .await
            .body
            .contains("That's everyone for now")
    );
    // Answering twice changes nothing.
    answer(&me, &other.username, "no").await;
    assert_eq!(
        count(&app, "SELECT count(*) AS n FROM friend_answers WHERE yes"),
        1
    );
    assert_eq!(count(&app, "SELECT count(*) AS n FROM friend_answers"), 2);

    // Someone not shown to me: 404, as for nobody at all.
    for who in [far_user.username.as_str(), "nobody-at-all"] {
        assert_eq!(
            answer(&me, who, "yes").await.status(),
            StatusCode::NOT_FOUND,
            "{who}"
        );
        assert_eq!(
            me.get(&format!("/people/{who}/report")).await.status(),
            StatusCode::NOT_FOUND
        );
    }
    assert_eq!(shown(&far).await, None);
    // Visitors are sent to log in.
    let visitor = app.new_visitor();
    let response = visitor.get("/people").await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn a_mutual_yes_at_the_same_moment_makes_one_match_and_one_conversation() {
    let app = spawn_app().await;
    let (a, user_a) = person(&app, "94110", "hiking, chess").await;
    let (b, user_b) = person(&app, "94110", "chess, knitting").await;
    let (first, second) = tokio::join!(
        answer(&a, &user_b.username, "yes"),
        answer(&b, &user_a.username, "yes")
    );
    assert_eq!(first.status(), StatusCode::SEE_OTHER);
    assert_eq!(second.status(), StatusCode::SEE_OTHER);
    assert_eq!(count(&app, "SELECT count(*) AS n FROM friend_matches"), 1);
    assert_eq!(
        count(
            &app,
            "SELECT count(*) AS n FROM conversations WHERE kind = 'match'"
        ),
        1
    );
    let conversation = count(&app, "SELECT conversation_id AS n FROM friend_matches");
    for visitor in [&a, &b] {
        let matches = visitor.get_ok_page("/people/matches").await;
        assert!(
            matches.body.contains(&format!("/messages/{conversation}")),
            "{}",
            matches.body
        );
        let page = visitor
            .get_ok_page(&format!("/messages/{conversation}"))
            .await;
        assert!(page.body.contains("You matched on: chess"), "{}", page.body);
    }
    // They message each other.
    let sent = b
        .post_multipart(
            &format!("/messages/{conversation}"),
            b.multipart_form(&format!("/messages/{conversation}"))
                .await
                .text("body", "Chess on Saturday?"),
        )
        .await;
    assert_eq!(sent.status(), StatusCode::SEE_OTHER);
    assert!(
        a.get_ok_page(&format!("/messages/{conversation}"))
            .await
            .body
            .contains("Chess on Saturday?")
    );

    // Unmatch: the conversation closes for both, nobody is shown again.
    let ended = a
        .submit_form(
            "/people/matches",
            &format!("/people/matches/{}/unmatch", user_b.username),
            &[],
        )
        .await;
    assert_eq!(ended.status(), StatusCode::SEE_OTHER);
    let page = b.get_ok_page("/people/matches").await;
    assert!(!page.body.contains(&user_a.username));
    let page = b.get_ok_page(&format!("/messages/{conversation}")).await;
    assert!(page.body.contains("This match ended"));
    let refused = b
        .post_multipart(
            &format!("/messages/{conversation}"),
            b.multipart_form("/people/profile")
                .await
                .text("body", "Hello?"),
        )
        .await;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    assert_eq!(shown(&a).await, None);
    assert_eq!(shown(&b).await, None);
}

#[tokio::test]
async fn blocking_and_opting_out_hide_people_both_ways_at_once() {
    let app = spawn_app().await;
    let (a, user_a) = person(&app, "94110", "hiking").await;
    let (b, user_b) = person(&app, "94110", "hiking").await;
    assert_eq!(shown(&a).await, Some(user_b.username.clone()));

    // B switches off: hidden at once, answers kept, and B sees nobody either.
    let off = b
        .submit_form(
            "/people/profile",
            "/people/profile/visibility",
            &[("visible", "off")],
        )
        .await;
    assert_eq!(off.status(), StatusCode::SEE_OTHER);
    assert_eq!(shown(&a).await, None);
    assert!(
        b.get_ok_page("/people")
            .await
            .body
            .contains("Your profile is hidden")
    );
    assert_eq!(
        answer(&a, &user_b.username, "yes").await.status(),
        StatusCode::NOT_FOUND
    );
    b.submit_form(
        "/people/profile",
        "/people/profile/visibility",
        &[("visible", "on")],
    )
    .await;
    assert_eq!(shown(&a).await, Some(user_b.username.clone()));

    // A blocks B from the card: neither is shown to the other.
    let blocked = a
        .submit_form(
            "/people",
            &format!("/people/{}/block", user_b.username),
            &[],
        )
        .await;
    assert_eq!(blocked.status(), StatusCode::SEE_OTHER);
    assert_eq!(shown(&a).await, None);
    assert_eq!(shown(&b).await, None);
    assert_eq!(
        b.get(&format!("/people/{}/report", user_a.username))
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn profile_photos_lose_their_exif_and_only_people_shown_get_them() {
    let app = spawn_app().await;
    let (a, _) = person(&app, "94110", "hiking").await;
    let (b, user_b) = person(&app, "94110", "hiking").await;
    let (far, _) = person(&app, "10001", "hiking").await;
    let original = crate::listings::jpeg_with_exif(300, 200, 1);
    assert!(original.windows(4).any(|w| w == b"Exif"));
    let form = b.multipart_form("/people/profile").await.part(
        "photo",
        reqwest::multipart::Part::bytes(original)
            .file_name("me.jpg")
            .mime_str("image/jpeg")
            .unwrap(),
    );
    let added = b.post_multipart("/people/profile/photos", form).await;
    assert_eq!(added.status(), StatusCode::SEE_OTHER);
    // Not an image: a clear error, nothing stored.
    let form = b.multipart_form("/people/profile").await.part(
        "photo",
        reqwest::multipart::Part::bytes(b"<html>hi</html>".to_vec())
            .file_name("me.jpg")
            .mime_str("image/jpeg")
            .unwrap(),
    );
    let refused = b.post_multipart("/people/profile/photos", form).await;
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(count(&app, "SELECT count(*) AS n FROM friend_photos"), 1);

    let page = a.get_ok_page("/people").await;
    assert!(
        page.body
            .contains(&format!("data-person=\"{}\"", user_b.username))
    );
    let (before, _) = page.body.split_once("alt=\"Photo 1 of").unwrap();
    let src = before.rsplit_once("src=\"").unwrap().1;
    let url = src[..src.find('"').unwrap()]
        .replace("&amp;", "&")
        .replace("&#38;", "&");
    let bytes = a.get(&url).await.bytes().await.unwrap();
    assert!(image::load_from_memory(&bytes).is_ok());
    assert!(!bytes.windows(4).any(|w| w == b"Exif"), "EXIF is gone");
    // Someone too far away is never shown B, nor B's photos.
    let page = far.get_ok_page("/people").await;
    assert!(!page.body.contains(&user_b.username));
}

#[tokio::test]
async fn a_deleted_account_takes_its_friend_profile_with_it() {
    let app = spawn_app().await;
    let (a, _) = person(&app, "94110", "hiking").await;
    let (_, b) = person(&app, "94110", "hiking").await;
    assert_eq!(shown(&a).await, Some(b.username.clone()));
    app.execute(&format!(
        "UPDATE users SET status = 'deleted' WHERE username = '{}'",
        b.username
    ));
    assert_eq!(count(&app, "SELECT count(*) AS n FROM friend_profiles"), 1);
    assert_eq!(shown(&a).await, None);
}
