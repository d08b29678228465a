//! The messaging pages.

use askama::Template;
use askama_web::WebTemplate;

use crate::db::ids::{ConversationId, ListingId, MessageId};
use crate::listings::domain::BodyPart;
use crate::web::forms::ErrorLink;
use crate::web::{FieldErrors, PageContext};

/// What the reply and contact forms hold, kept when they are sent back with errors.
#[derive(Debug, Clone, Default)]
pub struct ReplyForm {
    pub body: String,
    pub video_url: String,
    pub video_length: String,
}

/// Why a member cannot write (the form says so instead of offering a box).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CannotWrite {
    /// They have not confirmed their e-mail address.
    Unverified,
    /// One of them blocked the other.
    NotAccepting,
    /// The conversation was closed: a match that ended.
    Ended,
}

/// A listing a conversation is about.
#[derive(Debug, Clone)]
pub struct ListingLink {
    pub id: ListingId,
    pub title: String,
    /// Where it can be opened, when it still can.
    pub path: Option<String>,
    pub thumb_url: Option<String>,
    /// "Sold", "Deleted", … when it is no longer up.
    pub note: Option<&'static str>,
}

/// The other member of a conversation.
#[derive(Debug, Clone)]
pub struct PersonView {
    pub name: String,
    /// Their profile, unless the account was deleted.
    pub profile: Option<String>,
    pub avatar_url: Option<String>,
}

impl PersonView {
    pub fn initial(&self) -> String {
        self.name
            .chars()
            .next()
            .map(|c| c.to_uppercase().collect())
            .unwrap_or_default()
    }
}

/// A linked video, as a card.
#[derive(Debug, Clone)]
pub struct VideoView {
    pub source: &'static str,
    pub url: String,
    pub length: Option<String>,
}

/// An image, as shown: a stored photo, or a link to one elsewhere (`elsewhere` is its
/// site's name), which pages show as a link and never load.
#[derive(Debug, Clone)]
pub struct ImageView {
    pub url: Option<String>,
    pub width: i32,
    pub height: i32,
    pub elsewhere: Option<String>,
}

/// One message on a conversation page.
#[derive(Debug, Clone)]
pub struct MessageView {
    pub id: MessageId,
    pub mine: bool,
    pub author: String,
    pub time: String,
    pub exact: String,
    pub text: Vec<BodyPart>,
    pub image: Option<ImageView>,
    pub video: Option<VideoView>,
    /// "Seen" goes under this one: the last of mine the other member has read.
    pub seen: bool,
    /// A note from the site, not from either member.
    pub system: bool,
}

/// A day's heading, or a message.
#[derive(Debug, Clone)]
pub enum ThreadItem {
    Day(String),
    Message(Box<MessageView>),
}

#[derive(Template, WebTemplate)]
#[template(path = "messages/conversation.html")]
pub struct ConversationPage {
    pub ctx: PageContext,
    pub id: ConversationId,
    pub other: PersonView,
    pub listing: Option<ListingLink>,
    pub items: Vec<ThreadItem>,
    /// `?before=` of the page of older messages, when there are some.
    pub older: Option<MessageId>,
    /// Whether this page shows older messages (not the newest).
    pub paged: bool,
    /// Why the first message deserves caution, when it does.
    pub cautions: Vec<&'static str>,
    pub archived: bool,
    pub i_blocked: bool,
    pub cannot_write: Option<CannotWrite>,
    pub form: ReplyForm,
    pub errors: FieldErrors,
}

impl ConversationPage {
    pub fn title(&self) -> String {
        match &self.listing {
            Some(listing) => format!("{} · {}", self.other.name, listing.title),
            None => self.other.name.clone(),
        }
    }

    pub fn error_links(&self) -> Vec<ErrorLink> {
        reply_error_links(&self.errors)
    }
}

/// Links from the error summary to the reply form's fields.
pub fn reply_error_links(errors: &FieldErrors) -> Vec<ErrorLink> {
    errors
        .iter()
        .map(|(field, message)| ErrorLink {
            href: format!("#{field}"),
            label: match field {
                "body" => "Message",
                "video_url" => "Video link",
                "video_length" => "Video length",
                "image" => "Photo",
                "reason" => "Reason",
                _ => "Message",
            }
            .to_owned(),
            message: message.to_owned(),
        })
        .collect()
}

#[derive(Template, WebTemplate)]
#[template(path = "messages/contact.html")]
pub struct ContactPage {
    pub ctx: PageContext,
    pub listing: ListingLink,
    pub seller: PersonView,
    /// The conversation the member already has about this listing.
    pub existing: Option<ConversationId>,
    pub cannot_write: Option<CannotWrite>,
    pub form: ReplyForm,
    pub errors: FieldErrors,
}

impl ContactPage {
    pub fn error_links(&self) -> Vec<ErrorLink> {
        reply_error_links(&self.errors)
    }
}

/// One conversation in an inbox.
#[derive(Debug, Clone)]
pub struct InboxItem {
    pub id: ConversationId,
    pub other: PersonView,
    pub listing_title: Option<String>,
    pub thumb_url: Option<String>,
    /// The last message, shortened ("You: …" when it was mine).
    pub preview: String,
    pub when: String,
    pub exact: String,
    pub unread: i32,
}

#[derive(Template, WebTemplate)]
#[template(path = "messages/inbox.html")]
pub struct InboxPage {
    pub ctx: PageContext,
    pub archived: bool,
    pub items: Vec<InboxItem>,
    /// `?after=` of the next page.
    pub next: Option<String>,
    pub archived_count: i64,
}

/// One message in the sent list.
#[derive(Debug, Clone)]
pub struct SentItem {
    pub conversation: ConversationId,
    pub message: MessageId,
    pub to: String,
    pub listing_title: Option<String>,
    pub preview: String,
    pub when: String,
    pub exact: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "messages/sent.html")]
pub struct SentPage {
    pub ctx: PageContext,
    pub items: Vec<SentItem>,
    pub next: Option<MessageId>,
}

#[derive(Template, WebTemplate)]
#[template(path = "messages/report.html")]
pub struct ReportPage {
    pub ctx: PageContext,
    pub conversation: ConversationId,
    pub message: MessageId,
    pub preview: String,
    pub reason: String,
    pub errors: FieldErrors,
}
