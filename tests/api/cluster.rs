//! Against the local cluster (issue 19): nginx in front of three release instances, a
//! PostgreSQL primary with a streaming replica, and the S3-compatible server, as
//! `scripts/cluster.sh` starts them. `make test-cluster` starts a fresh one, runs these
//! (ignored by a plain `cargo test`, which has no cluster), and stops it.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use diesel::prelude::*;
use reqwest::StatusCode;

use crate::helpers::{TestUser, Visitor, hidden_field, post_listing, posted_listing_id};
use crate::messages::{contact, conversation_of, reply};

/// The running cluster: where its parts listen, and its database.
struct Cluster {
    /// nginx: the site's public address.
    url: String,
    /// The three instances, straight.
    instances: Vec<String>,
    database_url: String,
    /// The instances' own role (rows only).
    app_database_url: String,
    dir: PathBuf,
}

fn cluster() -> Cluster {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join(std::env::var("CLUSTER_DIR").unwrap_or_else(|_| "var/cluster".into()));
    let base: u16 = std::env::var("CLUSTER_PORT")
        .ok()
        .and_then(|p| p.parse().ok())
        .unwrap_or(8090);
    let secrets = std::fs::read_to_string(dir.join("secrets.env"))
        .expect("no cluster: run `make test-cluster` (or scripts/cluster.sh up)");
    let secret = |name: &str| -> String {
        secrets
            .lines()
            .find_map(|line| line.strip_prefix(&format!("{name}=")))
            .unwrap_or_else(|| panic!("{name} in secrets.env"))
            .to_owned()
    };
    Cluster {
        url: format!("http://127.0.0.1:{base}"),
        instances: (1..=3)
            .map(|n| format!("http://127.0.0.1:{}", base + n))
            .collect(),
        database_url: format!(
            "postgres://corkboard:{}@127.0.0.1:{}/corkboard",
            secret("DB_PASSWORD"),
            base + 30
        ),
        app_database_url: format!(
            "postgres://corkboard_app:{}@127.0.0.1:{}/corkboard",
            secret("APP_DB_PASSWORD"),
            base + 30
        ),
        dir,
    }
}

impl Cluster {
    fn conn(&self) -> PgConnection {
        PgConnection::establish(&self.database_url).expect("the cluster's primary")
    }

    fn count(&self, query: &str) -> i64 {
        #[derive(QueryableByName)]
        struct N {
            #[diesel(sql_type = diesel::sql_types::BigInt)]
            n: i64,
        }
        diesel::sql_query(query)
            .get_result::<N>(&mut self.conn())
            .unwrap()
            .n
    }

    /// A member signed up through nginx, their address confirmed. (Every test visitor comes
    /// from 127.0.0.1, as nginx says: the per-network counters are cleared first, or the
    /// sign-up limit would refuse the tests' members.)
    async fn new_member(&self) -> (Visitor, TestUser) {
        diesel::sql_query("DELETE FROM rate_limits")
            .execute(&mut self.conn())
            .unwrap();
        let visitor = Visitor::new(&self.url);
        let user = visitor.sign_up_new_member().await;
        diesel::sql_query("UPDATE users SET email_verified_at = now() WHERE username = $1")
            .bind::<diesel::sql_types::Text, _>(&user.username)
            .execute(&mut self.conn())
            .unwrap();
        (visitor, user)
    }

    /// A seller with a listing, and a buyer who wrote about it: (seller, buyer, the
    /// conversation's path).
    async fn conversation(&self) -> (Visitor, Visitor, String) {
        let (seller, _) = self.new_member().await;
        let category = self.count(
            "SELECT c.id::int8 AS n FROM categories c JOIN sections s ON s.id = c.section_id
             WHERE s.slug = 'for-sale' AND c.slug = 'furniture'",
        ) as i32;
        let posted = post_listing(
            &seller,
            category,
            &[
                ("title", "Oak dining table"),
                ("body", "Seats six."),
                ("price", "200"),
                ("zip", "10001"),
            ],
            vec![],
        )
        .await;
        assert_eq!(posted.status(), StatusCode::SEE_OTHER);
        let listing = posted_listing_id(&posted);
        let (buyer, _) = self.new_member().await;
        let sent = contact(&buyer, listing, &[("body", "Is it still there?")]).await;
        let path = conversation_of(&sent);
        (seller, buyer, path)
    }
}

