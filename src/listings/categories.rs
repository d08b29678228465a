//! Admins edit the category tree: add a category, rename it, reorder it within its section,
//! retire it (and bring it back), and edit the typed attributes it asks for.
//!
//! Policy: every change is one transaction with its audit entry, and announces itself on the
//! events channel (`categories`), so every instance drops its cached tree at once (see
//! `live::listener`); this instance drops its own too. A retired category keeps its listings
//! and their pages, leaves the menus and the posting form, and takes no new listings. A
//! section always keeps one category that takes listings.

use diesel::pg::PgConnection;
use diesel::prelude::*;

use super::domain::{AttributeDef, AttributeKind, slugify};
use super::models::Category;
use super::terms::PriceKind;
use crate::db::ids::UserId;
use crate::db::schema::{categories, listings, sections};
use crate::messages::queries::EVENTS_CHANNEL;
use crate::moderation::audit::{self, AuditAction, Entry, TargetKind};
use crate::web::FieldErrors;

/// What every instance hears when the categories change.
pub const CHANGED: &str = "categories";

/// A new or edited category, checked.
#[derive(Debug, Clone, PartialEq)]
pub struct CategoryDraft {
    pub name: String,
    pub slug: String,
    pub allows_free: bool,
    /// What its listings' price means.
    pub price_kind: PriceKind,
    pub attributes: Vec<AttributeDef>,
}

/// The longest name.
const NAME_MAX: usize = 60;
/// The most attributes a category asks for.
const ATTRIBUTES_MAX: usize = 20;

impl CategoryDraft {
    /// Checks a category form: a name (1–60 characters), an address made from it (or given),
    /// and attributes as JSON (`[{"key", "label", "type", …}]`) with unique lower-case keys.
    pub fn parse(
        name: &str,
        slug: &str,
        allows_free: bool,
        price_kind: &str,
        attributes: &str,
    ) -> Result<Self, FieldErrors> {
        let mut errors = FieldErrors::new();
        let price_kind = match price_kind.trim() {
            "" => PriceKind::Item,
            given => PriceKind::parse(given).unwrap_or_else(|| {
                errors.add("price_kind", "Choose what the price means from the list.");
                PriceKind::Item
            }),
        };
        let name = name.trim().to_owned();
        let chars = name.chars().count();
        if chars == 0 {
            errors.add("name", "Give the category a name.");
        } else if chars > NAME_MAX {
            errors.add("name", format!("Use at most {NAME_MAX} characters."));
        } else if name.chars().any(char::is_control) {
            errors.add("name", "Use letters, numbers and punctuation only.");
        }
        let slug = if slug.trim().is_empty() {
            slugify(&name)
        } else {
            slug.trim().to_lowercase()
        };
        if errors.get("name").is_none()
            && (slug.is_empty()
                || slug.len() > NAME_MAX
                || !slug
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'))
        {
            errors.add(
                "slug",
                "Use lower-case letters, digits and dashes for the address.",
            );
        }
        let attributes = match parse_attributes(attributes) {
            Ok(list) => list,
            Err(message) => {
                errors.add("attributes", message);
                Vec::new()
            }
        };
        if errors.is_empty() {
            Ok(Self {
                name,
                slug,
                allows_free,
                price_kind,
                attributes,
            })
        } else {
            Err(errors)
        }
    }
}

/// The attributes as JSON, checked: each has a key (`a-z`, digits, `_`), a label, a known
/// type with sensible bounds; keys are unique.
fn parse_attributes(raw: &str) -> Result<Vec<AttributeDef>, String> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Ok(Vec::new());
    }
    let list: Vec<AttributeDef> = serde_json::from_str(raw)
        .map_err(|e| format!("Write the attributes as a JSON list like the example ({e})."))?;
    if list.len() > ATTRIBUTES_MAX {
        return Err(format!("Ask for at most {ATTRIBUTES_MAX} attributes."));
    }
    let mut keys = std::collections::HashSet::new();
    for def in &list {
        let key_ok = !def.key.is_empty()
            && def.key.len() <= 40
            && def
                .key
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
        if !key_ok {
            return Err(format!(
                "“{}”: a key is lower-case letters, digits and _.",
                def.key
            ));
        }
        if !keys.insert(def.key.as_str()) {
            return Err(format!("The key “{}” is used twice.", def.key));
        }
        if def.label.trim().is_empty() || def.label.chars().count() > 60 {
            return Err(format!(
                "“{}” needs a label of 1 to 60 characters.",
                def.key
            ));
        }
        let bounds_ok = match &def.kind {
            AttributeKind::Int { min, max, .. } => min <= max,
            AttributeKind::Number { min, max, .. } => {
                min.is_finite() && max.is_finite() && min <= max
            }
            AttributeKind::Bool => true,
            AttributeKind::Enum { options } => {
                !options.is_empty()
                    && options.len() <= 50
                    && options
                        .iter()
                        .all(|o| !o.trim().is_empty() && o.len() <= 60)
            }
            AttributeKind::Text { max } => (1..=1000).contains(max),
        };
        if !bounds_ok {
            return Err(format!(
                "“{}”: check its bounds (min ≤ max) or its options (1 to 50, none empty).",
                def.key
            ));
        }
    }
    Ok(list)
}

