//! `/metrics` (issue 19): on its own listener, in Prometheus' text format.

use std::net::TcpListener;

use reqwest::StatusCode;

use crate::helpers::spawn_app;

/// The value of the first sample whose line starts with `name{` and holds every label.
fn sample(text: &str, name: &str, labels: &[&str]) -> Option<f64> {
    text.lines()
        .filter(|line| {
            line.starts_with(&format!("{name}{{")) || line.starts_with(&format!("{name} "))
        })
        .find(|line| labels.iter().all(|label| line.contains(label)))
        .and_then(|line| line.rsplit(' ').next())
        .and_then(|value| value.parse().ok())
}

#[tokio::test]
async fn metrics_count_requests_by_route_and_read_the_pool_streams_and_queue() {
    let app = spawn_app().await;
    let (member, _) = app.new_member().await;
    let instance = app.another_instance();
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let metrics_url = format!("http://{}/metrics", listener.local_addr().unwrap());
    let server = corkboard::metrics::serve(
        listener,
        corkboard::metrics::Sources {
            db: corkboard::web::Db::new(app.pool.clone()),
            hub: instance.lifecycle.hub().clone(),
        },
    )
    .unwrap();
    let handle = server.handle();
    tokio::spawn(server);
    let client = reqwest::Client::new();
    let scrape = || async {
        let response = client.get(&metrics_url).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        assert!(
            response.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with("text/plain; version=0.0.4")
        );
        response.text().await.unwrap()
    };
    let route = [
        "method=\"GET\"",
        "route=\"/u/{username}\"",
        "status=\"404\"",
    ];
    let before = sample(&scrape().await, "http_requests_total", &route).unwrap_or(0.0);

    let there = member.at(&instance.address);
    for _ in 0..3 {
        assert_eq!(
            there.get("/u/nobody-by-this-name").await.status(),
            StatusCode::NOT_FOUND
        );
    }
    let stream = there.open_events("", None).await;
    assert_eq!(stream.status, StatusCode::OK);
    let text = scrape().await;

    let after = sample(&text, "http_requests_total", &route).expect(&text);
    assert!(after >= before + 3.0, "{before} then {after}");
    assert!(
        sample(
            &text,
            "http_request_duration_seconds_bucket",
            &["route=\"/u/{username}\"", "le=\"10\""]
        )
        .is_some_and(|n| n >= 3.0),
        "{text}"
    );
    assert!(
        !text.contains("nobody-by-this-name"),
        "paths are not labels"
    );
    assert_eq!(sample(&text, "live_streams", &[]), Some(1.0), "{text}");
    assert!(sample(&text, "db_pool_connections", &[]).is_some_and(|n| n >= 1.0));
    assert!(sample(&text, "db_pool_checkouts_total", &[]).is_some_and(|n| n >= 1.0));
    assert_eq!(sample(&text, "jobs_dead", &[]), Some(0.0), "{text}");
    assert!(sample(&text, "jobs_due", &[]).is_some(), "{text}");

    // Not on the site's own port.
    assert_eq!(
        app.get("/metrics").await.status(),
        StatusCode::NOT_FOUND,
        "not public"
    );
    drop(stream);
    handle.stop(false).await;
}
