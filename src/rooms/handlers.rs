//! Chat rooms' pages: making one, joining by its link, talking (live with JavaScript, after
//! post → redirect → get without), the owner's link rotation and closing, and one's rooms.
//!
//! Policy: a room is found only by its key; a key that does not exist or was rotated is the
//! same 404. Room pages send `Referrer-Policy: no-referrer` (the key is in the address) and
//! are not indexed. A guest is a chat name remembered by the session: its token is in the
//! session cookie and stored hashed, so guests reach nothing but rooms.

use std::time::Duration;

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpRequest, HttpResponse, Responder, web};
use serde::Deserialize;

use super::domain::{RoomKey, parse_chat_name, parse_room_name};
use super::queries::{self, Guest, NotSent, Participant, Room, Who};
use super::views::{
    JoinPage, MessageView, MyRoomRow, MyRoomsPage, NewRoomPage, PeoplePage, Reader, ReportPage,
    RoomPage,
};
use crate::messages::domain::MessageText;
use crate::web::rate_limit::{self, Limit};
use crate::web::respond::redirect;
use crate::web::session::{self as web_session, FlashKind};
use crate::web::{AppError, Db, FieldErrors, PageContext};

/// Messages on a room page.
const PAGE: i64 = 50;
/// The session's key for a guest's token.
const GUEST_TOKEN: &str = "chat_guest";

/// Rooms made from one network.
pub const ROOMS_PER_NETWORK: Limit = Limit {
    name: "room-create",
    max: 20,
    window: Duration::from_secs(3600),
    refusal: "Many rooms were just made from your network.",
};
/// Rooms joined from one network.
pub const JOINS_PER_NETWORK: Limit = Limit {
    name: "room-join",
    max: 120,
    window: Duration::from_secs(3600),
    refusal: "Many rooms were just joined from your network.",
};
/// Room messages reported from one network (guests need no account to report).
pub const REPORTS_PER_NETWORK: Limit = Limit {
    name: "room-report",
    max: 30,
    window: Duration::from_secs(3600),
    refusal: "Many messages were just reported from your network.",
};
/// Messages one participant sends to a room.
pub const MESSAGES_PER_PARTICIPANT: Limit = Limit {
    name: "room-message",
    max: 30,
    window: Duration::from_secs(60),
    refusal: "You are sending messages faster than the room can follow.",
};

/// The guest this browser is, if it chose a chat name.
async fn guest_of(db: &Db, session: &Session) -> Result<Option<Guest>, AppError> {
    let Some(token) = session.get::<String>(GUEST_TOKEN).ok().flatten() else {
        return Ok(None);
    };
    let hash = web_session::token_hash(&token);
    db.run(move |conn| queries::find_guest(conn, &hash)).await
}

/// Who the visitor is in rooms, if anyone yet: a member, or this browser's guest.
async fn who(db: &Db, ctx: &PageContext, session: &Session) -> Result<Option<Who>, AppError> {
    if let Some(user) = &ctx.user {
        return Ok(Some(Who::Member(user.id)));
    }
    Ok(guest_of(db, session).await?.map(|g| Who::Guest(g.id)))
}

/// The visitor as a participant-to-be named `name`: a member, this browser's guest (renamed
/// to `name`, the name offered in the next room), or a new guest remembered by the session.
async fn become_(
    db: &Db,
    ctx: &PageContext,
    session: &Session,
    name: &str,
) -> Result<Who, AppError> {
    if let Some(user) = &ctx.user {
        return Ok(Who::Member(user.id));
    }
    let name = name.to_owned();
    if let Some(guest) = guest_of(db, session).await? {
        db.run(move |conn| queries::rename_guest(conn, guest.id, &name))
            .await?;
        return Ok(Who::Guest(guest.id));
    }
    let token = web_session::random_token();
    let hash = web_session::token_hash(&token);
    let guest = db
        .run(move |conn| queries::create_guest(conn, &hash, &name))
        .await?;
    session
        .insert(GUEST_TOKEN, token)
        .map_err(|err| AppError::Internal(anyhow::anyhow!("cannot write the session: {err}")))?;
    Ok(Who::Guest(guest.id))
}

