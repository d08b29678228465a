//! `GET /rooms/{key}/events`: a room's messages as Server-Sent Events, for its participants.
//! Each event is a new message rendered as the page renders it (`message`, with its number as
//! the event id, so a reconnecting browser resumes after the last it got), or `changed` when
//! the room closed, got a new link or removed the reader (the page reloads to show it).

use std::collections::VecDeque;
use std::sync::Arc;
use std::time::Instant;

use actix_session::Session;
use actix_web::http::header::{self, HeaderName, HeaderValue};
use actix_web::{HttpRequest, HttpResponse, Responder, web};
use actix_web_lab::sse;
use askama::Template;
use chrono::{DateTime, Utc};
use diesel::prelude::*;

use super::feed::{Feed, RoomFeeds};
use super::handlers::participant_of;
use super::queries;
use super::views::{MessageView, Reader};
use crate::db::ids::{ConversationId, MemberId};
use crate::db::schema::conversation_members;
use crate::live::Hub;
use crate::live::hub::Subscription;
use crate::web::{AppError, Db, PageContext};

/// How often an idle stream marks its reader as here.
const PRESENCE: std::time::Duration = std::time::Duration::from_secs(30);
/// A comment this often keeps the stream open through proxies.
const KEEP_ALIVE: std::time::Duration = std::time::Duration::from_secs(20);

/// `GET /rooms/{key}/events`
pub async fn room_events(
    req: HttpRequest,
    ctx: PageContext,
    db: Db,
    session: Session,
    hub: web::Data<Hub>,
    feeds: web::Data<RoomFeeds>,
    key: web::Path<String>,
    query: web::Query<AfterQuery>,
) -> Result<HttpResponse, AppError> {
    let room = super::handlers::load_room(&db, &key).await?;
    let (who, me) = participant_of(&db, &ctx, &session, &room).await?;
    let reader = Reader {
        me: me.id,
        path: room.key().path(),
        owner: room.is_owned_by(who),
    };
    let subscription = hub.subscribe_room(room.id).map_err(|refused| {
        refused.into_error(
            "Too many people are following this room here right now.",
            std::time::Duration::from_secs(3),
        )
    })?;
    let requested = req
        .headers()
        .get("last-event-id")
        .and_then(|v| v.to_str().ok())
        .or(query.after.as_deref())
        .and_then(|v| v.trim().parse::<i32>().ok());
    let id = room.id;
    let last = match requested {
        Some(after) => after.max(0),
        None => db.run(move |conn| queries::last_seq(conn, id)).await?,
    };
    let feed = feeds.feed(id, last, room.revision, room.room_key.clone());
    let stream = Stream {
        db,
        hub,
        feed,
        room: id,
        me: me.id,
        reader,
        revision: room.revision,
        key: room.room_key.clone(),
        subscription,
        last,
        pending: VecDeque::new(),
        touched: None,
        present: None,
        finished: false,
    };
    let body = futures_util::stream::unfold(stream, Stream::next);
    let mut response = sse::Sse::from_infallible_stream(body)
        .with_keep_alive(KEEP_ALIVE)
        .with_retry_duration(std::time::Duration::from_secs(3))
        .respond_to(&req);
    let headers = response.headers_mut();
    headers.insert(
        HeaderName::from_static("x-accel-buffering"),
        HeaderValue::from_static("no"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    Ok(response)
}

#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct AfterQuery {
    after: Option<String>,
}

struct Stream {
    db: Db,
    hub: web::Data<Hub>,
    feed: Arc<Feed>,
    room: ConversationId,
    me: MemberId,
    /// Who reads, for what each message offers them.
    reader: Reader,
    /// The room's revision and key as the reader's page has them.
    revision: i32,
    key: Option<String>,
    subscription: Subscription,
    last: i32,
    pending: VecDeque<sse::Event>,
    /// When the reader was last marked here by the stream (none yet: at once, which sends
    /// who is here to a page that just (re)connected).
    touched: Option<Instant>,
    /// Who is here, as last sent (none sent yet: the page shows it).
    present: Option<Vec<(String, bool)>>,
    /// The reader is out of the room: nothing more is sent.
    finished: bool,
}

impl Stream {
    /// The stream after its last event: it ends at the next call.
    fn ended(mut self) -> Self {
        self.finished = true;
        self
    }

    async fn next(mut self) -> Option<(sse::Event, Self)> {
        if self.finished {
            return None;
        }
        loop {
            if let Some(event) = self.pending.pop_front() {
                return Some((event, self));
            }
            if self.subscription.closing() {
                // Shutting down: the browser comes back after the retry time, elsewhere.
                return None;
            }
            let generation = self.hub.room_generation(self.room);
            let news = match self.feed.after(&self.db, generation, self.last).await {
                Ok(news) => news,
                Err(err) => {
                    tracing::warn!(room = %self.room, error = %err, "cannot read a room's messages");
                    return None;
                }
            };
            for message in &news.messages {
                self.last = self.last.max(message.seq);
                let view = MessageView::new(message, &self.reader);
                match view.render() {
                    Ok(html) => self.pending.push_back(
                        sse::Data::new(html.replace('\n', " "))
                            .event("message")
                            .id(message.seq.to_string())
                            .into(),
                    ),
                    Err(err) => tracing::warn!(error = %err, "cannot render a room message"),
                }
            }
            let changed = news.revision != self.revision || news.key != self.key;
            if changed {
                // The owner changed something: the page reloads and shows what.
                self.revision = news.revision;
                self.key = news.key;
                self.pending
                    .push_back(sse::Data::new("{}").event("changed").into());
            }
            if changed || self.touched.is_none_or(|at| at.elapsed() >= PRESENCE) {
                // Still in the room? (The owner may have removed this reader, or deleted it.)
                // And who else is here now.
                let (me, room) = (self.me, self.room);
                let still = self
                    .db
                    .run(move |conn| {
                        queries::touch(conn, me)?;
                        let removed = conversation_members::table
                            .find(me)
                            .select(conversation_members::removed_at)
                            .first::<Option<DateTime<Utc>>>(conn)
                            .optional()?;
                        Ok::<_, diesel::result::Error>((removed, queries::present(conn, room)?))
                    })
                    .await;
                self.touched = Some(Instant::now());
                let present = match still {
                    Ok((Some(None), present)) => present,
                    _ => {
                        self.pending.retain(|_| false);
                        return Some((sse::Data::new("{}").event("changed").into(), self.ended()));
                    }
                };
                if self.present.as_ref() != Some(&present) {
                    let names: Vec<_> = present
                        .iter()
                        .map(|(name, member)| serde_json::json!({"name": name, "member": member}))
                        .collect();
                    self.pending.push_back(
                        sse::Data::new(serde_json::Value::from(names).to_string())
                            .event("present")
                            .into(),
                    );
                    self.present = Some(present);
                }
            }
            if !self.pending.is_empty() {
                continue;
            }
            // Woken by news, or every half minute to say the reader is still here.
            let _ = tokio::time::timeout(PRESENCE, self.subscription.woken()).await;
        }
    }
}
