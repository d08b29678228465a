//! The rules of posting and changing a listing, shared by the pages and the JSON API: who may
//! post and change what, reading a listing's fields into a valid draft, and saving it.

use std::time::Duration;

use chrono::Utc;
use uuid::Uuid;

use super::domain::{AttributeDef, ListingDraft, ListingForm};
use super::models::{Category, Listing, ListingChanges, ListingStatus, NewListing, Photo};
use super::queries::{self, PhotoEdits};
use super::terms;
use crate::db::ids::ListingId;
use crate::photos::MAX_FILE_BYTES;
use crate::places;
use crate::web::text::refuse_control_characters;
use crate::web::upload::UploadLimits;
use crate::web::{AppError, CurrentUser, Db, FieldErrors};

/// Listing rules, registered as app data.
#[derive(Debug, Clone, Copy)]
pub struct ListingRules {
    pub lifetime: Duration,
    pub max_photos: usize,
}

/// Listings a member may have before confirming their e-mail address.
pub const UNVERIFIED_LISTING_LIMIT: i64 = 2;

/// A listing may be renewed this long after it was posted or last renewed.
pub const RENEW_AFTER: Duration = Duration::from_secs(48 * 3600);

/// Refuses a new listing to a member with an unconfirmed address who already has
/// [`UNVERIFIED_LISTING_LIMIT`].
pub async fn may_post(db: &Db, me: &CurrentUser) -> Result<(), AppError> {
    if me.email_verified {
        return Ok(());
    }
    let owner = me.id;
    let posted = db
        .run(move |conn| queries::count_listings_of(conn, owner))
        .await?;
    if posted >= UNVERIFIED_LISTING_LIMIT {
        return Err(AppError::Forbidden(Some(format!(
            "Please confirm your e-mail address to post more than {UNVERIFIED_LISTING_LIMIT} listings: \
             open the link we mailed you, or send it again from your settings."
        ))));
    }
    Ok(())
}

/// Whether `me` may see a listing that the public may not, and change it.
pub fn may_manage(me: Option<&CurrentUser>, listing: &Listing) -> bool {
    me.is_some_and(|me| me.id == listing.owner_id || me.is_admin())
}

/// The listing, if `me` may change it: strangers get 403 for a public listing, 404 otherwise.
pub async fn load_for_change(
    db: &Db,
    id: ListingId,
    me: &CurrentUser,
) -> Result<Listing, AppError> {
    let listing = db
        .run(move |conn| queries::find_listing(conn, id))
        .await?
        .ok_or(AppError::NotFound)?;
    if matches!(
        listing.status(),
        ListingStatus::Deleted | ListingStatus::Removed
    ) {
        return Err(AppError::NotFound);
    }
    if may_manage(Some(me), &listing) {
        Ok(listing)
    } else if listing.is_public() {
        Err(AppError::Forbidden(Some(
            "Only the member who posted this listing can change it.".into(),
        )))
    } else {
        Err(AppError::NotFound)
    }
}

/// Refuses owner actions on a listing the moderators hid: only they bring it back.
pub fn not_moderated(listing: &Listing, what: &str) -> Result<(), AppError> {
    if listing.status().is_moderated() {
        return Err(AppError::Forbidden(Some(format!(
            "This listing was hidden by the moderators, so it can't be {what} until they review it."
        ))));
    }
    Ok(())
}

/// The statuses an owner may choose.
pub fn owner_status(input: &str) -> Option<ListingStatus> {
    match ListingStatus::parse(input) {
        Some(s @ (ListingStatus::Active | ListingStatus::Pending | ListingStatus::Sold)) => Some(s),
        _ => None,
    }
}

/// Upload limits of a request adding photos: up to `max_photos` photos plus text fields.
pub fn upload_limits(max_photos: usize) -> UploadLimits {
    UploadLimits {
        max_file_bytes: MAX_FILE_BYTES,
        max_files: max_photos,
        max_text_bytes: 64 * 1024,
        max_parts: max_photos + 200,
        max_total_bytes: MAX_FILE_BYTES * max_photos as u64 + 1024 * 1024,
    }
}

/// The longest photo description.
pub const MAX_ALT_TEXT_CHARS: usize = 200;

/// A photo's description (its alt text), spaces tidied.
pub fn parse_alt_text(input: &str) -> Result<String, String> {
    let alt = input.split_whitespace().collect::<Vec<_>>().join(" ");
    if alt.chars().count() > MAX_ALT_TEXT_CHARS {
        return Err("Keep each photo description under 200 characters.".into());
    }
    refuse_control_characters(&alt).map_err(|message| format!("Photo description: {message}"))?;
    Ok(alt)
}

/// Cents as the form writes them: "25" or "25.50" ("-25" for a negative amount, which the
/// price's check then refuses).
pub fn dollars(cents: i64) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    let abs = cents.unsigned_abs();
    if abs.is_multiple_of(100) {
        format!("{sign}{}", abs / 100)
    } else {
        format!("{sign}{}.{:02}", abs / 100, abs % 100)
    }
}

/// An event time as the form writes it.
pub fn local_time(at: chrono::NaiveDateTime) -> String {
    at.format("%Y-%m-%dT%H:%M").to_string()
}

