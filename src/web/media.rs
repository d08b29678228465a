//! `GET /media/{key}`: objects of the local store, for holders of a signed URL.
//!
//! The response is sandboxed (`Content-Security-Policy: sandbox`) and typed from the key, so
//! even a stored file that slipped past the upload checks cannot run as a page of this site.
//! With S3 configured, browsers fetch presigned S3 URLs and this route answers 404.

use actix_web::http::header;
use actix_web::{HttpResponse, web};
use tokio_util::io::ReaderStream;

use super::AppError;
use crate::storage::{LocalStore, MediaSignature, ObjectKey, Storage};

pub async fn serve_media(
    storage: web::Data<Storage>,
    key: web::Path<String>,
    signature: web::Query<MediaSignature>,
) -> Result<HttpResponse, AppError> {
    let Storage::Local(store) = storage.get_ref() else {
        return Err(AppError::NotFound);
    };
    let key = ObjectKey::parse(&key).map_err(|_| AppError::NotFound)?;
    if !store.verify(&key, &signature) {
        return Err(AppError::Forbidden(Some(
            "This link has expired or is not valid. Reload the page to get a fresh one.".into(),
        )));
    }
    let max_age = signature
        .expires
        .saturating_sub(chrono::Utc::now().timestamp().max(0) as u64);
    stream_local(store, &key, &format!("private, max-age={max_age}")).await
}

/// Streams an object of the local store, sandboxed, with `cache_control`.
pub async fn stream_local(
    store: &LocalStore,
    key: &ObjectKey,
    cache_control: &str,
) -> Result<HttpResponse, AppError> {
    let file = match tokio::fs::File::open(store.path(key)).await {
        Ok(file) => file,
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => return Err(AppError::NotFound),
        Err(err) => return Err(anyhow::Error::new(err).context("cannot open media").into()),
    };
    let len = file
        .metadata()
        .await
        .map_err(|err| anyhow::Error::new(err).context("cannot stat media"))?
        .len();
    Ok(HttpResponse::Ok()
        .content_type(key.content_type())
        .insert_header((header::CONTENT_LENGTH, len))
        .insert_header((header::CACHE_CONTROL, cache_control.to_owned()))
        .insert_header((
            header::CONTENT_SECURITY_POLICY,
            "sandbox; default-src 'none'",
        ))
        .streaming(ReaderStream::new(file)))
}
