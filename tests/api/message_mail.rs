//! Mail about unread messages: against the real SMTP server the test command starts and the
//! default `.eml` files; throttling, the unsubscribe link, the settings switch.

use reqwest::StatusCode;

use crate::helpers::{ReceivedMail, TestApp, Visitor, smtp_server, spawn_app};
use crate::messages::{contact, conversation_of, count, listing, reply, sql};

/// Runs the due jobs, then returns what `to` received over SMTP, oldest first.
async fn delivered(app: &TestApp, to: &str) -> Vec<ReceivedMail> {
    app.run_jobs().await;
    smtp_server().inbox(to)
}

/// As if the last mail about every conversation went out 16 minutes ago.
fn a_quarter_hour_passes(app: &TestApp) {
    sql(
        app,
        "UPDATE conversation_members SET notified_at = notified_at - interval '16 minutes'",
    );
}

fn path_of(app: &TestApp, link: &str) -> String {
    link.strip_prefix(&app.address)
        .unwrap_or_else(|| panic!("{link} is not a link to the site"))
        .to_owned()
}

#[tokio::test]
async fn an_unread_message_is_mailed_at_most_once_a_quarter_hour() {
    let mut app = spawn_app().await;
    let seller = app.sign_up_new_member().await;
    let (id, _) = listing(&app, "Teak sideboard").await;
    let (buyer, buyer_user) = app.new_member().await;
    // Their sign-up mail goes to files; from here on, mail goes to the SMTP server.
    app.run_jobs().await;
    app.send_mail_by_smtp();
    let path = conversation_of(
        &contact(
            &buyer,
            id,
            &[("body", "Is it still available?\nI live nearby.")],
        )
        .await,
    );

    let mails = delivered(&app, &seller.email).await;
    assert_eq!(mails.len(), 1, "{mails:?}");
    let mail = &mails[0];
    assert!(
        mail.subject.contains(&buyer_user.username),
        "{}",
        mail.subject
    );
    assert!(mail.subject.contains("Teak sideboard"), "{}", mail.subject);
    for part in [&mail.text, &mail.html] {
        assert!(part.contains("Is it still available?"), "{part}");
        assert!(
            part.contains(&format!("{}{path}", app.address)),
            "a link to the conversation"
        );
        assert!(
            !part.contains(&buyer_user.email),
            "never the sender's address"
        );
    }
    let unsubscribe = mail.unsubscribe_link();
    assert!(mail.text.contains(&unsubscribe));
    assert!(!mail.text.contains(&buyer_user.email));

    // More messages within the quarter hour: no more mail.
    reply(
        &buyer,
        &path,
        &[("body", "Also, does it come with the key?")],
    )
    .await;
    reply(&buyer, &path, &[("body", "Thanks!")]).await;
    assert_eq!(delivered(&app, &seller.email).await.len(), 1);

    // Later, still unread: one more, about the newest.
    a_quarter_hour_passes(&app);
    reply(&buyer, &path, &[("body", "Shall I come on Sunday?")]).await;
    let mails = delivered(&app, &seller.email).await;
    assert_eq!(mails.len(), 2);
    assert!(mails[1].text.contains("Shall I come on Sunday?"));
    assert!(
        mails[1].text.contains("4 unread messages"),
        "{}",
        mails[1].text
    );

    // A message read before its job runs is not mailed about.
    a_quarter_hour_passes(&app);
    reply(&buyer, &path, &[("body", "Hello again")]).await;
    app.get_ok_page(&path).await;
    assert_eq!(delivered(&app, &seller.email).await.len(), 2);

    // The seller's answer mails the buyer (who has not read it).
    reply(&app.visitor, &path, &[("body", "Sunday is fine.")]).await;
    let to_buyer = delivered(&app, &buyer_user.email).await;
    assert_eq!(to_buyer.len(), 1);
    assert!(!to_buyer[0].text.contains(&seller.email));

    // The unsubscribe link works without logging in, from a browser that never saw the site.
    let stranger = Visitor::new(&app.address);
    let link = path_of(&app, &unsubscribe);
    let page = stranger.get_ok_page(&link).await;
    assert!(page.body.contains("Stop these e-mails"));
    assert_eq!(
        count(
            &app,
            &format!(
                "SELECT count(*) AS n FROM users WHERE email = '{}' AND message_mail",
                seller.email
            )
        ),
        1,
        "opening the link (a link scanner might) changes nothing"
    );
    // A mail program's one-click unsubscribe: a POST with no cookie and no token.
    let response = reqwest::Client::new()
        .post(app.url(&link))
        .form(&[("List-Unsubscribe", "One-Click")])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert!(
        response
            .text()
            .await
            .unwrap()
            .contains("will not get e-mails")
    );
    a_quarter_hour_passes(&app);
    reply(&buyer, &path, &[("body", "Are you there?")]).await;
    assert_eq!(
        delivered(&app, &seller.email).await.len(),
        2,
        "unsubscribed"
    );

    // A tampered or foreign link is a 404, and changes nothing.
    let (_, other) = app.new_member().await;
    let other_id = count(
        &app,
        &format!(
            "SELECT id AS n FROM users WHERE username = '{}'",
            other.username
        ),
    );
    let seller_id = link.split('/').nth(3).unwrap().to_owned();
    let token = link.rsplit('/').next().unwrap().to_owned();
    for bad in [
        format!("/mail/unsubscribe/{other_id}/{token}"),
        format!("/mail/unsubscribe/{seller_id}/{}", "0".repeat(32)),
        format!("/mail/unsubscribe/{seller_id}/x"),
    ] {
        assert_eq!(
            stranger.get_page(&bad).await.status,
            StatusCode::NOT_FOUND,
            "{bad}"
        );
        let posted = reqwest::Client::new()
            .post(app.url(&bad))
            .send()
            .await
            .unwrap();
        assert_eq!(posted.status(), StatusCode::NOT_FOUND, "{bad}");
    }
    assert_eq!(
        count(
            &app,
            &format!(
                "SELECT count(*) AS n FROM users WHERE username = '{}' AND message_mail",
                other.username
            )
        ),
        1
    );

    // The switch in the settings turns it back on.
    let response = app
        .submit_form(
            "/settings",
            "/settings/notifications",
            &[("message_mail", "on")],
        )
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let settings = app.get_ok_page("/settings").await;
    assert!(
        settings
            .body
            .contains("name=\"message_mail\" type=\"checkbox\" class=\"mt-1 h-4 w-4\" checked")
    );
    a_quarter_hour_passes(&app);
    reply(&buyer, &path, &[("body", "Hello?")]).await;
    assert_eq!(delivered(&app, &seller.email).await.len(), 3);
}

