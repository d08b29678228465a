//! What members keep: favourite listings and saved searches. Each belongs to its member only:
//! another member's saved search is a 404, and favourites are listed for their owner alone.

pub mod alerts;
pub mod api;
pub mod handlers;
pub mod queries;
pub mod routes;
pub mod service;
pub mod views;
