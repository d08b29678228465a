//! HTTP plumbing shared by every feature: errors and their pages, the page context, static
//! files, the database extractor, security headers and health probes. No business rules here.

pub mod assets;
pub mod db;
pub mod error;
pub mod headers;
pub mod health;
pub mod media;
pub mod page;

pub use db::Db;
pub use error::AppError;
pub use page::{PageContext, SiteConfig};
