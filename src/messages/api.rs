//! The messages part of the JSON API: sending typed messages (text, an image link, a video
//! link), the inbox, a conversation's history, everything between the caller and another
//! member, and marking read. Same rules as the pages (`service`): blocks, limits, a
//! confirmed address to send, live events and mail.

use actix_web::http::StatusCode;
use actix_web::{FromRequest, HttpRequest, HttpResponse, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::domain::{self, MessageKind, MessageText, VideoLink, VideoSource};
use super::handlers::preview;
use super::models::Message;
use super::queries;
use super::service::{self, Attachment, Draft, NotSent, Target};
use crate::accounts::queries as accounts;
use crate::config::MessageSettings;
use crate::db::ids::{ConversationId, ListingId, MessageId};
use crate::listings::models::ListingStatus;
use crate::listings::queries as listings;
use crate::storage::Storage;
use crate::web::bearer::ApiUser;
use crate::web::json::{ApiJson, json, unprocessable};
use crate::web::paging::{self, Extent, PageParams, Paging};
use crate::web::problem::Problem;
use crate::web::upload::{UploadLimits, read_upload};
use crate::web::{AppError, Db, FieldErrors};

const UNVERIFIED: &str = "Confirm your e-mail address before sending messages: follow the link in the mail we sent you (POST /settings/verify-email on the site sends it again).";
const BLOCKED: &str = "This member is not accepting messages from you.";

/// A message to send.
#[derive(Debug, Deserialize, ToSchema)]
pub struct NewMessage {
    /// The member to write to, by username.
    #[schema(example = "bob", pattern = "^[A-Za-z0-9_-]{3,30}$")]
    pub recipient: String,
    /// A listing to write about: the recipient's (you are the buyer), or yours when the
    /// recipient wrote to you about it. Without one, the message goes to your direct
    /// conversation with the recipient.
    #[serde(default)]
    pub listing_id: Option<i64>,
    /// A conversation you and the recipient are in, to write there: a match's (kind
    /// `match`), which takes no messages once the match ended.
    #[serde(default)]
    pub conversation_id: Option<i64>,
    pub body: NewBody,
}

/// What a message carries.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum NewBody {
    /// Text, up to 5,000 characters.
    Text {
        #[schema(min_length = 1, max_length = 5000)]
        text: String,
    },
    /// A link to an image elsewhere, with its size (pages show it as a link, never load it).
    Image {
        #[schema(
            format = "uri",
            max_length = 2048,
            example = "https://images.example.com/bike.jpg"
        )]
        url: String,
        #[schema(minimum = 1, maximum = 20000)]
        width: i64,
        #[schema(minimum = 1, maximum = 20000)]
        height: i64,
        #[serde(default)]
        #[schema(max_length = 5000)]
        caption: String,
    },
    /// A link to a video on YouTube, Vimeo or Vevo. `source` is found from the link when not
    /// given, and checked against it when given.
    Video {
        #[schema(
            format = "uri",
            example = "https://www.youtube.com/watch?v=dQw4w9WgXcQ"
        )]
        url: String,
        #[serde(default)]
        #[schema(minimum = 0, maximum = 86400)]
        length_seconds: Option<i64>,
        #[serde(default)]
        #[schema(example = "youtube")]
        source: Option<String>,
        #[serde(default)]
        #[schema(max_length = 5000)]
        caption: String,
    },
}

/// A message as stored.
#[derive(Debug, Serialize, ToSchema)]
pub struct MessageOut {
    pub id: i64,
    pub conversation_id: i64,
    /// The sender's username (absent for a deleted account).
    pub sender: Option<String>,
    pub sent_at: DateTime<Utc>,
    pub body: BodyOut,
}

/// What a message carries, as stored.
#[derive(Debug, Serialize, ToSchema)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum BodyOut {
    Text {
        text: String,
    },
    /// A note from the site, written by nobody (a match's "You matched on: …").
    System {
        text: String,
    },
    Image {
        /// The image: a signed link for a photo sent here (good for a while), or the link
        /// its sender gave.
        url: Option<String>,
        width: i32,
        height: i32,
        caption: String,
    },
    Video {
        url: String,
        source: String,
        length_seconds: Option<i32>,
        caption: String,
    },
}

