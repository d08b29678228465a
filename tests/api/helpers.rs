//! The test harness.
//!
//! - **PostgreSQL**: `TEST_DATABASE_URL` (a role that may create databases), or else a private
//!   throw-away cluster (fsync off) in the system temp folder, started on first use and stopped
//!   when the test binary exits. A template database is migrated once per run; every test gets
//!   its own copy (`CREATE DATABASE … TEMPLATE … STRATEGY FILE_COPY`), dropped when its
//!   [`TestApp`] is dropped. Databases left by a crashed run are dropped on the next run.
//! - **Server**: each test runs the real application on `127.0.0.1:0` with one worker.
//! - **Client**: reqwest with a cookie store and redirects off, so tests see every 303.
//! - **S3**: a real S3-compatible server (s3s-fs) on loopback, started once per run, with
//!   credentials; each test takes a fresh bucket.
//! - **Browser**: headless Chromium through chromedriver (see [`Browser`]).

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use corkboard::config::{
    AuthSettings, DatabaseSettings, ListingSettings, SecretKey, StorageSettings,
};
use corkboard::db::embedded::{Durability, EmbeddedCluster};
use corkboard::db::ids::{ListingId, UserId};
use corkboard::db::{self, PgPool};
use corkboard::startup::{AppState, Application};
use corkboard::storage::Storage;
use corkboard::web::{Db, SiteConfig};
use diesel::RunQueryDsl;
use reqwest::StatusCode;
use reqwest::header::HeaderMap;

// ---------------------------------------------------------------------------------------------
// PostgreSQL

enum DatabaseServer {
    Embedded(EmbeddedCluster),
    External(String),
}

impl DatabaseServer {
    fn url(&self, database: &str) -> String {
        match self {
            Self::Embedded(cluster) => cluster.url(database),
            Self::External(url) => with_database(url, database),
        }
    }
}

/// `url` with its database name replaced.
fn with_database(url: &str, database: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((base, query)) => (base, Some(query)),
        None => (url, None),
    };
    let scheme_end = base.find("://").map_or(0, |i| i + 3);
    let host_end = base[scheme_end..]
        .find('/')
        .map_or(base.len(), |i| scheme_end + i);
    let mut out = format!("{}/{database}", &base[..host_end]);
    if let Some(query) = query {
        out.push('?');
        out.push_str(query);
    }
    out
}

struct TestDatabases {
    server: DatabaseServer,
    template: String,
}

static DATABASES: OnceLock<TestDatabases> = OnceLock::new();
static CLUSTER_TO_STOP: OnceLock<EmbeddedCluster> = OnceLock::new();
static NEXT_DATABASE: AtomicUsize = AtomicUsize::new(0);

extern "C" fn stop_test_cluster() {
    if let Some(cluster) = CLUSTER_TO_STOP.get() {
        let _ = cluster.stop();
    }
}

fn databases() -> &'static TestDatabases {
    DATABASES.get_or_init(|| {
        let server = match std::env::var("TEST_DATABASE_URL") {
            Ok(url) if !url.is_empty() => DatabaseServer::External(url),
            _ => {
                let cluster = EmbeddedCluster::new(&test_cluster_dir())
                    .expect("cannot set up the test PostgreSQL cluster");
                cluster
                    .start(Durability::Ephemeral)
                    .expect("cannot start the test PostgreSQL cluster");
                // Stopped at exit even if an earlier, killed run left it running.
                let _ = CLUSTER_TO_STOP.set(cluster.clone());
                // SAFETY: registering a plain extern "C" function with no captured state.
                unsafe { libc::atexit(stop_test_cluster) };
                DatabaseServer::Embedded(cluster)
            }
        };
        drop_stale_databases(&server);
        let template = format!("cb_tpl_{}", std::process::id());
        admin_execute(&server, &format!("CREATE DATABASE {template}"));
        {
            let mut conn = db::connect(&server.url(&template)).expect("connect to the template");
            corkboard::bootstrap::prepare(&mut conn).expect("migrate the template");
        }
        TestDatabases { server, template }
    })
}

/// The private test cluster, unless the tests run against `TEST_DATABASE_URL`.
pub fn test_cluster() -> Option<&'static EmbeddedCluster> {
    match &databases().server {
        DatabaseServer::Embedded(cluster) => Some(cluster),
        DatabaseServer::External(_) => None,
    }
}

/// One folder per checkout, so two checkouts' test runs do not share a cluster.
fn test_cluster_dir() -> PathBuf {
    use std::hash::{Hash, Hasher};
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    env!("CARGO_MANIFEST_DIR").hash(&mut hasher);
    std::env::temp_dir().join(format!(
        "corkboard-test-pg-{:x}",
        hasher.finish() & 0xffff_ffff
    ))
}

fn admin_execute(server: &DatabaseServer, sql: &str) {
    let mut conn = db::connect(&server.url("postgres")).expect("connect to the admin database");
    diesel::sql_query(sql)
        .execute(&mut conn)
        .unwrap_or_else(|err| panic!("{sql}: {err}"));
}

/// Drops test databases whose test process is gone.
fn drop_stale_databases(server: &DatabaseServer) {
    #[derive(diesel::QueryableByName)]
    struct Name {
        #[diesel(sql_type = diesel::sql_types::Text)]
        datname: String,
    }
    let mut conn = db::connect(&server.url("postgres")).expect("connect to the admin database");
    let names: Vec<Name> = diesel::sql_query(
        "SELECT datname FROM pg_database WHERE datname LIKE 'cb\\_test\\_%' OR datname LIKE 'cb\\_tpl\\_%'",
    )
    .load(&mut conn)
    .expect("list test databases");
    for Name { datname } in names {
        let pid = datname
            .split('_')
            .nth(2)
            .and_then(|p| p.parse::<u32>().ok());
        let alive = pid.is_some_and(|pid| {
            pid != std::process::id() && Path::new(&format!("/proc/{pid}")).exists()
        });
        if !alive {
            let _ = diesel::sql_query(format!("DROP DATABASE IF EXISTS {datname} WITH (FORCE)"))
                .execute(&mut conn);
        }
    }
}

/// A database of its own for one test, copied from the migrated template; dropped on drop.
pub struct TestDatabase {
    pub name: String,
    pub url: String,
    /// Whether the harness created it (and so drops it).
    managed: bool,
}

impl TestDatabase {
    pub fn create() -> Self {
        let dbs = databases();
        let name = format!(
            "cb_test_{}_{}",
            std::process::id(),
            NEXT_DATABASE.fetch_add(1, Ordering::Relaxed)
        );
        admin_execute(
            &dbs.server,
            &format!(
                "CREATE DATABASE {name} TEMPLATE {} STRATEGY FILE_COPY",
                dbs.template
            ),
        );
        let url = dbs.server.url(&name);
        Self {
            name,
            url,
            managed: true,
        }
    }

