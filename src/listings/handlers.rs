//! Listing pages: post, show, edit, manage, and browse by section and category.

use std::time::Duration;

use actix_multipart::Multipart;
use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, Responder, web};
use chrono::Utc;
use uuid::Uuid;

use super::domain::{AttributeDef, ListingDraft, ListingForm, body_parts, format_price};
use super::models::{Category, Listing, ListingChanges, ListingStatus, NewListing, Photo, Section};
use super::photos::{self as listing_photos, PhotoView};
use super::queries::{self, Cursor, ListingCard, PhotoEdits, Scope};
use super::views::{
    AttributeField, AttributeRow, BrowsePage, CardView, CategoryLink, ChooseCategoryPage,
    ListingFormPage, ListingPage, SectionTree,
};
use crate::accounts::queries as accounts;
use crate::photos::MAX_FILE_BYTES;
use crate::places;
use crate::storage::Storage;
use crate::web::confirm::ConfirmPage;
use crate::web::respond::{private_page, redirect, unavailable_form};
use crate::web::session::{self, FlashKind};
use crate::web::time::{ago, exact};
use crate::web::upload::{UploadForm, UploadLimits, read_upload};
use crate::web::{AppError, AuthUser, CurrentUser, Db, FieldErrors, PageContext};

/// Listing rules, registered as app data.
#[derive(Debug, Clone, Copy)]
pub struct ListingRules {
    pub lifetime: Duration,
    pub max_photos: usize,
}

/// Listings a member may have before confirming their e-mail address.
pub const UNVERIFIED_LISTING_LIMIT: i64 = 2;

