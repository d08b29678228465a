//! `GET /events`: a member's live stream (Server-Sent Events) for one browser tab.
//!
//! Policy:
//! - One stream per tab carries everything for the member: new messages, read receipts and
//!   unread counts, each event with its number in the member's stream as its `id`.
//! - A stream starts after the event named by `Last-Event-ID` (a reconnect), else by `after=`
//!   (the number the page was made at, so nothing between the page and the stream is lost),
//!   else at the newest. What is missing from there is read from PostgreSQL before going live;
//!   a position older than what is kept gets a `reset` event (the page reloads).
//! - A stream reads at most `BATCH` events per database round trip and sends a comment every
//!   `KEEP_ALIVE`, so proxies and browsers keep it open and a dead client is noticed.
//! - When one of the member's logins ends, each stream checks its own; an ended login's
//!   streams close (and a reconnect is refused with 401).

use std::collections::VecDeque;
use std::time::Duration;

use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderName};
use actix_web::{HttpRequest, HttpResponse, Responder, web};
use actix_web_lab::sse;
use serde::Deserialize;
use serde_json::json;

use super::hub::{Hub, Subscription};
use crate::db::ids::UserId;
use crate::messages::queries::{self as messages, EventKind, StoredEvent};
use crate::web::session::LoginCheck;
use crate::web::{AppError, Db, MaybeUser};

/// Events read per database round trip.
const BATCH: i64 = 100;
/// A comment this often keeps the stream open through proxies (most close idle ones at 30 s
/// or more).
pub const KEEP_ALIVE: Duration = Duration::from_secs(20);
/// How soon a browser reconnects after a dropped stream.
const RETRY: Duration = Duration::from_secs(3);

static LAST_EVENT_ID: HeaderName = HeaderName::from_static("last-event-id");

#[derive(Debug, Deserialize)]
pub struct EventsQuery {
    after: Option<String>,
}

/// `GET /events`
pub async fn events(
    req: HttpRequest,
    user: MaybeUser,
    query: web::Query<EventsQuery>,
    db: Db,
    hub: web::Data<Hub>,
) -> Result<HttpResponse, AppError> {
    let Some(user) = user.0 else {
        // Not a redirect to the login page: a browser's EventSource would read it as a page.
        return Ok(HttpResponse::build(StatusCode::UNAUTHORIZED)
            .insert_header((header::CACHE_CONTROL, "no-store"))
            .body("Log in to receive live updates."));
    };
    let Some(login) = LoginCheck::for_request(&req, user.id) else {
        return Err(AppError::Internal(anyhow::anyhow!(
            "a member without a login token"
        )));
    };
    let requested = req
        .headers()
        .get(&LAST_EVENT_ID)
        .and_then(|v| v.to_str().ok())
        .or(query.after.as_deref())
        .map(|position| position.trim().parse::<i64>().map_err(|_| ()))
        .transpose()
        .map_err(|()| AppError::BadRequest("That is not a position in a stream.".into()))?;
    let subscription = hub.subscribe(user.id).map_err(|refused| {
        refused.into_error(
            "Too many live pages are open for your account. Close a few tabs.",
            RETRY,
        )
    })?;
    // Subscribed before reading the position: an event committed in between wakes the stream.
    let id = user.id;
    let (head, oldest) = db
        .run(move |conn| messages::stream_bounds(conn, id))
        .await?;
    let mut stream = Stream {
        db: db.clone(),
        user: user.id,
        login,
        subscription,
        last: head,
        pending: VecDeque::new(),
    };
    match requested {
        // Ahead of the stream (forged, or from before a database restore): from the newest.
        Some(after) if after >= head => {}
        Some(after) if oldest.is_some_and(|oldest| after + 1 < oldest) || oldest.is_none() => {
            stream.pending.push_back(
                sse::Data::new("{}")
                    .event("reset")
                    .id(head.to_string())
                    .into(),
            );
        }
        Some(after) => stream.last = after.max(0),
        None => {}
    }
    let body = futures_util::stream::unfold(stream, Stream::next);
    let mut response = sse::Sse::from_infallible_stream(body)
        .with_keep_alive(KEEP_ALIVE)
        .with_retry_duration(RETRY)
        .respond_to(&req);
    // Proxies such as nginx must pass the stream on as it comes.
    response.headers_mut().insert(
        HeaderName::from_static("x-accel-buffering"),
        header::HeaderValue::from_static("no"),
    );
    Ok(response)
}

/// One open stream's state.
struct Stream {
    db: Db,
    user: UserId,
    login: LoginCheck,
    subscription: Subscription,
    /// The number of the last event sent (or skipped).
    last: i64,
    /// Read, not yet sent.
    pending: VecDeque<sse::Event>,
}

impl Stream {
    /// The next event to send; `None` ends the stream.
    async fn next(mut self) -> Option<(sse::Event, Self)> {
        loop {
            if let Some(event) = self.pending.pop_front() {
                return Some((event, self));
            }
            if self.subscription.closing() {
                // Shutting down: the browser reconnects after the stream's retry time and
                // resumes from its last event, on another instance.
                return None;
            }
            if self.subscription.take_login_check() && !self.login.still_valid().await {
                tracing::info!(user = %self.user, "closing the live stream of an ended login");
                return None;
            }
            let (user, after) = (self.user, self.last);
            match self
                .db
                .run(move |conn| {
                    let events = messages::events_after(conn, user, after, BATCH)?;
                    let unread = if events.is_empty() {
                        0
                    } else {
                        messages::unread_total(conn, user)?
                    };
                    Ok::<_, diesel::result::Error>((events, unread))
                })
                .await
            {
                Ok((events, unread)) if !events.is_empty() => {
                    for event in &events {
                        self.last = self.last.max(event.seq);
                        self.pending.push_back(to_sse(event, unread));
                    }
                    continue;
                }
                Ok(_) => {}
                Err(err) => {
                    // The database is busy or down: end the stream, the browser comes back
                    // in a few seconds and resumes from its last event.
                    tracing::warn!(user = %self.user, error = %err, "cannot read live events");
                    return None;
                }
            }
            self.subscription.woken().await;
        }
    }
}

/// An event as the browser gets it: its kind as the SSE event name, ids and counts as JSON.
fn to_sse(event: &StoredEvent, unread: i64) -> sse::Event {
    let data = match event.kind {
        EventKind::Message => json!({
            "conversation": event.conversation,
            "message": event.message,
            "unread": unread,
        }),
        EventKind::Seen => json!({
            "conversation": event.conversation,
            "message": event.message,
        }),
        EventKind::Unread => json!({
            "conversation": event.conversation,
            "unread": unread,
        }),
    };
    sse::Data::new(data.to_string())
        .event(event.kind.as_str())
        .id(event.seq.to_string())
        .into()
}
