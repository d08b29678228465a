//! Rows of the messaging tables.

use chrono::{DateTime, Utc};
use diesel::prelude::*;

use super::domain::{ConversationKind, MessageKind, VideoSource};
use crate::db::ids::{ConversationId, ListingId, MemberId, MessageId, UserId};
use crate::db::schema::{conversation_members, conversations, messages};
use crate::storage::ObjectKey;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = conversations, check_for_backend(diesel::pg::Pg))]
pub struct Conversation {
    pub id: ConversationId,
    pub kind: ConversationKind,
    pub listing_id: Option<ListingId>,
    pub started_by: Option<UserId>,
    pub last_message_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    /// Closed (a match that ended): read only.
    pub closed_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = conversation_members, check_for_backend(diesel::pg::Pg))]
pub struct Member {
    pub id: MemberId,
    pub conversation_id: ConversationId,
    pub user_id: Option<UserId>,
    pub last_read_message_id: MessageId,
    pub unread: i32,
    pub archived: bool,
    pub activity_at: DateTime<Utc>,
    pub read_at: Option<DateTime<Utc>>,
    pub notified_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = messages, check_for_backend(diesel::pg::Pg))]
pub struct Message {
    pub id: MessageId,
    pub conversation_id: ConversationId,
    pub member_id: MemberId,
    pub kind: MessageKind,
    pub body: String,
    pub image_key: Option<ObjectKey>,
    pub image_width: Option<i32>,
    pub image_height: Option<i32>,
    pub video_source: Option<VideoSource>,
    pub video_id: Option<String>,
    pub video_seconds: Option<i32>,
    pub created_at: DateTime<Utc>,
    /// An image elsewhere (sent through the API), instead of a stored one.
    pub image_url: Option<String>,
}

/// What a new message carries (one of text, image or video; text may caption the others).
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = messages)]
pub struct NewMessage {
    pub conversation_id: ConversationId,
    pub member_id: MemberId,
    pub kind: MessageKind,
    pub body: String,
    pub image_key: Option<ObjectKey>,
    pub image_width: Option<i32>,
    pub image_height: Option<i32>,
    pub video_source: Option<VideoSource>,
    pub video_id: Option<String>,
    pub video_seconds: Option<i32>,
    pub image_url: Option<String>,
}
