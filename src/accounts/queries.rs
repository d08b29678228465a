//! Account queries. Usernames and e-mail addresses compare case-insensitively everywhere,
//! backed by the unique indexes on `lower(...)`.

use std::time::Duration;

use chrono::Utc;
use diesel::prelude::*;
use diesel::result::{DatabaseErrorKind, Error as DieselError};
use diesel::sql_types::Text;

use super::models::{NewUser, ProfileChanges, Role, User, UserStatus};
use crate::db::ids::UserId;
use crate::db::schema::{user_sessions, users};
use crate::storage::ObjectKey;

#[diesel::declare_sql_function]
extern "SQL" {
    fn lower(x: Text) -> Text;
}

/// Why an account could not be created or changed.
#[derive(Debug, thiserror::Error)]
pub enum AccountConflict {
    #[error("username taken")]
    UsernameTaken,
    #[error("e-mail taken")]
    EmailTaken,
    #[error(transparent)]
    Database(#[from] DieselError),
}

fn conflict(err: DieselError) -> AccountConflict {
    match &err {
        DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, info) => {
            match info.constraint_name() {
                Some("users_username_lower_key") => AccountConflict::UsernameTaken,
                Some("users_email_lower_key") => AccountConflict::EmailTaken,
                _ => AccountConflict::Database(err),
            }
        }
        _ => AccountConflict::Database(err),
    }
}

pub fn username_taken(conn: &mut PgConnection, username: &str) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        users::table.filter(lower(users::username).eq(username.to_lowercase())),
    ))
    .get_result(conn)
}

pub fn email_taken(conn: &mut PgConnection, email: &str) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        users::table.filter(lower(users::email).eq(email.to_lowercase())),
    ))
    .get_result(conn)
}

pub fn insert_user(conn: &mut PgConnection, new: &NewUser<'_>) -> Result<User, AccountConflict> {
    diesel::insert_into(users::table)
        .values(new)
        .returning(User::as_returning())
        .get_result(conn)
        .map_err(conflict)
}

/// The account a log-in form names, by username or e-mail address. Deleted accounts are gone.
pub fn find_by_login(conn: &mut PgConnection, login: &str) -> QueryResult<Option<User>> {
    let login = login.trim().to_lowercase();
    users::table
        .filter(
            lower(users::username)
                .eq(&login)
                .or(lower(users::email).eq(&login)),
        )
        .filter(users::status.ne(UserStatus::Deleted))
        .select(User::as_select())
        .first(conn)
        .optional()
}

/// An active account by username, for its public profile.
pub fn find_active_by_username(
    conn: &mut PgConnection,
    username: &str,
) -> QueryResult<Option<User>> {
    users::table
        .filter(lower(users::username).eq(username.to_lowercase()))
        .filter(users::status.eq(UserStatus::Active))
        .select(User::as_select())
        .first(conn)
        .optional()
}

pub fn find_user(conn: &mut PgConnection, id: UserId) -> QueryResult<User> {
    users::table.find(id).select(User::as_select()).first(conn)
}

/// Records a new login.
pub fn create_session(
    conn: &mut PgConnection,
    token_hash: &[u8],
    user: &User,
    user_agent: &str,
) -> QueryResult<()> {
    diesel::insert_into(user_sessions::table)
        .values((
            user_sessions::token_hash.eq(token_hash),
            user_sessions::user_id.eq(user.id),
            user_sessions::auth_epoch.eq(user.auth_epoch),
            user_sessions::user_agent.eq(user_agent),
        ))
        .execute(conn)
        .map(|_| ())
}

