//! Database round trips per page (issue 15): every page's common path makes at most two, so a
//! page that grows a third query fails here. Statements are counted by a Diesel
//! instrumentation on every connection to the test's own database.

use std::collections::HashMap;
use std::sync::{LazyLock, Mutex, Once};

use diesel::connection::{Instrumentation, InstrumentationEvent};

use crate::helpers::{TestApp, TestListing, spawn_app_configured};

/// The statements run on each watched database, in order.
static STATEMENTS: LazyLock<Mutex<HashMap<String, Vec<String>>>> =
    LazyLock::new(|| Mutex::new(HashMap::new()));

/// Counts the statements of one connection to a watched database.
#[derive(Default)]
struct Counter {
    database: Option<String>,
}

impl Instrumentation for Counter {
    fn on_connection_event(&mut self, event: InstrumentationEvent<'_>) {
        match event {
            // The pool may open connections before the app's database is watched (it is
            // built before the test's settings are applied): every connection remembers its
            // database, and its statements count once that database is watched.
            InstrumentationEvent::StartEstablishConnection { url, .. } => {
                self.database = Some(database_name(url));
            }
            InstrumentationEvent::StartQuery { query, .. } => {
                if let Some(database) = &self.database {
                    let text = query.to_string();
                    if let Some(list) = STATEMENTS
                        .lock()
                        .unwrap_or_else(|e| e.into_inner())
                        .get_mut(database)
                    {
                        list.push(text);
                    }
                }
            }
            _ => {}
        }
    }
}

/// An app whose database's statements are counted, with the counts and trees kept a minute as
/// in production (tests otherwise read them afresh on every request).
pub(crate) async fn counted_app() -> TestApp {
    static INSTALL: Once = Once::new();
    INSTALL.call_once(|| {
        diesel::connection::set_default_instrumentation(|| Some(Box::new(Counter::default())))
            .expect("install the statement counter");
    });
    spawn_app_configured(|state| {
        state.listings.counts_ttl_seconds = 60;
        // Searches are counted in memory either way; without the limit, the meter's flush (a
        // background write each second, which may first test an idle connection) cannot land
        // among a page's statements.
        state.listings.search_rate_per_minute = 0;
        STATEMENTS
            .lock()
            .unwrap()
            .insert(database_name(&state.database_url), Vec::new());
    })
    .await
}

/// The database a URL names (`postgres://…/name?host=…`).
fn database_name(url: &str) -> String {
    let before_query = url.split('?').next().unwrap_or_default();
    before_query
        .rsplit('/')
        .next()
        .unwrap_or_default()
        .to_owned()
}

/// What `fetch` gave, and the statements it ran on the app's database, besides the view
/// counter's batched write (a background flush that may land at any moment, shared by every
/// view of a second).
pub(crate) async fn statements_of<T, F: std::future::Future<Output = T>>(
    app: &TestApp,
    fetch: impl FnOnce() -> F,
) -> (T, Vec<String>) {
    let name = app.database.name.clone();
    let before = STATEMENTS.lock().unwrap_or_else(|e| e.into_inner())[&name].len();
    let fetched = fetch().await;
    let statements = STATEMENTS.lock().unwrap_or_else(|e| e.into_inner())[&name][before..]
        .iter()
        .filter(|s| !s.contains("listing_views"))
        .cloned()
        .collect();
    (fetched, statements)
}

/// Fetches `path` as `visitor` twice (the first fills the caches and tests the connection,
/// as the first request after a quiet second does) and returns the second's statements.
async fn page_statements(
    app: &TestApp,
    visitor: &crate::helpers::Visitor,
    path: &str,
) -> Vec<String> {
    visitor.get_ok_page(path).await;
    statements_of(app, || async {
        visitor.get_ok_page(path).await;
    })
    .await
    .1
}

