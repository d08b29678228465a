//! Meet people's input, parsed: tags, the friend radius, "about me", an answer; and the
//! distance as others see it.

use crate::web::FieldErrors;
use crate::web::text::refuse_control_characters;

/// Most hobbies, and most interests, on a profile.
pub const MAX_TAGS: usize = 20;
/// The longest tag.
pub const MAX_TAG_CHARS: usize = 30;
/// The longest "about me".
pub const MAX_ABOUT_CHARS: usize = 500;
/// The friend radius's bounds, in miles.
pub const RADIUS_MILES: std::ops::RangeInclusive<i32> = 1..=100;
/// Metres in a mile.
pub const METRES_PER_MILE: f64 = 1609.344;

/// Suggested tags, offered on the profile form (anything else may be typed).
pub const SUGGESTIONS: &[&str] = &[
    "hiking",
    "running",
    "cycling",
    "board games",
    "chess",
    "cooking",
    "baking",
    "concerts",
    "live music",
    "movies",
    "reading",
    "book club",
    "photography",
    "gardening",
    "climbing",
    "yoga",
    "swimming",
    "tennis",
    "soccer",
    "basketball",
    "video games",
    "painting",
    "knitting",
    "volunteering",
    "dogs",
    "coffee",
    "travel",
    "languages",
    "dancing",
    "theatre",
];

/// A tag as stored: lower case, spaces tidied, letters, digits, spaces, `-`, `'`, `&` and
/// `+` only (so "Board  Games" and "board games" are one tag).
pub fn normalise_tag(input: &str) -> Result<Option<String>, String> {
    let tag = input
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase();
    let tag = tag.trim_start_matches('#').trim().to_owned();
    if tag.is_empty() {
        return Ok(None);
    }
    if tag.chars().count() > MAX_TAG_CHARS {
        return Err(format!(
            "“{}…” is too long: a tag has at most {MAX_TAG_CHARS} characters.",
            tag.chars().take(12).collect::<String>()
        ));
    }
    if !tag
        .chars()
        .all(|c| c.is_alphanumeric() || matches!(c, ' ' | '-' | '\'' | '&' | '+'))
    {
        return Err(format!(
            "“{tag}”: use letters, digits, spaces and - ' & + in tags."
        ));
    }
    Ok(Some(tag))
}

/// Tags typed comma-separated, or chosen as several form values: normalised, duplicates
/// dropped (first kept), at most [`MAX_TAGS`].
pub fn parse_tags<'a>(inputs: impl IntoIterator<Item = &'a str>) -> Result<Vec<String>, String> {
    let mut tags: Vec<String> = Vec::new();
    // Bounded: a request's values are bounded by the form's size limit, and more than
    // MAX_TAGS distinct tags stop the loop with an error.
    for piece in inputs.into_iter().flat_map(|input| input.split(',')) {
        if let Some(tag) = normalise_tag(piece)?
            && !tags.contains(&tag)
        {
            if tags.len() == MAX_TAGS {
                return Err(format!("Choose at most {MAX_TAGS}."));
            }
            tags.push(tag);
        }
    }
    Ok(tags)
}

/// The friend radius in whole miles.
pub fn parse_radius(input: &str) -> Result<i32, String> {
    let message = format!(
        "Choose a radius from {} to {} miles.",
        RADIUS_MILES.start(),
        RADIUS_MILES.end()
    );
    match input.trim().parse::<i32>() {
        Ok(miles) if RADIUS_MILES.contains(&miles) => Ok(miles),
        _ => Err(message),
    }
}

/// "About me": trimmed, at most [`MAX_ABOUT_CHARS`], line breaks kept.
pub fn parse_about(input: &str) -> Result<String, String> {
    let text = input.trim().replace("\r\n", "\n");
    if text.chars().count() > MAX_ABOUT_CHARS {
        return Err(format!("Use at most {MAX_ABOUT_CHARS} characters."));
    }
    refuse_control_characters(&text)?;
    Ok(text)
}

/// A yes or a no.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Answer {
    Yes,
    No,
}

impl Answer {
    pub fn parse(input: &str) -> Option<Self> {
        match input.trim() {
            "yes" => Some(Self::Yes),
            "no" => Some(Self::No),
            _ => None,
        }
    }

    pub fn is_yes(self) -> bool {
        self == Self::Yes
    }
}

/// A profile's checked fields.
#[derive(Debug, Clone, PartialEq)]
pub struct ProfileInput {
    pub about: String,
    pub hobbies: Vec<String>,
    pub interests: Vec<String>,
    /// The gazetteer place.
    pub zip: String,
    pub city: String,
    pub latitude: f64,
    pub longitude: f64,
    pub radius_miles: i32,
    pub visible: bool,
}

