//! The workers: claim a due job, perform it, finish or fail it, repeat.
//!
//! Policy:
//! - Every `serve` instance runs `JOB_WORKERS` workers. A worker holds one job at a time and
//!   renews its lease while the job runs, so only a dead worker's job is ever taken over.
//! - Periodic work (the janitor) is a job like any other, with a unique key: every instance
//!   makes sure the next run is queued, one of them runs it, and finishing a run queues the
//!   next in the same transaction.
//! - A job's error is recorded on the job and logged; the worker goes on with the next one.

use std::time::Duration;

use chrono::Utc;
use serde::{Deserialize, Serialize};

use super::queue::{self, ClaimedJob, JobKind, Schedule};
use crate::config::SecretKey;
use crate::db::ids::JobId;
use crate::listings::janitor;
use crate::mail::{MailSite, Mailer, SendMail};
use crate::messages::notify::{self, MessageMail};
use crate::saved::alerts::{self, ALERTS_KEY, Alerts};
use crate::storage::Storage;
use crate::web::{AppError, Db};

/// What jobs need to run, shared by a process's workers.
#[derive(Clone)]
pub struct JobContext {
    /// The site's name and address, for links in mail.
    pub site: MailSite,
    /// Signs links in mail (unsubscribing).
    pub secret: SecretKey,
    pub db: Db,
    pub storage: Storage,
    pub mailer: Mailer,
    /// How long a login lasts (the janitor deletes older ones).
    pub session_lifetime: Duration,
    /// How long a claimed job is a worker's before others may take it over.
    pub lease: Duration,
    /// How often an idle worker looks for due jobs.
    pub poll: Duration,
}

/// Checks that workers run: logs a line, after waiting `delay_ms` (`corkboard jobs ping`).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Ping {
    #[serde(default)]
    pub delay_ms: u64,
}

impl JobKind for Ping {
    const KIND: &'static str = "ping";
    const MAX_ATTEMPTS: i32 = 3;
}

/// The janitor (see [`janitor`]), every quarter of an hour.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Janitor {}

impl JobKind for Janitor {
    const KIND: &'static str = "janitor";
}

const JANITOR_KEY: &str = "periodic:janitor";

/// A name for one worker of this process, unique across instances.
pub fn worker_name(index: usize) -> String {
    let host = std::fs::read_to_string("/proc/sys/kernel/hostname")
        .map(|h| h.trim().to_owned())
        .unwrap_or_else(|_| "host".into());
    format!("{host}:{}:{index}", std::process::id())
}

/// Queues the periodic jobs that are not queued yet (harmless on every start of every
/// instance: their unique keys keep one of each).
pub async fn ensure_periodic(db: &Db) -> Result<(), AppError> {
    db.run(|conn| {
        queue::enqueue_with(
            conn,
            &Janitor::default(),
            Schedule::default().unique(JANITOR_KEY),
        )?;
        queue::enqueue_with(
            conn,
            &Alerts::default(),
            Schedule::default().unique(ALERTS_KEY),
        )
    })
    .await
    .map(|_| ())
}

/// Finishes a run of a periodic job and queues its next run, in one transaction.
async fn finish_periodic<J: JobKind + Default>(
    ctx: &JobContext,
    worker: &str,
    id: JobId,
    key: &'static str,
    interval: Duration,
) -> anyhow::Result<Finished> {
    let worker = worker.to_owned();
    let next = Utc::now() + chrono::Duration::from_std(interval).unwrap_or_default();
    let finished = ctx
        .db
        .run(move |conn| {
            use diesel::Connection;
            conn.transaction(|conn| {
                if !queue::complete(conn, id, &worker)? {
                    return Ok(false);
                }
                queue::enqueue_with(conn, &J::default(), Schedule::at(next).unique(key))?;
                Ok::<_, diesel::result::Error>(true)
            })
        })
        .await?;
    anyhow::ensure!(finished, "lost the job's lease");
    Ok(Finished::Here)
}

/// Runs `workers` workers until the process ends.
pub async fn run_workers(ctx: JobContext, workers: usize) {
    if let Err(err) = ensure_periodic(&ctx.db).await {
        tracing::warn!(error = %err, "cannot queue the periodic jobs yet; workers will retry");
    }
    let mut handles = Vec::new();
    for index in 0..workers.max(1) {
        handles.push(actix_web::rt::spawn(run_worker(
            ctx.clone(),
            worker_name(index),
        )));
    }
    for handle in handles {
        let _ = handle.await;
    }
}

/// One worker's loop.
pub async fn run_worker(ctx: JobContext, worker: String) {
    let mut since_periodic_check = Duration::ZERO;
    loop {
        let claimed = {
            let (worker, lease) = (worker.clone(), ctx.lease);
            ctx.db
                .run(move |conn| queue::claim(conn, &worker, lease))
                .await
        };
        match claimed {
            Ok(Some(job)) => {
                perform(&ctx, &worker, job).await;
                continue;
            }
            Ok(None) => {}
            Err(err) => tracing::warn!(error = %err, "cannot look for jobs; retrying"),
        }
        tokio::time::sleep(ctx.poll).await;
        since_periodic_check += ctx.poll;
        // A periodic job lost with a database restored from backup comes back.
        if since_periodic_check >= Duration::from_secs(60) {
            since_periodic_check = Duration::ZERO;
            let _ = ensure_periodic(&ctx.db).await;
        }
    }
}

