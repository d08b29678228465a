//! The listings part of the JSON API: one listing, the category tree with the details each
//! category asks for, and the owner's writes (posting, editing, status, deleting, photos).
//! (Searching is the search feature's `GET /listings`.) The writes run the pages' rules
//! (`service`): the same checks and messages, named as the request names its fields.

use actix_multipart::Multipart;
use actix_web::http::{StatusCode, header};
use actix_web::{HttpResponse, web};
use diesel::OptionalExtension;
use serde::Deserialize;
use serde_json::{Map, Value};
use utoipa::ToSchema;
use uuid::Uuid;

use super::domain::{AttributeDef, AttributeKind, ListingForm};
use super::json::{ListingDetail, PhotoOut, PriceOut, SectionOut};
use super::models::{Listing, Photo};
use super::photos::{self as listing_photos, Refused, photo_views};
use super::queries::{self, CategoryCounts, PhotoEdits};
use super::service::{self, ListingRules};
use crate::db::ids::ListingId;
use crate::places;
use crate::storage::Storage;
use crate::web::bearer::{ApiUser, MaybeApiUser};
use crate::web::json::{ApiJson, json, problem_response, unprocessable};
use crate::web::problem::Problem;
use crate::web::upload::read_upload;
use crate::web::{AppError, CurrentUser, Db, FieldErrors, ReadDb};

/// The signed links of `photos`, as the API shows them.
async fn photo_outs(storage: &Storage, photos: &[Photo]) -> Vec<PhotoOut> {
    photo_views(storage, photos)
        .await
        .into_iter()
        .map(|p| PhotoOut {
            id: p.id,
            display_url: p.display_url,
            thumb_url: p.thumb_url,
            width: p.width,
            height: p.height,
            alt_text: p.alt_text,
        })
        .collect()
}

/// The listing `id` as `me` may see it: anyone one that is up; its owner and admins any
/// (but a deleted one).
async fn detail(
    db: &Db,
    storage: &Storage,
    counts: web::Data<CategoryCounts>,
    id: ListingId,
    me: Option<CurrentUser>,
) -> Result<ListingDetail, AppError> {
    let viewer = me.as_ref().map(|me| me.id);
    let (found, section, category, place) = db
        .run(move |conn| {
            let found =
                queries::find_listing_for_viewer(conn, id, viewer)?.ok_or(AppError::NotFound)?;
            if !(found.listing.is_public() || service::may_manage(me.as_ref(), &found.listing)) {
                return Err(AppError::NotFound);
            }
            let (section, category) = counts.category_by_id(conn, found.listing.category_id)?;
            let place = places::place_of(conn, &found.listing.zip)?;
            Ok((found, section, category, place))
        })
        .await?;
    let listing = &found.listing;
    Ok(ListingDetail {
        id: listing.id.0,
        title: listing.title.clone(),
        body: listing.body.clone(),
        price: PriceOut::new(
            listing.price_cents,
            listing.price_max_cents,
            listing.price_unit,
            listing.is_free,
        ),
        starts_at: listing.starts_at.map(service::local_time),
        ends_at: listing.ends_at.map(service::local_time),
        status: listing
            .effective_status(chrono::Utc::now())
            .as_str()
            .to_owned(),
        section: section.slug,
        category: category.slug,
        attributes: listing.attributes.clone(),
        place: place.as_ref().map(Into::into),
        photos: photo_outs(storage, &found.photos).await,
        seller: found.owner.username.clone(),
        created_at: listing.created_at,
        renewed_at: listing.renewed_at,
        expires_at: listing.expires_at,
        path: listing.path(),
    })
}

