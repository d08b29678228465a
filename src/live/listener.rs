//! The process's one `LISTEN` connection: turns `NOTIFY`s on the events channel into
//! wake-ups for this process's streams.
//!
//! Policy:
//! - One dedicated `tokio-postgres` connection per process (not a pooled Diesel one: Diesel's
//!   notification iterator polls and goes silent when its connection dies, tokio-postgres
//!   reports the loss).
//! - When the connection is lost the listener reconnects with a growing pause (at most
//!   `MAX_PAUSE`), and once listening again wakes every stream: each reads from the database
//!   what it missed meanwhile, so a lost connection delays events but loses none.
//! - Payloads are numbers only: `<user id>:<event number>` for a new event, `end:<user id>`
//!   when one of the member's logins ended, `room:<conversation id>` when a chat room has
//!   something new; several separated by spaces. One word more:
//!   `categories` when an admin changed the category tree, which drops this process's cached
//!   tree (and so does reconnecting, which may have missed one).

use std::sync::Arc;
use std::time::Duration;

use futures_util::StreamExt;
use tokio_postgres::{AsyncMessage, NoTls};

use super::hub::Hub;
use crate::db::ids::UserId;
use crate::listings::queries::CategoryCounts;
use crate::messages::queries::EVENTS_CHANNEL;

const FIRST_PAUSE: Duration = Duration::from_millis(100);
const MAX_PAUSE: Duration = Duration::from_secs(5);

/// What one item of a payload says.
#[derive(Debug, PartialEq, Eq)]
pub enum Announcement {
    /// The member's stream has a new event.
    Event(UserId),
    /// One of the member's logins ended.
    LoginEnded(UserId),
    /// An admin changed the category tree.
    CategoriesChanged,
    /// A chat room has a new message or changed.
    Room(crate::db::ids::ConversationId),
}

/// The items of a payload; anything unreadable is skipped (and logged).
pub fn parse(payload: &str) -> impl Iterator<Item = Announcement> + '_ {
    payload.split_ascii_whitespace().filter_map(|item| {
        let parsed = match item.split_once(':') {
            None if item == crate::listings::categories::CHANGED => {
                Some(Announcement::CategoriesChanged)
            }
            Some(("end", user)) => user.parse().ok().map(Announcement::LoginEnded),
            Some(("room", room)) => room.parse().ok().map(Announcement::Room),
            Some((user, seq)) if seq.parse::<i64>().is_ok() => {
                user.parse().ok().map(Announcement::Event)
            }
            _ => None,
        };
        if parsed.is_none() {
            tracing::warn!(item, "unreadable event announcement");
        }
        parsed
    })
}

/// Listens on `database_url` for as long as the process runs (spawn it once per process);
/// `categories` is the process's cached category tree.
pub async fn listen(database_url: String, hub: Hub, categories: Arc<CategoryCounts>) {
    let mut pause = FIRST_PAUSE;
    loop {
        match listen_once(&database_url, &hub, &categories).await {
            Ok(()) => tracing::warn!("the events listener's connection closed; reconnecting"),
            Err(err) => {
                tracing::warn!(error = %err, pause_ms = pause.as_millis() as u64, "the events listener is down; reconnecting")
            }
        }
        tokio::time::sleep(pause).await;
        pause = (pause * 2).min(MAX_PAUSE);
    }
}

/// One connection's life: connect, `LISTEN`, wake everyone (to catch up), then forward
/// notifications until the connection ends.
async fn listen_once(
    database_url: &str,
    hub: &Hub,
    categories: &CategoryCounts,
) -> Result<(), tokio_postgres::Error> {
    let (client, mut connection) = tokio_postgres::connect(database_url, NoTls).await?;
    let mut messages = futures_util::stream::poll_fn(move |cx| connection.poll_message(cx));
    let statement = format!("LISTEN {EVENTS_CHANNEL}");
    let listen = client.batch_execute(&statement);
    // The connection must be polled for the LISTEN to complete.
    tokio::pin!(listen);
    loop {
        tokio::select! {
            done = &mut listen => { done?; break; }
            message = messages.next() => match message {
                Some(Ok(AsyncMessage::Notification(n))) => forward(hub, categories, n.payload()),
                Some(Ok(_)) => {}
                Some(Err(err)) => return Err(err),
                None => return Ok(()),
            },
        }
    }
    tracing::info!("listening for live events");
    hub.wake_all();
    categories.invalidate();
    while let Some(message) = messages.next().await {
        match message? {
            AsyncMessage::Notification(n) => forward(hub, categories, n.payload()),
            AsyncMessage::Notice(notice) => tracing::info!(%notice, "from the events listener"),
            _ => {}
        }
    }
    Ok(())
}

fn forward(hub: &Hub, categories: &CategoryCounts, payload: &str) {
    for announcement in parse(payload) {
        match announcement {
            Announcement::Event(user) => hub.announce(user),
            Announcement::LoginEnded(user) => hub.login_ended(user),
            Announcement::CategoriesChanged => categories.invalidate(),
            Announcement::Room(room) => hub.announce_room(room),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn payloads_are_read_item_by_item() {
        let items: Vec<_> =
            parse("12:5 end:7  9:100 junk 3:x end:y categories room:4 room:x").collect();
        assert_eq!(
            items,
            vec![
                Announcement::Event(UserId(12)),
                Announcement::LoginEnded(UserId(7)),
                Announcement::Event(UserId(9)),
                Announcement::CategoriesChanged,
                Announcement::Room(crate::db::ids::ConversationId(4)),
            ]
        );
    }
}
