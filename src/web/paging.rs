//! Numbered pages for the API's lists: `page` (from 1) and `per_page` (default 30, at most
//! 100), and the RFC 8288 `Link` header that points at the next and previous pages.
//!
//! Policy: a page number or size that is not a whole number in range is a field error (422),
//! never silently replaced; page numbers stop at [`MAX_PAGE`] (deeper history is reached with
//! a cursor such as `before_id`, which costs the same at any depth).

use actix_web::HttpRequest;
use actix_web::http::header;
use serde::Deserialize;

use super::FieldErrors;

pub const DEFAULT_PER_PAGE: i64 = 30;
pub const MAX_PER_PAGE: i64 = 100;
pub const MAX_PAGE: i64 = 1_000;

/// The page asked for, as sent (checked by [`Paging::parse`]).
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(default)]
pub struct PageParams {
    /// The page, from 1 (at most 1,000).
    #[param(value_type = Option<u32>, minimum = 1, maximum = 1000)]
    pub page: Option<String>,
    /// How many on a page: 1 to 100, 30 when not given.
    #[param(value_type = Option<u32>, minimum = 1, maximum = 100)]
    pub per_page: Option<String>,
}

/// A checked page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Paging {
    pub page: i64,
    pub per_page: i64,
}

impl Paging {
    /// The page asked for; a bad value is recorded in `errors` (and `None` returned).
    pub fn parse(params: &PageParams, errors: &mut FieldErrors) -> Option<Self> {
        let page = number(params.page.as_deref(), 1, 1, MAX_PAGE);
        let per_page = number(
            params.per_page.as_deref(),
            DEFAULT_PER_PAGE,
            1,
            MAX_PER_PAGE,
        );
        if page.is_none() {
            errors.add(
                "page",
                format!("Give a page number from 1 to {MAX_PAGE} (for older items, use a cursor)."),
            );
        }
        if per_page.is_none() {
            errors.add(
                "per_page",
                format!("Give a page size from 1 to {MAX_PER_PAGE}."),
            );
        }
        Some(Self {
            page: page?,
            per_page: per_page?,
        })
    }

    /// How many items come before this page.
    pub fn offset(&self) -> i64 {
        (self.page - 1) * self.per_page
    }

    /// The last page that has items (1 when there are none).
    pub fn last_page(&self, total: i64) -> i64 {
        ((total + self.per_page - 1) / self.per_page).max(1)
    }

    /// The `Link` header for this page: `next` when another page follows, `prev`, `first`,
    /// and `last` when the total is known (`Extent::Exact`).
    pub fn link_header(&self, req: &HttpRequest, extent: Extent) -> String {
        let mut links = Vec::with_capacity(4);
        let last = match extent {
            Extent::Exact(total) => Some(self.last_page(total)),
            Extent::AtLeast { .. } => None,
        };
        let has_next = match extent {
            Extent::Exact(_) => last.is_some_and(|last| self.page < last),
            Extent::AtLeast { more, .. } => more,
        };
        if has_next {
            links.push((self.page + 1, "next"));
        }
        if self.page > 1 {
            links.push(((self.page - 1).min(last.unwrap_or(i64::MAX)), "prev"));
        }
        links.push((1, "first"));
        if let Some(last) = last {
            links.push((last, "last"));
        }
        links
            .into_iter()
            .map(|(page, rel)| format!("<{}>; rel=\"{rel}\"", self.url_of(req, page)))
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// This request's URL with another page number (every other parameter kept).
    fn url_of(&self, req: &HttpRequest, page: i64) -> String {
        let mut query = url::form_urlencoded::Serializer::new(String::new());
        for (key, value) in url::form_urlencoded::parse(req.query_string().as_bytes()) {
            if key != "page" && key != "per_page" {
                query.append_pair(&key, &value);
            }
        }
        query.append_pair("page", &page.to_string());
        query.append_pair("per_page", &self.per_page.to_string());
        format!("{}?{}", req.path(), query.finish())
    }
}

/// A whole number in `min..=max`, or `default` when not given.
fn number(raw: Option<&str>, default: i64, min: i64, max: i64) -> Option<i64> {
    match raw.map(str::trim) {
        None | Some("") => Some(default),
        Some(text) => text.parse::<i64>().ok().filter(|n| (min..=max).contains(n)),
    }
}

/// How many items a list has: counted, or (when counting them all would not be cheap) at
/// least `total`, with whether another page follows this one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Extent {
    Exact(i64),
    AtLeast { total: i64, more: bool },
}

impl Extent {
    pub fn total(self) -> i64 {
        match self {
            Self::Exact(total) | Self::AtLeast { total, .. } => total,
        }
    }

    pub fn is_lower_bound(self) -> bool {
        matches!(self, Self::AtLeast { .. })
    }
}

/// A JSON list page: the items with where they are, and the `Link` header.
pub fn respond<T: serde::Serialize>(
    req: &HttpRequest,
    paging: Paging,
    extent: Extent,
    body: &T,
) -> actix_web::HttpResponse {
    actix_web::HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .insert_header((header::LINK, paging.link_header(req, extent)))
        .json(body)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parsed(page: Option<&str>, per_page: Option<&str>) -> Result<Paging, Vec<String>> {
        let mut errors = FieldErrors::new();
        let params = PageParams {
            page: page.map(str::to_owned),
            per_page: per_page.map(str::to_owned),
        };
        Paging::parse(&params, &mut errors)
            .ok_or_else(|| errors.iter().map(|(f, _)| f.to_owned()).collect())
    }

    #[test]
    fn pages_are_checked_and_defaulted() {
        assert_eq!(
            parsed(None, None),
            Ok(Paging {
                page: 1,
                per_page: 30
            })
        );
        assert_eq!(parsed(Some("3"), Some("100")).unwrap().offset(), 200);
        assert_eq!(
            parsed(Some("0"), Some("101")),
            Err(vec!["page".into(), "per_page".into()])
        );
        assert_eq!(parsed(Some("1001"), None), Err(vec!["page".into()]));
        assert_eq!(parsed(Some("2"), Some("x")), Err(vec!["per_page".into()]));
        assert_eq!(parsed(Some("-1"), None), Err(vec!["page".into()]));
    }

    #[test]
    fn links_point_at_the_neighbouring_pages_keeping_the_query() {
        let req = actix_web::test::TestRequest::get()
            .uri("/api/v1/messages?with=bob&page=2&per_page=2&before_id=9")
            .to_http_request();
        let paging = Paging {
            page: 2,
            per_page: 2,
        };
        let header = paging.link_header(&req, Extent::Exact(5));
        assert_eq!(
            header,
            "</api/v1/messages?with=bob&before_id=9&page=3&per_page=2>; rel=\"next\", \
             </api/v1/messages?with=bob&before_id=9&page=1&per_page=2>; rel=\"prev\", \
             </api/v1/messages?with=bob&before_id=9&page=1&per_page=2>; rel=\"first\", \
             </api/v1/messages?with=bob&before_id=9&page=3&per_page=2>; rel=\"last\""
        );
        // The last page has no next; an empty list has one page.
        let last = Paging {
            page: 3,
            per_page: 2,
        };
        assert!(!last.link_header(&req, Extent::Exact(5)).contains("next"));
        assert_eq!(last.last_page(0), 1);
        // Not counted to the end: next when there is more, and no last.
        let deep = last.link_header(
            &req,
            Extent::AtLeast {
                total: 1000,
                more: true,
            },
        );
        assert!(deep.contains("page=4&per_page=2>; rel=\"next\""), "{deep}");
        assert!(!deep.contains("rel=\"last\""), "{deep}");
    }
}
