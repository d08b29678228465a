//! E-mail about new messages: a member who has not read a conversation gets a mail about it,
//! at most one per conversation every [`THROTTLE`], if they want it.
//!
//! Policy:
//! - Sending a message queues a [`MessageMail`] job per recipient in the sending transaction,
//!   due after the configured delay (`MESSAGE_MAIL_DELAY_SECONDS`) and unique per recipient and
//!   conversation while pending, so a burst of messages queues one job.
//! - The job decides when it runs, holding the member's row: no mail if the message was read
//!   meanwhile, if the conversation was mailed about in the last [`THROTTLE`], if the member
//!   turned these mails off, has no confirmed address or is not active. Otherwise it notes the
//!   time and queues the mail, in one transaction (so a retried job cannot mail twice).
//! - The mail says who wrote about which listing, the first lines, and links to the
//!   conversation; never the sender's address. It carries a signed unsubscribe link (no login
//!   needed) and `List-Unsubscribe` / `List-Unsubscribe-Post` for mail programs' one-click
//!   button (RFC 8058).

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};

use super::domain::MessageKind;
use super::queries;
use crate::accounts::models::UserStatus;
use crate::config::SecretKey;
use crate::db::ids::{ConversationId, UserId};
use crate::db::schema::{conversation_members, messages, users};
use crate::jobs::queue::{self, JobKind, Schedule};
use crate::mail::{MailSite, queue_mail_with};
use crate::mail_templates;

/// At most one mail per conversation per member this often.
pub const THROTTLE: chrono::Duration = chrono::Duration::minutes(15);
/// Characters of the message the mail quotes.
const PREVIEW_CHARS: usize = 300;
/// Lines of the message the mail quotes.
const PREVIEW_LINES: usize = 4;

/// "Maybe mail `user` about `conversation`."
#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
pub struct MessageMail {
    pub conversation: ConversationId,
    pub user: UserId,
}

impl JobKind for MessageMail {
    const KIND: &'static str = "message_mail";
    const MAX_ATTEMPTS: i32 = 5;
}

/// Queues the jobs for a sent message's recipients, in the sending transaction.
pub fn queue_for(
    conn: &mut PgConnection,
    conversation: ConversationId,
    recipients: &[UserId],
    delay: std::time::Duration,
) -> QueryResult<()> {
    let due = Utc::now() + chrono::Duration::from_std(delay).unwrap_or_default();
    for &user in recipients {
        queue::enqueue_with(
            conn,
            &MessageMail { conversation, user },
            Schedule::at(due).unique(format!("message-mail:{conversation}:{user}")),
        )?;
    }
    Ok(())
}

/// The mail about new messages.
pub struct NewMessageMail {
    pub recipient: String,
    pub sender: String,
    /// The listing the conversation is about, if any.
    pub listing: Option<String>,
    /// The first lines of the newest unread message (or what it holds: a photo, a video).
    pub preview: String,
    /// Unread messages in the conversation.
    pub unread: i32,
    pub link: String,
    pub unsubscribe: String,
}

mail_templates!(
    NewMessageMail,
    "mail/new_message.txt",
    "mail/new_message.html",
    |m, site| match &m.listing {
        Some(listing) => format!("{} wrote about “{listing}” on {}", m.sender, site.name),
        None => format!("{} sent you a message on {}", m.sender, site.name),
    }
);

/// Why a job sent no mail.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Skipped {
    /// The member left, or the conversation is gone.
    Gone,
    /// Everything was read before the job ran.
    Read,
    /// A mail about this conversation went out less than [`THROTTLE`] ago.
    Throttled,
    /// The member turned these mails off, has no confirmed address or is not active.
    NotWanted,
}