#[tokio::test]
#[ignore = "needs the cluster: make test-cluster"]
async fn cluster_instances_connect_with_a_role_that_may_read_and_write_rows_and_nothing_more() {
    let cluster = cluster();
    // Every instance serves (and made no DDL at start-up: the owner ran the migrations).
    for instance in &cluster.instances {
        let ready = reqwest::get(format!("{instance}/readyz")).await.unwrap();
        assert_eq!(ready.status(), StatusCode::OK, "{instance}");
    }
    let instances_connections = cluster.count(
        "SELECT count(*) AS n FROM pg_stat_activity
          WHERE datname = 'corkboard' AND usename = 'corkboard_app'",
    );
    assert!(instances_connections >= 3, "{instances_connections}");
    let owners_connections = cluster.count(
        "SELECT count(*) AS n FROM pg_stat_activity
          WHERE datname = 'corkboard' AND usename = 'corkboard' AND pid <> pg_backend_pid()",
    );
    assert_eq!(owners_connections, 0, "the instances use the owner's role");

    let mut app = PgConnection::establish(&cluster.app_database_url).expect("as the app");
    // Rows: yes.
    diesel::sql_query("UPDATE rate_limits SET hits = hits WHERE false")
        .execute(&mut app)
        .expect("may write rows");
    diesel::sql_query("SELECT 1 AS one FROM listings LIMIT 1")
        .execute(&mut app)
        .expect("may read rows");
    // The schema, and the migrations' record: no.
    for ddl in [
        "CREATE TABLE intruder (id int)",
        "ALTER TABLE listings ADD COLUMN intruder int",
        "DROP INDEX listings_search_idx",
        "CREATE FUNCTION intruder() RETURNS int LANGUAGE sql AS 'SELECT 1'",
        "DELETE FROM __diesel_schema_migrations",
        "TRUNCATE listings",
    ] {
        let refused = diesel::sql_query(ddl).execute(&mut app).unwrap_err();
        let message = refused.to_string();
        assert!(
            message.contains("permission denied") || message.contains("must be owner"),
            "{ddl}: {message}"
        );
    }
}

#[tokio::test]
#[ignore = "needs the cluster: make test-cluster"]
async fn cluster_a_login_through_nginx_works_on_every_instance() {
    let cluster = cluster();
    let (member, user) = cluster.new_member().await;
    for instance in &cluster.instances {
        // A members-only page: a 200, not the way to the login page.
        let page = member.straight_to(instance).get_ok_page("/settings").await;
        assert!(
            page.body.contains(&user.email) && page.body.contains("/logout"),
            "{instance} knows the login"
        );
    }
    // And nginx spreads requests over all three.
    let before: Vec<f64> = scrape_requests(&cluster).await;
    for _ in 0..30 {
        assert_eq!(
            Visitor::new(&cluster.url).get("/").await.status(),
            StatusCode::OK
        );
    }
    let after = scrape_requests(&cluster).await;
    for (n, (b, a)) in before.iter().zip(&after).enumerate() {
        assert!(a - b >= 5.0, "instance {} served {} of 30", n + 1, a - b);
    }
}

/// Each instance's count of `GET /` answered, from its `/metrics`.
async fn scrape_requests(cluster: &Cluster) -> Vec<f64> {
    let base: u16 = cluster.url.rsplit(':').next().unwrap().parse().unwrap();
    let mut counts = Vec::new();
    for n in 1..=3 {
        let text = reqwest::get(format!("http://127.0.0.1:{}/metrics", base + 10 + n))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let value = text
            .lines()
            .find(|l| {
                l.starts_with("http_requests_total{")
                    && l.contains("route=\"/\"")
                    && l.contains("method=\"GET\"")
                    && l.contains("status=\"200\"")
            })
            .and_then(|l| l.rsplit(' ').next())
            .and_then(|v| v.parse().ok())
            .unwrap_or(0.0);
        counts.push(value);
    }
    counts
}

