//! Account mail, end to end against the real SMTP server the test command starts (aiosmtpd)
//! and the default `.eml` files: address verification, password resets, change notices.

use diesel::RunQueryDsl;
use reqwest::StatusCode;

use crate::helpers::{ReceivedMail, TestApp, TestUser, assert_redirect_to, smtp_server, spawn_app};

/// An app whose mail goes to the test SMTP server.
async fn app_with_smtp() -> TestApp {
    let mut app = spawn_app().await;
    app.send_mail_by_smtp();
    app
}

/// Runs the queued jobs, then returns what `to` received, oldest first.
async fn delivered(app: &TestApp, to: &str) -> Vec<ReceivedMail> {
    app.run_jobs().await;
    smtp_server().inbox(to)
}

/// The path and query of an absolute link of this app.
fn path_of(app: &TestApp, link: &str) -> String {
    link.strip_prefix(&app.address)
        .expect("a link to the site")
        .to_owned()
}

#[tokio::test]
async fn signing_up_sends_a_link_that_confirms_the_address() {
    let app = app_with_smtp().await;
    let user = app.sign_up_unverified_member().await;
    let settings = app.get_ok_page("/settings").await.body;
    assert!(settings.contains("is not confirmed yet"));
    assert!(
        app.get_ok_page("/")
            .await
            .body
            .contains("Please confirm your e-mail address")
    );

    let mails = delivered(&app, &user.email).await;

    assert_eq!(mails.len(), 1);
    let mail = &mails[0];
    assert!(
        mail.subject.contains("confirm your e-mail address"),
        "{}",
        mail.subject
    );
    assert_eq!(mail.from, "noreply@corkboard.test");
    assert!(mail.text.contains("Why you got this"));
    assert!(mail.html.contains("Confirm my address"));
    let link = mail
        .link(&format!("{}/verify-email?token=", app.address))
        .expect("a link");
    assert!(mail.html.contains(&link.replace('&', "&amp;")) || mail.html.contains(&link));

    let confirmed = app.get(&path_of(&app, &link)).await;
    assert_redirect_to(&confirmed, "/settings");
    let settings = app.get_ok_page("/settings").await.body;
    assert!(settings.contains("Thank you: your e-mail address is confirmed."));
    assert!(settings.contains("is confirmed."));
    assert!(!settings.contains("Please confirm your e-mail address"));
    let profile = app
        .new_visitor()
        .get_ok_page(&format!("/u/{}", user.username))
        .await
        .body;
    assert!(profile.contains("E-mail verified"));
    // A link works once.
    app.get(&path_of(&app, &link)).await;
    assert!(
        app.get_ok_page("/settings")
            .await
            .body
            .contains("expired or was already used")
    );
}

#[tokio::test]
async fn an_unconfirmed_member_may_post_two_listings_and_is_reminded() {
    let app = app_with_smtp().await;
    let user = app.sign_up_unverified_member().await;
    let bikes = app.category_id("for-sale", "bikes");
    let fields = [("title", "Bike"), ("body", "Good."), ("zip", "10001")];
    for _ in 0..2 {
        let posted = crate::helpers::post_listing(&app, bikes, &fields, vec![]).await;
        assert_eq!(posted.status(), StatusCode::SEE_OTHER);
    }

    let third = app.get(&format!("/listings/new?category={bikes}")).await;

    assert_eq!(third.status(), StatusCode::FORBIDDEN);
    assert!(
        third
            .text()
            .await
            .unwrap()
            .contains("confirm your e-mail address to post more than 2")
    );
    // Sending the link again, then confirming, lifts the limit.
    let resent = app
        .submit_form("/settings", "/settings/verify-email", &[])
        .await;
    assert_redirect_to(&resent, "/settings");
    let mails = delivered(&app, &user.email).await;
    assert_eq!(mails.len(), 2, "the welcome and the one sent again");
    let link = mails[1]
        .link(&format!("{}/verify-email?token=", app.address))
        .unwrap();
    // Only the newest link works.
    let old = mails[0]
        .link(&format!("{}/verify-email?token=", app.address))
        .unwrap();
    app.get(&path_of(&app, &old)).await;
    assert!(
        app.get_ok_page("/settings")
            .await
            .body
            .contains("is not confirmed yet")
    );
    app.get(&path_of(&app, &link)).await;
    assert_eq!(
        app.get(&format!("/listings/new?category={bikes}"))
            .await
            .status(),
        StatusCode::OK
    );
}