/// `GET /api/v1/listings/{id}`
#[utoipa::path(
    get,
    path = "/api/v1/listings/{id}",
    tag = "listings",
    params(("id" = i64, Path, description = "The listing.")),
    security((), ("bearer" = [])),
    responses(
        (status = 200, description = "The listing. Anyone sees a listing that is up; its owner (with a token) sees it in every state.", body = ListingDetail),
        (status = 404, description = "No such listing, or one the caller may not see.", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn get_listing(
    MaybeApiUser(me): MaybeApiUser,
    ReadDb { db, .. }: ReadDb,
    storage: web::Data<Storage>,
    counts: web::Data<CategoryCounts>,
    id: web::Path<ListingId>,
) -> Result<HttpResponse, AppError> {
    let detail = detail(&db, &storage, counts, id.into_inner(), me).await?;
    Ok(json(StatusCode::OK, &detail))
}

/// `GET /api/v1/categories`
#[utoipa::path(
    get,
    path = "/api/v1/categories",
    tag = "listings",
    responses(
        (status = 200, description = "Every section with its categories (retired ones left out) and the details each asks for.", body = Vec<SectionOut>),
    )
)]
pub async fn categories(
    ReadDb { db, .. }: ReadDb,
    counts: web::Data<CategoryCounts>,
) -> Result<HttpResponse, AppError> {
    let tree = db.run(move |conn| counts.tree(conn)).await?;
    let sections: Vec<SectionOut> = tree
        .iter()
        .map(|(section, categories)| SectionOut::new(section, categories))
        .collect();
    Ok(json(StatusCode::OK, &sections))
}

/// A price, as sent: integer cents, or `free` where the category allows it; a range's top
/// and what the price is per where the category asks (see `GET /api/v1/categories`).
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PriceIn {
    #[serde(default)]
    #[schema(minimum = 0, example = 12000)]
    pub cents: Option<i64>,
    /// The top of a pay range.
    #[serde(default)]
    #[schema(minimum = 0)]
    pub max_cents: Option<i64>,
    /// What the price is per: `hour`, `day`, `week`, `month`, `year`, … as the category lists.
    #[serde(default)]
    #[schema(example = "month")]
    pub per: Option<String>,
    #[serde(default)]
    pub free: bool,
    /// `USD`, the site's currency, when given.
    #[serde(default)]
    #[schema(example = "USD")]
    pub currency: Option<String>,
}

/// A listing to post.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewListingIn {
    /// The category (`id` from `GET /api/v1/categories`).
    pub category_id: i32,
    #[schema(min_length = 1, max_length = 100, example = "Trek road bike, 56 cm")]
    pub title: String,
    #[schema(min_length = 1, max_length = 10000)]
    pub body: String,
    #[serde(default)]
    pub price: PriceIn,
    /// An event's start, in the place's local time (`2026-12-05T19:30`, no offset).
    #[serde(default)]
    #[schema(example = "2026-12-05T19:30")]
    pub starts_at: Option<String>,
    /// An event's end, in the place's local time.
    #[serde(default)]
    pub ends_at: Option<String>,
    /// A five-digit US ZIP code: the listing shows its town, never an address.
    #[schema(example = "97201")]
    pub zip: String,
    /// The category's details by `key`: numbers for `int` and `number`, `true`/`false` for
    /// `bool`, one of the `options` for `enum`, text for `text`.
    #[serde(default)]
    #[schema(value_type = Object)]
    pub attributes: Map<String, Value>,
}

/// Changes to a listing: only the fields sent change. `price` replaces the whole price;
/// `attributes` changes the details it names (`null` clears one).
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ListingPatch {
    #[serde(default)]
    #[schema(min_length = 1, max_length = 100)]
    pub title: Option<String>,
    #[serde(default)]
    #[schema(min_length = 1, max_length = 10000)]
    pub body: Option<String>,
    #[serde(default)]
    pub price: Option<PriceIn>,
    /// An event's start (local time); `null` is refused where the category is an event.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    pub starts_at: Option<Option<String>>,
    /// An event's end (local time); `null` clears it.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    pub ends_at: Option<Option<String>>,
    #[serde(default)]
    pub zip: Option<String>,
    #[serde(default)]
    #[schema(value_type = Option<Object>)]
    pub attributes: Option<Map<String, Value>>,
}

/// A field that may be `null`: `Some(None)` when it is, `None` (by `default`) when absent.
fn present<'de, D, T>(deserializer: D) -> Result<Option<Option<T>>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(deserializer).map(Some)
}

/// Writes a sent price into the form, as the pages' form would carry it.
fn write_price(form: &mut ListingForm, price: &PriceIn, errors: &mut FieldErrors) {
    if let Some(currency) = price.currency.as_deref()
        && !currency.eq_ignore_ascii_case(super::json::CURRENCY)
    {
        errors.add("price.currency", "Prices here are in USD.");
    }
    if price.free && price.cents.is_some_and(|c| c != 0) {
        errors.add(
            "price.free",
            "A free listing has no price: leave out cents.",
        );
    }
    form.price = if price.free {
        "free".into()
    } else {
        price.cents.map(service::dollars).unwrap_or_default()
    };
    form.price_max = price.max_cents.map(service::dollars).unwrap_or_default();
    form.price_unit = price.per.clone().unwrap_or_default();
}