/// A profile's fields as typed.
#[derive(Debug, Clone, Default)]
pub struct ProfileForm<'a> {
    pub about: &'a str,
    pub hobbies: Vec<&'a str>,
    pub interests: Vec<&'a str>,
    pub zip: &'a str,
    pub radius: &'a str,
    pub visible: bool,
}

impl ProfileForm<'_> {
    /// Every field's checks at once; the ZIP is looked up in the shipped gazetteer.
    pub fn parse(&self) -> Result<ProfileInput, FieldErrors> {
        let mut errors = FieldErrors::new();
        let about = parse_about(self.about)
            .map_err(|e| errors.add("about", e))
            .ok();
        let hobbies = parse_tags(self.hobbies.iter().copied())
            .map_err(|e| errors.add("hobbies", e))
            .ok();
        let interests = parse_tags(self.interests.iter().copied())
            .map_err(|e| errors.add("interests", e))
            .ok();
        let zip = self.zip.trim();
        let place = if zip.is_empty() {
            errors.add("zip", "Give your ZIP code: others see your city only.");
            None
        } else {
            let place = crate::places::shipped().get(zip);
            if place.is_none() {
                errors.add("zip", "We don't know this ZIP code. Check it, five digits.");
            }
            place
        };
        let radius = parse_radius(self.radius)
            .map_err(|e| errors.add("radius_miles", e))
            .ok();
        match (about, hobbies, interests, place, radius) {
            (Some(about), Some(hobbies), Some(interests), Some(place), Some(radius_miles))
                if errors.is_empty() =>
            {
                Ok(ProfileInput {
                    about,
                    hobbies,
                    interests,
                    zip: place.zip.clone(),
                    city: place.label(),
                    latitude: place.latitude,
                    longitude: place.longitude,
                    radius_miles,
                    visible: self.visible,
                })
            }
            _ => Err(errors),
        }
    }
}

/// A distance as others see it: whole miles, never below one ("about 4 miles").
pub fn rounded_miles(metres: f64) -> i64 {
    ((metres / METRES_PER_MILE).round() as i64).max(1)
}

/// "about 1 mile", "about 4 miles".
pub fn about_miles(metres: f64) -> String {
    match rounded_miles(metres) {
        1 => "about 1 mile".into(),
        n => format!("about {n} miles"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_are_normalised_and_deduplicated() {
        assert_eq!(
            parse_tags(["Board  Games, #Hiking", "hiking", "  ", "board games"]).unwrap(),
            vec!["board games".to_owned(), "hiking".to_owned()]
        );
        assert!(parse_tags(["<script>"]).is_err());
        assert!(parse_tags(["a".repeat(31).as_str()]).is_err());
        let many: Vec<String> = (0..21).map(|i| format!("tag{i}")).collect();
        assert!(parse_tags(many.iter().map(String::as_str)).is_err());
        assert_eq!(
            parse_tags(many[..20].iter().map(String::as_str))
                .unwrap()
                .len(),
            20
        );
    }

    #[test]
    fn the_radius_is_one_to_a_hundred_miles() {
        assert_eq!(parse_radius("1"), Ok(1));
        assert_eq!(parse_radius(" 100 "), Ok(100));
        for bad in ["0", "101", "-5", "ten", "", "2.5"] {
            assert!(parse_radius(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn distances_are_rounded_and_never_below_a_mile() {
        assert_eq!(rounded_miles(0.0), 1);
        assert_eq!(rounded_miles(300.0), 1);
        assert_eq!(rounded_miles(4.4 * METRES_PER_MILE), 4);
        assert_eq!(about_miles(100.0), "about 1 mile");
        assert_eq!(about_miles(6.6 * METRES_PER_MILE), "about 7 miles");
    }

    #[test]
    fn a_profile_needs_a_known_zip_and_keeps_every_error() {
        let form = ProfileForm {
            about: "Hi",
            hobbies: vec!["hiking"],
            interests: vec![],
            zip: "00000",
            radius: "500",
            visible: true,
        };
        let errors = form.parse().unwrap_err();
        assert!(errors.get("zip").is_some());
        assert!(errors.get("radius_miles").is_some());
        let form = ProfileForm {
            zip: "94110",
            radius: "10",
            ..form
        };
        let profile = form.parse().unwrap();
        assert_eq!(profile.zip, "94110");
        assert!(profile.city.contains("San Francisco"), "{}", profile.city);
    }
}