#[tokio::test]
#[ignore = "needs the cluster: make test-cluster"]
async fn cluster_a_message_sent_through_one_instance_reaches_a_stream_on_another() {
    let cluster = cluster();
    let (seller, buyer, path) = cluster.conversation().await;
    let mut stream = seller
        .straight_to(&cluster.instances[2])
        .open_events("", None)
        .await;
    assert_eq!(stream.status, StatusCode::OK);
    let mut delays = Vec::new();
    for i in 0..5 {
        let sent = Instant::now();
        let response = reply(
            &buyer.straight_to(&cluster.instances[0]),
            &path,
            &[("body", &format!("Message {i} through instance 1"))],
        )
        .await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
        let event = stream
            .next_event(Duration::from_secs(5))
            .await
            .expect("the event on instance 3");
        assert_eq!(event.event, "message");
        delays.push(sent.elapsed());
    }
    // Measured from sending, so this includes the POST itself (its redirect is answered
    // after the commit that notifies), on whatever build the cluster runs (the debug one in
    // `make test`; `make bench-messages` measures the release build).
    println!("delivery across instances: {delays:?}");
    delays.sort();
    assert!(delays[2] < Duration::from_millis(100), "median: {delays:?}");
    assert!(
        delays[4] < Duration::from_millis(250),
        "slowest: {delays:?}"
    );
}

/// Load through nginx while something happens to the instances: readers fetching pages, and
/// writers sending messages (each body unique). Returns (requests, failures, the bodies of
/// the messages whose sending was acknowledged).
async fn under_load<F: std::future::Future<Output = ()>>(
    cluster: &Cluster,
    meanwhile: F,
) -> (usize, Vec<String>, Vec<String>) {
    let stop = Arc::new(AtomicBool::new(false));
    let requests = Arc::new(AtomicUsize::new(0));
    let failures = Arc::new(std::sync::Mutex::new(Vec::new()));
    let mut tasks = Vec::new();
    for _ in 0..4 {
        let (stop, requests, failures) = (stop.clone(), requests.clone(), failures.clone());
        let reader = fresh_connections(&Visitor::new(&cluster.url));
        tasks.push(tokio::spawn(async move {
            let mut n = 0;
            while !stop.load(Ordering::Relaxed) {
                let path = ["/", "/c/for-sale", "/c/for-sale/furniture", "/healthz"][n % 4];
                n += 1;
                requests.fetch_add(1, Ordering::Relaxed);
                match reader.client.get(reader.url(path)).send().await {
                    Ok(r) if r.status().is_success() => {}
                    Ok(r) => failures
                        .lock()
                        .unwrap()
                        .push(format!("GET {path}: {}", r.status())),
                    Err(err) => failures.lock().unwrap().push(format!("GET {path}: {err}")),
                }
            }
        }));
    }
    let mut writers = Vec::new();
    for w in 0..4 {
        let (_, buyer, path) = cluster.conversation().await;
        let buyer = fresh_connections(&buyer);
        let (stop, requests, failures) = (stop.clone(), requests.clone(), failures.clone());
        writers.push(tokio::spawn(async move {
            let mut acknowledged = Vec::new();
            let mut n = 0;
            while !stop.load(Ordering::Relaxed) {
                let body = format!("load {w}-{n} {}", uuid::Uuid::new_v4().simple());
                n += 1;
                requests.fetch_add(1, Ordering::Relaxed);
                match send(&buyer, &path, &body).await {
                    Ok(()) => acknowledged.push(body),
                    Err(failure) => failures.lock().unwrap().push(failure),
                }
                // Under the 30 a minute a member may send.
                tokio::time::sleep(Duration::from_millis(2500)).await;
            }
            acknowledged
        }));
    }
    meanwhile.await;
    tokio::time::sleep(Duration::from_secs(1)).await;
    stop.store(true, Ordering::Relaxed);
    for task in tasks {
        task.await.unwrap();
    }
    let mut acknowledged = Vec::new();
    for writer in writers {
        acknowledged.extend(writer.await.unwrap());
    }
    let failures = failures.lock().unwrap().clone();
    (requests.load(Ordering::Relaxed), failures, acknowledged)
}