/// The member behind a login token, as every page needs them: the member with the counts the
/// header shows (unread messages, how far their live event stream had got: the messages
/// feature's `event_streams` row), in one statement, for `web::session` (registered as its
/// `LoginLookup` by `startup`). Marks the login as seen, at most every five minutes.
pub fn current_user_for_session(
    conn: &mut PgConnection,
    token_hash: &[u8],
    lifetime: Duration,
    user_agent: &str,
) -> QueryResult<Option<crate::web::CurrentUser>> {
    use crate::db::schema::event_streams;
    let oldest = Utc::now() - chrono::Duration::from_std(lifetime).unwrap_or(chrono::Duration::MAX);
    /// The member, when they last used the login, and their (unread, events) counts.
    type Found = (User, chrono::DateTime<Utc>, Option<(i64, i64)>);
    let found: Option<Found> = user_sessions::table
        .inner_join(users::table.left_join(event_streams::table))
        .filter(user_sessions::token_hash.eq(token_hash))
        .filter(user_sessions::auth_epoch.eq(users::auth_epoch))
        .filter(user_sessions::created_at.gt(oldest))
        .filter(users::status.eq(UserStatus::Active))
        .select((
            User::as_select(),
            user_sessions::last_seen_at,
            (event_streams::unread, event_streams::seq).nullable(),
        ))
        .first(conn)
        .optional()?;
    let Some((user, last_seen, counts)) = found else {
        return Ok(None);
    };
    if Utc::now() - last_seen > chrono::Duration::minutes(5) {
        diesel::update(user_sessions::table.find(token_hash))
            .set((
                user_sessions::last_seen_at.eq(diesel::dsl::now),
                user_sessions::user_agent.eq(user_agent),
            ))
            .execute(conn)?;
    }
    let (unread, events) = counts.unwrap_or_default();
    Ok(Some(crate::web::CurrentUser {
        unread_messages: unread.max(0),
        events_seen: events,
        ..crate::web::CurrentUser::from(&user)
    }))
}

/// Deletes logins older than `lifetime` (no request can use them); returns how many.
pub fn delete_expired_sessions(conn: &mut PgConnection, lifetime: Duration) -> QueryResult<usize> {
    let oldest = Utc::now() - chrono::Duration::from_std(lifetime).unwrap_or(chrono::Duration::MAX);
    diesel::delete(user_sessions::table.filter(user_sessions::created_at.le(oldest))).execute(conn)
}

pub fn delete_session(conn: &mut PgConnection, token_hash: &[u8]) -> QueryResult<()> {
    diesel::delete(user_sessions::table.find(token_hash))
        .execute(conn)
        .map(|_| ())
}

/// Ends every session of the user, the API's refresh tokens included: the epoch moves on and
/// the rows go. Returns the new epoch.
pub fn end_all_sessions(conn: &mut PgConnection, user_id: UserId) -> QueryResult<i32> {
    diesel::delete(user_sessions::table.filter(user_sessions::user_id.eq(user_id)))
        .execute(conn)?;
    super::api_tokens::end_all(conn, user_id)?;
    diesel::update(users::table.find(user_id))
        .set(users::auth_epoch.eq(users::auth_epoch + 1))
        .returning(users::auth_epoch)
        .get_result(conn)
}

/// Turns the mail about new messages on or off; returns whether the member exists.
pub fn set_message_mail(conn: &mut PgConnection, user_id: UserId, on: bool) -> QueryResult<bool> {
    diesel::update(users::table.find(user_id))
        .set(users::message_mail.eq(on))
        .execute(conn)
        .map(|n| n == 1)
}

/// Which mails a member wants.
#[derive(Debug, Clone, Copy)]
pub struct MailWanted {
    /// About messages they have not read.
    pub messages: bool,
    /// Before their listings expire.
    pub expiry: bool,
    /// When a listing they saved drops its price or sells.
    pub favorites: bool,
}

/// Sets which mails the member wants.
pub fn set_notifications(
    conn: &mut PgConnection,
    user_id: UserId,
    wants: MailWanted,
) -> QueryResult<bool> {
    diesel::update(users::table.find(user_id))
        .set((
            users::message_mail.eq(wants.messages),
            users::expiry_mail.eq(wants.expiry),
            users::favorite_mail.eq(wants.favorites),
        ))
        .execute(conn)
        .map(|n| n == 1)
}

