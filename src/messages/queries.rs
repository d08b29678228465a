//! The messaging tables: opening conversations, sending, reading, archiving, blocking,
//! reporting, and the pages that list them.
//!
//! Policy:
//! - Every access names the member asking: a conversation they are not in is not found, the
//!   same as one that does not exist.
//! - Sending and marking read take the conversation's row lock, so message ids are in commit
//!   order within a conversation and unread counts cannot race a new message.
//! - Every change a member's open pages should see is written to their event stream
//!   (`member_events`, numbered per member in commit order, the stream rows locked in user-id
//!   order so writers never deadlock) and announced with `NOTIFY` carrying numbers only.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Bool, Nullable, Text, Timestamptz};

use super::domain::{ConversationKind, MessageKind, VideoSource};
use super::models::{Conversation, Member, Message, NewMessage};
use crate::db::ids::{ConversationId, ListingId, MemberId, MessageId, UserId};
use crate::db::schema::{
    blocks, conversation_members, conversations, event_streams, member_events, message_reports,
    messages, users,
};
use crate::storage::ObjectKey;

/// The channel every instance listens on for new events.
pub const EVENTS_CHANNEL: &str = "corkboard_events";

/// A `NOTIFY` payload stays under PostgreSQL's 8,000-byte cap.
const MAX_NOTIFY_BYTES: usize = 7_000;

crate::text_enum! {
    /// What a member's live event says happened.
    pub enum EventKind {
        /// A message arrived in one of their conversations (or they sent one from another tab).
        Message => "message",
        /// The other member read a conversation up to a message.
        Seen => "seen",
        /// Their unread count changed (they read a conversation on another tab).
        Unread => "unread",
    }
}

/// One event for one member's stream.
#[derive(Debug, Clone, Copy)]
pub struct Event {
    pub user: UserId,
    pub kind: EventKind,
    pub conversation: Option<ConversationId>,
    pub message: Option<MessageId>,
}

/// Writes events to their members' streams and announces them, in the caller's transaction
/// (the announcement is delivered when it commits).
pub fn publish(conn: &mut PgConnection, events: &mut [Event]) -> QueryResult<()> {
    if events.is_empty() {
        return Ok(());
    }
    // One lock order for every writer.
    events.sort_by_key(|e| e.user);
    let mut announced: Vec<String> = Vec::new();
    for event in events.iter() {
        #[derive(QueryableByName)]
        struct Seq {
            #[diesel(sql_type = BigInt)]
            seq: i64,
        }
        let Seq { seq } = diesel::sql_query(
            "INSERT INTO event_streams (user_id, seq) VALUES ($1, 1)
             ON CONFLICT (user_id) DO UPDATE SET seq = event_streams.seq + 1
             RETURNING seq",
        )
        .bind::<BigInt, _>(event.user)
        .get_result(conn)?;
        diesel::insert_into(member_events::table)
            .values((
                member_events::user_id.eq(event.user),
                member_events::seq.eq(seq),
                member_events::kind.eq(event.kind),
                member_events::conversation_id.eq(event.conversation),
                member_events::message_id.eq(event.message),
            ))
            .execute(conn)?;
        announced.push(format!("{}:{seq}", event.user));
    }
    let mut payload = String::new();
    for item in announced {
        if payload.len() + item.len() + 1 > MAX_NOTIFY_BYTES {
            notify(conn, &payload)?;
            payload.clear();
        }
        if !payload.is_empty() {
            payload.push(' ');
        }
        payload.push_str(&item);
    }
    notify(conn, &payload)
}

fn notify(conn: &mut PgConnection, payload: &str) -> QueryResult<()> {
    diesel::sql_query("SELECT pg_notify($1, $2)")
        .bind::<Text, _>(EVENTS_CHANNEL)
        .bind::<Text, _>(payload)
        .execute(conn)
        .map(|_| ())
}

/// One event as stored: its number in the member's stream, and what happened.
#[derive(Debug, Clone, Copy, Queryable)]
pub struct StoredEvent {
    pub seq: i64,
    pub kind: EventKind,
    pub conversation: Option<ConversationId>,
    pub message: Option<MessageId>,
}

/// A member's events after `after`, oldest first, at most `limit`.
pub fn events_after(
    conn: &mut PgConnection,
    user: UserId,
    after: i64,
    limit: i64,
) -> QueryResult<Vec<StoredEvent>> {
    member_events::table
        .filter(member_events::user_id.eq(user))
        .filter(member_events::seq.gt(after))
        .order(member_events::seq)
        .limit(limit)
        .select((
            member_events::seq,
            member_events::kind,
            member_events::conversation_id,
            member_events::message_id,
        ))
        .load(conn)
}

/// Whether a message refers to a stored photo.
pub fn image_in_use(conn: &mut PgConnection, key: &ObjectKey) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        messages::table.filter(messages::image_key.eq(key)),
    ))
    .get_result(conn)
}

/// How long events stay for pages to catch up with (a page older than that reloads).
pub const EVENTS_KEPT: chrono::Duration = chrono::Duration::days(2);

/// Deletes events older than `before`; returns how many.
pub fn delete_old_events(conn: &mut PgConnection, before: DateTime<Utc>) -> QueryResult<usize> {
    diesel::delete(member_events::table.filter(member_events::created_at.lt(before))).execute(conn)
}

// ---------------------------------------------------------------------------------------------
// Blocks

