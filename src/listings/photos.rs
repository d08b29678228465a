//! Turning an uploaded file into a listing photo: two re-encoded derivatives in storage, then
//! the row. A row never exists without its objects; if the row cannot be written the objects
//! are deleted again (and whatever a crash leaves behind, the janitor finds: nothing refers
//! to it).

use bytes::Bytes;
use chrono::Utc;
use uuid::Uuid;

use super::models::Photo;
use super::queries;
use crate::db::ids::UserId;
use crate::photos::{self, PhotoError};
use crate::storage::{ObjectKey, Storage};
use crate::web::upload::UploadedFile;
use crate::web::{AppError, Db};

/// Long edge of the photo shown on the listing page.
pub const DISPLAY_EDGE: u32 = 1600;
/// Side of the square thumbnail in lists and the gallery strip.
pub const THUMB_SIDE: u32 = 400;

/// Why an upload did not become a photo, for the form.
#[derive(Debug, thiserror::Error)]
pub enum Refused {
    /// Something about the file.
    #[error(transparent)]
    Photo(#[from] PhotoError),
    /// Photos cannot be stored right now: the form is kept, to post without them or later.
    #[error("Photos can't be stored right now. Post without them, or try again in a few minutes.")]
    StorageDown,
}

/// Stores an upload as a pending photo of `owner_id`. `Ok(Err(..))` is a problem with the
/// file or the photo storage, for the form; `Err(..)` is a problem of ours.
pub async fn store_upload(
    db: &Db,
    storage: &Storage,
    owner_id: UserId,
    file: UploadedFile,
) -> Result<Result<Photo, Refused>, AppError> {
    if file.too_large {
        return Ok(Err(PhotoError::TooLarge.into()));
    }
    let derived = photos::run_limited(move || {
        let img = photos::decode(file.file.path())?;
        let display = photos::fit_within(&img, DISPLAY_EDGE);
        drop(img);
        // From the display image: a sixth of the pixels of a 12 MP original to read.
        let thumb = photos::square(&display, THUMB_SIDE);
        Ok::<_, PhotoError>((
            photos::encode_jpeg(&display),
            display.width(),
            display.height(),
            photos::encode_jpeg(&thumb),
        ))
    })
    .await?;
    let (display, width, height, thumb) = match derived {
        Ok(derived) => derived,
        Err(err) => return Ok(Err(err.into())),
    };
    let id = Uuid::new_v4();
    let display_key = ObjectKey::parse(&format!("photos/{id}/display.jpg"))?;
    let thumb_key = ObjectKey::parse(&format!("photos/{id}/thumb.jpg"))?;
    let stored = async {
        storage
            .put(&display_key, Bytes::from(display), "image/jpeg")
            .await?;
        storage
            .put(&thumb_key, Bytes::from(thumb), "image/jpeg")
            .await
    }
    .await;
    let photo = Photo {
        id,
        owner_id,
        listing_id: None,
        position: 0,
        display_key: display_key.clone(),
        thumb_key: thumb_key.clone(),
        width: width as i32,
        height: height as i32,
        alt_text: String::new(),
        created_at: Utc::now(),
    };
    if let Err(err) = stored {
        // Whatever the store's trouble (unreachable, full, refusing), the member can post
        // without photos meanwhile; the detail is for the log.
        tracing::warn!(error = %err, "cannot store a photo");
        delete_objects(storage, &[display_key, thumb_key]).await;
        return Ok(Err(Refused::StorageDown));
    }
    let row = photo.clone();
    let recorded = db.run(move |conn| queries::insert_photo(conn, &row)).await;
    if let Err(err) = recorded {
        delete_objects(storage, &[display_key, thumb_key]).await;
        return Err(err);
    }
    Ok(Ok(photo))
}

/// Deletes objects, best effort: what fails is logged and left for the janitor.
pub async fn delete_objects(storage: &Storage, keys: &[ObjectKey]) {
    for key in keys {
        if let Err(err) = storage.delete(key).await {
            tracing::warn!(error = %err, %key, "cannot delete a photo object");
        }
    }
}

/// The objects of these photos.
pub fn object_keys(photos: &[Photo]) -> Vec<ObjectKey> {
    photos
        .iter()
        .flat_map(|p| [p.display_key.clone(), p.thumb_key.clone()])
        .collect()
}

/// A photo as a page shows it.
#[derive(Debug, Clone)]
pub struct PhotoView {
    pub id: Uuid,
    pub display_url: String,
    pub thumb_url: String,
    pub width: i32,
    pub height: i32,
    pub alt_text: String,
    /// Uploaded but not yet part of a listing: the form carries it back.
    pub pending: bool,
}

/// Signs the URLs of `photos` for a page; a photo whose URL cannot be signed is left out.
pub async fn photo_views(storage: &Storage, photos: &[Photo]) -> Vec<PhotoView> {
    let mut views = Vec::with_capacity(photos.len());
    for photo in photos {
        match (
            storage.signed_url(&photo.display_key).await,
            storage.signed_url(&photo.thumb_key).await,
        ) {
            (Ok(display_url), Ok(thumb_url)) => views.push(PhotoView {
                id: photo.id,
                display_url,
                thumb_url,
                width: photo.width,
                height: photo.height,
                alt_text: photo.alt_text.clone(),
                pending: photo.listing_id.is_none(),
            }),
            _ => tracing::warn!(photo = %photo.id, "cannot sign photo URLs"),
        }
    }
    views
}

/// A signed URL for a thumbnail key, if there is one.
pub async fn thumb_url(storage: &Storage, key: Option<&ObjectKey>) -> Option<String> {
    storage.signed_url(key?).await.ok()
}
