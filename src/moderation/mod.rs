//! Moderation: members flag listings (enough weighted flags hold one for review), owners
//! appeal, members report profiles and messages, and admins decide; every admin action is
//! written to the append-only audit log. The admin pages (`crate::admin`) drive the
//! decisions through this feature's queries.

pub mod audit;
pub mod domain;
pub mod handlers;
pub mod members;
pub mod queries;
pub mod reports;
pub mod routes;
pub mod views;
