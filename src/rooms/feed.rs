//! What a room's open streams in this process share: one read of the room's news per
//! announcement, however many people follow it here.
//!
//! Policy: a stream woken by an announcement asks the room's feed for the messages after the
//! last it sent. The first stream to ask after an announcement reads the database (the
//! others wait for it, then take the same messages); the feed keeps the latest
//! [`KEPT`] messages, so a stream that fell further behind (a reconnect with an old
//! `Last-Event-ID`) reads its own from the database. Feeds live as long as a stream holds
//! them.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex, Weak};

use diesel::prelude::*;

use super::queries::{self, RoomMessage};
use crate::db::ids::ConversationId;
use crate::db::schema::conversations;
use crate::web::{AppError, Db};

/// Messages a feed keeps for streams that are a little behind.
const KEPT: usize = 500;
/// Messages read per database round trip.
const BATCH: i64 = 200;

/// The feeds of this process, by room; registered as app data.
#[derive(Default)]
pub struct RoomFeeds {
    feeds: Mutex<HashMap<ConversationId, Weak<Feed>>>,
}

impl RoomFeeds {
    /// The room's feed, made (from the room's state now) when nobody follows it here yet.
    pub fn feed(
        &self,
        room: ConversationId,
        last: i32,
        revision: i32,
        key: Option<String>,
    ) -> Arc<Feed> {
        let mut feeds = self
            .feeds
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(feed) = feeds.get(&room).and_then(Weak::upgrade) {
            return feed;
        }
        // Forget rooms nobody follows any more before adding one.
        feeds.retain(|_, feed| feed.strong_count() > 0);
        let feed = Arc::new(Feed {
            room,
            state: tokio::sync::Mutex::new(State {
                generation: 0,
                last,
                revision,
                key,
                recent: VecDeque::new(),
            }),
        });
        feeds.insert(room, Arc::downgrade(&feed));
        feed
    }
}

/// One room's shared news.
pub struct Feed {
    room: ConversationId,
    state: tokio::sync::Mutex<State>,
}

struct State {
    /// The announcement the feed has read up to.
    generation: u64,
    /// The room's last message number read.
    last: i32,
    revision: i32,
    key: Option<String>,
    recent: VecDeque<Arc<RoomMessage>>,
}

/// What a stream gets from the feed.
pub struct News {
    /// Messages after the one asked for, oldest first.
    pub messages: Vec<Arc<RoomMessage>>,
    pub revision: i32,
    /// The room's key (none once it is deleted).
    pub key: Option<String>,
}

impl Feed {
    /// The news after message `after`, as of announcement `generation` (read from the
    /// database by the first caller to ask for it).
    pub async fn after(&self, db: &Db, generation: u64, after: i32) -> Result<News, AppError> {
        let mut state = self.state.lock().await;
        if state.generation < generation {
            let (room, last) = (self.room, state.last);
            let (found, messages) = db
                .run(move |conn| {
                    let found: Option<(Option<String>, i32)> = conversations::table
                        .find(room)
                        .select((conversations::room_key, conversations::revision))
                        .first(conn)
                        .optional()?;
                    let messages = queries::messages_after(conn, room, last, BATCH)?;
                    Ok::<_, AppError>((found, messages))
                })
                .await?;
            let full = messages.len() as i64 == BATCH;
            (state.key, state.revision) = found.unwrap_or((None, state.revision));
            for message in messages {
                state.last = state.last.max(message.seq);
                state.recent.push_back(Arc::new(message));
            }
            while state.recent.len() > KEPT {
                state.recent.pop_front();
            }
            // A full batch may have more behind it: the next caller reads on.
            if !full {
                state.generation = generation;
            }
        }
        let oldest = state.recent.front().map_or(state.last + 1, |m| m.seq);
        if after + 1 < oldest && after < state.last {
            // Further behind than the feed keeps: this stream reads its own.
            drop(state);
            let room = self.room;
            let mut news = db
                .run(move |conn| queries::messages_after(conn, room, after, BATCH))
                .await?;
            let state = self.state.lock().await;
            news.retain(|m| m.seq > after);
            return Ok(News {
                messages: news.into_iter().map(Arc::new).collect(),
                revision: state.revision,
                key: state.key.clone(),
            });
        }
        Ok(News {
            messages: state
                .recent
                .iter()
                .filter(|m| m.seq > after)
                .cloned()
                .collect(),
            revision: state.revision,
            key: state.key.clone(),
        })
    }
}