    /// A database the test set up itself somewhere else; the harness leaves it alone.
    pub fn unmanaged(url: String) -> Self {
        Self {
            name: String::new(),
            url,
            managed: false,
        }
    }

    /// An empty database (no migrations), for testing the migrations themselves.
    pub fn create_empty() -> Self {
        let dbs = databases();
        let name = format!(
            "cb_test_{}_{}",
            std::process::id(),
            NEXT_DATABASE.fetch_add(1, Ordering::Relaxed)
        );
        admin_execute(&dbs.server, &format!("CREATE DATABASE {name}"));
        let url = dbs.server.url(&name);
        Self {
            name,
            url,
            managed: true,
        }
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        if !self.managed {
            return;
        }
        if let Some(dbs) = DATABASES.get()
            && let Ok(mut conn) = db::connect(&dbs.server.url("postgres"))
        {
            let _ = diesel::sql_query(format!(
                "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                self.name
            ))
            .execute(&mut conn);
        }
    }
}

pub fn test_database_settings() -> DatabaseSettings {
    DatabaseSettings {
        database_url: None,
        pool_size: 4,
        checkout_timeout_ms: 1500,
        statement_timeout_ms: 5000,
        replica_url: None,
        replica_max_lag_ms: 1000,
    }
}

// ---------------------------------------------------------------------------------------------
// The application

/// Where a test app keeps its objects.
pub enum StorageChoice {
    Local,
    S3,
    /// An S3 endpoint nobody answers at: photo storage is down.
    S3Down,
}

pub struct TestApp {
    /// The first visitor: `app.get(..)` and friends act as them.
    pub visitor: Visitor,
    /// Where the app's mail goes when [`TestApp::run_jobs`] runs the queue: `.eml` files under
    /// its data folder (the default) unless a test points it at the SMTP server.
    pub mailer: corkboard::mail::Mailer,
    /// `http://127.0.0.1:<port>`
    pub address: String,
    pub pool: PgPool,
    pub storage: Storage,
    handle: actix_web::dev::ServerHandle,
    /// What the app was built with: another instance gets the same (see
    /// [`TestApp::another_instance`]).
    state: AppState,
    pub database: TestDatabase,
    pub data_dir: tempfile::TempDir,
}

/// A second instance of an app: the same database, storage and keys on another port, as
/// behind a load balancer. Stopped when dropped.
pub struct Instance {
    /// `http://127.0.0.1:<port>`
    pub address: String,
    handle: actix_web::dev::ServerHandle,
    /// Stops it as SIGTERM does.
    pub lifecycle: corkboard::startup::Lifecycle,
}

impl Drop for Instance {
    fn drop(&mut self) {
        drop(self.handle.stop(false));
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        // Sends the stop command at once; the workers wind down while the database is dropped.
        drop(self.handle.stop(false));
    }
}

/// The application with its own database and local-disk storage.
pub async fn spawn_app() -> TestApp {
    spawn_app_with(StorageChoice::Local).await
}

pub async fn spawn_app_with(storage: StorageChoice) -> TestApp {
    let database = TestDatabase::create();
    let data_dir = tempfile::tempdir().expect("temp dir");
    let secret = SecretKey::generate();
    let storage = match storage {
        StorageChoice::Local => {
            Storage::from_settings(&local_storage_settings(), data_dir.path(), &secret)
        }
        StorageChoice::S3 => {
            let s3 = s3_server();
            Storage::from_settings(
                &s3.storage_settings(&s3.new_bucket()),
                data_dir.path(),
                &secret,
            )
        }
        StorageChoice::S3Down => {
            let mut settings = s3_server().storage_settings("gone");
            // Nothing listens on port 9 (discard) on loopback.
            settings.s3_endpoint = Some("http://127.0.0.1:9".into());
            Storage::from_settings(&settings, data_dir.path(), &secret)
        }
    }
    .expect("storage");
    spawn_app_on(database, storage, data_dir).await
}

/// The application with local-disk storage and settings changed by `configure`.
pub async fn spawn_app_configured(configure: impl FnOnce(&mut AppState)) -> TestApp {
    let database = TestDatabase::create();
    let data_dir = tempfile::tempdir().expect("temp dir");
    let storage = Storage::from_settings(
        &local_storage_settings(),
        data_dir.path(),
        &SecretKey::generate(),
    )
    .expect("storage");
    spawn_app_with_state(database, storage, data_dir, configure).await
}

/// The application behind a proxy whose `X-Forwarded-For` it trusts, so tests can speak from
/// many addresses.
pub async fn spawn_app_behind_proxy() -> TestApp {
    spawn_app_configured(|state| state.auth.trust_proxy_headers = true).await
}

/// The application on a given database and storage.
pub async fn spawn_app_on(
    database: TestDatabase,
    storage: Storage,
    data_dir: tempfile::TempDir,
) -> TestApp {
    spawn_app_with_state(database, storage, data_dir, |_| {}).await
}

async fn spawn_app_with_state(
    database: TestDatabase,
    storage: Storage,
    data_dir: tempfile::TempDir,
    configure: impl FnOnce(&mut AppState),
) -> TestApp {
    let pool = db::build_pool(&database.url, &test_database_settings());
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind a free port");
    let port = listener.local_addr().unwrap().port();
    let address = format!("http://127.0.0.1:{port}");
    let mut state = AppState {
        db: Db::new(pool.clone()),
        storage: storage.clone(),
        site: SiteConfig {
            site_name: "Corkboard".into(),
            public_url: address.clone(),
            ..SiteConfig::default()
        },
        auth: AuthSettings {
            bcrypt_cost: TEST_BCRYPT_COST,
            ..AuthSettings::default()
        },
        listings: ListingSettings {
            // Tests read counts right after changing listings.
            counts_ttl_seconds: 0,
            // Tests see views on the dashboard within a second.
            view_flush_seconds: 1,
            ..ListingSettings::default()
        },
        // Tests run the mail jobs when they choose to.
        messages: corkboard::config::MessageSettings {
            message_mail_delay_seconds: 0,
        },
        moderation: corkboard::config::ModerationSettings::default(),
        secret: SecretKey::generate(),
        database_url: database.url.clone(),
    };
    configure(&mut state);
    let app = Application::build(state.clone(), listener, 1).expect("build the app");
    let handle = app.handle();
    tokio::spawn(app.run_until_stopped());
    let mailer = corkboard::mail::Mailer::from_settings(
        &corkboard::config::MailSettings::default(),
        data_dir.path(),
    )
    .expect("the file mailer");
    TestApp {
        visitor: Visitor::new(&address),
        mailer,
        address,
        pool,
        storage,
        handle,
        state,
        database,
        data_dir,
    }
}

/// bcrypt's lowest cost: hashing in tests takes a millisecond, not a quarter second.
pub const TEST_BCRYPT_COST: u32 = 4;

