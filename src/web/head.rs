//! `HEAD` is answered wherever `GET` is: monitors, link checkers and caches ask with it.
//!
//! The request is routed as a `GET`; the server leaves the body out of the answer (actix's
//! HTTP/1 codec remembers the request was a `HEAD`), keeping the status and headers,
//! `Content-Length` included. So no route needs declaring twice, and none can forget to.
//! A streamed body (an event stream never ends) is dropped here, so the connection is free
//! for the next request at once.

use actix_web::body::{BodySize, EitherBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::Method;
use actix_web::middleware::Next;

pub async fn answer_head_like_get<B: MessageBody>(
    mut req: ServiceRequest,
    next: Next<B>,
) -> Result<ServiceResponse<EitherBody<B, ()>>, actix_web::Error> {
    let head = req.method() == Method::HEAD;
    if head {
        req.head_mut().method = Method::GET;
    }
    let res = next.call(req).await?;
    if head && matches!(res.response().body().size(), BodySize::Stream) {
        return Ok(res.map_body(|_, _| EitherBody::right(())));
    }
    Ok(res.map_into_left_body())
}
