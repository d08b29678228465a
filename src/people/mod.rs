//! Meet people ("Friender"): friend profiles, one nearby person at a time by shared
//! interests, yes / no, and a mutual yes opening a conversation of kind `match`.

pub mod api;
pub mod domain;
pub mod handlers;
pub mod queries;
pub mod routes;
pub mod service;
pub mod views;
