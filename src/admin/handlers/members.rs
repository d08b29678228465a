//! Members: search by username or e-mail, one member's record, ban and unban, make and
//! unmake admins.

use actix_session::Session;
use actix_web::{HttpRequest, HttpResponse, web};
use chrono::Utc;
use serde::Deserialize;

use crate::admin::views::{FlagGivenView, MemberPage, MemberRowView, MembersPage};
use crate::db::ids::UserId;
use crate::listings::views::status_label;
use crate::moderation::audit::{self, AuditFilter, TargetKind};
use crate::moderation::domain::Reason;
use crate::moderation::members::{self, MemberRow, Refused};
use crate::web::respond::{form_page, redirect, unprocessable};
use crate::web::session::{self, FlashKind};
use crate::web::time::{ago, exact};
use crate::web::{AdminUser, AppError, Db, FieldErrors, PageContext};

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct MembersQuery {
    q: String,
}

fn row_view(row: MemberRow, now: chrono::DateTime<Utc>) -> MemberRowView {
    MemberRowView {
        id: row.id,
        username: row.username,
        email: row.email,
        display_name: row.display_name,
        admin: row.role == crate::accounts::models::Role::Admin,
        status: row.status.as_str(),
        joined: ago(row.created_at, now),
        joined_exact: exact(row.created_at),
    }
}

/// `GET /admin/members`: members by username or e-mail (the newest without a search).
pub async fn members(
    req: HttpRequest,
    ctx: PageContext,
    _admin: AdminUser,
    db: Db,
    query: web::Query<MembersQuery>,
) -> Result<HttpResponse, AppError> {
    let words = query.q.chars().take(200).collect::<String>();
    let search = words.clone();
    let rows = db.run(move |conn| members::search(conn, &search)).await?;
    let now = Utc::now();
    let page = MembersPage {
        ctx,
        q: words,
        rows: rows.into_iter().map(|r| row_view(r, now)).collect(),
    };
    Ok(form_page(page, &req))
}

/// The member's page, with the action forms as given.
async fn member_page(
    ctx: PageContext,
    db: &Db,
    id: UserId,
    form: ActionForm,
    errors: FieldErrors,
) -> Result<MemberPage, AppError> {
    let (row, record, entries) = db
        .run(move |conn| {
            let row = members::member(conn, id)?.ok_or(AppError::NotFound)?;
            let filter = AuditFilter {
                target: Some((TargetKind::Member, id.0)),
                ..AuditFilter::default()
            };
            Ok::<_, AppError>((
                row,
                members::record(conn, id)?,
                audit::entries(conn, &filter, super::audit::AUDIT_PAGE)?,
            ))
        })
        .await?;
    let now = Utc::now();
    let decision = |d: Option<String>| d.unwrap_or_else(|| "undecided".into());
    Ok(MemberPage {
        ctx,
        member: row_view(row, now),
        listings: record
            .listings
            .into_iter()
            .map(|(status, n)| (status_label(status), status.as_str(), n))
            .collect(),
        flags_given: record
            .flags_given
            .into_iter()
            .map(|f| FlagGivenView {
                listing: f.listing,
                title: f.title,
                reason: f.reason,
                decision: decision(f.decision),
                when: ago(f.at, now),
            })
            .collect(),
        flags_received: record
            .flags_received
            .into_iter()
            .map(|(d, n)| (decision(d), n))
            .collect(),
        profile_reports: record
            .profile_reports
            .into_iter()
            .map(|(reporter, reason, d, at)| (reporter, reason, decision(d), ago(at, now)))
            .collect(),
        message_reports: record
            .message_reports
            .into_iter()
            .map(|(message, reason, d, at)| (message, reason, decision(d), ago(at, now)))
            .collect(),
        audit: entries
            .into_iter()
            .map(|e| super::audit::audit_view(e, now))
            .collect(),
        action: form.action,
        reason: form.reason,
        errors,
    })
}

