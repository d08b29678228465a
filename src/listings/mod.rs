//! Listings: categories, posting with photos, the listing page, managing a listing, and
//! browsing sections and categories.

pub mod api;
pub mod cards;
pub mod categories;
pub mod counter;
pub mod dashboard;
pub mod domain;
pub mod feed;
pub mod handlers;
pub mod janitor;
pub mod json;
pub mod models;
pub mod page_cache;
pub mod photos;
pub mod queries;
pub mod related;
pub mod reminders;
pub mod routes;
pub mod service;
pub mod structured;
pub mod terms;
pub mod views;
