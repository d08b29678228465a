//! Refresh tokens of the JSON API: opaque, random, stored hashed, good for 30 days and
//! rotated on every use.
//!
//! Policy (RFC 9700's refresh token rotation): each log-in starts a *family*. Using a token
//! marks it used and issues its successor in the same family; the used one is kept until it
//! expires, so that using it a second time — a copy in someone else's hands, or a client that
//! lost its reply — is recognised, and ends the whole family (both holders must log in again).
//! A token records the member's `auth_epoch`: logging out everywhere, a password change or a
//! ban ends every family at once.

use std::time::Duration;

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use uuid::Uuid;

use super::models::{User, UserStatus};
use crate::db::ids::UserId;
use crate::db::schema::{api_refresh_tokens as tokens, users};

/// How long a refresh token is good for (each use gives a new one for as long again).
pub const REFRESH_TOKEN_LIFETIME: Duration = Duration::from_secs(30 * 86_400);

/// What every refresh token starts with (so secret scanners and people can tell it apart).
const PREFIX: &str = "cbr_";

/// A new refresh token: 256 random bits.
pub fn new_token() -> String {
    format!("{PREFIX}{}", crate::web::session::random_token())
}

/// What is stored for a token.
pub fn token_hash(token: &str) -> Vec<u8> {
    crate::web::session::token_hash(token)
}

/// Records `hash` as a fresh token of `family` for `user`; returns when it expires.
pub fn insert(
    conn: &mut PgConnection,
    hash: &[u8],
    family: Uuid,
    user: &User,
) -> QueryResult<DateTime<Utc>> {
    let expires_at = Utc::now()
        + chrono::Duration::from_std(REFRESH_TOKEN_LIFETIME).unwrap_or(chrono::Duration::MAX);
    diesel::insert_into(tokens::table)
        .values((
            tokens::token_hash.eq(hash),
            tokens::family.eq(family),
            tokens::user_id.eq(user.id),
            tokens::auth_epoch.eq(user.auth_epoch),
            tokens::expires_at.eq(expires_at),
        ))
        .execute(conn)?;
    Ok(expires_at)
}

/// What using a refresh token came to.
#[derive(Debug)]
pub enum Rotation {
    /// The token was good: `next` replaces it (same family) until `expires_at`.
    Rotated {
        user: Box<User>,
        expires_at: DateTime<Utc>,
    },
    /// The token had been used already: its family is ended.
    Reused,
    /// No such token (or expired, or its family ended, or the member's epoch moved on).
    Unknown,
}

/// Uses the token with hash `old`: marks it used and records `next` as its successor, in one
/// transaction (two uses racing: one rotates, the other sees a used token).
pub fn rotate(conn: &mut PgConnection, old: &[u8], next: &[u8]) -> QueryResult<Rotation> {
    conn.transaction(|conn| {
        let claimed: Option<(Uuid, UserId, i32)> = diesel::update(
            tokens::table
                .filter(tokens::token_hash.eq(old))
                .filter(tokens::used_at.is_null())
                .filter(tokens::expires_at.gt(diesel::dsl::now)),
        )
        .set(tokens::used_at.eq(diesel::dsl::now))
        .returning((tokens::family, tokens::user_id, tokens::auth_epoch))
        .get_result(conn)
        .optional()?;
        let Some((family, user_id, epoch)) = claimed else {
            let used: Option<Uuid> = tokens::table
                .filter(tokens::token_hash.eq(old))
                .filter(tokens::used_at.is_not_null())
                .select(tokens::family)
                .first(conn)
                .optional()?;
            return Ok(match used {
                Some(family) => {
                    end_family(conn, family)?;
                    tracing::warn!(%family, "a used refresh token came back: family ended");
                    Rotation::Reused
                }
                None => Rotation::Unknown,
            });
        };
        let user: Option<User> = users::table
            .find(user_id)
            .filter(users::status.eq(UserStatus::Active))
            .filter(users::auth_epoch.eq(epoch))
            .select(User::as_select())
            .first(conn)
            .optional()?;
        let Some(user) = user else {
            end_family(conn, family)?;
            return Ok(Rotation::Unknown);
        };
        let expires_at = insert(conn, next, family, &user)?;
        Ok(Rotation::Rotated {
            user: Box::new(user),
            expires_at,
        })
    })
}

/// Ends the family of the token with hash `hash` (log-out); whether there was one.
pub fn end_family_of(conn: &mut PgConnection, hash: &[u8]) -> QueryResult<bool> {
    let family: Option<Uuid> = tokens::table
        .find(hash)
        .select(tokens::family)
        .first(conn)
        .optional()?;
    match family {
        Some(family) => end_family(conn, family).map(|_| true),
        None => Ok(false),
    }
}

fn end_family(conn: &mut PgConnection, family: Uuid) -> QueryResult<usize> {
    diesel::delete(tokens::table.filter(tokens::family.eq(family))).execute(conn)
}

/// Ends every family of a member (log out everywhere).
pub fn end_all(conn: &mut PgConnection, user: UserId) -> QueryResult<usize> {
    diesel::delete(tokens::table.filter(tokens::user_id.eq(user))).execute(conn)
}

/// Deletes expired tokens (a used one is kept only to recognise it until then).
pub fn delete_expired(conn: &mut PgConnection) -> QueryResult<usize> {
    diesel::delete(tokens::table.filter(tokens::expires_at.le(diesel::dsl::now))).execute(conn)
}

/// The member an access token is for, if their account is active and the token's epoch is
/// still theirs: `web::bearer`'s lookup, registered by `startup`.
pub fn token_user(
    conn: &mut PgConnection,
    id: UserId,
    epoch: i32,
) -> QueryResult<Option<crate::web::CurrentUser>> {
    let user: Option<User> = users::table
        .find(id)
        .filter(users::status.eq(UserStatus::Active))
        .filter(users::auth_epoch.eq(epoch))
        .select(User::as_select())
        .first(conn)
        .optional()?;
    Ok(user.as_ref().map(crate::web::CurrentUser::from))
}
