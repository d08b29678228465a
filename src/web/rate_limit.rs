//! Rate limits shared by every instance: fixed-window counters in PostgreSQL.
//!
//! Policy: a limit names what it protects and the key it counts by (a network, an account, a
//! network and an account together). Each attempt counts; over the limit the request is
//! refused with 429 and a `Retry-After` of the rest of the window. Windows end by themselves,
//! so nobody is locked out for good; stale counters are swept by the janitor.
//!
//! Addresses are counted by network, not one by one: an IPv6 client picks any address of its
//! /64, so the /64 is one key (an IPv4 address is its own). Wider networks (a /24, a /48) and
//! the whole site get budgets of their own where one address alone would let a script through
//! (sign-ups).
//!
//! The counters live in an unlogged table: losing them in a crash forgives one window, and
//! counting costs no write to the write-ahead log. A limit on something as frequent as a page
//! view (searches) is counted in each instance's memory first and added to the table once a
//! second ([`Meter`]), so the request itself makes no write.

use std::net::IpAddr;
use std::time::Duration;

use actix_web::HttpRequest;
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{Integer, Interval, Text, Timestamptz};

use super::AppError;

/// A limit: at most `max` attempts per `window`.
#[derive(Debug, Clone, Copy)]
pub struct Limit {
    pub name: &'static str,
    pub max: i32,
    pub window: Duration,
    /// What the refusal says happened (the page adds how long to wait).
    pub refusal: &'static str,
}

const MINUTE: Duration = Duration::from_secs(60);
const QUARTER_HOUR: Duration = Duration::from_secs(15 * 60);
const HOUR: Duration = Duration::from_secs(60 * 60);

/// Log-in attempts from one network, whatever the account.
pub const LOGIN_PER_NETWORK: Limit = Limit {
    name: "login-ip",
    max: 30,
    window: QUARTER_HOUR,
    refusal: "Too many log-in attempts from your network.",
};
/// Log-in attempts against one account from one network. Guesses from elsewhere never stop
/// the owner: this key holds the network.
pub const LOGIN_PER_NETWORK_AND_ACCOUNT: Limit = Limit {
    name: "login-ip-account",
    max: 10,
    window: QUARTER_HOUR,
    refusal: "Too many wrong passwords for this account from your network.",
};
/// Wrong passwords for one account from anywhere: not a limit that refuses anyone, but the
/// count that slows every further attempt (see [`login_delay`]).
pub const LOGIN_FAILURES_PER_ACCOUNT: Limit = Limit {
    name: "login-failures",
    max: i32::MAX,
    window: QUARTER_HOUR,
    refusal: "",
};
/// Accounts created from one address: a campus or an office behind one address signs up
/// dozens in an hour.
pub const SIGNUP_PER_NETWORK: Limit = Limit {
    name: "signup-ip",
    max: 30,
    window: HOUR,
    refusal: "Many accounts were just created from your network, so we are taking a short break from new ones there.",
};
/// Accounts created from one wider network (a /24, a /48): a script rotating addresses.
pub const SIGNUP_PER_WIDE_NETWORK: Limit = Limit {
    name: "signup-net",
    max: 100,
    window: HOUR,
    refusal: "Many accounts were just created from your network, so we are taking a short break from new ones there.",
};
/// Accounts created on the whole site.
pub const SIGNUP_SITE_WIDE: Limit = Limit {
    name: "signup-all",
    max: 1000,
    window: HOUR,
    refusal: "An unusual number of accounts were just created, so sign-ups are paused for a moment.",
};
/// "Current password" checks (changing the e-mail address or password, deleting the account)
/// of one account.
pub const PASSWORD_CHECKS_PER_ACCOUNT: Limit = Limit {
    name: "password-check",
    max: 10,
    window: QUARTER_HOUR,
    refusal: "Too many password attempts.",
};

/// "Forgot password" requests from one network.
pub const PASSWORD_RESETS_PER_NETWORK: Limit = Limit {
    name: "reset-ip",
    max: 10,
    window: HOUR,
    refusal: "Too many password reset requests from your network.",
};
/// "Forgot password" requests for one address (so nobody can flood someone's inbox).
pub const PASSWORD_RESETS_PER_ADDRESS: Limit = Limit {
    name: "reset-address",
    max: 3,
    window: HOUR,
    refusal: "Too many password reset requests for that address.",
};
/// Verification links sent again for one account.
pub const VERIFICATION_MAILS_PER_ACCOUNT: Limit = Limit {
    name: "verify-resend",
    max: 5,
    window: HOUR,
    refusal: "We have sent that link several times already.",
};