async fn message_out(storage: &Storage, message: Message, sender: Option<String>) -> MessageOut {
    let body = match message.kind {
        MessageKind::Text => BodyOut::Text { text: message.body },
        MessageKind::System => BodyOut::System { text: message.body },
        MessageKind::Image => {
            let url = match (&message.image_key, message.image_url) {
                (Some(key), _) => storage.signed_url(key).await.ok(),
                (None, url) => url,
            };
            BodyOut::Image {
                url,
                width: message.image_width.unwrap_or_default(),
                height: message.image_height.unwrap_or_default(),
                caption: message.body,
            }
        }
        MessageKind::Video => {
            let source = message.video_source.unwrap_or(VideoSource::YouTube);
            BodyOut::Video {
                url: domain::watch_url(source, message.video_id.as_deref().unwrap_or_default()),
                source: source.as_str().to_owned(),
                length_seconds: message.video_seconds,
                caption: message.body,
            }
        }
    };
    MessageOut {
        id: message.id.0,
        conversation_id: message.conversation_id.0,
        sender,
        sent_at: message.created_at,
        body,
    }
}

/// The body's checks, every field at once (named as the request names them).
fn parse_body(body: NewBody) -> Result<Draft, FieldErrors> {
    let mut errors = FieldErrors::new();
    let caption = |errors: &mut FieldErrors, caption: &str| {
        if caption.trim().is_empty() {
            String::new()
        } else {
            errors
                .take("body.caption", MessageText::parse(caption))
                .map(MessageText::into_inner)
                .unwrap_or_default()
        }
    };
    let draft = match body {
        NewBody::Text { text } => Draft {
            caption: errors
                .take("body.text", MessageText::parse(&text))
                .map(MessageText::into_inner)
                .unwrap_or_default(),
            attachment: Attachment::None,
        },
        NewBody::Image {
            url,
            width,
            height,
            caption: text,
        } => {
            let url = errors.take("body.url", domain::parse_image_url(&url));
            let width = errors.take("body.width", domain::parse_image_side(width));
            let height = errors.take("body.height", domain::parse_image_side(height));
            let caption = caption(&mut errors, &text);
            match (url, width, height) {
                (Some(url), Some(width), Some(height)) => Draft {
                    caption,
                    attachment: Attachment::ImageLink { url, width, height },
                },
                _ => return Err(errors),
            }
        }
        NewBody::Video {
            url,
            length_seconds,
            source,
            caption: text,
        } => {
            let length = length_seconds.map(|s| s.to_string()).unwrap_or_default();
            let link = match VideoLink::parse(&url, &length) {
                Ok(link) => Some(link),
                Err((field, message)) => {
                    let field = if field == "video_url" {
                        "body.url"
                    } else {
                        "body.length_seconds"
                    };
                    errors.add(field, message);
                    None
                }
            };
            if let (Some(given), Some(link)) = (source.as_deref(), &link) {
                match VideoSource::parse(given.trim()) {
                    Some(named) if named == link.source => {}
                    Some(_) => errors.add(
                        "body.source",
                        format!("The link is to a video on {}.", link.source.label()),
                    ),
                    None => errors.add("body.source", "Give youtube, vimeo or vevo."),
                }
            }
            let caption = caption(&mut errors, &text);
            match link {
                Some(link) => Draft {
                    caption,
                    attachment: Attachment::Video(link),
                },
                None => return Err(errors),
            }
        }
    };
    if errors.is_empty() {
        Ok(draft)
    } else {
        Err(errors)
    }
}

/// The multipart form of `POST /api/v1/messages` that sends a photo.
#[derive(Debug, ToSchema)]
#[allow(dead_code)]
pub struct NewImageMessage {
    /// The member to write to, by username.
    recipient: String,
    /// A listing to write about, as in the JSON form.
    listing_id: Option<i64>,
    /// The photo (JPEG, PNG, WebP, HEIC; at most 15 MB): re-encoded, its size measured, and
    /// shown to the conversation's members only.
    #[schema(value_type = String, format = Binary)]
    image: Vec<u8>,
    /// Words to go with it, up to 5,000 characters.
    #[schema(max_length = 5000)]
    caption: Option<String>,
}

/// Limits of a multipart message: one photo and a few short fields.
fn image_limits() -> UploadLimits {
    UploadLimits {
        max_file_bytes: super::images::MAX_IMAGE_BYTES,
        max_files: 1,
        max_text_bytes: 32 * 1024,
        max_parts: 8,
        max_total_bytes: super::images::MAX_IMAGE_BYTES + 64 * 1024,
    }
}