/// Why a change to the tree did not happen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refused {
    NotFound,
    /// Another category of the section has this address.
    SlugTaken,
    /// It is the only category of its section that takes listings.
    LastInSection,
    /// Already retired, or already taking listings.
    Already,
}

impl Refused {
    pub fn message(self) -> &'static str {
        match self {
            Self::NotFound => "There is no such category.",
            Self::SlugTaken => "Another category of this section has that address.",
            Self::LastInSection => {
                "It is the only category of its section that takes listings; add another first."
            }
            Self::Already => "The category is already so.",
        }
    }
}

/// A category as the admin page lists it.
#[derive(Debug, Clone)]
pub struct AdminCategory {
    pub category: Category,
    pub listings: i64,
}

/// Every section with all its categories (retired too) and how many listings each holds.
pub fn admin_tree(
    conn: &mut PgConnection,
) -> QueryResult<Vec<(super::models::Section, Vec<AdminCategory>)>> {
    let counts: Vec<(i32, i64)> = listings::table
        .group_by(listings::category_id)
        .select((listings::category_id, diesel::dsl::count_star()))
        .load(conn)?;
    let counts: std::collections::HashMap<i32, i64> = counts.into_iter().collect();
    Ok(super::queries::category_tree_with_retired(conn)?
        .into_iter()
        .map(|(section, list)| {
            let list = list
                .into_iter()
                .map(|category| AdminCategory {
                    listings: counts.get(&category.id).copied().unwrap_or(0),
                    category,
                })
                .collect();
            (section, list)
        })
        .collect())
}

/// Tells every instance (this one included) that the tree changed; sent when the
/// transaction commits.
fn announce(conn: &mut PgConnection) -> QueryResult<()> {
    diesel::sql_query("SELECT pg_notify($1, $2)")
        .bind::<diesel::sql_types::Text, _>(EVENTS_CHANNEL)
        .bind::<diesel::sql_types::Text, _>(CHANGED)
        .execute(conn)
        .map(|_| ())
}

fn record(
    conn: &mut PgConnection,
    admin: UserId,
    action: AuditAction,
    id: i32,
    label: &str,
    reason: &str,
) -> QueryResult<()> {
    audit::record(
        conn,
        &Entry {
            admin,
            action,
            target_kind: TargetKind::Category,
            target_id: i64::from(id),
            target_label: label,
            reason,
        },
    )?;
    announce(conn)
}

