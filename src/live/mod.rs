//! Live delivery: each browser tab holds one Server-Sent Events stream (`/events`) with
//! everything for its member; each process holds one `LISTEN` connection whose
//! notifications wake the streams, which read what is new from PostgreSQL. Several instances
//! behind a load balancer share nothing but the database.

pub mod handlers;
pub mod hub;
pub mod listener;
pub mod routes;

pub use hub::Hub;
