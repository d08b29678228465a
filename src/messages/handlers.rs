//! Contacting a seller (`/listings/{id}/contact`), the inbox (`/messages`), conversations
//! (`/messages/{id}`) and what members do in them: reply, archive, block, report.
//!
//! Policy: a conversation a member is not in answers 404, the same page as one that does not
//! exist, on every route. Sending is an ordinary form POST (post/redirect/get); a refused
//! message re-renders its page with everything typed kept in the box.

use actix_multipart::Multipart;
use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use chrono::{DateTime, Utc};
use serde::Deserialize;

use super::domain::{self, Caution, MessageKind, MessageText, VideoLink};
use super::images;
use super::models::Message;
use super::notify;
use super::queries::{self, InboxCursor, Person};
use super::service::{self, Attachment, Draft, NotSent, Target};
use super::views::{
    CannotWrite, ContactPage, ConversationPage, ImageView, InboxItem, InboxPage, ListingLink,
    MessageView, PersonView, ReplyForm, ReportPage, SentItem, SentPage, ThreadItem, VideoView,
};
use crate::config::{MessageSettings, SecretKey};
use crate::db::ids::{ConversationId, ListingId, MessageId, UserId};
use crate::listings::domain::{body_parts, slugify};
use crate::listings::models::ListingStatus;
use crate::listings::queries as listing_queries;
use crate::moderation::domain::Reason;
use crate::storage::Storage;

use crate::web::respond::{form_page, private_page, redirect, too_many, unprocessable};
use crate::web::session::{self, CurrentUser, FlashKind};
use crate::web::time::{ago, exact};
use crate::web::upload::{UploadLimits, UploadedFile, read_upload};
use crate::web::{AppError, AuthUser, Db, FieldErrors, PageContext};

/// Conversations on one inbox page.
const INBOX_PAGE: i64 = 25;
/// Messages on one conversation page.
const THREAD_PAGE: i64 = 50;
/// Sent messages on one page.
const SENT_PAGE: i64 = 25;
/// A first message from an account younger than this may carry a caution.
const NEW_ACCOUNT_DAYS: i64 = 7;

fn reply_limits() -> UploadLimits {
    UploadLimits {
        max_file_bytes: images::MAX_IMAGE_BYTES,
        max_files: 1,
        max_text_bytes: 32 * 1024,
        max_parts: 12,
        max_total_bytes: images::MAX_IMAGE_BYTES + 256 * 1024,
    }
}

/// A reply form as sent: its text fields, and the photo if one was chosen.
async fn read_reply(multipart: Multipart) -> Result<(ReplyForm, Option<UploadedFile>), AppError> {
    let upload = read_upload(multipart, reply_limits()).await?;
    let form = ReplyForm {
        body: upload.text("body").unwrap_or_default().to_owned(),
        video_url: upload.text("video_url").unwrap_or_default().to_owned(),
        video_length: upload.text("video_length").unwrap_or_default().to_owned(),
    };
    let file = upload
        .files
        .into_iter()
        .find(|f| f.field == "image" && f.size > 0);
    Ok((form, file))
}

/// Checks a reply form; every problem goes next to its field.
fn parse_reply(
    form: &ReplyForm,
    has_image: bool,
) -> Result<(String, Option<VideoLink>), FieldErrors> {
    let mut errors = FieldErrors::new();
    let video = if form.video_url.trim().is_empty() {
        if !form.video_length.trim().is_empty() {
            errors.add("video_url", "Add the video's link, or clear its length.");
        }
        None
    } else {
        match VideoLink::parse(&form.video_url, &form.video_length) {
            Ok(link) => Some(link),
            Err((field, message)) => {
                errors.add(field, message);
                None
            }
        }
    };
    if has_image && !form.video_url.trim().is_empty() {
        errors.add(
            "video_url",
            "Send the photo and the video link as two messages.",
        );
    }
    let has_attachment = has_image || !form.video_url.trim().is_empty();
    let caption = if form.body.trim().is_empty() && has_attachment {
        String::new()
    } else {
        errors
            .take("body", MessageText::parse(&form.body))
            .map(MessageText::into_inner)
            .unwrap_or_default()
    };
    if errors.is_empty() {
        Ok((caption, video))
    } else {
        Err(errors)
    }
}

