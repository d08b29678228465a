//! Editing a listing: its text, details and photos.

use actix_multipart::Multipart;
use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use uuid::Uuid;

use super::post::{form_page, listing_limits, read_submission, rerendered};
use super::*;
use crate::db::ids::ListingId;
use crate::listings::domain::{AttributeDef, ListingForm};
use crate::listings::models::{Category, Listing, ListingChanges, Photo, Section};
use crate::listings::photos::{self as listing_photos};
use crate::listings::queries::{self, PhotoEdits};
use crate::storage::Storage;
use crate::web::respond::{private_page, redirect};
use crate::web::session::{self, FlashKind};
use crate::web::upload::{UploadForm, read_upload};
use crate::web::{AppError, AuthUser, CurrentUser, Db, FieldErrors, PageContext};

/// What the edit form needs: the listing (if `me` may change it), its photos and category.
async fn load_for_edit(
    db: &Db,
    id: ListingId,
    me: &CurrentUser,
) -> Result<(Listing, Vec<Photo>, Section, Category), AppError> {
    let listing = load_for_change(db, id, me).await?;
    let (listing_id, category_id) = (listing.id, listing.category_id);
    let (photos, (section, category)) = db
        .run(move |conn| {
            Ok::<_, AppError>((
                queries::photos_of(conn, listing_id)?,
                queries::find_category_by_id(conn, category_id)?,
            ))
        })
        .await?;
    Ok((listing, photos, section, category))
}

/// Cents as the form writes them: "25" or "25.50".
fn dollars(cents: i64) -> String {
    if cents % 100 == 0 {
        (cents / 100).to_string()
    } else {
        format!("{}.{:02}", cents / 100, cents % 100)
    }
}

/// The form's values for an existing listing.
fn form_of(listing: &Listing, defs: &[AttributeDef]) -> ListingForm {
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
        starts_at: listing
            .starts_at
            .map(|at| at.format("%Y-%m-%dT%H:%M").to_string())
            .unwrap_or_default(),
        ends_at: listing
            .ends_at
            .map(|at| at.format("%Y-%m-%dT%H:%M").to_string())
            .unwrap_or_default(),
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

/// `GET /listings/{id}/edit`
pub async fn edit_listing_form(
    req: HttpRequest,
    ctx: PageContext,
    AuthUser(me): AuthUser,
    db: Db,
    storage: web::Data<Storage>,
    rules: web::Data<ListingRules>,
    id: web::Path<ListingId>,
) -> Result<HttpResponse, AppError> {
    let (listing, photos, section, category) = load_for_edit(&db, id.into_inner(), &me).await?;
    let form = form_of(&listing, &category.attribute_defs());
    let views = listing_photos::photo_views(&storage, &photos).await;
    let page = form_page(
        ctx,
        Some(listing.id),
        section,
        category,
        form,
        FieldErrors::new(),
        views,
        rules.max_photos,
    );
    Ok(private_page(page, StatusCode::OK, &req))
}

/// `POST /listings/{id}/edit` (multipart): text, attributes, and the photos (remove,
/// reorder, alt text, add).
pub async fn update_listing(
    req: HttpRequest,
    ctx: PageContext,
    AuthUser(me): AuthUser,
    db: Db,
    storage: web::Data<Storage>,
    session: Session,
    rules: web::Data<ListingRules>,
    id: web::Path<ListingId>,
    multipart: Multipart,
) -> Result<HttpResponse, AppError> {
    let (listing, existing, section, category) = load_for_edit(&db, id.into_inner(), &me).await?;
    let mut upload = read_upload(multipart, listing_limits(rules.max_photos)).await?;
    let mut errors = FieldErrors::new();
    let mut edits = photo_edits(&upload, &existing, &mut errors);
    let kept = existing
        .iter()
        .filter(|p| !edits.remove.contains(&p.id))
        .count();
    let submitted = read_submission(
        &db,
        &storage,
        listing.owner_id,
        &category,
        &mut upload,
        kept,
        rules.max_photos,
        errors,
    )
    .await?;
    let added = submitted.new_photos;
    let (Some(draft), Some(place), true) = (
        submitted.draft,
        submitted.place,
        submitted.errors.is_empty(),
    ) else {
        let mut shown: Vec<Photo> = existing
            .iter()
            .filter(|p| !edits.remove.contains(&p.id))
            .cloned()
            .collect();
        shown.extend(added.iter().cloned());
        let views = listing_photos::photo_views(&storage, &shown).await;
        let page = form_page(
            ctx,
            Some(listing.id),
            section,
            category,
            submitted.form,
            submitted.errors,
            views,
            rules.max_photos,
        );
        return Ok(rerendered(page, submitted.storage_down, &req));
    };
    edits.add = added.iter().map(|p| p.id).collect();
    let new_path = format!(
        "/listings/{}/{}",
        listing.id,
        crate::listings::domain::slugify(&draft.title)
    );
    let changed = listing.clone();
    let max_photos = rules.max_photos;
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
                        crate::listings::terms::expiry(
                            &draft.terms,
                            Utc::now(),
                            chrono::Duration::zero(),
                        )
                    } else {
                        changed.expires_at
                    },
                },
                &edits,
                max_photos,
            )
        })
        .await?;
    listing_photos::delete_objects(&storage, &listing_photos::object_keys(&removed)).await;
    session::push_flash(&session, FlashKind::Success, "Listing saved.");
    Ok(redirect(&new_path))
}

/// Reads the photo controls of the edit form: `remove_photo`, `photo_order`, `alt_<id>`.
pub(super) fn photo_edits(
    upload: &UploadForm,
    existing: &[Photo],
    errors: &mut FieldErrors,
) -> PhotoEdits {
    let known = |id: &Uuid| existing.iter().any(|p| p.id == *id);
    let mut edits = PhotoEdits::default();
    for (name, value) in &upload.fields {
        if name == "remove_photo" {
            // Each photo once, however often the form names it.
            if let Ok(id) = value.parse::<Uuid>()
                && known(&id)
                && !edits.remove.contains(&id)
            {
                edits.remove.push(id);
            }
        } else if name == "photo_order" {
            edits.order = value
                .split(',')
                .filter_map(|v| v.trim().parse::<Uuid>().ok())
                .filter(known)
                .collect();
        } else if let Some(id) = name.strip_prefix("alt_") {
            let Ok(id) = id.parse::<Uuid>() else { continue };
            if !known(&id) {
                continue;
            }
            let alt = value.split_whitespace().collect::<Vec<_>>().join(" ");
            if alt.chars().count() > 200 {
                errors.add(
                    "photos",
                    "Keep each photo description under 200 characters.",
                );
            } else if let Err(message) = crate::web::text::refuse_control_characters(&alt) {
                errors.add("photos", format!("Photo description: {message}"));
            } else {
                edits.alt_texts.push((id, alt));
            }
        }
    }
    // Positions typed into the form (position_<id> = 1, 2, …) order the photos when given.
    let mut positions: Vec<(u32, Uuid)> = upload
        .fields
        .iter()
        .filter_map(|(name, value)| {
            let id = name.strip_prefix("position_")?.parse::<Uuid>().ok()?;
            let pos = value.trim().parse::<u32>().ok()?;
            known(&id).then_some((pos, id))
        })
        .collect();
    if !positions.is_empty() {
        positions.sort();
        edits.order = positions.into_iter().map(|(_, id)| id).collect();
    }
    edits
}