/// The form's values for an existing listing.
pub fn form_of(listing: &Listing, defs: &[AttributeDef]) -> ListingForm {
    let mut form = ListingForm {
        title: listing.title.clone(),
        body: listing.body.clone(),
        price: if listing.is_free {
            "free".into()
        } else {
            listing.price_cents.map(dollars).unwrap_or_default()
        },
        price_max: listing.price_max_cents.map(dollars).unwrap_or_default(),
        price_unit: listing
            .price_unit
            .map(|u| u.as_str().to_owned())
            .unwrap_or_default(),
        starts_at: listing.starts_at.map(local_time).unwrap_or_default(),
        ends_at: listing.ends_at.map(local_time).unwrap_or_default(),
        zip: listing.zip.clone(),
        ..ListingForm::default()
    };
    for def in defs {
        if let Some(value) = listing.attributes.get(&def.key) {
            let text = match value {
                serde_json::Value::Bool(true) => "yes".to_owned(),
                serde_json::Value::Bool(false) => "no".to_owned(),
                serde_json::Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            form.attributes.insert(def.field_name(), text);
        }
    }
    form
}

/// The form read for `category`; its problems go to `errors`.
pub fn parse_draft(
    form: &ListingForm,
    category: &Category,
    errors: &mut FieldErrors,
) -> Option<ListingDraft> {
    match form.parse(
        &category.attribute_defs(),
        category.price_kind,
        category.allows_free,
        Utc::now(),
    ) {
        Ok(draft) => Some(draft),
        Err(form_errors) => {
            errors.merge(form_errors);
            None
        }
    }
}

/// The place of a valid draft's ZIP; an unknown ZIP becomes a field error.
pub async fn locate(
    db: &Db,
    draft: Option<&ListingDraft>,
    errors: &mut FieldErrors,
) -> Result<Option<places::Place>, AppError> {
    let Some(zip) = draft.map(|d| d.zip.clone()) else {
        return Ok(None);
    };
    let place = db.run(move |conn| places::find_place(conn, &zip)).await?;
    if place.is_none() {
        errors.add(
            "zip",
            "We don't know that ZIP code. Check it and try again.",
        );
    }
    Ok(place)
}

/// Why a category takes no new listings, if it does not.
pub fn closed_category(category: &Category) -> Option<String> {
    category.is_retired().then(|| {
        format!(
            "“{}” no longer takes new listings; choose another category.",
            category.name
        )
    })
}

/// Saves a new listing of `me` from a valid draft, with the pending photos `photo_ids` in
/// that order.
pub async fn create(
    db: &Db,
    me: &CurrentUser,
    category: &Category,
    draft: ListingDraft,
    place: places::Place,
    rules: &ListingRules,
    photo_ids: Vec<Uuid>,
) -> Result<Listing, AppError> {
    let expires_at = terms::expiry(
        &draft.terms,
        Utc::now(),
        chrono::Duration::from_std(rules.lifetime).unwrap_or_default(),
    );
    let (owner_id, category_id) = (me.id, category.id);
    let listing = db
        .run(move |conn| {
            queries::create_listing(
                conn,
                &NewListing {
                    owner_id,
                    category_id,
                    title: &draft.title,
                    body: &draft.body,
                    price_cents: draft.price.cents(),
                    is_free: draft.price.is_free(),
                    zip: &place.zip,
                    latitude: place.latitude,
                    longitude: place.longitude,
                    attributes: serde_json::Value::Object(draft.attributes.clone()),
                    expires_at,
                    price_unit: draft.terms.unit,
                    price_max_cents: draft.terms.max_cents,
                    starts_at: draft.terms.starts_at,
                    ends_at: draft.terms.ends_at,
                },
                &photo_ids,
            )
        })
        .await?;
    tracing::info!(listing_id = %listing.id, "listing posted");
    Ok(listing)
}

/// Saves an edit of `listing` from a valid draft and the photo edits; returns the photos it
/// removed (their objects are the caller's to delete).
pub async fn save(
    db: &Db,
    listing: &Listing,
    draft: ListingDraft,
    place: places::Place,
    edits: PhotoEdits,
    max_photos: usize,
) -> Result<Vec<Photo>, AppError> {
    let changed = listing.clone();
    let removed = db
        .run(move |conn| {
            queries::update_listing(
                conn,
                &changed,
                &ListingChanges {
                    title: &draft.title,
                    body: &draft.body,
                    price_cents: draft.price.cents(),
                    is_free: draft.price.is_free(),
                    zip: &place.zip,
                    latitude: place.latitude,
                    longitude: place.longitude,
                    attributes: serde_json::Value::Object(draft.attributes.clone()),
                    price_unit: draft.terms.unit,
                    price_max_cents: draft.terms.max_cents,
                    starts_at: draft.terms.starts_at,
                    ends_at: draft.terms.ends_at,
                    // An event leaves the lists once it is over; anything else keeps its
                    // lifetime.
                    expires_at: if draft.terms.starts_at.is_some() {
                        terms::expiry(&draft.terms, Utc::now(), chrono::Duration::zero())
                    } else {
                        changed.expires_at
                    },
                },
                &edits,
                max_photos,
            )
        })
        .await?;
    Ok(removed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dollars_read_as_the_form_writes_them() {
        assert_eq!(dollars(2500), "25");
        assert_eq!(dollars(2550), "25.50");
        assert_eq!(dollars(5), "0.05");
        assert_eq!(dollars(-150), "-1.50");
        assert_eq!(dollars(i64::MIN), "-92233720368547758.08");
    }
}
