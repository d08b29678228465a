//! How features declare their routes, and the scope each one lives in.
//!
//! Policy: each feature lists its routes (`<feature>::routes()`); `startup` composes them into
//! one table, which is also what the CSRF, HEAD and admin tests enumerate, so a new route is
//! covered without anyone listing it again. The scope decides what guards a route and how its
//! errors read: the site's pages (HTML error pages), the admin area (behind one admin guard,
//! so a new admin route cannot forget its check) and the JSON API (problem documents).

use actix_web::Route;
use actix_web::http::Method;

/// Where a route lives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// The site's pages, at the root.
    Site,
    /// Under `/admin`, for admins only.
    Admin,
    /// Under `/api/v1`: JSON in and out, problem documents for errors.
    Api,
}

impl Scope {
    /// The path the scope's routes are under.
    pub fn prefix(self) -> &'static str {
        match self {
            Self::Site => "",
            Self::Admin => "/admin",
            Self::Api => "/api/v1",
        }
    }
}

/// One route: a path (relative to its scope), a method and the handler.
pub struct RouteDef {
    pub scope: Scope,
    pub path: &'static str,
    pub method: Method,
    pub route: Route,
}

impl RouteDef {
    /// A route of the site's pages.
    pub fn site(path: &'static str, method: Method, route: Route) -> Self {
        Self {
            scope: Scope::Site,
            path,
            method,
            route,
        }
    }

    /// A route of the admin area (`path` relative to `/admin`).
    pub fn admin(path: &'static str, method: Method, route: Route) -> Self {
        Self {
            scope: Scope::Admin,
            path,
            method,
            route,
        }
    }

    /// A route of the JSON API (`path` relative to `/api/v1`).
    pub fn api(path: &'static str, method: Method, route: Route) -> Self {
        Self {
            scope: Scope::Api,
            path,
            method,
            route,
        }
    }

    /// The whole path, scope included.
    pub fn full_path(&self) -> String {
        format!("{}{}", self.scope.prefix(), self.path)
    }
}

/// The site's routes in groups that share their first path segment (`/listings`, `/rooms`, …),
/// in the table's order within each group, each group in the order it first appears.
///
/// actix-web tries a request against every registered resource in turn, running the
/// pattern's regex for each dynamic one; with some 120 routes at the root, that was
/// about 5 % of a listing page's server time. A group becomes one `web::scope`, whose
/// prefix is a plain string comparison, so a request only runs the regexes of its own
/// segment. Order within a segment is what decides between overlapping patterns
/// (`/listings/new` before `/listings/{id}/{slug}`), and it is kept; paths under
/// different first segments never overlap, since no route's first segment is a
/// placeholder (checked here).
///
/// Within a group, the GET routes come first, in their order, then the others in theirs: a
/// route only ever answers its own method, so the order between methods decides nothing,
/// and a page's request then skips the regexes of the forms it does not post to.
///
/// `reserved` are the first segments of other scopes (`admin`, `api`): a site route there
/// stays at the root, before that scope, as it always was.
pub fn by_first_segment(defs: Vec<RouteDef>, reserved: &[&str]) -> Vec<SegmentGroup> {
    let mut groups: Vec<SegmentGroup> = Vec::new();
    for def in defs {
        let segment = first_segment(def.path);
        assert!(
            !segment.contains('{'),
            "route {} starts with a placeholder; the router groups routes by their first segment",
            def.path
        );
        let scoped = !segment.is_empty() && !reserved.contains(&segment);
        match groups
            .iter_mut()
            .find(|g| g.scoped && scoped && g.segment == segment)
        {
            Some(group) => group.routes.push(def),
            None => groups.push(SegmentGroup {
                segment,
                scoped,
                routes: vec![def],
            }),
        }
    }
    for group in &mut groups {
        // Stable: each method's routes keep their order.
        group.routes.sort_by_key(|def| def.method != Method::GET);
    }
    groups
}

/// Routes of the site under one first path segment (see [`by_first_segment`]).
pub struct SegmentGroup {
    /// The first segment, without slashes (`"listings"`).
    pub segment: &'static str,
    /// Whether the group may become a scope (else each route is registered at the root).
    pub scoped: bool,
    pub routes: Vec<RouteDef>,
}

