//! Meet people's rules shared by the pages and the JSON API: the profile's checks, the
//! card a member is shown, answering.

use super::domain::{ProfileForm, about_miles};
use super::queries::{self, Card, Profile};
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
        radius: text("radius"),
        visible: matches!(text("visible"), "on" | "true" | "1"),
    }
}

/// `card` as `me` sees it: shared tags marked, distance rounded, photos signed.
pub async fn card_view(
    db: &Db,
    storage: &Storage,
    me: &Profile,
    card: Card,
) -> Result<CardView, AppError> {
    let mine = me.tags();
    let id = card.user_id;
    let photos = db.run(move |conn| queries::photos(conn, id)).await?;
    let mut shown = Vec::with_capacity(photos.len());
    for photo in photos {
        match storage.signed_url(&photo.key).await {
            Ok(url) => shown.push(CardPhoto {
                url,
                width: photo.width,
                height: photo.height,
            }),
            Err(err) => tracing::warn!(error = %err, "cannot sign a profile photo's address"),
        }
    }
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

/// Someone `me` may see, by username: `None` for "no such member" and "not for you" alike.
pub async fn visible_card(db: &Db, me: &Profile, username: &str) -> Result<Option<Card>, AppError> {
    let (me, username) = (me.clone(), username.to_owned());
    db.run(move |conn| {
        let Some(other) = queries::user_id(conn, &username)? else {
            return Ok(None);
        };
        queries::card(conn, &me, other)
    })
    .await
}