/// A multipart message read: its recipient, listing and draft (or the bad fields).
async fn read_image_message(
    req: &HttpRequest,
    payload: web::Payload,
) -> Result<(String, Option<i64>, Result<Draft, FieldErrors>), AppError> {
    let multipart = actix_multipart::Multipart::new(req.headers(), payload.into_inner());
    let mut upload = read_upload(multipart, image_limits()).await?;
    let mut errors = FieldErrors::new();
    let recipient = upload.text("recipient").unwrap_or_default().to_owned();
    let listing_id = match upload.text("listing_id").map(str::trim) {
        None | Some("") => None,
        Some(text) => match text.parse::<i64>() {
            Ok(id) => Some(id),
            Err(_) => {
                errors.add("listing_id", "Give a listing's id, a number.");
                None
            }
        },
    };
    let caption = match upload.text("caption").map(str::trim) {
        None | Some("") => String::new(),
        Some(text) => errors
            .take("caption", MessageText::parse(text))
            .map(MessageText::into_inner)
            .unwrap_or_default(),
    };
    let file = upload
        .files
        .drain(..)
        .find(|f| f.field == "image" && f.size > 0);
    if file.is_none() {
        errors.add("image", "Attach the photo as the multipart field image.");
    }
    let draft = match file {
        Some(file) if errors.is_empty() => Ok(Draft {
            caption,
            attachment: Attachment::Upload(file),
        }),
        _ => Err(errors),
    };
    Ok((recipient, listing_id, draft))
}

/// `POST /api/v1/messages`
#[utoipa::path(
    post,
    path = "/api/v1/messages",
    tag = "messages",
    security(("bearer" = [])),
    request_body(
        description = "A typed message as JSON, or a photo as a multipart form.",
        content(
            (NewMessage = "application/json"),
            (NewImageMessage = "multipart/form-data"),
        )
    ),
    responses(
        (status = 201, description = "Sent; the recipient's pages and streams have it at once.", body = MessageOut),
        (status = 403, description = "Your address is not confirmed yet, or one of you blocked the other.", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "The photo is larger than its limit.", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Fields to correct, all at once (an unknown recipient, an empty text, a link that is not to a video, a file that is not a photo, …).", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Sending too fast.", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Photos cannot be stored right now.", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn send_message(
    req: HttpRequest,
    ApiUser(me): ApiUser,
    db: Db,
    storage: web::Data<Storage>,
    settings: web::Data<MessageSettings>,
    payload: web::Payload,
) -> Result<HttpResponse, actix_web::Error> {
    if !me.email_verified {
        return Err(AppError::Forbidden(Some(UNVERIFIED.into())).into());
    }
    let is_multipart = req
        .headers()
        .get(actix_web::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.trim_start()
                .to_ascii_lowercase()
                .starts_with("multipart/")
        });
    let (recipient, place, draft) = if is_multipart {
        let (recipient, listing_id, draft) = read_image_message(&req, payload).await?;
        (recipient, Place::from((listing_id, None)), draft)
    } else {
        let body = ApiJson::<NewMessage>::from_request(&req, &mut payload.into_inner()).await?;
        let NewMessage {
            recipient,
            listing_id,
            conversation_id,
            body,
        } = body.0;
        (
            recipient,
            Place::from((listing_id, conversation_id)),
            parse_body(body),
        )
    };
    Ok(send(me, db, storage, settings, recipient, place, draft).await?)
}

/// Where a message goes besides its recipient: a listing's conversation, or one named.
#[derive(Debug, Clone, Copy)]
struct Place {
    listing: Option<ListingId>,
    conversation: Option<ConversationId>,
}

impl From<(Option<i64>, Option<i64>)> for Place {
    fn from((listing, conversation): (Option<i64>, Option<i64>)) -> Self {
        Self {
            listing: listing.map(ListingId),
            conversation: conversation.map(ConversationId),
        }
    }
}

