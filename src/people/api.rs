//! Meet people in the JSON API: the caller's friend profile and its photos, the next person,
//! answers, matches, and someone's photos — the pages' rules (`service`, `queries`). Someone
//! the caller may not see is a 404, the same as nobody.

use actix_multipart::Multipart;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::domain::{Answer, rounded_miles};
use super::queries::{self, Answered, Card, Photo, Profile};
use super::service::{self, PhotosRefused};
use crate::storage::Storage;
use crate::web::bearer::ApiUser;
use crate::web::json::{ApiJson, json, problem_response, unprocessable};
use crate::web::problem::Problem;
use crate::web::{AppError, Db, FieldErrors};

const NO_PROFILE: &str = "You have no friend profile: make one with PUT /api/v1/people/profile.";

/// A profile photo, with a signed link good for a while.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProfilePhotoOut {
    pub id: i64,
    /// Absent when storage cannot sign it right now.
    pub url: Option<String>,
    pub width: i32,
    pub height: i32,
    /// From 0.
    pub position: i16,
}

async fn photo_outs(storage: &Storage, photos: Vec<Photo>) -> Vec<ProfilePhotoOut> {
    service::signed(storage, photos)
        .await
        .into_iter()
        .map(|(photo, url)| ProfilePhotoOut {
            id: photo.id,
            url,
            width: photo.width,
            height: photo.height,
            position: photo.position,
        })
        .collect()
}

/// The caller's friend profile.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProfileOut {
    pub about: String,
    pub hobbies: Vec<String>,
    pub interests: Vec<String>,
    /// Only the caller sees their ZIP; others see the city.
    pub zip: String,
    pub city: String,
    pub radius_miles: i32,
    /// "Show me to others".
    pub visible: bool,
    pub photos: Vec<ProfilePhotoOut>,
}

async fn profile_out(db: &Db, storage: &Storage, profile: Profile) -> Result<ProfileOut, AppError> {
    let id = profile.user_id;
    let photos = db.run(move |conn| queries::photos(conn, id)).await?;
    Ok(ProfileOut {
        about: profile.about,
        hobbies: profile.hobbies,
        interests: profile.interests,
        zip: profile.zip,
        city: profile.city,
        radius_miles: profile.radius_miles,
        visible: profile.visible,
        photos: photo_outs(storage, photos).await,
    })
}

/// The 404 of a caller without a friend profile.
fn no_profile() -> HttpResponse {
    problem_response(&Problem::new(
        StatusCode::NOT_FOUND,
        Some(NO_PROFILE.into()),
    ))
}

/// `GET /api/v1/people/profile`
#[utoipa::path(
    get,
    path = "/api/v1/people/profile",
    tag = "people",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Your friend profile.", body = ProfileOut),
        (status = 404, description = "You have no friend profile yet.", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn get_profile(
    ApiUser(me): ApiUser,
    db: Db,
    storage: web::Data<Storage>,
) -> Result<HttpResponse, AppError> {
    let Some(profile) = service::my_profile(&db, me.id).await? else {
        return Ok(no_profile());
    };
    Ok(json(
        StatusCode::OK,
        &profile_out(&db, &storage, profile).await?,
    ))
}

/// The whole profile, as `PUT` sets it.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProfileIn {
    /// Up to 500 characters.
    #[serde(default)]
    pub about: String,
    /// Up to 20 tags, normalised (lower case, spaces tidied).
    #[serde(default)]
    pub hobbies: Vec<String>,
    #[serde(default)]
    pub interests: Vec<String>,
    /// A US ZIP code from the gazetteer.
    pub zip: String,
    /// 1 to 100.
    pub radius_miles: i64,
    /// "Show me to others" (default on).
    #[serde(default = "yes")]
    pub visible: bool,
}

fn yes() -> bool {
    true
}

