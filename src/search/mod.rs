//! Search: words, filters, distance, sorts, keyset pages and Atom feeds.

pub mod api;
pub mod density;
pub mod domain;
pub mod handlers;
pub mod queries;
pub mod routes;
pub mod service;
pub mod views;