/// Whether either member blocked the other.
pub fn blocked_between(conn: &mut PgConnection, a: UserId, b: UserId) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        blocks::table.filter(
            (blocks::blocker_id.eq(a).and(blocks::blocked_id.eq(b)))
                .or(blocks::blocker_id.eq(b).and(blocks::blocked_id.eq(a))),
        ),
    ))
    .get_result(conn)
}

/// Whether `blocker` blocked `blocked`.
pub fn has_blocked(conn: &mut PgConnection, blocker: UserId, blocked: UserId) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(blocks::table.find((blocker, blocked)))).get_result(conn)
}

pub fn block(conn: &mut PgConnection, blocker: UserId, blocked: UserId) -> QueryResult<()> {
    diesel::insert_into(blocks::table)
        .values((
            blocks::blocker_id.eq(blocker),
            blocks::blocked_id.eq(blocked),
        ))
        .on_conflict_do_nothing()
        .execute(conn)
        .map(|_| ())
}

pub fn unblock(conn: &mut PgConnection, blocker: UserId, blocked: UserId) -> QueryResult<()> {
    diesel::delete(blocks::table.find((blocker, blocked)))
        .execute(conn)
        .map(|_| ())
}

// ---------------------------------------------------------------------------------------------
// Opening and sending

/// The conversation `buyer` has about `listing`, if any.
pub fn conversation_about(
    conn: &mut PgConnection,
    listing: ListingId,
    buyer: UserId,
) -> QueryResult<Option<ConversationId>> {
    conversations::table
        .filter(conversations::kind.eq(ConversationKind::Listing))
        .filter(conversations::listing_id.eq(listing))
        .filter(conversations::started_by.eq(buyer))
        .select(conversations::id)
        .first(conn)
        .optional()
}

/// The conversation between `buyer` and `seller` about `listing`, opened if need be (one per
/// listing and buyer, however many requests race to open it).
pub fn open_listing_conversation(
    conn: &mut PgConnection,
    listing: ListingId,
    seller: UserId,
    buyer: UserId,
) -> QueryResult<ConversationId> {
    #[derive(QueryableByName)]
    struct Opened {
        #[diesel(sql_type = BigInt)]
        id: ConversationId,
    }
    let opened: Option<Opened> = diesel::sql_query(
        "INSERT INTO conversations (kind, listing_id, started_by) VALUES ('listing', $1, $2)
         ON CONFLICT (listing_id, started_by) WHERE kind = 'listing' DO NOTHING
         RETURNING id",
    )
    .bind::<BigInt, _>(listing)
    .bind::<BigInt, _>(buyer)
    .get_result(conn)
    .optional()?;
    let id = match opened {
        Some(Opened { id }) => id,
        None => conversation_about(conn, listing, buyer)?.ok_or(diesel::NotFound)?,
    };
    add_both(conn, id, seller, buyer)?;
    Ok(id)
}

/// Makes `a` and `b` members of `conversation` (those who are already stay as they are).
fn add_both(
    conn: &mut PgConnection,
    conversation: ConversationId,
    a: UserId,
    b: UserId,
) -> QueryResult<()> {
    diesel::insert_into(conversation_members::table)
        .values(&vec![
            (
                conversation_members::conversation_id.eq(conversation),
                conversation_members::user_id.eq(Some(a)),
            ),
            (
                conversation_members::conversation_id.eq(conversation),
                conversation_members::user_id.eq(Some(b)),
            ),
        ])
        .on_conflict_do_nothing()
        .execute(conn)
        .map(|_| ())
}

/// The conversation between two members about nothing in particular, if any.
pub fn direct_between(
    conn: &mut PgConnection,
    a: UserId,
    b: UserId,
) -> QueryResult<Option<ConversationId>> {
    conversations::table
        .filter(conversations::kind.eq(ConversationKind::Direct))
        .filter(conversations::pair_key.eq(pair_key(a, b)))
        .select(conversations::id)
        .first(conn)
        .optional()
}

fn pair_key(a: UserId, b: UserId) -> String {
    format!("{}:{}", a.0.min(b.0), a.0.max(b.0))
}

/// The direct conversation between `from` and `to`, opened if need be (one per pair, however
/// many requests race to open it).
pub fn open_direct_conversation(
    conn: &mut PgConnection,
    from: UserId,
    to: UserId,
) -> QueryResult<ConversationId> {
    #[derive(QueryableByName)]
    struct Opened {
        #[diesel(sql_type = BigInt)]
        id: ConversationId,
    }
    let opened: Option<Opened> = diesel::sql_query(
        "INSERT INTO conversations (kind, started_by, pair_key) VALUES ('direct', $1, $2)
         ON CONFLICT (pair_key) WHERE kind = 'direct' DO NOTHING
         RETURNING id",
    )
    .bind::<BigInt, _>(from)
    .bind::<Text, _>(pair_key(from, to))
    .get_result(conn)
    .optional()?;
    let id = match opened {
        Some(Opened { id }) => id,
        None => direct_between(conn, from, to)?.ok_or(diesel::NotFound)?,
    };
    add_both(conn, id, from, to)?;
    Ok(id)
}

/// Opens the conversation of a match between `by` (whose yes made it) and `other`, with
/// the site's note as its first message. For "meet people", inside its transaction.
pub fn open_match_conversation(
    conn: &mut PgConnection,
    by: UserId,
    other: UserId,
    note: &str,
) -> QueryResult<ConversationId> {
    let id: ConversationId = diesel::insert_into(conversations::table)
        .values((
            conversations::kind.eq(ConversationKind::Match),
            conversations::started_by.eq(Some(by)),
        ))
        .returning(conversations::id)
        .get_result(conn)?;
    add_both(conn, id, by, other)?;
    send(conn, id, by, Content::System(note.to_owned()))?
        .map_err(|_| diesel::result::Error::RollbackTransaction)?;
    Ok(id)
}

