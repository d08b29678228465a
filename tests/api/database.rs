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
        eprintln!("SKIPPED: TEST_DATABASE_URL is set; an outside server has its own settings");
        return;
    }
    let database = TestDatabase::create();
    let mut conn = db::connect(&database.url).unwrap();

    let setting: Setting = diesel::sql_query("SHOW effective_cache_size")
        .get_result(&mut conn)
        .unwrap();

    // The test cluster's size from corkboard.conf (PostgreSQL's own default is 4GB).
    assert_eq!(setting.effective_cache_size, "512MB");

    #[derive(diesel::QueryableByName)]
    struct Cost {
        #[diesel(sql_type = diesel::sql_types::Text)]
        random_page_cost: String,
    }
    let cost: Cost = diesel::sql_query("SHOW random_page_cost")
        .get_result(&mut conn)
        .unwrap();
    // For a local SSD (PostgreSQL's own default, 4, is for spinning disks).
    assert_eq!(cost.random_page_cost, "1.1");
}

/// Runs `program args…` as the `nobody` account; `None` when the tests do not run as root
/// (only root can switch accounts), so the caller reports the check as skipped.
fn as_nobody(program: &str, args: &[&str]) -> Option<std::process::Output> {
    // SAFETY: geteuid has no preconditions and cannot fail.
    if unsafe { libc::geteuid() } != 0 {
        return None;
    }
    Some(
        std::process::Command::new("runuser")
            .args(["-u", "nobody", "--", program])
            .args(args)
            .env_remove("PGPASSWORD")
            .env_remove("PGPASSFILE")
            .output()
            .expect("runuser"),
    )
}

#[test]
fn the_private_cluster_admits_nobody_without_its_password() {
    let Some(cluster) = crate::helpers::test_cluster() else {
        eprintln!("SKIPPED: the tests run against TEST_DATABASE_URL, not a private cluster");
        return;
    };
    let socket_dir = cluster.socket_dir();

    // Even the account that runs it (root here, who can reach the socket) needs the password.
    let without_password = format!(
        "postgres://postgres@/postgres?host={}",
        socket_dir.display()
    );
    let refused = db::connect(&without_password)
        .err()
        .expect("connected without a password");
    assert!(
        format!("{refused:#}").contains("password"),
        "unexpected refusal: {refused:#}"
    );
    assert!(db::connect(&cluster.url("postgres")).is_ok());

    // The password file and the folders are the owner's alone.
    use std::os::unix::fs::PermissionsExt;
    let mode =
        |path: &std::path::Path| std::fs::metadata(path).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&cluster.root().join("password")), 0o600);
    assert_eq!(mode(cluster.root()), 0o700);
    assert_eq!(mode(&socket_dir), 0o700);

    // Another local account cannot reach the socket at all, let alone log in.
    let socket = socket_dir.to_str().unwrap();
    let Some(psql) = as_nobody(
        "psql",
        &[
            "-h", socket, "-U", "postgres", "-d", "postgres", "-w", "-c", "SELECT 1",
        ],
    ) else {
        eprintln!("SKIPPED (as nobody): the tests do not run as root");
        return;
    };
    assert!(
        !psql.status.success(),
        "nobody ran psql on the private cluster"
    );
    let listing = as_nobody("ls", &[socket]).unwrap();
    assert!(!listing.status.success(), "nobody listed the socket folder");
    let password = cluster.root().join("password");
    let read = as_nobody("cat", &[password.to_str().unwrap()]).unwrap();
    assert!(!read.status.success(), "nobody read the database password");
}

#[tokio::test]
async fn uploaded_photos_are_out_of_other_accounts_reach() {
    use corkboard::storage::{ObjectKey, Storage};
    use std::os::unix::fs::PermissionsExt;
    // A data folder others may look into, as a checkout under /srv or /home often is.
    let data_dir = tempfile::tempdir().unwrap();
    std::fs::set_permissions(data_dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    let storage = Storage::from_settings(
        &crate::helpers::local_storage_settings(),
        data_dir.path(),
        &corkboard::config::SecretKey::generate(),
    )
    .unwrap();
    let key = ObjectKey::parse("photos/ab/secret.jpg").unwrap();
    storage
        .put(
            &key,
            bytes::Bytes::from_static(b"not really a jpeg"),
            "image/jpeg",
        )
        .await
        .unwrap();

    let uploads = data_dir.path().join("uploads");
    let mode = std::fs::metadata(&uploads).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o700);
    let Some(listing) = as_nobody("ls", &[uploads.to_str().unwrap()]) else {
        eprintln!("SKIPPED (as nobody): the tests do not run as root");
        return;
    };
    assert!(!listing.status.success(), "nobody listed the uploads");
    let object = uploads.join("photos/ab/secret.jpg");
    let read = as_nobody("cat", &[object.to_str().unwrap()]).unwrap();
    assert!(!read.status.success(), "nobody read an uploaded photo");
}

