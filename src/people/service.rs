//! Meet people's rules shared by the pages and the JSON API: the profile's checks, the
//! card a member is shown, answering.

use super::domain::{ProfileForm, about_miles};
use super::queries::{self, Card, MAX_PHOTOS, Photo, Profile};
use super::views::{CardPhoto, CardView, TagView};
use crate::db::ids::UserId;
use crate::storage::Storage;
use crate::web::rate_limit::Limit;
use crate::web::{AppError, Db};

/// Answers one member gives, per hour, counted across every instance.
pub const ANSWERS_PER_MEMBER: Limit = Limit {
    name: "people-answers",
    max: 300,
    window: std::time::Duration::from_secs(60 * 60),
    refusal: "You have answered many people in the last hour. Take a break and come back later.",
};

/// The member's profile, if they made one.
pub async fn my_profile(db: &Db, me: UserId) -> Result<Option<Profile>, AppError> {
    db.run(move |conn| queries::profile(conn, me)).await
}

/// Form values (name, value) in order: the text fields and the tags, typed or picked.
pub fn profile_form(pairs: &[(String, String)]) -> ProfileForm<'_> {
    let text = |name: &str| {
        pairs
            .iter()
            .find(|(k, _)| k == name)
            .map_or("", |(_, v)| v.as_str())
    };
    let all = |names: [&str; 2]| {
        pairs
            .iter()
            .filter(|(k, _)| names.contains(&k.as_str()))
            .map(|(_, v)| v.as_str())
            .collect::<Vec<_>>()
    };
    ProfileForm {
        about: text("about"),
        hobbies: all(["hobbies", "hobby"]),
        interests: all(["interests", "interest"]),
        zip: text("zip"),
        radius: text("radius_miles"),
        visible: matches!(text("visible"), "on" | "true" | "1"),
    }
}

/// Profile photos with their signed links (`None` where storage cannot sign one right now:
/// logged, and the page or answer goes on without it).
pub async fn signed(storage: &Storage, photos: Vec<Photo>) -> Vec<(Photo, Option<String>)> {
    let mut out = Vec::with_capacity(photos.len());
    for photo in photos {
        let url = match storage.signed_url(&photo.key).await {
            Ok(url) => Some(url),
            Err(err) => {
                tracing::warn!(error = %err, key = %photo.key, "cannot sign a profile photo's address");
                None
            }
        };
        out.push((photo, url));
    }
    out
}

/// The `photo` files of a profile's photo form (page or API; empty file inputs ignored),
/// and how many files were beyond the form's limit.
pub async fn read_photo_form(
    multipart: actix_multipart::Multipart,
) -> Result<(Vec<crate::web::upload::UploadedFile>, usize), AppError> {
    let upload = crate::web::upload::read_upload(multipart, photo_limits()).await?;
    let files = upload
        .files
        .into_iter()
        .filter(|f| f.field == "photo" && f.size > 0)
        .collect();
    Ok((files, upload.dropped_files))
}

/// `card` as `me` sees it: shared tags marked, distance rounded, photos signed.
pub async fn card_view(
    storage: &Storage,
    me: &Profile,
    card: Card,
    photos: Vec<Photo>,
) -> Result<CardView, AppError> {
    let mine = me.tags();
    let shown: Vec<CardPhoto> = signed(storage, photos)
        .await
        .into_iter()
        .filter_map(|(photo, url)| {
            Some(CardPhoto {
                url: url?,
                width: photo.width,
                height: photo.height,
            })
        })
        .collect();
    let tags = |list: Vec<String>| -> Vec<TagView> {
        list.into_iter()
            .map(|tag| TagView {
                shared: mine.contains(&tag),
                tag,
            })
            .collect()
    };
    Ok(CardView {
        username: card.username,
        name: card.display_name,
        city: card.city,
        distance: about_miles(card.metres),
        about: card.about,
        hobbies: tags(card.hobbies),
        interests: tags(card.interests),
        photos: shown,
    })
}

/// What `/people` shows the member: their profile, and the next person with their photos
/// (one trip to the database).
pub async fn discover(
    db: &Db,
    me: UserId,
) -> Result<Option<(Profile, Option<(Card, Vec<Photo>)>)>, AppError> {
    db.run(move |conn| {
        let Some(profile) = queries::profile(conn, me)? else {
            return Ok(None);
        };
        if !profile.visible {
            return Ok(Some((profile, None)));
        }
        let next = match queries::next_candidate(conn, &profile)? {
            Some(card) => {
                let photos = queries::photos(conn, card.user_id)?;
                Some((card, photos))
            }
            None => None,
        };
        Ok::<_, AppError>(Some((profile, next)))
    })
    .await
}