/// Searches (pages and feeds) from one network per minute; `max` is set by
/// `SEARCH_RATE_PER_MINUTE`.
pub fn searches_per_network(max: i32) -> Limit {
    Limit {
        name: "search-ip",
        max,
        window: MINUTE,
        refusal: "You are searching faster than we can keep up.",
    }
}

#[derive(QueryableByName)]
struct Counter {
    #[diesel(sql_type = Integer)]
    hits: i32,
    #[diesel(sql_type = Timestamptz)]
    window_start: DateTime<Utc>,
}

/// Counts one attempt for `key` under `limit`; returns the attempts in the current window
/// (this one included) and when the window ends.
pub fn count(
    conn: &mut PgConnection,
    limit: Limit,
    key: &str,
) -> QueryResult<(i32, DateTime<Utc>)> {
    let window =
        diesel::pg::data_types::PgInterval::from_microseconds(limit.window.as_micros() as i64);
    let counter: Counter = diesel::sql_query(
        "INSERT INTO rate_limits AS r (key, window_start, hits) VALUES ($1, now(), 1)
         ON CONFLICT (key) DO UPDATE SET
           hits = CASE WHEN r.window_start <= now() - $2 THEN 1 ELSE r.hits + 1 END,
           window_start = CASE WHEN r.window_start <= now() - $2 THEN now() ELSE r.window_start END
         RETURNING hits, window_start",
    )
    .bind::<Text, _>(format!("{}:{key}", limit.name))
    .bind::<Interval, _>(window)
    .get_result(conn)?;
    let ends = counter.window_start
        + chrono::Duration::from_std(limit.window).unwrap_or(chrono::Duration::zero());
    Ok((counter.hits, ends))
}

/// Counts one attempt for `key` under `limit`; `Err(TooManyRequests)` once over it.
pub fn hit(conn: &mut PgConnection, limit: Limit, key: &str) -> Result<(), AppError> {
    let (hits, ends) = count(conn, limit, key)?;
    if hits <= limit.max {
        return Ok(());
    }
    let retry_after = (ends - Utc::now())
        .to_std()
        .unwrap_or(Duration::from_secs(1));
    Err(AppError::TooManyRequests {
        retry_after,
        reason: limit.refusal,
    })
}

/// The attempts for `key` in the current window of `limit`, without counting one.
pub fn peek(conn: &mut PgConnection, limit: Limit, key: &str) -> QueryResult<i32> {
    #[derive(QueryableByName)]
    struct Hits {
        #[diesel(sql_type = Integer)]
        hits: i32,
    }
    let window =
        diesel::pg::data_types::PgInterval::from_microseconds(limit.window.as_micros() as i64);
    let found: Option<Hits> = diesel::sql_query(
        "SELECT hits FROM rate_limits WHERE key = $1 AND window_start > now() - $2",
    )
    .bind::<Text, _>(format!("{}:{key}", limit.name))
    .bind::<Interval, _>(window)
    .get_result(conn)
    .optional()?;
    Ok(found.map_or(0, |h| h.hits))
}

/// Forgets the attempts for `key` (after a successful log-in, say).
pub fn reset(conn: &mut PgConnection, limit: Limit, key: &str) -> QueryResult<()> {
    diesel::sql_query("DELETE FROM rate_limits WHERE key = $1")
        .bind::<Text, _>(format!("{}:{key}", limit.name))
        .execute(conn)
        .map(|_| ())
}

/// Removes counters whose window ended long ago; returns how many. For the janitor.
pub fn sweep(conn: &mut PgConnection) -> QueryResult<usize> {
    diesel::sql_query("DELETE FROM rate_limits WHERE window_start < now() - interval '1 day'")
        .execute(conn)
}

