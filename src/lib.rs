//! Corkboard: a self-hostable classifieds marketplace.

pub mod accounts;
pub mod admin;
pub mod bootstrap;
pub mod cli;
pub mod config;
pub mod db;
pub mod demo;
pub mod home;
pub mod jobs;
pub mod listings;
pub mod live;
pub mod mail;
pub mod messages;
pub mod moderation;
pub mod openapi;
pub mod people;
pub mod photos;
pub mod places;
pub mod rooms;
pub mod saved;
pub mod search;
pub mod sitemaps;
pub mod startup;
pub mod storage;
pub mod telemetry;
pub mod web;