/// Closes a conversation (a match that ended): it stays readable and takes no message;
/// the members' open pages are told.
pub fn close_conversation(conn: &mut PgConnection, id: ConversationId) -> QueryResult<()> {
    diesel::update(conversations::table.find(id))
        .filter(conversations::closed_at.is_null())
        .set(conversations::closed_at.eq(diesel::dsl::now))
        .execute(conn)?;
    Ok(())
}

/// What a message carries, checked at the edge.
#[derive(Debug, Clone)]
pub enum Content {
    Text(String),
    /// A note from the site (stored under the member whose action made it).
    System(String),
    Image {
        key: ObjectKey,
        width: i32,
        height: i32,
        caption: String,
    },
    /// An image elsewhere, with the size its sender gives.
    ImageLink {
        url: String,
        width: i32,
        height: i32,
        caption: String,
    },
    Video {
        source: VideoSource,
        id: String,
        seconds: Option<i32>,
        caption: String,
    },
}

/// A message that was stored.
#[derive(Debug, Clone)]
pub struct Sent {
    pub conversation: ConversationId,
    pub message: MessageId,
    /// The members it went to (not the sender).
    pub recipients: Vec<UserId>,
}

/// Why a message was not stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refused {
    /// The sender is not in the conversation (to them, it does not exist).
    NotFound,
    /// One of two members blocked the other.
    Blocked,
    /// The conversation was closed (a match that ended): read only.
    Closed,
}

/// Stores a message from `sender` in `conversation` and tells every member's pages.
pub fn send(
    conn: &mut PgConnection,
    conversation: ConversationId,
    sender: UserId,
    content: Content,
) -> QueryResult<Result<Sent, Refused>> {
    conn.transaction(|conn| {
        // The lock that keeps ids in commit order within the conversation.
        let found: Option<(ConversationKind, Option<DateTime<Utc>>)> = conversations::table
            .find(conversation)
            .select((conversations::kind, conversations::closed_at))
            .for_update()
            .first(conn)
            .optional()?;
        let Some((kind, closed)) = found else {
            return Ok(Err(Refused::NotFound));
        };
        let members: Vec<(MemberId, Option<UserId>)> = conversation_members::table
            .filter(conversation_members::conversation_id.eq(conversation))
            .select((conversation_members::id, conversation_members::user_id))
            .load(conn)?;
        let Some(&(member, _)) = members.iter().find(|(_, user)| *user == Some(sender)) else {
            return Ok(Err(Refused::NotFound));
        };
        if closed.is_some() {
            return Ok(Err(Refused::Closed));
        }
        let recipients: Vec<UserId> = members
            .iter()
            .filter_map(|(_, user)| *user)
            .filter(|user| *user != sender)
            .collect();
        if kind != ConversationKind::Room {
            for &other in &recipients {
                if blocked_between(conn, sender, other)? {
                    return Ok(Err(Refused::Blocked));
                }
            }
        }
        let row = new_message(conversation, member, content);
        let (id, at): (MessageId, DateTime<Utc>) = diesel::insert_into(messages::table)
            .values(&row)
            .returning((messages::id, messages::created_at))
            .get_result(conn)?;
        diesel::update(conversations::table.find(conversation))
            .set((
                conversations::last_message_at.eq(at),
                conversations::last_message_id.eq(id),
            ))
            .execute(conn)?;
        // Everyone sees it come up (archived or not); the sender has read it.
        diesel::sql_query(
            "UPDATE conversation_members
             SET activity_at = $2, archived = false,
                 unread = CASE WHEN id = $3 THEN 0 ELSE unread + 1 END,
                 last_read_message_id = CASE WHEN id = $3 THEN $4 ELSE last_read_message_id END,
                 read_at = CASE WHEN id = $3 THEN $2 ELSE read_at END
             WHERE conversation_id = $1",
        )
        .bind::<BigInt, _>(conversation)
        .bind::<Timestamptz, _>(at)
        .bind::<BigInt, _>(member)
        .bind::<BigInt, _>(id)
        .execute(conn)?;
        let mut events: Vec<Event> = recipients
            .iter()
            .chain(std::iter::once(&sender))
            .map(|&user| Event {
                user,
                kind: EventKind::Message,
                conversation: Some(conversation),
                message: Some(id),
            })
            .collect();
        publish(conn, &mut events)?;
        Ok(Ok(Sent {
            conversation,
            message: id,
            recipients,
        }))
    })
}

fn new_message(conversation: ConversationId, member: MemberId, content: Content) -> NewMessage {
    let mut row = NewMessage {
        conversation_id: conversation,
        member_id: member,
        kind: MessageKind::Text,
        body: String::new(),
        image_key: None,
        image_width: None,
        image_height: None,
        video_source: None,
        video_id: None,
        video_seconds: None,
        image_url: None,
    };
    match content {
        Content::Text(text) => row.body = text,
        Content::System(text) => {
            row.kind = MessageKind::System;
            row.body = text;
        }
        Content::Image {
            key,
            width,
            height,
            caption,
        } => {
            row.kind = MessageKind::Image;
            row.image_key = Some(key);
            row.image_width = Some(width);
            row.image_height = Some(height);
            row.body = caption;
        }
        Content::ImageLink {
            url,
            width,
            height,
            caption,
        } => {
            row.kind = MessageKind::Image;
            row.image_url = Some(url);
            row.image_width = Some(width);
            row.image_height = Some(height);
            row.body = caption;
        }
        Content::Video {
            source,
            id,
            seconds,
            caption,
        } => {
            row.kind = MessageKind::Video;
            row.video_source = Some(source);
            row.video_id = Some(id);
            row.video_seconds = seconds;
            row.body = caption;
        }
    }
    row
}

