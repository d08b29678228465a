use askama::Template;
use askama_web::WebTemplate;

use crate::web::PageContext;

/// One of the site's sections, as the front page introduces it.
pub struct SectionTeaser {
    pub name: &'static str,
    pub blurb: &'static str,
}

#[derive(Template, WebTemplate)]
#[template(path = "home/index.html")]
pub struct HomePage {
    pub ctx: PageContext,
    pub sections: &'static [SectionTeaser],
}