#[tokio::test]
async fn a_forgotten_password_is_reset_through_a_one_time_link() {
    let app = app_with_smtp().await;
    let user = app.sign_up_unverified_member().await;
    let other_device = app.new_visitor();
    other_device.log_in(&user.username, &user.password).await;
    let stranger = app.new_visitor();

    // The same answer whether or not the address has an account.
    let unknown = stranger
        .submit_form(
            "/password/forgot",
            "/password/forgot",
            &[("email", "nobody@example.com")],
        )
        .await;
    let known = stranger
        .submit_form(
            "/password/forgot",
            "/password/forgot",
            &[("email", &user.email.to_uppercase())],
        )
        .await;
    assert_eq!(unknown.status(), StatusCode::OK);
    assert_eq!(known.status(), StatusCode::OK);
    let (unknown, known) = (unknown.text().await.unwrap(), known.text().await.unwrap());
    assert!(unknown.contains("If an account uses"));
    assert!(known.contains("If an account uses"));
    assert!(smtp_server().inbox("nobody@example.com").is_empty());

    let mails = delivered(&app, &user.email).await;
    let reset = mails
        .iter()
        .find(|m| m.subject.contains("Reset your"))
        .expect("a reset mail");
    let link = reset
        .link(&format!("{}/password/reset?token=", app.address))
        .unwrap();
    let path = path_of(&app, &link);
    let form = stranger.get_ok_page(&path).await.body;
    assert!(form.contains("Choose a new password") && form.contains("name=\"new_password\""));

    // Too weak first: the form says so and the link still works.
    let weak = stranger
        .submit_form(
            &path,
            "/password/reset",
            &[
                ("token", link.split("token=").nth(1).unwrap()),
                ("new_password", "short"),
            ],
        )
        .await;
    assert_eq!(weak.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let token = link.split("token=").nth(1).unwrap().to_owned();
    let new_password = "a brand new passphrase";
    let done = stranger
        .submit_form(
            &path,
            "/password/reset",
            &[("token", &token), ("new_password", new_password)],
        )
        .await;
    assert_redirect_to(&done, "/");
    assert_eq!(
        stranger.logged_in_as().await.as_deref(),
        Some(user.username.as_str())
    );
    // Every other session ended; the old password is gone; the new one works.
    assert_eq!(other_device.logged_in_as().await, None);
    assert_eq!(app.logged_in_as().await, None);
    assert_eq!(
        app.new_visitor()
            .log_in(&user.username, &user.password)
            .await
            .status(),
        StatusCode::UNPROCESSABLE_ENTITY
    );
    assert_redirect_to(
        &app.new_visitor().log_in(&user.username, new_password).await,
        "/",
    );
    // The link worked once.
    assert!(
        app.new_visitor()
            .get_ok_page(&path)
            .await
            .body
            .contains("expired or was already used")
    );
    // And the member is told their password changed.
    let notices = delivered(&app, &user.email).await;
    assert!(
        notices
            .iter()
            .any(|m| m.subject.contains("password was changed"))
    );
}

#[tokio::test]
async fn a_reset_link_expires_after_an_hour() {
    let app = app_with_smtp().await;
    let user = app.sign_up_unverified_member().await;
    app.new_visitor()
        .submit_form(
            "/password/forgot",
            "/password/forgot",
            &[("email", &user.email)],
        )
        .await;
    let mails = delivered(&app, &user.email).await;
    let link = mails
        .iter()
        .find_map(|m| m.link(&format!("{}/password/reset?token=", app.address)))
        .unwrap();
    diesel::sql_query("UPDATE account_tokens SET expires_at = now() - interval '1 second'")
        .execute(&mut app.pool.get().unwrap())
        .unwrap();

    let page = app
        .new_visitor()
        .get_ok_page(&path_of(&app, &link))
        .await
        .body;

    assert!(page.contains("expired or was already used"));
    assert!(!page.contains("name=\"new_password\""));
}

#[tokio::test]
async fn reset_requests_are_rate_limited_per_address() {
    let app = app_with_smtp().await;
    let user = app.sign_up_unverified_member().await;
    let visitor = app.new_visitor();
    for _ in 0..3 {
        let response = visitor
            .submit_form(
                "/password/forgot",
                "/password/forgot",
                &[("email", &user.email)],
            )
            .await;
        assert_eq!(response.status(), StatusCode::OK);
    }

    let refused = visitor
        .submit_form(
            "/password/forgot",
            "/password/forgot",
            &[("email", &user.email)],
        )
        .await;

    assert_eq!(refused.status(), StatusCode::TOO_MANY_REQUESTS);
    let page = refused.text().await.unwrap();
    assert!(
        page.contains(&format!("value=\"{}\"", user.email)),
        "the address is kept"
    );
    let resets = delivered(&app, &user.email)
        .await
        .into_iter()
        .filter(|m| m.subject.contains("Reset"))
        .count();
    assert_eq!(resets, 3);
}

#[tokio::test]
async fn changing_the_address_confirms_the_new_one_and_tells_the_old_one() {
    let app = app_with_smtp().await;
    let user = app.sign_up_unverified_member().await;
    let first = delivered(&app, &user.email).await;
    let link = first[0]
        .link(&format!("{}/verify-email?token=", app.address))
        .unwrap();
    app.get(&path_of(&app, &link)).await;
    let new_address = TestUser::generate().email;

    let changed = app
        .submit_form(
            "/settings",
            "/settings/email",
            &[
                ("email", &new_address),
                ("current_password", &user.password),
            ],
        )
        .await;

    assert_redirect_to(&changed, "/settings");
    assert!(
        app.get_ok_page("/settings")
            .await
            .body
            .contains("is not confirmed yet")
    );
    let old = delivered(&app, &user.email).await;
    let notice = old
        .iter()
        .find(|m| m.subject.contains("address was changed"))
        .expect("a notice");
    assert!(
        notice.text.contains('•') && !notice.text.contains(&new_address),
        "{}",
        notice.text
    );
    let new = smtp_server().inbox(&new_address);
    assert_eq!(new.len(), 1);
    let link = new[0]
        .link(&format!("{}/verify-email?token=", app.address))
        .unwrap();
    app.get(&path_of(&app, &link)).await;
    assert!(
        app.get_ok_page("/settings")
            .await
            .body
            .contains("is confirmed.")
    );
    // A link sent to the old address no longer confirms anything.
    assert!(first[0].link("http").is_some());
}

#[tokio::test]
async fn changing_the_password_sends_a_notice() {
    let app = app_with_smtp().await;
    let user = app.sign_up_unverified_member().await;

    app.submit_form(
        "/settings",
        "/settings/password",
        &[
            ("current_password", &user.password),
            ("new_password", "another fine passphrase"),
        ],
    )
    .await;

    let mails = delivered(&app, &user.email).await;
    let notice = mails
        .iter()
        .find(|m| m.subject.contains("password was changed"))
        .expect("a notice");
    assert!(
        notice
            .text
            .contains(&format!("{}/password/forgot", app.address))
    );
}

#[tokio::test]
async fn without_smtp_mail_is_written_as_files_in_a_private_folder() {
    let app = spawn_app().await;
    let user = app.sign_up_unverified_member().await;

    assert_eq!(app.run_jobs().await, 1);

    let mails = app.mail_files();
    assert_eq!(mails.len(), 1);
    assert_eq!(mails[0].to, user.email);
    assert!(mails[0].subject.contains("confirm your e-mail address"));
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(app.data_dir.path().join("mail"))
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o700);
    let names: Vec<_> = std::fs::read_dir(app.data_dir.path().join("mail"))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    assert!(names.iter().all(|n| n.ends_with(".eml")), "{names:?}");
}

