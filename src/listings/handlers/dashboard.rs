//! `GET /my/listings`: the seller's dashboard.

use actix_web::{HttpRequest, HttpResponse, web};
use chrono::Utc;

use super::RENEW_AFTER;
use crate::listings::cards::price_label;
use crate::listings::dashboard::{self, DashboardRow, StatusFilter};
use crate::listings::models::ListingStatus;
use crate::listings::photos as listing_photos;
use crate::listings::queries::{RENEWABLE, RESTORE_WITHIN};
use crate::listings::views::{DashboardPage, DashboardTab, MyListing};
use crate::storage::Storage;
use crate::web::respond::private_page;
use crate::web::time::{exact, span};
use crate::web::{AppError, AuthUser, Db, PageContext};

#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct DashboardQuery {
    status: Option<String>,
    page: Option<String>,
}

pub async fn my_listings(
    req: HttpRequest,
    ctx: PageContext,
    AuthUser(me): AuthUser,
    db: Db,
    storage: web::Data<Storage>,
    query: web::Query<DashboardQuery>,
) -> Result<HttpResponse, AppError> {
    let filter = match query.status.as_deref().filter(|s| !s.is_empty()) {
        None => StatusFilter::All,
        Some(slug) => StatusFilter::parse(slug)
            .ok_or_else(|| AppError::BadRequest("There is no such list of listings.".into()))?,
    };
    let page = match query.page.as_deref().filter(|p| !p.is_empty()) {
        None => 1,
        Some(p) => p
            .parse::<i64>()
            .ok()
            .filter(|p| (1..=dashboard::MAX_PAGE).contains(p))
            .ok_or_else(|| AppError::BadRequest("That is not a page number.".into()))?,
    };
    let owner = me.id;
    let (mut rows, counts) = db
        .run(move |conn| {
            Ok::<_, AppError>((
                dashboard::listings_of(conn, owner, filter, page)?,
                dashboard::counts_of(conn, owner)?,
            ))
        })
        .await?;
    let has_next = rows.len() as i64 > dashboard::PAGE_SIZE;
    rows.truncate(dashboard::PAGE_SIZE as usize);
    let here = list_url(filter, page);
    let mut listings = Vec::with_capacity(rows.len());
    for row in &rows {
        listings.push(my_listing(&storage, row, &here).await);
    }
    let page_view = DashboardPage {
        tabs: counts
            .into_iter()
            .map(|(f, count)| DashboardTab {
                url: list_url(f, 1),
                label: f.label(),
                count,
                current: f == filter,
            })
            .collect(),
        filter_label: filter.label(),
        empty: listings.is_empty(),
        listings,
        page,
        previous_page: (page > 1).then(|| list_url(filter, page - 1)),
        next_page: has_next.then(|| list_url(filter, page + 1)),
        ctx,
    };
    Ok(private_page(
        page_view,
        actix_web::http::StatusCode::OK,
        &req,
    ))
}

/// The dashboard's address for a filter and page.
fn list_url(filter: StatusFilter, page: i64) -> String {
    let mut url = "/my/listings".to_owned();
    if filter != StatusFilter::All {
        url.push_str(&format!("?status={}", filter.slug()));
    }
    if page > 1 {
        url.push(if url.contains('?') { '&' } else { '?' });
        url.push_str(&format!("page={page}"));
    }
    url
}

async fn my_listing(storage: &Storage, row: &DashboardRow, here: &str) -> MyListing {
    let now = Utc::now();
    let status = match row.status {
        ListingStatus::Active | ListingStatus::Pending if row.expires_at <= now => {
            ListingStatus::Expired
        }
        other => other,
    };
    let listed = ListingStatus::LISTED.contains(&status);
    let moderated = row.status.is_moderated();
    let renew_at = row.renewed_at + chrono::Duration::from_std(RENEW_AFTER).unwrap_or_default();
    let renewable = RENEWABLE.contains(&row.status) && !moderated;
    let expiry = if listed {
        Some(format!("Expires in {}", span(row.expires_at - now)))
    } else if status == ListingStatus::Expired {
        Some("Expired".to_owned())
    } else {
        None
    };
    MyListing {
        id: row.id,
        path: format!(
            "/listings/{}/{}",
            row.id,
            crate::listings::domain::slugify(&row.title)
        ),
        title: row.title.clone(),
        status,
        price: price_label(row.price_cents, row.is_free),
        thumb_url: listing_photos::thumb_url(storage, row.thumb_key.as_ref()).await,
        posted_exact: exact(row.created_at),
        posted: row.created_at.format("%b %-d, %Y").to_string(),
        expiry,
        expires_exact: exact(row.expires_at),
        expires_soon: listed && row.expires_at - now <= chrono::Duration::days(3),
        views: row.views,
        saves: row.saves,
        conversations: row.conversations,
        can_change_status: !moderated && ListingStatus::OWNER_CHANGEABLE.contains(&row.status),
        can_renew: renewable && renew_at <= now,
        renew_after: (renewable && renew_at > now).then(|| format!("in {}", span(renew_at - now))),
        can_delete: !moderated && ListingStatus::OWNER_CHANGEABLE.contains(&row.status),
        can_restore: row.status == ListingStatus::Deleted
            && row.deleted_at.is_some_and(|at| {
                now - at < chrono::Duration::from_std(RESTORE_WITHIN).unwrap_or_default()
            }),
        moderated,
        next: url::form_urlencoded::byte_serialize(here.as_bytes()).collect(),
    }
}
