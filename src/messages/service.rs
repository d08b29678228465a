//! Sending a message, for the pages and the JSON API alike: the same limits, the same
//! blocks, the same photo pipeline, the same live events and mail.

use super::domain::VideoLink;
use super::images::{self, ImageRefused};
use super::notify;
use super::queries::{self, Content, Refused};
use crate::config::MessageSettings;
use crate::db::ids::{ConversationId, ListingId, UserId};
use crate::storage::Storage;
use crate::web::rate_limit::{self, Limit};
use crate::web::session::CurrentUser;
use crate::web::upload::UploadedFile;
use crate::web::{AppError, Db, FieldErrors};

/// Messages one member may send per minute, counted across every instance.
pub const MESSAGES_PER_MEMBER: Limit = Limit {
    name: "messages",
    max: 30,
    window: std::time::Duration::from_secs(60),
    refusal: "You are sending messages faster than anyone types.",
};
/// Conversations one member may open per hour (messages to people they never wrote to).
pub const CONVERSATIONS_PER_MEMBER: Limit = Limit {
    name: "conversations",
    max: 20,
    window: std::time::Duration::from_secs(60 * 60),
    refusal: "You have contacted many sellers in the last hour.",
};

/// What a message will carry besides its text.
#[derive(Debug)]
pub enum Attachment {
    None,
    /// A photo sent with the message: it goes through the photo pipeline.
    Upload(UploadedFile),
    /// An image elsewhere, with the size its sender gives.
    ImageLink {
        url: String,
        width: i32,
        height: i32,
    },
    Video(VideoLink),
}

/// A message that passed its checks, before any photo is stored.
#[derive(Debug)]
pub struct Draft {
    /// The text, or the caption of the attachment (may then be empty).
    pub caption: String,
    pub attachment: Attachment,
}

/// Where a message goes.
#[derive(Debug, Clone, Copy)]
pub enum Target {
    /// A conversation the sender is in.
    Conversation(ConversationId),
    /// The buyer's conversation with the seller about a listing, opened if need be.
    Listing { listing: ListingId, seller: UserId },
    /// The direct conversation with another member, opened if need be.
    Direct(UserId),
}

/// Why a message was not sent.
#[derive(Debug)]
pub enum NotSent {
    /// Field errors: 422.
    Invalid(FieldErrors),
    /// Over the rate limit: 429 with the wait and the message.
    Limited(std::time::Duration, String),
    /// The photo storage is down: 503, nothing lost.
    StorageDown(FieldErrors),
    /// One of them blocked the other: 403.
    Blocked,
    /// The conversation is closed (a match that ended): 403.
    Closed,
}

/// Checks the limits, stores the photo, and sends. `Ok(Err(..))` is a refusal to show with
/// the message as typed; a photo stored for a message that was then not sent is deleted.
pub async fn deliver(
    db: &Db,
    storage: &Storage,
    me: &CurrentUser,
    target: Target,
    draft: Draft,
    settings: &MessageSettings,
) -> Result<Result<queries::Sent, NotSent>, AppError> {
    let mail_delay = std::time::Duration::from_secs(settings.message_mail_delay_seconds);
    let sender = me.id;
    let opening = !matches!(target, Target::Conversation(_));
    let limited = db
        .run(move |conn| {
            let key = sender.to_string();
            let mut refusal = None;
            for limit in [MESSAGES_PER_MEMBER, CONVERSATIONS_PER_MEMBER] {
                if limit.name == CONVERSATIONS_PER_MEMBER.name && !opening {
                    continue;
                }
                if let Err(AppError::TooManyRequests {
                    retry_after,
                    reason,
                }) = rate_limit::hit(conn, limit, &key)
                {
                    refusal = Some((retry_after, reason));
                    break;
                }
            }
            Ok::<_, AppError>(refusal)
        })
        .await?;
    if let Some((retry_after, reason)) = limited {
        let message = AppError::wait_message(reason, retry_after);
        return Ok(Err(NotSent::Limited(retry_after, message)));
    }
    let caption = draft.caption;
    let content = match draft.attachment {
        Attachment::Upload(file) => match images::store(storage, file).await? {
            Ok(image) => Content::Image {
                key: image.key,
                width: image.width,
                height: image.height,
                caption,
            },
            Err(refused) => {
                let mut errors = FieldErrors::new();
                errors.add("image", refused.to_string());
                return Ok(Err(match refused {
                    ImageRefused::StorageDown => NotSent::StorageDown(errors),
                    ImageRefused::Photo(_) => NotSent::Invalid(errors),
                }));
            }
        },
        Attachment::ImageLink { url, width, height } => Content::ImageLink {
            url,
            width,
            height,
            caption,
        },
        Attachment::Video(video) => Content::Video {
            source: video.source,
            id: video.id,
            seconds: video.seconds,
            caption,
        },
        Attachment::None => Content::Text(caption),
    };
    let image_key = match &content {
        Content::Image { key, .. } => Some(key.clone()),
        _ => None,
    };
    let result = db
        .run(move |conn| {
            use diesel::Connection;
            conn.transaction(|conn| {
                let sent = match target {
                    Target::Conversation(id) => queries::send(conn, id, sender, content)?,
                    Target::Listing { listing, seller } => {
                        if queries::blocked_between(conn, seller, sender)? {
                            return Ok(Err(Refused::Blocked));
                        }
                        let id = queries::open_listing_conversation(conn, listing, seller, sender)?;
                        queries::send(conn, id, sender, content)?
                    }
                    Target::Direct(other) => {
                        if queries::blocked_between(conn, other, sender)? {
                            return Ok(Err(Refused::Blocked));
                        }
                        let id = queries::open_direct_conversation(conn, sender, other)?;
                        queries::send(conn, id, sender, content)?
                    }
                };
                if let Ok(sent) = &sent {
                    notify::queue_for(conn, sent.conversation, &sent.recipients, mail_delay)?;
                }
                Ok::<_, diesel::result::Error>(sent)
            })
        })
        .await;
    let outcome = match result {
        Ok(Ok(sent)) => return Ok(Ok(sent)),
        Ok(Err(refused)) => Ok(refused),
        Err(err) => Err(err),
    };
    // Not sent: the stored photo belongs to nothing.
    if let Some(key) = image_key {
        images::discard(storage, &key).await;
    }
    match outcome? {
        Refused::Blocked => Ok(Err(NotSent::Blocked)),
        Refused::Closed => Ok(Err(NotSent::Closed)),
        Refused::NotFound => Err(AppError::NotFound),
    }
}
