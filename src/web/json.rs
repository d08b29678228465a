//! JSON in and out for the API: the body extractor and the responses.
//!
//! Policy: a body must say it is JSON (`application/json`, or a `+json` type; else 415), be
//! at most [`JSON_LIMIT_BYTES`] (else 413) and parse (else 400). A body that parses but does
//! not fit the request's shape (a missing field, a number where text goes) is a 422 problem
//! document naming the field, like the checks that come after it; those collect every bad
//! field at once ([`unprocessable`]).

use actix_web::dev::Payload;
use actix_web::http::StatusCode;
use actix_web::http::header;
use actix_web::{FromRequest, HttpRequest, HttpResponse};
use futures_util::StreamExt;
use futures_util::future::LocalBoxFuture;
use serde::Serialize;
use serde::de::DeserializeOwned;

use super::problem::{FieldProblem, Problem};
use super::{AppError, FieldErrors};

/// The largest JSON body accepted.
pub const JSON_LIMIT_BYTES: usize = 64 * 1024;

/// A JSON request body of type `T`.
#[derive(Debug)]
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned + 'static> FromRequest for ApiJson<T> {
    type Error = actix_web::Error;
    type Future = LocalBoxFuture<'static, Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let is_json = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(';').next())
            .map(|v| v.trim().to_ascii_lowercase())
            .is_some_and(|v| v == "application/json" || v.ends_with("+json"));
        let declared = req
            .headers()
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<usize>().ok());
        let mut payload = payload.take();
        Box::pin(async move {
            if !is_json {
                return Err(AppError::UnsupportedMediaType(
                    "Send the body as JSON, with Content-Type: application/json.",
                )
                .into());
            }
            if declared.is_some_and(|len| len > JSON_LIMIT_BYTES) {
                return Err(AppError::PayloadTooLarge.into());
            }
            let mut body = Vec::with_capacity(declared.unwrap_or(1024).min(JSON_LIMIT_BYTES));
            while let Some(chunk) = payload.next().await {
                let chunk = chunk?;
                if body.len() + chunk.len() > JSON_LIMIT_BYTES {
                    return Err(AppError::PayloadTooLarge.into());
                }
                body.extend_from_slice(&chunk);
            }
            parse(&body).map(ApiJson)
        })
    }
}

/// `body` as a `T`, or the response that says what is wrong with it. The body is read as
/// JSON first (a syntax error is a 400), refused if any of its text holds a NUL character
/// (which no text column can store, like a NUL byte anywhere else in a request), then fitted
/// to `T` (a misfit is a 422 naming the field).
fn parse<T: DeserializeOwned>(body: &[u8]) -> Result<T, actix_web::Error> {
    let value: serde_json::Value = serde_json::from_slice(body).map_err(|err| {
        AppError::BadRequest(format!(
            "The body is not valid JSON: {}.",
            without_position(&err)
        ))
    })?;
    if holds_nul(&value) {
        return Err(
            AppError::BadRequest("Text may not contain a NUL character (\\u0000).".into()).into(),
        );
    }
    serde_path_to_error::deserialize(value).map_err(|err| {
        let path = err.path().to_string();
        let message = without_position(err.inner());
        // serde names a missing field in its message, at the path of the object.
        let field = match message
            .strip_prefix("missing field `")
            .and_then(|rest| rest.strip_suffix('`'))
        {
            Some(name) if path == "." => name.to_owned(),
            Some(name) => format!("{path}.{name}"),
            None => path,
        };
        let mut errors = FieldErrors::new();
        errors.add(field, sentence(&message));
        actix_web::error::InternalError::from_response(
            "invalid request body",
            unprocessable(&errors),
        )
        .into()
    })
}

/// Whether any string or key in `value` holds a NUL character. The depth is bounded by the
/// JSON parser's own limit (128).
fn holds_nul(value: &serde_json::Value) -> bool {
    use serde_json::Value;
    match value {
        Value::String(text) => text.contains('\0'),
        Value::Array(items) => items.iter().any(holds_nul),
        Value::Object(fields) => fields
            .iter()
            .any(|(key, value)| key.contains('\0') || holds_nul(value)),
        _ => false,
    }
}

/// serde's message without its "at line 1 column 9".
fn without_position(err: &serde_json::Error) -> String {
    let text = err.to_string();
    match text.rsplit_once(" at line ") {
        Some((message, _)) => message.to_owned(),
        None => text,
    }
}

fn sentence(message: &str) -> String {
    let mut chars = message.chars();
    match chars.next() {
        Some(first) => format!("{}{}.", first.to_uppercase(), chars.as_str()),
        None => String::new(),
    }
}

