use actix_web::web;

use super::views::{AboutPage, HelpPage, HomePage, PrivacyPage, TermsPage};
use crate::listings::cards::{CardContext, section_trees};
use crate::listings::queries;
use crate::search::density::Density;
use crate::search::domain::Search;
use crate::search::service;
use crate::search::views::search_cards;
use crate::storage::Storage;
use crate::web::{AppError, PageContext, ReadDb};

/// Newest listings on the front page.
const NEWEST: i64 = 12;

/// `GET /`
pub async fn show_home(
    ctx: PageContext,
    ReadDb { db, .. }: ReadDb,
    storage: web::Data<Storage>,
    counts: web::Data<queries::CategoryCounts>,
    density: web::Data<Density>,
) -> Result<HomePage, AppError> {
    let counts = counts.into_inner();
    // The newest listings in the visitor's area (a plain search: no estimate, no count).
    let mut search = Search::default();
    search.apply_area(ctx.near());
    let feed_url = search.url_with("/search.atom", &[]);
    let (tree, counts, newest) = db
        .run(move |conn| {
            let newest = service::run(conn, &density, None, &search, None, NEWEST)?;
            Ok::<_, AppError>((counts.tree(conn)?, counts.get(conn)?, newest.rows))
        })
        .await?;
    let cards = CardContext::new(&tree, ctx.near());
    let newest = search_cards(&storage, &newest, &cards).await;
    Ok(HomePage {
        ctx,
        sections: section_trees(&tree, &counts),
        newest,
        feed_url,
    })
}

/// `GET /about`
pub async fn about(ctx: PageContext) -> AboutPage {
    AboutPage { ctx }
}

/// `GET /help`
pub async fn help(ctx: PageContext) -> HelpPage {
    HelpPage { ctx }
}

/// `GET /terms`
pub async fn terms(ctx: PageContext) -> TermsPage {
    TermsPage { ctx }
}

/// `GET /privacy`
pub async fn privacy(ctx: PageContext) -> PrivacyPage {
    PrivacyPage { ctx }
}
