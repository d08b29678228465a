//! `corkboard seed-demo`: demo data for a first look at the site.
//!
//! Policy: demo data goes only into a database that holds no user content, so running the
//! command (or `serve --seed-demo`, which `make run` uses) twice, or against a live site, never
//! adds to or mixes with real data. Each feature adds its own seeder to [`seed_demo`].

use anyhow::Context;
use diesel::prelude::*;

use crate::accounts::models::{NewUser, ProfileChanges, Role};
use crate::accounts::{password, queries};
use crate::db::PgPool;
use crate::db::schema::users;
use crate::storage::Storage;

/// Every demo account's password (shown by `seed-demo` and in the README).
pub const DEMO_PASSWORD: &str = "corkboard-demo";

/// What a seeding run did, one line per seeder.
#[derive(Debug, Default)]
pub struct SeedReport {
    pub lines: Vec<String>,
}

/// Seeds every feature's demo data if the database is empty.
pub async fn seed_demo(
    pool: &PgPool,
    _storage: &Storage,
    bcrypt_cost: u32,
) -> anyhow::Result<SeedReport> {
    let pool = pool.clone();
    actix_web::web::block(move || {
        let mut conn = pool.get().context("no database connection")?;
        let mut report = SeedReport::default();
        let members: i64 = users::table.count().get_result(&mut conn)?;
        if members > 0 {
            report
                .lines
                .push("the database already holds accounts: nothing seeded".to_owned());
            return Ok(report);
        }
        report.lines.push(seed_members(&mut conn, bcrypt_cost)?);
        Ok(report)
    })
    .await?
}

/// (username, display name, bio, home ZIP)
const MEMBERS: &[(&str, &str, &str, &str)] = &[
    (
        "demo_admin",
        "Corkboard Team",
        "We keep this board tidy. Flag anything that looks wrong.",
        "10001",
    ),
    (
        "alice_w",
        "Alice Wong",
        "Weekend woodworker. I sell what I build and buy what I can't.",
        "94110",
    ),
    (
        "bob_builds",
        "Bob Okafor",
        "Contractor in the Mission. Tools, materials, odd jobs.",
        "94103",
    ),
    (
        "carmen_r",
        "Carmen Ruiz",
        "Moving across town next month: lots of furniture looking for a new home.",
        "60614",
    ),
    (
        "deshawn",
        "DeShawn Miller",
        "Bike commuter, part-time mechanic. Ask me about tune-ups.",
        "11211",
    ),
    (
        "emi_k",
        "Emi Kato",
        "Piano teacher. Lessons for all ages, in person or online.",
        "98103",
    ),
    (
        "farid_h",
        "Farid Haddad",
        "Landlord of two small buildings. Quiet tenants welcome.",
        "78704",
    ),
    (
        "grace_o",
        "Grace O'Neil",
        "Runs the neighbourhood book swap. Community events every month.",
        "02139",
    ),
];

fn seed_members(conn: &mut PgConnection, cost: u32) -> anyhow::Result<String> {
    let hash = password::hash(DEMO_PASSWORD, cost)?;
    conn.transaction(|conn| {
        for (i, (username, display_name, bio, zip)) in MEMBERS.iter().enumerate() {
            let email = format!("{username}@demo.corkboard.invalid");
            let user = queries::insert_user(
                conn,
                &NewUser {
                    username,
                    email: &email,
                    password_hash: &hash,
                    role: if i == 0 { Role::Admin } else { Role::Member }.as_str(),
                },
            )
            .map_err(|err| anyhow::anyhow!("cannot create {username}: {err}"))?;
            queries::update_profile(
                conn,
                user.id,
                &ProfileChanges {
                    display_name,
                    bio,
                    home_zip: Some(zip),
                },
            )?;
        }
        Ok::<_, anyhow::Error>(())
    })?;
    Ok(format!(
        "{} members (log in as any of them, e.g. alice_w, with the password {DEMO_PASSWORD:?}; demo_admin is an admin)",
        MEMBERS.len()
    ))
}