/// The same browser, opening a connection for each request. nginx's reload (how a restart
/// takes an instance out) closes its idle keep-alive connections to clients; a request
/// that races that close fails before nginx reads it, and browsers send such a request
/// again on a new connection, which `reqwest` does not.
fn fresh_connections(visitor: &Visitor) -> Visitor {
    let mut fresh = visitor.at(&visitor.address);
    fresh.client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .cookie_provider(visitor.jar.clone())
        .pool_max_idle_per_host(0)
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap();
    fresh
}

/// Sends `body` in the conversation at `path` as a browser does (the page, then its form);
/// a failure says which request failed and how.
async fn send(visitor: &Visitor, path: &str, body: &str) -> Result<(), String> {
    let page = visitor
        .client
        .get(visitor.url(path))
        .send()
        .await
        .map_err(|err| format!("GET {path}: {err}"))?;
    if page.status() != StatusCode::OK {
        return Err(format!("GET {path}: {}", page.status()));
    }
    let html = page
        .text()
        .await
        .map_err(|err| format!("GET {path}: {err}"))?;
    let token = hidden_field(&html, "csrf_token").ok_or(format!("GET {path}: no form"))?;
    let form = reqwest::multipart::Form::new()
        .text("csrf_token", token)
        .text("body", body.to_owned());
    let response = visitor
        .client
        .post(visitor.url(path))
        .header("Origin", visitor.url(""))
        .multipart(form)
        .send()
        .await
        .map_err(|err| format!("POST {path}: {err}"))?;
    if response.status() == StatusCode::SEE_OTHER {
        Ok(())
    } else {
        Err(format!("POST {path}: {}", response.status()))
    }
}

/// What every load test checks: the load ran, and every acknowledged message is stored
/// exactly once (and it says what happened).
fn check_load(
    cluster: &Cluster,
    what: &str,
    requests: usize,
    failures: &[String],
    acknowledged: &[String],
) {
    println!(
        "{what}: {requests} requests, {} failed ({failures:?}), {} messages",
        failures.len(),
        acknowledged.len()
    );
    assert!(requests > 100, "{requests} requests");
    assert_each_stored_once(cluster, acknowledged);
}

/// Every acknowledged message is stored exactly once, and nothing else of the load's is.
fn assert_each_stored_once(cluster: &Cluster, acknowledged: &[String]) {
    for body in acknowledged {
        let escaped = body.replace('\'', "''");
        assert_eq!(
            cluster.count(&format!(
                "SELECT count(*) AS n FROM messages WHERE body = '{escaped}'"
            )),
            1,
            "{body}"
        );
    }
}

#[tokio::test]
#[ignore = "needs the cluster: make test-cluster"]
async fn cluster_a_rolling_restart_under_load_loses_no_request() {
    let cluster = cluster();
    let (requests, failures, acknowledged) = under_load(&cluster, async {
        tokio::time::sleep(Duration::from_secs(1)).await;
        cluster_sh(&["restart"]).await;
    })
    .await;
    check_load(
        &cluster,
        "rolling restart",
        requests,
        &failures,
        &acknowledged,
    );
    assert!(failures.is_empty(), "{failures:#?}");
}