impl SegmentGroup {
    /// The group's routes registered on `cfg`: one scope when there are several, else the
    /// route itself at the root.
    pub fn register(self, cfg: &mut actix_web::web::ServiceConfig) {
        if !self.scoped || self.routes.len() < 2 {
            for def in self.routes {
                cfg.route(def.path, def.route);
            }
            return;
        }
        let prefix = format!("/{}", self.segment);
        let mut scope = actix_web::web::scope(&prefix);
        for def in self.routes {
            // What follows the segment: "" for the segment itself, else "/…".
            scope = scope.route(&def.path[prefix.len()..], def.route);
        }
        cfg.service(scope);
    }
}

/// `"listings"` for `/listings/{id}/{slug}`, `""` for `/`.
fn first_segment(path: &'static str) -> &'static str {
    let rest = path.strip_prefix('/').unwrap_or(path);
    rest.split('/').next().unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::web;

    fn def(path: &'static str) -> RouteDef {
        RouteDef::site(path, Method::GET, web::get().to(|| async { "" }))
    }

    fn post(path: &'static str) -> RouteDef {
        RouteDef::site(path, Method::POST, web::post().to(|| async { "" }))
    }

    fn shape(groups: &[SegmentGroup]) -> Vec<(&str, bool, Vec<&str>)> {
        groups
            .iter()
            .map(|g| {
                (
                    g.segment,
                    g.scoped,
                    g.routes.iter().map(|r| r.path).collect(),
                )
            })
            .collect()
    }

    #[test]
    fn routes_are_grouped_by_first_segment_in_table_order() {
        let groups = by_first_segment(
            vec![
                def("/"),
                def("/listings/new"),
                def("/rooms"),
                def("/api/docs"),
                post("/listings/{id}/edit"),
                def("/listings/{id}/{slug}"),
                def("/rooms/{key}"),
                def("/api/other"),
            ],
            &["api"],
        );
        assert_eq!(
            shape(&groups),
            vec![
                ("", false, vec!["/"]),
                // GET routes first, each method's in the table's order.
                (
                    "listings",
                    true,
                    vec![
                        "/listings/new",
                        "/listings/{id}/{slug}",
                        "/listings/{id}/edit",
                    ]
                ),
                ("rooms", true, vec!["/rooms", "/rooms/{key}"]),
                // A reserved segment's routes each stay at the root, in place.
                ("api", false, vec!["/api/docs"]),
                ("api", false, vec!["/api/other"]),
            ]
        );
    }

    #[test]
    #[should_panic(expected = "starts with a placeholder")]
    fn a_route_starting_with_a_placeholder_is_refused() {
        by_first_segment(vec![def("/{anything}")], &[]);
    }

    #[actix_web::test]
    async fn scoped_routes_answer_as_they_did_at_the_root() {
        use actix_web::test;
        let app = test::init_service(actix_web::App::new().configure(|cfg| {
            let defs = vec![
                RouteDef::site("/a", Method::GET, web::get().to(|| async { "a" })),
                RouteDef::site("/a/new", Method::GET, web::get().to(|| async { "new" })),
                RouteDef::site("/a/{id}", Method::GET, web::get().to(|| async { "id" })),
                RouteDef::site("/a/{id}", Method::POST, web::post().to(|| async { "post" })),
                RouteDef::site("/b", Method::GET, web::get().to(|| async { "b" })),
            ];
            for group in by_first_segment(defs, &[]) {
                group.register(cfg);
            }
        }))
        .await;
        for (method, path, expected) in [
            (Method::GET, "/a", Some("a")),
            (Method::GET, "/a/new", Some("new")),
            (Method::GET, "/a/7", Some("id")),
            (Method::POST, "/a/7", Some("post")),
            (Method::GET, "/b", Some("b")),
            (Method::GET, "/ab", None),
            (Method::GET, "/a/7/x", None),
            (Method::PUT, "/a/7", None),
        ] {
            let req = test::TestRequest::default()
                .method(method.clone())
                .uri(path)
                .to_request();
            let res = test::call_service(&app, req).await;
            match expected {
                Some(body) => {
                    assert!(res.status().is_success(), "{method} {path}");
                    assert_eq!(
                        test::read_body(res).await,
                        body.as_bytes(),
                        "{method} {path}"
                    );
                }
                None => assert_eq!(res.status(), 404, "{method} {path}"),
            }
        }
    }
}