/// A client like a browser's: keeps cookies in `jar`, does not follow redirects.
pub fn client_with(jar: std::sync::Arc<reqwest::cookie::Jar>) -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .cookie_provider(jar)
        .timeout(Duration::from_secs(30))
        // Shorter than the server's keep-alive (5 s): a connection the server may have just
        // closed is never reused (hyper would fail the request with IncompleteMessage).
        .pool_idle_timeout(Duration::from_secs(3))
        .build()
        .unwrap()
}

pub fn local_storage_settings() -> StorageSettings {
    StorageSettings {
        s3_bucket: None,
        s3_endpoint: None,
        s3_region: "us-east-1".into(),
        s3_access_key: None,
        s3_secret_key: None,
        s3_path_style: true,
        url_ttl_seconds: 3600,
    }
}

/// A page as the test saw it.
pub struct Page {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: String,
}

impl std::ops::Deref for TestApp {
    type Target = Visitor;

    fn deref(&self) -> &Visitor {
        &self.visitor
    }
}

impl TestApp {
    /// Starts another instance of this app (its own process state: its own listener for
    /// live events, its own rate-limit memory, nothing shared but what instances share).
    pub fn another_instance(&self) -> Instance {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind a free port");
        let address = format!("http://127.0.0.1:{}", listener.local_addr().unwrap().port());
        let app = Application::build(self.state.clone(), listener, 1).expect("build the app");
        let handle = app.handle();
        let lifecycle = app.lifecycle();
        tokio::spawn(app.run_until_stopped());
        Instance {
            address,
            handle,
            lifecycle,
        }
    }

    /// The path of `username`'s signed link to stop mail about new messages (as the mail
    /// carries it).
    pub fn unsubscribe_path(&self, username: &str) -> String {
        use diesel::prelude::*;
        let id: corkboard::db::ids::UserId = corkboard::db::schema::users::table
            .filter(corkboard::db::schema::users::username.eq(username))
            .select(corkboard::db::schema::users::id)
            .first(&mut self.pool.get().unwrap())
            .unwrap();
        let site = corkboard::mail::MailSite::from(&self.state.site);
        corkboard::messages::notify::unsubscribe_url(&site, &self.state.secret, id)
            .strip_prefix(&self.address)
            .expect("a link to this app")
            .to_owned()
    }

    /// Runs one SQL statement on the app's database (for arranging what a test needs).
    pub fn execute(&self, sql: &str) {
        use diesel::RunQueryDsl;
        diesel::sql_query(sql)
            .execute(&mut self.pool.get().unwrap())
            .unwrap();
    }

    /// A listing's stored status, as text.
    pub fn listing_status(&self, id: ListingId) -> String {
        use corkboard::db::schema::listings;
        use diesel::prelude::*;
        listings::table
            .find(id)
            .select(listings::status)
            .first(&mut self.pool.get().unwrap())
            .unwrap()
    }

    /// Another member, made an admin, logged in.
    pub async fn new_admin(&self) -> (Visitor, TestUser) {
        let (visitor, user) = self.new_member().await;
        self.execute(&format!(
            "UPDATE users SET role = 'admin' WHERE username = '{}'",
            user.username
        ));
        (visitor, user)
    }

    /// How many audit entries record `action` (`listing.hold`, …).
    pub fn audit_count(&self, action: &str) -> i64 {
        use corkboard::db::schema::audit_log;
        use diesel::prelude::*;
        audit_log::table
            .filter(audit_log::action.eq(action))
            .count()
            .get_result(&mut self.pool.get().unwrap())
            .unwrap()
    }

    /// What the app's job workers get, with this app's mailer.
    pub fn job_context(&self) -> corkboard::jobs::JobContext {
        corkboard::jobs::JobContext {
            site: corkboard::mail::MailSite::from(&self.state.site),
            secret: self.state.secret.clone(),
            db: Db::new(self.pool.clone()),
            storage: self.storage.clone(),
            mailer: self.mailer.clone(),
            session_lifetime: Duration::from_secs(30 * 86_400),
            lease: Duration::from_secs(30),
            poll: Duration::from_millis(50),
        }
    }

    /// Runs every job that is due now, as a worker would, until none is left; returns how
    /// many ran. (Failed jobs wait for their back-off, so they do not run twice here.)
    pub async fn run_jobs(&self) -> usize {
        use corkboard::jobs::{queue, runner};
        let ctx = self.job_context();
        let mut ran = 0;
        loop {
            let job = ctx
                .db
                .run(|conn| queue::claim(conn, "test-worker", Duration::from_secs(30)))
                .await
                .expect("claim a job");
            let Some(job) = job else { return ran };
            runner::perform(&ctx, "test-worker", job).await;
            ran += 1;
            assert!(ran < 1000, "jobs keep coming");
        }
    }

    /// Signs the first visitor up as a member who has confirmed their e-mail address (as
    /// most members have, and as the features under test assume).
    pub async fn sign_up_new_member(&self) -> TestUser {
        let user = self.visitor.sign_up_new_member().await;
        self.confirm_address(&user);
        user
    }

    /// Another visitor, signed up as a member with a confirmed address.
    pub async fn new_member(&self) -> (Visitor, TestUser) {
        let visitor = self.new_visitor();
        let user = visitor.sign_up_new_member().await;
        self.confirm_address(&user);
        (visitor, user)
    }

    /// What signs this app's API access tokens (tests make expired ones with it).
    pub fn access_tokens(&self) -> corkboard::web::jwt::AccessTokens {
        corkboard::startup::access_tokens(&self.state.secret)
    }

    /// The id of the member with this username.
    pub fn user_id(&self, username: &str) -> corkboard::db::ids::UserId {
        #[derive(diesel::QueryableByName)]
        struct Row {
            #[diesel(sql_type = diesel::sql_types::BigInt)]
            id: i64,
        }
        let row: Row = diesel::sql_query("SELECT id FROM users WHERE username = $1")
            .bind::<diesel::sql_types::Text, _>(username)
            .get_result(&mut self.pool.get().unwrap())
            .expect("the member exists");
        corkboard::db::ids::UserId(row.id)
    }

    /// Marks a member's e-mail address confirmed.
    pub fn confirm_address(&self, user: &TestUser) {
        diesel::sql_query("UPDATE users SET email_verified_at = now() WHERE username = $1")
            .bind::<diesel::sql_types::Text, _>(&user.username)
            .execute(&mut self.pool.get().unwrap())
            .expect("confirm the address");
    }

    /// Signs the first visitor up, the address not yet confirmed.
    pub async fn sign_up_unverified_member(&self) -> TestUser {
        self.visitor.sign_up_new_member().await
    }

    /// Points the app's mail at the test SMTP server.
    pub fn send_mail_by_smtp(&mut self) {
        self.mailer = smtp_server().mailer();
    }

    /// The mail the app wrote as files (the default mailer), oldest first.
    pub fn mail_files(&self) -> Vec<ReceivedMail> {
        let folder = self.data_dir.path().join("mail");
        read_mails(
            std::fs::read_dir(&folder)
                .into_iter()
                .flatten()
                .flatten()
                .map(|e| e.path()),
        )
    }

