//! The category tree, edited without a deploy: add, rename, reorder, retire, and the typed
//! attributes each category asks for.

use actix_session::Session;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;

use crate::admin::views::{CategoriesPage, CategoryPage, CategoryRowView, SectionCategories};
use crate::listings::categories::{self, CategoryDraft, Refused};
use crate::listings::queries::CategoryCounts;
use crate::moderation::domain::Reason;
use crate::web::respond::{form_page, redirect, unprocessable};
use crate::web::session::{self, FlashKind};
use crate::web::{AdminUser, AppError, Db, FieldErrors, PageContext};

/// What the new-category form held.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct CategoryForm {
    section: String,
    name: String,
    slug: String,
    allows_free: String,
    price_kind: String,
    attributes: String,
}

impl CategoryForm {
    fn draft(&self) -> Result<CategoryDraft, FieldErrors> {
        CategoryDraft::parse(
            &self.name,
            &self.slug,
            matches!(self.allows_free.as_str(), "1" | "on" | "true"),
            &self.price_kind,
            &self.attributes,
        )
    }
}

async fn categories_page(
    ctx: PageContext,
    db: &Db,
    form: CategoryForm,
    errors: FieldErrors,
) -> Result<CategoriesPage, AppError> {
    let tree = db.run(categories::admin_tree).await?;
    Ok(CategoriesPage {
        ctx,
        sections: tree
            .into_iter()
            .map(|(section, list)| SectionCategories {
                slug: section.slug,
                name: section.name,
                categories: list
                    .into_iter()
                    .map(|c| CategoryRowView {
                        id: c.category.id,
                        name: c.category.name,
                        slug: c.category.slug,
                        retired: c.category.retired_at.is_some(),
                        listings: c.listings,
                    })
                    .collect(),
            })
            .collect(),
        section: form.section,
        name: form.name,
        slug: form.slug,
        errors,
    })
}

/// `GET /admin/categories`
pub async fn categories(
    req: HttpRequest,
    ctx: PageContext,
    _admin: AdminUser,
    db: Db,
) -> Result<HttpResponse, AppError> {
    let page = categories_page(ctx, &db, CategoryForm::default(), FieldErrors::new()).await?;
    Ok(form_page(page, &req))
}

/// `POST /admin/categories`: a new category at the end of its section.
pub async fn create_category(
    req: HttpRequest,
    ctx: PageContext,
    AdminUser(admin): AdminUser,
    db: Db,
    session: Session,
    counts: web::Data<CategoryCounts>,
    form: web::Form<CategoryForm>,
) -> Result<HttpResponse, AppError> {
    let form = form.into_inner();
    let draft = match form.draft() {
        Ok(draft) => draft,
        Err(errors) => {
            let page = categories_page(ctx, &db, form, errors).await?;
            return Ok(unprocessable(page, &req));
        }
    };
    let section = form.section.clone();
    let admin_id = admin.id;
    let created = db
        .run(move |conn| categories::create(conn, admin_id, &section, &draft))
        .await?;
    match created {
        Ok(id) => {
            counts.invalidate();
            session::push_flash(&session, FlashKind::Success, "Category added.");
            Ok(redirect(&format!("/admin/categories/{id}")))
        }
        Err(refused) => {
            let mut errors = FieldErrors::new();
            let field = if refused == Refused::SlugTaken {
                "slug"
            } else {
                "section"
            };
            errors.add(field, refused.message());
            let page = categories_page(ctx, &db, form, errors).await?;
            Ok(unprocessable(page, &req))
        }
    }
}

