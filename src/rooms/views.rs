//! The rooms' pages.

use askama::Template;
use askama_web::WebTemplate;

use crate::web::time::ago;
use crate::web::{FieldErrors, PageContext};

/// `/rooms/new`
#[derive(Template, WebTemplate)]
#[template(path = "rooms/new.html")]
pub struct NewRoomPage {
    pub ctx: PageContext,
    pub room_name: String,
    pub chat_name: String,
    pub errors: FieldErrors,
}

/// A room's page for someone who has not joined it (or was removed).
#[derive(Template, WebTemplate)]
#[template(path = "rooms/join.html")]
pub struct JoinPage {
    pub ctx: PageContext,
    pub name: String,
    pub path: String,
    pub chat_name: String,
    pub removed: bool,
    pub errors: FieldErrors,
}

/// One message, on the page and in the stream.
#[derive(Template, Debug, Clone)]
#[template(path = "rooms/message.html")]
pub struct MessageView {
    pub seq: i32,
    pub author: String,
    pub by_member: bool,
    pub mine: bool,
    pub text: Vec<crate::listings::domain::BodyPart>,
    pub time: String,
    pub exact: String,
    /// For the room's owner: where to remove it.
    pub remove_url: Option<String>,
    /// For members, on others' messages: where to report it to the moderators.
    pub report_url: Option<String>,
}

/// Who reads a room's messages, for what each message offers them.
#[derive(Debug, Clone)]
pub struct Reader {
    pub me: crate::db::ids::MemberId,
    /// The room's path.
    pub path: String,
    pub owner: bool,
}

impl MessageView {
    /// `message` as `reader` sees it.
    pub fn new(message: &super::queries::RoomMessage, reader: &Reader) -> Self {
        let mine = message.member_id == reader.me;
        let now = chrono::Utc::now();
        Self {
            seq: message.seq,
            author: message.author.clone().unwrap_or_else(|| "Someone".into()),
            by_member: message.by_member,
            mine,
            text: crate::listings::domain::body_parts(&message.body),
            time: ago(message.created_at, now),
            exact: crate::web::time::exact(message.created_at),
            remove_url: reader
                .owner
                .then(|| format!("{}/messages/{}/remove", reader.path, message.seq)),
            report_url: (!mine).then(|| format!("{}/messages/{}/report", reader.path, message.seq)),
        }
    }
}

/// A room's page for a participant.
#[derive(Template, WebTemplate)]
#[template(path = "rooms/room.html")]
pub struct RoomPage {
    pub ctx: PageContext,
    pub name: String,
    pub path: String,
    pub share_url: String,
    pub me: String,
    pub owner: bool,
    pub closed: bool,
    pub messages: Vec<MessageView>,
    /// `?before=` of older messages, when there are some.
    pub older: Option<i32>,
    /// This page shows older messages, not the newest.
    pub paged: bool,
    /// The last message number shown (the stream goes on from there).
    pub last: i32,
    pub present: Vec<(String, bool)>,
    pub body: String,
    pub errors: FieldErrors,
    /// For the owner: the rename form.
    pub rename: String,
    pub rename_errors: FieldErrors,
}

/// A row of "my rooms".
pub struct MyRoomRow {
    pub path: String,
    pub title: String,
    pub name: String,
    pub closed: bool,
    pub activity: String,
}

/// `/rooms`
#[derive(Template, WebTemplate)]
#[template(path = "rooms/mine.html")]
pub struct MyRoomsPage {
    pub ctx: PageContext,
    pub rooms: Vec<MyRoomRow>,
}

/// Reporting a room's message to the moderators.
#[derive(Template, WebTemplate)]
#[template(path = "rooms/report.html")]
pub struct ReportPage {
    pub ctx: PageContext,
    pub path: String,
    pub seq: i32,
    pub preview: String,
    pub reason: String,
    pub errors: FieldErrors,
}

/// The owner's list of who is in the room.
#[derive(Template, WebTemplate)]
#[template(path = "rooms/people.html")]
pub struct PeoplePage {
    pub ctx: PageContext,
    pub name: String,
    pub path: String,
    /// Everyone but the owner: id, name, whether a member.
    pub people: Vec<(crate::db::ids::MemberId, String, bool)>,
}
