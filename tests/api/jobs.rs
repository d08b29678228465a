//! The job queue: each job once however many workers run, retries with back-off, dead jobs,
//! unique and scheduled jobs, periodic jobs, and a job taken over after its worker's kill -9.

use std::time::Duration;

use corkboard::jobs::queue::{self, JobKind, Schedule};
use corkboard::jobs::runner;
use corkboard::mail::SendMail;
use diesel::RunQueryDsl;

use crate::helpers::{TestApp, spawn_app};

pub fn mail_to(to: &str) -> SendMail {
    SendMail {
        to: to.to_owned(),
        subject: format!("Hello {to}"),
        text: "Text".into(),
        html: "<p>HTML</p>".into(),
        headers: Vec::new(),
    }
}

fn jobs_left(app: &TestApp) -> i64 {
    #[derive(diesel::QueryableByName)]
    struct N {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    diesel::sql_query("SELECT count(*) AS n FROM jobs WHERE kind = 'mail'")
        .get_result::<N>(&mut app.pool.get().unwrap())
        .unwrap()
        .n
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn every_job_runs_once_however_many_workers_compete() {
    let app = spawn_app().await;
    {
        let mut conn = app.pool.get().unwrap();
        for i in 0..40 {
            queue::enqueue(&mut conn, &mail_to(&format!("person{i}@example.com"))).unwrap();
        }
    }
    // Three "instances" of two workers each, on the same database.
    let mut workers = Vec::new();
    for instance in 0..3 {
        for worker in 0..2 {
            let ctx = app.job_context();
            workers.push(tokio::spawn(runner::run_worker(
                ctx,
                format!("instance{instance}:{worker}"),
            )));
        }
    }
    for _ in 0..200 {
        if jobs_left(&app) == 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    for worker in &workers {
        worker.abort();
    }

    assert_eq!(jobs_left(&app), 0);
    let mails = app.mail_files();
    assert_eq!(mails.len(), 40, "each mail once");
    let mut recipients: Vec<String> = mails.iter().map(|m| m.to.clone()).collect();
    recipients.sort();
    recipients.dedup();
    assert_eq!(recipients.len(), 40);
}

#[tokio::test]
async fn a_failing_job_backs_off_then_dies_and_an_operator_can_retry_it() {
    let app = spawn_app().await;
    let mut conn = app.pool.get().unwrap();
    queue::enqueue(&mut conn, &mail_to("not an address")).unwrap();

    assert_eq!(app.run_jobs().await, 1);

    #[derive(diesel::QueryableByName, Debug)]
    struct Row {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        id: i64,
        #[diesel(sql_type = diesel::sql_types::Text)]
        state: String,
        #[diesel(sql_type = diesel::sql_types::Integer)]
        attempts: i32,
        #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Text>)]
        last_error: Option<String>,
        #[diesel(sql_type = diesel::sql_types::Double)]
        due_in: f64,
    }
    let row = |conn: &mut diesel::PgConnection| -> Row {
        diesel::sql_query(
            "SELECT id, state, attempts, last_error,
                    extract(epoch FROM run_at - now())::float8 AS due_in FROM jobs",
        )
        .get_result(conn)
        .unwrap()
    };
    let failed = row(&mut conn);
    assert_eq!((failed.state.as_str(), failed.attempts), ("pending", 1));
    assert!(
        failed
            .last_error
            .as_deref()
            .unwrap()
            .contains("not an address")
    );
    assert!(
        (8.0..=11.0).contains(&failed.due_in),
        "retried in ~10 s: {failed:?}"
    );
    // Not due yet: nothing runs.
    assert_eq!(app.run_jobs().await, 0);

    // The last attempt fails: the job is dead, kept for an operator.
    diesel::sql_query("UPDATE jobs SET attempts = max_attempts - 1, run_at = now()")
        .execute(&mut conn)
        .unwrap();
    app.run_jobs().await;
    assert_eq!(row(&mut conn).state, "dead");
    assert_eq!(app.run_jobs().await, 0, "a dead job does not run");

    let cli = |args: &[&str]| {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_corkboard"))
            .arg("jobs")
            .args(args)
            .env("DATABASE_URL", &app.database.url)
            .env("DATA_DIR", app.data_dir.path())
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    };
    let listed = cli(&[]);
    assert!(
        listed.contains("mail") && listed.contains("dead"),
        "{listed}"
    );
    assert!(
        listed.contains("last error:") && listed.contains("not an address"),
        "{listed}"
    );

    cli(&["retry", &failed.id.to_string()]);
    let retried = row(&mut conn);
    assert_eq!((retried.state.as_str(), retried.attempts), ("pending", 0));
    cli(&["discard", &failed.id.to_string()]);
    assert_eq!(jobs_left(&app), 0);
}

#[tokio::test]
async fn unique_and_scheduled_jobs() {
    let app = spawn_app().await;
    let mut conn = app.pool.get().unwrap();
    let key = Schedule::default().unique("welcome:7");
    assert!(queue::enqueue_with(&mut conn, &mail_to("a@example.com"), key.clone()).unwrap());
    assert!(
        !queue::enqueue_with(&mut conn, &mail_to("a@example.com"), key.clone()).unwrap(),
        "one pending job per key"
    );
    let later = Schedule::at(chrono::Utc::now() + chrono::Duration::hours(1));
    queue::enqueue_with(&mut conn, &mail_to("later@example.com"), later).unwrap();

    assert_eq!(app.run_jobs().await, 1, "the scheduled one waits");

    assert_eq!(app.mail_files().len(), 1);
    // Once the keyed job is done, the key is free again.
    assert!(queue::enqueue_with(&mut conn, &mail_to("a@example.com"), key).unwrap());
}

#[tokio::test]
async fn the_janitor_and_the_alerts_are_periodic_jobs_that_queue_their_next_runs() {
    let app = spawn_app().await;
    let db = corkboard::web::Db::new(app.pool.clone());
    runner::ensure_periodic(&db).await.unwrap();
    runner::ensure_periodic(&db).await.unwrap();
    let count = |sql: &str| -> i64 {
        #[derive(diesel::QueryableByName)]
        struct N {
            #[diesel(sql_type = diesel::sql_types::BigInt)]
            n: i64,
        }
        diesel::sql_query(sql)
            .get_result::<N>(&mut app.pool.get().unwrap())
            .unwrap()
            .n
    };
    assert_eq!(
        count("SELECT count(*) AS n FROM jobs WHERE kind = 'janitor'"),
        1
    );
    assert_eq!(
        count("SELECT count(*) AS n FROM jobs WHERE kind = 'alerts'"),
        1
    );

    assert_eq!(app.run_jobs().await, 2);

    assert_eq!(
        count(
            "SELECT count(*) AS n FROM jobs WHERE kind = 'janitor'
             AND run_at BETWEEN now() + interval '14 minutes' AND now() + interval '16 minutes'"
        ),
        1,
        "the next run, a quarter of an hour on"
    );
    assert_eq!(
        count(
            "SELECT count(*) AS n FROM jobs WHERE kind = 'alerts'
             AND run_at BETWEEN now() + interval '4 minutes' AND now() + interval '6 minutes'"
        ),
        1,
        "the alerts every five minutes"
    );
    assert_eq!(runner::Janitor::KIND, "janitor");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_job_whose_worker_is_killed_is_taken_over_when_its_lease_ends() {
    let app = spawn_app().await;
    // An SMTP server that accepts connections and never answers: the worker hangs mid-job.
    let silent = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let silent_port = silent.local_addr().unwrap().port();
    let held = std::thread::spawn(move || {
        let mut open = Vec::new();
        for stream in silent.incoming().take(4) {
            open.push(stream);
        }
        std::thread::sleep(Duration::from_secs(30));
    });
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut server = std::process::Command::new(env!("CARGO_BIN_EXE_corkboard"))
        .arg("serve")
        .env("DATABASE_URL", &app.database.url)
        .env("DATA_DIR", app.data_dir.path())
        .env("BIND", format!("127.0.0.1:{port}"))
        .env("SMTP_URL", format!("smtp://127.0.0.1:{silent_port}"))
        .env("JOB_WORKERS", "1")
        .env("JOB_LEASE_SECONDS", "2")
        .env("RUST_LOG", "warn")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    queue::enqueue(&mut app.pool.get().unwrap(), &mail_to("taken@example.com")).unwrap();
    let holder = format!(":{}:", server.id());
    let held_by_server = || -> bool {
        #[derive(diesel::QueryableByName)]
        struct N {
            #[diesel(sql_type = diesel::sql_types::BigInt)]
            n: i64,
        }
        diesel::sql_query(
            "SELECT count(*) AS n FROM jobs WHERE kind = 'mail' AND locked_by LIKE $1
             AND locked_until > now()",
        )
        .bind::<diesel::sql_types::Text, _>(format!("%{holder}%"))
        .get_result::<N>(&mut app.pool.get().unwrap())
        .unwrap()
        .n == 1
    };
    let mut claimed = false;
    for _ in 0..150 {
        if held_by_server() {
            claimed = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(claimed, "the server's worker never took the job");
    // Held past its first lease: the worker renews it while it runs.
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert!(held_by_server(), "the lease was not renewed");
    // Other workers run other due jobs (the server queued the janitor), never the held one.
    app.run_jobs().await;
    assert!(held_by_server(), "another worker took a held job");
    assert!(app.mail_files().is_empty());

    server.kill().unwrap(); // SIGKILL
    server.wait().unwrap();
    tokio::time::sleep(Duration::from_millis(2500)).await;

    assert_eq!(app.run_jobs().await, 1, "taken over once the lease ran out");

    let mails = app.mail_files();
    assert_eq!(mails.len(), 1);
    assert_eq!(mails[0].to, "taken@example.com");
    assert_eq!(jobs_left(&app), 0);
    drop(held);
}
