//! Corkboard's one integration-test binary: every HTTP, storage, database and browser test is a
//! module here, sharing one PostgreSQL cluster, one S3 server and one compile.

mod accessibility;
mod accounts;
mod admin;
mod alerts;
mod api_v1;
mod browse;
mod browser;
mod category_pages;
mod cluster;
mod dashboard;
mod database;
mod demo;
mod discovery;
mod health;
mod helpers;
mod janitor;
mod jobs;
mod kept_pages;
mod layers;
mod listings;
mod live;
mod mail;
mod manage;
mod message_mail;
mod messages;
mod metrics;
mod moderation;
mod pages;
mod people;
mod profiles;
mod replica;
mod resilience;
mod rooms;
mod round_trips;
/// The S3-compatible server the tests start in-process (the `s3_server` example's).
#[path = "../../examples/common/s3.rs"]
mod s3_fs_server;
mod saved;
mod search;
mod security;
mod storage;
