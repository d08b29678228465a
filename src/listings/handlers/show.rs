//! The listing page, its short address, and the stable addresses of its photos.

use std::sync::Arc;

use actix_web::http::header;
use actix_web::web::Bytes;
use actix_web::{HttpRequest, HttpResponse, Responder, web};
use askama::Template;
use chrono::Utc;
use uuid::Uuid;

use super::*;
use crate::db::ids::ListingId;
use crate::listings::cards::{CardContext, card_views};
use crate::listings::counter::ViewCounter;
use crate::listings::domain::body_parts;
use crate::listings::models::ListingStatus;
use crate::listings::page_cache::{KeptPage, ListingPages, PageKey};
use crate::listings::photos::{self as listing_photos};
use crate::listings::queries::{self};
use crate::listings::related::{RelatedCache, RelatedCards};
use crate::listings::views::{AreaMap, AttributeRow, ListingPage, OwnerModeration};
use crate::listings::{structured, terms};
use crate::moderation::queries as moderation;
use crate::places;
use crate::storage::Storage;
use crate::web::time::{ago, exact};
use crate::web::{AppError, PageContext, ReadDb};

/// `GET /listings/{id}`: to the page with its slug, for whoever may see it. A listing the
/// visitor may not see is a 404 like one that never existed: no redirect that would give
/// its title away.
pub async fn listing_by_id(
    ctx: PageContext,
    ReadDb { db, .. }: ReadDb,
    id: web::Path<ListingId>,
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

/// What the listing page reads from the database, in one turn on a connection.
struct PageData {
    listing: Listing,
    photos: Vec<crate::listings::models::Photo>,
    section: crate::listings::models::Section,
    category: crate::listings::models::Category,
    place: places::Place,
    seller: crate::accounts::models::MemberName,
    favorite: Option<bool>,
    flag: Option<Option<moderation::MyFlag>>,
    appeal: Option<moderation::AppealRow>,
    /// The lists that lead on to others, and the tree they were read with (public only).
    related: Option<(
        Arc<crate::listings::related::Related>,
        Arc<queries::CategoryTree>,
    )>,
}

/// A page kept for the visitor that is still the listing's page, or what a page is made of.
enum Read {
    Kept(Arc<KeptPage>),
    /// With the version read before it, when the page may be kept.
    Fresh(Box<PageData>, Option<i64>),
}

/// `GET /listings/{id}/{slug}`
pub async fn show_listing(
    req: HttpRequest,
    ctx: PageContext,
    ReadDb { db, .. }: ReadDb,
    storage: web::Data<Storage>,
    counts: web::Data<queries::CategoryCounts>,
    views: web::Data<ViewCounter>,
    related: web::Data<RelatedCache>,
    pages: web::Data<ListingPages>,
    path: web::Path<(ListingId, String)>,
) -> Result<HttpResponse, AppError> {
    let (id, slug) = path.into_inner();
    let viewer = ctx.user.as_ref().map(|u| u.id);
    // A visitor whose page is the next such visitor's too (see `page_cache`).
    let key = (viewer.is_none() && ctx.flashes.is_empty() && req.query_string().is_empty())
        .then(|| PageKey::new(id, ctx.area.as_ref()));
    let kept = key.as_ref().and_then(|key| pages.get(key));
    let keeps = key.is_some();
    let read = db
        .run(move |conn| {
            // The version first: a page rendered from what is read after it is at least that
            // new, so it is never kept under a version newer than itself.
            let version = if keeps {
                let Some(version) = queries::page_version(conn, id)? else {
                    return Err(AppError::NotFound);
                };
                if let Some(kept) = kept
                    && kept.shows(version, &counts.tree(conn)?)
                {
                    return Ok(Read::Kept(kept));
                }
                Some(version)
            } else {
                None
            };
            let data = read_page(conn, id, viewer, &counts, &related)?;
            Ok(Read::Fresh(Box::new(data), version))
        })
        .await?;
    let (
        PageData {
            listing,
            photos,
            section,
            category,
            place,
            seller,
            favorite,
            flag,
            appeal,
            related,
        },
        page_version,
    ) = match read {
        Read::Kept(page) => {
            if page.path != format!("/listings/{id}/{slug}") {
                return Ok(HttpResponse::MovedPermanently()
                    .insert_header((header::LOCATION, page.path.clone()))
                    .finish());
            }
            views.record(id);
            metrics::counter!("listing_pages_served_kept_total").increment(1);
            return Ok(html_page(page.html.clone()));
        }
        Read::Fresh(data, version) => (*data, version),
    };
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
    // A view by the seller or a moderator is not one a buyer made.
    if !is_owner && !ctx.is_admin() {
        views.record(id);
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
    // Cards without distances are the same for every visitor for a while.
    let anywhere = ctx.near().is_none();
    // The tree the page is rendered with, which a kept page must still be rendered with.
    let tree = related.as_ref().map(|(_, tree)| tree.clone());
    let related = match related {
        Some((related, tree)) => match anywhere.then(|| related.kept_cards()).flatten() {
            Some(cards) => cards,
            None => {
                let cx = CardContext::new(&tree, ctx.near());
                let cards = Arc::new(RelatedCards {
                    from_seller: card_views(&storage, &related.from_seller, &cx).await,
                    similar: card_views(&storage, &related.similar, &cx).await,
                });
                if anywhere {
                    related.keep_cards(cards.clone());
                }
                cards
            }
        },
        None => Arc::default(),
    };
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
    let images: Vec<String> = if listing.is_public() {
        stored
            .iter()
            .map(|p| absolute(&public_photo_path(p.id, PhotoVariant::Display)))
            .collect()
    } else {
        Vec::new()
    };
    let seller_url = absolute(&format!("/u/{}", seller.username));
    let page_url = absolute(&canonical);
    let json_ld = structured::json_ld(&structured::Facts {
        listing: &listing,
        category: &category,
        url: &page_url,
        images,
        seller_name: seller.shown_name(),
        seller_url,
        place: &place,
        status: listing.effective_status(now),
    });
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
        price: terms::terms_label(
            listing.price_cents,
            listing.is_free,
            listing.price_max_cents,
            listing.price_unit,
        ),
        when: listing
            .starts_at
            .map(|starts| terms::event_label(starts, listing.ends_at)),
        when_iso: listing
            .starts_at
            .map(|starts| starts.format("%Y-%m-%dT%H:%M").to_string()),
        json_ld,
        attributes,
        distance: ctx.near().map(|area| {
            crate::web::area::distance_label(area.miles_to(place.latitude, place.longitude))
        }),
        map: AreaMap::new(&place.zip, place.latitude, place.longitude),
        place: place.label(),
        posted: ago(listing.created_at, now),
        posted_exact: exact(listing.created_at),
        posted_iso: listing.created_at.to_rfc3339(),
        updated: (listing.updated_at - listing.created_at > chrono::Duration::minutes(1))
            .then(|| ago(listing.updated_at, now)),
        updated_exact: exact(listing.updated_at),
        seller_name: seller.shown_name().to_owned(),
        seller_username: seller.username.clone(),
        status: listing.effective_status(now),
        photos,
        can_renew: renewable && renew_at <= now,
        renew_after: (renewable && renew_at > now).then(|| ago_future(renew_at, now)),
        can_restore: is_owner
            && listing.status() == ListingStatus::Deleted
            && listing.deleted_at.is_some_and(|at| {
                now - at < chrono::Duration::from_std(queries::RESTORE_WITHIN).unwrap_or_default()
            }),
        moderated: listing.status().is_moderated(),
        moderation: is_owner
            .then(|| listing.moderation_reason.clone())
            .flatten()
            .map(|reason| OwnerModeration {
                reason,
                can_appeal: listing.status().is_moderated() && appeal.is_none(),
                appeal: appeal.map(|a| (a.message, a.decision)),
            }),
        flag,
        contactable: !is_owner && ListingStatus::LISTED.contains(&listing.effective_status(now)),
        is_owner,
        favorite,
        related,
        section,
        category,
        ctx,
    };
    match (key, tree, page_version) {
        (Some(key), Some(tree), Some(page_version)) => {
            let html = Bytes::from(
                page.render()
                    .map_err(|err| anyhow::anyhow!("cannot render the listing page: {err}"))?,
            );
            // Nothing on the page changes at a set time once it is no longer listed (or has
            // expired).
            let expires_at = ListingStatus::LISTED
                .contains(&listing.effective_status(now))
                .then_some(listing.expires_at);
            pages.keep(
                key,
                KeptPage::new(page_version, tree, canonical, html.clone(), expires_at),
            );
            Ok(html_page(html))
        }
        _ => Ok(page.respond_to(&req).map_into_boxed_body()),
    }
}

/// Everything the listing page shows of the database, for `viewer`.
fn read_page(
    conn: &mut diesel::PgConnection,
    id: ListingId,
    viewer: Option<crate::db::ids::UserId>,
    counts: &queries::CategoryCounts,
    related: &RelatedCache,
) -> Result<PageData, AppError> {
    let queries::ListingForViewer {
        listing,
        owner: seller,
        photos,
        favorite,
        flag,
    } = queries::find_listing_for_viewer(conn, id, viewer)?.ok_or(AppError::NotFound)?;
    let (section, category) = counts.category_by_id(conn, listing.category_id)?;
    let place = places::place_of(conn, &listing.zip)?.ok_or(AppError::NotFound)?;
    let (favorite, flag) = match viewer {
        Some(me) if me != listing.owner_id => (
            Some(favorite),
            Some(flag.map(|(reason, decision)| moderation::MyFlag { reason, decision })),
        ),
        _ => (None, None),
    };
    let appeal = if viewer == Some(listing.owner_id) && listing.status().is_moderated() {
        moderation::current_appeal(conn, id)?
    } else {
        None
    };
    // Only a listing the public sees gets the lists that lead on to others.
    let related = if listing.is_public() {
        Some((related.get(conn, &listing)?, counts.tree(conn)?))
    } else {
        None
    };
    Ok(PageData {
        listing,
        photos,
        section,
        category,
        place,
        seller,
        favorite,
        flag,
        appeal,
        related,
    })
}

/// A rendered page as the response.
fn html_page(html: Bytes) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, "text/html; charset=utf-8"))
        .body(html)
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
/// redirect to a presigned URL with at least a minute to live. Photos of listings nobody may
/// see are 404, and the uploaded originals were never kept.
pub async fn show_public_photo(
    ReadDb { db, .. }: ReadDb,
    storage: web::Data<Storage>,
    path: web::Path<(Uuid, PhotoVariant)>,
) -> Result<HttpResponse, AppError> {
    let (photo_id, variant) = path.into_inner();
    let photo = db
        .run(move |conn| queries::public_photo(conn, photo_id))
        .await?
        .ok_or(AppError::NotFound)?;
    let key = match variant {
        PhotoVariant::Display => photo.display_key,
        PhotoVariant::Thumb => photo.thumb_key,
    };
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
