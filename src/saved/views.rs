use askama::Template;
use askama_web::WebTemplate;

use super::alerts::AlertCadence;
use crate::db::ids::{ListingId, SavedSearchId};
use crate::web::{FieldErrors, PageContext};

/// A favourite as the list shows it, with what became of it.
#[derive(Debug, Clone)]
pub struct FavoriteRow {
    pub id: ListingId,
    pub path: String,
    pub title: String,
    pub price: Option<String>,
    /// "This listing was sold", … or nothing while it is up.
    pub note: Option<&'static str>,
    /// Whether its page can still be opened.
    pub visible: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "saved/favorites.html")]
pub struct FavoritesPage {
    pub ctx: PageContext,
    pub favorites: Vec<FavoriteRow>,
}

#[derive(Debug, Clone)]
pub struct SavedSearchRow {
    pub id: SavedSearchId,
    pub alert: AlertCadence,
    pub name: String,
    pub new_matches: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "saved/searches.html")]
pub struct SavedSearchesPage {
    pub ctx: PageContext,
    pub searches: Vec<SavedSearchRow>,
}

/// "Save this search", re-rendered when the search cannot be saved (too many, too long, a
/// bad name), with what was typed and the reason next to the field.
#[derive(Template, WebTemplate)]
#[template(path = "saved/save.html")]
pub struct SaveSearchPage {
    pub ctx: PageContext,
    /// The name typed (`name` would be shadowed inside the form macros).
    pub search_name: String,
    pub query: String,
    /// The alert cadence chosen, as sent.
    pub alert: String,
    pub errors: FieldErrors,
}

impl SaveSearchPage {
    /// The search being saved, to go back to.
    pub fn search_url(&self) -> String {
        if self.query.is_empty() {
            "/search".to_owned()
        } else {
            format!("/search?{}", self.query)
        }
    }
}

/// The page a signed alert unsubscribe link opens.
#[derive(Template, WebTemplate)]
#[template(path = "saved/unsubscribe.html")]
pub struct AlertUnsubscribePage {
    pub ctx: PageContext,
    /// The signed link itself (the form posts back to it).
    pub action: String,
    /// "alerts of the saved search “Bikes”".
    pub subject: String,
    /// The mail is off now (after the POST, or already).
    pub off: bool,
}

/// The cadences an alert form offers.
pub fn cadences() -> &'static [AlertCadence] {
    AlertCadence::ALL
}
