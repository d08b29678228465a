//! Rate limits shared by every instance: fixed-window counters in PostgreSQL.
//!
//! Policy: a limit names what it protects and the key it counts by (an IP address, an account).
//! Each attempt counts; over the limit the request is refused with 429 and a `Retry-After` of
//! the rest of the window. Windows end by themselves, so nobody is locked out for good; stale
//! counters are swept now and then by whoever hits a limit.

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
}

/// Log-in attempts from one address.
pub const LOGIN_PER_IP: Limit = Limit {
    name: "login-ip",
    max: 30,
    window: Duration::from_secs(15 * 60),
};
/// Log-in attempts against one account, wherever they come from.
pub const LOGIN_PER_ACCOUNT: Limit = Limit {
    name: "login-account",
    max: 10,
    window: Duration::from_secs(15 * 60),
};
/// Accounts created from one address.
pub const SIGNUP_PER_IP: Limit = Limit {
    name: "signup-ip",
    max: 5,
    window: Duration::from_secs(60 * 60),
};

#[derive(QueryableByName)]
struct Counter {
    #[diesel(sql_type = Integer)]
    hits: i32,
    #[diesel(sql_type = Timestamptz)]
    window_start: DateTime<Utc>,
}

/// Counts one attempt for `key` under `limit`; `Err(TooManyRequests)` once over it.
pub fn hit(conn: &mut PgConnection, limit: Limit, key: &str) -> Result<(), AppError> {
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
    if counter.hits <= limit.max {
        return Ok(());
    }
    // Over the limit: sweep long-dead counters while we are here (cheap, indexed).
    let _ =
        diesel::sql_query("DELETE FROM rate_limits WHERE window_start < now() - interval '1 day'")
            .execute(conn);
    let ends = counter.window_start
        + chrono::Duration::from_std(limit.window).unwrap_or(chrono::Duration::zero());
    let retry_after = (ends - Utc::now())
        .to_std()
        .unwrap_or(Duration::from_secs(1));
    Err(AppError::TooManyRequests { retry_after })
}

/// Forgets the attempts for `key` (after a successful log-in, say).
pub fn reset(conn: &mut PgConnection, limit: Limit, key: &str) -> QueryResult<()> {
    diesel::sql_query("DELETE FROM rate_limits WHERE key = $1")
        .bind::<Text, _>(format!("{}:{key}", limit.name))
        .execute(conn)
        .map(|_| ())
}

/// Whether to believe `X-Forwarded-For`/`Forwarded`, registered as app data.
#[derive(Debug, Clone, Copy)]
pub struct TrustProxyHeaders(pub bool);

/// The client's address: the peer, or the proxy-reported one when configured to trust it.
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