fn slug_taken(
    conn: &mut PgConnection,
    section: i16,
    slug: &str,
    except: Option<i32>,
) -> QueryResult<bool> {
    let mut query = categories::table
        .filter(categories::section_id.eq(section))
        .filter(categories::slug.eq(slug))
        .select(categories::id)
        .into_boxed();
    if let Some(id) = except {
        query = query.filter(categories::id.ne(id));
    }
    Ok(query.first::<i32>(conn).optional()?.is_some())
}

/// Adds a category at the end of its section; returns its id.
pub fn create(
    conn: &mut PgConnection,
    admin: UserId,
    section_slug: &str,
    draft: &CategoryDraft,
) -> QueryResult<Result<i32, Refused>> {
    conn.transaction(|conn| {
        let section: Option<i16> = sections::table
            .filter(sections::slug.eq(section_slug))
            .select(sections::id)
            .first(conn)
            .optional()?;
        let Some(section) = section else {
            return Ok(Err(Refused::NotFound));
        };
        if slug_taken(conn, section, &draft.slug, None)? {
            return Ok(Err(Refused::SlugTaken));
        }
        let last: Option<i16> = categories::table
            .filter(categories::section_id.eq(section))
            .select(diesel::dsl::max(categories::position))
            .first(conn)?;
        let id: i32 = diesel::insert_into(categories::table)
            .values((
                categories::section_id.eq(section),
                categories::slug.eq(&draft.slug),
                categories::name.eq(&draft.name),
                categories::position.eq(last.unwrap_or(0) + 1),
                categories::attributes.eq(serde_json::to_value(&draft.attributes)
                    .unwrap_or_else(|_| serde_json::json!([]))),
                categories::allows_free.eq(draft.allows_free),
                categories::price_kind.eq(draft.price_kind),
            ))
            .returning(categories::id)
            .get_result(conn)?;
        record(conn, admin, AuditAction::AddCategory, id, &draft.name, "")?;
        Ok(Ok(id))
    })
}

/// Renames a category, changes its address, whether it allows "free", and its attributes.
/// Listings keep the details they have; forms ask for the new ones from now on.
pub fn update(
    conn: &mut PgConnection,
    admin: UserId,
    id: i32,
    draft: &CategoryDraft,
) -> QueryResult<Result<(), Refused>> {
    conn.transaction(|conn| {
        let section: Option<i16> = categories::table
            .find(id)
            .select(categories::section_id)
            .for_update()
            .first(conn)
            .optional()?;
        let Some(section) = section else {
            return Ok(Err(Refused::NotFound));
        };
        if slug_taken(conn, section, &draft.slug, Some(id))? {
            return Ok(Err(Refused::SlugTaken));
        }
        diesel::update(categories::table.find(id))
            .set((
                categories::slug.eq(&draft.slug),
                categories::name.eq(&draft.name),
                categories::allows_free.eq(draft.allows_free),
                categories::price_kind.eq(draft.price_kind),
                categories::attributes.eq(serde_json::to_value(&draft.attributes)
                    .unwrap_or_else(|_| serde_json::json!([]))),
            ))
            .execute(conn)?;
        record(conn, admin, AuditAction::EditCategory, id, &draft.name, "")?;
        Ok(Ok(()))
    })
}

/// Moves a category one place up (`true`) or down within its section.
pub fn move_category(
    conn: &mut PgConnection,
    admin: UserId,
    id: i32,
    up: bool,
) -> QueryResult<Result<(), Refused>> {
    conn.transaction(|conn| {
        // The whole section, in order, locked: positions are renumbered 1, 2, 3, …
        let found: Option<i16> = categories::table
            .find(id)
            .select(categories::section_id)
            .first(conn)
            .optional()?;
        let Some(section) = found else {
            return Ok(Err(Refused::NotFound));
        };
        let mut order: Vec<(i32, String)> = categories::table
            .filter(categories::section_id.eq(section))
            .order((categories::position, categories::id))
            .select((categories::id, categories::name))
            .for_update()
            .load(conn)?;
        let at = order
            .iter()
            .position(|(c, _)| *c == id)
            .expect("in its section");
        let to = if up { at.checked_sub(1) } else { Some(at + 1) };
        let Some(to) = to.filter(|to| *to < order.len()) else {
            return Ok(Err(Refused::Already));
        };
        order.swap(at, to);
        for (position, (category, _)) in order.iter().enumerate() {
            diesel::update(categories::table.find(*category))
                .set(categories::position.eq(position as i16 + 1))
                .execute(conn)?;
        }
        let name = order[to].1.clone();
        record(
            conn,
            admin,
            AuditAction::EditCategory,
            id,
            &name,
            if up { "moved up" } else { "moved down" },
        )?;
        Ok(Ok(()))
    })
}

