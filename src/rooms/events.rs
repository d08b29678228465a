//! `GET /rooms/{key}/events`: a room's messages as Server-Sent Events, for its participants.
//! Each event is a new message rendered as the page renders it (`message`, with its number as
//! the event id, so a reconnecting browser resumes after the last it got), or `changed` when
//! the room closed, got a new link or removed the reader (the page reloads to show it).

use std::collections::VecDeque;

use actix_session::Session;
use actix_web::http::header::{self, HeaderName, HeaderValue};
use actix_web::{HttpRequest, HttpResponse, Responder, web};
use actix_web_lab::sse;
use askama::Template;
use chrono::{DateTime, Utc};
use diesel::prelude::*;

use super::handlers::participant_of;
use super::queries::{self, Participant, Room};
use super::views::{MessageView, Reader};
use crate::db::ids::{ConversationId, MemberId};
use crate::db::schema::{conversation_members, conversations};
use crate::live::Hub;
use crate::live::hub::Subscription;
use crate::web::{AppError, Db, PageContext};

/// Messages read per database round trip.
const BATCH: i64 = 50;
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
    key: web::Path<String>,
    query: web::Query<AfterQuery>,
) -> Result<HttpResponse, AppError> {
    let room = super::handlers::load_room(&db, &key).await?;
    let (who, me) = participant_of(&db, &ctx, &session, &room).await?;
    let reader = Reader {
        me: me.id,
        path: room.key().path(),
        owner: room.is_owned_by(who),
        member: matches!(who, super::queries::Who::Member(_)),
    };
    let subscription = hub
        .subscribe_room(room.id)
        .map_err(|_| AppError::TooManyRequests {
            reason: "Too many people are following this room here right now.",
            retry_after: std::time::Duration::from_secs(3),
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
    let stream = Stream {
        db,
        room: id,
        state: State::of(&room, &me),
        me: me.id,
        reader,
        subscription,
        last,
        pending: VecDeque::new(),
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

/// What of the room, seen from the reader, ends the stream when it changes.
#[derive(Debug, Clone, PartialEq, Eq)]
struct State {
    key: Option<String>,
    revision: i32,
    removed: bool,
}

impl State {
    fn of(room: &Room, me: &Participant) -> Self {
        Self {
            key: room.room_key.clone(),
            revision: room.revision,
            removed: me.removed_at.is_some(),
        }
    }
}

struct Stream {
    db: Db,
    room: ConversationId,
    me: MemberId,
    /// Who reads, for what each message offers them.
    reader: Reader,
    state: State,
    subscription: Subscription,
    last: i32,
    pending: VecDeque<sse::Event>,
}

impl Stream {
    async fn next(mut self) -> Option<(sse::Event, Self)> {
        loop {
            if let Some(event) = self.pending.pop_front() {
                return Some((event, self));
            }
            let (room, me, after) = (self.room, self.me, self.last);
            let read = self
                .db
                .run(move |conn| {
                    let (key, revision): (Option<String>, i32) = conversations::table
                        .find(room)
                        .select((conversations::room_key, conversations::revision))
                        .first(conn)
                        .optional()?
                        .unwrap_or((None, 0));
                    queries::touch(conn, me)?;
                    let removed: Option<DateTime<Utc>> = conversation_members::table
                        .find(me)
                        .select(conversation_members::removed_at)
                        .first(conn)
                        .optional()?
                        .unwrap_or(Some(Utc::now()));
                    let messages = queries::messages_after(conn, room, after, BATCH)?;
                    Ok::<_, diesel::result::Error>((
                        State {
                            key,
                            revision,
                            removed: removed.is_some(),
                        },
                        messages,
                    ))
                })
                .await;
            match read {
                Ok((state, messages)) => {
                    for message in &messages {
                        self.last = self.last.max(message.seq);
                        let view = MessageView::new(message, &self.reader);
                        match view.render() {
                            Ok(html) => self.pending.push_back(
                                sse::Data::new(html.replace('\n', " "))
                                    .event("message")
                                    .id(message.seq.to_string())
                                    .into(),
                            ),
                            Err(err) => {
                                tracing::warn!(error = %err, "cannot render a room message")
                            }
                        }
                    }
                    if state != self.state {
                        self.state = state;
                        self.pending
                            .push_back(sse::Data::new("{}").event("changed").into());
                    }
                    if !self.pending.is_empty() {
                        continue;
                    }
                    if self.state.removed || self.state.key.is_none() {
                        return None;
                    }
                }
                Err(err) => {
                    tracing::warn!(room = %self.room, error = %err, "cannot read a room's messages");
                    return None;
                }
            }
            // Woken by news, or every half minute to say the reader is still here.
            let _ = tokio::time::timeout(PRESENCE, self.subscription.woken()).await;
        }
    }
}
