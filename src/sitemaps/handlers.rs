//! `robots.txt`, `sitemap.xml` and the sitemaps it names.

use actix_web::http::header;
use actix_web::web::Bytes;
use actix_web::{HttpResponse, web};
use futures_util::stream;

use super::{CHUNK, queries};
use crate::listings::domain::slugify;
use crate::listings::queries::CategoryCounts;
use crate::web::{AppError, Db, PageContext, ReadDb};

/// The site's own pages besides the lists.
const SITE_PAGES: &[&str] = &["/about", "/help", "/safety", "/terms", "/privacy"];

/// Rows read (and written out) at a time.
const BATCH: i64 = 2_000;

const XML: &str = "application/xml; charset=utf-8";
const HEAD: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
"#;
const TAIL: &str = "</urlset>\n";

/// Escapes text for XML (URLs here hold only safe characters, but a site name may not).
fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn url_entry(out: &mut String, loc: &str, lastmod: Option<chrono::DateTime<chrono::Utc>>) {
    out.push_str("  <url><loc>");
    out.push_str(&escape(loc));
    out.push_str("</loc>");
    if let Some(at) = lastmod {
        out.push_str("<lastmod>");
        out.push_str(&at.format("%Y-%m-%d").to_string());
        out.push_str("</lastmod>");
    }
    out.push_str("</url>\n");
}

/// `GET /robots.txt`
pub async fn robots(ctx: PageContext) -> HttpResponse {
    let base = &ctx.site.public_url;
    let body = format!(
        "User-agent: *\n\
         Disallow: /admin\n\
         Disallow: /messages\n\
         Disallow: /settings\n\
         Disallow: /favorites\n\
         Disallow: /saved-searches\n\
         Disallow: /area\n\
         Disallow: /listings/new\n\
         Disallow: /events\n\
         Disallow: /mail/\n\
         Allow: /\n\
         \n\
         Sitemap: {base}/sitemap.xml\n"
    );
    HttpResponse::Ok()
        .content_type("text/plain; charset=utf-8")
        .insert_header((header::CACHE_CONTROL, "public, max-age=3600"))
        .body(body)
}

/// `GET /sitemap.xml`: the index of the sitemaps.
pub async fn sitemap_index(
    ctx: PageContext,
    ReadDb { db, .. }: ReadDb,
    chunks: web::Data<queries::IndexChunks>,
) -> Result<HttpResponse, AppError> {
    let chunks = db.run(move |conn| chunks.get(conn)).await?;
    let base = escape(&ctx.site.public_url);
    let mut out = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
         <sitemapindex xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
    );
    let mut sitemap = |name: String| {
        out.push_str(&format!(
            "  <sitemap><loc>{base}/sitemaps/{name}.xml</loc></sitemap>\n"
        ));
    };
    sitemap("pages".to_owned());
    for n in &chunks.listings {
        sitemap(format!("listings-{n}"));
    }
    for n in &chunks.members {
        sitemap(format!("profiles-{n}"));
    }
    out.push_str("</sitemapindex>\n");
    Ok(HttpResponse::Ok()
        .content_type(XML)
        .insert_header((header::CACHE_CONTROL, "public, max-age=3600"))
        .body(out))
}

/// Which sitemap a name asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Which {
    Pages,
    Listings(i64),
    Profiles(i64),
}

fn parse_name(name: &str) -> Option<Which> {
    let name = name.strip_suffix(".xml")?;
    if name == "pages" {
        return Some(Which::Pages);
    }
    let (kind, n) = name.rsplit_once('-')?;
    // Digits only: no sign, no leading "+", and a range that exists in an i64 of ids.
    if n.is_empty() || n.len() > 12 || !n.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let n: i64 = n.parse().ok()?;
    match kind {
        "listings" => Some(Which::Listings(n)),
        "profiles" => Some(Which::Profiles(n)),
        _ => None,
    }
}