/// Most keys a [`Meter`] counts between two flushes; attempts by further keys are counted in
/// the database one by one ([`Metered::Untracked`]), as every other limit is.
pub const METER_MAX_PENDING: usize = 10_000;
/// Most shared counts a [`Meter`] remembers; past it, only keys near their limit are kept (the
/// others' next flush brings their count back).
pub const METER_MAX_SHARED: usize = 50_000;

/// A limit on something as frequent as a page view (searches), counted in each instance's
/// memory and added to the shared counters in batches ([`Meter::flush`], every second or so,
/// by a task of each instance), so the request itself costs no database write.
///
/// Each flush adds the instance's attempts per key and reads back the key's total from every
/// instance; an attempt is refused when that total plus the attempts since the flush is over
/// the limit. So one instance refuses exactly at the limit, and several together let through
/// at most what the others counted in the last flush interval.
#[derive(Debug)]
pub struct Meter {
    limit: Limit,
    state: std::sync::Mutex<MeterState>,
}

#[derive(Debug, Default)]
struct MeterState {
    /// Attempts since the last flush, by key.
    pending: std::collections::HashMap<String, i32>,
    /// Every instance's attempts as of the last flush, and when that window ends, by key.
    shared: std::collections::HashMap<String, (i32, DateTime<Utc>)>,
}

/// What [`Meter::hit`] decided.
#[derive(Debug)]
pub enum Metered {
    Allowed,
    /// Over the limit: the refusal to answer with.
    Refused(AppError),
    /// Too many keys are waiting for the next flush: count this one with [`hit`].
    Untracked,
}

impl Meter {
    pub fn new(limit: Limit) -> Self {
        Self {
            limit,
            state: Default::default(),
        }
    }

    pub fn limit(&self) -> Limit {
        self.limit
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, MeterState> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Counts one attempt for `key`.
    pub fn hit(&self, key: &str) -> Metered {
        let now = Utc::now();
        let mut state = self.lock();
        let (shared, ends) = state
            .shared
            .get(key)
            .filter(|(_, ends)| *ends > now)
            .copied()
            .unwrap_or((
                0,
                now + chrono::Duration::from_std(self.limit.window).unwrap_or_default(),
            ));
        let full = state.pending.len() >= METER_MAX_PENDING;
        let pending = match state.pending.get_mut(key) {
            Some(pending) => pending,
            None if full => return Metered::Untracked,
            None => state.pending.entry(key.to_owned()).or_default(),
        };
        *pending = pending.saturating_add(1);
        if shared.saturating_add(*pending) <= self.limit.max {
            return Metered::Allowed;
        }
        Metered::Refused(AppError::TooManyRequests {
            retry_after: (ends - now).to_std().unwrap_or(Duration::from_secs(1)),
            reason: self.limit.refusal,
        })
    }

    /// Adds the attempts counted since the last flush to the shared counters and reads back
    /// their totals; returns how many keys it wrote. Attempts that cannot be written (the
    /// database is down) are kept for the next flush.
    pub fn flush(&self, conn: &mut PgConnection) -> QueryResult<usize> {
        let batch = std::mem::take(&mut self.lock().pending);
        if batch.is_empty() {
            self.forget_ended(Utc::now());
            return Ok(0);
        }
        let (keys, hits): (Vec<String>, Vec<i32>) = batch
            .iter()
            .map(|(k, v)| (format!("{}:{k}", self.limit.name), *v))
            .unzip();
        match add_counts(conn, self.limit, &keys, &hits) {
            Ok(counters) => {
                let window = chrono::Duration::from_std(self.limit.window).unwrap_or_default();
                let prefix = format!("{}:", self.limit.name);
                let mut state = self.lock();
                for counter in counters {
                    if let Some(key) = counter.key.strip_prefix(&prefix) {
                        state.shared.insert(
                            key.to_owned(),
                            (counter.hits, counter.window_start + window),
                        );
                    }
                }
                drop(state);
                self.forget_ended(Utc::now());
                Ok(batch.len())
            }
            Err(err) => {
                let mut state = self.lock();
                for (key, hits) in batch {
                    if state.pending.len() < METER_MAX_PENDING || state.pending.contains_key(&key) {
                        let pending = state.pending.entry(key).or_default();
                        *pending = pending.saturating_add(hits);
                    }
                }
                Err(err)
            }
        }
    }

    /// Flushes every `every` until the process ends.
    pub async fn flush_every(self: std::sync::Arc<Self>, db: super::Db, every: Duration) {
        let mut ticks = tokio::time::interval(every);
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            ticks.tick().await;
            // Nothing counted: no connection is taken (an idle one would be tested first).
            if self.lock().pending.is_empty() {
                self.forget_ended(Utc::now());
                continue;
            }
            let meter = self.clone();
            if let Err(err) = db.run(move |conn| meter.flush(conn)).await {
                tracing::warn!(error = %err, limit = self.limit.name, "cannot share rate-limit counts; keeping them for later");
            }
        }
    }

