//! `corkboard seed-demo`: demo data for a first look at the site.
//!
//! Policy: demo data goes only into a database that holds no user content, so running the
//! command (or `serve --seed-demo`, which `make run` uses) twice, or against a live site, never
//! adds to or mixes with real data. Each feature adds its own seeder to [`seed_demo`].

use crate::db::PgPool;
use crate::storage::Storage;

/// What a seeding run did, one line per seeder.
#[derive(Debug, Default)]
pub struct SeedReport {
    pub lines: Vec<String>,
}

/// Seeds every feature's demo data if the database is empty.
pub async fn seed_demo(_pool: &PgPool, _storage: &Storage) -> anyhow::Result<SeedReport> {
    // No feature has demo data yet: accounts and listings add their seeders here.
    Ok(SeedReport {
        lines: vec!["nothing to seed yet: no feature has demo data".to_owned()],
    })
}