/// `GET /sitemaps/{name}`: the site's pages, or one range of listings or profiles, streamed.
pub async fn sitemap(
    ctx: PageContext,
    ReadDb { db, .. }: ReadDb,
    counts: web::Data<CategoryCounts>,
    name: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let which = parse_name(&name).ok_or(AppError::NotFound)?;
    let base = ctx.site.public_url.clone();
    match which {
        Which::Pages => {
            let tree = db.run(move |conn| counts.tree(conn)).await?;
            let mut out = String::from(HEAD);
            url_entry(&mut out, &format!("{base}/"), None);
            for (section, categories) in tree.iter() {
                url_entry(&mut out, &format!("{base}/c/{}", section.slug), None);
                for category in categories {
                    url_entry(
                        &mut out,
                        &format!("{base}/c/{}/{}", section.slug, category.slug),
                        None,
                    );
                }
            }
            for page in SITE_PAGES {
                url_entry(&mut out, &format!("{base}{page}"), None);
            }
            out.push_str(TAIL);
            Ok(xml_response().body(out))
        }
        Which::Listings(n) | Which::Profiles(n) => {
            let start = n.checked_mul(CHUNK).ok_or(AppError::NotFound)?;
            let end = start.saturating_add(CHUNK);
            let listings = matches!(which, Which::Listings(_));
            // The first batch is read before answering, so a range with nothing in it is a
            // 404, not an empty file; then batches until one comes back short.
            let mut first = read_batch(&db, &base, listings, start - 1, end).await?;
            if first.rows == 0 {
                return Err(AppError::NotFound);
            }
            first.text.insert_str(0, HEAD);
            let body = stream::unfold(Some(first), move |pending| {
                let (db, base) = (db.clone(), base.clone());
                async move {
                    let batch = pending?;
                    if batch.rows < BATCH as usize {
                        let mut text = batch.text;
                        text.push_str(TAIL);
                        return Some((Ok::<_, AppError>(Bytes::from(text)), None));
                    }
                    match read_batch(&db, &base, listings, batch.last, end).await {
                        Ok(next) => Some((Ok(Bytes::from(batch.text)), Some(next))),
                        Err(err) => Some((Err(err), None)),
                    }
                }
            });
            Ok(xml_response().streaming(body))
        }
    }
}

fn xml_response() -> actix_web::HttpResponseBuilder {
    let mut response = HttpResponse::Ok();
    response
        .content_type(XML)
        .insert_header((header::CACHE_CONTROL, "public, max-age=3600"));
    response
}

/// Entries of one batch, as XML.
struct Batch {
    text: String,
    rows: usize,
    /// The last id read (where the next batch starts).
    last: i64,
}

async fn read_batch(
    db: &Db,
    base: &str,
    listings: bool,
    after: i64,
    end: i64,
) -> Result<Batch, AppError> {
    let base = base.to_owned();
    db.run(move |conn| {
        let mut text = String::new();
        let (rows, last) = if listings {
            let rows = queries::listings_between(conn, after, end, BATCH)?;
            for e in &rows {
                let loc = format!("{base}/listings/{}/{}", e.id, slugify(&e.title));
                url_entry(&mut text, &loc, Some(e.updated_at));
            }
            (rows.len(), rows.last().map_or(after, |e| e.id))
        } else {
            let rows = queries::members_between(conn, after, end, BATCH)?;
            for e in &rows {
                url_entry(
                    &mut text,
                    &format!("{base}/u/{}", e.username),
                    Some(e.updated_at),
                );
            }
            (rows.len(), rows.last().map_or(after, |e| e.id))
        };
        Ok::<_, AppError>(Batch { text, rows, last })
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sitemap_names_are_read_strictly() {
        assert_eq!(parse_name("pages.xml"), Some(Which::Pages));
        assert_eq!(parse_name("listings-0.xml"), Some(Which::Listings(0)));
        assert_eq!(parse_name("profiles-12.xml"), Some(Which::Profiles(12)));
        for bad in [
            "pages",
            "listings-.xml",
            "listings--1.xml",
            "listings-+1.xml",
            "listings-1a.xml",
            "listings-9999999999999.xml",
            "photos-1.xml",
        ] {
            assert_eq!(parse_name(bad), None, "{bad}");
        }
    }
}
