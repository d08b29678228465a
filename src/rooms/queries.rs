//! The SQL of chat rooms: rooms by key, guests by their token's hash, participants, the
//! room's messages and sending.
//!
//! Policy: a room's messages are numbered by the conversation's `seq` (the sender holds the
//! room's row lock, as every send does), so a stream resumes after the last number it sent.
//! Sending to a room writes the message and one `NOTIFY` naming the room; nothing per
//! participant, so a busy room of hundreds costs what a conversation of two does.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text};

use super::domain::RoomKey;
use crate::db::ids::{ConversationId, GuestId, MemberId, MessageId, UserId};
use crate::db::schema::{
    chat_guests, conversation_members, conversations, message_reports, messages, users,
};
use crate::messages::domain::{ConversationKind, MessageKind};
use crate::messages::queries::EVENTS_CHANNEL;

/// Who is in a room: a member, or a guest of this browser.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Who {
    Member(UserId),
    Guest(GuestId),
}

/// A room.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = conversations, check_for_backend(diesel::pg::Pg))]
pub struct Room {
    pub id: ConversationId,
    pub room_key: Option<String>,
    pub title: Option<String>,
    pub started_by: Option<UserId>,
    pub owner_guest_id: Option<GuestId>,
    pub closed_at: Option<DateTime<Utc>>,
    pub last_message_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub revision: i32,
}

impl Room {
    pub fn name(&self) -> &str {
        self.title.as_deref().unwrap_or("Chat room")
    }

    pub fn key(&self) -> RoomKey {
        RoomKey::parse(self.room_key.as_deref().unwrap_or_default())
            .unwrap_or_else(RoomKey::generate)
    }

    pub fn is_owned_by(&self, who: Who) -> bool {
        match who {
            Who::Member(user) => self.started_by == Some(user),
            Who::Guest(guest) => self.owner_guest_id == Some(guest),
        }
    }
}

/// A guest: the chat name a browser goes by.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = chat_guests, check_for_backend(diesel::pg::Pg))]
pub struct Guest {
    pub id: GuestId,
    pub name: String,
}

/// Someone's place in a room.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = conversation_members, check_for_backend(diesel::pg::Pg))]
pub struct Participant {
    pub id: MemberId,
    pub user_id: Option<UserId>,
    pub guest_id: Option<GuestId>,
    pub display_name: Option<String>,
    pub removed_at: Option<DateTime<Utc>>,
}

impl Participant {
    pub fn name(&self) -> &str {
        self.display_name.as_deref().unwrap_or("Someone")
    }
}

/// A message as the room shows it.
#[derive(Debug, Clone, Queryable)]
pub struct RoomMessage {
    pub id: MessageId,
    pub seq: i32,
    pub member_id: MemberId,
    pub kind: MessageKind,
    pub body: String,
    pub created_at: DateTime<Utc>,
    pub author: Option<String>,
    /// The author is a member (their name has the members' badge).
    pub by_member: bool,
}

pub fn find_room(conn: &mut PgConnection, key: &RoomKey) -> QueryResult<Option<Room>> {
    conversations::table
        .filter(conversations::kind.eq(ConversationKind::Room))
        .filter(conversations::room_key.eq(key.as_str()))
        .select(Room::as_select())
        .first(conn)
        .optional()
}

pub fn find_guest(conn: &mut PgConnection, token_hash: &[u8]) -> QueryResult<Option<Guest>> {
    chat_guests::table
        .filter(chat_guests::token_hash.eq(token_hash))
        .select(Guest::as_select())
        .first(conn)
        .optional()
}

pub fn create_guest(conn: &mut PgConnection, token_hash: &[u8], name: &str) -> QueryResult<Guest> {
    diesel::insert_into(chat_guests::table)
        .values((
            chat_guests::token_hash.eq(token_hash),
            chat_guests::name.eq(name),
        ))
        .returning(Guest::as_returning())
        .get_result(conn)
}

