//! Alerts: saved searches mail their owner new matches, and favourites mail price drops and
//! sales.
//!
//! Policy:
//! - A periodic job ([`Alerts`], every [`INTERVAL`]) does both, in batches, on any instance.
//! - A saved search's alert is off, instant, daily or weekly. Instant alerts are looked at on
//!   every run but mail at most once an hour (what arrived meanwhile comes in the next mail);
//!   daily and weekly ones once a day or week. Each mail lists the matches posted or renewed
//!   since the last look ("New") and matches whose price dropped since then ("Price
//!   dropped"), newest first, at most [`MAX_ITEMS`] (and says when there are more), with each
//!   listing's photo, title, price, place and distance from the search's area (or the
//!   member's home).
//! - Each search is looked at in its own transaction that moves its watermark and queues its
//!   mail together (`FOR UPDATE SKIP LOCKED`): two instances never mail the same news, and a
//!   retried job does not mail twice.
//! - Favourites: every price drop and sale (noted by a trigger in `listing_changes`) is mailed
//!   once to the members who saved the listing and want these mails (not its seller), one mail
//!   per member per run.
//! - Every mail carries a signed one-click unsubscribe (RFC 8058): per search for search
//!   alerts, per member for favourites.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Nullable, Text, Timestamptz};
use serde::{Deserialize, Serialize};

use crate::config::SecretKey;
use crate::db::ids::{ListingId, SavedSearchId, UserId};
use crate::jobs::JobKind;
use crate::jobs::Schedule;
use crate::listings::cards::price_label;
use crate::listings::domain::{format_price, slugify};
use crate::mail::{MailSite, queue_mail_with};
use crate::mail_templates;
use crate::search::density::Density;
use crate::search::queries::SearchRow;
use crate::search::service::AlertMatches;
use crate::web::area::{distance_label, miles_between};

/// How often the alerts job runs.
pub const INTERVAL: std::time::Duration = std::time::Duration::from_secs(5 * 60);
/// Listings in one mail.
pub const MAX_ITEMS: usize = 20;
/// Saved searches looked at in one run (the stalest first; the rest wait for the next).
const SEARCHES_PER_RUN: i64 = 500;
/// Listing changes mailed about in one run.
const CHANGES_PER_RUN: i64 = 2000;
/// Price drops a search's alert considers at most (the newest).
const DROPS_CONSIDERED: i64 = 5000;

crate::text_enum! {
    /// How often a saved search mails its news.
    pub enum AlertCadence {
        Off => "off",
        Instant => "instant",
        Daily => "daily",
        Weekly => "weekly",
    }
}

impl AlertCadence {
    pub fn label(self) -> &'static str {
        match self {
            Self::Off => "No e-mail",
            Self::Instant => "As they come (at most hourly)",
            Self::Daily => "Daily",
            Self::Weekly => "Weekly",
        }
    }
}

/// The periodic job.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Alerts {}

impl JobKind for Alerts {
    const KIND: &'static str = "alerts";
}

pub const ALERTS_KEY: &str = "periodic:alerts";

/// One listing in an alert mail.
pub struct AlertItem {
    /// "New", "Price dropped" or "Sold".
    pub label: &'static str,
    pub title: String,
    pub url: String,
    pub price: Option<String>,
    /// What it cost before, for a price drop.
    pub was: Option<String>,
    pub place: String,
    pub distance: Option<String>,
    pub photo_url: Option<String>,
}

/// A saved search's news.
pub struct SearchAlertMail {
    pub recipient: String,
    pub search_name: String,
    pub items: Vec<AlertItem>,
    /// More matched than the mail shows.
    pub more: bool,
    pub search_url: String,
    pub unsubscribe: String,
    pub settings: String,
}

mail_templates!(
    SearchAlertMail,
    "mail/search_alert.txt",
    "mail/search_alert.html",
    |m, site| format!("{} for “{}” on {}", m.summary(), m.search_name, site.name)
);

impl SearchAlertMail {
    /// "3 new listings", "1 price drop", "20+ new listings and price drops".
    pub fn summary(&self) -> String {
        let n = format!("{}{}", self.items.len(), if self.more { "+" } else { "" });
        let new = self.items.iter().filter(|i| i.label == "New").count();
        let one = self.items.len() == 1 && !self.more;
        match (new, self.items.len() - new) {
            (_, 0) if one => "1 new listing".into(),
            (_, 0) => format!("{n} new listings"),
            (0, _) if one => "1 price drop".into(),
            (0, _) => format!("{n} price drops"),
            _ => format!("{n} new listings and price drops"),
        }
    }
}

