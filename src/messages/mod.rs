//! Messages between members: contacting a seller about a listing, the inbox, conversations
//! with text, photos and video links, read receipts, archiving, blocking and reports. The
//! same conversations will carry chat rooms and friend matches (see `ConversationKind`).

pub mod api;
pub mod domain;
pub mod handlers;
pub mod images;
pub mod models;
pub mod notify;
pub mod queries;
pub mod routes;
pub mod service;
pub mod views;