/// Runs a [`MessageMail`] job: queues the mail, or says why not.
pub fn perform(
    conn: &mut PgConnection,
    site: &MailSite,
    secret: &SecretKey,
    job: MessageMail,
    now: DateTime<Utc>,
) -> anyhow::Result<Result<(), Skipped>> {
    conn.transaction(|conn| {
        let member: Option<(i64, i64, i32, Option<DateTime<Utc>>)> = conversation_members::table
            .filter(conversation_members::conversation_id.eq(job.conversation))
            .filter(conversation_members::user_id.eq(job.user))
            .select((
                conversation_members::id,
                conversation_members::last_read_message_id,
                conversation_members::unread,
                conversation_members::notified_at,
            ))
            .for_update()
            .first(conn)
            .optional()?;
        let Some((member, last_read, unread, notified_at)) = member else {
            return Ok(Err(Skipped::Gone));
        };
        if unread <= 0 {
            return Ok(Err(Skipped::Read));
        }
        if notified_at.is_some_and(|at| now - at < THROTTLE) {
            return Ok(Err(Skipped::Throttled));
        }
        let recipient: Option<(String, String, String)> = users::table
            .find(job.user)
            .filter(users::message_mail.eq(true))
            .filter(users::email_verified_at.is_not_null())
            .filter(users::status.eq(UserStatus::Active))
            .select((users::email, users::username, users::display_name))
            .first(conn)
            .optional()?;
        let Some((email, username, display_name)) = recipient else {
            return Ok(Err(Skipped::NotWanted));
        };
        let Some(thread) = queries::thread_for(conn, job.conversation, job.user)? else {
            return Ok(Err(Skipped::Gone));
        };
        let newest: Option<(MessageKind, String)> = messages::table
            .filter(messages::conversation_id.eq(job.conversation))
            .filter(messages::id.gt(last_read))
            .filter(messages::member_id.ne(member))
            .order(messages::id.desc())
            .select((messages::kind, messages::body))
            .first(conn)
            .optional()?;
        let Some((kind, body)) = newest else {
            return Ok(Err(Skipped::Read));
        };
        let sender = thread
            .other()
            .map(|p| shown_name(&p.display_name, &p.username))
            .unwrap_or_else(|| "A member".into());
        let mail = NewMessageMail {
            recipient: shown_name(&display_name, &username),
            sender,
            listing: thread.listing.as_ref().map(|l| l.title.clone()),
            preview: preview(kind, &body),
            unread,
            link: format!("{}/messages/{}", site.url, job.conversation),
            unsubscribe: unsubscribe_url(site, secret, job.user),
        };
        diesel::update(conversation_members::table.find(crate::db::ids::MemberId(member)))
            .set(conversation_members::notified_at.eq(now))
            .execute(conn)?;
        let headers = vec![
            ("List-Unsubscribe".into(), format!("<{}>", mail.unsubscribe)),
            (
                "List-Unsubscribe-Post".into(),
                "List-Unsubscribe=One-Click".into(),
            ),
        ];
        queue_mail_with(conn, site, &email, &mail, headers, Schedule::default())?;
        Ok(Ok(()))
    })
}

fn shown_name(display_name: &str, username: &str) -> String {
    if display_name.is_empty() {
        username.to_owned()
    } else {
        display_name.to_owned()
    }
}

/// The first lines of a message, for a mail: at most [`PREVIEW_LINES`] lines and
/// [`PREVIEW_CHARS`] characters, "…" when cut.
pub fn preview(kind: MessageKind, body: &str) -> String {
    let what = match kind {
        MessageKind::Text | MessageKind::System => None,
        MessageKind::Image => Some("[a photo]"),
        MessageKind::Video => Some("[a video link]"),
    };
    let lines: Vec<&str> = body.lines().map(str::trim_end).collect();
    let mut text: String = lines[..lines.len().min(PREVIEW_LINES)].join("\n");
    let mut cut = lines.len() > PREVIEW_LINES;
    if text.chars().count() > PREVIEW_CHARS {
        text = text.chars().take(PREVIEW_CHARS).collect();
        cut = true;
    }
    let mut text = text.trim_end().to_owned();
    if cut {
        text.push('…');
    }
    match (what, text.is_empty()) {
        (Some(what), true) => what.to_owned(),
        (Some(what), false) => format!("{what} {text}"),
        (None, _) => text,
    }
}

/// The signature that lets a link turn these mails off for `user` without logging in.
pub fn unsubscribe_token(secret: &SecretKey, user: UserId) -> String {
    secret.sign(&unsubscribe_message(user))
}

fn unsubscribe_message(user: UserId) -> String {
    format!("corkboard message-mail unsubscribe v1:{user}")
}

/// Whether `token` is `user`'s unsubscribe signature.
pub fn valid_unsubscribe_token(secret: &SecretKey, user: UserId, token: &str) -> bool {
    secret.verify(&unsubscribe_message(user), token)
}

/// The unsubscribe link for `user`.
pub fn unsubscribe_url(site: &MailSite, secret: &SecretKey, user: UserId) -> String {
    format!(
        "{}/mail/unsubscribe/{user}/{}",
        site.url,
        unsubscribe_token(secret, user)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn previews_keep_the_first_lines() {
        assert_eq!(preview(MessageKind::Text, "Hello\nthere"), "Hello\nthere");
        assert_eq!(
            preview(MessageKind::Text, "a\nb\nc\nd\ne\nf"),
            "a\nb\nc\nd…"
        );
        let long = "x".repeat(400);
        assert_eq!(preview(MessageKind::Text, &long).chars().count(), 301);
        assert_eq!(preview(MessageKind::Image, ""), "[a photo]");
        assert_eq!(
            preview(MessageKind::Video, "Watch this"),
            "[a video link] Watch this"
        );
    }

    #[test]
    fn unsubscribe_tokens_are_per_member_and_per_key() {
        let key = SecretKey::generate();
        let token = unsubscribe_token(&key, UserId(5));
        assert!(valid_unsubscribe_token(&key, UserId(5), &token));
        assert!(!valid_unsubscribe_token(&key, UserId(6), &token));
        assert!(!valid_unsubscribe_token(
            &SecretKey::generate(),
            UserId(5),
            &token
        ));
        assert!(!valid_unsubscribe_token(&key, UserId(5), "00"));
    }
}