/// News about favourites.
pub struct FavoriteAlertMail {
    pub recipient: String,
    pub items: Vec<AlertItem>,
    pub unsubscribe: String,
    pub settings: String,
}

mail_templates!(
    FavoriteAlertMail,
    "mail/favorite_alert.txt",
    "mail/favorite_alert.html",
    |m, site| match m.items.as_slice() {
        [one] => format!("{}: “{}” on {}", one.label, one.title, site.name),
        many => format!(
            "{} of your saved listings changed on {}",
            many.len(),
            site.name
        ),
    }
);

fn token_message(what: &str, id: i64) -> String {
    format!("corkboard alerts off v1:{what}:{id}")
}

fn token(secret: &SecretKey, what: &str, id: i64) -> String {
    secret.sign(&token_message(what, id))
}

/// The one-click link that turns one saved search's alert off.
pub fn search_unsubscribe_url(site: &MailSite, secret: &SecretKey, id: SavedSearchId) -> String {
    format!(
        "{}/mail/alerts/search/{id}/{}",
        site.url,
        token(secret, "search", id.0)
    )
}

/// The one-click link that turns a member's favourites mail off.
pub fn favorites_unsubscribe_url(site: &MailSite, secret: &SecretKey, user: UserId) -> String {
    format!(
        "{}/mail/alerts/favorites/{user}/{}",
        site.url,
        token(secret, "favorites", user.0)
    )
}

/// Whether `given` is the signature of the unsubscribe link for `what` ("search" or
/// "favorites") and `id`.
pub fn valid_token(secret: &SecretKey, what: &str, id: i64, given: &str) -> bool {
    secret.verify(&token_message(what, id), given)
}

#[derive(Debug, QueryableByName)]
struct DueSearch {
    #[diesel(sql_type = BigInt)]
    id: SavedSearchId,
    #[diesel(sql_type = Text)]
    name: String,
    #[diesel(sql_type = Text)]
    query: String,
    #[diesel(sql_type = Timestamptz)]
    alert_checked_at: DateTime<Utc>,
    #[diesel(sql_type = Text)]
    email: String,
    #[diesel(sql_type = Text)]
    recipient: String,
    #[diesel(sql_type = Nullable<Text>)]
    home_zip: Option<String>,
}

/// What one run did.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct AlertReport {
    pub searches_looked_at: usize,
    pub search_mails: usize,
    pub favorite_mails: usize,
}

/// One run of the alerts: the due saved searches, then the favourites' news.
pub fn run(
    conn: &mut PgConnection,
    site: &MailSite,
    secret: &SecretKey,
    now: DateTime<Utc>,
) -> anyhow::Result<AlertReport> {
    let density = Density::new(std::time::Duration::ZERO);
    let mut report = AlertReport::default();
    for _ in 0..SEARCHES_PER_RUN {
        let looked = conn.transaction(|conn| {
            let due: Option<DueSearch> = diesel::sql_query(
                "SELECT s.id, s.name, s.query, s.alert_checked_at, u.email, u.home_zip,
                        CASE WHEN u.display_name = '' THEN u.username ELSE u.display_name END
                          AS recipient
                   FROM saved_searches s JOIN users u ON u.id = s.user_id
                  WHERE s.alert <> 'off' AND s.alert_checked_at < $1
                    AND u.status = 'active' AND u.email_verified_at IS NOT NULL
                    AND CASE s.alert
                          WHEN 'instant' THEN s.alert_mailed_at IS NULL
                                              OR s.alert_mailed_at <= $1 - interval '1 hour'
                          WHEN 'daily' THEN s.alert_checked_at <= $1 - interval '1 day'
                          ELSE s.alert_checked_at <= $1 - interval '7 days'
                        END
                  ORDER BY s.alert_checked_at
                  LIMIT 1
                  FOR UPDATE OF s SKIP LOCKED",
            )
            .bind::<Timestamptz, _>(now)
            .get_result(conn)
            .optional()?;
            let Some(due) = due else {
                return Ok::<_, anyhow::Error>(false);
            };
            let mailed = search_alert(conn, site, secret, &density, &due, now)?;
            diesel::sql_query(
                "UPDATE saved_searches SET alert_checked_at = $2,
                        alert_mailed_at = CASE WHEN $3 THEN $2 ELSE alert_mailed_at END
                  WHERE id = $1",
            )
            .bind::<BigInt, _>(due.id)
            .bind::<Timestamptz, _>(now)
            .bind::<diesel::sql_types::Bool, _>(mailed)
            .execute(conn)?;
            report.searches_looked_at += 1;
            report.search_mails += usize::from(mailed);
            Ok(true)
        })?;
        if !looked {
            break;
        }
    }
    report.favorite_mails = favorite_alerts(conn, site, secret)?;
    Ok(report)
}

