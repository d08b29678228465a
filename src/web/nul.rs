//! NUL bytes are refused before any handler sees them.
//!
//! Policy: no text Corkboard keeps or looks up can hold a NUL (PostgreSQL's text cannot), so a
//! `%00` in a path is a 404 and one in a query string or an urlencoded form is a 400: an
//! answer at the edge, never a database error and a 500. (Urlencoded bodies are checked where
//! the CSRF check reads them; multipart text fields by the upload reader; JSON by its parser's
//! caller.)

use actix_web::ResponseError;
use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;

use super::AppError;

/// Whether percent-encoded or raw text holds a NUL.
pub fn has_nul(text: &[u8]) -> bool {
    text.contains(&0)
        || text
            .windows(3)
            .any(|w| w[0] == b'%' && w[1] == b'0' && w[2] == b'0')
}

/// The refusal for a NUL in a query string or form.
pub fn refused() -> AppError {
    AppError::BadRequest("That request holds a character we cannot accept (NUL).".into())
}

pub async fn refuse_nul_bytes<B: MessageBody>(
    req: ServiceRequest,
    next: Next<B>,
) -> Result<ServiceResponse<EitherBody<B>>, actix_web::Error> {
    let refusal = if has_nul(req.uri().path().as_bytes()) {
        Some(AppError::NotFound)
    } else if has_nul(req.query_string().as_bytes()) {
        Some(refused())
    } else {
        None
    };
    match refusal {
        // Answered here so the error-page middleware around us dresses it.
        Some(err) => Ok(req
            .into_response(err.error_response())
            .map_into_right_body()),
        None => next
            .call(req)
            .await
            .map(ServiceResponse::map_into_left_body),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nul_is_found_raw_or_percent_encoded() {
        assert!(has_nul(b"/u/%00"));
        assert!(has_nul(b"a=%00b"));
        assert!(has_nul(b"a=\0"));
        assert!(!has_nul(b"a=%20%0A%100"));
        assert!(!has_nul(b"/listings/100/bike"));
    }
}