/// `PUT /api/v1/people/profile`
#[utoipa::path(
    put,
    path = "/api/v1/people/profile",
    tag = "people",
    security(("bearer" = [])),
    request_body = ProfileIn,
    responses(
        (status = 200, description = "Saved: your friend profile.", body = ProfileOut),
        (status = 422, description = "Fields with problems (an unknown ZIP, a radius out of range, too many tags…): nothing is saved.", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn put_profile(
    ApiUser(me): ApiUser,
    db: Db,
    storage: web::Data<Storage>,
    body: ApiJson<ProfileIn>,
) -> Result<HttpResponse, AppError> {
    let body = body.0;
    let radius = body.radius_miles.to_string();
    let form = super::domain::ProfileForm {
        about: &body.about,
        hobbies: body.hobbies.iter().map(String::as_str).collect(),
        interests: body.interests.iter().map(String::as_str).collect(),
        zip: &body.zip,
        radius: &radius,
        visible: body.visible,
    };
    let input = match form.parse() {
        Ok(input) => input,
        Err(errors) => return Ok(unprocessable(&errors)),
    };
    let id = me.id;
    let profile = db
        .run(move |conn| queries::save_profile(conn, id, &input))
        .await?;
    Ok(json(
        StatusCode::OK,
        &profile_out(&db, &storage, profile).await?,
    ))
}

/// The multipart form of `POST /api/v1/people/profile/photos`.
#[derive(Debug, ToSchema)]
#[allow(dead_code)]
pub struct ProfilePhotoUpload {
    /// One or more image files.
    #[schema(value_type = Vec<String>, format = Binary)]
    photo: Vec<Vec<u8>>,
}

/// `POST /api/v1/people/profile/photos` (multipart)
#[utoipa::path(
    post,
    path = "/api/v1/people/profile/photos",
    operation_id = "add_profile_photos",
    tag = "people",
    security(("bearer" = [])),
    request_body(content = ProfilePhotoUpload, content_type = "multipart/form-data", description = "One or more `photo` files (JPEG, PNG or WebP, at most 20 MB each; six photos per profile)."),
    responses(
        (status = 201, description = "Added at the end; every photo of your profile, in order.", body = Vec<ProfilePhotoOut>),
        (status = 413, description = "More than the photos' limits allow.", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "No profile yet, no photo, one that is not an image we read, or more than there is room for: nothing is added.", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Photos cannot be stored right now: try again later.", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn add_photos(
    ApiUser(me): ApiUser,
    db: Db,
    storage: web::Data<Storage>,
    multipart: Multipart,
) -> Result<HttpResponse, AppError> {
    let (files, dropped) = service::read_photo_form(multipart).await?;
    match service::add_photos(&db, &storage, me.id, files, dropped).await? {
        Ok(photos) => Ok(json(
            StatusCode::CREATED,
            &photo_outs(&storage, photos).await,
        )),
        Err(PhotosRefused::Field(message)) => {
            let mut errors = FieldErrors::new();
            errors.add("photo", message);
            Ok(unprocessable(&errors))
        }
        Err(PhotosRefused::StorageDown) => Err(AppError::Unavailable(
            "photo storage refused a profile photo".into(),
        )),
    }
}

/// Someone as the caller is shown them: never their ZIP or coordinates.
#[derive(Debug, Serialize, ToSchema)]
pub struct PersonOut {
    pub username: String,
    pub name: String,
    pub city: String,
    /// Rounded, never below 1.
    pub distance_miles: i64,
    pub about: String,
    pub hobbies: Vec<String>,
    pub interests: Vec<String>,
    /// The tags the caller has too.
    pub shared: Vec<String>,
    pub photos: Vec<ProfilePhotoOut>,
}

async fn person_out(storage: &Storage, me: &Profile, card: Card, photos: Vec<Photo>) -> PersonOut {
    let mine = me.tags();
    let shared = card
        .hobbies
        .iter()
        .chain(&card.interests)
        .filter(|t| mine.contains(t))
        .cloned()
        .collect();
    PersonOut {
        username: card.username,
        name: card.display_name,
        city: card.city,
        distance_miles: rounded_miles(card.metres),
        about: card.about,
        hobbies: card.hobbies,
        interests: card.interests,
        shared,
        photos: photo_outs(storage, photos).await,
    }
}

/// `GET /api/v1/people/next`
#[utoipa::path(
    get,
    path = "/api/v1/people/next",
    tag = "people",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The next person to answer about: sharing the most interests, then the nearest, then the most recently active.", body = PersonOut),
        (status = 204, description = "Nobody is left within your radius."),
        (status = 404, description = "You have no friend profile yet.", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Your profile is hidden: nobody is shown to you either.", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn next(
    ApiUser(me): ApiUser,
    db: Db,
    storage: web::Data<Storage>,
) -> Result<HttpResponse, AppError> {
    let Some((profile, next)) = service::discover(&db, me.id).await? else {
        return Ok(no_profile());
    };
    if !profile.visible {
        return Ok(problem_response(&Problem::new(
            StatusCode::CONFLICT,
            Some("Your profile is hidden: switch it on to be shown people.".into()),
        )));
    }
    match next {
        None => Ok(HttpResponse::NoContent().finish()),
        Some((card, photos)) => Ok(json(
            StatusCode::OK,
            &person_out(&storage, &profile, card, photos).await,
        )),
    }
}

/// A yes or a no.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AnswerIn {
    pub answer: Answer,
}

/// What an answer did.
#[derive(Debug, Serialize, ToSchema)]
pub struct AnswerOut {
    /// Both said yes: a match.
    pub matched: bool,
    /// The match's conversation (`GET /api/v1/conversations/{id}/messages`).
    pub conversation_id: Option<i64>,
}

/// `POST /api/v1/people/{username}/answer`
#[utoipa::path(
    post,
    path = "/api/v1/people/{username}/answer",
    tag = "people",
    security(("bearer" = [])),
    params(("username" = String, Path, description = "Someone you are shown.")),
    request_body = AnswerIn,
    responses(
        (status = 200, description = "Recorded: they are not shown to you again. A yes meeting theirs is a match.", body = AnswerOut),
        (status = 404, description = "Nobody you are shown (or no friend profile of yours).", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "You answered about them already.", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "An answer that is not `yes` or `no`.", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn answer(
    ApiUser(me): ApiUser,
    db: Db,
    username: web::Path<String>,
    body: ApiJson<AnswerIn>,
) -> Result<HttpResponse, AppError> {
    let Some(profile) = service::my_profile(&db, me.id).await?.filter(|p| p.visible) else {
        return Err(AppError::NotFound);
    };
    let answered = service::answer(&db, &profile, &username, body.0.answer.is_yes()).await?;
    match answered {
        Answered::NotShown => Err(AppError::NotFound),
        Answered::Already => Ok(problem_response(&Problem::new(
            StatusCode::CONFLICT,
            Some("You answered about them already.".into()),
        ))),
        Answered::Recorded => Ok(json(
            StatusCode::OK,
            &AnswerOut {
                matched: false,
                conversation_id: None,
            },
        )),
        Answered::Matched { conversation, .. } => Ok(json(
            StatusCode::OK,
            &AnswerOut {
                matched: true,
                conversation_id: Some(conversation.0),
            },
        )),
    }
}

/// A current match.
#[derive(Debug, Serialize, ToSchema)]
pub struct MatchOut {
    pub username: String,
    pub name: String,
    pub city: Option<String>,
    /// What you both have.
    pub shared: Vec<String>,
    pub matched_at: DateTime<Utc>,
    pub conversation_id: Option<i64>,
}

/// `GET /api/v1/people/matches`
#[utoipa::path(
    get,
    path = "/api/v1/people/matches",
    tag = "people",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Your current matches, newest first (at most 200).", body = Vec<MatchOut>),
    )
)]
pub async fn matches(ApiUser(me): ApiUser, db: Db) -> Result<HttpResponse, AppError> {
    let id = me.id;
    let rows = db.run(move |conn| queries::matches(conn, id)).await?;
    let out: Vec<MatchOut> = rows
        .into_iter()
        .map(|m| MatchOut {
            username: m.username,
            name: m.display_name,
            city: m.city,
            shared: m.shared,
            matched_at: m.created_at,
            conversation_id: m.conversation_id.map(|c| c.0),
        })
        .collect();
    Ok(json(StatusCode::OK, &out))
}

/// `DELETE /api/v1/people/matches/{username}`
#[utoipa::path(
    delete,
    path = "/api/v1/people/matches/{username}",
    tag = "people",
    security(("bearer" = [])),
    params(("username" = String, Path, description = "Someone you matched with.")),
    responses(
        (status = 204, description = "Unmatched: the conversation closes for both, and neither is shown to the other again."),
        (status = 404, description = "No current match with them.", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn unmatch(
    ApiUser(me): ApiUser,
    db: Db,
    username: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let ended = service::unmatch(&db, me.id, &username).await?;
    if ended {
        Ok(HttpResponse::NoContent().finish())
    } else {
        Err(AppError::NotFound)
    }
}

/// `GET /api/v1/users/{username}/photos`
#[utoipa::path(
    get,
    path = "/api/v1/users/{username}/photos",
    tag = "people",
    security(("bearer" = [])),
    params(("username" = String, Path, description = "Someone you are shown, or matched with.")),
    responses(
        (status = 200, description = "Their friend profile's photos, in order, with signed links good for a while.", body = Vec<ProfilePhotoOut>),
        (status = 404, description = "Nobody you may see (or no friend profile of yours).", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn user_photos(
    ApiUser(me): ApiUser,
    db: Db,
    storage: web::Data<Storage>,
    username: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let Some(profile) = service::my_profile(&db, me.id).await? else {
        return Err(AppError::NotFound);
    };
    let card = service::visible_card(&db, &profile, &username)
        .await?
        .ok_or(AppError::NotFound)?;
    let id = card.user_id;
    let photos = db.run(move |conn| queries::photos(conn, id)).await?;
    Ok(json(StatusCode::OK, &photo_outs(&storage, photos).await))
}