/// Queues the mail of one due search, if it has news; returns whether it did.
fn search_alert(
    conn: &mut PgConnection,
    site: &MailSite,
    secret: &SecretKey,
    density: &Density,
    due: &DueSearch,
    now: DateTime<Utc>,
) -> anyhow::Result<bool> {
    let since = due.alert_checked_at;
    let limit = MAX_ITEMS as i64 + 1;
    let Some(AlertMatches { rows: new, centre }) =
        crate::search::service::alert_matches(conn, density, &due.query, Some(since), &[], limit)?
    else {
        return Ok(false);
    };
    // Price drops since the last look, of listings the search finds (and not new anyway).
    let drops: Vec<(i64, Option<i64>)> = diesel::sql_query(
        "SELECT listing_id, max(old_price_cents) AS old FROM (
             SELECT listing_id, old_price_cents FROM listing_changes
              WHERE kind = 'price_drop' AND created_at > $1 AND created_at <= $2
              ORDER BY created_at DESC LIMIT $3) d
          GROUP BY listing_id",
    )
    .bind::<Timestamptz, _>(since)
    .bind::<Timestamptz, _>(now)
    .bind::<BigInt, _>(DROPS_CONSIDERED)
    .load::<PriceDrop>(conn)?
    .into_iter()
    .map(|d| (d.listing_id, d.old))
    .collect();
    let dropped = if drops.is_empty() {
        Vec::new()
    } else {
        let ids: Vec<i64> = drops.iter().map(|d| d.0).collect();
        crate::search::service::alert_matches(conn, density, &due.query, None, &ids, limit)?
            .map(|found| found.rows)
            .unwrap_or_default()
    };
    let was: BTreeMap<i64, Option<i64>> = drops.into_iter().collect();
    let mut rows: Vec<(&'static str, &SearchRow)> = new.iter().map(|r| ("New", r)).collect();
    for row in &dropped {
        if !new.iter().any(|n| n.id == row.id) {
            rows.push(("Price dropped", row));
        }
    }
    if rows.is_empty() {
        return Ok(false);
    }
    let more = rows.len() > MAX_ITEMS;
    rows.truncate(MAX_ITEMS);
    let from = centre.or_else(|| {
        due.home_zip
            .as_deref()
            .and_then(|zip| crate::places::shipped().get(zip))
            .map(|p| (p.latitude, p.longitude))
    });
    let ids: Vec<ListingId> = rows.iter().map(|(_, r)| r.id).collect();
    let photos = crate::listings::feed::cover_photos(conn, &ids)?;
    let items = rows
        .into_iter()
        .map(|(label, row)| AlertItem {
            label,
            title: row.title.clone(),
            url: format!("{}/listings/{}/{}", site.url, row.id, slugify(&row.title)),
            price: price_label(row.price_cents, row.is_free),
            was: (label == "Price dropped")
                .then(|| was.get(&row.id.0).copied().flatten().map(format_price))
                .flatten(),
            place: crate::places::label_of(&row.zip),
            distance: from
                .map(|from| distance_label(miles_between(from, (row.latitude, row.longitude)))),
            photo_url: photos
                .get(&row.id)
                .map(|photo| format!("{}/photos/{photo}/thumb.jpg", site.url)),
        })
        .collect();
    let unsubscribe = search_unsubscribe_url(site, secret, due.id);
    let mail = SearchAlertMail {
        recipient: due.recipient.clone(),
        search_name: due.name.clone(),
        items,
        more,
        search_url: format!("{}/saved-searches/{}", site.url, due.id),
        unsubscribe: unsubscribe.clone(),
        settings: format!("{}/saved-searches", site.url),
    };
    queue_mail_with(
        conn,
        site,
        &due.email,
        &mail,
        one_click(&unsubscribe),
        Schedule::default(),
    )?;
    Ok(true)
}

#[derive(QueryableByName)]
struct PriceDrop {
    #[diesel(sql_type = BigInt)]
    listing_id: i64,
    #[diesel(sql_type = Nullable<BigInt>)]
    old: Option<i64>,
}