/// Retires a category (`true`) or brings it back.
pub fn set_retired(
    conn: &mut PgConnection,
    admin: UserId,
    id: i32,
    retired: bool,
    reason: &str,
) -> QueryResult<Result<(), Refused>> {
    conn.transaction(|conn| {
        let found: Option<(i16, String, Option<chrono::DateTime<chrono::Utc>>)> = categories::table
            .find(id)
            .select((
                categories::section_id,
                categories::name,
                categories::retired_at,
            ))
            .for_update()
            .first(conn)
            .optional()?;
        let Some((section, name, retired_at)) = found else {
            return Ok(Err(Refused::NotFound));
        };
        if retired_at.is_some() == retired {
            return Ok(Err(Refused::Already));
        }
        if retired {
            // Others of the section that take listings, locked so two retirements at once
            // cannot leave none.
            let others: Vec<i32> = categories::table
                .filter(categories::section_id.eq(section))
                .filter(categories::id.ne(id))
                .filter(categories::retired_at.is_null())
                .select(categories::id)
                .for_update()
                .load(conn)?;
            if others.is_empty() {
                return Ok(Err(Refused::LastInSection));
            }
        }
        diesel::update(categories::table.find(id))
            .set(categories::retired_at.eq(if retired {
                Some(chrono::Utc::now())
            } else {
                None
            }))
            .execute(conn)?;
        let action = if retired {
            AuditAction::RetireCategory
        } else {
            AuditAction::EditCategory
        };
        let why = if retired {
            reason.to_owned()
        } else {
            format!("brought back. {reason}").trim().to_owned()
        };
        record(conn, admin, action, id, &name, &why)?;
        Ok(Ok(()))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_category_needs_a_name_and_well_formed_attributes() {
        let ok = CategoryDraft::parse(
            " Kayaks & canoes ",
            "",
            false,
            "",
            r#"[{"key": "length_ft", "label": "Length (ft)", "type": "int", "min": 1, "max": 40}]"#,
        )
        .unwrap();
        assert_eq!(ok.name, "Kayaks & canoes");
        assert_eq!(ok.slug, "kayaks-canoes");
        assert_eq!(ok.attributes.len(), 1);

        let errors = CategoryDraft::parse("", "", false, "", "not json").unwrap_err();
        assert!(errors.get("name").is_some());
        assert!(errors.get("attributes").is_some());
        for bad in [
            r#"[{"key": "Bad Key", "label": "x", "type": "bool"}]"#,
            r#"[{"key": "a", "label": "x", "type": "bool"}, {"key": "a", "label": "y", "type": "bool"}]"#,
            r#"[{"key": "a", "label": "", "type": "bool"}]"#,
            r#"[{"key": "a", "label": "A", "type": "int", "min": 5, "max": 1}]"#,
            r#"[{"key": "a", "label": "A", "type": "enum", "options": []}]"#,
            r#"[{"key": "a", "label": "A", "type": "colour"}]"#,
        ] {
            assert!(
                CategoryDraft::parse("Boats", "", false, "", bad)
                    .unwrap_err()
                    .get("attributes")
                    .is_some(),
                "{bad}"
            );
        }
        assert!(
            CategoryDraft::parse("Boats", "Not A Slug!", false, "", "")
                .unwrap_err()
                .get("slug")
                .is_some()
        );
    }
}
