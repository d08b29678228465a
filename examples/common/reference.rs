//! The reference pages of `make bench` (issue 15): what the stack itself does per request, with
//! none of Corkboard's content. A bare actix-web app with 2 workers, an r2d2 pool of Diesel
//! connections the size of the server's, and three handlers over the same `listings` table,
//! each one query and a minimal askama page:
//!
//! - `/list/{category}`: the category's newest 25 public listings (a keyset query on the
//!   same index the category page walks);
//! - `/item/{id}`: one listing by id;
//! - `/search?q=…`: the newest 25 public listings matching the words (full text through the
//!   same GIN index, `websearch_to_tsquery`).
//!
//! Each page of Corkboard is measured against one of these in the same run, so the ratio says
//! what Corkboard's content (and everything else it does) costs on this machine today.

use std::net::TcpListener;
use std::time::Duration;

use actix_web::{App, HttpResponse, HttpServer, web};
use askama::Template;
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::r2d2::{ConnectionManager, Pool};
use diesel::sql_types::{BigInt, Nullable, Text, Timestamptz};

type DbPool = Pool<ConnectionManager<PgConnection>>;

/// One row of a reference page.
#[derive(Debug, Queryable, QueryableByName)]
struct Row {
    #[diesel(sql_type = BigInt)]
    id: i64,
    #[diesel(sql_type = Text)]
    title: String,
    #[diesel(sql_type = Nullable<BigInt>)]
    price_cents: Option<i64>,
    #[diesel(sql_type = Text)]
    zip: String,
    #[diesel(sql_type = Timestamptz)]
    renewed_at: DateTime<Utc>,
}

impl Row {
    fn price(&self) -> String {
        self.price_cents
            .map_or_else(String::new, |c| format!("${}", c / 100))
    }

    fn posted(&self) -> String {
        self.renewed_at.format("%b %-d").to_string()
    }
}

#[derive(Template)]
#[template(
    ext = "html",
    source = r#"<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{{ heading }}</title></head>
<body><h1>{{ heading }}</h1>
<ul>{% for row in rows %}
<li><a href="/item/{{ row.id }}">{{ row.title }}</a> {{ row.price() }} · {{ row.zip }} · {{ row.posted() }}</li>{% endfor %}
</ul></body></html>"#
)]
struct ListPage<'a> {
    heading: &'a str,
    rows: &'a [Row],
}

#[derive(Template)]
#[template(
    ext = "html",
    source = r#"<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{{ row.title }}</title></head>
<body><h1>{{ row.title }}</h1>
<p>{{ row.price() }} · {{ row.zip }} · {{ row.posted() }}</p>
<div>{{ body }}</div></body></html>"#
)]
struct ItemPage<'a> {
    row: &'a Row,
    body: &'a str,
}

/// A running reference app; stopped when dropped.
pub struct Reference {
    pub base: String,
    handle: actix_web::dev::ServerHandle,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Drop for Reference {
    fn drop(&mut self) {
        let handle = self.handle.clone();
        let stopped = std::thread::spawn(move || {
            actix_web::rt::System::new().block_on(handle.stop(true));
        });
        let _ = stopped.join();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// Starts the reference app on a free loopback port with 2 workers and `pool_size` database
/// connections.
pub fn start(database_url: &str, pool_size: u32) -> anyhow::Result<Reference> {
    let pool: DbPool = Pool::builder()
        .max_size(pool_size)
        .connection_timeout(Duration::from_secs(5))
        .build(ConnectionManager::new(database_url))?;
    let listener = TcpListener::bind("127.0.0.1:0")?;
    let base = format!("http://{}", listener.local_addr()?);
    let (sender, receiver) = std::sync::mpsc::channel();
    let thread = std::thread::spawn(move || {
        let system = actix_web::rt::System::new();
        let server = HttpServer::new(move || {
            App::new()
                .app_data(web::Data::new(pool.clone()))
                .route("/list/{category}", web::get().to(list))
                .route("/item/{id}", web::get().to(item))
                .route("/search", web::get().to(search))
        })
        .workers(2)
        .listen(listener)
        .map(HttpServer::run);
        match server {
            Ok(server) => {
                let _ = sender.send(Ok(server.handle()));
                let _ = system.block_on(server);
            }
            Err(err) => {
                let _ = sender.send(Err(err));
            }
        }
    });
    let handle = receiver.recv()??;
    Ok(Reference {
        base,
        handle,
        thread: Some(thread),
    })
}

fn html(page: &impl Template) -> HttpResponse {
    match page.render() {
        Ok(body) => HttpResponse::Ok()
            .content_type("text/html; charset=utf-8")
            .body(body),
        Err(_) => HttpResponse::InternalServerError().finish(),
    }
}

async fn on_pool<T: Send + 'static>(
    pool: web::Data<DbPool>,
    query: impl FnOnce(&mut PgConnection) -> QueryResult<T> + Send + 'static,
) -> Option<T> {
    web::block(move || {
        let mut conn = pool.get().ok()?;
        query(&mut conn).ok()
    })
    .await
    .ok()
    .flatten()
}

async fn list(pool: web::Data<DbPool>, category: web::Path<i32>) -> HttpResponse {
    use corkboard::db::schema::listings::dsl as l;
    let category = category.into_inner();
    let rows = on_pool(pool, move |conn| {
        l::listings
            .filter(l::category_id.eq(category))
            .filter(l::status.eq_any(["active", "pending"]))
            .order((l::renewed_at.desc(), l::id.desc()))
            .select((l::id, l::title, l::price_cents, l::zip, l::renewed_at))
            .limit(25)
            .load::<Row>(conn)
    })
    .await;
    match rows {
        Some(rows) => html(&ListPage {
            heading: "Listings",
            rows: &rows,
        }),
        None => HttpResponse::InternalServerError().finish(),
    }
}

async fn item(pool: web::Data<DbPool>, id: web::Path<i64>) -> HttpResponse {
    use corkboard::db::schema::listings::dsl as l;
    let id = id.into_inner();
    let found = on_pool(pool, move |conn| {
        l::listings
            .find(id)
            .select((
                (l::id, l::title, l::price_cents, l::zip, l::renewed_at),
                l::body,
            ))
            .first::<(Row, String)>(conn)
            .optional()
    })
    .await;
    match found {
        Some(Some((row, body))) => html(&ItemPage {
            row: &row,
            body: &body,
        }),
        Some(None) => HttpResponse::NotFound().finish(),
        None => HttpResponse::InternalServerError().finish(),
    }
}

#[derive(serde::Deserialize)]
struct SearchQuery {
    q: String,
}

async fn search(pool: web::Data<DbPool>, query: web::Query<SearchQuery>) -> HttpResponse {
    let text = query.into_inner().q;
    let rows = on_pool(pool, move |conn| {
        diesel::sql_query(
            "SELECT id, title, price_cents, zip, renewed_at FROM listings
             WHERE search @@ websearch_to_tsquery('english', $1)
               AND status IN ('active', 'pending')
             ORDER BY renewed_at DESC, id DESC LIMIT 25",
        )
        .bind::<Text, _>(text)
        .load::<Row>(conn)
    })
    .await;
    match rows {
        Some(rows) => html(&ListPage {
            heading: "Search",
            rows: &rows,
        }),
        None => HttpResponse::InternalServerError().finish(),
    }
}