#[tokio::test]
#[ignore = "needs the cluster: make test-cluster"]
async fn cluster_kill_9_of_an_instance_under_load_loses_nothing_and_applies_nothing_twice() {
    let cluster = cluster();
    let pid_file = cluster.dir.join("pids/app2.pid");
    let (requests, failures, acknowledged) = under_load(&cluster, async {
        tokio::time::sleep(Duration::from_secs(2)).await;
        let pid: i32 = std::fs::read_to_string(&pid_file)
            .unwrap()
            .trim()
            .parse()
            .unwrap();
        // SAFETY: a signal to the cluster's own instance.
        assert_eq!(unsafe { libc::kill(pid, libc::SIGKILL) }, 0);
        tokio::time::sleep(Duration::from_secs(4)).await;
        // Brought back, for the tests after this one.
        cluster_sh(&["up"]).await;
    })
    .await;
    check_load(&cluster, "kill -9", requests, &failures, &acknowledged);
    // nginx tries a page again on another instance; a message being sent at the moment of
    // the kill may fail (nginx never sends a POST twice), and then it is not stored twice.
    let pages_failed: Vec<_> = failures.iter().filter(|f| f.starts_with("GET")).collect();
    assert!(pages_failed.is_empty(), "{pages_failed:#?}");
    assert!(
        failures.len() <= 4,
        "at most the messages in flight: {failures:#?}"
    );
}

/// Runs `scripts/cluster.sh <args>` (with the cluster's own settings, from the environment).
async fn cluster_sh(args: &[&str]) {
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("scripts/cluster.sh");
    let status = tokio::process::Command::new(&script)
        .args(args)
        .status()
        .await
        .unwrap();
    assert!(status.success(), "scripts/cluster.sh {args:?}");
}

/// Reads given to the replica so far, over the three instances (their `/metrics`).
async fn replica_reads(cluster: &Cluster) -> f64 {
    let base: u16 = cluster.url.rsplit(':').next().unwrap().parse().unwrap();
    let mut total = 0.0;
    for n in 1..=3 {
        let text = reqwest::get(format!("http://127.0.0.1:{}/metrics", base + 10 + n))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        total += text
            .lines()
            .find(|l| l.starts_with("db_reads_total{") && l.contains("from=\"replica\""))
            .and_then(|l| l.rsplit(' ').next())
            .and_then(|v| v.parse::<f64>().ok())
            .unwrap_or(0.0);
    }
    total
}

