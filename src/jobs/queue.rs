//! The job queue's table: enqueueing, claiming, finishing and failing jobs.
//!
//! Policy:
//! - A job is a kind (a name) and a JSON payload, typed by a [`JobKind`] where it is made
//!   and where it is run. Enqueueing can happen inside the caller's transaction, so a job
//!   exists exactly when the change that asked for it does.
//! - Claiming takes one due job no one holds (`FOR UPDATE SKIP LOCKED`, so workers on every
//!   instance never take the same one) and leases it to the worker for a while, counting the
//!   attempt. A worker that dies (a crash, `kill -9`) stops renewing its lease; when the lease
//!   runs out, any worker claims the job again.
//! - Finishing deletes the row, but only while the worker still holds the lease: a worker
//!   whose lease ran out (and whose job someone else took) learns it and rolls back. A job
//!   whose effects are in the database finishes in the same transaction as its effects
//!   ([`complete`] inside it), so those effects happen exactly once.
//! - Failing schedules a retry with growing back-off; after `max_attempts` the job is dead
//!   and stays for an operator to retry or discard.
//! - `unique_key`: at most one pending job per key (periodic jobs, "at most one mail per …").

use std::time::Duration;

use crate::db::ids::JobId;
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Integer, Interval, Jsonb, Nullable, Text, Timestamptz};
use serde::Serialize;
use serde::de::DeserializeOwned;

/// A type of job: its name in the table and its payload.
pub trait JobKind: Serialize + DeserializeOwned {
    /// The name stored in `jobs.kind`; never change it once jobs of it may be queued.
    const KIND: &'static str;
    /// Attempts before the job is dead.
    const MAX_ATTEMPTS: i32 = 10;
}

/// When and how a job is queued.
#[derive(Debug, Clone, Default)]
pub struct Schedule {
    /// Not before this moment (now when unset).
    pub run_at: Option<DateTime<Utc>>,
    /// Only one pending job per key: a second one is not queued.
    pub unique_key: Option<String>,
}

impl Schedule {
    pub fn at(run_at: DateTime<Utc>) -> Self {
        Self {
            run_at: Some(run_at),
            unique_key: None,
        }
    }

    pub fn unique(mut self, key: impl Into<String>) -> Self {
        self.unique_key = Some(key.into());
        self
    }
}

/// Queues a job to run as soon as a worker is free.
pub fn enqueue<J: JobKind>(conn: &mut PgConnection, job: &J) -> QueryResult<bool> {
    enqueue_with(conn, job, Schedule::default())
}

/// Queues a job; returns false when a pending job with the same unique key already exists.
pub fn enqueue_with<J: JobKind>(
    conn: &mut PgConnection,
    job: &J,
    schedule: Schedule,
) -> QueryResult<bool> {
    let payload = serde_json::to_value(job)
        .map_err(|err| diesel::result::Error::SerializationError(Box::new(err)))?;
    diesel::sql_query(
        "INSERT INTO jobs (kind, payload, unique_key, max_attempts, run_at)
         VALUES ($1, $2, $3, $4, COALESCE($5, now()))
         ON CONFLICT (unique_key) WHERE unique_key IS NOT NULL AND state = 'pending' DO NOTHING",
    )
    .bind::<Text, _>(J::KIND)
    .bind::<Jsonb, _>(payload)
    .bind::<Nullable<Text>, _>(schedule.unique_key)
    .bind::<Integer, _>(J::MAX_ATTEMPTS)
    .bind::<Nullable<Timestamptz>, _>(schedule.run_at)
    .execute(conn)
    .map(|n| n == 1)
}

/// A job a worker holds.
#[derive(Debug, Clone, QueryableByName)]
pub struct ClaimedJob {
    #[diesel(sql_type = BigInt)]
    pub id: JobId,
    #[diesel(sql_type = Text)]
    pub kind: String,
    #[diesel(sql_type = Jsonb)]
    pub payload: serde_json::Value,
    /// This attempt's number (1 for the first).
    #[diesel(sql_type = Integer)]
    pub attempts: i32,
    #[diesel(sql_type = Integer)]
    pub max_attempts: i32,
}

