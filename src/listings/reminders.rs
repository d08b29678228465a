//! The reminder before a listing expires: a mail to its seller [`REMIND_BEFORE`] its expiry,
//! with a link that renews it in one click (no log-in needed), and that link's pages.
//!
//! Policy:
//! - The janitor (every quarter hour) finds public listings expiring within
//!   [`REMIND_BEFORE`] whose seller is active, has a confirmed address and wants these mails,
//!   and that were not reminded of this expiry yet; it notes each reminder and queues its
//!   mail in one transaction, so a retried run never mails twice. A renewed listing has a new
//!   expiry and is reminded again before it.
//! - The link is signed for the listing *and* its expiry: it renews once, and stops working
//!   when the listing is renewed, changed or deleted. Opening it shows a page with one button
//!   (a mail scanner following the link changes nothing); the button renews.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text, Timestamptz};

use crate::config::SecretKey;
use crate::db::ids::ListingId;
use crate::jobs::Schedule;
use crate::mail::{MailSite, queue_mail_with};
use crate::mail_templates;

/// How long before its expiry a listing's seller is reminded.
pub const REMIND_BEFORE: chrono::Duration = chrono::Duration::days(3);
/// Reminders queued in one transaction.
const BATCH: i64 = 200;

/// The reminder mail.
pub struct ExpiryReminderMail {
    pub recipient: String,
    pub title: String,
    /// "Dec 5, 2026 at 14:05 UTC".
    pub expires: String,
    pub renew: String,
    pub listing: String,
    pub dashboard: String,
    pub settings: String,
}

mail_templates!(
    ExpiryReminderMail,
    "mail/expiry_reminder.txt",
    "mail/expiry_reminder.html",
    |m, site| format!("“{}” expires in 3 days on {}", m.title, site.name)
);

/// The signature that lets a link renew `listing` while it expires at `expires_at`.
pub fn renew_token(secret: &SecretKey, listing: ListingId, expires_at: DateTime<Utc>) -> String {
    secret.sign(&renew_message(listing, expires_at))
}

fn renew_message(listing: ListingId, expires_at: DateTime<Utc>) -> String {
    format!(
        "corkboard renew v1:{listing}:{}",
        expires_at.timestamp_micros()
    )
}

/// Whether `token` renews `listing` at its current expiry.
pub fn valid_renew_token(
    secret: &SecretKey,
    listing: ListingId,
    expires_at: DateTime<Utc>,
    token: &str,
) -> bool {
    secret.verify(&renew_message(listing, expires_at), token)
}

/// The one-click renew link for a listing at its current expiry.
pub fn renew_url(
    site: &MailSite,
    secret: &SecretKey,
    listing: ListingId,
    expires_at: DateTime<Utc>,
) -> String {
    format!(
        "{}/listings/{listing}/renew/{}",
        site.url,
        renew_token(secret, listing, expires_at)
    )
}

#[derive(Debug, QueryableByName)]
struct Due {
    #[diesel(sql_type = BigInt)]
    id: ListingId,
    #[diesel(sql_type = Text)]
    title: String,
    #[diesel(sql_type = Timestamptz)]
    expires_at: DateTime<Utc>,
    #[diesel(sql_type = Text)]
    email: String,
    #[diesel(sql_type = Text)]
    name: String,
}

/// Queues the reminders that are due (in batches); returns how many.
pub fn queue_due(
    conn: &mut PgConnection,
    site: &MailSite,
    secret: &SecretKey,
    now: DateTime<Utc>,
) -> anyhow::Result<usize> {
    let mut queued = 0;
    // Each batch notes its reminders, so the next one finds the rest; bounded all the same.
    for _ in 0..100 {
        let batch = conn.transaction(|conn| {
            let due: Vec<Due> = diesel::sql_query(
                "SELECT l.id, l.title, l.expires_at, u.email,
                        CASE WHEN u.display_name = '' THEN u.username ELSE u.display_name END AS name
                   FROM listings l JOIN users u ON u.id = l.owner_id
                  WHERE l.status IN ('active', 'pending')
                    AND l.expires_at > $1 AND l.expires_at <= $2
                    AND u.status = 'active' AND u.email_verified_at IS NOT NULL AND u.expiry_mail
                    AND NOT EXISTS (SELECT 1 FROM expiry_reminders r
                                     WHERE r.listing_id = l.id AND r.expires_at = l.expires_at)
                  ORDER BY l.expires_at
                  LIMIT $3
                  FOR UPDATE OF l SKIP LOCKED",
            )
            .bind::<Timestamptz, _>(now)
            .bind::<Timestamptz, _>(now + REMIND_BEFORE)
            .bind::<BigInt, _>(BATCH)
            .load(conn)?;
            for listing in &due {
                diesel::sql_query(
                    "INSERT INTO expiry_reminders (listing_id, expires_at) VALUES ($1, $2)
                     ON CONFLICT DO NOTHING",
                )
                .bind::<BigInt, _>(listing.id)
                .bind::<Timestamptz, _>(listing.expires_at)
                .execute(conn)?;
                let mail = ExpiryReminderMail {
                    recipient: listing.name.clone(),
                    title: listing.title.clone(),
                    expires: listing
                        .expires_at
                        .format("%b %-d, %Y at %H:%M UTC")
                        .to_string(),
                    renew: renew_url(site, secret, listing.id, listing.expires_at),
                    listing: format!(
                        "{}/listings/{}/{}",
                        site.url,
                        listing.id,
                        super::domain::slugify(&listing.title)
                    ),
                    dashboard: format!("{}/my/listings", site.url),
                    settings: format!("{}/settings#notifications-heading", site.url),
                };
                queue_mail_with(
                    conn,
                    site,
                    &listing.email,
                    &mail,
                    Vec::new(),
                    Schedule::default(),
                )?;
            }
            Ok::<_, anyhow::Error>(due.len())
        })?;
        queued += batch;
        if (batch as i64) < BATCH {
            break;
        }
    }
    Ok(queued)
}

/// Forgets reminders of expiries long past (the listing was renewed or is gone).
pub fn sweep(conn: &mut PgConnection, now: DateTime<Utc>) -> QueryResult<usize> {
    diesel::sql_query("DELETE FROM expiry_reminders WHERE expires_at < $1")
        .bind::<Timestamptz, _>(now - chrono::Duration::days(30))
        .execute(conn)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renew_tokens_are_per_listing_expiry_and_key() {
        let key = SecretKey::generate();
        let at = Utc::now();
        let token = renew_token(&key, ListingId(5), at);
        assert!(valid_renew_token(&key, ListingId(5), at, &token));
        assert!(!valid_renew_token(&key, ListingId(6), at, &token));
        assert!(!valid_renew_token(
            &key,
            ListingId(5),
            at + chrono::Duration::microseconds(1),
            &token
        ));
        assert!(!valid_renew_token(
            &SecretKey::generate(),
            ListingId(5),
            at,
            &token
        ));
        assert!(!valid_renew_token(&key, ListingId(5), at, "00"));
    }
}
