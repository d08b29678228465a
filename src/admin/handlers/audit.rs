//! The audit log page.

use actix_web::{HttpRequest, HttpResponse, web};
use chrono::Utc;
use serde::Deserialize;

use crate::admin::queries;
use crate::admin::views::{AuditPage, AuditView};
use crate::moderation::audit::{self, AuditAction, AuditFilter, TargetKind};
use crate::web::respond::form_page;
use crate::web::time::{ago, exact};
use crate::web::{AdminUser, AppError, Db, PageContext};

/// Entries on one page of the audit log.
pub(super) const AUDIT_PAGE: i64 = 50;

pub(super) fn audit_view(entry: audit::AuditRow, now: chrono::DateTime<Utc>) -> AuditView {
    let target_path = match entry.target_kind {
        TargetKind::Listing => Some(format!("/admin/listings/{}", entry.target_id)),
        TargetKind::Member => Some(format!("/admin/members/{}", entry.target_id)),
        TargetKind::Message => Some(format!("/admin/reports/messages/{}", entry.target_id)),
        _ => None,
    };
    AuditView {
        admin: entry.admin_username,
        action: entry.action,
        target: if entry.target_label.is_empty() {
            format!("{} {}", entry.target_kind, entry.target_id)
        } else {
            format!(
                "{} {}: {}",
                entry.target_kind, entry.target_id, entry.target_label
            )
        },
        target_path,
        reason: entry.reason,
        when: ago(entry.created_at, now),
        exact: exact(entry.created_at),
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct AuditQuery {
    action: String,
    admin: String,
    target_kind: String,
    target_id: String,
    before: String,
}

/// `GET /admin/audit`: every admin action, newest first, filtered by action, admin or target.
pub async fn audit_log(
    req: HttpRequest,
    ctx: PageContext,
    _admin: AdminUser,
    db: Db,
    query: web::Query<AuditQuery>,
) -> Result<HttpResponse, AppError> {
    let query = query.into_inner();
    let mut notes = Vec::new();
    let mut filter = AuditFilter::default();
    if !query.action.is_empty() {
        filter.action = AuditAction::parse(&query.action);
        if filter.action.is_none() {
            notes.push("That action is unknown; showing every action.".to_owned());
        }
    }
    if let (Some(kind), Ok(id)) = (
        TargetKind::parse(&query.target_kind),
        query.target_id.trim().parse::<i64>(),
    ) {
        filter.target = Some((kind, id));
    }
    if !query.before.is_empty() {
        filter.before = Some(query.before.parse().map_err(|_| {
            AppError::BadRequest("That page of the audit log does not exist.".into())
        })?);
    }
    let admin_name = query.admin.trim().trim_start_matches('@').to_owned();
    let (rows, unknown_admin) = db
        .run(move |conn| {
            if !admin_name.is_empty() {
                match queries::user_id_by_username(conn, &admin_name)? {
                    Some(id) => filter.admin = Some(id),
                    None => return Ok::<_, AppError>((Vec::new(), true)),
                }
            }
            Ok((audit::entries(conn, &filter, AUDIT_PAGE)?, false))
        })
        .await?;
    if unknown_admin {
        notes.push("There is no member with that username.".to_owned());
    }
    let mut rows = rows;
    let next = (rows.len() as i64 > AUDIT_PAGE).then(|| {
        rows.truncate(AUDIT_PAGE as usize);
        let last = rows.last().expect("a full page").id;
        let mut out = url::form_urlencoded::Serializer::new(String::new());
        for (key, value) in [
            ("action", &query.action),
            ("admin", &query.admin),
            ("target_kind", &query.target_kind),
            ("target_id", &query.target_id),
        ] {
            if !value.is_empty() {
                out.append_pair(key, value);
            }
        }
        out.append_pair("before", &last.to_string());
        format!("/admin/audit?{}", out.finish())
    });
    let now = Utc::now();
    let page = AuditPage {
        ctx,
        entries: rows.into_iter().map(|e| audit_view(e, now)).collect(),
        action: query.action,
        admin: query.admin,
        next,
        notes,
    };
    Ok(form_page(page, &req))
}
