//! Posting a listing: choosing a category, the form, and reading a submitted form (shared
//! with editing).

use actix_multipart::Multipart;
use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use uuid::Uuid;

use super::*;
use crate::db::ids::{ListingId, UserId};
use crate::listings::domain::{ListingDraft, ListingForm};
use crate::listings::models::{Category, Photo, Section};
use crate::listings::photos::{self as listing_photos, PhotoView};
use crate::listings::queries::{self};
use crate::listings::views::{AttributeField, ChooseCategoryPage, ListingFormPage};
use crate::places;
use crate::storage::Storage;
use crate::web::respond::{private_page, redirect, unavailable_form};
use crate::web::session::{self, FlashKind};
use crate::web::upload::{UploadForm, read_upload};
use crate::web::{AppError, AuthUser, Db, FieldErrors, PageContext};

#[derive(Debug, serde::Deserialize)]
pub struct NewListingQuery {
    category: Option<i32>,
}

/// A retired category takes no new listings: back to choosing one, saying why.
fn retired(session: &Session, why: String) -> HttpResponse {
    session::push_flash(session, FlashKind::Info, why);
    redirect("/listings/new")
}

/// `GET /listings/new`: choose a category, then fill in its form.
pub async fn new_listing_form(
    req: HttpRequest,
    ctx: PageContext,
    AuthUser(me): AuthUser,
    db: Db,
    session: Session,
    rules: web::Data<ListingRules>,
    query: web::Query<NewListingQuery>,
) -> Result<HttpResponse, AppError> {
    service::may_post(&db, &me).await?;
    let Some(category_id) = query.category else {
        let tree = db.run(queries::category_tree).await?;
        return Ok(private_page(
            ChooseCategoryPage { ctx, tree },
            StatusCode::OK,
            &req,
        ));
    };
    let (section, category) = db
        .run(move |conn| queries::find_category_by_id(conn, category_id))
        .await?;
    if let Some(why) = service::closed_category(&category) {
        return Ok(retired(&session, why));
    }
    let page = form_page(
        ctx,
        None,
        section,
        category,
        ListingForm::default(),
        FieldErrors::new(),
        Vec::new(),
        rules.max_photos,
    );
    Ok(private_page(page, StatusCode::OK, &req))
}

#[allow(clippy::too_many_arguments)]
pub(super) fn form_page(
    ctx: PageContext,
    listing_id: Option<ListingId>,
    section: Section,
    category: Category,
    form: ListingForm,
    errors: FieldErrors,
    photos: Vec<PhotoView>,
    max_photos: usize,
) -> ListingFormPage {
    let defs = category.attribute_defs();
    let action = match listing_id {
        Some(id) => format!("/listings/{id}/edit"),
        None => format!("/listings/new?category={}", category.id),
    };
    ListingFormPage {
        attributes: AttributeField::build(&defs, &form, &errors),
        ctx,
        listing_id,
        action,
        section,
        category,
        form,
        errors,
        photos,
        max_photos,
    }
}

/// What became of a form's uploads.
struct Accepted {
    photos: Vec<Photo>,
    /// The photo storage is down: the form is re-rendered with 503 (and nothing lost).
    storage_down: bool,
}

/// Stores the uploaded files as pending photos. Problems with files become one field error;
/// a storage outage stops at the first file and says so.
async fn accept_uploads(
    db: &Db,
    storage: &Storage,
    owner_id: UserId,
    upload: &mut UploadForm,
    room: usize,
    errors: &mut FieldErrors,
) -> Result<Accepted, AppError> {
    let mut accepted = Vec::new();
    let mut problems = Vec::new();
    let files: Vec<_> = upload.files.drain(..).collect();
    let offered = files.len() + upload.dropped_files;
    let mut too_many = upload.dropped_files > 0;
    let mut storage_down = false;
    for (i, file) in files.into_iter().enumerate() {
        if accepted.len() >= room {
            too_many = true;
            break;
        }
        match listing_photos::store_upload(db, storage, owner_id, file).await? {
            Ok(photo) => accepted.push(photo),
            Err(err @ listing_photos::Refused::StorageDown) => {
                problems.push(err.to_string());
                storage_down = true;
                break;
            }
            Err(err) if offered == 1 => problems.push(err.to_string()),
            Err(err) => problems.push(format!("Photo {}: {err}", i + 1)),
        }
    }
    if too_many && !storage_down {
        problems.push(format!(
            "Only {room} more photo{} fit; the rest were not added.",
            if room == 1 { "" } else { "s" }
        ));
    }
    if !problems.is_empty() {
        errors.add("photos", problems.join(" "));
    }
    Ok(Accepted {
        photos: accepted,
        storage_down,
    })
}

/// The status of a form re-rendered with errors: 503 (with `Retry-After`) when the photo
/// storage is down, 422 otherwise.
pub(super) fn rerendered(
    page: ListingFormPage,
    storage_down: bool,
    req: &HttpRequest,
) -> HttpResponse {
    if storage_down {
        unavailable_form(page, req)
    } else {
        private_page(page, StatusCode::UNPROCESSABLE_ENTITY, req)
    }
}

