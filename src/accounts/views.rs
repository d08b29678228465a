use askama::Template;
use askama_web::WebTemplate;
use chrono::{DateTime, Utc};

use crate::listings::views::CardView;
use crate::web::{FieldErrors, PageContext};

/// One of the member's past listings, on their own profile.
#[derive(Debug, Clone)]
pub struct PastListing {
    pub path: String,
    pub title: String,
    pub status: crate::listings::models::ListingStatus,
    pub status_label: &'static str,
    pub when: String,
    /// Why the moderators took it off the site (held or removed).
    pub moderation_reason: Option<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "accounts/signup.html")]
pub struct SignUpPage {
    pub ctx: PageContext,
    pub username: String,
    pub email: String,
    pub errors: FieldErrors,
    /// A message for the whole form (a rate limit), shown above the fields.
    pub notice: Option<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "accounts/login.html")]
pub struct LogInPage {
    pub ctx: PageContext,
    pub login: String,
    pub next: String,
    /// One message for the whole form: it never says which part was wrong.
    pub error: Option<String>,
}

/// A public profile.
#[derive(Template, WebTemplate)]
#[template(path = "accounts/profile.html")]
pub struct ProfilePage {
    pub ctx: PageContext,
    pub username: String,
    pub shown_name: String,
    pub bio: String,
    pub location: Option<String>,
    pub member_since: DateTime<Utc>,
    /// The member confirmed their e-mail address.
    pub email_verified: bool,
    pub avatar_url: Option<String>,
    /// The visitor is this member (sees their past listings too).
    pub is_self: bool,
    pub active: Vec<CardView>,
    pub past: Vec<PastListing>,
}

/// Account settings: several forms, each re-rendered with its own values and errors.
#[derive(Template, WebTemplate)]
#[template(path = "accounts/settings.html")]
pub struct SettingsPage {
    pub ctx: PageContext,
    pub username: String,
    pub display_name: String,
    pub bio: String,
    pub home_zip: String,
    pub email: String,
    pub avatar_url: Option<String>,
    pub errors: FieldErrors,
    /// The address the account has now (the form may show what was typed instead).
    pub saved_email: String,
    pub email_verified: bool,
    /// Mail about unread messages is on.
    pub message_mail: bool,
    pub expiry_mail: bool,
    pub favorite_mail: bool,
}

/// The capital first letter of a name, for the placeholder where there is no photo.
fn initial(name: &str) -> char {
    name.chars().next().unwrap_or('?').to_ascii_uppercase()
}

impl ProfilePage {
    pub fn initial(&self) -> char {
        initial(&self.username)
    }
}

impl SettingsPage {
    pub fn initial(&self) -> char {
        initial(&self.username)
    }
}

/// "Forgot password?": the form, then the same answer whatever the address.
#[derive(Template, WebTemplate)]
#[template(path = "accounts/forgot_password.html")]
pub struct ForgotPasswordPage {
    pub ctx: PageContext,
    pub email: String,
    pub error: Option<String>,
    /// The request was taken: say to check the inbox.
    pub sent: bool,
}

/// Choosing a new password from a mailed link.
#[derive(Template, WebTemplate)]
#[template(path = "accounts/reset_password.html")]
pub struct ResetPasswordPage {
    pub ctx: PageContext,
    pub token: String,
    /// The link still works (unused, not expired).
    pub valid: bool,
    pub errors: FieldErrors,
}
