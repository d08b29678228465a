//! Meet people's pages.

use askama::Template;
use askama_web::WebTemplate;

use crate::web::{FieldErrors, PageContext};

/// The profile form's values, as typed.
#[derive(Debug, Clone, Default)]
pub struct ProfileValues {
    pub about: String,
    pub hobbies: String,
    pub interests: String,
    pub zip: String,
    pub radius: String,
    pub visible: bool,
}

/// A profile photo on its owner's page.
#[derive(Debug, Clone)]
pub struct OwnPhoto {
    pub id: i64,
    pub url: Option<String>,
    pub position: i16,
}

/// `/people/profile`
#[derive(Template, WebTemplate)]
#[template(path = "people/profile.html")]
pub struct ProfilePage {
    pub ctx: PageContext,
    /// Whether a profile is saved yet.
    pub saved: bool,
    /// The saved profile's switch ("show me to others").
    pub visible: bool,
    pub values: ProfileValues,
    pub errors: FieldErrors,
    pub photos: Vec<OwnPhoto>,
    pub photo_errors: FieldErrors,
    pub suggestions: &'static [&'static str],
    pub max_photos: i64,
}

/// A tag on a card, marked when the reader has it too.
#[derive(Debug, Clone)]
pub struct TagView {
    pub tag: String,
    pub shared: bool,
}

/// A photo on someone's card.
#[derive(Debug, Clone)]
pub struct CardPhoto {
    pub url: String,
    pub width: i32,
    pub height: i32,
}

/// Another member as shown.
#[derive(Debug, Clone)]
pub struct CardView {
    pub username: String,
    pub name: String,
    pub city: String,
    pub distance: String,
    pub about: String,
    pub hobbies: Vec<TagView>,
    pub interests: Vec<TagView>,
    pub photos: Vec<CardPhoto>,
}

/// What `/people` shows.
pub enum Discover {
    /// No profile yet: a link to make one.
    NoProfile,
    /// The profile is switched off: nobody is shown either.
    Hidden,
    /// Nobody left to show.
    Empty {
        radius_miles: i32,
        tags: usize,
    },
    Card(Box<CardView>),
}

/// `/people`
#[derive(Template, WebTemplate)]
#[template(path = "people/discover.html")]
pub struct DiscoverPage {
    pub ctx: PageContext,
    pub discover: Discover,
}

/// A match as listed.
#[derive(Debug, Clone)]
pub struct MatchView {
    pub username: String,
    pub name: String,
    pub city: String,
    pub shared: String,
    pub when: String,
    pub conversation: Option<String>,
}

/// `/people/matches`
#[derive(Template, WebTemplate)]
#[template(path = "people/matches.html")]
pub struct MatchesPage {
    pub ctx: PageContext,
    pub matches: Vec<MatchView>,
}

/// `/people/{username}/report`
#[derive(Template, WebTemplate)]
#[template(path = "people/report.html")]
pub struct ReportPage {
    pub ctx: PageContext,
    pub username: String,
    pub name: String,
    pub reason: String,
    pub errors: FieldErrors,
}
