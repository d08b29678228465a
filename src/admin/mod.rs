//! The admin area (`/admin`): the front page with what is waiting, every listing with
//! filters and bulk actions, one listing's flags, appeals, history and actions, and the
//! audit log. The decisions themselves live in `crate::moderation`.

pub mod domain;
pub mod handlers;
pub mod queries;
pub mod routes;
pub mod views;
