//! Background jobs as an operator sees them: what waits, runs, failed or died, with the last
//! error; retry or discard one (audited).

use actix_session::Session;
use actix_web::{HttpRequest, HttpResponse, web};
use chrono::Utc;
use serde::Deserialize;

use crate::admin::views::{JobView, JobsPage};
use crate::db::ids::JobId;
use crate::jobs::queue;
use crate::web::respond::{form_page, redirect};
use crate::web::session::{self, FlashKind};
use crate::web::time::{exact, span};
use crate::web::{AdminUser, AppError, Db, PageContext};

/// Jobs listed on the page (dead and failed ones first).
const LIMIT: i64 = 200;

/// `GET /admin/jobs`
pub async fn jobs(
    req: HttpRequest,
    ctx: PageContext,
    _admin: AdminUser,
    db: Db,
) -> Result<HttpResponse, AppError> {
    let rows = db.run(|conn| queue::list(conn, LIMIT)).await?;
    let now = Utc::now();
    let page = JobsPage {
        ctx,
        jobs: rows
            .into_iter()
            .map(|job| JobView {
                condition: job.condition(now),
                id: job.id,
                kind: job.kind,
                attempts: format!("{} of {}", job.attempts, job.max_attempts),
                due: if job.run_at > now {
                    format!("in {}", span(job.run_at - now))
                } else {
                    "now".into()
                },
                due_exact: exact(job.run_at),
                last_error: job.last_error,
            })
            .collect(),
    };
    Ok(form_page(page, &req))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct JobForm {
    action: String,
}

/// `POST /admin/jobs/{id}`: `action` = retry (run it now, attempts counted afresh) or
/// discard; refused for a job a worker holds.
pub async fn act_on_job(
    AdminUser(admin): AdminUser,
    db: Db,
    session: Session,
    id: web::Path<JobId>,
    form: web::Form<JobForm>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let retry = match form.action.as_str() {
        "retry" => true,
        "discard" => false,
        _ => return Err(AppError::BadRequest("Choose to retry or discard.".into())),
    };
    let admin_id = admin.id;
    let done = db
        .run(move |conn| crate::admin::queries::act_on_job(conn, admin_id, id, retry))
        .await?;
    match done {
        None => Err(AppError::NotFound),
        Some(true) => {
            session::push_flash(
                &session,
                FlashKind::Success,
                if retry {
                    "The job is queued to run now."
                } else {
                    "The job is discarded."
                },
            );
            Ok(redirect("/admin/jobs"))
        }
        Some(false) => {
            session::push_flash(
                &session,
                FlashKind::Error,
                "A worker is running that job right now; try again once it is done.",
            );
            Ok(redirect("/admin/jobs"))
        }
    }
}
