use askama::Template;
use askama_web::WebTemplate;

use crate::web::PageContext;

/// A favourite as the list shows it, with what became of it.
#[derive(Debug, Clone)]
pub struct FavoriteRow {
    pub id: i64,
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
    pub id: i64,
    pub name: String,
    pub new_matches: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "saved/searches.html")]
pub struct SavedSearchesPage {
    pub ctx: PageContext,
    pub searches: Vec<SavedSearchRow>,
}
