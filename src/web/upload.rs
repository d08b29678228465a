//! Multipart uploads, streamed to temporary files.
//!
//! Policy: memory stays bounded whatever is sent. File fields are written chunk by chunk to a
//! temporary file and cut off at the per-file limit; text fields are capped small; the number
//! of parts is capped; and the whole request is capped, beyond which the answer is 413. A file
//! over its own limit is not an error here: the caller gets `too_large` and says so next to
//! the field.

use actix_multipart::{Field, Multipart};
use futures_util::StreamExt;
use tokio::io::AsyncWriteExt;

use super::AppError;

/// Limits for one multipart request.
#[derive(Debug, Clone, Copy)]
pub struct UploadLimits {
    pub max_file_bytes: u64,
    pub max_files: usize,
    pub max_text_bytes: usize,
    pub max_parts: usize,
    pub max_total_bytes: u64,
}

/// One uploaded file.
#[derive(Debug)]
pub struct UploadedFile {
    pub field: String,
    pub file: tempfile::NamedTempFile,
    pub size: u64,
    /// The file was cut off at `max_file_bytes`.
    pub too_large: bool,
}

/// A parsed multipart form: text fields and files, in order.
#[derive(Debug, Default)]
pub struct UploadForm {
    pub fields: Vec<(String, String)>,
    pub files: Vec<UploadedFile>,
    /// Files beyond `max_files`, read and thrown away; the caller says so.
    pub dropped_files: usize,
}

impl UploadForm {
    pub fn text(&self, name: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

/// Reads a whole multipart request under `limits`.
pub async fn read_upload(
    mut multipart: Multipart,
    limits: UploadLimits,
) -> Result<UploadForm, AppError> {
    let mut form = UploadForm::default();
    let mut total: u64 = 0;
    let mut parts = 0;
    while let Some(field) = multipart.next().await {
        let mut field = field.map_err(bad_upload)?;
        parts += 1;
        if parts > limits.max_parts {
            return Err(AppError::BadRequest("That form has too many parts.".into()));
        }
        let name = field.name().unwrap_or_default().to_owned();
        let is_file = field
            .content_disposition()
            .is_some_and(|cd| cd.get_filename().is_some());
        if is_file {
            if form.files.len() >= limits.max_files {
                drain(&mut field, &mut total, limits).await?;
                form.dropped_files += 1;
                continue;
            }
            let upload = save_file(&mut field, name, &mut total, limits).await?;
            // An empty file input (nothing chosen) sends an empty part: ignore it.
            if upload.size > 0 {
                form.files.push(upload);
            }
        } else {
            let mut value = Vec::new();
            while let Some(chunk) = field.next().await {
                let chunk = chunk.map_err(bad_upload)?;
                count(&mut total, chunk.len(), limits)?;
                if value.len() + chunk.len() > limits.max_text_bytes {
                    return Err(AppError::PayloadTooLarge);
                }
                value.extend_from_slice(&chunk);
            }
            if value.contains(&0) {
                return Err(super::nul::refused());
            }
            let value = String::from_utf8(value)
                .map_err(|_| AppError::BadRequest("That form could not be read.".into()))?;
            form.fields.push((name, value));
        }
    }
    Ok(form)
}

async fn save_file(
    field: &mut Field,
    name: String,
    total: &mut u64,
    limits: UploadLimits,
) -> Result<UploadedFile, AppError> {
    let temp = tempfile::NamedTempFile::new()
        .map_err(|err| anyhow::Error::new(err).context("cannot create an upload file"))?;
    let mut out = tokio::fs::File::from_std(
        temp.reopen()
            .map_err(|err| anyhow::Error::new(err).context("cannot open the upload file"))?,
    );
    let mut size: u64 = 0;
    let mut too_large = false;
    while let Some(chunk) = field.next().await {
        let chunk = chunk.map_err(bad_upload)?;
        count(total, chunk.len(), limits)?;
        if too_large {
            continue;
        }
        if size + chunk.len() as u64 > limits.max_file_bytes {
            too_large = true;
            continue;
        }
        size += chunk.len() as u64;
        out.write_all(&chunk)
            .await
            .map_err(|err| anyhow::Error::new(err).context("cannot write the upload file"))?;
    }
    out.flush()
        .await
        .map_err(|err| anyhow::Error::new(err).context("cannot write the upload file"))?;
    Ok(UploadedFile {
        field: name,
        file: temp,
        size,
        too_large,
    })
}

async fn drain(field: &mut Field, total: &mut u64, limits: UploadLimits) -> Result<(), AppError> {
    while let Some(chunk) = field.next().await {
        count(total, chunk.map_err(bad_upload)?.len(), limits)?;
    }
    Ok(())
}

fn count(total: &mut u64, len: usize, limits: UploadLimits) -> Result<(), AppError> {
    *total += len as u64;
    if *total > limits.max_total_bytes {
        return Err(AppError::PayloadTooLarge);
    }
    Ok(())
}

fn bad_upload(err: actix_multipart::MultipartError) -> AppError {
    tracing::info!(error = %err, "unreadable upload");
    AppError::BadRequest("The upload could not be read. Try again.".into())
}