/// The name a guest goes by from now on, in rooms they join next.
pub fn rename_guest(conn: &mut PgConnection, guest: GuestId, name: &str) -> QueryResult<()> {
    diesel::update(chat_guests::table.find(guest))
        .set((
            chat_guests::name.eq(name),
            chat_guests::last_seen_at.eq(diesel::dsl::now),
        ))
        .execute(conn)
        .map(|_| ())
}

/// Makes a room owned by `owner`, who joins it as `name`.
pub fn create_room(
    conn: &mut PgConnection,
    key: &RoomKey,
    title: &str,
    owner: Who,
    name: &str,
) -> QueryResult<(Room, Participant)> {
    conn.transaction(|conn| {
        let (member, guest) = match owner {
            Who::Member(user) => (Some(user), None),
            Who::Guest(guest) => (None, Some(guest)),
        };
        let room: Room = diesel::insert_into(conversations::table)
            .values((
                conversations::kind.eq(ConversationKind::Room),
                conversations::room_key.eq(key.as_str()),
                conversations::title.eq(title),
                conversations::started_by.eq(member),
                conversations::owner_guest_id.eq(guest),
            ))
            .returning(Room::as_returning())
            .get_result(conn)?;
        let participant = join(conn, room.id, owner, name)?;
        Ok((room, participant))
    })
}

/// `who`'s place in the room, if they joined it (removed or not).
pub fn participant(
    conn: &mut PgConnection,
    room: ConversationId,
    who: Who,
) -> QueryResult<Option<Participant>> {
    let query = conversation_members::table
        .filter(conversation_members::conversation_id.eq(room))
        .select(Participant::as_select());
    match who {
        Who::Member(user) => query
            .filter(conversation_members::user_id.eq(user))
            .first(conn)
            .optional(),
        Who::Guest(guest) => query
            .filter(conversation_members::guest_id.eq(guest))
            .first(conn)
            .optional(),
    }
}

/// Joins `who` to the room as `name`, or as "name 2" … when someone there has it (a bounded
/// number of tries; the unique index on the room's names decides races). Joining again
/// returns the place they have.
pub fn join(
    conn: &mut PgConnection,
    room: ConversationId,
    who: Who,
    name: &str,
) -> QueryResult<Participant> {
    if let Some(found) = participant(conn, room, who)? {
        return Ok(found);
    }
    let (user, guest) = match who {
        Who::Member(user) => (Some(user), None),
        Who::Guest(guest) => (None, Some(guest)),
    };
    for candidate in super::domain::name_candidates(name) {
        let inserted: Option<Participant> = diesel::insert_into(conversation_members::table)
            .values((
                conversation_members::conversation_id.eq(room),
                conversation_members::user_id.eq(user),
                conversation_members::guest_id.eq(guest),
                conversation_members::display_name.eq(&candidate),
                conversation_members::seen_at.eq(diesel::dsl::now),
            ))
            .on_conflict_do_nothing()
            .returning(Participant::as_returning())
            .get_result(conn)
            .optional()?;
        if let Some(inserted) = inserted {
            return Ok(inserted);
        }
        // The conflict may have been this same person joining in another tab.
        if let Some(found) = participant(conn, room, who)? {
            return Ok(found);
        }
    }
    Err(diesel::result::Error::RollbackTransaction)
}

/// Marks a participant here now (for "who is here"), at most once a minute.
pub fn touch(conn: &mut PgConnection, member: MemberId) -> QueryResult<()> {
    let stale = Utc::now() - chrono::Duration::seconds(30);
    diesel::update(conversation_members::table.find(member))
        .filter(
            conversation_members::seen_at
                .is_null()
                .or(conversation_members::seen_at.lt(stale)),
        )
        .set(conversation_members::seen_at.eq(diesel::dsl::now))
        .execute(conn)
        .map(|_| ())
}

