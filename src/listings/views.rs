use askama::Template;
use askama_web::WebTemplate;

use super::domain::{AttributeDef, AttributeKind, BodyPart, ListingForm};
use super::models::{Category, ListingStatus, Section};
use super::photos::PhotoView;
use super::terms::PriceKind;
use crate::db::ids::ListingId;
use crate::moderation::domain::FlagReason;
use crate::moderation::queries::MyFlag;
use crate::web::{ErrorLink, FieldErrors, PageContext};

/// A listing in a list or grid.
#[derive(Debug, Clone)]
pub struct CardView {
    pub path: String,
    pub title: String,
    pub price: Option<String>,
    /// An event's start ("Sat, Dec 5 · 7:30 PM").
    pub when: Option<String>,
    pub place: String,
    pub thumb_url: Option<String>,
    pub photo_count: i16,
    pub posted: String,
    pub posted_exact: String,
    pub pending: bool,
    /// The category's name.
    pub category: String,
    /// From the visitor's area ("4 mi"), when they chose one.
    pub distance: Option<String>,
}

/// A category with its number of public listings, for the front page and section pages.
#[derive(Debug, Clone)]
pub struct CategoryLink {
    pub section_slug: String,
    pub slug: String,
    pub name: String,
    pub count: i64,
}

#[derive(Debug, Clone)]
pub struct SectionTree {
    pub slug: String,
    pub name: String,
    pub categories: Vec<CategoryLink>,
}

#[derive(Template, WebTemplate)]
#[template(path = "listings/choose_category.html")]
pub struct ChooseCategoryPage {
    pub ctx: PageContext,
    pub tree: Vec<(Section, Vec<Category>)>,
}

/// One attribute field of the form, with what was typed and its error.
#[derive(Debug, Clone)]
pub struct AttributeField {
    pub def: AttributeDef,
    pub value: String,
    pub error: Option<String>,
}

impl AttributeField {
    pub fn build(defs: &[AttributeDef], form: &ListingForm, errors: &FieldErrors) -> Vec<Self> {
        defs.iter()
            .map(|def| Self {
                value: form.attribute(def).to_owned(),
                error: errors.get(&def.field_name()).map(str::to_owned),
                def: def.clone(),
            })
            .collect()
    }

    pub fn name(&self) -> String {
        self.def.field_name()
    }

    pub fn id(&self) -> String {
        self.def.field_name().replace('_', "-")
    }

    /// "select", "number" or "text": how the template renders it.
    pub fn widget(&self) -> &'static str {
        match self.def.kind {
            AttributeKind::Bool | AttributeKind::Enum { .. } => "select",
            AttributeKind::Int { .. } | AttributeKind::Number { .. } => "number",
            AttributeKind::Text { .. } => "text",
        }
    }

    /// The choices of a select: (value, label).
    pub fn options(&self) -> Vec<(String, String)> {
        match &self.def.kind {
            AttributeKind::Bool => vec![("yes".into(), "Yes".into()), ("no".into(), "No".into())],
            AttributeKind::Enum { options } => options
                .iter()
                .map(|o| (o.clone(), super::domain::capitalise(o)))
                .collect(),
            _ => Vec::new(),
        }
    }

    pub fn step(&self) -> &'static str {
        match self.def.kind {
            AttributeKind::Number { .. } => "0.5",
            _ => "1",
        }
    }
}

/// The form to post or edit a listing.
#[derive(Template, WebTemplate)]
#[template(path = "listings/form.html")]
pub struct ListingFormPage {
    pub ctx: PageContext,
    /// `None` for a new listing.
    pub listing_id: Option<ListingId>,
    pub action: String,
    pub section: Section,
    pub category: Category,
    pub form: ListingForm,
    pub attributes: Vec<AttributeField>,
    pub errors: FieldErrors,
    /// Photos already accepted: the listing's, or pending uploads kept while the form is fixed.
    pub photos: Vec<PhotoView>,
    pub max_photos: usize,
}

impl ListingFormPage {
    pub fn is_new(&self) -> bool {
        self.listing_id.is_none()
    }

