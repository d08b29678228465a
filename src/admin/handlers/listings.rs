//! The listing browser with bulk actions, and one listing with its flags, appeals, history
//! and actions.

use actix_session::Session;
use actix_web::{HttpRequest, HttpResponse, web};
use chrono::Utc;
use serde::Deserialize;

use crate::admin::domain::{self, ActionName, AdminCursor, BULK_MAX, ListingQuery};
use crate::admin::queries::{self, AdminListingRow, Unknown};
use crate::admin::views::{
    AdminListingPage, AdminListingsPage, AppealView, BulkForm, FlagView, HistoryView,
    ListingRowView, SectionChoice,
};
use crate::db::ids::{ListingId, UserId};
use crate::listings::cards::price_label;
use crate::listings::domain::slugify;
use crate::moderation::audit::{self, AuditFilter, TargetKind};
use crate::moderation::domain::Reason;
use crate::moderation::queries::{self as moderation, ListingAction, NotDone};
use crate::web::respond::{form_page, redirect, unprocessable};
use crate::web::session::{self, FlashKind};
use crate::web::time::{ago, exact};
use crate::web::{AdminUser, AppError, Db, FieldErrors, PageContext};

/// Listings on one page of the browser.
const PAGE: i64 = 50;

pub(super) fn section_choices(rows: Vec<(String, String, i32, String)>) -> Vec<SectionChoice> {
    let mut sections: Vec<SectionChoice> = Vec::new();
    for (slug, name, id, category) in rows {
        match sections.last_mut() {
            Some(last) if last.slug == slug => last.categories.push((id, category)),
            _ => sections.push(SectionChoice {
                slug,
                name,
                categories: vec![(id, category)],
            }),
        }
    }
    sections
}

fn row_view(row: AdminListingRow, now: chrono::DateTime<Utc>) -> ListingRowView {
    ListingRowView {
        id: row.id,
        price: price_label(row.price_cents, row.is_free),
        posted: ago(row.created_at, now),
        posted_exact: exact(row.created_at),
        flags: (row.flag_weight > 0.0).then(|| format!("{:.1}", row.flag_weight)),
        title: row.title,
        status: row.status,
        owner: row.owner_username,
        category: row.category_name,
    }
}

/// The browser's page for `query`, with the bulk form as given.
async fn listings_page(
    ctx: PageContext,
    db: &Db,
    query: ListingQuery,
    bulk: BulkForm,
    errors: FieldErrors,
) -> Result<AdminListingsPage, AppError> {
    let (filter, mut notes) = domain::parse_filter(&query);
    let after =
        match query.after.trim() {
            "" => None,
            raw => Some(AdminCursor::decode(raw, filter.sort).ok_or_else(|| {
                AppError::BadRequest("That page of listings does not exist.".into())
            })?),
        };
    let sort = filter.sort;
    let (found, choices) = db
        .run(move |conn| {
            Ok::<_, AppError>((
                queries::browse(conn, &filter, after, PAGE)?,
                queries::category_choices(conn)?,
            ))
        })
        .await?;
    let mut rows = match found {
        Ok(rows) => rows,
        Err(unknown) => {
            notes.push(
                match unknown {
                    Unknown::Section => "There is no such section.",
                    Unknown::Category => "There is no such category.",
                    Unknown::Owner => "There is no member with that username.",
                }
                .to_owned(),
            );
            Vec::new()
        }
    };
    let next = (rows.len() as i64 > PAGE).then(|| {
        rows.truncate(PAGE as usize);
        let cursor = queries::cursor_after(rows.last().expect("a full page"), sort).encode();
        let mut next = query.clone();
        next.after = cursor;
        format!("/admin/listings?{}", encode_query(&next))
    });
    let now = Utc::now();
    Ok(AdminListingsPage {
        ctx,
        back: encode_query(&query),
        query,
        notes,
        rows: rows.into_iter().map(|r| row_view(r, now)).collect(),
        next,
        sections: section_choices(choices),
        bulk,
        errors,
    })
}

/// The browser's query string, without its empty fields.
fn encode_query(query: &ListingQuery) -> String {
    let mut out = url::form_urlencoded::Serializer::new(String::new());
    for (key, value) in [
        ("q", &query.q),
        ("status", &query.status),
        ("section", &query.section),
        ("category", &query.category),
        ("flagged", &query.flagged),
        ("owner", &query.owner),
        ("from", &query.from),
        ("to", &query.to),
        ("sort", &query.sort),
        ("after", &query.after),
    ] {
        if !value.trim().is_empty() {
            out.append_pair(key, value.trim());
        }
    }
    out.finish()
}

/// `GET /admin/listings`: every listing, filtered and sorted.
pub async fn listings(
    req: HttpRequest,
    ctx: PageContext,
    _admin: AdminUser,
    db: Db,
    query: web::Query<ListingQuery>,
) -> Result<HttpResponse, AppError> {
    let page = listings_page(
        ctx,
        &db,
        query.into_inner(),
        BulkForm::default(),
        FieldErrors::new(),
    )
    .await?;
    Ok(form_page(page, &req))
}

