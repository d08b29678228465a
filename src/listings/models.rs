use chrono::{DateTime, Utc};
use diesel::prelude::*;
use serde::Deserialize;
use uuid::Uuid;

use super::domain::AttributeDef;
use super::terms::{PriceKind, PriceUnit};
use crate::db::ids::{ListingId, UserId};
use crate::db::schema::{categories, listing_photos, listings, sections};
use crate::storage::ObjectKey;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = sections, check_for_backend(diesel::pg::Pg))]
pub struct Section {
    pub id: i16,
    pub slug: String,
    pub name: String,
    pub position: i16,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = categories, check_for_backend(diesel::pg::Pg))]
pub struct Category {
    pub id: i32,
    pub section_id: i16,
    pub slug: String,
    pub name: String,
    pub position: i16,
    /// What its listings are asked beyond the common fields, parsed once when the category
    /// is read (the tree is cached, so not on every page that shows it).
    #[diesel(deserialize_as = serde_json::Value)]
    pub attributes: AttributeDefs,
    pub allows_free: bool,
    /// When an admin retired it: its listings stay readable, it takes no new ones.
    pub retired_at: Option<DateTime<Utc>>,
    /// What its listings' price means.
    pub price_kind: PriceKind,
}

impl Category {
    pub fn is_retired(&self) -> bool {
        self.retired_at.is_some()
    }

    /// The attributes this category asks for (a cheap copy: the list is shared).
    pub fn attribute_defs(&self) -> AttributeDefs {
        self.attributes.clone()
    }
}

/// A category's attribute definitions, shared. They come from a migration or an admin's form
/// (which checks them), so a malformed list is a bug: it is logged and the category asks for
/// nothing.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AttributeDefs(std::sync::Arc<[AttributeDef]>);

impl serde::Serialize for AttributeDefs {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.0.as_ref().serialize(serializer)
    }
}

impl From<serde_json::Value> for AttributeDefs {
    fn from(json: serde_json::Value) -> Self {
        let defs = Vec::<AttributeDef>::deserialize(&json).unwrap_or_else(|err| {
            tracing::error!(error = %err, definitions = %json, "bad attribute definitions");
            Vec::new()
        });
        Self(defs.into())
    }
}

impl std::ops::Deref for AttributeDefs {
    type Target = [AttributeDef];

    fn deref(&self) -> &[AttributeDef] {
        &self.0
    }
}

crate::text_enum! {
    /// What a listing's owner or an admin has made of it.
    pub enum ListingStatus {
        Active => "active",
        Pending => "pending",
        Sold => "sold",
        Expired => "expired",
        Deleted => "deleted",
        Held => "held",
        Removed => "removed",
    }
}

impl ListingStatus {
    /// The statuses of listings shown in lists, search and feeds (until they expire): the one
    /// definition the Rust code uses (the SQL and the partial indexes say the same).
    pub const LISTED: [ListingStatus; 2] = [Self::Active, Self::Pending];

    /// The statuses an owner's own actions (status changes, renewing, deleting) start from.
    pub const OWNER_CHANGEABLE: [ListingStatus; 4] =
        [Self::Active, Self::Pending, Self::Sold, Self::Expired];

    /// Whether anyone may open a listing in this status (owners and admins open any).
    pub fn is_viewable(self) -> bool {
        matches!(
            self,
            Self::Active | Self::Pending | Self::Sold | Self::Expired
        )
    }

    /// Statuses only moderators set and lift: no owner action moves a listing out of them.
    pub fn is_moderated(self) -> bool {
        matches!(self, Self::Held | Self::Removed)
    }
}

#[derive(Debug, Clone, Queryable, Selectable, Identifiable)]
#[diesel(table_name = listings, check_for_backend(diesel::pg::Pg))]
pub struct Listing {
    pub id: ListingId,
    pub owner_id: UserId,
    pub category_id: i32,
    pub title: String,
    pub body: String,
    pub price_cents: Option<i64>,
    pub is_free: bool,
    pub zip: String,
    pub latitude: f64,
    pub longitude: f64,
    pub attributes: serde_json::Value,
    pub status: ListingStatus,
    pub expires_at: DateTime<Utc>,
    pub renewed_at: DateTime<Utc>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// When the owner deleted it (a deleted listing can be restored for a while).
    pub deleted_at: Option<DateTime<Utc>>,
    /// The moderators' reason for their latest decision on it (shown to the owner).
    pub moderation_reason: Option<String>,
    /// What the price is per (rent per month, pay per hour, …).
    pub price_unit: Option<PriceUnit>,
    /// The top of a pay range (`price_cents` is its bottom).
    pub price_max_cents: Option<i64>,
    /// An event's start and end, local to its place.
    pub starts_at: Option<chrono::NaiveDateTime>,
    pub ends_at: Option<chrono::NaiveDateTime>,
}

impl Listing {
    /// The stored status (an unknown one is treated as hidden: seen by nobody but its owner).
    pub fn status(&self) -> ListingStatus {
        self.status
    }

    /// The status as visitors see it: an active or pending listing past its expiry is expired.
    pub fn effective_status(&self, now: DateTime<Utc>) -> ListingStatus {
        match self.status() {
            ListingStatus::Active | ListingStatus::Pending if self.expires_at <= now => {
                ListingStatus::Expired
            }
            other => other,
        }
    }

    /// Whether anyone may open the listing's page (owners and admins may open every one).
    pub fn is_public(&self) -> bool {
        self.status.is_viewable()
    }

    pub fn path(&self) -> String {
        format!(
            "/listings/{}/{}",
            self.id,
            super::domain::slugify(&self.title)
        )
    }
}

#[derive(Debug, Insertable)]
#[diesel(table_name = listings)]
pub struct NewListing<'a> {
    pub owner_id: UserId,
    pub category_id: i32,
    pub title: &'a str,
    pub body: &'a str,
    pub price_cents: Option<i64>,
    pub is_free: bool,
    pub zip: &'a str,
    pub latitude: f64,
    pub longitude: f64,
    pub attributes: serde_json::Value,
    pub expires_at: DateTime<Utc>,
    pub price_unit: Option<PriceUnit>,
    pub price_max_cents: Option<i64>,
    pub starts_at: Option<chrono::NaiveDateTime>,
    pub ends_at: Option<chrono::NaiveDateTime>,
}

#[derive(Debug, AsChangeset)]
#[diesel(table_name = listings, treat_none_as_null = true)]
pub struct ListingChanges<'a> {
    pub title: &'a str,
    pub body: &'a str,
    pub price_cents: Option<i64>,
    pub is_free: bool,
    pub zip: &'a str,
    pub latitude: f64,
    pub longitude: f64,
    pub attributes: serde_json::Value,
    pub price_unit: Option<PriceUnit>,
    pub price_max_cents: Option<i64>,
    pub starts_at: Option<chrono::NaiveDateTime>,
    pub ends_at: Option<chrono::NaiveDateTime>,
    pub expires_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = listing_photos, check_for_backend(diesel::pg::Pg))]
pub struct Photo {
    pub id: Uuid,
    pub owner_id: UserId,
    pub listing_id: Option<ListingId>,
    pub position: i16,
    pub display_key: ObjectKey,
    pub thumb_key: ObjectKey,
    pub width: i32,
    pub height: i32,
    pub alt_text: String,
    pub created_at: DateTime<Utc>,
}