/// Checks a reply form and sends what it asks to.
async fn send_form(
    db: &Db,
    storage: &Storage,
    me: &CurrentUser,
    target: Target,
    form: &ReplyForm,
    file: Option<UploadedFile>,
    settings: &MessageSettings,
) -> Result<Result<queries::Sent, NotSent>, AppError> {
    let (caption, video) = match parse_reply(form, file.is_some()) {
        Ok(parsed) => parsed,
        Err(errors) => return Ok(Err(NotSent::Invalid(errors))),
    };
    let attachment = match (file, video) {
        (Some(file), _) => Attachment::Upload(file),
        (None, Some(video)) => Attachment::Video(video),
        (None, None) => Attachment::None,
    };
    let draft = Draft {
        caption,
        attachment,
    };
    service::deliver(db, storage, me, target, draft, settings).await
}

/// The answer to a form that was not sent: its page again, with the right status.
fn not_sent_response<P: actix_web::Responder>(
    not_sent_status: StatusCode,
    page: P,
    retry_after: Option<std::time::Duration>,
    req: &HttpRequest,
) -> HttpResponse {
    match retry_after {
        Some(wait) => too_many(page, wait, req),
        None if not_sent_status == StatusCode::UNPROCESSABLE_ENTITY => unprocessable(page, req),
        None => private_page(page, not_sent_status, req),
    }
}

/// Splits a refusal into what the page shows and the status it is sent with.
fn refusal_parts(
    not_sent: NotSent,
) -> (
    FieldErrors,
    Option<CannotWrite>,
    StatusCode,
    Option<std::time::Duration>,
) {
    match not_sent {
        NotSent::Invalid(errors) => (errors, None, StatusCode::UNPROCESSABLE_ENTITY, None),
        NotSent::Limited(wait, message) => {
            let mut errors = FieldErrors::new();
            errors.add("body", message);
            (errors, None, StatusCode::TOO_MANY_REQUESTS, Some(wait))
        }
        NotSent::StorageDown(errors) => (errors, None, StatusCode::SERVICE_UNAVAILABLE, None),
        NotSent::Blocked => (
            FieldErrors::new(),
            Some(CannotWrite::NotAccepting),
            StatusCode::FORBIDDEN,
            None,
        ),
        NotSent::Closed => (
            FieldErrors::new(),
            Some(CannotWrite::Ended),
            StatusCode::FORBIDDEN,
            None,
        ),
    }
}

// ---------------------------------------------------------------------------------------------
// Contacting a seller

/// A listing that may be written about, with its seller.
struct Contactable {
    listing: ListingLink,
    seller_id: UserId,
    seller: PersonView,
    existing: Option<ConversationId>,
    blocked: bool,
}

async fn load_contactable(
    db: &Db,
    storage: &Storage,
    id: ListingId,
    me: UserId,
) -> Result<Contactable, AppError> {
    let (listing, seller, existing, blocked, thumb) = db
        .run(move |conn| {
            let listing = listing_queries::find_listing(conn, id)?.ok_or(AppError::NotFound)?;
            let existing = queries::conversation_about(conn, id, me)?;
            // A new conversation needs a listing that is up; an old one goes on regardless.
            let now = Utc::now();
            if existing.is_none() && !ListingStatus::LISTED.contains(&listing.effective_status(now))
            {
                return Err(AppError::NotFound);
            }
            if listing.owner_id == me {
                return Err(AppError::Forbidden(Some(
                    "This is your listing: buyers' messages about it arrive in your inbox.".into(),
                )));
            }
            let seller = queries::person(conn, listing.owner_id)?.ok_or(AppError::NotFound)?;
            let blocked = queries::blocked_between(conn, listing.owner_id, me)?;
            let thumb = queries::listing_ref(conn, id)?.and_then(|l| l.thumb_key);
            Ok::<_, AppError>((listing, seller, existing, blocked, thumb))
        })
        .await?;
    let thumb_url = crate::listings::photos::thumb_url(storage, thumb.as_ref()).await;
    Ok(Contactable {
        listing: ListingLink {
            id: listing.id,
            title: listing.title.clone(),
            path: Some(listing.path()),
            thumb_url,
            note: None,
        },
        seller_id: listing.owner_id,
        seller: person_view(storage, Some(&seller)).await,
        existing,
        blocked,
    })
}