impl ClaimedJob {
    /// The payload as its kind's type.
    pub fn payload<J: JobKind>(&self) -> Result<J, serde_json::Error> {
        serde_json::from_value(self.payload.clone())
    }
}

fn interval(duration: Duration) -> diesel::pg::data_types::PgInterval {
    diesel::pg::data_types::PgInterval::from_microseconds(duration.as_micros() as i64)
}

/// Claims the next due job for `worker`, leased for `lease`.
pub fn claim(
    conn: &mut PgConnection,
    worker: &str,
    lease: Duration,
) -> QueryResult<Option<ClaimedJob>> {
    diesel::sql_query(
        "UPDATE jobs SET attempts = attempts + 1, locked_by = $1, locked_until = now() + $2
         WHERE id = (SELECT id FROM jobs
                     WHERE state = 'pending' AND run_at <= now()
                       AND (locked_until IS NULL OR locked_until < now())
                     ORDER BY run_at, id
                     FOR UPDATE SKIP LOCKED
                     LIMIT 1)
         RETURNING id, kind, payload, attempts, max_attempts",
    )
    .bind::<Text, _>(worker)
    .bind::<Interval, _>(interval(lease))
    .get_result(conn)
    .optional()
}

/// Keeps `worker`'s lease on a job it is still running; false when it no longer holds it.
pub fn extend_lease(
    conn: &mut PgConnection,
    id: JobId,
    worker: &str,
    lease: Duration,
) -> QueryResult<bool> {
    diesel::sql_query("UPDATE jobs SET locked_until = now() + $3 WHERE id = $1 AND locked_by = $2")
        .bind::<BigInt, _>(id)
        .bind::<Text, _>(worker)
        .bind::<Interval, _>(interval(lease))
        .execute(conn)
        .map(|n| n == 1)
}

/// Finishes a job (deletes it) if `worker` still holds it; returns whether it did. Call it in
/// the transaction that made the job's effects, and roll back when it returns false.
pub fn complete(conn: &mut PgConnection, id: JobId, worker: &str) -> QueryResult<bool> {
    diesel::sql_query("DELETE FROM jobs WHERE id = $1 AND locked_by = $2")
        .bind::<BigInt, _>(id)
        .bind::<Text, _>(worker)
        .execute(conn)
        .map(|n| n == 1)
}

/// How long to wait before attempt `attempts + 1`: 10 s doubling, at most an hour.
pub fn backoff(attempts: i32) -> Duration {
    let exponent = attempts.clamp(1, 20) as u32 - 1;
    Duration::from_secs((10u64 << exponent.min(9)).min(3600))
}

/// Records a failed attempt: retried after the back-off, or dead after the last attempt.
pub fn fail(
    conn: &mut PgConnection,
    job: &ClaimedJob,
    worker: &str,
    error: &str,
) -> QueryResult<()> {
    let error: String = error.chars().take(2000).collect();
    diesel::sql_query(
        "UPDATE jobs SET state = CASE WHEN attempts >= max_attempts THEN 'dead' ELSE 'pending' END,
                         run_at = now() + $3, last_error = $4, locked_by = NULL, locked_until = NULL
         WHERE id = $1 AND locked_by = $2",
    )
    .bind::<BigInt, _>(job.id)
    .bind::<Text, _>(worker)
    .bind::<Interval, _>(interval(backoff(job.attempts)))
    .bind::<Text, _>(error)
    .execute(conn)
    .map(|_| ())
}

/// A job as an operator sees it.
#[derive(Debug, Clone, QueryableByName)]
pub struct JobRow {
    #[diesel(sql_type = BigInt)]
    pub id: JobId,
    #[diesel(sql_type = Text)]
    pub kind: String,
    #[diesel(sql_type = Text)]
    pub state: String,
    #[diesel(sql_type = Integer)]
    pub attempts: i32,
    #[diesel(sql_type = Integer)]
    pub max_attempts: i32,
    #[diesel(sql_type = Timestamptz)]
    pub run_at: DateTime<Utc>,
    #[diesel(sql_type = Nullable<Text>)]
    pub locked_by: Option<String>,
    #[diesel(sql_type = Nullable<Timestamptz>)]
    pub locked_until: Option<DateTime<Utc>>,
    #[diesel(sql_type = Nullable<Text>)]
    pub last_error: Option<String>,
    #[diesel(sql_type = Timestamptz)]
    pub created_at: DateTime<Utc>,
}