/// `GET /admin/members/{id}`
pub async fn member(
    req: HttpRequest,
    ctx: PageContext,
    _admin: AdminUser,
    db: Db,
    id: web::Path<UserId>,
) -> Result<HttpResponse, AppError> {
    let page = member_page(
        ctx,
        &db,
        id.into_inner(),
        ActionForm::default(),
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
}

/// What an account action's form asked for.
#[derive(Debug, Clone, Copy)]
enum AccountAction {
    Ban,
    Unban,
    Promote,
    Demote,
}

/// `POST /admin/members/{id}/ban` (`action` = ban or unban) and `…/role` (promote or demote)
/// share their form and its checks.
async fn act(
    req: HttpRequest,
    ctx: PageContext,
    admin: UserId,
    db: Db,
    session: Session,
    id: UserId,
    form: ActionForm,
    choices: [(&str, AccountAction); 2],
) -> Result<HttpResponse, AppError> {
    let mut errors = FieldErrors::new();
    let action = choices
        .iter()
        .find(|(name, _)| *name == form.action)
        .map(|(_, action)| *action);
    if action.is_none() {
        errors.add("action", "Choose what to do.");
    }
    let reason = errors.take("reason", Reason::parse(&form.reason));
    let (Some(action), Some(reason)) = (action, reason) else {
        let page = member_page(ctx, &db, id, form, errors).await?;
        return Ok(unprocessable(page, &req));
    };
    let outcome = db
        .run(move |conn| match action {
            AccountAction::Ban => members::set_banned(conn, admin, id, true, &reason),
            AccountAction::Unban => members::set_banned(conn, admin, id, false, &reason),
            AccountAction::Promote => members::set_admin(conn, admin, id, true, &reason),
            AccountAction::Demote => members::set_admin(conn, admin, id, false, &reason),
        })
        .await?;
    match outcome {
        Ok(()) => {
            let done = match action {
                AccountAction::Ban => {
                    "Banned: their logins and live pages have ended, and their listings are off the site."
                }
                AccountAction::Unban => "Unbanned: the listings the ban hid are back.",
                AccountAction::Promote => "They are an admin now.",
                AccountAction::Demote => "They are no longer an admin.",
            };
            session::push_flash(&session, FlashKind::Success, done);
            Ok(redirect(&format!("/admin/members/{id}")))
        }
        Err(Refused::NotFound) => Err(AppError::NotFound),
        Err(refused) => {
            let mut errors = FieldErrors::new();
            errors.add("action", refused.message());
            let page = member_page(ctx, &db, id, form, errors).await?;
            Ok(unprocessable(page, &req))
        }
    }
}

/// `POST /admin/members/{id}/ban`: `action` = ban or unban, with a reason.
pub async fn set_banned(
    req: HttpRequest,
    ctx: PageContext,
    AdminUser(admin): AdminUser,
    db: Db,
    session: Session,
    id: web::Path<UserId>,
    form: web::Form<ActionForm>,
) -> Result<HttpResponse, AppError> {
    let choices = [("ban", AccountAction::Ban), ("unban", AccountAction::Unban)];
    act(
        req,
        ctx,
        admin.id,
        db,
        session,
        id.into_inner(),
        form.into_inner(),
        choices,
    )
    .await
}

/// `POST /admin/members/{id}/role`: `action` = promote or demote, with a reason.
pub async fn set_role(
    req: HttpRequest,
    ctx: PageContext,
    AdminUser(admin): AdminUser,
    db: Db,
    session: Session,
    id: web::Path<UserId>,
    form: web::Form<ActionForm>,
) -> Result<HttpResponse, AppError> {
    let choices = [
        ("promote", AccountAction::Promote),
        ("demote", AccountAction::Demote),
    ];
    act(
        req,
        ctx,
        admin.id,
        db,
        session,
        id.into_inner(),
        form.into_inner(),
        choices,
    )
    .await
}
