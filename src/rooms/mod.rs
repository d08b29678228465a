//! Chat rooms: a named room anyone with its link can join under a chat name, members and
//! guests alike, and talk in live. Rooms are conversations of kind `room`; their messages are
//! numbered like every conversation's and announced to every instance with one `NOTIFY`.

pub mod domain;
pub mod events;
pub mod feed;
pub mod handlers;
pub mod queries;
pub mod routes;
pub mod views;