// ---------------------------------------------------------------------------------------------
// Reading

/// Marks everything in `conversation` read by `reader`; tells the other members' pages
/// ("Seen") and the reader's other pages (their unread count). Returns whether anything
/// changed.
pub fn mark_read(
    conn: &mut PgConnection,
    conversation: ConversationId,
    reader: UserId,
) -> QueryResult<bool> {
    conn.transaction(|conn| {
        // Waits for a message being sent, so the count below cannot miss it.
        conversations::table
            .find(conversation)
            .select(conversations::id)
            .for_update()
            .first::<ConversationId>(conn)?;
        let latest: Option<MessageId> = messages::table
            .filter(messages::conversation_id.eq(conversation))
            .select(diesel::dsl::max(messages::id))
            .first(conn)?;
        let Some(latest) = latest else {
            return Ok(false);
        };
        let changed = diesel::update(
            conversation_members::table
                .filter(conversation_members::conversation_id.eq(conversation))
                .filter(conversation_members::user_id.eq(reader))
                .filter(
                    conversation_members::last_read_message_id
                        .lt(latest)
                        .or(conversation_members::unread.gt(0)),
                ),
        )
        .set((
            conversation_members::last_read_message_id.eq(latest),
            conversation_members::unread.eq(0),
            conversation_members::read_at.eq(diesel::dsl::now),
        ))
        .execute(conn)?;
        if changed == 0 {
            return Ok(false);
        }
        let others: Vec<Option<UserId>> = conversation_members::table
            .filter(conversation_members::conversation_id.eq(conversation))
            .filter(conversation_members::user_id.ne(reader))
            .select(conversation_members::user_id)
            .load(conn)?;
        let mut events: Vec<Event> = others
            .into_iter()
            .flatten()
            .map(|user| Event {
                user,
                kind: EventKind::Seen,
                conversation: Some(conversation),
                message: Some(latest),
            })
            .chain(std::iter::once(Event {
                user: reader,
                kind: EventKind::Unread,
                conversation: Some(conversation),
                message: None,
            }))
            .collect();
        publish(conn, &mut events)?;
        Ok(true)
    })
}

/// What every page's header needs: the member's unread messages, and how far their event
/// stream has got (a live page follows on from there, missing nothing in between).
#[derive(Debug, Clone, Copy, Default)]
pub struct HeaderCounts {
    pub unread: i64,
    pub events: i64,
}

/// [`HeaderCounts`]: one row by its key (`event_streams` keeps the unread total beside the
/// stream's head; see migration `unread_totals`), in a statement Diesel prepares once per
/// connection.
pub fn header_counts(conn: &mut PgConnection, user: UserId) -> QueryResult<HeaderCounts> {
    let found: Option<(i64, i64)> = event_streams::table
        .find(user)
        .select((event_streams::unread, event_streams::seq))
        .first(conn)
        .optional()?;
    let (unread, events) = found.unwrap_or_default();
    Ok(HeaderCounts {
        unread: unread.max(0),
        events,
    })
}

/// The number of the member's latest event (0 before the first), and of their oldest event
/// still kept (`None` when none is).
pub fn stream_bounds(conn: &mut PgConnection, user: UserId) -> QueryResult<(i64, Option<i64>)> {
    let head: Option<i64> = event_streams::table
        .find(user)
        .select(event_streams::seq)
        .first(conn)
        .optional()?;
    let oldest: Option<i64> = member_events::table
        .filter(member_events::user_id.eq(user))
        .select(diesel::dsl::min(member_events::seq))
        .first(conn)?;
    Ok((head.unwrap_or(0), oldest))
}

/// A member's unread messages, over all their conversations.
pub fn unread_total(conn: &mut PgConnection, user: UserId) -> QueryResult<i64> {
    header_counts(conn, user).map(|counts| counts.unread)
}

/// Archives (or brings back) a conversation for one member. Returns whether they are in it.
pub fn set_archived(
    conn: &mut PgConnection,
    conversation: ConversationId,
    user: UserId,
    archived: bool,
) -> QueryResult<bool> {
    diesel::update(
        conversation_members::table
            .filter(conversation_members::conversation_id.eq(conversation))
            .filter(conversation_members::user_id.eq(user)),
    )
    .set(conversation_members::archived.eq(archived))
    .execute(conn)
    .map(|n| n > 0)
}

/// Another member as a conversation shows them.
#[derive(Debug, Clone, Queryable)]
pub struct Person {
    pub id: UserId,
    pub username: String,
    pub display_name: String,
    pub avatar_key: Option<ObjectKey>,
    pub created_at: DateTime<Utc>,
    pub deleted: bool,
}

/// The listing a conversation is about, as it shows it.
#[derive(Debug, Clone, Queryable)]
pub struct ListingRef {
    pub id: ListingId,
    pub owner_id: UserId,
    pub title: String,
    pub status: crate::listings::models::ListingStatus,
    pub thumb_key: Option<ObjectKey>,
}