    /// The price field's hint for this category.
    pub fn price_hint(&self) -> &'static str {
        self.category
            .price_kind
            .price_hint(self.category.allows_free)
    }

    /// The units this category's price may be per, each with whether it is chosen.
    pub fn unit_options(&self) -> Vec<(&'static str, &'static str, bool)> {
        let units = self.category.price_kind.units();
        units
            .iter()
            .enumerate()
            .map(|(i, unit)| {
                let chosen = if self.form.price_unit.is_empty() {
                    i == 0 && self.category.price_kind != crate::listings::terms::PriceKind::Pay
                } else {
                    self.form.price_unit == unit.as_str()
                };
                (unit.as_str(), unit.label(), chosen)
            })
            .collect()
    }

    pub fn room_for_photos(&self) -> usize {
        self.max_photos.saturating_sub(self.photos.len())
    }

    pub fn photo_id(&self, photo: &PhotoView) -> String {
        photo.id.to_string()
    }

    /// The error summary's lines, in the order of the form, each linking to its field.
    pub fn error_links(&self) -> Vec<ErrorLink> {
        let link = |id: &str, label: &str, field: &str| {
            self.errors.get(field).map(|message| ErrorLink {
                href: format!("#{id}"),
                label: label.to_owned(),
                message: message.to_owned(),
            })
        };
        let kind = self.category.price_kind;
        let mut links: Vec<ErrorLink> = [
            ("title", "Title", "title"),
            ("body", "Description", "body"),
            ("starts_at", "Starts", "starts_at"),
            ("ends_at", "Ends", "ends_at"),
            ("price", kind.price_label(), "price"),
            ("price_max", "Pay up to (USD)", "price_max"),
            ("price_unit", "Per", "price_unit"),
            ("zip", "ZIP code", "zip"),
        ]
        .into_iter()
        .filter_map(|(id, label, field)| link(id, label, field))
        .collect();
        for field in &self.attributes {
            links.extend(link(&field.id(), &field.def.label, &field.name()));
        }
        let photos = if self.room_for_photos() > 0 {
            "photos"
        } else {
            "photos-error"
        };
        links.extend(link(photos, "Photos", "photos"));
        links
    }
}

/// An attribute as the listing page shows it.
#[derive(Debug, Clone)]
pub struct AttributeRow {
    pub label: String,
    pub value: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "listings/show.html")]
pub struct ListingPage {
    pub ctx: PageContext,
    pub id: ListingId,
    pub path: String,
    pub title: String,
    pub body: Vec<BodyPart>,
    pub summary: String,
    /// "$1,200 / month", "$22–$30 / hour", "Free".
    pub price: Option<String>,
    /// An event's date and time, as read and as `datetime`.
    pub when: Option<String>,
    pub when_iso: Option<String>,
    /// The page's schema.org data (see `structured`).
    pub json_ld: Option<String>,
    pub attributes: Vec<AttributeRow>,
    pub place: String,
    /// The area on the map: its ZIP's centre, rounded (never the listing's own point).
    pub map: AreaMap,
    /// From the visitor's area ("4 mi"), when they chose one.
    pub distance: Option<String>,
    pub section: Section,
    pub category: Category,
    pub posted: String,
    pub posted_exact: String,
    pub posted_iso: String,
    pub updated: Option<String>,
    pub updated_exact: String,
    pub seller_name: String,
    pub seller_username: String,
    /// As visitors see it (an active listing past its expiry is expired).
    pub status: ListingStatus,
    pub photos: Vec<PhotoView>,
    pub is_owner: bool,
    /// `Some(saved?)` for a logged-in visitor who is not the owner.
    pub favorite: Option<bool>,
    pub can_renew: bool,
    /// Whether the page offers to write to the seller (a listing that is up, not one's own).
    pub contactable: bool,
    pub renew_after: Option<String>,
    /// The owner deleted it recently enough to bring it back.
    pub can_restore: bool,
    /// Held or removed by the moderators: the owner can edit it but not change its state.
    pub moderated: bool,
    /// For the owner: the moderators' reason for their latest decision, and the appeal
    /// against the current one.
    pub moderation: Option<OwnerModeration>,
    /// For a logged-in member who is not the owner: their flag on it, if any (`None` inside:
    /// not flagged, so the page offers the flag form).
    pub flag: Option<Option<MyFlag>>,
    pub absolute_url: String,
    pub image_url: Option<String>,
    /// The seller's other public listings, newest first, and public listings in the same
    /// category nearby, those sharing the title's words first.
    pub related: std::sync::Arc<super::related::RelatedCards>,
}

impl ListingPage {
    /// Whether the public sees it (and so whether sharing it makes sense).
    pub fn is_listed(&self) -> bool {
        ListingStatus::LISTED.contains(&self.status)
    }

    /// The listing's address to share (its number and slug, on the public site).
    pub fn share_url(&self) -> String {
        format!("{}{}", self.ctx.site.public_url, self.path)
    }