/// Whether the member wants mail about new messages, and their username.
pub fn message_mail(
    conn: &mut PgConnection,
    user_id: UserId,
) -> QueryResult<Option<(String, bool)>> {
    users::table
        .find(user_id)
        .filter(users::status.ne(UserStatus::Deleted))
        .select((users::username, users::message_mail))
        .first(conn)
        .optional()
}

pub fn update_profile(
    conn: &mut PgConnection,
    user_id: UserId,
    changes: &ProfileChanges<'_>,
) -> QueryResult<()> {
    diesel::update(users::table.find(user_id))
        .set(changes)
        .execute(conn)
        .map(|_| ())
}

/// Changes the address; a different one (not just other letter case) is unconfirmed until
/// its link is opened.
pub fn update_email(
    conn: &mut PgConnection,
    user_id: UserId,
    email: &str,
) -> Result<(), AccountConflict> {
    let current: String = users::table
        .find(user_id)
        .select(users::email)
        .first(conn)?;
    // Another address must be confirmed again; the same one in other letter case need not.
    let verified: Option<chrono::DateTime<Utc>> = if current.eq_ignore_ascii_case(email) {
        users::table
            .find(user_id)
            .select(users::email_verified_at)
            .first(conn)?
    } else {
        None
    };
    diesel::update(users::table.find(user_id))
        .set((
            users::email.eq(email),
            users::email_verified_at.eq(verified),
        ))
        .execute(conn)
        .map(|_| ())
        .map_err(conflict)
}

pub fn update_password_hash(
    conn: &mut PgConnection,
    user_id: UserId,
    hash: &str,
) -> QueryResult<()> {
    diesel::update(users::table.find(user_id))
        .set(users::password_hash.eq(hash))
        .execute(conn)
        .map(|_| ())
}

/// Sets the avatar; returns the key it replaces, whose objects the caller deletes.
pub fn set_avatar(
    conn: &mut PgConnection,
    user_id: UserId,
    key: Option<&ObjectKey>,
) -> QueryResult<Option<ObjectKey>> {
    conn.transaction(|conn| {
        let old: Option<ObjectKey> = users::table
            .find(user_id)
            .select(users::avatar_key)
            .for_update()
            .first(conn)?;
        diesel::update(users::table.find(user_id))
            .set(users::avatar_key.eq(key))
            .execute(conn)?;
        Ok(old)
    })
}

/// What a deleted account's username and e-mail address become: `deleted-<id>`, which no
/// sign-up can claim first (usernames starting `deleted-` are reserved, and an e-mail address
/// needs an `@`), so deleting an account can never collide with another one.
pub fn deleted_marker(user_id: UserId) -> String {
    format!("deleted-{user_id}")
}

/// Deletes an account: their listings are taken down, personal data is wiped and the row stays as "deleted user" so the
/// other side of a conversation still sees who wrote. Returns the avatar key to delete.
pub fn delete_account(conn: &mut PgConnection, user_id: UserId) -> QueryResult<Option<ObjectKey>> {
    conn.transaction(|conn| {
        end_all_sessions(conn, user_id)?;
        crate::listings::queries::remove_all_of_owner(conn, user_id)?;
        let avatar: Option<ObjectKey> = users::table
            .find(user_id)
            .select(users::avatar_key)
            .first(conn)?;
        diesel::update(users::table.find(user_id))
            .set((
                users::username.eq(deleted_marker(user_id)),
                users::email.eq(deleted_marker(user_id)),
                users::password_hash.eq("!"),
                users::display_name.eq(""),
                users::bio.eq(""),
                users::home_zip.eq(None::<String>),
                users::avatar_key.eq(None::<ObjectKey>),
                users::status.eq(UserStatus::Deleted),
                users::deleted_at.eq(diesel::dsl::now),
            ))
            .execute(conn)?;
        Ok(avatar)
    })
}

pub fn set_role(conn: &mut PgConnection, user_id: UserId, role: Role) -> QueryResult<()> {
    diesel::update(users::table.find(user_id))
        .set(users::role.eq(role))
        .execute(conn)
        .map(|_| ())
}

