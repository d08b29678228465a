//! The front page.

pub mod handlers;
pub mod routes;
pub mod views;