/// Writes sent details into the form; a detail the category does not have, or a value of the
/// wrong type, is an error of its own.
fn write_attributes(
    form: &mut ListingForm,
    defs: &[AttributeDef],
    given: &Map<String, Value>,
    errors: &mut FieldErrors,
) {
    for (key, value) in given {
        let field = format!("attributes.{key}");
        let Some(def) = defs.iter().find(|d| d.key == *key) else {
            errors.add(field, "This category has no such detail.");
            continue;
        };
        let text = match (&def.kind, value) {
            (_, Value::Null) => String::new(),
            (AttributeKind::Bool, Value::Bool(yes)) => if *yes { "yes" } else { "no" }.into(),
            (AttributeKind::Int { .. } | AttributeKind::Number { .. }, Value::Number(n)) => {
                n.to_string()
            }
            (AttributeKind::Enum { .. } | AttributeKind::Text { .. }, Value::String(s))
                if !s.trim().is_empty() =>
            {
                s.clone()
            }
            (AttributeKind::Bool, _) => {
                errors.add(field, "Give true or false.");
                continue;
            }
            (AttributeKind::Int { .. } | AttributeKind::Number { .. }, _) => {
                errors.add(field, "Give a number.");
                continue;
            }
            (AttributeKind::Enum { .. }, _) => {
                errors.add(field, "Give one of the options, as text.");
                continue;
            }
            (AttributeKind::Text { .. }, _) => {
                errors.add(field, "Give text, or null to leave it out.");
                continue;
            }
        };
        form.attributes.insert(def.field_name(), text);
    }
}

/// The form's field errors, named as the request names its fields.
fn api_errors(form_errors: FieldErrors, free: bool) -> FieldErrors {
    let mut errors = FieldErrors::new();
    for (field, message) in form_errors.iter() {
        let field = match field {
            "price" if free => "price.free".to_owned(),
            "price" => "price.cents".to_owned(),
            "price_max" => "price.max_cents".to_owned(),
            "price_unit" => "price.per".to_owned(),
            other => match other.strip_prefix("attr_") {
                Some(key) => format!("attributes.{key}"),
                None => other.to_owned(),
            },
        };
        errors.add(field, message);
    }
    errors
}

/// A 409: the listing changed (a moderator hid it, another request deleted it) meanwhile.
fn changed_meanwhile() -> HttpResponse {
    problem_response(&Problem::new(
        StatusCode::CONFLICT,
        Some("The listing changed while this request ran (it was deleted or hidden). Read it again and retry.".into()),
    ))
}

