//! The front page.

pub mod handlers;
pub mod views;