impl JobRow {
    /// "running", "waiting", "failed" (retrying) or "dead", for listings.
    pub fn condition(&self, now: DateTime<Utc>) -> &'static str {
        if self.state == "dead" {
            "dead"
        } else if self.locked_until.is_some_and(|until| until > now) {
            "running"
        } else if self.last_error.is_some() {
            "failed"
        } else {
            "waiting"
        }
    }
}

/// Jobs that are not plain waiting ones first (dead, failed, running), then the next due;
/// at most `limit`.
pub fn list(conn: &mut PgConnection, limit: i64) -> QueryResult<Vec<JobRow>> {
    diesel::sql_query(
        "SELECT id, kind, state, attempts, max_attempts, run_at, locked_by, locked_until,
                last_error, created_at
         FROM jobs
         ORDER BY (state = 'dead') DESC, (last_error IS NOT NULL) DESC, run_at, id
         LIMIT $1",
    )
    .bind::<BigInt, _>(limit)
    .load(conn)
}

/// Puts a dead or failed job back in line to run now, with a fresh count of attempts.
pub fn retry(conn: &mut PgConnection, id: JobId) -> QueryResult<bool> {
    diesel::sql_query(
        "UPDATE jobs SET state = 'pending', attempts = 0, run_at = now(), locked_by = NULL,
                         locked_until = NULL
         WHERE id = $1 AND (locked_until IS NULL OR locked_until < now())",
    )
    .bind::<BigInt, _>(id)
    .execute(conn)
    .map(|n| n == 1)
}

/// Deletes a job no worker holds.
pub fn discard(conn: &mut PgConnection, id: JobId) -> QueryResult<bool> {
    diesel::sql_query(
        "DELETE FROM jobs WHERE id = $1 AND (locked_until IS NULL OR locked_until < now())",
    )
    .bind::<BigInt, _>(id)
    .execute(conn)
    .map(|n| n == 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_back_off_from_ten_seconds_to_an_hour() {
        assert_eq!(backoff(1), Duration::from_secs(10));
        assert_eq!(backoff(2), Duration::from_secs(20));
        assert_eq!(backoff(5), Duration::from_secs(160));
        assert_eq!(backoff(9), Duration::from_secs(2560));
        assert_eq!(backoff(10), Duration::from_secs(3600));
        assert_eq!(backoff(1000), Duration::from_secs(3600));
        assert_eq!(backoff(0), Duration::from_secs(10));
    }
}

/// How the queue stands, for `/metrics`.
#[derive(Debug, Clone, Copy, QueryableByName)]
pub struct Depth {
    /// Pending jobs whose time has come (waiting for a worker, or being run).
    #[diesel(sql_type = BigInt)]
    pub due: i64,
    /// Seconds since the oldest of them was due (0 when none).
    #[diesel(sql_type = diesel::sql_types::Double)]
    pub oldest_due_seconds: f64,
    /// Jobs that used up their attempts.
    #[diesel(sql_type = BigInt)]
    pub dead: i64,
}

/// The queue's depth and age (the pending jobs' index and a count of the dead ones).
pub fn depth(conn: &mut PgConnection) -> QueryResult<Depth> {
    diesel::sql_query(
        "SELECT count(*) FILTER (WHERE state = 'pending' AND run_at <= now()) AS due,
                coalesce(extract(epoch FROM now() - min(run_at)
                         FILTER (WHERE state = 'pending' AND run_at <= now())), 0)::float8
                  AS oldest_due_seconds,
                count(*) FILTER (WHERE state = 'dead') AS dead
         FROM jobs",
    )
    .get_result(conn)
}
