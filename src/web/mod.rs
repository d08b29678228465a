//! HTTP plumbing shared by every feature: errors and their pages, the page context, sessions
//! and the current user, CSRF, rate limits, form errors, static files, the database extractor,
//! security headers and health probes. No business rules here.

pub mod api_rate;
pub mod area;
pub mod assets;
pub mod bearer;
pub mod confirm;
pub mod csrf;
pub mod db;
pub mod error;
pub mod forms;
pub mod head;
pub mod headers;
pub mod health;
pub mod json;
pub mod jwt;
pub mod media;
pub mod nul;
pub mod page;
pub mod paging;
pub mod problem;
pub mod rate_limit;
pub mod request_log;
pub mod request_metrics;
pub mod respond;
pub mod routes;
pub mod session;
pub mod text;
pub mod time;
pub mod upload;

pub use db::{Db, ReadDb};
pub use error::AppError;
pub use forms::{ErrorLink, FieldErrors};
pub use page::{PageContext, SiteConfig};
pub use session::{AdminUser, AuthUser, CurrentUser, MaybeUser};