fn cannot_write(me: &CurrentUser, blocked: bool) -> Option<CannotWrite> {
    if blocked {
        Some(CannotWrite::NotAccepting)
    } else if !me.email_verified {
        Some(CannotWrite::Unverified)
    } else {
        None
    }
}

/// `GET /listings/{id}/contact`
pub async fn contact_form(
    req: HttpRequest,
    ctx: PageContext,
    AuthUser(me): AuthUser,
    db: Db,
    storage: web::Data<Storage>,
    id: web::Path<ListingId>,
) -> Result<HttpResponse, AppError> {
    let found = load_contactable(&db, &storage, id.into_inner(), me.id).await?;
    let page = ContactPage {
        ctx,
        cannot_write: cannot_write(&me, found.blocked),
        listing: found.listing,
        seller: found.seller,
        existing: found.existing,
        form: ReplyForm::default(),
        errors: FieldErrors::new(),
    };
    Ok(form_page(page, &req))
}

/// `POST /listings/{id}/contact` (multipart): the first message opens the conversation;
/// later ones continue it.
pub async fn contact(
    req: HttpRequest,
    ctx: PageContext,
    AuthUser(me): AuthUser,
    db: Db,
    storage: web::Data<Storage>,
    settings: web::Data<MessageSettings>,
    id: web::Path<ListingId>,
    multipart: Multipart,
) -> Result<HttpResponse, AppError> {
    let (form, file) = read_reply(multipart).await?;
    let found = load_contactable(&db, &storage, id.into_inner(), me.id).await?;
    let blocked_now = cannot_write(&me, found.blocked);
    let outcome = match blocked_now {
        Some(CannotWrite::NotAccepting) => Err(NotSent::Blocked),
        // A listing's conversation is never closed.
        Some(CannotWrite::Ended) => Err(NotSent::Closed),
        Some(CannotWrite::Unverified) => {
            let page = ContactPage {
                ctx,
                cannot_write: blocked_now,
                listing: found.listing,
                seller: found.seller,
                existing: found.existing,
                form,
                errors: FieldErrors::new(),
            };
            return Ok(private_page(page, StatusCode::FORBIDDEN, &req));
        }
        None => {
            let target = Target::Listing {
                listing: found.listing.id,
                seller: found.seller_id,
            };
            send_form(&db, &storage, &me, target, &form, file, &settings).await?
        }
    };
    match outcome {
        Ok(sent) => Ok(redirect(&format!(
            "/messages/{}#m{}",
            sent.conversation, sent.message
        ))),
        Err(not_sent) => {
            let (errors, cannot, status, wait) = refusal_parts(not_sent);
            let page = ContactPage {
                ctx,
                cannot_write: cannot,
                listing: found.listing,
                seller: found.seller,
                existing: found.existing,
                form,
                errors,
            };
            Ok(not_sent_response(status, page, wait, &req))
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Conversations

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ThreadQuery {
    before: Option<String>,
}

async fn person_view(storage: &Storage, person: Option<&Person>) -> PersonView {
    match person {
        Some(p) if !p.deleted => PersonView {
            name: if p.display_name.is_empty() {
                p.username.clone()
            } else {
                p.display_name.clone()
            },
            profile: Some(format!("/u/{}", p.username)),
            avatar_url: match &p.avatar_key {
                Some(key) => storage.signed_url(key).await.ok(),
                None => None,
            },
        },
        _ => PersonView {
            name: "Deleted member".into(),
            profile: None,
            avatar_url: None,
        },
    }
}

fn listing_note(status: ListingStatus) -> Option<&'static str> {
    match status {
        ListingStatus::Active => None,
        ListingStatus::Pending => Some("Sale pending"),
        ListingStatus::Sold => Some("Sold"),
        ListingStatus::Expired => Some("Expired"),
        ListingStatus::Deleted => Some("Deleted"),
        ListingStatus::Held | ListingStatus::Removed => Some("Removed"),
    }
}

/// A message's text for a one-line preview.
pub fn preview(kind: MessageKind, body: &str, video: Option<domain::VideoSource>) -> String {
    let text: String = body.split_whitespace().collect::<Vec<_>>().join(" ");
    let text = if text.chars().count() > 120 {
        format!("{}…", text.chars().take(119).collect::<String>())
    } else {
        text
    };
    match kind {
        MessageKind::Text | MessageKind::System => text,
        MessageKind::Image if text.is_empty() => "Sent a photo".into(),
        MessageKind::Video if text.is_empty() => format!(
            "Sent a video link ({})",
            video.map_or("video", |v| v.label())
        ),
        _ => text,
    }
}

fn day_label(day: chrono::NaiveDate, today: chrono::NaiveDate) -> String {
    if day == today {
        "Today".into()
    } else if Some(day) == today.pred_opt() {
        "Yesterday".into()
    } else if day.format("%Y").to_string() == today.format("%Y").to_string() {
        day.format("%A %-d %B").to_string()
    } else {
        day.format("%A %-d %B %Y").to_string()
    }
}

fn length_label(seconds: i32) -> String {
    let (h, m, s) = (seconds / 3600, seconds / 60 % 60, seconds % 60);
    if h > 0 {
        format!("{h}:{m:02}:{s:02}")
    } else {
        format!("{m}:{s:02}")
    }
}

/// Everything a conversation page shows, read for `me`.
async fn conversation_page(
    db: &Db,
    storage: &Storage,
    ctx: PageContext,
    me: &CurrentUser,
    id: ConversationId,
    before: Option<MessageId>,
    mark_read: bool,
) -> Result<ConversationPage, AppError> {
    let user = me.id;
    let (thread, messages, first, i_blocked, blocked) = db
        .run(move |conn| {
            let thread = queries::thread_for(conn, id, user)?.ok_or(AppError::NotFound)?;
            let messages = queries::messages_before(conn, id, before, THREAD_PAGE)?;
            let first = queries::first_message(conn, id)?;
            let other = thread.other().map(|p| p.id);
            let (i_blocked, blocked) = match other {
                Some(other) => (
                    queries::has_blocked(conn, user, other)?,
                    queries::blocked_between(conn, user, other)?,
                ),
                None => (false, false),
            };
            if mark_read && before.is_none() {
                queries::mark_read(conn, id, user)?;
            }
            Ok::<_, AppError>((thread, messages, first, i_blocked, blocked))
        })
        .await?;
    let read_by_others = thread.read_by_others();
    let other = person_view(storage, thread.other()).await;
    let listing = match &thread.listing {
        Some(l) => {
            let visible = l.status.is_viewable();
            Some(ListingLink {
                id: l.id,
                title: l.title.clone(),
                path: visible.then(|| format!("/listings/{}/{}", l.id, slugify(&l.title))),
                thumb_url: if visible {
                    crate::listings::photos::thumb_url(storage, l.thumb_key.as_ref()).await
                } else {
                    None
                },
                note: listing_note(l.status),
            })
        }
        None => None,
    };
    let has_older = messages.len() as i64 > THREAD_PAGE;
    let messages: Vec<Message> = if has_older {
        messages.into_iter().skip(1).collect()
    } else {
        messages
    };
    let older = has_older.then(|| messages.first().map(|m| m.id)).flatten();
    // "Seen" goes under the last of my messages the others have read.
    let seen_id = messages
        .iter()
        .filter(|m| m.member_id == thread.me.id && m.id <= read_by_others)
        .map(|m| m.id)
        .next_back();
    let now = Utc::now();
    let today = now.date_naive();
    let mut items = Vec::with_capacity(messages.len() + 4);
    let mut last_day = None;
    for m in &messages {
        let day = m.created_at.date_naive();
        if last_day != Some(day) {
            items.push(ThreadItem::Day(day_label(day, today)));
            last_day = Some(day);
        }
        let mine = m.member_id == thread.me.id;
        let image = match (&m.image_key, &m.image_url, m.image_width, m.image_height) {
            (Some(key), _, Some(width), Some(height)) => Some(ImageView {
                url: storage.signed_url(key).await.ok(),
                width,
                height,
                elsewhere: None,
            }),
            (None, Some(url), Some(width), Some(height)) => Some(ImageView {
                url: Some(url.clone()),
                width,
                height,
                elsewhere: url::Url::parse(url)
                    .ok()
                    .and_then(|u| u.host_str().map(str::to_owned)),
            }),
            _ => None,
        };
        let video = match (m.video_source, &m.video_id) {
            (Some(source), Some(video_id)) => Some(VideoView {
                source: source.label(),
                url: domain::watch_url(source, video_id),
                length: m.video_seconds.map(length_label),
            }),
            _ => None,
        };
        items.push(ThreadItem::Message(Box::new(MessageView {
            id: m.id,
            mine,
            author: if mine {
                "You".into()
            } else {
                other.name.clone()
            },
            time: ago(m.created_at, now),
            exact: exact(m.created_at),
            text: body_parts(&m.body),
            image,
            video,
            seen: Some(m.id) == seen_id,
            system: m.kind == MessageKind::System,
        })));
    }
    let cautions = match first {
        Some(queries::FirstMessage {
            message,
            author: Some(author),
            author_joined: Some(joined),
        }) => caution_reasons(&message, author, joined, user),
        _ => Vec::new(),
    };
    Ok(ConversationPage {
        ctx,
        id,
        other,
        listing,
        items,
        older,
        paged: before.is_some(),
        cautions,
        archived: thread.me.archived,
        i_blocked,
        cannot_write: if thread.conversation.closed_at.is_some() {
            Some(CannotWrite::Ended)
        } else {
            cannot_write(me, blocked)
        },
        form: ReplyForm::default(),
        errors: FieldErrors::new(),
    })
}

/// The reasons for caution of a conversation's first message, for its reader: only when it
/// came from someone else whose account was under a week old when they wrote it.
fn caution_reasons(
    first: &Message,
    author: UserId,
    joined: DateTime<Utc>,
    reader: UserId,
) -> Vec<&'static str> {
    if author == reader || first.created_at - joined > chrono::Duration::days(NEW_ACCOUNT_DAYS) {
        return Vec::new();
    }
    domain::cautions(&first.body)
        .into_iter()
        .map(Caution::explanation)
        .collect()
}

fn parse_before(raw: Option<&str>) -> Result<Option<MessageId>, AppError> {
    match raw {
        None | Some("") => Ok(None),
        Some(raw) => raw
            .parse::<MessageId>()
            .ok()
            .filter(|id| id.0 > 0)
            .map(Some)
            .ok_or_else(|| AppError::BadRequest("That page of messages does not exist.".into())),
    }
}

/// `GET /messages/{id}`: the conversation; reading it marks it read.
pub async fn show_conversation(
    req: HttpRequest,
    ctx: PageContext,
    AuthUser(me): AuthUser,
    db: Db,
    storage: web::Data<Storage>,
    id: web::Path<ConversationId>,
    query: web::Query<ThreadQuery>,
) -> Result<HttpResponse, AppError> {
    let before = parse_before(query.before.as_deref())?;
    let page = conversation_page(&db, &storage, ctx, &me, id.into_inner(), before, true).await?;
    Ok(form_page(page, &req))
}

/// `POST /messages/{id}` (multipart): a reply.
pub async fn reply(
    req: HttpRequest,
    ctx: PageContext,
    AuthUser(me): AuthUser,
    db: Db,
    storage: web::Data<Storage>,
    settings: web::Data<MessageSettings>,
    id: web::Path<ConversationId>,
    multipart: Multipart,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let (form, file) = read_reply(multipart).await?;
    let outcome = if me.email_verified {
        send_form(
            &db,
            &storage,
            &me,
            Target::Conversation(id),
            &form,
            file,
            &settings,
        )
        .await?
    } else {
        let mut page = conversation_page(&db, &storage, ctx, &me, id, None, false).await?;
        page.form = form;
        return Ok(private_page(page, StatusCode::FORBIDDEN, &req));
    };
    match outcome {
        Ok(sent) => Ok(redirect(&format!("/messages/{id}#m{}", sent.message))),
        Err(not_sent) => {
            let (errors, cannot, status, wait) = refusal_parts(not_sent);
            let mut page = conversation_page(&db, &storage, ctx, &me, id, None, false).await?;
            page.form = form;
            page.errors = errors;
            if cannot.is_some() {
                page.cannot_write = cannot;
            }
            Ok(not_sent_response(status, page, wait, &req))
        }
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ActionForm {
    action: String,
}

impl ActionForm {
    /// `true` for the `on` action, `false` for the `off` one; anything else is a 400 saying
    /// `refusal`.
    fn choice(&self, on: &str, off: &str, refusal: &str) -> Result<bool, AppError> {
        match self.action.as_str() {
            a if a == on => Ok(true),
            a if a == off => Ok(false),
            _ => Err(AppError::BadRequest(refusal.into())),
        }
    }
}

/// `POST /messages/{id}/archive`: `action` = archive or unarchive.
pub async fn archive(
    AuthUser(me): AuthUser,
    db: Db,
    session: Session,
    id: web::Path<ConversationId>,
    form: web::Form<ActionForm>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let archived = form.choice("archive", "unarchive", "Choose to archive or not.")?;
    let found = db
        .run(move |conn| queries::set_archived(conn, id, me.id, archived))
        .await?;
    if !found {
        return Err(AppError::NotFound);
    }
    if archived {
        session::push_flash(
            &session,
            FlashKind::Success,
            "Conversation archived. It comes back when a new message arrives.",
        );
        Ok(redirect("/messages"))
    } else {
        session::push_flash(&session, FlashKind::Success, "Moved back to your inbox.");
        Ok(redirect(&format!("/messages/{id}")))
    }
}

/// `POST /messages/{id}/block`: `action` = block or unblock the other member.
pub async fn block(
    AuthUser(me): AuthUser,
    db: Db,
    session: Session,
    id: web::Path<ConversationId>,
    form: web::Form<ActionForm>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let blocking = form.choice("block", "unblock", "Choose to block or unblock.")?;
    let user = me.id;
    let name = db
        .run(move |conn| {
            let thread = queries::thread_for(conn, id, user)?.ok_or(AppError::NotFound)?;
            let other = thread
                .other()
                .filter(|p| !p.deleted)
                .cloned()
                .ok_or(AppError::NotFound)?;
            if blocking {
                queries::block(conn, user, other.id)?;
            } else {
                queries::unblock(conn, user, other.id)?;
            }
            Ok::<_, AppError>(if other.display_name.is_empty() {
                other.username
            } else {
                other.display_name
            })
        })
        .await?;
    let message = if blocking {
        format!("You blocked {name}. Neither of you can write to the other until you unblock them.")
    } else {
        format!("You unblocked {name}.")
    };
    session::push_flash(&session, FlashKind::Success, message);
    Ok(redirect(&format!("/messages/{id}")))
}

/// A message someone else wrote in a conversation `me` is in (404 otherwise).
async fn reportable(
    db: &Db,
    me: UserId,
    conversation: ConversationId,
    message: MessageId,
) -> Result<Message, AppError> {
    db.run(move |conn| {
        let (found, mine) = queries::message_for(conn, message, me)?.ok_or(AppError::NotFound)?;
        if found.conversation_id != conversation || mine {
            return Err(AppError::NotFound);
        }
        Ok(found)
    })
    .await
}

/// `GET /messages/{id}/report/{message}`
pub async fn report_form(
    req: HttpRequest,
    ctx: PageContext,
    AuthUser(me): AuthUser,
    db: Db,
    path: web::Path<(ConversationId, MessageId)>,
) -> Result<HttpResponse, AppError> {
    let (conversation, message) = path.into_inner();
    let found = reportable(&db, me.id, conversation, message).await?;
    let page = ReportPage {
        ctx,
        conversation,
        message,
        preview: preview(found.kind, &found.body, found.video_source),
        reason: String::new(),
        errors: FieldErrors::new(),
    };
    Ok(form_page(page, &req))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ReportForm {
    reason: String,
}

/// `POST /messages/{id}/report/{message}`
pub async fn report(
    req: HttpRequest,
    ctx: PageContext,
    AuthUser(me): AuthUser,
    db: Db,
    session: Session,
    path: web::Path<(ConversationId, MessageId)>,
    form: web::Form<ReportForm>,
) -> Result<HttpResponse, AppError> {
    let (conversation, message) = path.into_inner();
    let found = reportable(&db, me.id, conversation, message).await?;
    // The same rules as every other text written for the moderators.
    let mut errors = FieldErrors::new();
    let reason = errors.take("reason", Reason::parse(&form.reason));
    let Some(reason) = reason else {
        let page = ReportPage {
            ctx,
            conversation,
            message,
            preview: preview(found.kind, &found.body, found.video_source),
            reason: form.reason.clone(),
            errors,
        };
        return Ok(unprocessable(page, &req));
    };
    let user = me.id;
    db.run(move |conn| queries::report(conn, message, user, reason.as_str()))
        .await?;
    session::push_flash(
        &session,
        FlashKind::Success,
        "Thank you. The moderators will look at this message.",
    );
    Ok(redirect(&format!("/messages/{conversation}")))
}

// ---------------------------------------------------------------------------------------------
// Lists

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct InboxQuery {
    archived: Option<String>,
    after: Option<String>,
}

/// `GET /messages`: conversations, newest activity first (`?archived=1`: the archived ones).
pub async fn inbox(
    req: HttpRequest,
    ctx: PageContext,
    AuthUser(me): AuthUser,
    db: Db,
    storage: web::Data<Storage>,
    query: web::Query<InboxQuery>,
) -> Result<HttpResponse, AppError> {
    let archived = matches!(query.archived.as_deref(), Some("1" | "true" | "yes"));
    let after = match query.after.as_deref() {
        None | Some("") => None,
        Some(raw) => Some(InboxCursor::decode(raw).ok_or_else(|| {
            AppError::BadRequest("That page of conversations does not exist.".into())
        })?),
    };
    let user = me.id;
    let queries::InboxPageRows {
        mut rows,
        archived_count,
    } = db
        .run(move |conn| queries::inbox_page(conn, user, archived, after, INBOX_PAGE))
        .await?;
    let next = (rows.len() as i64 > INBOX_PAGE).then(|| {
        rows.truncate(INBOX_PAGE as usize);
        rows.last().map(|r| {
            InboxCursor {
                at: r.activity_at,
                id: r.conversation_id,
            }
            .encode()
        })
    });
    let now = Utc::now();
    let mut items = Vec::with_capacity(rows.len());
    for row in rows {
        let other = match (&row.other_username, row.other_deleted) {
            (Some(username), Some(false)) => PersonView {
                name: row
                    .other_name
                    .clone()
                    .filter(|n| !n.is_empty())
                    .unwrap_or_else(|| username.clone()),
                profile: Some(format!("/u/{username}")),
                avatar_url: match &row.other_avatar {
                    Some(key) => storage.signed_url(key).await.ok(),
                    None => None,
                },
            },
            _ => person_view(&storage, None).await,
        };
        let text = match row.last_kind {
            Some(kind) => preview(
                kind,
                row.last_body.as_deref().unwrap_or_default(),
                row.last_video_source,
            ),
            None => String::new(),
        };
        items.push(InboxItem {
            id: row.conversation_id,
            other,
            listing_title: row.listing_title.clone(),
            thumb_url: crate::listings::photos::thumb_url(&storage, row.listing_thumb.as_ref())
                .await,
            preview: if row.last_mine == Some(true) {
                format!("You: {text}")
            } else {
                text
            },
            when: ago(row.activity_at, now),
            exact: exact(row.activity_at),
            unread: row.unread,
        });
    }
    let page = InboxPage {
        ctx,
        archived,
        items,
        next: next.flatten(),
        archived_count,
    };
    Ok(private_page(page, StatusCode::OK, &req))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct SentQuery {
    before: Option<String>,
}

/// `GET /messages/sent`: what the member wrote, newest first.
pub async fn sent(
    req: HttpRequest,
    ctx: PageContext,
    AuthUser(me): AuthUser,
    db: Db,
    query: web::Query<SentQuery>,
) -> Result<HttpResponse, AppError> {
    let before = parse_before(query.before.as_deref())?;
    let user = me.id;
    let mut rows = db
        .run(move |conn| queries::sent_page(conn, user, before, SENT_PAGE))
        .await?;
    let next = (rows.len() as i64 > SENT_PAGE).then(|| {
        rows.truncate(SENT_PAGE as usize);
        rows.last().map(|r| r.id)
    });
    let now = Utc::now();
    let items = rows
        .into_iter()
        .map(|row| SentItem {
            conversation: row.conversation_id,
            message: row.id,
            to: row
                .other_name
                .filter(|n| !n.is_empty())
                .or(row.other_username)
                .unwrap_or_else(|| "Deleted member".into()),
            listing_title: row.listing_title,
            preview: preview(row.kind, &row.body, row.video_source),
            when: ago(row.created_at, now),
            exact: exact(row.created_at),
        })
        .collect();
    let page = SentPage {
        ctx,
        items,
        next: next.flatten(),
    };
    Ok(private_page(page, StatusCode::OK, &req))
}

#[derive(askama::Template, askama_web::WebTemplate)]
#[template(path = "messages/safety.html")]
pub struct SafetyPage {
    pub ctx: PageContext,
}

/// `GET /safety`: how to deal safely, linked from every caution.
pub async fn safety(ctx: PageContext) -> SafetyPage {
    SafetyPage { ctx }
}

#[derive(askama::Template, askama_web::WebTemplate)]
#[template(path = "messages/unsubscribe.html")]
pub struct UnsubscribePage {
    pub ctx: PageContext,
    /// The signed link itself (the form posts back to it).
    pub action: String,
    pub username: String,
    /// The mail is off now (after the POST, or already).
    pub off: bool,
}

/// The member a signed unsubscribe link is for: 404 for a bad signature or a deleted member.
async fn unsubscribing(
    db: &Db,
    secret: &SecretKey,
    path: (UserId, String),
) -> Result<(UserId, String, bool), AppError> {
    let (user, token) = path;
    if !notify::valid_unsubscribe_token(secret, user, &token) {
        return Err(AppError::NotFound);
    }
    let found = db
        .run(move |conn| crate::accounts::queries::message_mail(conn, user))
        .await?
        .ok_or(AppError::NotFound)?;
    Ok((user, found.0, !found.1))
}

/// `GET /mail/unsubscribe/{user}/{token}`: asks to confirm (a link scanner opening the link
/// changes nothing).
pub async fn unsubscribe_form(
    req: HttpRequest,
    ctx: PageContext,
    db: Db,
    secret: web::Data<SecretKey>,
    path: web::Path<(UserId, String)>,
) -> Result<UnsubscribePage, AppError> {
    let (_, username, off) = unsubscribing(&db, &secret, path.into_inner()).await?;
    Ok(UnsubscribePage {
        ctx,
        action: req.path().to_owned(),
        username,
        off,
    })
}

/// `POST /mail/unsubscribe/{user}/{token}`: turns the mail about new messages off. Needs no
/// login nor CSRF token (a mail program's one-click button posts it): the signature is the
/// authority, and the request's session is never used.
pub async fn unsubscribe(
    req: HttpRequest,
    ctx: PageContext,
    db: Db,
    secret: web::Data<SecretKey>,
    path: web::Path<(UserId, String)>,
) -> Result<UnsubscribePage, AppError> {
    let (user, username, _) = unsubscribing(&db, &secret, path.into_inner()).await?;
    db.run(move |conn| crate::accounts::queries::set_message_mail(conn, user, false))
        .await?;
    tracing::info!(%user, "unsubscribed from mail about new messages");
    Ok(UnsubscribePage {
        ctx,
        action: req.path().to_owned(),
        username,
        off: true,
    })
}
