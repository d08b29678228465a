//! `/search` and its Atom feed.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, Responder, web};

use super::density::Density;
use super::domain::{MAX_QUERY_STRING_BYTES, Search, Sort};
use super::queries::SearchCursor;
use super::service::{self, COUNT_CAP, PAGE_SIZE};
use super::views::{AttributeFilterField, BrowseNav, MapMarker, SearchPage, search_cards};
use crate::db::ids::ListingId;
use crate::listings::cards::{CardContext, section_trees};
use crate::listings::domain::{format_price, group_thousands, slugify};
use crate::listings::feed::{self as listing_feed, FEED_SIZE, FeedListing};
use crate::listings::queries as listing_queries;
use crate::listings::terms::PriceKind;
use crate::storage::Storage;
use crate::web::rate_limit;
use crate::web::{AppError, Db, PageContext, ReadDb};

/// How many searches one network may make a minute, counted in memory and shared between
/// instances by a flush every [`SEARCH_METER_FLUSH`] (none: no limit), registered as app data.
#[derive(Debug, Clone)]
pub struct SearchRate(pub Option<std::sync::Arc<rate_limit::Meter>>);

/// How often an instance adds its searches to the shared counts.
pub const SEARCH_METER_FLUSH: std::time::Duration = std::time::Duration::from_secs(1);

impl SearchRate {
    /// The limit of `per_minute` searches (0: none).
    pub fn per_minute(per_minute: u32) -> Self {
        Self((per_minute > 0).then(|| {
            let max = i32::try_from(per_minute).unwrap_or(i32::MAX);
            std::sync::Arc::new(rate_limit::Meter::new(rate_limit::searches_per_network(
                max,
            )))
        }))
    }
}

/// The search's query-string pairs, refusing a query string longer than any form makes.
pub(super) fn search_pairs(req: &HttpRequest) -> Result<Vec<(String, String)>, AppError> {
    let query = req.query_string();
    if query.len() > MAX_QUERY_STRING_BYTES {
        return Err(AppError::BadRequest(
            "That search is too long. Start a new one with fewer words and filters.".into(),
        ));
    }
    Ok(url::form_urlencoded::parse(query.as_bytes())
        .into_owned()
        .collect())
}

/// Counts a search against the network's budget (shared by every instance): in memory, or,
/// when the meter holds too many networks already, in the database with the search
/// ([`count_in_database`]), whose limit it returns.
pub(super) fn count_search(
    rate: &SearchRate,
    network: &str,
) -> Result<Option<rate_limit::Limit>, AppError> {
    let Some(meter) = &rate.0 else {
        return Ok(None);
    };
    match meter.hit(network) {
        rate_limit::Metered::Allowed => Ok(None),
        rate_limit::Metered::Refused(refusal) => Err(refusal),
        rate_limit::Metered::Untracked => Ok(Some(meter.limit())),
    }
}

/// Counts a search the meter could not (see [`count_search`]).
pub(super) fn count_in_database(
    conn: &mut diesel::PgConnection,
    limit: Option<rate_limit::Limit>,
    network: &str,
) -> Result<(), AppError> {
    match limit {
        Some(limit) => rate_limit::hit(conn, limit, network),
        None => Ok(()),
    }
}

/// Which page shows a list of listings: the search page, or a section's or a category's (the
/// same search, its scope taken from the path).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ListScope {
    Search,
    Section(String),
    Category(String, String),
}

/// `GET /search` (and `/search?…&format=atom`)
pub async fn search_page(
    req: HttpRequest,
    ctx: PageContext,
    lists: Lists,
) -> Result<HttpResponse, AppError> {
    let pairs = search_pairs(&req)?;
    if pairs.iter().any(|(k, v)| k == "format" && v == "atom") {
        let network = rate_limit::client_network(&req);
        let Lists {
            db,
            primary,
            cache,
            density,
            rate,
            ..
        } = lists;
        let reads = ReadDb { db, primary };
        return feed(&ctx, reads, density, cache, rate, network, pairs).await;
    }
    list_page(req, ctx, lists, pairs, ListScope::Search).await
}

/// What a page with a list of listings needs from the app (an extractor of its app data).
pub struct Lists {
    /// The replica when it may serve this page (see [`ReadDb`]).
    pub db: Db,
    /// For a page that must count itself in the database after all.
    pub primary: Db,
    pub storage: web::Data<Storage>,
    pub cache: web::Data<listing_queries::CategoryCounts>,
    pub density: web::Data<Density>,
    pub rate: SearchRate,
}

