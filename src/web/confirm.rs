//! "Are you sure?" pages for destructive actions, so every one of them works without
//! JavaScript and needs two deliberate clicks: the button on the page links here (GET), and
//! this page's form makes the POST.

use askama::Template;
use askama_web::WebTemplate;

use super::PageContext;

#[derive(Template, WebTemplate)]
#[template(path = "confirm.html")]
pub struct ConfirmPage {
    pub ctx: PageContext,
    /// The page heading, e.g. "Delete “Blue bike”?".
    pub title: String,
    /// What happens, and whether it can be undone.
    pub message: String,
    /// Where the form posts.
    pub action: String,
    /// The label of the button that does it.
    pub confirm_label: &'static str,
    /// Where "Cancel" goes back to.
    pub cancel_url: String,
}
