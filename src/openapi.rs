//! The JSON API's OpenAPI document, generated from the handlers' `#[utoipa::path]`
//! annotations and the types they take and give, served at `/api/v1/openapi.json`.
//!
//! Every API route of the route table must be documented here, and nothing else: a test
//! compares the two (the table stays the one place routes are declared, so the CSRF, HEAD
//! and admin tests keep covering every route; `utoipa-actix-web` would instead want the
//! routes registered through its own scope).

use std::sync::OnceLock;

use actix_web::HttpResponse;
use actix_web::http::header;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use crate::{accounts, listings, messages, people, saved, search};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Corkboard API",
        version = "1",
        description = "Accounts, listings and messages as JSON. Get tokens with `POST /api/v1/auth/token`, then send `Authorization: Bearer <access token>`. Errors are RFC 9457 problem documents; lists take `page` (from 1) and `per_page` (default 30, at most 100) and link the next and previous pages in a `Link` header."
    ),
    paths(
        accounts::api::create_user,
        accounts::api::token,
        accounts::api::refresh,
        accounts::api::logout,
        accounts::api::me,
        accounts::api::update_me,
        messages::api::send_message,
        messages::api::conversations,
        messages::api::conversation_messages,
        messages::api::messages_with,
        messages::api::mark_read,
        search::api::list_listings,
        listings::api::get_listing,
        listings::api::categories,
        listings::api::create_listing,
        listings::api::update_listing,
        listings::api::delete_listing,
        listings::api::change_status,
        listings::api::add_photos,
        listings::api::order_photos,
        listings::api::describe_photo,
        listings::api::delete_photo,
        saved::api::favorites,
        saved::api::add_favorite,
        saved::api::remove_favorite,
        saved::api::saved_searches,
        saved::api::save_search,
        saved::api::update_saved_search,
        saved::api::delete_saved_search,
        people::api::get_profile,
        people::api::put_profile,
        people::api::add_photos,
        people::api::next,
        people::api::answer,
        people::api::matches,
        people::api::unmatch,
        people::api::user_photos,
    ),
    modifiers(&BearerAuth, &CommonProblems),
    tags(
        (name = "auth", description = "Access and refresh tokens."),
        (name = "accounts", description = "Signing up, and the caller's own account."),
        (name = "listings", description = "Searching and reading listings, the categories with the details each asks for, and posting and managing your own listings and their photos."),
        (name = "saved", description = "Your favourite listings and saved searches (with their e-mail alerts)."),
        (name = "people", description = "Meet people: your friend profile and its photos, the next person near you, yes / no answers, and matches (a mutual yes opens a conversation of kind `match`)."),
        (name = "messages", description = "Typed messages (text, image links, video links), conversations and their history."),
    )
)]
pub struct ApiDoc;

/// The `bearer` security scheme the paths refer to.
struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .description(Some("An access token from `POST /api/v1/auth/token`."))
                    .build(),
            ),
        );
    }
}

/// The answers every operation of a kind can give, added to each so no annotation repeats
/// them: a body that is not JSON (400), too large (413) or not said to be JSON (415) where
/// an operation takes one; a query string that cannot be read (400) where it reads one; no
/// valid token (401) where it needs one; and the general rate limits (429) everywhere.
struct CommonProblems;

impl Modify for CommonProblems {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::{ContentBuilder, Ref, ResponseBuilder};
        let problem = |description: &str| {
            ResponseBuilder::new()
                .description(description)
                .content(
                    "application/problem+json",
                    ContentBuilder::new()
                        .schema(Some(Ref::from_schema_name("Problem")))
                        .build(),
                )
                .build()
        };
        for item in openapi.paths.paths.values_mut() {
            let operations = [
                &mut item.get,
                &mut item.put,
                &mut item.post,
                &mut item.delete,
                &mut item.patch,
            ];
            for operation in operations.into_iter().flatten() {
                let responses = &mut operation.responses.responses;
                let multipart = operation.request_body.as_ref().is_some_and(|body| {
                    matches!(body, utoipa::openapi::RefOr::T(body)
                            if body.content.contains_key("multipart/form-data"))
                });
                if operation.request_body.is_some() {
                    let described = if multipart {
                        [
                            ("400", "The body is not a well-formed multipart form."),
                            ("413", "The body is larger than its limits allow."),
                            ("415", "The body is not sent as multipart/form-data."),
                        ]
                    } else {
                        [
                            ("400", "The body is not valid JSON."),
                            ("413", "The body is larger than 64 KB."),
                            ("415", "The body is not sent as application/json."),
                        ]
                    };
                    for (status, description) in described {
                        responses
                            .entry(status.into())
                            .or_insert_with(|| problem(description).into());
                    }
                }
                let reads_query = operation.parameters.iter().flatten().any(|p| {
                    matches!(p, utoipa::openapi::RefOr::T(p)
                        if p.parameter_in == utoipa::openapi::path::ParameterIn::Query)
                });
                if reads_query {
                    responses.entry("400".into()).or_insert_with(|| {
                        problem("The query string could not be read (a parameter given twice).")
                            .into()
                    });
                }
                if operation.security.is_some() {
                    responses
                        .entry("401".into())
                        .or_insert_with(|| problem("No valid access token.").into());
                }
                responses.entry("429".into()).or_insert_with(|| {
                    problem("Too many requests from your network or for your account: wait as long as `Retry-After` says.").into()
                });
            }
        }
    }
}

/// The document as JSON (built once).
pub fn document_json() -> &'static str {
    static JSON: OnceLock<String> = OnceLock::new();
    JSON.get_or_init(|| {
        ApiDoc::openapi()
            .to_pretty_json()
            .expect("the OpenAPI document serialises")
    })
}

/// `GET /api/v1/openapi.json`
pub async fn serve_document() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("application/json")
        .insert_header((header::CACHE_CONTROL, "public, max-age=300"))
        .body(document_json())
}

/// The API reference page: Swagger UI from `static/vendor` (bundled through npm, so it works
/// offline and under the site's CSP: no inline script, no CDN).
#[derive(askama::Template)]
#[template(path = "api/docs.html")]
struct DocsPage<'a> {
    site_name: &'a str,
    favicon: String,
    swagger_css: String,
    page_css: String,
    swagger_js: String,
    init_js: String,
    spec_url: &'static str,
}

/// `GET /api/docs`
pub async fn docs_page(
    site: actix_web::web::Data<crate::web::SiteConfig>,
) -> Result<HttpResponse, crate::web::AppError> {
    use crate::web::assets::url;
    use askama::Template;
    let page = DocsPage {
        site_name: &site.site_name,
        favicon: url("favicon.svg"),
        swagger_css: url("vendor/swagger-ui/swagger-ui.css"),
        page_css: url("css/api-docs.css"),
        swagger_js: url("vendor/swagger-ui/swagger-ui-bundle.js"),
        init_js: url("js/api-docs.js"),
        spec_url: "/api/v1/openapi.json",
    };
    let body = page
        .render()
        .map_err(|err| crate::web::AppError::Internal(err.into()))?;
    Ok(HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .insert_header((header::CACHE_CONTROL, "public, max-age=300"))
        .body(body))
}
