//! `HEAD` is answered wherever `GET` is: monitors, link checkers and caches ask with it.
//!
//! The request is routed as a `GET`; the server leaves the body out of the answer (actix's
//! HTTP/1 codec remembers the request was a `HEAD`), keeping the status and headers,
//! `Content-Length` included. So no route needs declaring twice, and none can forget to.

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::Method;
use actix_web::middleware::Next;

pub async fn answer_head_like_get<B: MessageBody>(
    mut req: ServiceRequest,
    next: Next<B>,
) -> Result<ServiceResponse<B>, actix_web::Error> {
    if req.method() == Method::HEAD {
        req.head_mut().method = Method::GET;
    }
    next.call(req).await
}