    /// Forgets shared counts whose window ended, and keeps the rest under
    /// [`METER_MAX_SHARED`].
    fn forget_ended(&self, now: DateTime<Utc>) {
        let mut state = self.lock();
        state.shared.retain(|_, (_, ends)| *ends > now);
        if state.shared.len() > METER_MAX_SHARED {
            let near = self.limit.max / 2;
            state.shared.retain(|_, (hits, _)| *hits >= near);
        }
    }
}

/// Adds `hits[i]` attempts for `keys[i]` (full keys, the limit's name first) in one statement;
/// returns each key's count and window.
fn add_counts(
    conn: &mut PgConnection,
    limit: Limit,
    keys: &[String],
    hits: &[i32],
) -> QueryResult<Vec<KeyedCounter>> {
    let window =
        diesel::pg::data_types::PgInterval::from_microseconds(limit.window.as_micros() as i64);
    diesel::sql_query(
        "INSERT INTO rate_limits AS r (key, window_start, hits)
         SELECT key, now(), hits FROM unnest($1::text[], $2::int[]) AS t(key, hits)
         ON CONFLICT (key) DO UPDATE SET
           hits = CASE WHEN r.window_start <= now() - $3 THEN excluded.hits
                       ELSE r.hits + excluded.hits END,
           window_start = CASE WHEN r.window_start <= now() - $3 THEN now()
                               ELSE r.window_start END
         RETURNING key, hits, window_start",
    )
    .bind::<diesel::sql_types::Array<Text>, _>(keys)
    .bind::<diesel::sql_types::Array<Integer>, _>(hits)
    .bind::<Interval, _>(window)
    .load(conn)
}

#[derive(QueryableByName)]
struct KeyedCounter {
    #[diesel(sql_type = Text)]
    key: String,
    #[diesel(sql_type = Integer)]
    hits: i32,
    #[diesel(sql_type = Timestamptz)]
    window_start: DateTime<Utc>,
}

/// How long to hold a log-in attempt on an account that has seen `failures` wrong passwords
/// in the window: nothing for the first five (typos), then twice as long after each, up to
/// four seconds. Guessing slows to a crawl; the owner waits a moment, never a lockout.
pub fn login_delay(failures: i32) -> Duration {
    match failures {
        ..=5 => Duration::ZERO,
        n => Duration::from_millis(250u64 << (n - 6).min(4) as u32),
    }
}

/// Whether to believe `X-Forwarded-For`/`Forwarded`, registered as app data.
#[derive(Debug, Clone, Copy)]
pub struct TrustProxyHeaders(pub bool);

/// The client's address: the peer, or the proxy-reported one when configured to trust it.
/// For log lines; limits count by [`client_network`].
pub fn client_ip(req: &HttpRequest) -> String {
    let trust = req.app_data::<TrustProxyHeaders>().is_some_and(|t| t.0);
    let info = req.connection_info();
    let raw = if trust {
        info.realip_remote_addr()
    } else {
        info.peer_addr()
    };
    let raw = raw.unwrap_or("unknown");
    // Strip a port, keep IPv6 intact.
    raw.parse::<std::net::SocketAddr>()
        .map(|addr| addr.ip())
        .or_else(|_| raw.parse::<IpAddr>())
        .map_or_else(|_| raw.to_owned(), |ip| ip.to_string())
}

/// The key limits count the client by: an IPv4 address, or an IPv6 address's /64.
pub fn client_network(req: &HttpRequest) -> String {
    network_of(&client_ip(req), 32, 64)
}