#[tokio::test]
#[ignore = "needs the cluster: make test-cluster"]
async fn cluster_the_poster_sees_a_new_listing_at_once_and_everyone_once_replayed() {
    let cluster = cluster();
    for instance in &cluster.instances {
        let ready: serde_json::Value = reqwest::get(format!("{instance}/readyz"))
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(ready["replica"], "ok", "{instance}: {ready}");
    }
    let (seller, _) = cluster.new_member().await;
    let category = cluster.count(
        "SELECT c.id::int8 AS n FROM categories c JOIN sections s ON s.id = c.section_id
         WHERE s.slug = 'for-sale' AND c.slug = 'bikes'",
    ) as i32;
    let title = format!(
        "Replica bike {}",
        &uuid::Uuid::new_v4().simple().to_string()[..8]
    );
    let posted = post_listing(
        &seller,
        category,
        &[
            ("title", &title),
            ("body", "Light and fast."),
            ("price", "300"),
            ("zip", "10001"),
        ],
        vec![],
    )
    .await;
    assert_eq!(posted.status(), StatusCode::SEE_OTHER);
    let path = posted.headers()["location"].to_str().unwrap().to_owned();
    // The poster, just after writing, reads the primary: the page is there at once.
    assert!(seller.get_ok_page(&path).await.body.contains(&title));
    // Anyone else reads the replica, which has it once it replayed the commit.
    let before = replica_reads(&cluster).await;
    let visitor = Visitor::new(&cluster.url);
    let started = Instant::now();
    loop {
        let page = visitor.get_page(&path).await;
        if page.status == StatusCode::OK {
            assert!(page.body.contains(&title));
            break;
        }
        assert_eq!(page.status, StatusCode::NOT_FOUND, "{path}");
        assert!(
            started.elapsed() < Duration::from_secs(2),
            "not replayed in 2 s"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    println!("replayed for visitors after {:?}", started.elapsed());
    assert!(
        replica_reads(&cluster).await > before,
        "read from the replica"
    );
}

#[tokio::test]
#[ignore = "needs the cluster: make test-cluster"]
async fn cluster_without_its_replica_the_site_reads_the_primary_and_goes_back_after() {
    let cluster = cluster();
    let visitor = fresh_connections(&Visitor::new(&cluster.url));
    cluster_sh(&["stop-db", "replica"]).await;
    let stopped = Instant::now();
    let mut failed = Vec::new();
    let mut answered_at = None;
    while stopped.elapsed() < Duration::from_secs(3) {
        let response = visitor.client.get(visitor.url("/c/for-sale")).send().await;
        match response {
            Ok(r) if r.status() == StatusCode::OK => {
                answered_at.get_or_insert(stopped.elapsed());
            }
            Ok(r) => failed.push((stopped.elapsed(), r.status().to_string())),
            Err(err) => failed.push((stopped.elapsed(), err.to_string())),
        }
    }
    // A read that finds the replica gone runs again on the primary: no page fails, not
    // even before the instances' checks (every 250 ms) notice.
    assert!(failed.is_empty(), "{failed:?}");
    assert!(answered_at.is_some());
    for instance in &cluster.instances {
        let ready = reqwest::get(format!("{instance}/readyz")).await.unwrap();
        assert_eq!(ready.status(), StatusCode::OK, "ready on the primary alone");
        let ready: serde_json::Value = ready.json().await.unwrap();
        assert_eq!(ready["replica"], "unavailable", "{ready}");
    }
    let before = replica_reads(&cluster).await;
    cluster_sh(&["start-db", "replica"]).await;
    tokio::time::sleep(Duration::from_secs(1)).await;
    for _ in 0..6 {
        visitor.get_ok_page("/c/for-sale").await;
    }
    assert!(
        replica_reads(&cluster).await > before,
        "back on the replica"
    );
}

#[tokio::test]
#[ignore = "needs the cluster: make test-cluster"]
async fn cluster_without_its_primary_members_get_503_within_2_s_and_it_heals() {
    let cluster = cluster();
    let (member, _) = cluster.new_member().await;
    let member = fresh_connections(&member);
    member.get_ok_page("/messages").await;
    cluster_sh(&["stop-db", "primary"]).await;
    let stopped = Instant::now();
    let status = member.get("/messages").await.status();
    let took = stopped.elapsed();
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(took < Duration::from_secs(2), "answered in {took:?}");
    let ready = reqwest::get(format!("{}/readyz", cluster.instances[0]))
        .await
        .unwrap();
    assert_eq!(ready.status(), StatusCode::SERVICE_UNAVAILABLE);
    // Visitors' read-only pages go on from the replica meanwhile.
    Visitor::new(&cluster.url).get_ok_page("/c/for-sale").await;

    cluster_sh(&["start-db", "primary"]).await;
    let back = Instant::now();
    loop {
        if member.get("/messages").await.status() == StatusCode::OK {
            break;
        }
        assert!(back.elapsed() < Duration::from_secs(10), "did not heal");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    println!(
        "primary stopped: 503 after {took:?}; healed {:?} after it returned",
        back.elapsed()
    );
}

#[tokio::test]
#[ignore = "needs the cluster: make test-cluster"]
async fn cluster_each_job_runs_once_across_the_three_instances() {
    let cluster = cluster();
    let tag = uuid::Uuid::new_v4().simple().to_string();
    {
        let mut conn = cluster.conn();
        for i in 0..60 {
            corkboard::jobs::queue::enqueue(
                &mut conn,
                &crate::jobs::mail_to(&format!("job{i}-{tag}@example.com")),
            )
            .unwrap();
        }
    }
    let waiting = format!(
        "SELECT count(*) AS n FROM jobs WHERE kind = 'mail' AND payload->>'to' LIKE '%{tag}%'"
    );
    let started = Instant::now();
    while cluster.count(&waiting) > 0 {
        assert!(started.elapsed() < Duration::from_secs(30), "jobs left");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // The three instances share one mail folder (the cluster's file mailer).
    let folder = cluster.dir.join("app/mail");
    let mails: Vec<_> = crate::helpers::read_mails(
        std::fs::read_dir(&folder)
            .unwrap()
            .flatten()
            .map(|e| e.path()),
    )
    .into_iter()
    .filter(|m| m.to.contains(&tag))
    .collect();
    let mut recipients: Vec<&str> = mails.iter().map(|m| m.to.as_str()).collect();
    recipients.sort();
    recipients.dedup();
    assert_eq!((mails.len(), recipients.len()), (60, 60), "each mail once");
    println!("60 jobs run once each in {:?}", started.elapsed());
}

#[tokio::test]
#[ignore = "needs the cluster: make test-cluster"]
async fn cluster_a_backup_restores_into_an_empty_database_with_everything_in_it() {
    let cluster = cluster();
    // Something of each kind: members, a listing, a conversation.
    cluster.conversation().await;
    let scripts = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("scripts");
    let dump = cluster.dir.join("backup.dump");
    let status = tokio::process::Command::new(scripts.join("backup.sh"))
        .arg(&dump)
        .env("DATABASE_URL", &cluster.database_url)
        .status()
        .await
        .unwrap();
    assert!(status.success(), "backup.sh");

    // An empty database owned by the owner's role, made by the superuser.
    // The same server, another database (and for the superuser, another role).
    let on = |database: &str| {
        let (server, _) = cluster.database_url.rsplit_once('/').unwrap();
        format!("{server}/{database}")
    };
    let superuser = on("postgres").replacen("postgres://corkboard:", "postgres://postgres:", 1);
    let mut admin = PgConnection::establish(&superuser).unwrap();
    diesel::sql_query("DROP DATABASE IF EXISTS corkboard_restored")
        .execute(&mut admin)
        .unwrap();
    diesel::sql_query("CREATE DATABASE corkboard_restored OWNER corkboard")
        .execute(&mut admin)
        .unwrap();
    let restored_url = on("corkboard_restored");
    // The extensions, as the superuser (earthdistance is not a trusted extension).
    diesel::connection::SimpleConnection::batch_execute(
        &mut PgConnection::establish(&on("corkboard_restored").replacen(
            "postgres://corkboard:",
            "postgres://postgres:",
            1,
        ))
        .unwrap(),
        include_str!("../../scripts/extensions.sql"),
    )
    .unwrap();
    let status = tokio::process::Command::new(scripts.join("restore.sh"))
        .arg(&dump)
        .arg(&restored_url)
        .status()
        .await
        .unwrap();
    assert!(status.success(), "restore.sh");

    let count = |url: &str, query: &str| -> i64 {
        #[derive(QueryableByName)]
        struct N {
            #[diesel(sql_type = diesel::sql_types::BigInt)]
            n: i64,
        }
        diesel::sql_query(query)
            .get_result::<N>(&mut PgConnection::establish(url).unwrap())
            .unwrap()
            .n
    };
    for query in [
        "SELECT count(*) AS n FROM users",
        "SELECT count(*) AS n FROM listings",
        "SELECT count(*) AS n FROM messages",
        "SELECT count(*) AS n FROM conversations",
        "SELECT count(*) AS n FROM __diesel_schema_migrations",
        "SELECT count(*) AS n FROM places",
        // The spatial index rebuilt, and full-text search.
        "SELECT count(*) AS n FROM listings
         WHERE earth_box(ll_to_earth(40.75, -73.99), 80000) @> ll_to_earth(latitude, longitude)",
        "SELECT count(*) AS n FROM listings WHERE search @@ websearch_to_tsquery('english', 'table')",
    ] {
        let (before, after) = (
            count(&cluster.database_url, query),
            count(&restored_url, query),
        );
        assert!(before > 0, "{query}: nothing to compare");
        assert_eq!(before, after, "{query}");
    }
    diesel::sql_query("DROP DATABASE corkboard_restored WITH (FORCE)")
        .execute(&mut admin)
        .unwrap();
}