async fn category_page(
    ctx: PageContext,
    db: &Db,
    id: i32,
    form: Option<CategoryForm>,
    errors: FieldErrors,
) -> Result<CategoryPage, AppError> {
    let (section, category) = db
        .run(move |conn| {
            crate::listings::queries::find_category_by_id(conn, id).map_err(AppError::from)
        })
        .await?;
    let form = form.unwrap_or_else(|| CategoryForm {
        section: section.slug.clone(),
        name: category.name.clone(),
        slug: category.slug.clone(),
        allows_free: if category.allows_free {
            "1".into()
        } else {
            String::new()
        },
        price_kind: category.price_kind.as_str().to_owned(),
        attributes: serde_json::to_string_pretty(&category.attributes).unwrap_or_default(),
    });
    Ok(CategoryPage {
        ctx,
        id,
        section: section.name,
        retired: category.is_retired(),
        name: form.name,
        slug: form.slug,
        allows_free: !form.allows_free.is_empty(),
        price_kind: form.price_kind,
        attributes: form.attributes,
        errors,
    })
}

/// `GET /admin/categories/{id}`
pub async fn show_category(
    req: HttpRequest,
    ctx: PageContext,
    _admin: AdminUser,
    db: Db,
    id: web::Path<i32>,
) -> Result<HttpResponse, AppError> {
    let page = category_page(ctx, &db, id.into_inner(), None, FieldErrors::new()).await?;
    Ok(form_page(page, &req))
}

/// `POST /admin/categories/{id}`: name, address, "free" and attributes.
#[allow(clippy::too_many_arguments)]
pub async fn update_category(
    req: HttpRequest,
    ctx: PageContext,
    AdminUser(admin): AdminUser,
    db: Db,
    session: Session,
    counts: web::Data<CategoryCounts>,
    id: web::Path<i32>,
    form: web::Form<CategoryForm>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let form = form.into_inner();
    let draft = match form.draft() {
        Ok(draft) => draft,
        Err(errors) => {
            let page = category_page(ctx, &db, id, Some(form), errors).await?;
            return Ok(unprocessable(page, &req));
        }
    };
    let admin_id = admin.id;
    let updated = db
        .run(move |conn| categories::update(conn, admin_id, id, &draft))
        .await?;
    match updated {
        Ok(()) => {
            counts.invalidate();
            session::push_flash(&session, FlashKind::Success, "Category saved.");
            Ok(redirect(&format!("/admin/categories/{id}")))
        }
        Err(Refused::NotFound) => Err(AppError::NotFound),
        Err(refused) => {
            let mut errors = FieldErrors::new();
            errors.add("slug", refused.message());
            let page = category_page(ctx, &db, id, Some(form), errors).await?;
            Ok(unprocessable(page, &req))
        }
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ChangeForm {
    action: String,
    reason: String,
}

/// `POST /admin/categories/{id}/change`: `action` = up, down, retire or restore.
pub async fn change_category(
    AdminUser(admin): AdminUser,
    db: Db,
    session: Session,
    counts: web::Data<CategoryCounts>,
    id: web::Path<i32>,
    form: web::Form<ChangeForm>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let admin_id = admin.id;
    // A reason is optional here; when given, it follows the rules of every other reason.
    let reason = if form.reason.trim().is_empty() {
        String::new()
    } else {
        match Reason::parse(&form.reason) {
            Ok(reason) => reason.as_str().to_owned(),
            Err(message) => {
                session::push_flash(&session, FlashKind::Error, format!("Reason: {message}"));
                return Ok(redirect("/admin/categories"));
            }
        }
    };
    let outcome = match form.action.as_str() {
        "up" | "down" => {
            let up = form.action == "up";
            db.run(move |conn| categories::move_category(conn, admin_id, id, up))
                .await?
        }
        "retire" | "restore" => {
            let retire = form.action == "retire";
            db.run(move |conn| categories::set_retired(conn, admin_id, id, retire, &reason))
                .await?
        }
        _ => return Err(AppError::BadRequest("Choose what to do.".into())),
    };
    match outcome {
        Ok(()) => {
            counts.invalidate();
            let done = match form.action.as_str() {
                "retire" => "Category retired: its listings stay, it takes no new ones.",
                "restore" => "Category takes listings again.",
                _ => "Category moved.",
            };
            session::push_flash(&session, FlashKind::Success, done);
        }
        Err(Refused::NotFound) => return Err(AppError::NotFound),
        Err(refused) => session::push_flash(&session, FlashKind::Error, refused.message()),
    }
    Ok(redirect("/admin/categories"))
}