/// The action, its reason and (for a move) its category, as a form sent them; every problem
/// goes next to its field.
fn parse_action(
    action: &str,
    reason: &str,
    category: &str,
) -> Result<(ActionName, ListingAction, Reason), FieldErrors> {
    let mut errors = FieldErrors::new();
    let name = ActionName::parse(action);
    if name.is_none() {
        errors.add("action", "Choose what to do.");
    }
    let reason = errors.take("reason", Reason::parse(reason));
    let action = match name {
        Some(ActionName::Hold) => Some(ListingAction::Hold),
        Some(ActionName::Restore) => Some(ListingAction::Restore),
        Some(ActionName::Remove) => Some(ListingAction::Remove),
        Some(ActionName::Category) => match category.trim().parse::<i32>() {
            Ok(id) => Some(ListingAction::ChangeCategory(id)),
            Err(_) => {
                errors.add("category", "Choose the category to move it to.");
                None
            }
        },
        None => None,
    };
    match (name, action, reason) {
        (Some(name), Some(action), Some(reason)) if errors.is_empty() => Ok((name, action, reason)),
        _ => Err(errors),
    }
}

/// `POST /admin/listings/bulk`: one action, with one reason, on the checked listings; back
/// to the same page of the browser.
pub async fn bulk_action(
    req: HttpRequest,
    ctx: PageContext,
    AdminUser(admin): AdminUser,
    db: Db,
    session: Session,
    body: web::Bytes,
) -> Result<HttpResponse, AppError> {
    let mut form = BulkForm::default();
    let mut back = String::new();
    for (key, value) in url::form_urlencoded::parse(&body) {
        match key.as_ref() {
            "ids" if form.ids.len() <= BULK_MAX => {
                if let Ok(id) = value.parse::<i64>() {
                    form.ids.push(ListingId(id));
                }
            }
            "action" => form.action = value.into_owned(),
            "reason" => form.reason = value.into_owned(),
            "category" => form.category = value.into_owned(),
            "back" => back = value.into_owned(),
            _ => {}
        }
    }
    form.ids.sort_unstable_by_key(|id| id.0);
    form.ids.dedup();
    let parsed = parse_action(&form.action, &form.reason, &form.category);
    let mut errors = match &parsed {
        Ok(_) => FieldErrors::new(),
        Err(errors) => errors.clone(),
    };
    if form.ids.is_empty() {
        errors.add("ids", "Tick the listings to act on.");
    } else if form.ids.len() > BULK_MAX {
        errors.add(
            "ids",
            format!("Act on at most {BULK_MAX} listings at once."),
        );
    }
    let query = web::Query::<ListingQuery>::from_query(&back)
        .map(web::Query::into_inner)
        .unwrap_or_default();
    let (name, action, reason) = match parsed {
        Ok(parsed) if errors.is_empty() => parsed,
        _ => {
            let page = listings_page(ctx, &db, query, form, errors).await?;
            return Ok(unprocessable(page, &req));
        }
    };
    let ids = form.ids.clone();
    let admin_id = admin.id;
    let (done, skipped) = db
        .run(move |conn| {
            let (mut done, mut skipped) = (0usize, 0usize);
            for id in ids {
                match moderation::act_on_listing(conn, admin_id, id, action, &reason)? {
                    Ok(()) => done += 1,
                    Err(_) => skipped += 1,
                }
            }
            Ok::<_, AppError>((done, skipped))
        })
        .await?;
    let plural = |n: usize| if n == 1 { "listing" } else { "listings" };
    let mut message = format!("{done} {} {}.", plural(done), name.done());
    if skipped > 0 {
        message.push_str(&format!(
            " {skipped} {} left as they were (not in a state this applies to).",
            plural(skipped)
        ));
    }
    session::push_flash(&session, FlashKind::Success, message);
    Ok(redirect(&format!(
        "/admin/listings?{}",
        encode_query(&query)
    )))
}