/// The names of those here in the last minute (at most 50), members marked.
pub fn present(conn: &mut PgConnection, room: ConversationId) -> QueryResult<Vec<(String, bool)>> {
    conversation_members::table
        .filter(conversation_members::conversation_id.eq(room))
        .filter(conversation_members::removed_at.is_null())
        .filter(conversation_members::seen_at.gt(Utc::now() - chrono::Duration::minutes(1)))
        .order(conversation_members::display_name)
        .limit(50)
        .select((
            conversation_members::display_name.assume_not_null(),
            conversation_members::user_id.is_not_null(),
        ))
        .load(conn)
}

/// Up to `limit` messages of the room before the number `before` (the newest when none),
/// oldest first.
pub fn messages_before(
    conn: &mut PgConnection,
    room: ConversationId,
    before: Option<i32>,
    limit: i64,
) -> QueryResult<Vec<RoomMessage>> {
    // One statement with or without `before` (prepared once per connection).
    let mut rows: Vec<RoomMessage> = messages::table
        .inner_join(conversation_members::table)
        .filter(messages::conversation_id.eq(room))
        .filter(messages::seq.lt(before.unwrap_or(i32::MAX)))
        .order(messages::seq.desc())
        .limit(limit)
        .select(columns())
        .load(conn)?;
    rows.reverse();
    Ok(rows)
}

/// Up to `limit` messages of the room after the number `after`, oldest first.
pub fn messages_after(
    conn: &mut PgConnection,
    room: ConversationId,
    after: i32,
    limit: i64,
) -> QueryResult<Vec<RoomMessage>> {
    messages::table
        .inner_join(conversation_members::table)
        .filter(messages::conversation_id.eq(room))
        .filter(messages::seq.gt(after))
        .order(messages::seq)
        .limit(limit)
        .select(columns())
        .load(conn)
}

#[allow(clippy::type_complexity)]
fn columns() -> (
    messages::id,
    messages::seq,
    messages::member_id,
    messages::kind,
    messages::body,
    messages::created_at,
    conversation_members::display_name,
    diesel::dsl::IsNotNull<conversation_members::user_id>,
) {
    (
        messages::id,
        messages::seq,
        messages::member_id,
        messages::kind,
        messages::body,
        messages::created_at,
        conversation_members::display_name,
        conversation_members::user_id.is_not_null(),
    )
}

/// The room's last message number.
pub fn last_seq(conn: &mut PgConnection, room: ConversationId) -> QueryResult<i32> {
    conversations::table
        .find(room)
        .select(conversations::message_count)
        .first(conn)
}

/// Why a message was not sent.
#[derive(Debug, PartialEq, Eq)]
pub enum NotSent {
    Closed,
    Removed,
}

/// Sends `text` to the room from `member`; announces it to every instance.
pub fn send(
    conn: &mut PgConnection,
    room: ConversationId,
    member: MemberId,
    text: &str,
) -> QueryResult<Result<MessageId, NotSent>> {
    conn.transaction(|conn| {
        // The lock that keeps numbers in commit order within the room.
        let closed: Option<DateTime<Utc>> = conversations::table
            .find(room)
            .select(conversations::closed_at)
            .for_update()
            .first(conn)?;
        if closed.is_some() {
            return Ok(Err(NotSent::Closed));
        }
        let removed: Option<DateTime<Utc>> = conversation_members::table
            .find(member)
            .select(conversation_members::removed_at)
            .first(conn)?;
        if removed.is_some() {
            return Ok(Err(NotSent::Removed));
        }
        let (id, at): (MessageId, DateTime<Utc>) = diesel::insert_into(messages::table)
            .values((
                messages::conversation_id.eq(room),
                messages::member_id.eq(member),
                messages::kind.eq(MessageKind::Text),
                messages::body.eq(text),
            ))
            .returning((messages::id, messages::created_at))
            .get_result(conn)?;
        diesel::update(conversations::table.find(room))
            .set((
                conversations::last_message_at.eq(at),
                conversations::last_message_id.eq(id),
            ))
            .execute(conn)?;
        diesel::update(conversation_members::table.find(member))
            .set(conversation_members::seen_at.eq(at))
            .execute(conn)?;
        announce(conn, room)?;
        Ok(Ok(id))
    })
}

