use corkboard::db;
use diesel::RunQueryDsl;

use crate::helpers::TestDatabase;

#[derive(diesel::QueryableByName)]
struct Count {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    n: i64,
}

#[test]
fn two_instances_migrating_at_once_take_turns() {
    let database = TestDatabase::create_empty();
    let url = database.url.clone();

    let runs: Vec<usize> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..2)
            .map(|_| {
                let url = url.clone();
                scope.spawn(move || db::run_migrations(&mut db::connect(&url).unwrap()).unwrap())
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });

    // One instance applied everything, the other found nothing left to do.
    let total = runs.iter().sum::<usize>();
    assert!(total > 0);
    assert!(runs.contains(&0), "both instances migrated: {runs:?}");
    let mut conn = db::connect(&url).unwrap();
    let applied: Count = diesel::sql_query("SELECT count(*) AS n FROM __diesel_schema_migrations")
        .get_result(&mut conn)
        .unwrap();
    assert_eq!(applied.n as usize, total);
    assert_eq!(db::run_migrations(&mut conn).unwrap(), 0);
}

#[test]
fn the_search_and_places_extensions_are_installed() {
    let database = TestDatabase::create();
    let mut conn = db::connect(&database.url).unwrap();

    let installed: Count = diesel::sql_query(
        "SELECT count(*) AS n FROM pg_extension \
         WHERE extname IN ('pg_trgm', 'cube', 'earthdistance', 'unaccent')",
    )
    .get_result(&mut conn)
    .unwrap();

    assert_eq!(installed.n, 4);
}

#[test]
fn every_connection_from_the_pool_has_a_statement_timeout() {
    #[derive(diesel::QueryableByName)]
    struct Setting {
        #[diesel(sql_type = diesel::sql_types::Text)]
        statement_timeout: String,
    }
    let database = TestDatabase::create();
    let pool = db::build_pool(&database.url, &crate::helpers::test_database_settings());

    let setting: Setting = diesel::sql_query("SHOW statement_timeout")
        .get_result(&mut pool.get().unwrap())
        .unwrap();

    assert_eq!(setting.statement_timeout, "5s");
}

#[test]
fn the_private_cluster_takes_corkboards_memory_settings() {
    #[derive(diesel::QueryableByName)]
    struct Setting {
        #[diesel(sql_type = diesel::sql_types::Text)]
        effective_cache_size: String,
    }
    if std::env::var("TEST_DATABASE_URL").is_ok_and(|url| !url.is_empty()) {
        return; // an outside server has its own settings
    }
    let database = TestDatabase::create();
    let mut conn = db::connect(&database.url).unwrap();

    let setting: Setting = diesel::sql_query("SHOW effective_cache_size")
        .get_result(&mut conn)
        .unwrap();

    // The test cluster's size from corkboard.conf (PostgreSQL's own default is 4GB).
    assert_eq!(setting.effective_cache_size, "512MB");
}