    /// The id of a category, by its section and category slugs.
    pub fn category_id(&self, section: &str, category: &str) -> i32 {
        let mut conn = self.pool.get().unwrap();
        corkboard::listings::queries::find_category(&mut conn, section, category)
            .unwrap()
            .unwrap_or_else(|| panic!("no category {section}/{category}"))
            .1
            .id
    }

    /// Another visitor with a browser of their own (own cookies).
    pub fn new_visitor(&self) -> Visitor {
        Visitor::new(&self.address)
    }

    /// Another visitor, from `ip` (see [`Visitor::from_ip`]).
    pub fn visitor_from(&self, ip: &str) -> Visitor {
        Visitor::from_ip(&self.address, ip)
    }
}

/// One browser's view of the site: a client with its own cookie jar.
pub struct Visitor {
    pub client: reqwest::Client,
    pub jar: std::sync::Arc<reqwest::cookie::Jar>,
    /// `http://127.0.0.1:<port>`
    pub address: String,
    /// What forms say they come from (`Origin`): the site's public address, which is
    /// `address` unless the visitor talks to one instance behind a load balancer.
    origin: String,
}

impl Visitor {
    /// The same browser (cookies and all) talking to another instance.
    pub fn at(&self, address: &str) -> Visitor {
        Visitor {
            client: self.client.clone(),
            jar: self.jar.clone(),
            address: address.to_owned(),
            origin: address.to_owned(),
        }
    }

    /// The same browser talking straight to one instance behind the load balancer it
    /// normally goes through (its forms still come from the site's public address).
    pub fn straight_to(&self, instance: &str) -> Visitor {
        Visitor {
            client: self.client.clone(),
            jar: self.jar.clone(),
            address: instance.to_owned(),
            origin: self.origin.clone(),
        }
    }

    /// Opens the member's live stream (`/events`), as a browser's `EventSource` does; with
    /// `last_event_id` as a reconnecting one does.
    pub async fn open_events(&self, query: &str, last_event_id: Option<&str>) -> EventStream {
        let mut request = self
            .client
            .get(self.url(&format!("/events{query}")))
            .header("Accept", "text/event-stream")
            .header("Accept-Encoding", "gzip, br")
            // The stream outlives the client's usual timeout.
            .timeout(Duration::from_secs(3600));
        if let Some(id) = last_event_id {
            request = request.header("Last-Event-ID", id);
        }
        let response = request.send().await.expect("open /events");
        EventStream::new(response)
    }

    /// Opens any event stream of the site (a chat room's, say) as a browser's `EventSource`.
    pub async fn open_stream(&self, path: &str) -> EventStream {
        let response = self
            .client
            .get(self.url(path))
            .header("Accept", "text/event-stream")
            .timeout(Duration::from_secs(3600))
            .send()
            .await
            .expect("open a stream");
        EventStream::new(response)
    }

    /// A visitor whose requests say (through `X-Forwarded-For`) they come from `ip`; only an
    /// app from [`spawn_app_behind_proxy`] believes it.
    pub fn from_ip(address: &str, ip: &str) -> Self {
        let jar = std::sync::Arc::new(reqwest::cookie::Jar::default());
        let mut headers = HeaderMap::new();
        headers.insert("x-forwarded-for", ip.parse().unwrap());
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .cookie_provider(jar.clone())
            .default_headers(headers)
            .timeout(Duration::from_secs(30))
            .pool_idle_timeout(Duration::from_secs(3))
            .build()
            .unwrap();
        Self {
            client,
            jar,
            address: address.to_owned(),
            origin: address.to_owned(),
        }
    }

    pub fn new(address: &str) -> Self {
        let jar = std::sync::Arc::new(reqwest::cookie::Jar::default());
        Self {
            client: client_with(jar.clone()),
            jar,
            address: address.to_owned(),
            origin: address.to_owned(),
        }
    }

    pub fn url(&self, path: &str) -> String {
        if path.starts_with("http://") || path.starts_with("https://") {
            path.to_owned()
        } else {
            format!("{}{path}", self.address)
        }
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client
            .get(self.url(path))
            .send()
            .await
            .unwrap_or_else(|err| panic!("GET {path} failed: {err:?}"))
    }

    pub async fn get_page(&self, path: &str) -> Page {
        let response = self.get(path).await;
        Page {
            status: response.status(),
            headers: response.headers().clone(),
            body: response.text().await.expect("body"),
        }
    }

    /// GETs a page that must answer 200 (so that a check for what it does *not* show is
    /// not passed by an error page).
    #[track_caller]
    pub fn get_ok_page<'a>(
        &'a self,
        path: &'a str,
    ) -> impl std::future::Future<Output = Page> + 'a {
        let caller = std::panic::Location::caller();
        async move {
            let page = self.get_page(path).await;
            assert_eq!(
                page.status,
                StatusCode::OK,
                "GET {path} (from {caller}): {}",
                &page.body[..page.body.len().min(300)]
            );
            page
        }
    }

    /// POSTs a urlencoded form as given (no token added).
    pub async fn post_form(&self, path: &str, fields: &[(&str, &str)]) -> reqwest::Response {
        self.client
            .post(self.url(path))
            .header("Origin", &self.origin)
            .form(fields)
            .send()
            .await
            .expect("POST failed")
    }

    /// Opens `page`, takes the CSRF token from its form, and POSTs `fields` plus the token to
    /// `action`, the way a browser submits a form.
    pub async fn submit_form(
        &self,
        page: &str,
        action: &str,
        fields: &[(&str, &str)],
    ) -> reqwest::Response {
        let html = self.get_page(page).await.body;
        let token = hidden_field(&html, "csrf_token");
        let mut all: Vec<(&str, &str)> = fields.to_vec();
        if let Some(token) = token.as_deref() {
            all.push(("csrf_token", token));
        }
        self.post_form(action, &all).await
    }
}

impl Visitor {
    /// A multipart form as a browser starts it from `page`'s form: the CSRF token first.
    /// Add the fields and files, then send it with [`Visitor::post_multipart`].
    pub async fn multipart_form(&self, page: &str) -> reqwest::multipart::Form {
        let html = self.get_page(page).await.body;
        let token = hidden_field(&html, "csrf_token")
            .unwrap_or_else(|| panic!("{page} has no form with a CSRF token"));
        reqwest::multipart::Form::new().text("csrf_token", token)
    }

    /// POSTs a multipart form from this site's page.
    pub async fn post_multipart(
        &self,
        action: &str,
        form: reqwest::multipart::Form,
    ) -> reqwest::Response {
        self.client
            .post(self.url(action))
            .header("Origin", &self.origin)
            .multipart(form)
            .send()
            .await
            .expect("POST failed")
    }
}

/// A member's credentials, as signed up.
#[derive(Debug, Clone)]
pub struct TestUser {
    pub username: String,
    pub email: String,
    pub password: String,
}