/// Sends a message read from either form.
async fn send(
    me: crate::web::CurrentUser,
    db: Db,
    storage: web::Data<Storage>,
    settings: web::Data<MessageSettings>,
    recipient: String,
    place: Place,
    draft: Result<Draft, FieldErrors>,
) -> Result<HttpResponse, AppError> {
    let mut errors = FieldErrors::new();
    let draft = draft.map_err(|e| errors.merge(e)).ok();
    let sender = me.id;
    let target = db
        .run(move |conn| resolve_target(conn, sender, &recipient, place))
        .await?;
    let target = match target {
        Ok(target) => Some(target),
        Err((field, message)) => {
            errors.add(field, message);
            None
        }
    };
    let (Some(draft), Some(target)) = (draft, target) else {
        return Ok(unprocessable(&errors));
    };
    let sent = match service::deliver(&db, &storage, &me, target, draft, &settings).await? {
        Ok(sent) => sent,
        Err(NotSent::Invalid(errors)) => return Ok(unprocessable(&errors)),
        Err(NotSent::StorageDown(_)) => {
            return Err(AppError::Unavailable(
                "photo storage refused a message's photo".into(),
            ));
        }
        Err(NotSent::Limited(retry_after, _)) => {
            return Err(AppError::TooManyRequests {
                retry_after,
                reason: service::MESSAGES_PER_MEMBER.refusal,
            });
        }
        Err(NotSent::Blocked) => return Err(AppError::Forbidden(Some(BLOCKED.into()))),
        Err(NotSent::Closed) => {
            return Err(AppError::Forbidden(Some(
                "This match ended: the conversation takes no new messages.".into(),
            )));
        }
    };
    let id = sent.message;
    let (message, sender) = db
        .run(move |conn| queries::message_with_sender(conn, id))
        .await?;
    Ok(json(
        StatusCode::CREATED,
        &message_out(&storage, message, sender).await,
    ))
}

/// Where a message from `sender` to `recipient` (about `listing`) goes, or the field that
/// says why it cannot.
fn resolve_target(
    conn: &mut diesel::PgConnection,
    sender: crate::db::ids::UserId,
    recipient: &str,
    place: Place,
) -> Result<Result<Target, (&'static str, String)>, AppError> {
    let Some(to) = accounts::find_active_by_username(conn, recipient.trim())? else {
        return Ok(Err(("recipient", "No member has that username.".into())));
    };
    if to.id == sender {
        return Ok(Err(("recipient", "Write to someone else.".into())));
    }
    if let Some(conversation) = place.conversation {
        let both = queries::is_member(conn, conversation, sender)?
            && queries::is_member(conn, conversation, to.id)?;
        return Ok(if both {
            Ok(Target::Conversation(conversation))
        } else {
            Err((
                "conversation_id",
                format!("You and {} have no such conversation.", to.username),
            ))
        });
    }
    let Some(listing_id) = place.listing else {
        return Ok(Ok(Target::Direct(to.id)));
    };
    let listing = listings::find_listing(conn, listing_id)?;
    let gone = || Ok(Err(("listing_id", "No such listing.".into())));
    let Some(listing) = listing else {
        return gone();
    };
    if listing.owner_id == to.id {
        // Writing to the seller: an old conversation goes on; a new one needs a listing
        // that is up.
        let existing = queries::conversation_about(conn, listing.id, sender)?;
        let listed = ListingStatus::LISTED.contains(&listing.effective_status(Utc::now()));
        return match existing {
            Some(id) => Ok(Ok(Target::Conversation(id))),
            None if listed => Ok(Ok(Target::Listing {
                listing: listing.id,
                seller: to.id,
            })),
            None => gone(),
        };
    }
    if listing.owner_id == sender {
        return match queries::conversation_about(conn, listing.id, to.id)? {
            Some(id) => Ok(Ok(Target::Conversation(id))),
            None => Ok(Err((
                "listing_id",
                format!("{} has not written to you about this listing.", to.username),
            ))),
        };
    }
    Ok(Err((
        "listing_id",
        format!("That listing is neither yours nor {}'s.", to.username),
    )))
}