/// 422: the request's fields that are not valid, every one of them.
pub fn unprocessable(errors: &FieldErrors) -> HttpResponse {
    let mut problem = Problem::new(
        StatusCode::UNPROCESSABLE_ENTITY,
        Some(match errors.len() {
            1 => "One field is not valid.".to_owned(),
            n => format!("{n} fields are not valid."),
        }),
    );
    problem.errors = errors
        .iter()
        .map(|(field, message)| FieldProblem {
            field: field.to_owned(),
            message: message.to_owned(),
        })
        .collect();
    problem_response(&problem)
}

/// A problem document as a response.
pub fn problem_response(problem: &Problem) -> HttpResponse {
    let status = StatusCode::from_u16(problem.status).unwrap_or(StatusCode::BAD_REQUEST);
    HttpResponse::build(status)
        .content_type("application/problem+json")
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .body(serde_json::to_string(problem).unwrap_or_else(|_| "{}".into()))
}

/// `body` as JSON with `status`; never cached (API answers are per caller).
pub fn json<T: Serialize>(status: StatusCode, body: &T) -> HttpResponse {
    HttpResponse::build(status)
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(body)
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::test as actix_test;
    use actix_web::{App, web};

    #[derive(Debug, serde::Deserialize)]
    #[allow(dead_code)]
    struct Body {
        text: String,
        #[serde(default)]
        size: Option<i32>,
        #[serde(default)]
        inner: Option<Inner>,
    }

    #[derive(Debug, serde::Deserialize)]
    #[allow(dead_code)]
    struct Inner {
        width: u32,
    }

    async fn echo(body: ApiJson<Body>) -> HttpResponse {
        HttpResponse::Ok().body(format!("{}:{:?}", body.0.text, body.0.size))
    }

    async fn post(content_type: &str, body: &str) -> (u16, String) {
        let app = actix_test::init_service(App::new().route("/", web::post().to(echo))).await;
        let req = actix_test::TestRequest::post()
            .uri("/")
            .insert_header((header::CONTENT_TYPE, content_type))
            .set_payload(body.to_owned())
            .to_request();
        let res = actix_test::call_service(&app, req).await;
        let status = res.status().as_u16();
        let body = actix_test::read_body(res).await;
        (status, String::from_utf8(body.to_vec()).unwrap())
    }

    #[actix_web::test]
    async fn bodies_are_checked_for_type_size_syntax_and_shape() {
        assert_eq!(
            post("application/json", r#"{"text":"hi","size":3}"#).await,
            (200, "hi:Some(3)".into())
        );
        assert_eq!(
            post("application/json; charset=utf-8", r#"{"text":"x"}"#)
                .await
                .0,
            200
        );
        assert_eq!(post("text/plain", r#"{"text":"hi"}"#).await.0, 415);
        let big = format!(r#"{{"text":"{}"}}"#, "a".repeat(JSON_LIMIT_BYTES));
        assert_eq!(post("application/json", &big).await.0, 413);
        assert_eq!(post("application/json", r#"{"text":"#).await.0, 400);
        assert_eq!(
            post("application/json", r#"{"text":"a"} trailing"#).await.0,
            400
        );
        // A NUL character, however it is written, anywhere in the body; an escaped
        // backslash before "u0000" is not one.
        for (body, status) in [
            (r#"{"text":"a\u0000b"}"#, 400),
            (r#"{"text":"a","x":{"\u0000":1}}"#, 400),
            (r#"{"text":"a\\u0000b"}"#, 200),
        ] {
            assert_eq!(post("application/json", body).await.0, status, "{body}");
        }

        let (status, body) = post("application/json", r#"{"size":3}"#).await;
        let problem: serde_json::Value = serde_json::from_str(&body).unwrap();
        assert_eq!(status, 422);
        assert_eq!(problem["errors"][0]["field"], "text");
        assert_eq!(problem["errors"][0]["message"], "Missing field `text`.");

        let (status, body) = post("application/json", r#"{"text":"a","size":"big"}"#).await;
        let problem: serde_json::Value = serde_json::from_str(&body).unwrap();
        assert_eq!(status, 422);
        assert_eq!(problem["errors"][0]["field"], "size");

        let (_, body) = post("application/json", r#"{"text":"a","inner":{}}"#).await;
        let problem: serde_json::Value = serde_json::from_str(&body).unwrap();
        assert_eq!(problem["errors"][0]["field"], "inner.width");
    }
}
