use askama::Template;
use askama_web::WebTemplate;

use crate::listings::views::{CardView, SectionTree};
use crate::web::PageContext;

#[derive(Template, WebTemplate)]
#[template(path = "home/index.html")]
pub struct HomePage {
    pub ctx: PageContext,
    pub sections: Vec<SectionTree>,
    pub newest: Vec<CardView>,
}