impl TestUser {
    /// A fresh, valid member with a unique name.
    pub fn generate() -> Self {
        let id = &uuid::Uuid::new_v4().simple().to_string()[..10];
        Self {
            username: format!("user_{id}"),
            email: format!("user_{id}@example.com"),
            password: format!("correct horse {id}"),
        }
    }
}

impl Visitor {
    /// Signs up through the form (and so is logged in afterwards).
    pub async fn sign_up(&self, user: &TestUser) -> reqwest::Response {
        self.submit_form(
            "/signup",
            "/signup",
            &[
                ("username", &user.username),
                ("email", &user.email),
                ("password", &user.password),
            ],
        )
        .await
    }

    /// Signs up a new member and checks it worked.
    pub async fn sign_up_new_member(&self) -> TestUser {
        let user = TestUser::generate();
        let response = self.sign_up(&user).await;
        assert_redirect_to(&response, &format!("/u/{}", user.username));
        user
    }

    pub async fn log_in(&self, login: &str, password: &str) -> reqwest::Response {
        self.submit_form(
            "/login",
            "/login",
            &[("login", login), ("password", password)],
        )
        .await
    }

    pub async fn log_out(&self) -> reqwest::Response {
        self.submit_form("/", "/logout", &[]).await
    }

    /// The username the page header shows as logged in, if any.
    pub async fn logged_in_as(&self) -> Option<String> {
        let html = self.get_page("/").await.body;
        let at = html.find("<form action=\"/logout\"")?;
        let before = &html[..at];
        let link = before.rfind("href=\"/u/")? + "href=\"/u/".len();
        Some(before[link..link + before[link..].find('"')?].to_owned())
    }

    /// The session cookie's current value.
    pub fn session_cookie(&self) -> Option<String> {
        use reqwest::cookie::CookieStore;
        let url = self.address.parse().unwrap();
        let header = self.jar.cookies(&url)?;
        header
            .to_str()
            .ok()?
            .split("; ")
            .find_map(|c| c.strip_prefix("corkboard_session="))
            .map(str::to_owned)
    }
}

/// The value of `<input type="hidden" name="{name}" value="…">` in `html`.
pub fn hidden_field(html: &str, name: &str) -> Option<String> {
    let marker = format!("name=\"{name}\"");
    let at = html.find(&marker)?;
    let tag_start = html[..at].rfind('<')?;
    let tag_end = at + html[at..].find('>')?;
    let tag = &html[tag_start..tag_end];
    let value_at = tag.find("value=\"")? + "value=\"".len();
    let value_end = value_at + tag[value_at..].find('"')?;
    Some(tag[value_at..value_end].to_owned())
}

/// Asserts a 303 to `location` (path, optionally with query).
#[track_caller]
pub fn assert_redirect_to(response: &reqwest::Response, location: &str) {
    assert_eq!(
        response.status(),
        StatusCode::SEE_OTHER,
        "expected a redirect to {location}"
    );
    assert_eq!(
        response
            .headers()
            .get("location")
            .map(|v| v.to_str().unwrap()),
        Some(location)
    );
}

// ---------------------------------------------------------------------------------------------
// Fixtures

/// A PNG of `width` × `height` with a gradient (so re-encoding has something to keep).
pub fn png(width: u32, height: u32) -> Vec<u8> {
    let img = image::RgbImage::from_fn(width, height, |x, y| {
        image::Rgb([(x % 256) as u8, (y % 256) as u8, 128])
    });
    let mut out = std::io::Cursor::new(Vec::new());
    image::DynamicImage::ImageRgb8(img)
        .write_to(&mut out, image::ImageFormat::Png)
        .unwrap();
    out.into_inner()
}

/// Posts the listing form (multipart, as a browser does).
/// The id of the listing a posting form redirected to (`/listings/{id}/{slug}`).
pub fn posted_listing_id(response: &reqwest::Response) -> i64 {
    let location = response.headers()["location"].to_str().unwrap();
    location
        .split('/')
        .nth(2)
        .and_then(|id| id.parse().ok())
        .unwrap_or_else(|| panic!("not a listing's page: {location}"))
}

pub async fn post_listing(
    visitor: &Visitor,
    category: i32,
    fields: &[(&str, &str)],
    photos: Vec<(&str, Vec<u8>)>,
) -> reqwest::Response {
    let path = format!("/listings/new?category={category}");
    let mut form = visitor.multipart_form(&path).await;
    for (name, value) in fields {
        form = form.text(name.to_string(), value.to_string());
    }
    for (name, bytes) in photos {
        form = form.part(
            "photos",
            reqwest::multipart::Part::bytes(bytes).file_name(name.to_owned()),
        );
    }
    visitor.post_multipart(&path, form).await
}

/// A listing put straight into the database through the app's own insert type, for tests
/// that need many listings or ones posted in the past. The first member owns it.
pub struct TestListing<'a> {
    pub title: &'a str,
    pub body: &'a str,
    /// Section and category slugs.
    pub category: (&'a str, &'a str),
    pub price: Option<i64>,
    pub zip: &'a str,
    /// The details, as JSON.
    pub attributes: &'a str,
    /// Posted (and renewed) this long ago.
    pub minutes_ago: i64,
    pub status: corkboard::listings::models::ListingStatus,
}

impl Default for TestListing<'_> {
    fn default() -> Self {
        Self {
            title: "Thing",
            body: "A thing.",
            category: ("for-sale", "general"),
            price: Some(1000),
            zip: "10001",
            attributes: "{}",
            minutes_ago: 0,
            status: corkboard::listings::models::ListingStatus::Active,
        }
    }
}

impl TestListing<'_> {
    /// Inserts it; returns its id.
    pub fn insert(self, app: &TestApp) -> ListingId {
        use corkboard::db::schema::{listings, users};
        use diesel::prelude::*;
        let mut conn = app.pool.get().unwrap();
        let owner: UserId = users::table
            .select(diesel::dsl::min(users::id))
            .first::<Option<UserId>>(&mut conn)
            .unwrap()
            .expect("a member to own the listing");
        let (_, category) = corkboard::listings::queries::find_category(
            &mut conn,
            self.category.0,
            self.category.1,
        )
        .unwrap()
        .expect("a category");
        let place = corkboard::places::find_place(&mut conn, self.zip)
            .unwrap()
            .expect("a known ZIP");
        let posted = chrono::Utc::now() - chrono::Duration::minutes(self.minutes_ago);
        let listing = corkboard::listings::queries::create_listing(
            &mut conn,
            &corkboard::listings::models::NewListing {
                owner_id: owner,
                category_id: category.id,
                title: self.title,
                body: self.body,
                price_cents: self.price,
                is_free: false,
                zip: &place.zip,
                latitude: place.latitude,
                longitude: place.longitude,
                attributes: serde_json::from_str(self.attributes).expect("details as JSON"),
                expires_at: posted + chrono::Duration::days(30),
                price_unit: None,
                price_max_cents: None,
                starts_at: None,
                ends_at: None,
            },
            &[],
        )
        .unwrap();
        diesel::update(listings::table.find(listing.id))
            .set((
                listings::created_at.eq(posted),
                listings::renewed_at.eq(posted),
                listings::status.eq(self.status),
            ))
            .execute(&mut conn)
            .unwrap();
        listing.id
    }
}

