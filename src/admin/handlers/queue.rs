//! The moderation queue, and the decisions taken from it: appeals, reported messages (shown
//! with the ten around them) and reported profiles. Held listings are decided with the
//! listing actions, which come back here.

use actix_session::Session;
use actix_web::{HttpRequest, HttpResponse, web};
use chrono::Utc;
use serde::Deserialize;

use crate::admin::views::{
    AppealQueueItem, HeldQueueItem, MessageQueueItem, ProfileQueueItem, QueuePage,
    ReportedMessagePage, ReportedMessageView,
};
use crate::db::ids::{AppealId, MessageId, UserId};
use crate::listings::domain::slugify;
use crate::moderation::domain::{Decision, Reason};
use crate::moderation::reports::{self, AppealDecided, Reported};
use crate::web::respond::{form_page, redirect};
use crate::web::session::{self, FlashKind};
use crate::web::time::{ago, exact};
use crate::web::{AdminUser, AppError, Db, PageContext};

/// `GET /admin/queue`: held listings, appeals, reported messages and profiles, oldest first.
pub async fn queue(
    req: HttpRequest,
    ctx: PageContext,
    _admin: AdminUser,
    db: Db,
) -> Result<HttpResponse, AppError> {
    let queue = db.run(reports::queue).await?;
    let now = Utc::now();
    let page = QueuePage {
        ctx,
        held: queue
            .held
            .into_iter()
            .map(|h| HeldQueueItem {
                id: h.id,
                path: format!("/listings/{}/{}", h.id, slugify(&h.title)),
                title: h.title,
                owner: h.owner,
                reason: h.reason.unwrap_or_default(),
                flags: format!("{:.1}", h.flag_weight),
                waiting: h.since.map(|at| ago(at, now)).unwrap_or_default(),
            })
            .collect(),
        appeals: queue
            .appeals
            .into_iter()
            .map(|a| AppealQueueItem {
                id: a.id,
                listing: a.listing_id,
                title: a.title,
                owner: a.owner,
                message: a.message,
                waiting: ago(a.created_at, now),
            })
            .collect(),
        messages: queue
            .messages
            .into_iter()
            .map(|m| MessageQueueItem {
                id: m.message_id,
                reason: m.reason,
                reporter: m.reporter,
                waiting: ago(m.created_at, now),
            })
            .collect(),
        profiles: queue
            .profiles
            .into_iter()
            .map(|p| ProfileQueueItem {
                id: p.user_id,
                username: p.username,
                reason: p.reason,
                reporter: p.reporter,
                waiting: ago(p.created_at, now),
            })
            .collect(),
    };
    Ok(form_page(page, &req))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct DecisionForm {
    decision: String,
    reason: String,
}

impl DecisionForm {
    /// The decision (`on` or `off`) and its reason; a bad form is a flash on the queue (the
    /// forms are one click each, and what was typed is one line).
    fn parse(&self, on: &str, off: &str) -> Result<(bool, Reason), String> {
        let yes = match self.decision.as_str() {
            d if d == on => true,
            d if d == off => false,
            _ => return Err("Choose a decision.".into()),
        };
        let reason = Reason::parse(&self.reason).map_err(|e| format!("Reason: {e}"))?;
        Ok((yes, reason))
    }
}

/// Back to the queue with what went wrong.
fn refused(session: &Session, message: String) -> HttpResponse {
    session::push_flash(session, FlashKind::Error, message);
    redirect("/admin/queue")
}

/// `POST /admin/appeals/{id}`: grant (the listing comes back) or deny.
pub async fn decide_appeal(
    AdminUser(admin): AdminUser,
    db: Db,
    session: Session,
    id: web::Path<AppealId>,
    form: web::Form<DecisionForm>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let (grant, reason) = match form.parse("grant", "deny") {
        Ok(parsed) => parsed,
        Err(message) => return Ok(refused(&session, message)),
    };
    let admin_id = admin.id;
    let outcome = db
        .run(move |conn| reports::decide_appeal(conn, admin_id, id, grant, &reason))
        .await?;
    match outcome {
        AppealDecided::Decided => session::push_flash(
            &session,
            FlashKind::Success,
            if grant {
                "Appeal granted: the listing is back."
            } else {
                "Appeal denied: the listing stays off the site."
            },
        ),
        AppealDecided::NotOpen => return Err(AppError::NotFound),
    }
    Ok(redirect("/admin/queue"))
}

/// `GET /admin/reports/messages/{id}`: a reported message with the ten around it.
pub async fn reported_message(
    req: HttpRequest,
    ctx: PageContext,
    _admin: AdminUser,
    db: Db,
    id: web::Path<MessageId>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let found = db
        .run(move |conn| reports::reported_message(conn, id))
        .await?
        .ok_or(AppError::NotFound)?;
    let now = Utc::now();
    let page = ReportedMessagePage {
        ctx,
        id,
        around: found
            .around
            .into_iter()
            .map(|m| ReportedMessageView {
                reported: m.message.id == id,
                author: m
                    .author
                    .unwrap_or_else(|| "a guest or deleted member".into()),
                text: message_text(&m.message),
                when: exact(m.message.created_at),
            })
            .collect(),
        reports: found
            .reports
            .into_iter()
            .map(|(reporter, reason, decision, at)| {
                (
                    reporter,
                    reason,
                    decision.map(Decision::as_str),
                    ago(at, now),
                )
            })
            .collect(),
    };
    Ok(form_page(page, &req))
}

/// `POST /admin/reports/messages/{id}`: uphold or reject every open report of the message.
pub async fn decide_message_report(
    AdminUser(admin): AdminUser,
    db: Db,
    session: Session,
    id: web::Path<MessageId>,
    form: web::Form<DecisionForm>,
) -> Result<HttpResponse, AppError> {
    decide_report(
        admin.id,
        &db,
        &session,
        Reported::Message(id.into_inner()),
        &form,
    )
    .await
}

/// `POST /admin/reports/profiles/{id}`: uphold or reject every open report of the profile.
pub async fn decide_profile_report(
    AdminUser(admin): AdminUser,
    db: Db,
    session: Session,
    id: web::Path<UserId>,
    form: web::Form<DecisionForm>,
) -> Result<HttpResponse, AppError> {
    decide_report(
        admin.id,
        &db,
        &session,
        Reported::Profile(id.into_inner()),
        &form,
    )
    .await
}

async fn decide_report(
    admin: UserId,
    db: &Db,
    session: &Session,
    target: Reported,
    form: &DecisionForm,
) -> Result<HttpResponse, AppError> {
    let (uphold, reason) = match form.parse("uphold", "reject") {
        Ok(parsed) => parsed,
        Err(message) => return Ok(refused(session, message)),
    };
    let decision = if uphold {
        Decision::Upheld
    } else {
        Decision::Rejected
    };
    let decided = db
        .run(move |conn| reports::decide_reports(conn, admin, target, decision, &reason))
        .await?;
    if decided == 0 {
        return Err(AppError::NotFound);
    }
    session::push_flash(
        session,
        FlashKind::Success,
        format!("Report {}.", if uphold { "upheld" } else { "rejected" }),
    );
    Ok(redirect("/admin/queue"))
}

/// A message in full, as a moderator reads it: its text, and what it carries.
fn message_text(message: &crate::messages::models::Message) -> String {
    use crate::messages::domain::MessageKind;
    let attachment = match message.kind {
        MessageKind::Text | MessageKind::System => None,
        MessageKind::Image => Some("[photo]".to_owned()),
        MessageKind::Video => Some(format!(
            "[video link: {} {}]",
            message.video_source.map_or("video", |v| v.label()),
            message.video_id.as_deref().unwrap_or_default()
        )),
    };
    match attachment {
        Some(a) if message.body.is_empty() => a,
        Some(a) => format!("{a} {}", message.body),
        None => message.body.clone(),
    }
}