fn one_click(unsubscribe: &str) -> Vec<(String, String)> {
    vec![
        ("List-Unsubscribe".into(), format!("<{unsubscribe}>")),
        (
            "List-Unsubscribe-Post".into(),
            "List-Unsubscribe=One-Click".into(),
        ),
    ]
}

#[derive(Debug, QueryableByName)]
struct FavoriteNews {
    #[diesel(sql_type = BigInt)]
    user_id: UserId,
    #[diesel(sql_type = Text)]
    email: String,
    #[diesel(sql_type = Text)]
    recipient: String,
    #[diesel(sql_type = Text)]
    kind: String,
    #[diesel(sql_type = BigInt)]
    listing_id: ListingId,
    #[diesel(sql_type = Text)]
    title: String,
    #[diesel(sql_type = Text)]
    zip: String,
    #[diesel(sql_type = Nullable<BigInt>)]
    old_price_cents: Option<i64>,
    #[diesel(sql_type = Nullable<BigInt>)]
    new_price_cents: Option<i64>,
    #[diesel(sql_type = diesel::sql_types::Bool)]
    is_free: bool,
}

/// Mails the favourites' news not mailed yet (in one transaction that marks it mailed);
/// returns how many mails it queued.
fn favorite_alerts(
    conn: &mut PgConnection,
    site: &MailSite,
    secret: &SecretKey,
) -> anyhow::Result<usize> {
    conn.transaction(|conn| {
        let news: Vec<FavoriteNews> = diesel::sql_query(
            "WITH batch AS (
                 UPDATE listing_changes SET mailed_at = now()
                  WHERE id IN (SELECT id FROM listing_changes WHERE mailed_at IS NULL
                               ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED)
                 RETURNING id, listing_id, kind, old_price_cents, new_price_cents
             )
             SELECT u.id AS user_id, u.email,
                    CASE WHEN u.display_name = '' THEN u.username ELSE u.display_name END
                      AS recipient,
                    b.kind, b.listing_id, l.title, l.zip, b.old_price_cents, b.new_price_cents,
                    l.is_free
               FROM batch b
               JOIN listings l ON l.id = b.listing_id
               JOIN favorites f ON f.listing_id = b.listing_id
               JOIN users u ON u.id = f.user_id
              WHERE u.favorite_mail AND u.status = 'active' AND u.email_verified_at IS NOT NULL
                AND u.id <> l.owner_id
              ORDER BY u.id, b.id",
        )
        .bind::<BigInt, _>(CHANGES_PER_RUN)
        .load(conn)?;
        let mut by_member: BTreeMap<UserId, Vec<FavoriteNews>> = BTreeMap::new();
        for item in news {
            by_member.entry(item.user_id).or_default().push(item);
        }
        let mut mails = 0;
        for (user, news) in by_member {
            let (email, recipient) = (news[0].email.clone(), news[0].recipient.clone());
            let items = news
                .into_iter()
                .take(MAX_ITEMS)
                .map(|n| {
                    let sold = n.kind == "sold";
                    AlertItem {
                        label: if sold { "Sold" } else { "Price dropped" },
                        url: format!(
                            "{}/listings/{}/{}",
                            site.url,
                            n.listing_id,
                            slugify(&n.title)
                        ),
                        title: n.title,
                        price: if sold {
                            None
                        } else {
                            price_label(n.new_price_cents.filter(|_| !n.is_free), n.is_free)
                        },
                        was: (!sold)
                            .then(|| n.old_price_cents.map(format_price))
                            .flatten(),
                        place: crate::places::label_of(&n.zip),
                        distance: None,
                        photo_url: None,
                    }
                })
                .collect();
            let unsubscribe = favorites_unsubscribe_url(site, secret, user);
            let mail = FavoriteAlertMail {
                recipient,
                items,
                unsubscribe: unsubscribe.clone(),
                settings: format!("{}/settings#notifications-heading", site.url),
            };
            queue_mail_with(
                conn,
                site,
                &email,
                &mail,
                one_click(&unsubscribe),
                Schedule::default(),
            )?;
            mails += 1;
        }
        Ok(mails)
    })
}

/// Forgets listing changes mailed about and older than any alert looks back (a weekly
/// alert's week, and some).
pub fn sweep(conn: &mut PgConnection, now: DateTime<Utc>) -> QueryResult<usize> {
    diesel::sql_query("DELETE FROM listing_changes WHERE mailed_at IS NOT NULL AND created_at < $1")
        .bind::<Timestamptz, _>(now - chrono::Duration::days(30))
        .execute(conn)
}