/// `src/db/schema.rs` (generated by `make schema`, never edited by hand) says what the
/// migrations make: every table, column, type, nullability and primary key, and nothing else.
/// A migration without a regenerated schema fails here.
#[test]
fn schema_rs_matches_the_migrated_database() {
    use std::collections::BTreeMap;
    let source =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/src/db/schema.rs")).unwrap();
    // table -> (primary key, [(column, type)])
    let mut declared: BTreeMap<String, (String, Vec<(String, String)>)> = BTreeMap::new();
    let mut current: Option<String> = None;
    for line in source.lines().map(str::trim) {
        if let Some((head, _)) = line.split_once(" {")
            && let Some((name, key)) = head.split_once(" (")
            && !name.contains(' ')
            && key.ends_with(')')
        {
            current = Some(name.to_owned());
            declared.insert(
                name.to_owned(),
                (key.trim_end_matches(')').to_owned(), Vec::new()),
            );
            continue;
        }
        if line == "}" {
            current = None;
            continue;
        }
        if let (Some(table), Some((column, kind))) = (&current, line.split_once(" -> ")) {
            declared
                .get_mut(table)
                .unwrap()
                .1
                .push((column.to_owned(), kind.trim_end_matches(',').to_owned()));
        }
    }
    assert!(declared.len() >= 10, "{declared:?}");

    #[derive(diesel::QueryableByName)]
    struct Column {
        #[diesel(sql_type = diesel::sql_types::Text)]
        table_name: String,
        #[diesel(sql_type = diesel::sql_types::Text)]
        column_name: String,
        #[diesel(sql_type = diesel::sql_types::Text)]
        udt_name: String,
        #[diesel(sql_type = diesel::sql_types::Bool)]
        nullable: bool,
        #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Text>)]
        primary_key: Option<String>,
    }
    let database = TestDatabase::create();
    let columns: Vec<Column> = diesel::sql_query(
        "SELECT c.table_name::text, c.column_name::text, c.udt_name::text,
                c.is_nullable = 'YES' AS nullable,
                (SELECT string_agg(k.column_name, ', ' ORDER BY k.ordinal_position)
                 FROM information_schema.table_constraints t
                 JOIN information_schema.key_column_usage k
                   ON k.constraint_name = t.constraint_name AND k.table_name = t.table_name
                 WHERE t.table_name = c.table_name AND t.constraint_type = 'PRIMARY KEY')::text
                  AS primary_key
         FROM information_schema.columns c
         JOIN information_schema.tables t USING (table_schema, table_name)
         WHERE c.table_schema = 'public' AND t.table_type = 'BASE TABLE'
           AND c.table_name <> '__diesel_schema_migrations'
         ORDER BY c.table_name, c.ordinal_position",
    )
    .load(&mut db::connect(&database.url).unwrap())
    .unwrap();
    let diesel_type = |udt: &str| -> &str {
        match udt {
            "int2" => "Int2",
            "int4" => "Int4",
            "int8" => "Int8",
            "text" | "varchar" => "Text",
            "bool" => "Bool",
            "float4" => "Float4",
            "float8" => "Float8",
            "timestamptz" => "Timestamptz",
            "timestamp" => "Timestamp",
            "jsonb" => "Jsonb",
            "uuid" => "Uuid",
            "bytea" => "Bytea",
            "tsvector" => "Tsvector",
            "cube" => "Cube",
            // Text arrays whose migrations refuse NULL elements.
            "_text" => "Array<Text>",
            "_int8" => "Array<Int8>",
            other => panic!("no Diesel type for {other}"),
        }
    };
    let mut actual: BTreeMap<String, (String, Vec<(String, String)>)> = BTreeMap::new();
    for c in columns {
        let kind = diesel_type(&c.udt_name);
        let kind = if c.nullable {
            format!("Nullable<{kind}>")
        } else {
            kind.to_owned()
        };
        actual
            .entry(c.table_name)
            .or_insert_with(|| (c.primary_key.unwrap_or_default(), Vec::new()))
            .1
            .push((c.column_name, kind));
    }

    assert_eq!(
        declared, actual,
        "src/db/schema.rs does not match the migrations: run `make schema`"
    );
}