/// Bans a user and ends their sessions at once.
pub fn ban_user(conn: &mut PgConnection, user_id: UserId) -> QueryResult<()> {
    conn.transaction(|conn| {
        diesel::update(users::table.find(user_id))
            .set(users::status.eq(UserStatus::Banned))
            .execute(conn)?;
        end_all_sessions(conn, user_id).map(|_| ())
    })
}

/// What a one-time link is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenPurpose {
    PasswordReset,
    VerifyEmail,
}

impl TokenPurpose {
    fn as_str(self) -> &'static str {
        match self {
            Self::PasswordReset => "password_reset",
            Self::VerifyEmail => "verify_email",
        }
    }

    /// How long a link works.
    pub fn lifetime(self) -> chrono::Duration {
        match self {
            Self::PasswordReset => chrono::Duration::hours(1),
            Self::VerifyEmail => chrono::Duration::days(7),
        }
    }
}

/// Makes a one-time link's token for `user_id` (for verification, tied to `email`); returns
/// the token, of which only a hash is kept. Earlier unused tokens for the same purpose stop
/// working: only the newest link does.
pub fn create_token(
    conn: &mut PgConnection,
    user_id: UserId,
    purpose: TokenPurpose,
    email: Option<&str>,
) -> QueryResult<String> {
    use crate::db::schema::account_tokens;
    let token = crate::web::session::random_token();
    diesel::delete(
        account_tokens::table
            .filter(account_tokens::user_id.eq(user_id))
            .filter(account_tokens::purpose.eq(purpose.as_str()))
            .filter(account_tokens::used_at.is_null()),
    )
    .execute(conn)?;
    diesel::insert_into(account_tokens::table)
        .values((
            account_tokens::token_hash.eq(crate::web::session::token_hash(&token)),
            account_tokens::user_id.eq(user_id),
            account_tokens::purpose.eq(purpose.as_str()),
            account_tokens::email.eq(email),
            account_tokens::expires_at.eq(Utc::now() + purpose.lifetime()),
        ))
        .execute(conn)?;
    Ok(token)
}

/// The active account a still-valid, unused token of `purpose` belongs to, with the address
/// it was sent to. `consume` marks it used (in the caller's transaction, with the change it
/// allows).
pub fn find_token(
    conn: &mut PgConnection,
    token: &str,
    purpose: TokenPurpose,
    consume: bool,
) -> QueryResult<Option<(User, Option<String>)>> {
    use crate::db::schema::account_tokens;
    let hash = crate::web::session::token_hash(token);
    let found: Option<(User, Option<String>)> = account_tokens::table
        .inner_join(users::table)
        .filter(account_tokens::token_hash.eq(&hash))
        .filter(account_tokens::purpose.eq(purpose.as_str()))
        .filter(account_tokens::used_at.is_null())
        .filter(account_tokens::expires_at.gt(diesel::dsl::now))
        .filter(users::status.eq(UserStatus::Active))
        .select((User::as_select(), account_tokens::email))
        .for_update()
        .first(conn)
        .optional()?;
    if consume && found.is_some() {
        diesel::update(account_tokens::table.find(&hash))
            .set(account_tokens::used_at.eq(diesel::dsl::now))
            .execute(conn)?;
    }
    Ok(found)
}

/// Marks the address verified, if `email` is still the account's.
pub fn mark_email_verified(
    conn: &mut PgConnection,
    user_id: UserId,
    email: &str,
) -> QueryResult<bool> {
    diesel::update(
        users::table
            .find(user_id)
            .filter(lower(users::email).eq(email.to_lowercase())),
    )
    .set(users::email_verified_at.eq(diesel::dsl::now))
    .execute(conn)
    .map(|n| n == 1)
}

/// Deletes one-time tokens that expired a day ago or more; returns how many.
pub fn delete_expired_tokens(conn: &mut PgConnection) -> QueryResult<usize> {
    use crate::db::schema::account_tokens;
    diesel::delete(
        account_tokens::table
            .filter(account_tokens::expires_at.lt(Utc::now() - chrono::Duration::days(1))),
    )
    .execute(conn)
}