// ---------------------------------------------------------------------------------------------
// S3

pub struct S3TestServer {
    pub endpoint: String,
    pub access_key: String,
    pub secret_key: String,
    root: PathBuf,
}

static S3: OnceLock<S3TestServer> = OnceLock::new();

/// The S3-compatible server for this run, started on first use on its own threads.
pub fn s3_server() -> &'static S3TestServer {
    S3.get_or_init(|| {
        let root = tempfile::Builder::new()
            .prefix("corkboard-test-s3-")
            .tempdir()
            .expect("temp dir")
            .keep();
        let access_key = "corkboard-test".to_owned();
        let secret_key = format!("secret-{}", uuid::Uuid::new_v4());
        let (tx, rx) = std::sync::mpsc::channel();
        let (fs_root, ak, sk) = (root.clone(), access_key.clone(), secret_key.clone());
        std::thread::Builder::new()
            .name("s3-test-server".into())
            .spawn(move || run_s3_server(fs_root, ak, sk, tx))
            .expect("spawn the S3 server thread");
        let port = rx
            .recv_timeout(Duration::from_secs(10))
            .expect("the S3 server did not start");
        // SAFETY: registering a plain extern "C" function with no captured state.
        unsafe { libc::atexit(remove_s3_root) };
        S3TestServer {
            endpoint: format!("http://127.0.0.1:{port}"),
            access_key,
            secret_key,
            root,
        }
    })
}

/// Removes the S3 server's folder when the test binary exits (statics are never dropped).
extern "C" fn remove_s3_root() {
    if let Some(server) = S3.get() {
        let _ = std::fs::remove_dir_all(&server.root);
    }
}

fn run_s3_server(
    root: PathBuf,
    access_key: String,
    secret_key: String,
    ready: std::sync::mpsc::Sender<u16>,
) {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("S3 runtime");
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind S3");
        ready.send(listener.local_addr().unwrap().port()).unwrap();
        crate::s3_fs_server::serve(listener, &root, access_key, secret_key)
            .await
            .expect("the S3 server");
    });
}

impl S3TestServer {
    /// A new, empty bucket (s3s-fs keeps a bucket as a folder).
    pub fn new_bucket(&self) -> String {
        let name = format!("test-{}", &uuid::Uuid::new_v4().simple().to_string()[..16]);
        std::fs::create_dir(self.root.join(&name)).expect("create bucket");
        name
    }

    pub fn storage_settings(&self, bucket: &str) -> StorageSettings {
        StorageSettings {
            s3_bucket: Some(bucket.to_owned()),
            s3_endpoint: Some(self.endpoint.clone()),
            s3_region: "us-east-1".into(),
            s3_access_key: Some(self.access_key.clone()),
            s3_secret_key: Some(self.secret_key.clone()),
            s3_path_style: true,
            url_ttl_seconds: 600,
        }
    }

    /// Where s3s-fs keeps an object, to check what really landed in the bucket.
    pub fn object_path(&self, bucket: &str, key: &str) -> PathBuf {
        self.root.join(bucket).join(key)
    }
}

// ---------------------------------------------------------------------------------------------
// Browser

/// Headless Chromium driven through chromedriver. `CHROMEDRIVER` and `CHROME_BIN` override the
/// Debian paths. The driver process is killed on drop.
pub struct Browser {
    pub client: fantoccini::Client,
    _driver: DriverProcess,
    /// The browser's profile and temporary files (Chromium leaves some behind otherwise).
    _scratch: tempfile::TempDir,
}

/// The chromedriver process, killed when dropped, even if starting the browser panics.
struct DriverProcess(std::process::Child);

impl Drop for DriverProcess {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

impl Browser {
    pub async fn start() -> Browser {
        Self::start_with(true).await
    }

    /// A browser with JavaScript turned off, as some visitors have it.
    pub async fn start_without_javascript() -> Browser {
        Self::start_with(false).await
    }

    async fn start_with(javascript: bool) -> Browser {
        let driver_bin =
            std::env::var("CHROMEDRIVER").unwrap_or_else(|_| "/usr/bin/chromedriver".into());
        let chrome_bin = std::env::var("CHROME_BIN").unwrap_or_else(|_| "/usr/bin/chromium".into());
        assert!(
            Path::new(&driver_bin).exists() && Path::new(&chrome_bin).exists(),
            "browser tests need {chrome_bin} and {driver_bin}: run `make test`, which installs them \
             (apt-get install chromium chromium-driver)"
        );
        let port = free_port();
        let scratch = tempfile::tempdir().expect("browser scratch dir");
        let (profile, tmp) = (scratch.path().join("profile"), scratch.path().join("tmp"));
        std::fs::create_dir_all(&tmp).expect("browser tmp dir");
        let driver = DriverProcess(
            std::process::Command::new(&driver_bin)
                .arg(format!("--port={port}"))
                .env("TMPDIR", &tmp)
                .stdout(std::process::Stdio::null())
                .stderr(std::process::Stdio::null())
                .spawn()
                .expect("start chromedriver"),
        );
        let webdriver = format!("http://127.0.0.1:{port}");
        wait_for_http(&format!("{webdriver}/status")).await;

        let mut caps = serde_json::Map::new();
        caps.insert(
            "goog:chromeOptions".into(),
            serde_json::json!({
                "binary": chrome_bin,
                "args": [
                    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                    "--no-first-run", "--disable-background-networking",
                    "--disable-component-update", "--disable-sync",
                    "--disable-dev-shm-usage", "--window-size=1280,900",
                    format!("--user-data-dir={}", profile.display()),
                ],
                "prefs": {
                    "profile.managed_default_content_settings.javascript":
                        if javascript { 1 } else { 2 },
                },
            }),
        );
        // chromedriver speaks plain HTTP on loopback: no TLS connector needed.
        let connector = hyper_util::client::legacy::connect::HttpConnector::new();
        let client = fantoccini::ClientBuilder::new(connector)
            .capabilities(caps)
            .connect(&webdriver)
            .await
            .expect("connect to chromedriver");
        Browser {
            client,
            _driver: driver,
            _scratch: scratch,
        }
    }

    /// Logs `user` in through the login form.
    pub async fn log_in(&self, app: &TestApp, user: &TestUser) {
        self.client.goto(&app.url("/login")).await.unwrap();
        self.fill("login", &user.username).await;
        self.fill("password", &user.password).await;
        self.click("form[action='/login'] button").await;
        self.wait_for_text(".flash", "Welcome back").await;
    }

