//! Read-only pages and the read replica (issue 19). Here the "replica" is a second pool on
//! the test's own database, so pages read the same data either way, and the instance's
//! `db_reads_total{from=…}` counter tells which one each page was given. The real streaming
//! replica, its lag and its failures are in the cluster's tests (`tests/api/cluster.rs`).

use std::time::Duration;

use reqwest::StatusCode;

use crate::helpers::{TestListing, spawn_app_configured, test_database_settings};

/// The replica reads and primary reads counted so far in this process.
fn reads() -> (f64, f64) {
    let text = corkboard::metrics::recorder().render();
    let count = |from: &str| {
        text.lines()
            .find(|l| l.starts_with("db_reads_total{") && l.contains(&format!("from=\"{from}\"")))
            .and_then(|l| l.rsplit(' ').next())
            .and_then(|v| v.parse().ok())
            .unwrap_or(0.0)
    };
    (count("replica"), count("primary"))
}

/// Replica reads that found it gone and ran again on the primary, in this process.
fn retries() -> f64 {
    corkboard::metrics::recorder()
        .render()
        .lines()
        .find_map(|l| l.strip_prefix("db_replica_retries_total "))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(0.0)
}

/// Which database served `path` for `visitor` (a 200 either way): the replica if a read
/// was given it, else the primary (pages that are not read-only use it without counting).
async fn served_by(visitor: &crate::helpers::Visitor, path: &str) -> &'static str {
    let (replica, _) = reads();
    visitor.get_ok_page(path).await;
    if reads().0 > replica {
        "replica"
    } else {
        "primary"
    }
}

#[tokio::test]
async fn read_only_pages_read_a_fresh_replica_except_right_after_a_write_and_never_a_down_one() {
    corkboard::metrics::recorder();
    let app = spawn_app_configured(|state| {
        // Named, so the test can cut the replica's connections alone.
        let url = format!("{}&application_name=replica-pool", state.database_url);
        state.db = state.db.clone().with_replica(
            corkboard::db::build_pool(&url, &test_database_settings()),
            Duration::from_secs(1),
        );
    })
    .await;
    app.sign_up_new_member().await;
    let id = TestListing {
        title: "Walnut desk",
        ..TestListing::default()
    }
    .insert(&app);
    let listing = format!("/listings/{id}/walnut-desk");
    // The lag is checked every 250 ms; the first check makes the replica usable.
    tokio::time::sleep(Duration::from_millis(600)).await;
    let ready: serde_json::Value = app.get("/readyz").await.json().await.unwrap();
    assert_eq!(ready["replica"], "ok", "{ready}");
    assert_eq!(ready["replica_lag_seconds"], 0.0, "{ready}");

    let visitor = app.new_visitor();
    for path in [
        "/",
        "/c/for-sale",
        "/search?q=walnut",
        listing.as_str(),
        "/sitemap.xml",
    ] {
        assert_eq!(served_by(&visitor, path).await, "replica", "{path}");
    }
    // Pages that are not read-only stay on the primary.
    let (member, _) = app.new_member().await;
    assert_eq!(served_by(&member, "/messages").await, "primary");

    // A write marks the browser for a few seconds: what it reads next is the primary's.
    let saved = member
        .submit_form(
            &listing,
            &format!("/listings/{id}/favorite"),
            &[("action", "add")],
        )
        .await;
    assert!(saved.status().is_redirection(), "{}", saved.status());
    assert_eq!(served_by(&member, &listing).await, "primary");
    assert_eq!(served_by(&visitor, &listing).await, "replica", "others");
    tokio::time::sleep(corkboard::web::db::READ_YOUR_WRITES + Duration::from_secs(1)).await;
    assert_eq!(served_by(&member, &listing).await, "replica", "later");

    // The replica's server ends its connections (as a replica that stops does): the page
    // that finds out reads the primary instead, and the visitor sees nothing of it.
    // (The lag check, every 250 ms, may find out first, in which case the page simply reads
    // the primary; then the replica is back within a check and the test tries again.)
    let mut read_again = false;
    for _ in 0..5 {
        let retries_before = retries();
        app.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity
              WHERE datname = current_database() AND application_name = 'replica-pool'",
        );
        visitor.get_ok_page(&listing).await;
        if retries() > retries_before {
            read_again = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(600)).await;
    }
    assert!(
        read_again,
        "a read that found the replica gone ran again on the primary"
    );
    drop(app);

    // In the same test: the counter is the process's, so two apps with replicas must not
    // run at once.
    a_replica_that_does_not_answer_leaves_reads_on_the_primary().await;
}

/// A replica that does not answer: `/readyz` says so and stays ready, pages read the primary.
async fn a_replica_that_does_not_answer_leaves_reads_on_the_primary() {
    corkboard::metrics::recorder();
    let app = spawn_app_configured(|state| {
        let mut settings = test_database_settings();
        settings.checkout_timeout_ms = 200;
        state.db = state.db.clone().with_replica(
            // Nobody listens there.
            corkboard::db::build_pool("postgres://nobody@127.0.0.1:9/none", &settings),
            Duration::from_secs(1),
        );
    })
    .await;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let ready = app.get("/readyz").await;
    assert_eq!(ready.status(), StatusCode::OK, "still ready");
    let ready: serde_json::Value = ready.json().await.unwrap();
    assert_eq!(ready["replica"], "unavailable", "{ready}");
    assert_eq!(served_by(&app.new_visitor(), "/").await, "primary");
}