/// Runs one claimed job to the end: finished, or failed with its error recorded.
pub async fn perform(ctx: &JobContext, worker: &str, job: ClaimedJob) {
    let started = std::time::Instant::now();
    let heartbeat = keep_lease(ctx.clone(), worker.to_owned(), job.id);
    let outcome = tokio::select! {
        outcome = dispatch(ctx, worker, &job) => outcome,
        () = heartbeat => Err(anyhow::anyhow!("lost the job's lease")),
    };
    let (id, kind, attempt) = (job.id, job.kind.clone(), job.attempts);
    match outcome {
        Ok(Finished::Here) => {}
        Ok(Finished::ByRunner) => {
            let worker = worker.to_owned();
            if let Err(err) = ctx
                .db
                .run(move |conn| queue::complete(conn, id, &worker))
                .await
            {
                tracing::warn!(job = %id, %kind, error = %err, "cannot mark a job done");
            }
        }
        Err(err) => {
            tracing::warn!(job = %id, %kind, attempt, error = format!("{err:#}"), "job failed");
            let (worker, message) = (worker.to_owned(), format!("{err:#}"));
            let _ = ctx
                .db
                .run(move |conn| queue::fail(conn, &job, &worker, &message))
                .await;
            return;
        }
    }
    tracing::info!(job = %id, %kind, ms = started.elapsed().as_millis() as u64, "job done");
}

/// Who finished a job that succeeded.
enum Finished {
    /// The job finished itself, in the transaction of its effects.
    Here,
    /// The runner is to finish it.
    ByRunner,
}

async fn dispatch(ctx: &JobContext, worker: &str, job: &ClaimedJob) -> anyhow::Result<Finished> {
    match job.kind.as_str() {
        SendMail::KIND => {
            let mail: SendMail = job.payload()?;
            ctx.mailer.send(&mail).await?;
            Ok(Finished::ByRunner)
        }
        MessageMail::KIND => {
            let job: MessageMail = job.payload()?;
            let (site, secret) = (ctx.site.clone(), ctx.secret.clone());
            let outcome = ctx
                .db
                .run(move |conn| notify::perform(conn, &site, &secret, job, Utc::now()))
                .await?;
            if let Err(skipped) = outcome {
                tracing::info!(conversation = %job.conversation, user = %job.user, ?skipped, "no mail about new messages");
            }
            Ok(Finished::ByRunner)
        }
        Janitor::KIND => {
            janitor::sweep(&ctx.db, &ctx.storage, janitor::GRACE).await?;
            janitor::sweep_sessions(&ctx.db, ctx.session_lifetime).await?;
            crate::messages::images::sweep_orphans(&ctx.db, &ctx.storage, janitor::GRACE).await?;
            crate::photos::sweep_orphans(
                &ctx.db,
                &ctx.storage,
                "people/",
                janitor::GRACE,
                crate::people::queries::photo_in_use,
            )
            .await?;
            let closed = ctx
                .db
                .run(|conn| {
                    crate::rooms::queries::close_idle_rooms(
                        conn,
                        crate::rooms::queries::ROOM_IDLE_CLOSE,
                        1_000,
                    )
                })
                .await?;
            if closed > 0 {
                tracing::info!(closed, "closed chat rooms idle for 30 days");
            }
            let (site, secret) = (ctx.site.clone(), ctx.secret.clone());
            let reminded = ctx
                .db
                .run(move |conn| {
                    let now = Utc::now();
                    crate::listings::reminders::sweep(conn, now)?;
                    alerts::sweep(conn, now)?;
                    crate::listings::reminders::queue_due(conn, &site, &secret, now)
                })
                .await?;
            if reminded > 0 {
                tracing::info!(reminded, "queued reminders of listings about to expire");
            }
            let kept_since = Utc::now() - crate::messages::queries::EVENTS_KEPT;
            ctx.db
                .run(move |conn| crate::messages::queries::delete_old_events(conn, kept_since))
                .await?;
            // The next run is queued as this one finishes, in one transaction.
            finish_periodic::<Janitor>(ctx, worker, job.id, JANITOR_KEY, janitor::INTERVAL).await
        }
        Alerts::KIND => {
            let (site, secret) = (ctx.site.clone(), ctx.secret.clone());
            let report = ctx
                .db
                .run(move |conn| alerts::run(conn, &site, &secret, Utc::now()))
                .await?;
            if report != alerts::AlertReport::default() {
                tracing::info!(?report, "alerts");
            }
            finish_periodic::<Alerts>(ctx, worker, job.id, ALERTS_KEY, alerts::INTERVAL).await
        }
        Ping::KIND => {
            let ping: Ping = job.payload()?;
            tokio::time::sleep(Duration::from_millis(ping.delay_ms.min(600_000))).await;
            tracing::info!(job = %job.id, "pong");
            Ok(Finished::ByRunner)
        }
        other => anyhow::bail!("no worker knows the job kind {other:?}"),
    }
}

/// Renews a job's lease every third of it; ends (only) when the lease is lost.
async fn keep_lease(ctx: JobContext, worker: String, id: JobId) {
    let every = ctx.lease / 3;
    loop {
        tokio::time::sleep(every).await;
        let (worker, lease) = (worker.clone(), ctx.lease);
        match ctx
            .db
            .run(move |conn| queue::extend_lease(conn, id, &worker, lease))
            .await
        {
            Ok(true) => {}
            Ok(false) => return,
            // The database is away: keep trying while the job runs.
            Err(err) => tracing::warn!(job = %id, error = %err, "cannot renew a job's lease"),
        }
    }
}
