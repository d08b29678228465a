use chrono::{DateTime, Utc};
use diesel::prelude::*;

use crate::db::ids::UserId;
use crate::db::schema::users;
use crate::web::CurrentUser;

crate::text_enum! {
    /// What a member may do beyond their own things.
    pub enum Role {
        Member => "member",
        Admin => "admin",
    }
}

crate::text_enum! {
    /// Whether an account may be used.
    pub enum UserStatus {
        Active => "active",
        /// Banned by an admin: no log-in, no sessions.
        Banned => "banned",
        /// Deleted by its member: the row stays, wiped, as "deleted user".
        Deleted => "deleted",
    }
}

/// A row of `users`.
#[derive(Debug, Clone, Queryable, Selectable, Identifiable)]
#[diesel(table_name = users, check_for_backend(diesel::pg::Pg))]
pub struct User {
    pub id: UserId,
    pub username: String,
    pub email: String,
    pub password_hash: String,
    pub display_name: String,
    pub bio: String,
    pub home_zip: Option<String>,
    pub avatar_key: Option<crate::storage::ObjectKey>,
    pub role: Role,
    pub status: UserStatus,
    pub auth_epoch: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub deleted_at: Option<DateTime<Utc>>,
    /// When the member proved the address is theirs (a link from a mail to it).
    pub email_verified_at: Option<DateTime<Utc>>,
    /// Whether they get mail about messages they have not read.
    pub message_mail: bool,
    /// Whether they get a reminder before their listings expire.
    pub expiry_mail: bool,
    /// Whether they get mail when a listing they saved drops its price or sells.
    pub favorite_mail: bool,
}

/// A member as others see them named: what a listing page says of its seller. Reading these
/// three columns, not the whole account (hash, e-mail, settings), keeps the listing page's one
/// statement narrow.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = users, check_for_backend(diesel::pg::Pg))]
pub struct MemberName {
    pub id: UserId,
    pub username: String,
    pub display_name: String,
}

impl MemberName {
    /// The display name, or the username when there is none.
    pub fn shown_name(&self) -> &str {
        shown_name(&self.display_name, &self.username)
    }
}

/// The display name, or the username when there is none.
fn shown_name<'a>(display_name: &'a str, username: &'a str) -> &'a str {
    if display_name.is_empty() {
        username
    } else {
        display_name
    }
}

impl User {
    pub fn role(&self) -> Role {
        self.role
    }

    pub fn status(&self) -> UserStatus {
        self.status
    }

    pub fn email_verified(&self) -> bool {
        self.email_verified_at.is_some()
    }

    /// The display name, or the username when there is none.
    pub fn shown_name(&self) -> &str {
        shown_name(&self.display_name, &self.username)
    }
}

impl From<&User> for CurrentUser {
    fn from(user: &User) -> Self {
        Self {
            id: user.id,
            username: user.username.clone(),
            display_name: user.display_name.clone(),
            admin: user.role() == Role::Admin,
            avatar_key: user.avatar_key.clone(),
            email_verified: user.email_verified(),
            home_zip: user.home_zip.clone(),
            unread_messages: 0,
            events_seen: 0,
        }
    }
}

#[derive(Debug, Insertable)]
#[diesel(table_name = users)]
pub struct NewUser<'a> {
    pub username: &'a str,
    pub email: &'a str,
    pub password_hash: &'a str,
    pub role: Role,
}

/// The profile fields a member edits in their settings.
#[derive(Debug, AsChangeset)]
#[diesel(table_name = users, treat_none_as_null = true)]
pub struct ProfileChanges<'a> {
    pub display_name: &'a str,
    pub bio: &'a str,
    pub home_zip: Option<&'a str>,
}