/// A conversation as one of its members sees it.
#[derive(Debug, Clone)]
pub struct Thread {
    pub conversation: Conversation,
    pub me: Member,
    /// The other members, with where they are.
    pub others: Vec<(Member, Option<Person>)>,
    pub listing: Option<ListingRef>,
}

impl Thread {
    /// The other member of a two-member conversation.
    pub fn other(&self) -> Option<&Person> {
        self.others.first().and_then(|(_, p)| p.as_ref())
    }

    /// The highest message id every other member has read.
    pub fn read_by_others(&self) -> MessageId {
        self.others
            .iter()
            .map(|(m, _)| m.last_read_message_id)
            .min()
            .unwrap_or(MessageId(0))
    }
}

fn person_columns() -> (
    users::id,
    users::username,
    users::display_name,
    users::avatar_key,
    users::created_at,
    diesel::dsl::IsNotNull<users::deleted_at>,
) {
    (
        users::id,
        users::username,
        users::display_name,
        users::avatar_key,
        users::created_at,
        users::deleted_at.is_not_null(),
    )
}

/// A member as conversations show them.
pub fn person(conn: &mut PgConnection, id: UserId) -> QueryResult<Option<Person>> {
    users::table
        .find(id)
        .select(person_columns())
        .first(conn)
        .optional()
}

/// `conversation` as `user` sees it, if they are in it.
pub fn thread_for(
    conn: &mut PgConnection,
    conversation: ConversationId,
    user: UserId,
) -> QueryResult<Option<Thread>> {
    let members: Vec<Member> = conversation_members::table
        .filter(conversation_members::conversation_id.eq(conversation))
        .order(conversation_members::id)
        .select(Member::as_select())
        .load(conn)?;
    let Some(me) = members.iter().find(|m| m.user_id == Some(user)).cloned() else {
        return Ok(None);
    };
    let conversation: Conversation = conversations::table
        .find(conversation)
        .select(Conversation::as_select())
        .first(conn)?;
    let mut others = Vec::new();
    for member in members.into_iter().filter(|m| m.id != me.id) {
        let person = match member.user_id {
            Some(id) => users::table
                .find(id)
                .select(person_columns())
                .first::<Person>(conn)
                .optional()?,
            None => None,
        };
        others.push((member, person));
    }
    let listing = match conversation.listing_id {
        Some(id) => listing_ref(conn, id)?,
        None => None,
    };
    Ok(Some(Thread {
        conversation,
        me,
        others,
        listing,
    }))
}

/// What a conversation shows of a listing.
pub fn listing_ref(conn: &mut PgConnection, id: ListingId) -> QueryResult<Option<ListingRef>> {
    use crate::db::schema::listings;
    listings::table
        .find(id)
        .select((
            listings::id,
            listings::owner_id,
            listings::title,
            listings::status,
            listings::cover_thumb_key,
        ))
        .first(conn)
        .optional()
}

/// A page of a conversation's messages before `before` (all, when none), oldest first; one
/// more than `limit` is read so the caller knows whether older ones exist.
pub fn messages_before(
    conn: &mut PgConnection,
    conversation: ConversationId,
    before: Option<MessageId>,
    limit: i64,
) -> QueryResult<Vec<Message>> {
    let mut query = messages::table
        .filter(messages::conversation_id.eq(conversation))
        .select(Message::as_select())
        .order(messages::id.desc())
        .limit(limit + 1)
        .into_boxed();
    if let Some(before) = before {
        query = query.filter(messages::id.lt(before));
    }
    let mut rows = query.load(conn)?;
    rows.reverse();
    Ok(rows)
}

/// One message of a conversation `user` is in.
pub fn message_for(
    conn: &mut PgConnection,
    message: MessageId,
    user: UserId,
) -> QueryResult<Option<(Message, bool)>> {
    let found: Option<(Message, Option<UserId>)> = messages::table
        .inner_join(conversation_members::table)
        .filter(messages::id.eq(message))
        .select((Message::as_select(), conversation_members::user_id))
        .first(conn)
        .optional()?;
    let Some((message, author)) = found else {
        return Ok(None);
    };
    let is_member: bool = diesel::select(diesel::dsl::exists(
        conversation_members::table
            .filter(conversation_members::conversation_id.eq(message.conversation_id))
            .filter(conversation_members::user_id.eq(user)),
    ))
    .get_result(conn)?;
    Ok(is_member.then_some((message, author == Some(user))))
}

/// A conversation's first message, with its author and when their account was made.
#[derive(Debug, Clone, Queryable)]
pub struct FirstMessage {
    pub message: Message,
    pub author: Option<UserId>,
    pub author_joined: Option<DateTime<Utc>>,
}

/// The first message of a conversation (for the caution banner).
pub fn first_message(
    conn: &mut PgConnection,
    conversation: ConversationId,
) -> QueryResult<Option<FirstMessage>> {
    messages::table
        .inner_join(conversation_members::table.left_join(users::table))
        .filter(messages::conversation_id.eq(conversation))
        .order(messages::id)
        .select((
            Message::as_select(),
            conversation_members::user_id,
            users::created_at.nullable(),
        ))
        .first(conn)
        .optional()
}

/// Stores a report of a message; false when this member had reported it already.
pub fn report(
    conn: &mut PgConnection,
    message: MessageId,
    reporter: UserId,
    reason: &str,
) -> QueryResult<bool> {
    diesel::insert_into(message_reports::table)
        .values((
            message_reports::message_id.eq(message),
            message_reports::reporter_id.eq(reporter),
            message_reports::reason.eq(reason),
        ))
        .on_conflict_do_nothing()
        .execute(conn)
        .map(|n| n > 0)
}