#[tokio::test]
async fn mail_about_messages_lands_in_files_by_default_and_respects_the_switch() {
    let app = spawn_app().await;
    let seller = app.sign_up_new_member().await;
    let (id, _) = listing(&app, "Rattan chair").await;
    let (buyer, buyer_user) = app.new_member().await;
    app.run_jobs().await;
    let before = app.mail_files().len();

    let path = conversation_of(&contact(&buyer, id, &[("body", "Would you deliver?")]).await);
    app.run_jobs().await;
    let mails = app.mail_files();
    assert_eq!(mails.len(), before + 1);
    let mail = mails
        .iter()
        .find(|m| m.to == seller.email && m.subject.contains("Rattan chair"))
        .expect("to the seller");
    assert!(mail.text.contains("Would you deliver?"));
    assert!(!mail.text.contains(&buyer_user.email));

    // Switched off in the settings (the box left unticked): nothing more.
    let response = app
        .submit_form("/settings", "/settings/notifications", &[])
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let settings = app.get_ok_page("/settings").await;
    assert!(settings.body.contains("name=\"message_mail\""));
    assert!(!settings.body.contains("class=\"mt-1 h-4 w-4\" checked"));
    a_quarter_hour_passes(&app);
    reply(&buyer, &path, &[("body", "Hello?")]).await;
    app.run_jobs().await;
    assert_eq!(app.mail_files().len(), before + 1);

    // A member whose address is not confirmed gets none either.
    let (other_buyer, _) = app.new_member().await;
    app.run_jobs().await;
    let before = app.mail_files().len();
    sql(
        &app,
        &format!(
            "UPDATE users SET email_verified_at = NULL, message_mail = true WHERE email = '{}'",
            seller.email
        ),
    );
    contact(&other_buyer, id, &[("body", "Still there?")]).await;
    app.run_jobs().await;
    assert_eq!(app.mail_files().len(), before);
}
