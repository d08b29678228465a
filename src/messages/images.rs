//! Photos sent in messages: checked and re-encoded like listing photos (type by bytes, pixel
//! floods refused before decoding, EXIF orientation applied and every other piece of metadata
//! dropped), stored as one private derivative that only the conversation's members get a
//! signed URL for.

use crate::photos::{self, PhotoError};
use crate::storage::{ObjectKey, Storage};
use crate::web::AppError;
use crate::web::upload::UploadedFile;

/// The largest upload, as for listing photos.
pub const MAX_IMAGE_BYTES: u64 = photos::MAX_FILE_BYTES;
/// Long edge of the stored image.
pub const IMAGE_EDGE: u32 = 1600;

/// Why an upload was not stored, for the form.
#[derive(Debug, thiserror::Error)]
pub enum ImageRefused {
    #[error(transparent)]
    Photo(#[from] PhotoError),
    #[error(
        "Photos can't be stored right now. Send your message without it, or try again in a few minutes."
    )]
    StorageDown,
}

/// A stored image.
#[derive(Debug, Clone)]
pub struct StoredImage {
    pub key: ObjectKey,
    pub width: i32,
    pub height: i32,
}

/// Re-encodes and stores an upload. `Ok(Err(..))` is for the form.
pub async fn store(
    storage: &Storage,
    file: UploadedFile,
) -> Result<Result<StoredImage, ImageRefused>, AppError> {
    Ok(
        match photos::store_jpeg(storage, file, "messages", IMAGE_EDGE).await? {
            Ok(stored) => Ok(StoredImage {
                key: stored.key,
                width: stored.width,
                height: stored.height,
            }),
            Err(photos::NotStored::Photo(err)) => Err(err.into()),
            Err(photos::NotStored::StorageDown) => Err(ImageRefused::StorageDown),
        },
    )
}

/// Deletes a stored image no message refers to, best effort (logged when it fails).
pub async fn discard(storage: &Storage, key: &ObjectKey) {
    if let Err(err) = storage.delete(key).await {
        tracing::warn!(error = %err, %key, "cannot delete a message photo");
    }
}

/// Deletes stored message photos no message refers to (a process that died between storing
/// a photo and committing its message) once they are older than `grace`, which protects a
/// photo whose message is being sent right now. Returns how many went. For the janitor.
pub async fn sweep_orphans(
    db: &crate::web::Db,
    storage: &Storage,
    grace: std::time::Duration,
) -> Result<usize, AppError> {
    photos::sweep_orphans(
        db,
        storage,
        "messages/",
        grace,
        super::queries::image_in_use,
    )
    .await
}
