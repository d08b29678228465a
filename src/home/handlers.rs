use actix_web::web;

use super::views::HomePage;
use crate::listings::cards::{card_views, section_trees};
use crate::listings::queries::{self, Scope};
use crate::storage::Storage;
use crate::web::{AppError, Db, PageContext};

/// Newest listings on the front page.
const NEWEST: i64 = 12;

/// `GET /`
pub async fn show_home(
    ctx: PageContext,
    db: Db,
    storage: web::Data<Storage>,
    counts: web::Data<queries::CategoryCounts>,
) -> Result<HomePage, AppError> {
    let counts = counts.into_inner();
    let (tree, counts, newest) = db
        .run(move |conn| {
            Ok::<_, AppError>((
                counts.tree(conn)?,
                counts.get(conn)?,
                queries::public_listings(conn, Scope::All, None, NEWEST)?,
            ))
        })
        .await?;
    Ok(HomePage {
        ctx,
        sections: section_trees(tree, &counts),
        newest: card_views(&storage, &newest).await,
    })
}