// ---------------------------------------------------------------------------------------------
// Lists

/// Where an inbox page starts: after the conversation with this activity time and id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InboxCursor {
    pub at: DateTime<Utc>,
    pub id: ConversationId,
}

impl InboxCursor {
    pub fn encode(&self) -> String {
        format!("{}-{}", self.at.timestamp_micros(), self.id)
    }

    pub fn decode(token: &str) -> Option<Self> {
        let (micros, id) = token.split_once('-')?;
        let at = DateTime::from_timestamp_micros(micros.parse().ok()?)?;
        let id: ConversationId = id.parse().ok()?;
        (id.0 > 0).then_some(Self { at, id })
    }
}

/// One row of an inbox.
#[derive(Debug, Clone)]
pub struct InboxRow {
    pub conversation_id: ConversationId,
    pub unread: i32,
    pub activity_at: DateTime<Utc>,
    pub listing_id: Option<ListingId>,
    pub listing_title: Option<String>,
    pub listing_thumb: Option<ObjectKey>,
    pub other_username: Option<String>,
    pub other_name: Option<String>,
    pub other_avatar: Option<ObjectKey>,
    pub other_deleted: Option<bool>,
    pub last_kind: Option<MessageKind>,
    pub last_body: Option<String>,
    pub last_video_source: Option<VideoSource>,
    pub last_mine: Option<bool>,
}

/// A page of an inbox, and how many conversations the member archived (the page's link to
/// them says).
#[derive(Debug, Clone)]
pub struct InboxPageRows {
    pub rows: Vec<InboxRow>,
    pub archived_count: i64,
}

/// A page of a member's conversations (archived or not), newest activity first; one more
/// than `limit` is read so the caller knows whether there is a next page.
///
/// Two statements Diesel prepares once per connection (a single one joining everything
/// costs more to plan than to run): the page of memberships (one index scan that stops at the
/// limit, carrying the archived count as a scalar subquery), then that page's conversations
/// with their listing, last message and other members.
pub fn inbox_page(
    conn: &mut PgConnection,
    user: UserId,
    archived: bool,
    after: Option<InboxCursor>,
    limit: i64,
) -> QueryResult<InboxPageRows> {
    use diesel::dsl::sql;
    let archived_members = diesel::alias!(conversation_members as archived_members);
    let mut page = conversation_members::table
        .filter(conversation_members::user_id.eq(user))
        .filter(conversation_members::archived.eq(archived))
        .order((
            conversation_members::activity_at.desc(),
            conversation_members::conversation_id.desc(),
        ))
        .limit(limit + 1)
        .select((
            conversation_members::id,
            conversation_members::conversation_id,
            conversation_members::unread,
            conversation_members::activity_at,
            archived_members
                .filter(
                    archived_members
                        .field(conversation_members::user_id)
                        .eq(user),
                )
                .filter(
                    archived_members
                        .field(conversation_members::archived)
                        .eq(true),
                )
                .count()
                .single_value(),
        ))
        .into_boxed();
    if let Some(cursor) = after {
        // A row comparison, so the index scan starts at the cursor.
        page = page.filter(
            sql::<Bool>(
                "(conversation_members.activity_at, conversation_members.conversation_id) < (",
            )
            .bind::<Timestamptz, _>(cursor.at)
            .sql(", ")
            .bind::<BigInt, _>(cursor.id)
            .sql(")"),
        );
    }
    // Membership, conversation, unread, last activity, and the archived count.
    type PageRow = (MemberId, ConversationId, i32, DateTime<Utc>, Option<i64>);
    let page: Vec<PageRow> = page.load(conn)?;
    let Some(archived_count) = page.first().map(|row| row.4.unwrap_or(0)) else {
        return Ok(InboxPageRows {
            rows: Vec::new(),
            archived_count: archived_count(conn, user)?,
        });
    };
    let page = page
        .into_iter()
        .map(|(m, c, u, at, _)| (m, c, u, at))
        .collect();
    let rows = inbox_rows(conn, user, page)?;
    Ok(InboxPageRows {
        rows,
        archived_count,
    })
}

/// A membership on an inbox page: the member, the conversation, unread, last activity.
type Membership = (MemberId, ConversationId, i32, DateTime<Utc>);