#[tokio::test]
async fn no_page_makes_more_than_two_database_round_trips() {
    let app = counted_app().await;
    let seller = app.sign_up_new_member().await;
    let mut listing = None;
    for (title, zip, category) in [
        ("Red road bike", "10001", ("for-sale", "bikes")),
        ("Blue city bike", "11211", ("for-sale", "bikes")),
        ("Sunny room", "10001", ("housing", "rooms")),
    ] {
        let id = TestListing {
            title,
            zip,
            category,
            ..TestListing::default()
        }
        .insert(&app);
        listing.get_or_insert(format!(
            "/listings/{id}/{}",
            corkboard::listings::domain::slugify(title)
        ));
    }
    let listing_path = listing.unwrap();
    let visitor = app.new_visitor();
    let near = app.new_visitor();
    near.get("/area?place=10001&radius=25").await;

    let member = app.new_visitor();
    member.log_in(&seller.username, &seller.password).await;

    // Every page's budget is two round trips, a member's included (the login and the
    // header's counts are one statement): a search counts itself against the rate limit in
    // memory (see `counted_app`) and keeps the planner's estimate and its spelling suggestion for a minute; the
    // listing page reads the listing, its seller, its photos and the viewer's marks (saved,
    // flagged) in one statement.
    let search = 2;
    let pages: Vec<(&str, &crate::helpers::Visitor, String, usize)> = vec![
        ("visitor", &visitor, "/".into(), 2),
        ("visitor", &visitor, "/c/for-sale".into(), 2),
        ("visitor", &visitor, "/c/for-sale/bikes".into(), 2),
        ("visitor", &visitor, listing_path.clone(), 2),
        ("visitor in 10001", &near, "/".into(), 2),
        ("visitor in 10001", &near, "/c/for-sale".into(), 2),
        ("visitor in 10001", &near, "/c/for-sale/bikes".into(), 2),
        ("visitor in 10001", &near, listing_path.clone(), 2),
        ("visitor", &visitor, "/search?q=bike".into(), search),
        ("visitor in 10001", &near, "/search?q=bike".into(), search),
        (
            "visitor",
            &visitor,
            "/search?q=bike&zip=10001&radius=25".into(),
            search,
        ),
        (
            "visitor",
            &visitor,
            "/search?q=%22road+bike%22".into(),
            search,
        ),
        (
            "visitor",
            &visitor,
            "/search?q=bike&min_price=1&max_price=500&photos=1".into(),
            search,
        ),
        ("member", &member, "/".into(), 2),
        ("member", &member, "/c/for-sale/bikes".into(), 2),
        ("member", &member, "/search?q=bike".into(), search),
    ];
    let mut too_many = Vec::new();
    for (who, browser, path, budget) in pages {
        let statements = page_statements(&app, browser, &path).await;
        if statements.len() > budget {
            too_many.push(format!("{who} {path} (at most {budget}): {statements:#?}"));
        }
    }
    // A member reading someone else's listing.
    let buyer = app.new_visitor();
    buyer.sign_up_new_member().await;
    let statements = page_statements(&app, &buyer, &listing_path).await;
    if statements.len() > 2 {
        too_many.push(format!("buyer {listing_path} (at most 2): {statements:#?}"));
    }
    assert!(too_many.is_empty(), "{}", too_many.join("\n"));
}

#[tokio::test]
async fn the_sitemap_index_is_read_again_only_after_a_while() {
    let app = counted_app().await;
    app.sign_up_new_member().await;
    TestListing::default().insert(&app);
    let crawler = app.new_visitor();
    let first = crawler.get_ok_page("/sitemap.xml").await;
    assert!(
        first.body.contains("/sitemaps/listings-0.xml"),
        "{}",
        first.body
    );
    assert!(
        first.body.contains("/sitemaps/profiles-0.xml"),
        "{}",
        first.body
    );
    // Asked again within the counts' minute: the same index, and no statement but the pool's
    // test of an idle connection.
    let (again, statements) = statements_of(&app, || crawler.get_ok_page("/sitemap.xml")).await;
    assert_eq!(again.body, first.body);
    assert!(
        statements.iter().all(|s| s.starts_with("SELECT 1 ")),
        "{statements:#?}"
    );
}
