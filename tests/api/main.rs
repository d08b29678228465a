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
mod dashboard;
mod database;
mod demo;
mod discovery;
mod health;
mod helpers;
mod janitor;
mod jobs;
mod layers;
mod listings;
mod live;
mod mail;
mod manage;
mod message_mail;
mod messages;
mod moderation;
mod pages;
mod people;
mod profiles;
mod resilience;
mod rooms;
mod round_trips;
mod saved;
mod search;
mod security;
mod storage;