/// The listing's admin page, with the action form as given.
async fn listing_page(
    ctx: PageContext,
    db: &Db,
    id: ListingId,
    action: String,
    reason: String,
    errors: FieldErrors,
) -> Result<AdminListingPage, AppError> {
    let (listing, flags, appeals, history, entries, choices) = db
        .run(move |conn| {
            let listing = queries::admin_listing(conn, id)?.ok_or(AppError::NotFound)?;
            let filter = AuditFilter {
                target: Some((TargetKind::Listing, id.0)),
                ..AuditFilter::default()
            };
            Ok::<_, AppError>((
                listing,
                moderation::flags_on(conn, id)?,
                moderation::appeals_on(conn, id)?,
                moderation::history_of(conn, id)?,
                audit::entries(conn, &filter, super::audit::AUDIT_PAGE)?,
                queries::category_choices(conn)?,
            ))
        })
        .await?;
    let now = Utc::now();
    Ok(AdminListingPage {
        ctx,
        id,
        path: format!("/listings/{id}/{}", slugify(&listing.title)),
        price: price_label(listing.price_cents, listing.is_free),
        posted: format!(
            "{} ({})",
            ago(listing.created_at, now),
            exact(listing.created_at)
        ),
        updated: exact(listing.updated_at),
        expires: exact(listing.expires_at),
        flag_weight: format!("{:.1}", listing.flag_weight),
        title: listing.title,
        body: listing.body,
        status: listing.status,
        zip: listing.zip,
        category_id: listing.category_id,
        category: listing.category_name,
        owner: listing.owner_username,
        moderation_reason: listing.moderation_reason,
        flags: flags
            .into_iter()
            .map(|f| FlagView {
                username: f.username,
                reason: f.reason.label(),
                note: f.note,
                weight: format!("{:.2}", f.weight),
                decision: f.decision.map(|d| d.as_str()),
                when: ago(f.created_at, now),
            })
            .collect(),
        appeals: appeals
            .into_iter()
            .map(|a| AppealView {
                message: a.message,
                decision: a.decision,
                when: ago(a.created_at, now),
            })
            .collect(),
        history: history
            .into_iter()
            .map(|h| HistoryView {
                who: h.actor.unwrap_or_else(|| "owner or site".into()),
                when: format!("{} ({})", ago(h.created_at, now), exact(h.created_at)),
                changes: history_lines(&h.changes),
            })
            .collect(),
        audit: entries
            .into_iter()
            .map(|e| super::audit::audit_view(e, now))
            .collect(),
        sections: section_choices(choices),
        action,
        reason,
        errors,
    })
}

/// A history row's changes as (what, before, after), texts cut to a readable length.
fn history_lines(changes: &serde_json::Value) -> Vec<(String, String, String)> {
    let show = |v: &serde_json::Value| {
        let text = match v {
            serde_json::Value::String(s) => s.clone(),
            serde_json::Value::Null => "—".into(),
            other => other.to_string(),
        };
        if text.chars().count() > 300 {
            format!("{}…", text.chars().take(300).collect::<String>())
        } else {
            text
        }
    };
    changes
        .as_object()
        .map(|fields| {
            fields
                .iter()
                .map(|(field, pair)| {
                    (
                        field.clone(),
                        show(pair.get(0).unwrap_or(&serde_json::Value::Null)),
                        show(pair.get(1).unwrap_or(&serde_json::Value::Null)),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

/// `GET /admin/listings/{id}`
pub async fn show_listing(
    req: HttpRequest,
    ctx: PageContext,
    _admin: AdminUser,
    db: Db,
    id: web::Path<ListingId>,
) -> Result<HttpResponse, AppError> {
    let page = listing_page(
        ctx,
        &db,
        id.into_inner(),
        String::new(),
        String::new(),
        FieldErrors::new(),
    )
    .await?;
    Ok(form_page(page, &req))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ActionForm {
    action: String,
    reason: String,
    category: String,
    /// Where to go once done: a page of the admin area (the queue), else the listing's page.
    back: String,
}

/// `POST /admin/listings/{id}/action`: hold, restore, remove or move one listing.
pub async fn act_on_listing(
    req: HttpRequest,
    ctx: PageContext,
    AdminUser(admin): AdminUser,
    db: Db,
    session: Session,
    id: web::Path<ListingId>,
    form: web::Form<ActionForm>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let form = form.into_inner();
    let (name, action, reason) = match parse_action(&form.action, &form.reason, &form.category) {
        Ok(parsed) => parsed,
        Err(errors) => {
            let page = listing_page(ctx, &db, id, form.action, form.reason, errors).await?;
            return Ok(unprocessable(page, &req));
        }
    };
    let admin_id: UserId = admin.id;
    let outcome = db
        .run(move |conn| moderation::act_on_listing(conn, admin_id, id, action, &reason))
        .await?;
    match outcome {
        Ok(()) => session::push_flash(
            &session,
            FlashKind::Success,
            format!("Listing {}.", name.done()),
        ),
        Err(NotDone::NotFound) => return Err(AppError::NotFound),
        Err(NotDone::NoSuchCategory) => {
            let mut errors = FieldErrors::new();
            errors.add("category", "That category does not exist.");
            let page = listing_page(ctx, &db, id, form.action, form.reason, errors).await?;
            return Ok(unprocessable(page, &req));
        }
        Err(NotDone::WrongState(status)) => {
            let mut errors = FieldErrors::new();
            errors.add(
                "action",
                format!(
                    "A listing that is {} cannot be {}.",
                    crate::listings::views::status_label(status).to_lowercase(),
                    name.done()
                ),
            );
            let page = listing_page(ctx, &db, id, form.action, form.reason, errors).await?;
            return Ok(unprocessable(page, &req));
        }
    }
    Ok(redirect(&admin_return(
        &form.back,
        &format!("/admin/listings/{id}"),
    )))
}

/// `back` when it is a page of the admin area, `otherwise` when not (never another site).
pub(super) fn admin_return(back: &str, otherwise: &str) -> String {
    if back == "/admin"
        || (back.starts_with("/admin/") && !back.contains("//") && !back.contains('\\'))
    {
        back.to_owned()
    } else {
        otherwise.to_owned()
    }
}
