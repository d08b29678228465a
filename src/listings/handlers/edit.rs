//! Editing a listing: its text, details and photos.

use actix_multipart::Multipart;
use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use uuid::Uuid;

use super::post::{form_page, read_submission, rerendered};
use super::*;
use crate::db::ids::ListingId;
use crate::listings::models::{Category, Listing, Photo, Section};
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
    let form = service::form_of(&listing, &category.attribute_defs());
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
    let mut upload = read_upload(multipart, service::upload_limits(rules.max_photos)).await?;
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
    let removed = service::save(&db, &listing, draft, place, edits, rules.max_photos).await?;
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
            match service::parse_alt_text(value) {
                Ok(alt) => edits.alt_texts.push((id, alt)),
                Err(message) => errors.add("photos", message),
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