#[tokio::test]
async fn a_down_smtp_server_delays_mail_and_loses_none() {
    let mut app = spawn_app().await;
    // Nothing listens on port 9 (discard) on loopback.
    app.mailer = corkboard::mail::Mailer::from_settings(
        &corkboard::config::MailSettings {
            smtp_url: Some("smtp://127.0.0.1:9".into()),
            ..Default::default()
        },
        app.data_dir.path(),
    )
    .unwrap();
    let user = app.sign_up_unverified_member().await;

    app.run_jobs().await;

    #[derive(diesel::QueryableByName)]
    struct Job {
        #[diesel(sql_type = diesel::sql_types::Integer)]
        attempts: i32,
        #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Text>)]
        last_error: Option<String>,
    }
    let job: Job = diesel::sql_query("SELECT attempts, last_error FROM jobs WHERE kind = 'mail'")
        .get_result(&mut app.pool.get().unwrap())
        .expect("the mail is still queued");
    assert_eq!(job.attempts, 1);
    assert!(job.last_error.is_some());

    // The server is back; the retry is due.
    app.send_mail_by_smtp();
    diesel::sql_query("UPDATE jobs SET run_at = now()")
        .execute(&mut app.pool.get().unwrap())
        .unwrap();
    let mails = delivered(&app, &user.email).await;
    assert_eq!(mails.len(), 1);
}