/// The ids of the pending uploads the form carries back.
fn pending_ids(upload: &UploadForm) -> Vec<Uuid> {
    upload
        .fields
        .iter()
        .filter(|(k, _)| k == "pending_photo")
        .filter_map(|(_, v)| v.parse().ok())
        .collect()
}

/// `POST /listings/new?category=…` (multipart)
pub async fn create_listing(
    req: HttpRequest,
    ctx: PageContext,
    AuthUser(me): AuthUser,
    db: Db,
    storage: web::Data<Storage>,
    session: Session,
    rules: web::Data<ListingRules>,
    query: web::Query<NewListingQuery>,
    multipart: Multipart,
) -> Result<HttpResponse, AppError> {
    let category_id = query.category.ok_or(AppError::NotFound)?;
    service::may_post(&db, &me).await?;
    let (section, category) = db
        .run(move |conn| queries::find_category_by_id(conn, category_id))
        .await?;
    if let Some(why) = service::closed_category(&category) {
        return Ok(retired(&session, why));
    }
    let mut upload = read_upload(multipart, service::upload_limits(rules.max_photos)).await?;
    let submitted = read_submission(
        &db,
        &storage,
        me.id,
        &category,
        &mut upload,
        0,
        rules.max_photos,
        FieldErrors::new(),
    )
    .await?;
    let photos = submitted.new_photos;
    let (Some(draft), Some(place), true) = (
        submitted.draft,
        submitted.place,
        submitted.errors.is_empty(),
    ) else {
        let views = listing_photos::photo_views(&storage, &photos).await;
        let page = form_page(
            ctx,
            None,
            section,
            category,
            submitted.form,
            submitted.errors,
            views,
            rules.max_photos,
        );
        return Ok(rerendered(page, submitted.storage_down, &req));
    };

    let photo_ids: Vec<Uuid> = photos.iter().map(|p| p.id).collect();
    let listing = service::create(&db, &me, &category, draft, place, &rules, photo_ids).await?;
    session::push_flash(&session, FlashKind::Success, "Your listing is live.");
    Ok(redirect(&listing.path()))
}

/// A submitted listing form, read: the values as typed, the listing they make when valid,
/// the photos it adds, and every problem. Shared by posting and editing.
pub(super) struct Submission {
    pub form: ListingForm,
    pub draft: Option<ListingDraft>,
    pub place: Option<places::Place>,
    /// Pending photos carried over from an earlier try, then those uploaded now.
    pub new_photos: Vec<Photo>,
    pub errors: FieldErrors,
    /// The photo storage is down: re-render with 503, nothing lost.
    pub storage_down: bool,
}

/// Reads the fields and new photos of a listing form for `category`: `already` photos are on
/// the listing (none when posting), so at most `max_photos - already` are added. `errors`
/// may hold problems found before (with the photo controls, say).
#[allow(clippy::too_many_arguments)]
pub(super) async fn read_submission(
    db: &Db,
    storage: &Storage,
    owner_id: UserId,
    category: &Category,
    upload: &mut UploadForm,
    already: usize,
    max_photos: usize,
    mut errors: FieldErrors,
) -> Result<Submission, AppError> {
    let form = ListingForm::from_fields(&upload.fields);
    let draft = service::parse_draft(&form, category, &mut errors);
    // Photos kept from an earlier try, then the new ones, up to the limit.
    let carried = pending_ids(upload);
    let mut new_photos = db
        .run(move |conn| queries::pending_photos(conn, owner_id, &carried))
        .await?;
    // What the form says of the photos kept from an earlier try: removed ones go, the rest
    // take their new order and descriptions.
    let edits = super::edit::photo_edits(upload, &new_photos, &mut errors);
    new_photos.retain(|p| !edits.remove.contains(&p.id));
    new_photos.sort_by_key(|p| {
        edits
            .order
            .iter()
            .position(|id| *id == p.id)
            .unwrap_or(usize::MAX)
    });
    if !edits.alt_texts.is_empty() {
        for photo in &mut new_photos {
            if let Some((_, alt)) = edits.alt_texts.iter().find(|(id, _)| *id == photo.id) {
                photo.alt_text = alt.clone();
            }
        }
        let described = edits.alt_texts.clone();
        db.run(move |conn| queries::describe_pending_photos(conn, owner_id, &described))
            .await?;
    }
    let room = max_photos.saturating_sub(already + new_photos.len());
    let accepted = accept_uploads(db, storage, owner_id, upload, room, &mut errors).await?;
    new_photos.extend(accepted.photos);
    let place = service::locate(db, draft.as_ref(), &mut errors).await?;
    Ok(Submission {
        form,
        draft,
        place,
        new_photos,
        errors,
        storage_down: accepted.storage_down,
    })
}
