//! Errors as RFC 9457 problem documents (`application/problem+json`), for the JSON API.
//!
//! Policy, as for the HTML error pages (`web::error`): the same `AppError`s, chosen by the
//! route's scope rather than by the handler; a message meant for the user becomes `detail`,
//! and the detail of an unexpected error or an outage never leaves the log (a 5xx carries
//! the request id instead). Validation problems list every field at once in `errors`.

use actix_web::body::MessageBody;
use actix_web::dev::ServiceResponse;
use actix_web::http::StatusCode;
use actix_web::middleware::ErrorHandlerResponse;
use serde::Serialize;

use super::error::{describe, replace_error_body};

/// A problem document (RFC 9457).
#[derive(Debug, Clone, Serialize, PartialEq, Eq, utoipa::ToSchema)]
pub struct Problem {
    /// `about:blank`: the status says what kind of problem it is.
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    pub status: u16,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// Every bad field of a request, at once.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    #[schema(required = false)]
    pub errors: Vec<FieldProblem>,
    /// On a 5xx: the id to quote when reporting it (the log has the rest).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
}

/// What is wrong with one field.
#[derive(Debug, Clone, Serialize, PartialEq, Eq, utoipa::ToSchema)]
pub struct FieldProblem {
    pub field: String,
    pub message: String,
}

impl Problem {
    pub fn new(status: StatusCode, detail: Option<String>) -> Self {
        let (title, _) = describe(status);
        Self {
            kind: "about:blank".into(),
            title: title.into(),
            status: status.as_u16(),
            detail,
            errors: Vec::new(),
            request_id: None,
        }
    }
}

/// Middleware hook (`ErrorHandlers::default_handler`) for the API's scope: every error
/// response that is not already a JSON document becomes a problem document, keeping its
/// status and headers (`Retry-After`, …).
pub fn render_problems<B: MessageBody + 'static>(
    res: ServiceResponse<B>,
) -> actix_web::Result<ErrorHandlerResponse<B>> {
    const RENDERED: &[&str] = &["application/json", "application/problem+json"];
    replace_error_body(res, RENDERED, |_, failure| {
        let mut problem = Problem::new(failure.status, failure.message);
        problem.request_id = failure.request_id;
        let body = serde_json::to_string(&problem).unwrap_or_else(|_| "{}".into());
        (body, "application/problem+json")
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::web::AppError;
    use actix_web::middleware::ErrorHandlers;
    use actix_web::test as actix_test;
    use actix_web::{App, HttpResponse, web};

    async fn failing(kind: web::Path<String>) -> Result<HttpResponse, AppError> {
        Err(match kind.as_str() {
            "internal" => AppError::Internal(anyhow::anyhow!("password=hunter2")),
            "limited" => AppError::TooManyRequests {
                retry_after: std::time::Duration::from_secs(30),
                reason: "Too many requests.",
            },
            "missing" => AppError::NotFound,
            _ => AppError::BadRequest("The cursor is not valid.".into()),
        })
    }

    async fn call(
        path: &str,
    ) -> (
        StatusCode,
        actix_web::http::header::HeaderMap,
        serde_json::Value,
    ) {
        let app = actix_test::init_service(
            App::new()
                .wrap(ErrorHandlers::new().default_handler(render_problems))
                .route("/fail/{kind}", web::get().to(failing)),
        )
        .await;
        let res =
            actix_test::call_service(&app, actix_test::TestRequest::get().uri(path).to_request())
                .await;
        let (status, headers) = (res.status(), res.headers().clone());
        let body = actix_test::read_body(res).await;
        (status, headers, serde_json::from_slice(&body).unwrap())
    }

    #[actix_web::test]
    async fn errors_become_problem_documents_without_internals() {
        let (status, headers, body) = call("/fail/internal").await;
        assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
        assert_eq!(
            headers.get("content-type").unwrap(),
            "application/problem+json"
        );
        assert_eq!(body["status"], 500);
        assert_eq!(body["type"], "about:blank");
        assert!(!body.to_string().contains("hunter2"));

        let (status, _, body) = call("/fail/bad").await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert_eq!(body["detail"], "The cursor is not valid.");
        assert_eq!(body["title"], "Bad request");

        let (status, headers, body) = call("/fail/limited").await;
        assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(headers.get("retry-after").unwrap(), "30");
        assert!(
            body["detail"]
                .as_str()
                .unwrap()
                .contains("Too many requests.")
        );

        let (status, _, body) = call("/fail/missing").await;
        assert_eq!((status.as_u16(), body["status"].as_u64()), (404, Some(404)));
        assert!(body.get("errors").is_none());
    }

    #[test]
    fn field_problems_are_listed() {
        let mut problem = Problem::new(StatusCode::UNPROCESSABLE_ENTITY, None);
        problem.errors.push(FieldProblem {
            field: "text".into(),
            message: "Write a message.".into(),
        });
        let json = serde_json::to_value(&problem).unwrap();
        assert_eq!(json["errors"][0]["field"], "text");
        assert_eq!(json["status"], 422);
    }
}