/// The wider network around the client: a /24 for IPv4, a /48 for IPv6.
pub fn client_wide_network(req: &HttpRequest) -> String {
    network_of(&client_ip(req), 24, 48)
}

/// `ip` cut to its first `v4_bits` or `v6_bits`, as `address/bits` (unparsable input as is).
fn network_of(ip: &str, v4_bits: u32, v6_bits: u32) -> String {
    match ip.parse::<IpAddr>() {
        Ok(IpAddr::V4(v4)) if v4_bits >= 32 => v4.to_string(),
        Ok(IpAddr::V4(v4)) => {
            let mask = u32::MAX.checked_shl(32 - v4_bits).unwrap_or(0);
            format!(
                "{}/{v4_bits}",
                std::net::Ipv4Addr::from(u32::from(v4) & mask)
            )
        }
        Ok(IpAddr::V6(v6)) => match v6.to_ipv4_mapped() {
            Some(v4) => network_of(&v4.to_string(), v4_bits, v6_bits),
            None => {
                let mask = u128::MAX.checked_shl(128 - v6_bits).unwrap_or(0);
                format!(
                    "{}/{v6_bits}",
                    std::net::Ipv6Addr::from(u128::from(v6) & mask)
                )
            }
        },
        Err(_) => ip.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ipv6_clients_are_counted_by_their_64_and_ipv4_by_address() {
        assert_eq!(network_of("203.0.113.7", 32, 64), "203.0.113.7");
        assert_eq!(
            network_of("2001:db8:1:2:aaaa:bbbb:cccc:dddd", 32, 64),
            "2001:db8:1:2::/64"
        );
        assert_eq!(
            network_of("2001:db8:1:2::1", 32, 64),
            network_of("2001:db8:1:2:ffff::9", 32, 64)
        );
        assert_ne!(
            network_of("2001:db8:1:2::1", 32, 64),
            network_of("2001:db8:1:3::1", 32, 64)
        );
        assert_eq!(network_of("::ffff:203.0.113.7", 32, 64), "203.0.113.7");
        assert_eq!(network_of("203.0.113.7", 24, 48), "203.0.113.0/24");
        assert_eq!(network_of("2001:db8:1:2::1", 24, 48), "2001:db8:1::/48");
        assert_eq!(network_of("unknown", 24, 48), "unknown");
    }

    #[test]
    fn a_meter_refuses_past_its_limit_and_hands_keys_over_when_full() {
        let meter = Meter::new(searches_per_network(3));
        for _ in 0..3 {
            assert!(matches!(meter.hit("a"), Metered::Allowed));
        }
        match meter.hit("a") {
            Metered::Refused(AppError::TooManyRequests { retry_after, .. }) => {
                assert!(retry_after <= Duration::from_secs(60));
                assert!(retry_after >= Duration::from_secs(58));
            }
            other => panic!("{other:?}"),
        }
        assert!(matches!(meter.hit("b"), Metered::Allowed));
        // Another instance's attempts, as a flush brings them back.
        meter
            .lock()
            .shared
            .insert("c".into(), (3, Utc::now() + chrono::Duration::seconds(30)));
        assert!(matches!(meter.hit("c"), Metered::Refused(_)));
        // A window that ended counts for nothing.
        meter
            .lock()
            .shared
            .insert("d".into(), (3, Utc::now() - chrono::Duration::seconds(1)));
        assert!(matches!(meter.hit("d"), Metered::Allowed));

        let full = Meter::new(searches_per_network(3));
        for key in 0..METER_MAX_PENDING {
            assert!(matches!(full.hit(&key.to_string()), Metered::Allowed));
        }
        assert!(matches!(full.hit("one more"), Metered::Untracked));
        assert!(matches!(full.hit("7"), Metered::Allowed));
    }

    #[test]
    fn log_in_delays_grow_after_a_few_typos_and_stay_bounded() {
        assert_eq!(login_delay(0), Duration::ZERO);
        assert_eq!(login_delay(5), Duration::ZERO);
        assert_eq!(login_delay(6), Duration::from_millis(250));
        assert_eq!(login_delay(7), Duration::from_millis(500));
        assert_eq!(login_delay(10), Duration::from_secs(4));
        assert_eq!(login_delay(10_000), Duration::from_secs(4));
    }
}