/// A conversation in the inbox.
#[derive(Debug, Serialize, ToSchema)]
pub struct ConversationOut {
    pub id: i64,
    /// The other member's username (absent for a deleted account).
    pub with: Option<String>,
    /// The listing it is about, if any.
    pub listing: Option<ListingOut>,
    /// Messages the caller has not read.
    pub unread: i32,
    pub last_activity_at: DateTime<Utc>,
    /// The start of the last message.
    pub last_message: Option<String>,
    /// Whether the caller wrote the last message.
    pub last_message_mine: Option<bool>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ListingOut {
    pub id: i64,
    pub title: String,
}

/// A page of conversations.
#[derive(Debug, Serialize, ToSchema)]
pub struct ConversationList {
    pub items: Vec<ConversationOut>,
    pub page: i64,
    pub per_page: i64,
    pub total: i64,
}

/// A page of messages, newest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct MessageList {
    pub items: Vec<MessageOut>,
    pub page: i64,
    pub per_page: i64,
    /// Messages in all (older than `before_id`, when given); with `total_is_lower_bound`, at
    /// least that many (a history is counted up to 1,000).
    pub total: i64,
    pub total_is_lower_bound: bool,
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(default)]
pub struct InboxQuery {
    /// `true` for the conversations the caller archived.
    #[param(value_type = Option<bool>)]
    pub archived: Option<String>,
}