/// `me`'s answer about the member called `username` (counted against the answers' limit).
pub async fn answer(
    db: &Db,
    me: &Profile,
    username: &str,
    yes: bool,
) -> Result<queries::Answered, AppError> {
    let (me, username) = (me.clone(), username.to_owned());
    db.run(move |conn| {
        crate::web::rate_limit::hit(conn, ANSWERS_PER_MEMBER, &me.user_id.to_string())?;
        let Some(other) = queries::user_id(conn, &username)? else {
            return Ok(queries::Answered::NotShown);
        };
        Ok::<_, AppError>(queries::answer(conn, &me, other, yes)?)
    })
    .await
}

/// Ends `me`'s match with the member called `username`; `false` when there was none.
pub async fn unmatch(db: &Db, me: UserId, username: &str) -> Result<bool, AppError> {
    let username = username.to_owned();
    db.run(move |conn| {
        let Some(other) = queries::user_id(conn, &username)? else {
            return Ok(false);
        };
        queries::unmatch(conn, me, other)
    })
    .await
}

/// Someone `me` may see, by username: `None` for "no such member" and "not for you" alike.
pub async fn visible_card(db: &Db, me: &Profile, username: &str) -> Result<Option<Card>, AppError> {
    let (me, username) = (me.clone(), username.to_owned());
    db.run(move |conn| {
        let Some(other) = queries::user_id(conn, &username)? else {
            return Ok(None);
        };
        queries::card(conn, &me, other, queries::Answers::Exclude)
    })
    .await
}

/// Long edge of a stored profile photo.
pub const PHOTO_EDGE: u32 = 1200;

/// Upload limits of a profile's photo form: six photos at most, 20 MB each.
pub fn photo_limits() -> crate::web::upload::UploadLimits {
    crate::web::upload::UploadLimits {
        max_file_bytes: crate::photos::MAX_FILE_BYTES,
        max_files: MAX_PHOTOS as usize,
        max_text_bytes: 4096,
        max_parts: 16,
        max_total_bytes: crate::photos::MAX_FILE_BYTES * MAX_PHOTOS as u64 + 65_536,
    }
}

/// Why photos were not added: all of it is for the `photo` field, but storage being down.
#[derive(Debug)]
pub enum PhotosRefused {
    /// For the form: what is wrong.
    Field(String),
    StorageDown,
}

/// Stores `files` (the `photo` parts of an upload, `dropped` more beyond the request's
/// limit) and adds them to the member's profile, all or nothing: a file that is not an
/// image, too many photos, or no profile adds none, and what was stored for the request is
/// deleted. Returns every photo of the profile, in order.
pub async fn add_photos(
    db: &Db,
    storage: &Storage,
    me: UserId,
    files: Vec<crate::web::upload::UploadedFile>,
    dropped: usize,
) -> Result<Result<Vec<Photo>, PhotosRefused>, AppError> {
    use crate::photos::NotStored;
    let room = db
        .run(move |conn| {
            use diesel::Connection;
            conn.transaction(|conn| queries::photo_room(conn, me))
        })
        .await?;
    let Some(room) = room else {
        return Ok(Err(PhotosRefused::Field(
            "Save your profile first, then add photos.".into(),
        )));
    };
    if files.is_empty() {
        return Ok(Err(PhotosRefused::Field("Choose a photo to add.".into())));
    }
    if dropped > 0 || files.len() as i64 > room {
        return Ok(Err(PhotosRefused::Field(format!(
            "A profile has at most {MAX_PHOTOS} photos: there is room for {room} more."
        ))));
    }
    let offered = files.len();
    let mut stored = Vec::with_capacity(offered);
    let mut refused = None;
    for (i, file) in files.into_iter().enumerate() {
        match crate::photos::store_jpeg(storage, file, "people", PHOTO_EDGE).await? {
            Ok(photo) => stored.push(photo),
            Err(NotStored::Photo(err)) => {
                refused = Some(PhotosRefused::Field(if offered == 1 {
                    err.to_string()
                } else {
                    format!("Photo {}: {err}", i + 1)
                }));
                break;
            }
            Err(NotStored::StorageDown) => {
                refused = Some(PhotosRefused::StorageDown);
                break;
            }
        }
    }
    let rows: Vec<_> = stored
        .iter()
        .map(|p| (p.key.clone(), p.width, p.height))
        .collect();
    let added = match refused {
        Some(_) => None,
        None => {
            db.run(move |conn| queries::add_photos(conn, me, &rows))
                .await?
        }
    };
    match added {
        Some(_) => {
            let photos = db.run(move |conn| queries::photos(conn, me)).await?;
            Ok(Ok(photos))
        }
        None => {
            // Nothing half-done: the photos stored for this request belong to nothing.
            for photo in &stored {
                if let Err(err) = storage.delete(&photo.key).await {
                    tracing::warn!(error = %err, key = %photo.key, "cannot delete a profile photo");
                }
            }
            Ok(Err(refused.unwrap_or_else(|| {
                PhotosRefused::Field(format!("A profile has at most {MAX_PHOTOS} photos."))
            })))
        }
    }
}
