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
    /// The newest listings (in the visitor's area) as a feed.
    pub feed_url: String,
}

impl HomePage {
    pub fn radii(&self) -> [u32; 6] {
        crate::web::area::RADII
    }

    /// The radius the area form starts at.
    pub fn radius(&self) -> u32 {
        self.ctx
            .near()
            .map_or(crate::web::area::DEFAULT_RADIUS, |a| a.radius_miles)
    }
}

/// A page of the site's own (about, help, terms, privacy): a template its operators edit.
macro_rules! site_page {
    ($name:ident, $path:literal) => {
        #[derive(Template, WebTemplate)]
        #[template(path = $path)]
        pub struct $name {
            pub ctx: PageContext,
        }
    };
}

site_page!(AboutPage, "pages/about.html");
site_page!(HelpPage, "pages/help.html");
site_page!(TermsPage, "pages/terms.html");
site_page!(PrivacyPage, "pages/privacy.html");