    /// Plain links that share the listing: e-mail and the big networks' own share pages (no
    /// script of theirs runs here).
    pub fn share_links(&self) -> Vec<(&'static str, String)> {
        let enc =
            |text: &str| url::form_urlencoded::byte_serialize(text.as_bytes()).collect::<String>();
        let (url, title) = (self.share_url(), self.title.clone());
        vec![
            (
                "E-mail",
                format!("mailto:?subject={}&body={}", enc(&title), enc(&url)),
            ),
            (
                "WhatsApp",
                format!("https://wa.me/?text={}", enc(&format!("{title} {url}"))),
            ),
            (
                "Facebook",
                format!("https://www.facebook.com/sharer/sharer.php?u={}", enc(&url)),
            ),
            (
                "X",
                format!(
                    "https://x.com/intent/post?text={}&url={}",
                    enc(&title),
                    enc(&url)
                ),
            ),
        ]
    }

    pub fn status_label(&self) -> &'static str {
        status_label(self.status)
    }
}

/// What the owner of a listing sees of the moderators' decision on it.
#[derive(Debug, Clone)]
pub struct OwnerModeration {
    pub reason: String,
    /// The owner's appeal against the current hold or removal, and what became of it.
    pub appeal: Option<(String, Option<String>)>,
    /// Held or removed, and not appealed yet.
    pub can_appeal: bool,
}

/// A status as people read it.
pub fn status_label(status: ListingStatus) -> &'static str {
    match status {
        ListingStatus::Active => "Active",
        ListingStatus::Pending => "Sale pending",
        ListingStatus::Sold => "Sold",
        ListingStatus::Expired => "Expired",
        ListingStatus::Deleted => "Deleted",
        ListingStatus::Held => "Held for review",
        ListingStatus::Removed => "Removed by moderators",
    }
}

/// A status tab of the seller's dashboard.
#[derive(Debug, Clone)]
pub struct DashboardTab {
    pub url: String,
    pub label: &'static str,
    pub count: i64,
    pub current: bool,
}

/// One of the member's listings on their dashboard, with what they can do to it.
#[derive(Debug, Clone)]
pub struct MyListing {
    pub id: ListingId,
    pub path: String,
    pub title: String,
    /// As visitors see it (an active listing past its expiry is expired).
    pub status: ListingStatus,
    pub price: Option<String>,
    pub thumb_url: Option<String>,
    pub posted: String,
    pub posted_exact: String,
    /// "Expires in 5 days", "Expired", or nothing (sold, deleted, hidden).
    pub expiry: Option<String>,
    pub expires_exact: String,
    pub expires_soon: bool,
    pub views: i64,
    pub saves: i64,
    pub conversations: i64,
    pub can_change_status: bool,
    pub can_renew: bool,
    /// "in 20 hours": when it may be renewed, if not yet.
    pub renew_after: Option<String>,
    pub can_delete: bool,
    pub can_restore: bool,
    pub moderated: bool,
    /// This dashboard page, form-encoded, for the actions to come back to.
    pub next: String,
}

/// `/my/listings`
#[derive(Template, WebTemplate)]
#[template(path = "listings/dashboard.html")]
pub struct DashboardPage {
    pub ctx: PageContext,
    pub tabs: Vec<DashboardTab>,
    pub filter_label: &'static str,
    pub listings: Vec<MyListing>,
    pub empty: bool,
    pub page: i64,
    pub previous_page: Option<String>,
    pub next_page: Option<String>,
}

impl MyListing {
    pub fn status_label(&self) -> &'static str {
        status_label(self.status)
    }
}

/// Where a listing is, as its page's map shows it: a circle around its ZIP's centre.
#[derive(Debug, Clone)]
pub struct AreaMap {
    pub zip: String,
    /// The centre, rounded to two decimals (about half a mile).
    pub latitude: String,
    pub longitude: String,
    /// The circle's radius.
    pub radius_metres: u32,
}

impl AreaMap {
    pub fn new(zip: &str, latitude: f64, longitude: f64) -> Self {
        Self {
            zip: zip.to_owned(),
            latitude: format!("{latitude:.2}"),
            longitude: format!("{longitude:.2}"),
            radius_metres: 1_609,
        }
    }

    /// The same area on OpenStreetMap: the page's link without JavaScript.
    pub fn osm_url(&self) -> String {
        format!(
            "https://www.openstreetmap.org/#map=13/{}/{}",
            self.latitude, self.longitude
        )
    }
}