/// Refuses a new listing to a member with an unconfirmed address who already has
/// [`UNVERIFIED_LISTING_LIMIT`].
async fn may_post(db: &Db, me: &CurrentUser) -> Result<(), AppError> {
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

/// A listing may be renewed this long after it was posted or last renewed.
pub const RENEW_AFTER: Duration = Duration::from_secs(48 * 3600);
/// Listings per page in lists.
const PAGE_SIZE: i64 = 25;

// ---------------------------------------------------------------------------------------------
// Browse

/// Cards for a page, with signed thumbnail URLs.
pub async fn card_views(storage: &Storage, cards: &[ListingCard]) -> Vec<CardView> {
    let now = Utc::now();
    let mut views = Vec::with_capacity(cards.len());
    for card in cards {
        views.push(CardView {
            path: format!(
                "/listings/{}/{}",
                card.id,
                super::domain::slugify(&card.title)
            ),
            title: card.title.clone(),
            price: price_label(card.price_cents, card.is_free),
            place: crate::places::label_of(&card.zip),
            thumb_url: listing_photos::thumb_url(storage, card.thumb_key.as_deref()).await,
            photo_count: card.photo_count,
            posted: ago(card.renewed_at, now),
            posted_exact: exact(card.renewed_at),
            pending: card.status == "pending",
        });
    }
    views
}

fn price_label(cents: Option<i64>, is_free: bool) -> Option<String> {
    if is_free {
        Some("Free".into())
    } else {
        cents.map(format_price)
    }
}

/// The category tree with public counts, for the front page and section pages.
pub fn section_trees(
    tree: Vec<(Section, Vec<Category>)>,
    counts: &std::collections::HashMap<i32, i64>,
) -> Vec<SectionTree> {
    tree.into_iter()
        .map(|(section, cats)| SectionTree {
            categories: cats
                .into_iter()
                .map(|c| CategoryLink {
                    section_slug: section.slug.clone(),
                    count: counts.get(&c.id).copied().unwrap_or(0),
                    slug: c.slug,
                    name: c.name,
                })
                .collect(),
            slug: section.slug,
            name: section.name,
        })
        .collect()
}

#[derive(Debug, serde::Deserialize)]
pub struct PageQuery {
    #[serde(default)]
    after: String,
}

/// `GET /c/{section}`
pub async fn show_section(
    ctx: PageContext,
    db: Db,
    storage: web::Data<Storage>,
    counts: web::Data<queries::CategoryCounts>,
    slug: web::Path<String>,
    query: web::Query<PageQuery>,
) -> Result<BrowsePage, AppError> {
    browse(
        ctx,
        db,
        &storage,
        counts,
        slug.into_inner(),
        None,
        &query.after,
    )
    .await
}

/// `GET /c/{section}/{category}`
pub async fn show_category(
    ctx: PageContext,
    db: Db,
    storage: web::Data<Storage>,
    counts: web::Data<queries::CategoryCounts>,
    path: web::Path<(String, String)>,
    query: web::Query<PageQuery>,
) -> Result<BrowsePage, AppError> {
    let (section, category) = path.into_inner();
    browse(
        ctx,
        db,
        &storage,
        counts,
        section,
        Some(category),
        &query.after,
    )
    .await
}

async fn browse(
    ctx: PageContext,
    db: Db,
    storage: &Storage,
    counts: web::Data<queries::CategoryCounts>,
    section_slug: String,
    category_slug: Option<String>,
    after: &str,
) -> Result<BrowsePage, AppError> {
    let after = match after {
        "" => None,
        token => Some(Cursor::decode(token).ok_or_else(|| {
            AppError::BadRequest("That page link is not valid. Start from the first page.".into())
        })?),
    };
    let (section, category, mut cards, links) = db
        .run(move |conn| {
            let (section, category) = match &category_slug {
                Some(slug) => {
                    let (s, c) = queries::find_category(conn, &section_slug, slug)?
                        .ok_or(AppError::NotFound)?;
                    (s, Some(c))
                }
                None => (
                    queries::find_section(conn, &section_slug)?.ok_or(AppError::NotFound)?,
                    None,
                ),
            };
            let scope = match &category {
                Some(c) => Scope::Category(c.id),
                None => Scope::Section(section.id),
            };
            let cards = queries::public_listings(conn, scope, after, PAGE_SIZE + 1)?;
            let tally = counts.get(conn)?;
            let tree = counts
                .tree(conn)?
                .into_iter()
                .filter(|(s, _)| s.id == section.id)
                .collect();
            let links = section_trees(tree, &tally)
                .pop()
                .map(|t| t.categories)
                .unwrap_or_default();
            Ok::<_, AppError>((section, category, cards, links))
        })
        .await?;
    let next_page = if cards.len() as i64 > PAGE_SIZE {
        cards.truncate(PAGE_SIZE as usize);
        cards
            .last()
            .map(|c| format!("?after={}", c.cursor().encode()))
    } else {
        None
    };
    Ok(BrowsePage {
        ctx,
        section,
        category,
        categories: links,
        cards: card_views(storage, &cards).await,
        next_page,
        first_page: after.is_none(),
    })
}

// ---------------------------------------------------------------------------------------------
// Post

#[derive(Debug, serde::Deserialize)]
pub struct NewListingQuery {
    category: Option<i32>,
}

/// `GET /listings/new`: choose a category, then fill in its form.
pub async fn new_listing_form(
    req: HttpRequest,
    ctx: PageContext,
    AuthUser(me): AuthUser,
    db: Db,
    rules: web::Data<ListingRules>,
    query: web::Query<NewListingQuery>,
) -> Result<HttpResponse, AppError> {
    may_post(&db, &me).await?;
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
fn form_page(
    ctx: PageContext,
    listing_id: Option<i64>,
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

/// Upload limits of the listing form: up to `max_photos` photos plus text fields.
fn listing_limits(max_photos: usize) -> UploadLimits {
    UploadLimits {
        max_file_bytes: MAX_FILE_BYTES,
        max_files: max_photos,
        max_text_bytes: 64 * 1024,
        max_parts: max_photos + 200,
        max_total_bytes: MAX_FILE_BYTES * max_photos as u64 + 1024 * 1024,
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
    owner_id: i64,
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
fn rerendered(page: ListingFormPage, storage_down: bool, req: &HttpRequest) -> HttpResponse {
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

/// The place of a valid draft's ZIP; an unknown ZIP becomes a field error.
async fn locate(
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
    may_post(&db, &me).await?;
    let (section, category) = db
        .run(move |conn| queries::find_category_by_id(conn, category_id))
        .await?;
    let mut upload = read_upload(multipart, listing_limits(rules.max_photos)).await?;
    let form = ListingForm::from_fields(&upload.fields);
    let defs = category.attribute_defs();
    let mut errors = FieldErrors::new();
    let draft = parse_draft(&form, &defs, category.allows_free, &mut errors);

    // Photos kept from an earlier try, then the new ones, up to the limit.
    let carried = pending_ids(&upload);
    let owner = me.id;
    let mut photos = db
        .run(move |conn| queries::pending_photos(conn, owner, &carried))
        .await?;
    let room = rules.max_photos.saturating_sub(photos.len());
    let accepted = accept_uploads(&db, &storage, me.id, &mut upload, room, &mut errors).await?;
    photos.extend(accepted.photos);

    let place = locate(&db, draft.as_ref(), &mut errors).await?;
    let (Some(draft), Some(place), true) = (draft, place, errors.is_empty()) else {
        let views = listing_photos::photo_views(&storage, &photos).await;
        let page = form_page(
            ctx,
            None,
            section,
            category,
            form,
            errors,
            views,
            rules.max_photos,
        );
        return Ok(rerendered(page, accepted.storage_down, &req));
    };

    let expires_at = Utc::now() + chrono::Duration::from_std(rules.lifetime).unwrap_or_default();
    let photo_ids: Vec<Uuid> = photos.iter().map(|p| p.id).collect();
    let listing = db
        .run(move |conn| {
            queries::create_listing(
                conn,
                &NewListing {
                    owner_id: me.id,
                    category_id: category.id,
                    title: &draft.title,
                    body: &draft.body,
                    price_cents: draft.price.cents(),
                    is_free: draft.price.is_free(),
                    zip: &place.zip,
                    latitude: place.latitude,
                    longitude: place.longitude,
                    attributes: serde_json::Value::Object(draft.attributes.clone()),
                    expires_at,
                },
                &photo_ids,
            )
        })
        .await?;
    tracing::info!(
        listing_id = listing.id,
        photos = photos.len(),
        "listing posted"
    );
    session::push_flash(&session, FlashKind::Success, "Your listing is live.");
    Ok(redirect(&listing.path()))
}

fn parse_draft(
    form: &ListingForm,
    defs: &[AttributeDef],
    allows_free: bool,
    errors: &mut FieldErrors,
) -> Option<ListingDraft> {
    match form.parse(defs, allows_free) {
        Ok(draft) => Some(draft),
        Err(form_errors) => {
            errors.merge(form_errors);
            None
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Show

/// `GET /listings/{id}`: to the page with its slug, for whoever may see it. A listing the
/// visitor may not see is a 404 like one that never existed: no redirect that would give
/// its title away.
pub async fn listing_by_id(
    ctx: PageContext,
    db: Db,
    id: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let listing = db
        .run(move |conn| queries::find_listing(conn, id))
        .await?
        .filter(|listing| may_see(ctx.user.as_ref(), listing))
        .ok_or(AppError::NotFound)?;
    Ok(HttpResponse::MovedPermanently()
        .insert_header((header::LOCATION, listing.path()))
        .finish())
}

/// Whether `me` may open a listing's page: anyone a public one, its owner and admins any.
fn may_see(me: Option<&CurrentUser>, listing: &Listing) -> bool {
    listing.is_public() || may_manage(me, listing)
}

/// Whether `me` may see a listing that the public may not.
fn may_manage(me: Option<&CurrentUser>, listing: &Listing) -> bool {
    me.is_some_and(|me| me.id == listing.owner_id || me.is_admin())
}

/// `GET /listings/{id}/{slug}`
pub async fn show_listing(
    req: HttpRequest,
    ctx: PageContext,
    db: Db,
    storage: web::Data<Storage>,
    path: web::Path<(i64, String)>,
) -> Result<HttpResponse, AppError> {
    let (id, slug) = path.into_inner();
    let viewer = ctx.user.as_ref().map(|u| u.id);
    let (listing, photos, section, category, place, seller, favorite) = db
        .run(move |conn| {
            let listing = queries::find_listing(conn, id)?.ok_or(AppError::NotFound)?;
            let photos = queries::photos_of(conn, id)?;
            let (section, category) = queries::find_category_by_id(conn, listing.category_id)?;
            let place = places::find_place(conn, &listing.zip)?.ok_or(AppError::NotFound)?;
            let seller = accounts::find_user(conn, listing.owner_id)?;
            let favorite = match viewer {
                Some(me) if me != listing.owner_id => {
                    Some(crate::saved::queries::is_favorite(conn, me, id)?)
                }
                _ => None,
            };
            Ok::<_, AppError>((listing, photos, section, category, place, seller, favorite))
        })
        .await?;
    let is_owner = ctx
        .user
        .as_ref()
        .is_some_and(|me| me.id == listing.owner_id);
    if !may_see(ctx.user.as_ref(), &listing) {
        return Err(AppError::NotFound);
    }
    let canonical = listing.path();
    if canonical != format!("/listings/{id}/{slug}") {
        return Ok(HttpResponse::MovedPermanently()
            .insert_header((header::LOCATION, canonical))
            .finish());
    }
    let now = Utc::now();
    let defs = category.attribute_defs();
    let attributes = defs
        .iter()
        .filter_map(|def| {
            listing.attributes.get(&def.key).map(|value| AttributeRow {
                label: def.label.clone(),
                value: def.display(value),
            })
        })
        .collect();
    let stored = photos;
    let photos = listing_photos::photo_views(&storage, &stored).await;
    let renew_at = listing.renewed_at + chrono::Duration::from_std(RENEW_AFTER).unwrap_or_default();
    let renewable = is_owner && queries::RENEWABLE.contains(&listing.status());
    let absolute = |url: &str| {
        if url.starts_with('/') {
            format!("{}{url}", ctx.site.public_url)
        } else {
            url.to_owned()
        }
    };
    let summary: String = listing.body.chars().take(200).collect();
    let page = ListingPage {
        id,
        path: canonical.clone(),
        absolute_url: absolute(&canonical),
        // Metadata others keep (link previews, search engines) gets the stable address.
        image_url: listing
            .is_public()
            .then(|| stored.first())
            .flatten()
            .map(|p| absolute(&public_photo_path(p.id, PhotoVariant::Display))),
        title: listing.title.clone(),
        body: body_parts(&listing.body),
        summary,
        price: price_label(listing.price_cents, listing.is_free),
        price_number: if listing.is_free {
            Some("0".into())
        } else {
            listing
                .price_cents
                .map(|c| format!("{}.{:02}", c / 100, c % 100))
        },
        attributes,
        place: place.label(),
        posted: ago(listing.created_at, now),
        posted_exact: exact(listing.created_at),
        posted_iso: listing.created_at.to_rfc3339(),
        updated: (listing.updated_at - listing.created_at > chrono::Duration::minutes(1))
            .then(|| ago(listing.updated_at, now)),
        updated_exact: exact(listing.updated_at),
        seller_name: seller.shown_name().to_owned(),
        seller_username: seller.username.clone(),
        status: listing.effective_status(now).as_str(),
        photos,
        can_renew: renewable && renew_at <= now,
        renew_after: (renewable && renew_at > now).then(|| ago_future(renew_at, now)),
        can_restore: is_owner
            && listing.status() == ListingStatus::Deleted
            && listing.deleted_at.is_some_and(|at| {
                now - at < chrono::Duration::from_std(queries::RESTORE_WITHIN).unwrap_or_default()
            }),
        moderated: listing.status().is_moderated(),
        is_owner,
        favorite,
        section,
        category,
        ctx,
    };
    Ok(page.respond_to(&req).map_into_boxed_body())
}

fn ago_future(when: chrono::DateTime<Utc>, now: chrono::DateTime<Utc>) -> String {
    let hours = ((when - now).num_seconds().max(1) + 3599) / 3600;
    if hours <= 48 {
        format!("in {hours} hour{}", if hours == 1 { "" } else { "s" })
    } else {
        format!("in {} days", hours / 24)
    }
}

/// The stable address of a photo of a public listing: for link previews, feeds and search
/// engines, which keep a URL far longer than a signed one lives.
pub fn public_photo_path(photo_id: Uuid, variant: PhotoVariant) -> String {
    format!("/photos/{photo_id}/{}.jpg", variant.as_str())
}

/// Which derivative of a photo.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PhotoVariant {
    Display,
    Thumb,
}

impl PhotoVariant {
    fn as_str(self) -> &'static str {
        match self {
            Self::Display => "display",
            Self::Thumb => "thumb",
        }
    }
}

/// How long browsers and caches may keep a public photo (its bytes never change; a day
/// bounds how long one outlives its listing going private).
const PUBLIC_PHOTO_MAX_AGE: u64 = 86_400;

/// `GET /photos/{photo_id}/{variant}.jpg`: a derivative of a public listing's photo, at a
/// URL that does not expire. Local photos are streamed with a long cache lifetime; S3 ones
/// redirect to a fresh presigned URL. Photos of listings nobody may see are 404, and the
/// uploaded originals were never kept.
pub async fn show_public_photo(
    db: Db,
    storage: web::Data<Storage>,
    path: web::Path<(Uuid, PhotoVariant)>,
) -> Result<HttpResponse, AppError> {
    let (photo_id, variant) = path.into_inner();
    let photo = db
        .run(move |conn| queries::public_photo(conn, photo_id))
        .await?
        .ok_or(AppError::NotFound)?;
    let key = crate::storage::ObjectKey::parse(match variant {
        PhotoVariant::Display => &photo.display_key,
        PhotoVariant::Thumb => &photo.thumb_key,
    })?;
    match storage.get_ref() {
        Storage::Local(store) => {
            crate::web::media::stream_local(
                store,
                &key,
                &format!("public, max-age={PUBLIC_PHOTO_MAX_AGE}"),
            )
            .await
        }
        Storage::S3(_) => {
            let url = storage.signed_url(&key).await?;
            Ok(HttpResponse::Found()
                .insert_header((header::LOCATION, url))
                .insert_header((header::CACHE_CONTROL, "public, max-age=300"))
                .finish())
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Manage

/// The listing, if `me` may change it: strangers get 403 for a public listing, 404 otherwise.
async fn load_for_change(db: &Db, id: i64, me: &CurrentUser) -> Result<Listing, AppError> {
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

/// What the edit form needs: the listing (if `me` may change it), its photos and category.
async fn load_for_edit(
    db: &Db,
    id: i64,
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

/// The form's values for an existing listing.
fn form_of(listing: &Listing, defs: &[AttributeDef]) -> ListingForm {
    let mut form = ListingForm {
        title: listing.title.clone(),
        body: listing.body.clone(),
        price: if listing.is_free {
            "free".into()
        } else {
            listing
                .price_cents
                .map(|c| {
                    if c % 100 == 0 {
                        (c / 100).to_string()
                    } else {
                        format!("{}.{:02}", c / 100, c % 100)
                    }
                })
                .unwrap_or_default()
        },
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
    id: web::Path<i64>,
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
    id: web::Path<i64>,
    multipart: Multipart,
) -> Result<HttpResponse, AppError> {
    let (listing, existing, section, category) = load_for_edit(&db, id.into_inner(), &me).await?;
    let mut upload = read_upload(multipart, listing_limits(rules.max_photos)).await?;
    let form = ListingForm::from_fields(&upload.fields);
    let defs = category.attribute_defs();
    let mut errors = FieldErrors::new();
    let draft = parse_draft(&form, &defs, category.allows_free, &mut errors);

    let mut edits = photo_edits(&upload, &existing, &mut errors);
    let kept = existing
        .iter()
        .filter(|p| !edits.remove.contains(&p.id))
        .count();
    let carried = pending_ids(&upload);
    let owner = listing.owner_id;
    let mut added = db
        .run(move |conn| queries::pending_photos(conn, owner, &carried))
        .await?;
    let room = rules.max_photos.saturating_sub(kept + added.len());
    let accepted = accept_uploads(&db, &storage, owner, &mut upload, room, &mut errors).await?;
    added.extend(accepted.photos);

    let place = locate(&db, draft.as_ref(), &mut errors).await?;
    let (Some(draft), Some(place), true) = (draft, place, errors.is_empty()) else {
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
            form,
            errors,
            views,
            rules.max_photos,
        );
        return Ok(rerendered(page, accepted.storage_down, &req));
    };
    edits.add = added.iter().map(|p| p.id).collect();
    let new_path = format!(
        "/listings/{}/{}",
        listing.id,
        super::domain::slugify(&draft.title)
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
fn photo_edits(upload: &UploadForm, existing: &[Photo], errors: &mut FieldErrors) -> PhotoEdits {
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

#[derive(Debug, serde::Deserialize)]
pub struct StatusForm {
    #[serde(default)]
    status: String,
}

/// Refuses owner actions on a listing the moderators hid: only they bring it back.
fn not_moderated(listing: &Listing, what: &str) -> Result<(), AppError> {
    if listing.status().is_moderated() {
        return Err(AppError::Forbidden(Some(format!(
            "This listing was hidden by the moderators, so it can't be {what} until they review it."
        ))));
    }
    Ok(())
}

/// The answer when a listing changed under the owner's feet (a moderator hid it, another
/// tab deleted it) between loading and saving.
fn changed_meanwhile(session: &Session, listing: &Listing) -> HttpResponse {
    session::push_flash(
        session,
        FlashKind::Error,
        "This listing changed while you were looking at it. Check it and try again.",
    );
    redirect(&listing.path())
}

/// `POST /listings/{id}/status`: mark active, pending or sold.
pub async fn change_status(
    AuthUser(me): AuthUser,
    db: Db,
    session: Session,
    id: web::Path<i64>,
    form: web::Form<StatusForm>,
) -> Result<HttpResponse, AppError> {
    let listing = load_for_change(&db, id.into_inner(), &me).await?;
    let status = match ListingStatus::parse(&form.status) {
        Some(s @ (ListingStatus::Active | ListingStatus::Pending | ListingStatus::Sold)) => s,
        _ => {
            return Err(AppError::BadRequest(
                "That is not a status you can choose.".into(),
            ));
        }
    };
    not_moderated(&listing, "changed")?;
    let listing_id = listing.id;
    let changed = db
        .run(move |conn| {
            queries::set_status(conn, listing_id, status, &ListingStatus::OWNER_CHANGEABLE)
        })
        .await?;
    if !changed {
        return Ok(changed_meanwhile(&session, &listing));
    }
    let message = match status {
        ListingStatus::Sold => "Marked as sold. Congratulations!",
        ListingStatus::Pending => "Marked as sale pending.",
        _ => "Marked as available.",
    };
    session::push_flash(&session, FlashKind::Success, message);
    Ok(redirect(&listing.path()))
}

/// `POST /listings/{id}/renew`: back to the top, with a fresh lifetime, once 48 hours have
/// passed since it was posted or last renewed. A sold listing is marked available first.
pub async fn renew_listing(
    AuthUser(me): AuthUser,
    db: Db,
    session: Session,
    rules: web::Data<ListingRules>,
    id: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    let listing = load_for_change(&db, id.into_inner(), &me).await?;
    not_moderated(&listing, "renewed")?;
    if listing.status() == ListingStatus::Sold {
        session::push_flash(
            &session,
            FlashKind::Error,
            "This listing is marked sold. Mark it available first if you want to show it again.",
        );
        return Ok(redirect(&listing.path()));
    }
    let now = Utc::now();
    let allowed_at =
        listing.renewed_at + chrono::Duration::from_std(RENEW_AFTER).unwrap_or_default();
    if allowed_at > now {
        session::push_flash(
            &session,
            FlashKind::Error,
            format!(
                "You can renew this listing {}.",
                ago_future(allowed_at, now)
            ),
        );
        return Ok(redirect(&listing.path()));
    }
    let expires_at = now + chrono::Duration::from_std(rules.lifetime).unwrap_or_default();
    let listing_id = listing.id;
    let renewed = db
        .run(move |conn| queries::renew(conn, listing_id, expires_at))
        .await?;
    if !renewed {
        return Ok(changed_meanwhile(&session, &listing));
    }
    session::push_flash(
        &session,
        FlashKind::Success,
        "Renewed: your listing is back at the top.",
    );
    Ok(redirect(&listing.path()))
}

/// `GET /listings/{id}/delete`: "are you sure?"
pub async fn confirm_delete_listing(
    req: HttpRequest,
    ctx: PageContext,
    AuthUser(me): AuthUser,
    db: Db,
    id: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    let listing = load_for_change(&db, id.into_inner(), &me).await?;
    not_moderated(&listing, "deleted")?;
    let days = queries::RESTORE_WITHIN.as_secs() / 86_400;
    let page = ConfirmPage {
        ctx,
        title: format!("Delete “{}”?", listing.title),
        message: format!(
            "It disappears from the site at once. For {days} days you can still open it from \
             your profile and restore it; after that it is gone for good, photos included."
        ),
        action: format!("/listings/{}/delete", listing.id),
        confirm_label: "Delete listing",
        cancel_url: listing.path(),
    };
    Ok(private_page(page, StatusCode::OK, &req))
}

/// `POST /listings/{id}/delete`: gone for everyone else; its owner may restore it for 30 days.
pub async fn delete_listing(
    AuthUser(me): AuthUser,
    db: Db,
    session: Session,
    id: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    let listing = load_for_change(&db, id.into_inner(), &me).await?;
    not_moderated(&listing, "deleted")?;
    let listing_id = listing.id;
    let deleted = db
        .run(move |conn| queries::delete_by_owner(conn, listing_id))
        .await?;
    if !deleted {
        return Ok(changed_meanwhile(&session, &listing));
    }
    session::push_flash(
        &session,
        FlashKind::Info,
        "Listing deleted. You can restore it from its page for 30 days.",
    );
    Ok(redirect(&format!("/u/{}", me.username)))
}

/// `POST /listings/{id}/restore`: undoes a delete made less than 30 days ago.
pub async fn restore_listing(
    AuthUser(me): AuthUser,
    db: Db,
    session: Session,
    id: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let listing = db
        .run(move |conn| queries::find_listing(conn, id))
        .await?
        .filter(|listing| may_manage(Some(&me), listing))
        .ok_or(AppError::NotFound)?;
    let restored = db.run(move |conn| queries::restore(conn, id)).await?;
    if !restored {
        session::push_flash(
            &session,
            FlashKind::Error,
            "This listing can't be restored: only listings deleted in the last 30 days can.",
        );
        return Ok(redirect(&listing.path()));
    }
    session::push_flash(&session, FlashKind::Success, "Listing restored.");
    Ok(redirect(&listing.path()))
}