/// Tells every instance's streams of the room that it changed.
pub fn announce(conn: &mut PgConnection, room: ConversationId) -> QueryResult<()> {
    diesel::sql_query("SELECT pg_notify($1, $2)")
        .bind::<Text, _>(EVENTS_CHANNEL)
        .bind::<Text, _>(format!("room:{room}"))
        .execute(conn)
        .map(|_| ())
}

/// Gives the room a new key: the old link stops working at once.
pub fn rotate_key(conn: &mut PgConnection, room: ConversationId, key: &RoomKey) -> QueryResult<()> {
    diesel::update(conversations::table.find(room))
        .set((
            conversations::room_key.eq(key.as_str()),
            conversations::revision.eq(conversations::revision + 1),
        ))
        .execute(conn)?;
    announce(conn, room)
}

/// Closes the room (read-only) or opens it again.
pub fn set_closed(conn: &mut PgConnection, room: ConversationId, closed: bool) -> QueryResult<()> {
    diesel::update(conversations::table.find(room))
        .set((
            conversations::closed_at.eq(closed.then(Utc::now)),
            conversations::revision.eq(conversations::revision + 1),
        ))
        .execute(conn)?;
    announce(conn, room)
}

/// Counts an owner's change, so open pages reload, and tells every instance.
fn changed(conn: &mut PgConnection, room: ConversationId) -> QueryResult<()> {
    diesel::update(conversations::table.find(room))
        .set(conversations::revision.eq(conversations::revision + 1))
        .execute(conn)?;
    announce(conn, room)
}

/// Renames the room.
pub fn rename_room(conn: &mut PgConnection, room: ConversationId, title: &str) -> QueryResult<()> {
    conn.transaction(|conn| {
        diesel::update(conversations::table.find(room))
            .set(conversations::title.eq(title))
            .execute(conn)?;
        changed(conn, room)
    })
}

/// Removes the room's message number `seq`; returns whether there was one (its photo key, if
/// any, is the caller's to delete).
pub fn remove_message(
    conn: &mut PgConnection,
    room: ConversationId,
    seq: i32,
) -> QueryResult<bool> {
    conn.transaction(|conn| {
        let removed = diesel::delete(
            messages::table
                .filter(messages::conversation_id.eq(room))
                .filter(messages::seq.eq(seq)),
        )
        .execute(conn)?;
        if removed > 0 {
            changed(conn, room)?;
        }
        Ok(removed > 0)
    })
}

/// Removes a participant (never the owner): they can no longer write or follow the room.
/// Returns whether someone was removed.
pub fn remove_participant(
    conn: &mut PgConnection,
    room: &Room,
    member: MemberId,
) -> QueryResult<bool> {
    conn.transaction(|conn| {
        let target = conversation_members::table
            .find(member)
            .filter(conversation_members::conversation_id.eq(room.id))
            .filter(conversation_members::removed_at.is_null())
            .select(Participant::as_select())
            .first(conn)
            .optional()?;
        let Some(target) = target else {
            return Ok(false);
        };
        let is_owner = match (target.user_id, target.guest_id) {
            (Some(user), _) => room.is_owned_by(Who::Member(user)),
            (_, Some(guest)) => room.is_owned_by(Who::Guest(guest)),
            _ => false,
        };
        if is_owner {
            return Ok(false);
        }
        diesel::update(conversation_members::table.find(member))
            .set(conversation_members::removed_at.eq(diesel::dsl::now))
            .execute(conn)?;
        changed(conn, room.id)?;
        Ok(true)
    })
}