/// The name to offer: the member's display name or the guest's last chat name.
async fn offered_name(db: &Db, ctx: &PageContext, session: &Session) -> Result<String, AppError> {
    if let Some(user) = &ctx.user {
        return Ok(user.display_name.chars().take(32).collect());
    }
    Ok(guest_of(db, session)
        .await?
        .map(|g| g.name)
        .unwrap_or_default())
}

/// A room page's answer: never cached, never indexed, and its address (which holds the key)
/// never sent on to other sites.
fn room_response(page: impl Responder, status: StatusCode, req: &HttpRequest) -> HttpResponse {
    let mut response = crate::web::respond::private_page(page, status, req);
    let headers = response.headers_mut();
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    headers.insert(
        header::HeaderName::from_static("x-robots-tag"),
        HeaderValue::from_static("noindex, nofollow"),
    );
    response
}

/// The room behind a key, or the 404 of a room that never was.
pub(super) async fn load_room(db: &Db, key: &str) -> Result<Room, AppError> {
    let key = RoomKey::parse(key).ok_or(AppError::NotFound)?;
    db.run(move |conn| queries::find_room(conn, &key))
        .await?
        .ok_or(AppError::NotFound)
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct NewRoomForm {
    name: String,
    chat_name: String,
}

/// `GET /rooms/new`
pub async fn new_room_form(
    req: HttpRequest,
    ctx: PageContext,
    db: Db,
    session: Session,
) -> Result<HttpResponse, AppError> {
    let chat_name = offered_name(&db, &ctx, &session).await?;
    let page = NewRoomPage {
        ctx,
        room_name: String::new(),
        chat_name,
        errors: FieldErrors::new(),
    };
    Ok(crate::web::respond::form_page(page, &req))
}

/// `POST /rooms/new`
pub async fn create_room(
    req: HttpRequest,
    ctx: PageContext,
    db: Db,
    session: Session,
    form: web::Form<NewRoomForm>,
) -> Result<HttpResponse, AppError> {
    let mut errors = FieldErrors::new();
    let title = errors.take("name", parse_room_name(&form.name));
    let chat_name = errors.take("chat_name", parse_chat_name(&form.chat_name));
    let (Some(title), Some(chat_name), true) = (title, chat_name, errors.is_empty()) else {
        let page = NewRoomPage {
            ctx,
            room_name: form.name.clone(),
            chat_name: form.chat_name.clone(),
            errors,
        };
        return Ok(crate::web::respond::unprocessable(page, &req));
    };
    let network = rate_limit::client_network(&req);
    db.run(move |conn| rate_limit::hit(conn, ROOMS_PER_NETWORK, &network))
        .await?;
    let owner = become_(&db, &ctx, &session, &chat_name).await?;
    let key = RoomKey::generate();
    let made = key.clone();
    db.run(move |conn| queries::create_room(conn, &made, &title, owner, &chat_name))
        .await?;
    web_session::push_flash(
        &session,
        FlashKind::Success,
        "Your room is ready. Share its link with the people you want in it.",
    );
    Ok(redirect(&key.path()))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct RoomQuery {
    before: Option<String>,
}

/// What a participant's page reads: the page of messages and who is here (marking the reader
/// here now).
struct PageData {
    messages: Vec<queries::RoomMessage>,
    present: Vec<(String, bool)>,
}

fn page_data(
    conn: &mut diesel::PgConnection,
    room: &Room,
    me: &Participant,
    before: Option<i32>,
) -> diesel::QueryResult<PageData> {
    queries::touch(conn, me.id)?;
    Ok(PageData {
        messages: queries::messages_before(conn, room.id, before, PAGE + 1)?,
        present: queries::present(conn, room.id)?,
    })
}

/// Everything a participant's page shows.
#[allow(clippy::too_many_arguments)]
async fn room_page(
    db: &Db,
    ctx: PageContext,
    room: Room,
    me: Participant,
    owner: bool,
    before: Option<i32>,
    body: String,
    errors: FieldErrors,
) -> Result<RoomPage, AppError> {
    let (read_room, read_me) = (room.clone(), me.clone());
    let data = db
        .run(move |conn| page_data(conn, &read_room, &read_me, before))
        .await?;
    Ok(page_view(ctx, room, me, owner, before, data, body, errors))
}

#[allow(clippy::too_many_arguments)]
fn page_view(
    ctx: PageContext,
    room: Room,
    me: Participant,
    owner: bool,
    before: Option<i32>,
    data: PageData,
    body: String,
    errors: FieldErrors,
) -> RoomPage {
    let PageData { messages, present } = data;
    let more = messages.len() as i64 > PAGE;
    let shown = if more { &messages[1..] } else { &messages[..] };
    let path = room.key().path();
    let reader = Reader {
        me: me.id,
        path: path.clone(),
        owner,
    };
    RoomPage {
        share_url: format!("{}{path}", ctx.site.public_url),
        ctx,
        name: room.name().to_owned(),
        path,
        me: me.name().to_owned(),
        owner,
        closed: room.closed_at.is_some(),
        older: more.then(|| shown.first().map_or(0, |m| m.seq)),
        paged: before.is_some(),
        last: shown.last().map_or(0, |m| m.seq),
        messages: shown.iter().map(|m| MessageView::new(m, &reader)).collect(),
        present,
        body,
        errors,
        rename: room.name().to_owned(),
        rename_errors: FieldErrors::new(),
    }
}

/// A room opened by its link, as the visitor sees it.
enum Opened {
    /// Not (or no longer) a participant: the form to join.
    Outsider { room: Room, removed: bool },
    /// A participant, with the page's reads done.
    Inside {
        room: Room,
        me: Participant,
        owner: bool,
        data: PageData,
    },
}

/// `GET /rooms/{key}`: the room, or the form to join it. One trip to the database for a
/// participant's page: the room, the visitor, the messages and who is here.
pub async fn show_room(
    req: HttpRequest,
    ctx: PageContext,
    db: Db,
    session: Session,
    key: web::Path<String>,
    query: web::Query<RoomQuery>,
) -> Result<HttpResponse, AppError> {
    let key = RoomKey::parse(&key).ok_or(AppError::NotFound)?;
    let before = query
        .before
        .as_deref()
        .and_then(|b| b.trim().parse::<i32>().ok())
        .filter(|b| *b > 0);
    let member = ctx.user.as_ref().map(|user| user.id);
    let guest = session
        .get::<String>(GUEST_TOKEN)
        .ok()
        .flatten()
        .map(|token| web_session::token_hash(&token));
    let opened = db
        .run(move |conn| {
            let Some(room) = queries::find_room(conn, &key)? else {
                return Ok(None);
            };
            let who = match (member, guest) {
                (Some(user), _) => Some(Who::Member(user)),
                (None, Some(hash)) => queries::find_guest(conn, &hash)?.map(|g| Who::Guest(g.id)),
                (None, None) => None,
            };
            let me = match who {
                Some(who) => queries::participant(conn, room.id, who)?,
                None => None,
            };
            Ok::<_, AppError>(Some(match me {
                Some(me) if me.removed_at.is_none() => Opened::Inside {
                    owner: who.is_some_and(|who| room.is_owned_by(who)),
                    data: page_data(conn, &room, &me, before)?,
                    room,
                    me,
                },
                me => Opened::Outsider {
                    room,
                    removed: me.is_some(),
                },
            }))
        })
        .await?
        .ok_or(AppError::NotFound)?;
    match opened {
        Opened::Outsider { room, removed } => {
            let chat_name = offered_name(&db, &ctx, &session).await?;
            let page = JoinPage {
                ctx,
                name: room.name().to_owned(),
                path: room.key().path(),
                chat_name,
                removed,
                errors: FieldErrors::new(),
            };
            Ok(room_response(page, StatusCode::OK, &req))
        }
        Opened::Inside {
            room,
            me,
            owner,
            data,
        } => {
            let page = page_view(
                ctx,
                room,
                me,
                owner,
                before,
                data,
                String::new(),
                FieldErrors::new(),
            );
            Ok(room_response(page, StatusCode::OK, &req))
        }
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct JoinForm {
    chat_name: String,
}

/// `POST /rooms/{key}/join`
pub async fn join_room(
    req: HttpRequest,
    ctx: PageContext,
    db: Db,
    session: Session,
    key: web::Path<String>,
    form: web::Form<JoinForm>,
) -> Result<HttpResponse, AppError> {
    let room = load_room(&db, &key).await?;
    let name = match parse_chat_name(&form.chat_name) {
        Ok(name) => name,
        Err(message) => {
            let mut errors = FieldErrors::new();
            errors.add("chat_name", message);
            let page = JoinPage {
                ctx,
                name: room.name().to_owned(),
                path: room.key().path(),
                chat_name: form.chat_name.clone(),
                removed: false,
                errors,
            };
            return Ok(room_response(page, StatusCode::UNPROCESSABLE_ENTITY, &req));
        }
    };
    let network = rate_limit::client_network(&req);
    db.run(move |conn| rate_limit::hit(conn, JOINS_PER_NETWORK, &network))
        .await?;
    let who = become_(&db, &ctx, &session, &name).await?;
    let id = room.id;
    let joined = db
        .run(move |conn| queries::join(conn, id, who, &name))
        .await?;
    if joined.removed_at.is_some() {
        return Err(AppError::Forbidden(Some(
            "The room's owner removed you from this room.".into(),
        )));
    }
    Ok(redirect(&room.key().path()))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct MessageForm {
    body: String,
}

/// The participant `who` is in the room, or the page's refusal.
pub(super) async fn participant_of(
    db: &Db,
    ctx: &PageContext,
    session: &Session,
    room: &Room,
) -> Result<(Who, Participant), AppError> {
    let who = who(db, ctx, session)
        .await?
        .ok_or(AppError::Forbidden(Some(
            "Join the room first: open its link and choose a name.".into(),
        )))?;
    let id = room.id;
    let me = db
        .run(move |conn| queries::participant(conn, id, who))
        .await?
        .ok_or(AppError::Forbidden(Some(
            "Join the room first: open its link and choose a name.".into(),
        )))?;
    if me.removed_at.is_some() {
        return Err(AppError::Forbidden(Some(
            "The room's owner removed you from this room.".into(),
        )));
    }
    Ok((who, me))
}

/// `POST /rooms/{key}`: sends a message.
pub async fn send_message(
    req: HttpRequest,
    ctx: PageContext,
    db: Db,
    session: Session,
    key: web::Path<String>,
    form: web::Form<MessageForm>,
) -> Result<HttpResponse, AppError> {
    let room = load_room(&db, &key).await?;
    let (who, me) = participant_of(&db, &ctx, &session, &room).await?;
    let owner = room.is_owned_by(who);
    let text = match MessageText::parse(&form.body) {
        Ok(text) => text.into_inner(),
        Err(message) => {
            let mut errors = FieldErrors::new();
            errors.add("body", message);
            let body = form.body.clone();
            let page = room_page(&db, ctx, room, me, owner, None, body, errors).await?;
            return Ok(room_response(page, StatusCode::UNPROCESSABLE_ENTITY, &req));
        }
    };
    let (id, member) = (room.id, me.id);
    let sent = db
        .run(move |conn| {
            rate_limit::hit(conn, MESSAGES_PER_PARTICIPANT, &member.to_string())?;
            Ok::<_, AppError>(queries::send(conn, id, member, &text)?)
        })
        .await?;
    match sent {
        Ok(_) => Ok(redirect(&format!("{}#latest", room.key().path()))),
        Err(NotSent::Closed) => Err(AppError::Forbidden(Some(
            "This room is closed: its messages stay, but no new ones.".into(),
        ))),
        Err(NotSent::Removed) => Err(AppError::Forbidden(Some(
            "The room's owner removed you from this room.".into(),
        ))),
    }
}

/// The room, if the visitor owns it; strangers get the room's 404, participants a 403.
async fn owned_room(
    db: &Db,
    ctx: &PageContext,
    session: &Session,
    key: &str,
) -> Result<Room, AppError> {
    let room = load_room(db, key).await?;
    let (who, _) = participant_of(db, ctx, session, &room).await?;
    if !room.is_owned_by(who) {
        return Err(AppError::Forbidden(Some(
            "Only the room's owner can do that.".into(),
        )));
    }
    Ok(room)
}

/// `POST /rooms/{key}/rotate`: a new link; the old one stops working at once.
pub async fn rotate_link(
    ctx: PageContext,
    db: Db,
    session: Session,
    key: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let room = owned_room(&db, &ctx, &session, &key).await?;
    let fresh = RoomKey::generate();
    let (id, new) = (room.id, fresh.clone());
    db.run(move |conn| queries::rotate_key(conn, id, &new))
        .await?;
    web_session::push_flash(
        &session,
        FlashKind::Success,
        "The room has a new link; the old one no longer works. Share the new one with those you want to keep.",
    );
    Ok(redirect(&fresh.path()))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct CloseForm {
    action: String,
}

/// `POST /rooms/{key}/close`: read-only, or open again.
pub async fn close_room(
    ctx: PageContext,
    db: Db,
    session: Session,
    key: web::Path<String>,
    form: web::Form<CloseForm>,
) -> Result<HttpResponse, AppError> {
    let room = owned_room(&db, &ctx, &session, &key).await?;
    let close = match form.action.as_str() {
        "close" => true,
        "reopen" => false,
        _ => {
            return Err(AppError::BadRequest(
                "Choose to close or reopen the room.".into(),
            ));
        }
    };
    let id = room.id;
    db.run(move |conn| queries::set_closed(conn, id, close))
        .await?;
    web_session::push_flash(
        &session,
        FlashKind::Success,
        if close {
            "The room is closed: everyone can still read it, nobody can write."
        } else {
            "The room is open again."
        },
    );
    Ok(redirect(&room.key().path()))
}

/// `GET /rooms`: the rooms this browser or member joined.
pub async fn my_rooms(ctx: PageContext, db: Db, session: Session) -> Result<MyRoomsPage, AppError> {
    let rooms = match who(&db, &ctx, &session).await? {
        Some(who) => db.run(move |conn| queries::rooms_of(conn, who)).await?,
        None => Vec::new(),
    };
    let now = chrono::Utc::now();
    let rooms = rooms
        .into_iter()
        .filter_map(|room| {
            let key = RoomKey::parse(room.key.as_deref()?)?;
            Some(MyRoomRow {
                path: key.path(),
                title: room.title.unwrap_or_else(|| "Chat room".into()),
                name: room.name.unwrap_or_default(),
                closed: room.closed_at.is_some(),
                activity: crate::web::time::ago(
                    room.last_message_at.unwrap_or(room.created_at),
                    now,
                ),
            })
        })
        .collect();
    Ok(MyRoomsPage { ctx, rooms })
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct RenameForm {
    name: String,
}

/// `POST /rooms/{key}/rename`
pub async fn rename_room(
    req: HttpRequest,
    ctx: PageContext,
    db: Db,
    session: Session,
    key: web::Path<String>,
    form: web::Form<RenameForm>,
) -> Result<HttpResponse, AppError> {
    let room = owned_room(&db, &ctx, &session, &key).await?;
    let title = match parse_room_name(&form.name) {
        Ok(title) => title,
        Err(message) => {
            let mut errors = FieldErrors::new();
            errors.add("name", message);
            let who = who(&db, &ctx, &session).await?.ok_or(AppError::NotFound)?;
            let id = room.id;
            let me = db
                .run(move |conn| queries::participant(conn, id, who))
                .await?
                .ok_or(AppError::NotFound)?;
            let mut page = room_page(
                &db,
                ctx,
                room,
                me,
                true,
                None,
                String::new(),
                FieldErrors::new(),
            )
            .await?;
            page.rename = form.name.clone();
            page.rename_errors = errors;
            return Ok(room_response(page, StatusCode::UNPROCESSABLE_ENTITY, &req));
        }
    };
    let id = room.id;
    db.run(move |conn| queries::rename_room(conn, id, &title))
        .await?;
    web_session::push_flash(&session, FlashKind::Success, "Room renamed.");
    Ok(redirect(&room.key().path()))
}

/// `GET /rooms/{key}/messages/{seq}/remove`: "are you sure?"
pub async fn confirm_remove_message(
    req: HttpRequest,
    ctx: PageContext,
    db: Db,
    session: Session,
    path: web::Path<(String, i32)>,
) -> Result<HttpResponse, AppError> {
    let (key, seq) = path.into_inner();
    let room = owned_room(&db, &ctx, &session, &key).await?;
    let path = room.key().path();
    let page = crate::web::confirm::ConfirmPage {
        ctx,
        title: "Remove this message?".into(),
        message: "It disappears from the room for everyone.".into(),
        action: format!("{path}/messages/{seq}/remove"),
        confirm_label: "Remove message",
        cancel_url: path,
    };
    Ok(room_response(page, StatusCode::OK, &req))
}

/// `POST /rooms/{key}/messages/{seq}/remove`
pub async fn remove_message(
    ctx: PageContext,
    db: Db,
    session: Session,
    path: web::Path<(String, i32)>,
) -> Result<HttpResponse, AppError> {
    let (key, seq) = path.into_inner();
    let room = owned_room(&db, &ctx, &session, &key).await?;
    let id = room.id;
    let removed = db
        .run(move |conn| queries::remove_message(conn, id, seq))
        .await?;
    if !removed {
        return Err(AppError::NotFound);
    }
    web_session::push_flash(&session, FlashKind::Success, "Message removed.");
    Ok(redirect(&room.key().path()))
}

/// `POST /rooms/{key}/participants/{id}/remove`
pub async fn remove_participant(
    ctx: PageContext,
    db: Db,
    session: Session,
    path: web::Path<(String, crate::db::ids::MemberId)>,
) -> Result<HttpResponse, AppError> {
    let (key, member) = path.into_inner();
    let room = owned_room(&db, &ctx, &session, &key).await?;
    let target = room.clone();
    let removed = db
        .run(move |conn| queries::remove_participant(conn, &target, member))
        .await?;
    if !removed {
        return Err(AppError::NotFound);
    }
    web_session::push_flash(
        &session,
        FlashKind::Success,
        "Removed: they can no longer write here or follow the room.",
    );
    Ok(redirect(&format!("{}/people", room.key().path())))
}

/// `GET /rooms/{key}/people`: for the owner, everyone in the room, each with a button to
/// remove them.
pub async fn people(
    req: HttpRequest,
    ctx: PageContext,
    db: Db,
    session: Session,
    key: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let room = owned_room(&db, &ctx, &session, &key).await?;
    let who = who(&db, &ctx, &session).await?.ok_or(AppError::NotFound)?;
    let id = room.id;
    let everyone = db.run(move |conn| queries::participants(conn, id)).await?;
    let page = PeoplePage {
        ctx,
        name: room.name().to_owned(),
        path: room.key().path(),
        people: everyone
            .iter()
            .filter(|p| match who {
                Who::Member(user) => p.user_id != Some(user),
                Who::Guest(guest) => p.guest_id != Some(guest),
            })
            .map(|p| (p.id, p.name().to_owned(), p.user_id.is_some()))
            .collect(),
    };
    Ok(room_response(page, StatusCode::OK, &req))
}

/// `GET /rooms/{key}/delete`: "are you sure?"
pub async fn confirm_delete_room(
    req: HttpRequest,
    ctx: PageContext,
    db: Db,
    session: Session,
    key: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let room = owned_room(&db, &ctx, &session, &key).await?;
    let path = room.key().path();
    let page = crate::web::confirm::ConfirmPage {
        ctx,
        title: format!("Delete the room “{}”?", room.name()),
        message: "Its messages are deleted for everyone, and its link stops working. This cannot be undone.".into(),
        action: format!("{path}/delete"),
        confirm_label: "Delete room",
        cancel_url: path,
    };
    Ok(room_response(page, StatusCode::OK, &req))
}

/// `POST /rooms/{key}/delete`
pub async fn delete_room(
    ctx: PageContext,
    db: Db,
    session: Session,
    key: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let room = owned_room(&db, &ctx, &session, &key).await?;
    let id = room.id;
    db.run(move |conn| queries::delete_room(conn, id)).await?;
    web_session::push_flash(&session, FlashKind::Info, "Room deleted.");
    Ok(redirect("/rooms"))
}

/// The room's message number `seq`, for a participant (member or guest) to report, not
/// their own.
async fn reportable(
    db: &Db,
    ctx: &PageContext,
    session: &Session,
    key: &str,
    seq: i32,
) -> Result<(Room, Who, queries::RoomMessage), AppError> {
    let room = load_room(db, key).await?;
    let (who, me) = participant_of(db, ctx, session, &room).await?;
    let id = room.id;
    let message = db
        .run(move |conn| queries::messages_before(conn, id, Some(seq.saturating_add(1)), 1))
        .await?
        .into_iter()
        .find(|m| m.seq == seq && m.member_id != me.id)
        .ok_or(AppError::NotFound)?;
    Ok((room, who, message))
}

/// `GET /rooms/{key}/messages/{seq}/report`
pub async fn report_form(
    req: HttpRequest,
    ctx: PageContext,
    db: Db,
    session: Session,
    path: web::Path<(String, i32)>,
) -> Result<HttpResponse, AppError> {
    let (key, seq) = path.into_inner();
    let (room, _, message) = reportable(&db, &ctx, &session, &key, seq).await?;
    let page = ReportPage {
        ctx,
        path: room.key().path(),
        seq,
        preview: message.body,
        reason: String::new(),
        errors: FieldErrors::new(),
    };
    Ok(room_response(page, StatusCode::OK, &req))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ReportForm {
    reason: String,
}

/// `POST /rooms/{key}/messages/{seq}/report`: into the moderators' queue.
pub async fn report_message(
    req: HttpRequest,
    ctx: PageContext,
    db: Db,
    session: Session,
    path: web::Path<(String, i32)>,
    form: web::Form<ReportForm>,
) -> Result<HttpResponse, AppError> {
    let (key, seq) = path.into_inner();
    let (room, who, message) = reportable(&db, &ctx, &session, &key, seq).await?;
    let reason = match crate::moderation::domain::Reason::parse(&form.reason) {
        Ok(reason) => reason,
        Err(problem) => {
            let mut errors = FieldErrors::new();
            errors.add("reason", problem);
            let page = ReportPage {
                ctx,
                path: room.key().path(),
                seq,
                preview: message.body,
                reason: form.reason.clone(),
                errors,
            };
            return Ok(room_response(page, StatusCode::UNPROCESSABLE_ENTITY, &req));
        }
    };
    let network = rate_limit::client_network(&req);
    let id = message.id;
    db.run(move |conn| {
        rate_limit::hit(conn, REPORTS_PER_NETWORK, &network)?;
        Ok::<_, AppError>(queries::report(conn, id, who, reason.as_str())?)
    })
    .await?;
    web_session::push_flash(
        &session,
        FlashKind::Success,
        "Thank you. The moderators will look at this message.",
    );
    Ok(redirect(&room.key().path()))
}