/// The inbox rows of a page of memberships: each conversation with its listing, last message
/// and first other member (one statement).
fn inbox_rows(
    conn: &mut PgConnection,
    user: UserId,
    page: Vec<Membership>,
) -> QueryResult<Vec<InboxRow>> {
    use crate::db::schema::listings;
    let ids: Vec<ConversationId> = page.iter().map(|row| row.1).collect();
    type Details = (
        ConversationId,
        Option<ListingId>,
        Option<String>,
        Option<ObjectKey>,
        Option<MessageKind>,
        Option<String>,
        Option<VideoSource>,
        Option<MemberId>,
        Option<(String, String, Option<ObjectKey>, bool)>,
    );
    // The other members too (one row each; the first, by when they joined, is shown).
    let details: Vec<Details> = conversations::table
        .left_join(listings::table.on(listings::id.nullable().eq(conversations::listing_id)))
        .left_join(messages::table.on(messages::id.nullable().eq(conversations::last_message_id)))
        .left_join(
            conversation_members::table.on(conversation_members::conversation_id
                .eq(conversations::id)
                .and(conversation_members::user_id.ne(user))),
        )
        .left_join(users::table.on(users::id.nullable().eq(conversation_members::user_id)))
        .filter(conversations::id.eq_any(&ids))
        .order((conversations::id, conversation_members::id))
        .select((
            conversations::id,
            listings::id.nullable(),
            listings::title.nullable(),
            listings::cover_thumb_key.nullable(),
            messages::kind.nullable(),
            messages::body.nullable(),
            messages::video_source.nullable(),
            messages::member_id.nullable(),
            (
                users::username,
                users::display_name,
                users::avatar_key,
                users::deleted_at.is_not_null(),
            )
                .nullable(),
        ))
        .load(conn)?;
    let mut details_of: std::collections::HashMap<ConversationId, Details> =
        std::collections::HashMap::with_capacity(details.len());
    for row in details {
        details_of.entry(row.0).or_insert(row);
    }
    let rows = page
        .into_iter()
        .map(|(member, conversation_id, unread, activity_at)| {
            let d = details_of.get(&conversation_id);
            let other = d.and_then(|d| d.8.as_ref());
            InboxRow {
                conversation_id,
                unread,
                activity_at,
                listing_id: d.and_then(|d| d.1),
                listing_title: d.and_then(|d| d.2.clone()),
                listing_thumb: d.and_then(|d| d.3.clone()),
                other_username: other.map(|o| o.0.clone()),
                other_name: other.map(|o| o.1.clone()),
                other_avatar: other.and_then(|o| o.2.clone()),
                other_deleted: other.map(|o| o.3),
                last_kind: d.and_then(|d| d.4),
                last_body: d.and_then(|d| d.5.clone()),
                last_video_source: d.and_then(|d| d.6),
                last_mine: d.and_then(|d| d.7).map(|author| author == member),
            }
        })
        .collect();
    Ok(rows)
}

/// A page of a member's conversations by number (the API's): `limit` from `offset`, newest
/// activity first, and how many there are in all.
pub fn inbox_by_number(
    conn: &mut PgConnection,
    user: UserId,
    archived: bool,
    offset: i64,
    limit: i64,
) -> QueryResult<(Vec<InboxRow>, i64)> {
    let mine = conversation_members::table
        .filter(conversation_members::user_id.eq(user))
        .filter(conversation_members::archived.eq(archived));
    let total: i64 = mine.count().get_result(conn)?;
    let page: Vec<Membership> = mine
        .order((
            conversation_members::activity_at.desc(),
            conversation_members::conversation_id.desc(),
        ))
        .offset(offset)
        .limit(limit)
        .select((
            conversation_members::id,
            conversation_members::conversation_id,
            conversation_members::unread,
            conversation_members::activity_at,
        ))
        .load(conn)?;
    Ok((inbox_rows(conn, user, page)?, total))
}

/// How many conversations a member archived.
pub fn archived_count(conn: &mut PgConnection, user: UserId) -> QueryResult<i64> {
    conversation_members::table
        .filter(conversation_members::user_id.eq(user))
        .filter(conversation_members::archived.eq(true))
        .count()
        .get_result(conn)
}

/// One message a member sent, with where it went.
#[derive(Debug, Clone, QueryableByName)]
pub struct SentRow {
    #[diesel(sql_type = BigInt)]
    pub id: MessageId,
    #[diesel(sql_type = BigInt)]
    pub conversation_id: ConversationId,
    #[diesel(sql_type = Text)]
    pub kind: MessageKind,
    #[diesel(sql_type = Text)]
    pub body: String,
    #[diesel(sql_type = Nullable<Text>)]
    pub video_source: Option<VideoSource>,
    #[diesel(sql_type = Timestamptz)]
    pub created_at: DateTime<Utc>,
    #[diesel(sql_type = Nullable<Text>)]
    pub listing_title: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    pub other_name: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    pub other_username: Option<String>,
}

/// A page of the messages a member sent before `before`, newest first (one more than
/// `limit`).
pub fn sent_page(
    conn: &mut PgConnection,
    user: UserId,
    before: Option<MessageId>,
    limit: i64,
) -> QueryResult<Vec<SentRow>> {
    diesel::sql_query(
        "SELECT m.id, m.conversation_id, m.kind, m.body, m.video_source, m.created_at,
                l.title AS listing_title, u.display_name AS other_name,
                u.username AS other_username
         FROM conversation_members cm
         JOIN messages m ON m.member_id = cm.id
         JOIN conversations c ON c.id = cm.conversation_id
         LEFT JOIN listings l ON l.id = c.listing_id
         LEFT JOIN LATERAL (
             SELECT o.user_id FROM conversation_members o
             WHERE o.conversation_id = cm.conversation_id AND o.id <> cm.id
             ORDER BY o.id LIMIT 1
         ) o ON true
         LEFT JOIN users u ON u.id = o.user_id
         WHERE cm.user_id = $1 AND ($2::bigint IS NULL OR m.id < $2)
         ORDER BY m.id DESC
         LIMIT $3",
    )
    .bind::<BigInt, _>(user)
    .bind::<Nullable<BigInt>, _>(before)
    .bind::<BigInt, _>(limit + 1)
    .load(conn)
}

// ---------------------------------------------------------------------------------------------
// History, for the API