/// Everyone who joined the room and was not removed (at most 500), by name.
pub fn participants(
    conn: &mut PgConnection,
    room: ConversationId,
) -> QueryResult<Vec<Participant>> {
    conversation_members::table
        .filter(conversation_members::conversation_id.eq(room))
        .filter(conversation_members::removed_at.is_null())
        .order(conversation_members::display_name)
        .limit(500)
        .select(Participant::as_select())
        .load(conn)
}

/// Deletes the room with its messages and participants.
pub fn delete_room(conn: &mut PgConnection, room: ConversationId) -> QueryResult<()> {
    conn.transaction(|conn| {
        diesel::delete(conversations::table.find(room)).execute(conn)?;
        announce(conn, room)
    })
}

/// How long a room may go without a message before the janitor closes it.
pub const ROOM_IDLE_CLOSE: chrono::Duration = chrono::Duration::days(30);

/// Closes up to `batch` open rooms without a message (or, if none was ever sent, made) for
/// `idle`; returns how many. For the janitor.
pub fn close_idle_rooms(
    conn: &mut PgConnection,
    idle: chrono::Duration,
    batch: i64,
) -> QueryResult<usize> {
    diesel::sql_query(
        "UPDATE conversations SET closed_at = now(), revision = revision + 1
         WHERE id IN (SELECT id FROM conversations
                      WHERE kind = 'room' AND closed_at IS NULL
                        AND COALESCE(last_message_at, created_at) < now() - make_interval(secs => $1)
                      LIMIT $2)",
    )
    .bind::<diesel::sql_types::Double, _>(idle.num_seconds() as f64)
    .bind::<BigInt, _>(batch)
    .execute(conn)
}

/// A room of the list of one's rooms.
#[derive(Debug, Clone, Queryable)]
pub struct MyRoom {
    pub key: Option<String>,
    pub title: Option<String>,
    pub closed_at: Option<DateTime<Utc>>,
    pub last_message_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub name: Option<String>,
}

/// The rooms `who` joined (and was not removed from), newest activity first, at most 100.
pub fn rooms_of(conn: &mut PgConnection, who: Who) -> QueryResult<Vec<MyRoom>> {
    let query = conversation_members::table
        .inner_join(conversations::table)
        .filter(conversations::kind.eq(ConversationKind::Room))
        .filter(conversation_members::removed_at.is_null())
        .order((
            conversations::last_message_at.desc().nulls_last(),
            conversations::created_at.desc(),
        ))
        .limit(100)
        .select((
            conversations::room_key,
            conversations::title,
            conversations::closed_at,
            conversations::last_message_at,
            conversations::created_at,
            conversation_members::display_name,
        ))
        .into_boxed();
    match who {
        Who::Member(user) => query
            .filter(conversation_members::user_id.eq(user))
            .load(conn),
        Who::Guest(guest) => query
            .filter(conversation_members::guest_id.eq(guest))
            .load(conn),
    }
}

/// A member's display name, for joining a room under it.
pub fn member_name(conn: &mut PgConnection, user: UserId) -> QueryResult<String> {
    users::table
        .find(user)
        .select(users::display_name)
        .first(conn)
}

/// Reports the message to the moderators as `who`; `false` when they already had.
pub fn report(
    conn: &mut PgConnection,
    message: MessageId,
    who: Who,
    reason: &str,
) -> QueryResult<bool> {
    let (member, guest) = match who {
        Who::Member(user) => (Some(user), None),
        Who::Guest(guest) => (None, Some(guest)),
    };
    diesel::insert_into(message_reports::table)
        .values((
            message_reports::message_id.eq(message),
            message_reports::reporter_id.eq(member),
            message_reports::reporter_guest_id.eq(guest),
            message_reports::reason.eq(reason),
        ))
        .on_conflict_do_nothing()
        .execute(conn)
        .map(|n| n > 0)
}