    /// Waits for the element with `id` and types `text` into it (after clearing it).
    pub async fn fill(&self, id: &str, text: &str) {
        let field = self
            .client
            .wait()
            .for_element(fantoccini::Locator::Id(id))
            .await
            .unwrap_or_else(|e| panic!("no #{id}: {e}"));
        field.clear().await.unwrap();
        field.send_keys(text).await.unwrap();
    }

    /// Waits for the element matching `css` and clicks it.
    pub async fn click(&self, css: &str) {
        self.client
            .wait()
            .for_element(fantoccini::Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("no {css}: {e}"))
            .click()
            .await
            .unwrap();
    }

    /// Waits until the element matching `css` contains `needle` (after a navigation, the old
    /// page's element may still be found, or go stale while read); returns its text.
    pub async fn wait_for_text(&self, css: &str, needle: &str) -> String {
        let mut last = String::new();
        for _ in 0..100 {
            if let Ok(element) = self.client.find(fantoccini::Locator::Css(css)).await
                && let Ok(text) = element.text().await
            {
                if text.contains(needle) {
                    return text;
                }
                last = text;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("{css} never contained {needle:?}; last: {last:?}");
    }

    /// Runs axe-core (from `node_modules`, bundled by npm: no CDN) on the current page against
    /// WCAG 2.0 A and AA, 2.1 AA and 2.2 AA; returns each violation as a readable line.
    pub async fn axe_violations(&self) -> Vec<String> {
        static AXE: OnceLock<String> = OnceLock::new();
        let source = AXE.get_or_init(|| {
            let path =
                Path::new(env!("CARGO_MANIFEST_DIR")).join("node_modules/axe-core/axe.min.js");
            std::fs::read_to_string(&path).unwrap_or_else(|e| {
                panic!(
                    "{}: {e} (run `make test`, which installs the npm packages)",
                    path.display()
                )
            })
        });
        self.client
            .execute(&format!("{source}\nreturn true;"), vec![])
            .await
            .expect("inject axe-core");
        let found = self
            .client
            .execute_async(
                "const done = arguments[arguments.length - 1];
                 axe.run(document, {
                   runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'] },
                   resultTypes: ['violations'],
                 }).then(r => done(r.violations.map(v =>
                   `${v.id} (${v.impact}): ${v.help} — ${v.nodes.length} node(s): ` +
                   v.nodes.slice(0, 4).map(n => n.target.join(' ') + ' ' + (n.failureSummary || '').replace(/\\s+/g, ' ')).join(' | ')
                 ))).catch(e => done(['axe failed: ' + e]));",
                vec![],
            )
            .await
            .expect("run axe-core");
        serde_json::from_value(found).expect("violations as strings")
    }

    /// Resizes the window to `width` × `height` CSS pixels (the viewport, in headless mode).
    pub async fn resize(&self, width: u32, height: u32) {
        self.client
            .set_window_size(width, height)
            .await
            .expect("resize the window");
    }

    /// What makes the page scroll sideways (elements reaching past the viewport's right
    /// edge), or `None` when it does not.
    pub async fn sideways_overflow(&self) -> Option<String> {
        let found = self
            .client
            .execute(
                "if (document.documentElement.scrollWidth <= window.innerWidth) return null;
                 const wide = [];
                 for (const el of document.body.querySelectorAll('*')) {
                   const r = el.getBoundingClientRect();
                   if ((r.right > window.innerWidth + 1 && r.width > 0) || el.scrollWidth > window.innerWidth + 1) {
                     wide.push(el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
                       (el.className && el.className.baseVal === undefined ? '.' + String(el.className).split(' ').slice(0, 3).join('.') : '') +
                       ' (' + Math.round(r.right) + '/' + el.scrollWidth + ' px)');
                   }
                 }
                 return document.documentElement.scrollWidth + ' px wide: ' + wide.slice(0, 14).join(', ');",
                vec![],
            )
            .await
            .unwrap();
        found.as_str().map(str::to_owned)
    }

    /// Saves a PNG of the page under `target/screenshots/`.
    pub async fn screenshot(&self, name: &str) -> PathBuf {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/screenshots");
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join(format!("{name}.png"));
        let png = self.client.screenshot().await.expect("screenshot");
        std::fs::write(&path, png).unwrap();
        path
    }

    pub async fn close(self) {
        let _ = self.client.clone().close().await;
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Waits until `url` answers at all (any status).
pub async fn wait_for_http(url: &str) {
    let client = reqwest::Client::new();
    for _ in 0..100 {
        if client.get(url).send().await.is_ok() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("{url} did not answer within 10 s");
}

#[test]
fn database_names_are_swapped_in_urls() {
    assert_eq!(
        with_database("postgres://u:p@h:5432/main?sslmode=disable", "t1"),
        "postgres://u:p@h:5432/t1?sslmode=disable"
    );
    assert_eq!(with_database("postgres://u@h", "t1"), "postgres://u@h/t1");
}

#[test]
fn hidden_fields_are_found_in_forms() {
    let html =
        r#"<form><input type="hidden" name="csrf_token" value="abc123"><input name="x"></form>"#;
    assert_eq!(hidden_field(html, "csrf_token").as_deref(), Some("abc123"));
    assert_eq!(hidden_field(html, "missing"), None);
}

// ---------------------------------------------------------------------------------------------
// Mail

/// A mail as received: the headers and parts a test looks at.
#[derive(Debug, Clone)]
pub struct ReceivedMail {
    pub from: String,
    pub to: String,
    pub subject: String,
    pub text: String,
    pub html: String,
    /// Every header, name and (unfolded, trimmed) raw value.
    pub headers: Vec<(String, String)>,
}

impl ReceivedMail {
    /// The one-click unsubscribe link (`List-Unsubscribe`), checking that it is one-click
    /// (RFC 8058's `List-Unsubscribe-Post`).
    pub fn unsubscribe_link(&self) -> String {
        assert_eq!(
            self.header("List-Unsubscribe-Post"),
            Some("List-Unsubscribe=One-Click")
        );
        self.header("List-Unsubscribe")
            .expect("List-Unsubscribe")
            .trim_matches(|c| c == '<' || c == '>')
            .to_owned()
    }

    /// The value of header `name` (any letter case).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub fn parse(raw: &[u8]) -> Self {
        let message = mail_parser::MessageParser::default()
            .parse(raw)
            .expect("a parsable mail");
        let address = |a: Option<&mail_parser::Address>| {
            a.and_then(|a| a.first())
                .and_then(|a| a.address())
                .unwrap_or_default()
                .to_owned()
        };
        Self {
            from: address(message.from()),
            to: address(message.to()),
            subject: message.subject().unwrap_or_default().to_owned(),
            text: message.body_text(0).unwrap_or_default().into_owned(),
            html: message.body_html(0).unwrap_or_default().into_owned(),
            headers: message
                .headers_raw()
                .map(|(name, value)| {
                    (
                        name.to_owned(),
                        value.split_whitespace().collect::<Vec<_>>().join(" "),
                    )
                })
                .collect(),
        }
    }

    /// The first link in the text part that starts with `prefix` (an absolute URL).
    pub fn link(&self, prefix: &str) -> Option<String> {
        let at = self.text.find(prefix)?;
        let rest = &self.text[at..];
        let end = rest
            .find(|c: char| c.is_whitespace() || c == '>' || c == '"')
            .unwrap_or(rest.len());
        Some(rest[..end].to_owned())
    }
}

/// Reads and parses mail files, oldest first.
pub fn read_mails(paths: impl Iterator<Item = PathBuf>) -> Vec<ReceivedMail> {
    let mut files: Vec<(std::time::SystemTime, PathBuf)> = paths
        .filter(|p| p.is_file())
        .map(|p| (std::fs::metadata(&p).and_then(|m| m.modified()).unwrap(), p))
        .collect();
    files.sort();
    files
        .into_iter()
        .map(|(_, p)| ReceivedMail::parse(&std::fs::read(p).unwrap()))
        .collect()
}

/// A real SMTP server for the run: Debian's aiosmtpd, keeping what it receives in a Maildir.
pub struct SmtpTestServer {
    pub port: u16,
    maildir: PathBuf,
}

static SMTP: OnceLock<SmtpTestServer> = OnceLock::new();
static SMTP_PROCESS: std::sync::Mutex<Option<std::process::Child>> = std::sync::Mutex::new(None);

extern "C" fn stop_smtp_server() {
    if let Ok(mut child) = SMTP_PROCESS.lock()
        && let Some(child) = child.as_mut()
    {
        let _ = child.kill();
        let _ = child.wait();
    }
    if let Some(server) = SMTP.get() {
        let _ = std::fs::remove_dir_all(&server.maildir);
    }
}

/// The SMTP server for this run, started on first use and stopped when the tests end.
pub fn smtp_server() -> &'static SmtpTestServer {
    SMTP.get_or_init(|| {
        let maildir = tempfile::Builder::new()
            .prefix("corkboard-test-smtp-")
            .tempdir()
            .expect("temp dir")
            .keep();
        for sub in ["tmp", "new", "cur"] {
            std::fs::create_dir_all(maildir.join(sub)).unwrap();
        }
        let port = free_port();
        // Debian's Python, which python3-aiosmtpd installs into (a pyenv or venv `python3`
        // earlier on PATH would not have it). `AIOSMTPD_PYTHON` overrides.
        let python = std::env::var("AIOSMTPD_PYTHON").unwrap_or_else(|_| "/usr/bin/python3".into());
        let child = std::process::Command::new(&python)
            .args(["-m", "aiosmtpd", "-n", "-l", &format!("127.0.0.1:{port}"), "-c"])
            .arg("aiosmtpd.handlers.Mailbox")
            .arg(&maildir)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("start {python} -m aiosmtpd: {e} (run `make test`, which installs python3-aiosmtpd)"));
        *SMTP_PROCESS.lock().unwrap() = Some(child);
        // SAFETY: registering a plain extern "C" function with no captured state.
        unsafe { libc::atexit(stop_smtp_server) };
        for _ in 0..100 {
            if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
                return SmtpTestServer { port, maildir };
            }
            if let Ok(mut child) = SMTP_PROCESS.lock()
                && let Some(Ok(Some(status))) = child.as_mut().map(|c| c.try_wait())
            {
                panic!(
                    "aiosmtpd exited ({status}): the mail tests need Debian's python3-aiosmtpd; \
                     run `make test`, which installs it"
                );
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        panic!("aiosmtpd did not start on port {port}");
    })
}

impl SmtpTestServer {
    /// A mailer that sends to this server.
    pub fn mailer(&self) -> corkboard::mail::Mailer {
        corkboard::mail::Mailer::from_settings(
            &corkboard::config::MailSettings {
                smtp_url: Some(format!("smtp://127.0.0.1:{}", self.port)),
                mail_from: "Corkboard <noreply@corkboard.test>".into(),
            },
            Path::new("/nonexistent"),
        )
        .expect("the SMTP mailer")
    }

    /// Every mail the server received for `to`, oldest first.
    pub fn inbox(&self, to: &str) -> Vec<ReceivedMail> {
        let paths = ["new", "cur"]
            .into_iter()
            .flat_map(|sub| {
                std::fs::read_dir(self.maildir.join(sub))
                    .into_iter()
                    .flatten()
                    .flatten()
            })
            .map(|e| e.path());
        read_mails(paths)
            .into_iter()
            .filter(|m| m.to.eq_ignore_ascii_case(to))
            .collect()
    }
}

/// A live stream as a client reads it: the response, then its events, parsed by an SSE parser.
pub struct EventStream {
    pub status: reqwest::StatusCode,
    pub headers: reqwest::header::HeaderMap,
    events: std::pin::Pin<
        Box<
            dyn futures_util::Stream<
                    Item = Result<
                        eventsource_stream::Event,
                        eventsource_stream::EventStreamError<reqwest::Error>,
                    >,
                > + Send,
        >,
    >,
}

impl EventStream {
    fn new(response: reqwest::Response) -> Self {
        use eventsource_stream::Eventsource;
        Self {
            status: response.status(),
            headers: response.headers().clone(),
            events: Box::pin(response.bytes_stream().eventsource()),
        }
    }

    /// The next event with a name (keep-alive comments and the `retry` hint are skipped), or
    /// `None` if the stream ended; panics when none comes within `wait`.
    pub async fn next_event(&mut self, wait: Duration) -> Option<eventsource_stream::Event> {
        use futures_util::StreamExt;
        tokio::time::timeout(wait, async {
            loop {
                match self.events.next().await {
                    Some(Ok(event)) if event.data.is_empty() && event.event == "message" => {}
                    Some(Ok(event)) => return Some(event),
                    Some(Err(_)) | None => return None,
                }
            }
        })
        .await
        .expect("an event in time")
    }

    /// Whether an event comes within `wait` (false when none does).
    pub async fn event_within(&mut self, wait: Duration) -> Option<eventsource_stream::Event> {
        use futures_util::StreamExt;
        tokio::time::timeout(wait, async {
            loop {
                match self.events.next().await {
                    Some(Ok(event)) if event.data.is_empty() && event.event == "message" => {}
                    Some(Ok(event)) => return Some(event),
                    Some(Err(_)) | None => std::future::pending::<()>().await,
                }
            }
        })
        .await
        .ok()
        .flatten()
    }

    /// Waits for the server to end the stream; false if it is still open after `wait`.
    pub async fn ends_within(&mut self, wait: Duration) -> bool {
        use futures_util::StreamExt;
        tokio::time::timeout(wait, async {
            while let Some(Ok(_)) = self.events.next().await {}
        })
        .await
        .is_ok()
    }
}
