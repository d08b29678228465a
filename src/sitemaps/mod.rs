//! What search engines read: `robots.txt`, and `sitemap.xml`, an index of sitemaps that
//! together list every public listing, section, category and profile.
//!
//! Policy: a million listings are not one file. Listings and profiles are cut into ranges
//! of ids ([`CHUNK`] each, under the protocol's 50,000 URLs and 50 MB), so a range's sitemap
//! keeps its address as the site grows; the index names only the ranges that hold a public
//! listing or a profile with one (listings found through a partial index, one probe a range), so
//! every sitemap it names answers; those ranges are read again at most once a minute. A sitemap is streamed as it
//! is read, a batch of rows at a time, so neither its time to first byte nor the server's
//! memory grows with it.

pub mod handlers;
pub mod queries;
pub mod routes;

/// Ids in one sitemap's range.
pub const CHUNK: i64 = 10_000;