/// `GET /api/v1/conversations`
#[utoipa::path(
    get,
    path = "/api/v1/conversations",
    tag = "messages",
    security(("bearer" = [])),
    params(InboxQuery, PageParams),
    responses(
        (status = 200, description = "The caller's conversations, newest activity first, with unread counts. `Link` points at the next and previous pages.", body = ConversationList),
        (status = 422, description = "A page number or size out of range.", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn conversations(
    req: HttpRequest,
    ApiUser(me): ApiUser,
    db: Db,
    query: web::Query<InboxQuery>,
    page: web::Query<PageParams>,
) -> Result<HttpResponse, AppError> {
    let mut errors = FieldErrors::new();
    let paging = Paging::parse(&page, &mut errors);
    let archived = match query.archived.as_deref().map(str::trim) {
        None | Some("" | "false") => Some(false),
        Some("true") => Some(true),
        Some(_) => {
            errors.add("archived", "Give true or false.");
            None
        }
    };
    let (Some(paging), Some(archived)) = (paging, archived) else {
        return Ok(unprocessable(&errors));
    };
    let user = me.id;
    let (rows, total) = db
        .run(move |conn| {
            queries::inbox_by_number(conn, user, archived, paging.offset(), paging.per_page)
        })
        .await?;
    let items = rows
        .into_iter()
        .map(|row| ConversationOut {
            id: row.conversation_id.0,
            with: row.other_username,
            listing: row
                .listing_id
                .zip(row.listing_title)
                .map(|(id, title)| ListingOut { id: id.0, title }),
            unread: row.unread,
            last_activity_at: row.activity_at,
            last_message: row.last_kind.map(|kind| {
                preview(
                    kind,
                    row.last_body.as_deref().unwrap_or(""),
                    row.last_video_source,
                )
            }),
            last_message_mine: row.last_mine,
        })
        .collect();
    let body = ConversationList {
        items,
        page: paging.page,
        per_page: paging.per_page,
        total,
    };
    Ok(paging::respond(&req, paging, Extent::Exact(total), &body))
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(default)]
pub struct HistoryQuery {
    /// Only messages older than this one: keep it from the first page while scrolling back,
    /// so new messages arriving meanwhile do not shift the pages.
    #[param(value_type = Option<i64>)]
    pub before_id: Option<String>,
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(default)]
pub struct WithQuery {
    /// The other member's username.
    #[param(required = true)]
    pub with: String,
    /// Only messages older than this one (see the conversation's history).
    #[param(value_type = Option<i64>)]
    pub before_id: Option<String>,
}

fn parse_before(raw: Option<&str>, errors: &mut FieldErrors) -> Option<Option<MessageId>> {
    match raw.map(str::trim) {
        None | Some("") => Some(None),
        Some(text) => match text.parse::<i64>() {
            Ok(id) if id > 0 => Some(Some(MessageId(id))),
            _ => {
                errors.add("before_id", "Give the id of a message.");
                None
            }
        },
    }
}

/// A page of history as a response.
async fn history_page(
    req: &HttpRequest,
    storage: &Storage,
    paging: Paging,
    page: queries::HistoryPage,
) -> HttpResponse {
    let extent = if page.exact || page.counted <= queries::HISTORY_COUNT_CAP {
        Extent::Exact(page.counted)
    } else {
        Extent::AtLeast {
            total: queries::HISTORY_COUNT_CAP.max(paging.offset() + page.rows.len() as i64),
            more: page.more,
        }
    };
    let mut items = Vec::with_capacity(page.rows.len());
    for (message, sender) in page.rows {
        items.push(message_out(storage, message, sender).await);
    }
    let body = MessageList {
        items,
        page: paging.page,
        per_page: paging.per_page,
        total: extent.total(),
        total_is_lower_bound: extent.is_lower_bound(),
    };
    paging::respond(req, paging, extent, &body)
}

/// `GET /api/v1/conversations/{id}/messages`
#[utoipa::path(
    get,
    path = "/api/v1/conversations/{id}/messages",
    tag = "messages",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "The conversation."), HistoryQuery, PageParams),
    responses(
        (status = 200, description = "The conversation's messages, newest first.", body = MessageList),
        (status = 404, description = "No such conversation, or not one the caller is in.", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A page number or size out of range, or a bad `before_id`.", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn conversation_messages(
    req: HttpRequest,
    ApiUser(me): ApiUser,
    db: Db,
    storage: web::Data<Storage>,
    id: web::Path<ConversationId>,
    query: web::Query<HistoryQuery>,
    page: web::Query<PageParams>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let mut errors = FieldErrors::new();
    let paging = Paging::parse(&page, &mut errors);
    let before = parse_before(query.before_id.as_deref(), &mut errors);
    let (Some(paging), Some(before)) = (paging, before) else {
        return Ok(unprocessable(&errors));
    };
    let user = me.id;
    // Whether the caller is in it, and the page, in one hand-off to the database.
    let found = db
        .run(move |conn| {
            if !queries::is_member(conn, id, user)? {
                return Ok::<_, AppError>(None);
            }
            let page = queries::history(conn, &[id], before, paging.offset(), paging.per_page)?;
            Ok(Some(page))
        })
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(history_page(&req, &storage, paging, found).await)
}

/// `GET /api/v1/messages?with={username}`
#[utoipa::path(
    get,
    path = "/api/v1/messages",
    tag = "messages",
    security(("bearer" = [])),
    params(WithQuery, PageParams),
    responses(
        (status = 200, description = "Every message between the caller and that member, in all their conversations, newest first.", body = MessageList),
        (status = 422, description = "No other member has that username, or a page number or size out of range.", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn messages_with(
    req: HttpRequest,
    ApiUser(me): ApiUser,
    db: Db,
    storage: web::Data<Storage>,
    query: web::Query<WithQuery>,
    page: web::Query<PageParams>,
) -> Result<HttpResponse, AppError> {
    let mut errors = FieldErrors::new();
    let paging = Paging::parse(&page, &mut errors);
    let before = parse_before(query.before_id.as_deref(), &mut errors);
    let name = query.with.trim().to_owned();
    let user = me.id;
    let valid = paging.zip(before);
    // The other member, their conversations with the caller and the page, in one hand-off.
    let found = db
        .run(move |conn| {
            let Some(other) = accounts::find_active_by_username(conn, &name)? else {
                return Ok::<_, AppError>(None);
            };
            // "Between me and me" would be every conversation of mine: not what this asks.
            if other.id == user {
                return Ok(None);
            }
            let Some((paging, before)) = valid else {
                return Ok(Some(None));
            };
            let conversations = queries::conversations_between(conn, user, other.id)?;
            let page = queries::history(
                conn,
                &conversations,
                before,
                paging.offset(),
                paging.per_page,
            )?;
            Ok(Some(Some(page)))
        })
        .await?;
    if found.is_none() {
        errors.add("with", "Give another member's username.");
    }
    match (valid, found.flatten()) {
        (Some((paging, _)), Some(page)) if errors.is_empty() => {
            Ok(history_page(&req, &storage, paging, page).await)
        }
        _ => Ok(unprocessable(&errors)),
    }
}

/// `POST /api/v1/conversations/{id}/read`
#[utoipa::path(
    post,
    path = "/api/v1/conversations/{id}/read",
    tag = "messages",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "The conversation.")),
    responses(
        (status = 204, description = "Everything in it is read; the other member's pages show \"Seen\"."),
        (status = 404, description = "No such conversation, or not one the caller is in.", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn mark_read(
    ApiUser(me): ApiUser,
    db: Db,
    id: web::Path<ConversationId>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let user = me.id;
    let found = db
        .run(move |conn| {
            if !queries::is_member(conn, id, user)? {
                return Ok::<_, AppError>(false);
            }
            queries::mark_read(conn, id, user)?;
            Ok(true)
        })
        .await?;
    if found {
        Ok(HttpResponse::NoContent().finish())
    } else {
        Err(AppError::NotFound)
    }
}