/// The conversations (not rooms) that two members are both in.
pub fn conversations_between(
    conn: &mut PgConnection,
    a: UserId,
    b: UserId,
) -> QueryResult<Vec<ConversationId>> {
    let other = diesel::alias!(conversation_members as other);
    conversation_members::table
        .inner_join(conversations::table)
        .inner_join(
            other.on(other
                .field(conversation_members::conversation_id)
                .eq(conversation_members::conversation_id)),
        )
        .filter(conversation_members::user_id.eq(a))
        .filter(other.field(conversation_members::user_id).eq(b))
        .filter(conversations::kind.ne(ConversationKind::Room))
        .select(conversation_members::conversation_id)
        .load(conn)
}

/// Whether `user` is in `conversation`.
pub fn is_member(
    conn: &mut PgConnection,
    conversation: ConversationId,
    user: UserId,
) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        conversation_members::table
            .filter(conversation_members::conversation_id.eq(conversation))
            .filter(conversation_members::user_id.eq(user)),
    ))
    .get_result(conn)
}

/// A message with its sender's username.
pub type WithSender = (Message, Option<String>);

/// Messages a history counts before it says "at least" (counting a long one to the end on
/// every page is not cheap).
pub const HISTORY_COUNT_CAP: i64 = 1000;

/// A page of history.
#[derive(Debug)]
pub struct HistoryPage {
    pub rows: Vec<WithSender>,
    /// Messages in all, counted up to [`HISTORY_COUNT_CAP`] + 1 unless `exact`.
    pub counted: i64,
    /// Whether `counted` is the whole count (one conversation's numbers are).
    pub exact: bool,
    /// Whether older messages follow this page.
    pub more: bool,
}

/// A page of the messages of `conversations`, newest first, with each sender's username
/// (`None` for a guest or a deleted account): `limit` from `offset` among those older than
/// `before` (all, when none).
pub fn history(
    conn: &mut PgConnection,
    conversations: &[ConversationId],
    before: Option<MessageId>,
    offset: i64,
    limit: i64,
) -> QueryResult<HistoryPage> {
    #[derive(QueryableByName)]
    struct Count {
        #[diesel(sql_type = BigInt)]
        n: i64,
    }
    if let [conversation] = conversations {
        return numbered_history(conn, *conversation, before, offset, limit);
    }
    let before = before.unwrap_or(MessageId(i64::MAX));
    let ids_of: Vec<i64> = conversations.iter().map(|c| c.0).collect();
    let counted = diesel::sql_query(
        "SELECT count(*) AS n FROM (
             SELECT 1 FROM messages WHERE conversation_id = ANY($1) AND id < $2 LIMIT $3
         ) AS capped",
    )
    .bind::<diesel::sql_types::Array<BigInt>, _>(&ids_of)
    .bind::<BigInt, _>(before)
    .bind::<BigInt, _>(HISTORY_COUNT_CAP + 1)
    .get_result::<Count>(conn)?
    .n;
    // The page's ids first, from the index alone (an offset deep into a long history costs
    // index entries, not joined rows), then those messages with their senders.
    let mut ids: Vec<MessageId> = messages::table
        .filter(messages::conversation_id.eq_any(conversations))
        .filter(messages::id.lt(before))
        .order(messages::id.desc())
        .offset(offset)
        .limit(limit + 1)
        .select(messages::id)
        .load(conn)?;
    let more = ids.len() as i64 > limit;
    ids.truncate(limit as usize);
    let rows = messages::table
        .inner_join(conversation_members::table)
        .left_join(users::table.on(users::id.nullable().eq(conversation_members::user_id)))
        .filter(messages::id.eq_any(&ids))
        .order(messages::id.desc())
        .select((Message::as_select(), users::username.nullable()))
        .load(conn)?;
    Ok(HistoryPage {
        rows,
        counted,
        exact: false,
        more,
    })
}

/// [`history`] of one conversation, by the messages' numbers: the newest number older than
/// `before` (or the newest of all), then an index range below it — as cheap on page 50 as on
/// page 1. Its total is that number, exact.
fn numbered_history(
    conn: &mut PgConnection,
    conversation: ConversationId,
    before: Option<MessageId>,
    offset: i64,
    limit: i64,
) -> QueryResult<HistoryPage> {
    let newest = messages::table
        .filter(messages::conversation_id.eq(conversation))
        .into_boxed();
    let newest = match before {
        Some(before) => newest.filter(messages::id.lt(before)),
        None => newest,
    };
    let top: i64 = newest
        .order(messages::id.desc())
        .select(messages::seq)
        .first::<i32>(conn)
        .optional()?
        .map_or(0, i64::from);
    let rows: Vec<WithSender> = messages::table
        .inner_join(conversation_members::table)
        .left_join(users::table.on(users::id.nullable().eq(conversation_members::user_id)))
        .filter(messages::conversation_id.eq(conversation))
        .filter(messages::seq.le((top - offset).clamp(0, i64::from(i32::MAX)) as i32))
        .order(messages::seq.desc())
        .limit(limit + 1)
        .select((Message::as_select(), users::username.nullable()))
        .load(conn)?;
    let more = rows.len() as i64 > limit;
    let rows = rows.into_iter().take(limit as usize).collect();
    Ok(HistoryPage {
        rows,
        counted: top,
        exact: true,
        more,
    })
}

/// One message with its sender's username.
pub fn message_with_sender(conn: &mut PgConnection, id: MessageId) -> QueryResult<WithSender> {
    messages::table
        .inner_join(conversation_members::table)
        .left_join(users::table.on(users::id.nullable().eq(conversation_members::user_id)))
        .filter(messages::id.eq(id))
        .select((Message::as_select(), users::username.nullable()))
        .first(conn)
}
