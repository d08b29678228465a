//! Making a database ready for the site: pending migrations, then the data every site needs
//! (the ZIP-code gazetteer). Safe to run from several instances at once.

use diesel::PgConnection;

use crate::{db, places};

pub fn prepare(conn: &mut PgConnection) -> anyhow::Result<()> {
    let ran = db::run_migrations(conn)?;
    let loaded = db::with_migration_lock(conn, places::ensure_loaded)?;
    tracing::info!(
        migrations = ran,
        places_loaded = loaded,
        "database is ready"
    );
    Ok(())
}