/// `POST /api/v1/listings`
#[utoipa::path(
    post,
    path = "/api/v1/listings",
    tag = "listings",
    security(("bearer" = [])),
    request_body = NewListingIn,
    responses(
        (status = 201, description = "Posted and up at once; `Location` is its address. Add photos with `POST /api/v1/listings/{id}/photos`.", body = ListingDetail,
         headers(("Location" = String, description = "The new listing's API address."))),
        (status = 403, description = "Confirm your e-mail address to post more than two listings.", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Fields to correct, all at once.", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn create_listing(
    ApiUser(me): ApiUser,
    db: Db,
    storage: web::Data<Storage>,
    counts: web::Data<CategoryCounts>,
    rules: web::Data<ListingRules>,
    body: ApiJson<NewListingIn>,
) -> Result<HttpResponse, AppError> {
    service::may_post(&db, &me).await?;
    let input = body.0;
    let category_id = input.category_id;
    let found = db
        .run(move |conn| queries::find_category_by_id(conn, category_id).optional())
        .await?;
    let mut errors = FieldErrors::new();
    let category = match found {
        None => {
            errors.add("category_id", "No such category.");
            None
        }
        Some((_, category)) => match service::closed_category(&category) {
            Some(why) => {
                errors.add("category_id", why);
                None
            }
            None => Some(category),
        },
    };
    let Some(category) = category else {
        return Ok(unprocessable(&errors));
    };
    let defs = category.attribute_defs();
    let mut form = ListingForm {
        title: input.title,
        body: input.body,
        starts_at: input.starts_at.unwrap_or_default(),
        ends_at: input.ends_at.unwrap_or_default(),
        zip: input.zip,
        ..ListingForm::default()
    };
    write_price(&mut form, &input.price, &mut errors);
    write_attributes(&mut form, &defs, &input.attributes, &mut errors);
    let mut form_errors = FieldErrors::new();
    let draft = service::parse_draft(&form, &category, &mut form_errors);
    let place = service::locate(&db, draft.as_ref(), &mut form_errors).await?;
    errors.merge(api_errors(form_errors, input.price.free));
    let (Some(draft), Some(place), true) = (draft, place, errors.is_empty()) else {
        return Ok(unprocessable(&errors));
    };
    let listing = service::create(&db, &me, &category, draft, place, &rules, Vec::new()).await?;
    let detail = detail(&db, &storage, counts, listing.id, Some(me)).await?;
    let mut response = json(StatusCode::CREATED, &detail);
    if let Ok(location) = header::HeaderValue::from_str(&format!("/api/v1/listings/{}", listing.id))
    {
        response.headers_mut().insert(header::LOCATION, location);
    }
    Ok(response)
}

const NOT_YOURS: &str = "Someone else's listing (403 when it is up, 404 when it is not).";

/// `PATCH /api/v1/listings/{id}`
#[utoipa::path(
    patch,
    path = "/api/v1/listings/{id}",
    tag = "listings",
    params(("id" = i64, Path, description = "Your listing.")),
    security(("bearer" = [])),
    request_body = ListingPatch,
    responses(
        (status = 200, description = "Saved.", body = ListingDetail),
        (status = 403, description = NOT_YOURS, body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such listing.", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Fields to correct, all at once.", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn update_listing(
    ApiUser(me): ApiUser,
    db: Db,
    storage: web::Data<Storage>,
    counts: web::Data<CategoryCounts>,
    rules: web::Data<ListingRules>,
    id: web::Path<ListingId>,
    body: ApiJson<ListingPatch>,
) -> Result<HttpResponse, AppError> {
    let listing = service::load_for_change(&db, id.into_inner(), &me).await?;
    let category_id = listing.category_id;
    let (_, category) = db
        .run(move |conn| queries::find_category_by_id(conn, category_id))
        .await?;
    let defs = category.attribute_defs();
    let mut form = service::form_of(&listing, &defs);
    let patch = body.0;
    let mut errors = FieldErrors::new();
    if let Some(title) = patch.title {
        form.title = title;
    }
    if let Some(body) = patch.body {
        form.body = body;
    }
    if let Some(price) = &patch.price {
        write_price(&mut form, price, &mut errors);
    }
    if let Some(starts_at) = patch.starts_at {
        form.starts_at = starts_at.unwrap_or_default();
    }
    if let Some(ends_at) = patch.ends_at {
        form.ends_at = ends_at.unwrap_or_default();
    }
    if let Some(zip) = patch.zip {
        form.zip = zip;
    }
    if let Some(attributes) = &patch.attributes {
        write_attributes(&mut form, &defs, attributes, &mut errors);
    }
    let free = patch.price.as_ref().map_or(listing.is_free, |p| p.free);
    let mut form_errors = FieldErrors::new();
    let draft = service::parse_draft(&form, &category, &mut form_errors);
    let place = service::locate(&db, draft.as_ref(), &mut form_errors).await?;
    errors.merge(api_errors(form_errors, free));
    let (Some(draft), Some(place), true) = (draft, place, errors.is_empty()) else {
        return Ok(unprocessable(&errors));
    };
    service::save(
        &db,
        &listing,
        draft,
        place,
        PhotoEdits::default(),
        rules.max_photos,
    )
    .await?;
    let detail = detail(&db, &storage, counts, listing.id, Some(me)).await?;
    Ok(json(StatusCode::OK, &detail))
}

/// `DELETE /api/v1/listings/{id}`
#[utoipa::path(
    delete,
    path = "/api/v1/listings/{id}",
    tag = "listings",
    params(("id" = i64, Path, description = "Your listing.")),
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Deleted: gone from the site at once; restorable from the site's \"my listings\" page for 30 days."),
        (status = 403, description = "Someone else's listing, or one the moderators hid.", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such listing.", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "It changed meanwhile.", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn delete_listing(
    ApiUser(me): ApiUser,
    db: Db,
    id: web::Path<ListingId>,
) -> Result<HttpResponse, AppError> {
    let listing = service::load_for_change(&db, id.into_inner(), &me).await?;
    service::not_moderated(&listing, "deleted")?;
    let listing_id = listing.id;
    let deleted = db
        .run(move |conn| queries::delete_by_owner(conn, listing_id))
        .await?;
    if !deleted {
        return Ok(changed_meanwhile());
    }
    Ok(HttpResponse::NoContent().finish())
}

/// A status to set.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StatusIn {
    /// `active` (available), `pending` (a sale under way) or `sold`.
    #[schema(example = "sold")]
    pub status: String,
}

/// `POST /api/v1/listings/{id}/status`
#[utoipa::path(
    post,
    path = "/api/v1/listings/{id}/status",
    tag = "listings",
    params(("id" = i64, Path, description = "Your listing.")),
    security(("bearer" = [])),
    request_body = StatusIn,
    responses(
        (status = 200, description = "Changed.", body = ListingDetail),
        (status = 403, description = "Someone else's listing, or one the moderators hid.", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such listing.", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "It changed meanwhile.", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Not a status you can choose.", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn change_status(
    ApiUser(me): ApiUser,
    db: Db,
    storage: web::Data<Storage>,
    counts: web::Data<CategoryCounts>,
    id: web::Path<ListingId>,
    body: ApiJson<StatusIn>,
) -> Result<HttpResponse, AppError> {
    let listing = service::load_for_change(&db, id.into_inner(), &me).await?;
    let Some(status) = service::owner_status(body.0.status.trim()) else {
        let mut errors = FieldErrors::new();
        errors.add("status", "Choose active, pending or sold.");
        return Ok(unprocessable(&errors));
    };
    service::not_moderated(&listing, "changed")?;
    let listing_id = listing.id;
    let changed = db
        .run(move |conn| {
            queries::set_status(
                conn,
                listing_id,
                status,
                &super::models::ListingStatus::OWNER_CHANGEABLE,
            )
        })
        .await?;
    if !changed {
        return Ok(changed_meanwhile());
    }
    let detail = detail(&db, &storage, counts, listing.id, Some(me)).await?;
    Ok(json(StatusCode::OK, &detail))
}

/// The photos of a listing `me` may change, after `load_for_change`.
async fn photos_of(db: &Db, listing: &Listing) -> Result<Vec<Photo>, AppError> {
    let id = listing.id;
    db.run(move |conn| queries::photos_of(conn, id)).await
}

/// Changes the photos of `listing` (under its row lock).
async fn edit_photos(
    db: &Db,
    listing: Listing,
    edits: PhotoEdits,
    max_photos: usize,
) -> Result<queries::EditedPhotos, AppError> {
    db.run(move |conn| queries::edit_photos(conn, &listing, &edits, max_photos))
        .await
}

/// Deletes stored uploads that did not make it onto the listing: rows and objects.
async fn discard_pending(db: &Db, storage: &Storage, me: &CurrentUser, ids: Vec<Uuid>) {
    let owner = me.id;
    match db
        .run(move |conn| queries::delete_pending_photos(conn, owner, &ids))
        .await
    {
        Ok(photos) => {
            listing_photos::delete_objects(storage, &listing_photos::object_keys(&photos)).await;
        }
        // The janitor removes pending photos nobody attached.
        Err(err) => tracing::warn!(error = %err, "cannot discard pending photos"),
    }
}

/// `POST /api/v1/listings/{id}/photos` (multipart)
#[utoipa::path(
    post,
    path = "/api/v1/listings/{id}/photos",
    tag = "listings",
    params(("id" = i64, Path, description = "Your listing.")),
    security(("bearer" = [])),
    request_body(content = PhotoUpload, content_type = "multipart/form-data", description = "One or more `photo` files (JPEG, PNG, WebP, HEIC; at most 15 MB each) and, optionally, an `alt_text` for each in the same order."),
    responses(
        (status = 201, description = "Added at the end; every photo of the listing, in order.", body = Vec<PhotoOut>),
        (status = 403, description = NOT_YOURS, body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such listing.", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "More than the photos' limits allow.", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "No photo, one that is not an image we read, or more than the listing has room for: nothing is added.", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Photos cannot be stored right now: try again later.", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn add_photos(
    ApiUser(me): ApiUser,
    db: Db,
    storage: web::Data<Storage>,
    rules: web::Data<ListingRules>,
    id: web::Path<ListingId>,
    multipart: Multipart,
) -> Result<HttpResponse, AppError> {
    let listing = service::load_for_change(&db, id.into_inner(), &me).await?;
    let mut upload = read_upload(multipart, service::upload_limits(rules.max_photos)).await?;
    let existing = photos_of(&db, &listing).await?;
    let room = rules.max_photos.saturating_sub(existing.len());
    let files: Vec<_> = upload
        .files
        .drain(..)
        .filter(|f| f.field == "photo")
        .collect();
    let mut errors = FieldErrors::new();
    let offered = files.len() + upload.dropped_files;
    if offered == 0 {
        errors.add(
            "photo",
            "Attach one or more photos as multipart fields named photo.",
        );
    } else if offered > room {
        errors.add(
            "photo",
            format!(
                "This listing has room for {room} more photo{} (at most {} in all).",
                if room == 1 { "" } else { "s" },
                rules.max_photos
            ),
        );
    }
    let alt_texts: Vec<String> = upload
        .fields
        .iter()
        .filter(|(name, _)| name == "alt_text")
        .filter_map(|(_, value)| match service::parse_alt_text(value) {
            Ok(alt) => Some(alt),
            Err(message) => {
                errors.add("alt_text", message);
                None
            }
        })
        .collect();
    if !errors.is_empty() {
        return Ok(unprocessable(&errors));
    }
    let mut stored: Vec<Uuid> = Vec::with_capacity(files.len());
    for (i, file) in files.into_iter().enumerate() {
        let refused =
            match listing_photos::store_upload(&db, &storage, listing.owner_id, file).await {
                Ok(Ok(photo)) => {
                    stored.push(photo.id);
                    continue;
                }
                Ok(Err(refused)) => Ok(refused),
                Err(err) => Err(err),
            };
        // Nothing is added unless everything is.
        discard_pending(&db, &storage, &me, stored).await;
        return match refused? {
            Refused::StorageDown => Err(AppError::Unavailable(
                "photo storage refused an upload".into(),
            )),
            refused => {
                errors.add(
                    "photo",
                    if offered == 1 {
                        refused.to_string()
                    } else {
                        format!("Photo {}: {refused}", i + 1)
                    },
                );
                Ok(unprocessable(&errors))
            }
        };
    }
    let owner = listing.owner_id;
    let described: Vec<(Uuid, String)> = stored.iter().copied().zip(alt_texts).collect();
    let add = stored.clone();
    let max_photos = rules.max_photos;
    let edited = db
        .run(move |conn| {
            queries::describe_pending_photos(conn, owner, &described)?;
            queries::edit_photos(
                conn,
                &listing,
                &PhotoEdits {
                    add,
                    ..PhotoEdits::default()
                },
                max_photos,
            )
        })
        .await?;
    if edited.attached < stored.len() {
        // Another request filled the listing meanwhile.
        discard_pending(&db, &storage, &me, stored[edited.attached..].to_vec()).await;
        return Ok(changed_meanwhile());
    }
    Ok(json(
        StatusCode::CREATED,
        &photo_outs(&storage, &edited.photos).await,
    ))
}

/// The multipart form of `POST /api/v1/listings/{id}/photos`.
#[derive(Debug, ToSchema)]
#[allow(dead_code)]
pub struct PhotoUpload {
    /// One or more image files.
    #[schema(value_type = Vec<String>, format = Binary)]
    photo: Vec<Vec<u8>>,
    /// A description of each photo, in the same order.
    #[schema(max_length = 200)]
    alt_text: Option<Vec<String>>,
}

/// `DELETE /api/v1/listings/{id}/photos/{photo_id}`
#[utoipa::path(
    delete,
    path = "/api/v1/listings/{id}/photos/{photo_id}",
    tag = "listings",
    params(
        ("id" = i64, Path, description = "Your listing."),
        ("photo_id" = Uuid, Path, description = "One of its photos."),
    ),
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Removed; the others close up."),
        (status = 403, description = NOT_YOURS, body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such listing, or no such photo of it.", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn delete_photo(
    ApiUser(me): ApiUser,
    db: Db,
    storage: web::Data<Storage>,
    rules: web::Data<ListingRules>,
    path: web::Path<(ListingId, Uuid)>,
) -> Result<HttpResponse, AppError> {
    let (id, photo_id) = path.into_inner();
    let listing = service::load_for_change(&db, id, &me).await?;
    let edited = edit_photos(
        &db,
        listing,
        PhotoEdits {
            remove: vec![photo_id],
            ..PhotoEdits::default()
        },
        rules.max_photos,
    )
    .await?;
    if edited.removed.is_empty() {
        return Err(AppError::NotFound);
    }
    listing_photos::delete_objects(&storage, &listing_photos::object_keys(&edited.removed)).await;
    Ok(HttpResponse::NoContent().finish())
}

/// The photos' new order.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PhotoOrder {
    /// Every photo of the listing, once each, first photo first.
    pub photo_ids: Vec<Uuid>,
}

/// `PUT /api/v1/listings/{id}/photos/order`
#[utoipa::path(
    put,
    path = "/api/v1/listings/{id}/photos/order",
    tag = "listings",
    params(("id" = i64, Path, description = "Your listing.")),
    security(("bearer" = [])),
    request_body = PhotoOrder,
    responses(
        (status = 200, description = "Reordered; every photo of the listing, in order (the first is the one lists show).", body = Vec<PhotoOut>),
        (status = 403, description = NOT_YOURS, body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such listing.", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Not each of the listing's photos once.", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn order_photos(
    ApiUser(me): ApiUser,
    db: Db,
    storage: web::Data<Storage>,
    rules: web::Data<ListingRules>,
    id: web::Path<ListingId>,
    body: ApiJson<PhotoOrder>,
) -> Result<HttpResponse, AppError> {
    let listing = service::load_for_change(&db, id.into_inner(), &me).await?;
    let existing = photos_of(&db, &listing).await?;
    let order = body.0.photo_ids;
    let mut sorted = order.clone();
    sorted.sort();
    sorted.dedup();
    let mut current: Vec<Uuid> = existing.iter().map(|p| p.id).collect();
    current.sort();
    if sorted.len() != order.len() || sorted != current {
        let mut errors = FieldErrors::new();
        errors.add(
            "photo_ids",
            format!(
                "List each of the listing's {} photos once (GET /api/v1/listings/{} has their ids).",
                existing.len(),
                listing.id
            ),
        );
        return Ok(unprocessable(&errors));
    }
    let edited = edit_photos(
        &db,
        listing,
        PhotoEdits {
            order,
            ..PhotoEdits::default()
        },
        rules.max_photos,
    )
    .await?;
    Ok(json(
        StatusCode::OK,
        &photo_outs(&storage, &edited.photos).await,
    ))
}

/// A photo's description.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PhotoPatch {
    /// What the photo shows, for people who cannot see it (at most 200 characters).
    #[schema(max_length = 200, example = "The bike from the left, on a stand")]
    pub alt_text: String,
}

/// `PATCH /api/v1/listings/{id}/photos/{photo_id}`
#[utoipa::path(
    patch,
    path = "/api/v1/listings/{id}/photos/{photo_id}",
    tag = "listings",
    params(
        ("id" = i64, Path, description = "Your listing."),
        ("photo_id" = Uuid, Path, description = "One of its photos."),
    ),
    security(("bearer" = [])),
    request_body = PhotoPatch,
    responses(
        (status = 200, description = "Described.", body = PhotoOut),
        (status = 403, description = NOT_YOURS, body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such listing, or no such photo of it.", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Too long, or control characters.", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn describe_photo(
    ApiUser(me): ApiUser,
    db: Db,
    storage: web::Data<Storage>,
    rules: web::Data<ListingRules>,
    path: web::Path<(ListingId, Uuid)>,
    body: ApiJson<PhotoPatch>,
) -> Result<HttpResponse, AppError> {
    let (id, photo_id) = path.into_inner();
    let listing = service::load_for_change(&db, id, &me).await?;
    let alt = match service::parse_alt_text(&body.0.alt_text) {
        Ok(alt) => alt,
        Err(message) => {
            let mut errors = FieldErrors::new();
            errors.add("alt_text", message);
            return Ok(unprocessable(&errors));
        }
    };
    let edited = edit_photos(
        &db,
        listing,
        PhotoEdits {
            alt_texts: vec![(photo_id, alt)],
            ..PhotoEdits::default()
        },
        rules.max_photos,
    )
    .await?;
    let photo = edited
        .photos
        .into_iter()
        .find(|p| p.id == photo_id)
        .ok_or(AppError::NotFound)?;
    let out = photo_outs(&storage, std::slice::from_ref(&photo))
        .await
        .pop()
        .ok_or_else(|| AppError::Unavailable("cannot sign a photo's links".into()))?;
    Ok(json(StatusCode::OK, &out))
}