impl actix_web::FromRequest for Lists {
    type Error = AppError;
    type Future = std::future::Ready<Result<Self, AppError>>;

    fn from_request(req: &HttpRequest, _: &mut actix_web::dev::Payload) -> Self::Future {
        fn data<T: 'static>(req: &HttpRequest) -> Result<web::Data<T>, AppError> {
            req.app_data::<web::Data<T>>().cloned().ok_or_else(|| {
                AppError::Internal(anyhow::anyhow!(
                    "{} is not registered",
                    std::any::type_name::<T>()
                ))
            })
        }
        std::future::ready((|| {
            let ReadDb { db, primary } = ReadDb::extract(req).into_inner()?;
            Ok(Lists {
                db,
                primary,
                storage: data(req)?,
                cache: data(req)?,
                density: data(req)?,
                rate: data::<SearchRate>(req)?.as_ref().clone(),
            })
        })())
    }
}

/// `GET /c/{section}`: the section's listings, with the search's filters.
pub async fn show_section(
    req: HttpRequest,
    ctx: PageContext,
    lists: Lists,
    section: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let pairs = search_pairs(&req)?;
    let scope = ListScope::Section(section.into_inner());
    list_page(req, ctx, lists, pairs, scope).await
}

/// `GET /c/{section}/{category}`: the category's listings, with the search's filters and the
/// category's own details.
pub async fn show_category(
    req: HttpRequest,
    ctx: PageContext,
    lists: Lists,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, AppError> {
    let pairs = search_pairs(&req)?;
    let (section, category) = path.into_inner();
    list_page(
        req,
        ctx,
        lists,
        pairs,
        ListScope::Category(section, category),
    )
    .await
}

/// A page of listings: the search as its URL says, within the visitor's area unless the URL
/// says where, scoped by the page.
async fn list_page(
    req: HttpRequest,
    ctx: PageContext,
    lists: Lists,
    pairs: Vec<(String, String)>,
    scope: ListScope,
) -> Result<HttpResponse, AppError> {
    let network = rate_limit::client_network(&req);
    let (mut search, mut problems) = Search::parse(&pairs);
    let base = match &scope {
        ListScope::Search => "/search".to_owned(),
        ListScope::Section(section) => {
            search.section = Some(section.clone());
            search.category = None;
            search.scoped = true;
            format!("/c/{section}")
        }
        ListScope::Category(section, category) => {
            search.section = Some(section.clone());
            search.category = Some(category.clone());
            search.scoped = true;
            format!("/c/{section}/{category}")
        }
    };
    search.apply_area(ctx.near());
    let mut bad_cursor = false;
    let after = match &search.after {
        Some(token) => match SearchCursor::decode(token, search.sort) {
            Some(cursor) => Some(cursor),
            None => {
                problems.push("That page link is not valid. Start from the first page.".into());
                bad_cursor = true;
                None
            }
        },
        None => None,
    };
    // An events category lists the soonest first unless the visitor chose another order.
    let sort_chosen = pairs.iter().any(|(k, v)| k == "sort" && !v.is_empty());
    let mut searched = search.clone();
    let Lists {
        db,
        primary,
        storage,
        cache,
        density,
        rate,
    } = lists;
    // Browsing a section or category costs what a page does; a search costs a search.
    let counted = scope == ListScope::Search || !search.is_plain();
    let in_database = if counted {
        count_search(&rate, &network)?
    } else {
        None
    };
    let browsing = scope.clone();
    // Counted in the database (the meter is full): a write, so not on the replica.
    let db = if in_database.is_some() { primary } else { db };
    let (outcome, tree, tally, events) = db
        .run(move |conn| {
            count_in_database(conn, in_database, &network)?;
            let tree = cache.tree(conn)?;
            let events = match &browsing {
                ListScope::Category(section, category) => tree
                    .iter()
                    .filter(|(s, _)| &s.slug == section)
                    .flat_map(|(_, cats)| cats.iter())
                    .any(|c| &c.slug == category && c.price_kind == PriceKind::Event),
                _ => false,
            };
            if events {
                searched.default_sort = Sort::Soonest;
                if !sort_chosen {
                    searched.sort = Sort::Soonest;
                }
            }
            // A forged page link gets its explanation, not a search.
            let outcome = if bad_cursor {
                service::resolved_only(conn, &density, Some(&cache), &searched)?
            } else {
                service::run(
                    conn,
                    &density,
                    Some(&cache),
                    &searched,
                    after,
                    PAGE_SIZE + 1,
                )?
            };
            let tally = if browsing == ListScope::Search {
                Default::default()
            } else {
                cache.get(conn)?
            };
            Ok::<_, AppError>((outcome, tree, tally, events))
        })
        .await?;
    if events {
        search.default_sort = Sort::Soonest;
        if !sort_chosen {
            search.sort = Sort::Soonest;
        }
    }
    // A section or category that does not exist is no page (the search page says so instead).
    if scope != ListScope::Search && outcome.resolved.scope_categories.is_none() {
        return Err(AppError::NotFound);
    }
    let service::Outcome {
        resolved,
        mut rows,
        total,
        at_least,
        suggestion,
        problems: more_problems,
    } = outcome;
    for problem in more_problems {
        if !problems.contains(&problem) {
            problems.push(problem);
        }
    }
    // Only the chosen category's details go back into links: nothing unknown is echoed.
    search
        .attributes
        .retain(|(name, _)| resolved.attribute_names.contains(name));

    let next_page = if rows.len() as i64 > PAGE_SIZE {
        rows.truncate(PAGE_SIZE as usize);
        rows.last().map(|r| {
            let cursor = SearchCursor {
                key: r.sort_key,
                id: r.id,
            };
            let page = (search.page + 1).min(super::domain::MAX_PAGE).to_string();
            search.url_with(&base, &[("after", &cursor.encode()), ("page", &page)])
        })
    } else {
        None
    };
    let summary = if !problems.is_empty() {
        String::new()
    } else if total == 0 {
        "No listings match.".to_owned()
    } else {
        let shown = if total > COUNT_CAP {
            "1,000+".to_owned()
        } else if at_least {
            format!("{}+", group_thousands(total))
        } else {
            group_thousands(total)
        };
        let first = i64::from(search.page - 1) * PAGE_SIZE + 1;
        let last = first + rows.len() as i64 - 1;
        if rows.is_empty() {
            format!("No more listings of {shown}")
        } else {
            format!(
                "{}–{} of {shown}",
                group_thousands(first),
                group_thousands(last)
            )
        }
    };
    let markers = if search.view == super::domain::View::Map {
        let markers: Vec<MapMarker> = rows
            .iter()
            .map(|r| {
                let (lat, lon) = jitter(r.id, r.latitude, r.longitude);
                MapMarker {
                    lat,
                    lon,
                    title: r.title.clone(),
                    url: format!("/listings/{}/{}", r.id, slugify(&r.title)),
                    price: match (r.is_free, r.price_cents) {
                        (true, _) => Some("Free".into()),
                        (false, cents) => cents.map(format_price),
                    },
                }
            })
            .collect();
        serde_json::to_string(&markers).map_err(anyhow::Error::new)?
    } else {
        String::new()
    };
    let card_context = CardContext::new(&tree, ctx.near());
    let browse = match &scope {
        ListScope::Search => None,
        ListScope::Section(slug) | ListScope::Category(slug, _) => {
            let section_tree = tree.iter().find(|(s, _)| &s.slug == slug);
            section_tree.map(|entry| {
                let (section, categories) = entry;
                let category = match &scope {
                    ListScope::Category(_, c) => categories
                        .iter()
                        .find(|cat| &cat.slug == c)
                        .map(|cat| (cat.slug.clone(), cat.name.clone(), cat.id)),
                    _ => None,
                };
                let links = section_trees(std::slice::from_ref(entry), &tally)
                    .pop()
                    .map(|t| t.categories)
                    .unwrap_or_default();
                BrowseNav {
                    section_slug: section.slug.clone(),
                    section_name: section.name.clone(),
                    post_url: match &category {
                        Some((_, _, id)) => format!("/listings/new?category={id}"),
                        None => "/listings/new".to_owned(),
                    },
                    category: category.map(|(slug, name, _)| (slug, name)),
                    links,
                }
            })
        }
    };
    let page = SearchPage {
        markers,
        results: search_cards(&storage, &rows, &card_context).await,
        sections: tree.clone(),
        attributes: AttributeFilterField::build(&resolved.attribute_defs, &search),
        heading: resolved.heading,
        summary,
        suggestion: suggestion.map(|s| {
            let mut corrected = search.clone();
            corrected.text = Some(s.clone());
            (s, corrected.url_with(&base, &[]))
        }),
        next_page,
        first_page_url: search.after.as_ref().map(|_| search.url_with(&base, &[])),
        feed_url: search.unscoped().url_with("/search.atom", &[]),
        status_is_bad: !problems.is_empty(),
        problems,
        browse,
        base,
        events,
        search,
        ctx,
    };
    let status = if page.status_is_bad {
        StatusCode::BAD_REQUEST
    } else {
        StatusCode::OK
    };
    Ok(page
        .customize()
        .with_status(status)
        .respond_to(&req)
        .map_into_boxed_body())
}

/// A listing's map position: its ZIP's centre moved by up to ~250 m, the same way every time,
/// so listings in one ZIP do not stack and no marker suggests an exact address.
fn jitter(id: ListingId, lat: f64, lon: f64) -> (f64, f64) {
    let h = (id.0 as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    let a = ((h >> 16) & 0xffff) as f64 / 65535.0 - 0.5;
    let b = ((h >> 32) & 0xffff) as f64 / 65535.0 - 0.5;
    (
        lat + a * 0.0045,
        lon + b * 0.0045 / lat.to_radians().cos().max(0.2),
    )
}

/// The newest 50 matches as an Atom feed.
async fn feed(
    ctx: &PageContext,
    reads: ReadDb,
    density: web::Data<Density>,
    cache: web::Data<listing_queries::CategoryCounts>,
    rate: SearchRate,
    network: String,
    pairs: Vec<(String, String)>,
) -> Result<HttpResponse, AppError> {
    let (mut search, problems) = Search::parse(&pairs);
    if !problems.is_empty() {
        return Err(AppError::BadRequest(problems.join(" ")));
    }
    search.sort = Sort::Newest;
    search.after = None;
    let searched = search.clone();
    let in_database = count_search(&rate, &network)?;
    // Counted in the database (the meter is full): a write, so not on the replica.
    let db = if in_database.is_some() {
        reads.primary
    } else {
        reads.db
    };
    let (outcome, photos, tree) = db
        .run(move |conn| {
            count_in_database(conn, in_database, &network)?;
            let outcome = service::run(conn, &density, None, &searched, None, FEED_SIZE)?;
            let ids: Vec<_> = outcome.rows.iter().map(|r| r.id).collect();
            let photos = listing_feed::cover_photos(conn, &ids)?;
            Ok::<_, AppError>((outcome, photos, cache.tree(conn)?))
        })
        .await?;
    if !outcome.problems.is_empty() {
        return Err(AppError::BadRequest(outcome.problems.join(" ")));
    }
    let listings: Vec<FeedListing> = outcome
        .rows
        .iter()
        .map(|r| FeedListing {
            id: r.id,
            title: r.title.clone(),
            price_cents: r.price_cents,
            is_free: r.is_free,
            zip: r.zip.clone(),
            category_id: r.category_id,
            renewed_at: r.renewed_at,
            price_unit: r.price_unit,
            price_max_cents: r.price_max_cents,
            starts_at: r.starts_at,
        })
        .collect();
    let feed = listing_feed::feed(
        ctx.site_name(),
        &ctx.site.public_url,
        &format!(
            "{}: {}",
            ctx.site_name(),
            feed_title(&search, &outcome.resolved.heading)
        ),
        &search.url_with("/search.atom", &[]),
        &search.url_with("/search", &[]),
        &listings,
        &photos,
        &tree,
    );
    listing_feed::respond(&feed)
}

fn feed_title(search: &Search, heading: &str) -> String {
    match &search.text {
        Some(text) => format!("“{text}” in {heading}"),
        None => heading.to_owned(),
    }
}

/// `GET /search.atom`: the same feed under its own path.
pub async fn search_feed(
    req: HttpRequest,
    ctx: PageContext,
    reads: ReadDb,
    density: web::Data<Density>,
    cache: web::Data<listing_queries::CategoryCounts>,
    rate: web::Data<SearchRate>,
) -> Result<HttpResponse, AppError> {
    let pairs = search_pairs(&req)?;
    let network = rate_limit::client_network(&req);
    feed(
        &ctx,
        reads,
        density,
        cache,
        rate.as_ref().clone(),
        network,
        pairs,
    )
    .await
}
