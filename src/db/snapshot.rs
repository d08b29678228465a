//! A value read from the database and kept for a while: counts that would cost too much to
//! read for every request, and that may lag the rows by a few seconds.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use diesel::PgConnection;
use diesel::QueryResult;

/// A value read again at most every `ttl`. Once it is stale, one caller reads it again while
/// the others keep the stale value (letting every request at that moment start the same
/// read would stall them all); before there is any value, the others wait for the first
/// read rather than each start their own. One per app, shared by its workers.
#[derive(Debug)]
pub struct Snapshot<T> {
    ttl: Duration,
    cached: Mutex<Option<(Instant, Arc<T>)>>,
    refreshing: AtomicBool,
    /// Held by the caller reading a value when there is none.
    first_read: Mutex<()>,
}

/// Clears the "refreshing" flag however the read ends.
struct Refreshing<'a>(&'a AtomicBool);

impl Drop for Refreshing<'_> {
    fn drop(&mut self) {
        self.0.store(false, Ordering::Release);
    }
}

impl<T> Snapshot<T> {
    pub fn new(ttl: Duration) -> Self {
        Self {
            ttl,
            cached: Mutex::new(None),
            refreshing: AtomicBool::new(false),
            first_read: Mutex::new(()),
        }
    }

    /// Forgets the value: the next caller reads it afresh (the rows it comes from changed).
    pub fn invalidate(&self) {
        *self.cached.lock().expect("snapshot") = None;
    }

    /// The value, read with `read` when there is none yet or it is older than the ttl.
    pub fn get(
        &self,
        conn: &mut PgConnection,
        read: impl FnOnce(&mut PgConnection) -> QueryResult<T>,
    ) -> QueryResult<Arc<T>> {
        let mut first = None;
        loop {
            match self.cached.lock().expect("snapshot").as_ref() {
                Some((at, value))
                    if at.elapsed() < self.ttl || self.refreshing.swap(true, Ordering::AcqRel) =>
                {
                    return Ok(Arc::clone(value));
                }
                Some(_) => break,
                None if first.is_some() => break,
                None => {}
            }
            // No value yet: one caller reads it; the others wait, then use its value (or,
            // if its read failed, read in turn).
            first = Some(self.first_read.lock().unwrap_or_else(|e| e.into_inner()));
        }
        let _refreshing = Refreshing(&self.refreshing);
        let value = Arc::new(read(conn)?);
        *self.cached.lock().expect("snapshot") = Some((Instant::now(), Arc::clone(&value)));
        Ok(value)
    }
}
