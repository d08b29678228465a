//! Browsing: a section's or a category's public listings, newest first, paged by keyset.

use actix_web::web;

use crate::listings::cards::{card_views, section_trees};
use crate::listings::queries::{self, Cursor, Scope};
use crate::listings::views::BrowsePage;
use crate::storage::Storage;
use crate::web::{AppError, Db, PageContext};

/// Listings per page.
const PAGE_SIZE: i64 = 25;

#[derive(Debug, serde::Deserialize)]
pub struct PageQuery {
    #[serde(default)]
    after: String,
}

/// `GET /c/{section}`
pub async fn show_section(
    ctx: PageContext,
    db: Db,
    storage: web::Data<Storage>,
    counts: web::Data<queries::CategoryCounts>,
    slug: web::Path<String>,
    query: web::Query<PageQuery>,
) -> Result<BrowsePage, AppError> {
    browse(
        ctx,
        db,
        &storage,
        counts,
        slug.into_inner(),
        None,
        &query.after,
    )
    .await
}

/// `GET /c/{section}/{category}`
pub async fn show_category(
    ctx: PageContext,
    db: Db,
    storage: web::Data<Storage>,
    counts: web::Data<queries::CategoryCounts>,
    path: web::Path<(String, String)>,
    query: web::Query<PageQuery>,
) -> Result<BrowsePage, AppError> {
    let (section, category) = path.into_inner();
    browse(
        ctx,
        db,
        &storage,
        counts,
        section,
        Some(category),
        &query.after,
    )
    .await
}

async fn browse(
    ctx: PageContext,
    db: Db,
    storage: &Storage,
    counts: web::Data<queries::CategoryCounts>,
    section_slug: String,
    category_slug: Option<String>,
    after: &str,
) -> Result<BrowsePage, AppError> {
    let after = match after {
        "" => None,
        token => Some(Cursor::decode(token).ok_or_else(|| {
            AppError::BadRequest("That page link is not valid. Start from the first page.".into())
        })?),
    };
    let (section, category, mut cards, links) = db
        .run(move |conn| {
            let (section, category) = match &category_slug {
                Some(slug) => {
                    let (s, c) = queries::find_category(conn, &section_slug, slug)?
                        .ok_or(AppError::NotFound)?;
                    (s, Some(c))
                }
                None => (
                    queries::find_section(conn, &section_slug)?.ok_or(AppError::NotFound)?,
                    None,
                ),
            };
            let scope = match &category {
                Some(c) => Scope::Category(c.id),
                None => Scope::Section(section.id),
            };
            let cards = queries::public_listings(conn, scope, after, PAGE_SIZE + 1)?;
            let tally = counts.get(conn)?;
            let tree = counts
                .tree(conn)?
                .into_iter()
                .filter(|(s, _)| s.id == section.id)
                .collect();
            let links = section_trees(tree, &tally)
                .pop()
                .map(|t| t.categories)
                .unwrap_or_default();
            Ok::<_, AppError>((section, category, cards, links))
        })
        .await?;
    let next_page = if cards.len() as i64 > PAGE_SIZE {
        cards.truncate(PAGE_SIZE as usize);
        cards
            .last()
            .map(|c| format!("?after={}", c.cursor().encode()))
    } else {
        None
    };
    Ok(BrowsePage {
        ctx,
        section,
        category,
        categories: links,
        cards: card_views(storage, &cards).await,
        next_page,
        first_page: after.is_none(),
    })
}
