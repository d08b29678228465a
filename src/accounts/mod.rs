//! Accounts: sign-up, log-in and log-out, profiles, account settings, and the admin role.

pub mod api;
pub mod api_tokens;
pub mod domain;
pub mod handlers;
pub mod mail;
pub mod models;
pub mod password;
pub mod queries;
pub mod recovery;
pub mod routes;
pub mod service;
pub mod views;
