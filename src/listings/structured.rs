//! A listing page's structured data (schema.org as JSON-LD), chosen by what its category's
//! price means: a `Product` with its `Offer`, an `Offer` of an `Accommodation`, a
//! `JobPosting`, an `Event`, a `Service`. Google's Rich Results rules are the bar: no `Offer`
//! without a price, no `Product` without an `Offer`, no `JobPosting` or `Event` without what
//! they require (a job without pay still is one; an event needs its start).

use serde_json::{Map, Value, json};

use super::models::{Category, Listing, ListingStatus};
use super::terms::{PriceKind, PriceUnit};
use crate::places::Place;

/// What the structured data says beyond the listing.
pub struct Facts<'a> {
    pub listing: &'a Listing,
    pub category: &'a Category,
    /// The listing's absolute address.
    pub url: &'a str,
    /// Absolute addresses of its photos that others may keep.
    pub images: Vec<String>,
    pub seller_name: &'a str,
    pub seller_url: String,
    pub place: &'a Place,
    pub status: ListingStatus,
}

/// The JSON-LD for the page, ready to go inside `<script type="application/ld+json">` (no
/// `<` in it), or nothing when the listing's category has no type that fits.
pub fn json_ld(facts: &Facts<'_>) -> Option<String> {
    let value = match facts.category.price_kind {
        PriceKind::Item | PriceKind::Free => product(facts),
        PriceKind::Rent | PriceKind::Property => accommodation_offer(facts),
        PriceKind::Pay => Some(job_posting(facts)),
        PriceKind::Event => event(facts),
        PriceKind::Rate => Some(service(facts)),
        PriceKind::NoPrice => None,
    }?;
    // `</script>` cannot appear inside the element: escape every `<`.
    Some(value.to_string().replace('<', "\\u003c"))
}

fn address(place: &Place) -> Value {
    json!({
        "@type": "PostalAddress",
        "addressLocality": place.city,
        "addressRegion": place.state,
        "postalCode": place.zip,
        "addressCountry": "US",
    })
}

fn area(place: &Place) -> Value {
    json!({ "@type": "Place", "name": place.label(), "address": address(place) })
}

fn seller(facts: &Facts<'_>) -> Value {
    json!({ "@type": "Person", "name": facts.seller_name, "url": facts.seller_url })
}

/// "12.50": schema.org wants a number without a currency sign.
fn amount(cents: i64) -> Value {
    if cents % 100 == 0 {
        json!(cents / 100)
    } else {
        json!(format!("{}.{:02}", cents / 100, cents % 100))
    }
}

/// The price as an offer's fields, when it has one ("free" is a price of 0).
fn price_of(listing: &Listing) -> Option<(Value, Option<PriceUnit>)> {
    if listing.is_free {
        return Some((json!(0), None));
    }
    listing.price_cents.map(|c| (amount(c), listing.price_unit))
}

fn availability(status: ListingStatus) -> &'static str {
    match status {
        ListingStatus::Active => "https://schema.org/InStock",
        ListingStatus::Pending => "https://schema.org/LimitedAvailability",
        ListingStatus::Sold => "https://schema.org/SoldOut",
        _ => "https://schema.org/Discontinued",
    }
}

fn offer(facts: &Facts<'_>) -> Option<Map<String, Value>> {
    let (price, unit) = price_of(facts.listing)?;
    let mut offer = Map::new();
    offer.insert("@type".into(), json!("Offer"));
    offer.insert("price".into(), price.clone());
    offer.insert("priceCurrency".into(), json!("USD"));
    if let Some(code) = unit.and_then(PriceUnit::unit_code) {
        offer.insert(
            "priceSpecification".into(),
            json!({
                "@type": "UnitPriceSpecification",
                "price": price,
                "priceCurrency": "USD",
                "unitCode": code,
            }),
        );
    }
    offer.insert("availability".into(), json!(availability(facts.status)));
    offer.insert(
        "priceValidUntil".into(),
        json!(facts.listing.expires_at.format("%Y-%m-%d").to_string()),
    );
    offer.insert("url".into(), json!(facts.url));
    offer.insert("seller".into(), seller(facts));
    offer.insert("areaServed".into(), area(facts.place));
    Some(offer)
}

/// The condition attribute as schema.org's `OfferItemCondition`.
fn condition(listing: &Listing) -> Option<&'static str> {
    match listing.attributes.get("condition")?.as_str()? {
        "new" => Some("https://schema.org/NewCondition"),
        "for parts" => Some("https://schema.org/DamagedCondition"),
        _ => Some("https://schema.org/UsedCondition"),
    }
}

fn product(facts: &Facts<'_>) -> Option<Value> {
    let mut offer = offer(facts)?;
    if let Some(condition) = condition(facts.listing) {
        offer.insert("itemCondition".into(), json!(condition));
    }
    let mut product = json!({
        "@context": "https://schema.org",
        "@type": "Product",
        "name": facts.listing.title,
        "description": facts.listing.body,
        "url": facts.url,
        "category": facts.category.name,
        "offers": Value::Object(offer),
    });
    if !facts.images.is_empty() {
        product["image"] = json!(facts.images);
    }
    Some(product)
}

fn accommodation_offer(facts: &Facts<'_>) -> Option<Value> {
    let mut offer = offer(facts)?;
    let attrs = &facts.listing.attributes;
    let kind = match facts.category.slug.as_str() {
        "apartments" | "sublets" => "Apartment",
        "rooms" => "Room",
        _ => "Accommodation",
    };
    let mut place = json!({
        "@type": kind,
        "name": facts.listing.title,
        "description": facts.listing.body,
        "address": address(facts.place),
    });
    if let Some(rooms) = attrs.get("bedrooms").and_then(Value::as_i64) {
        place["numberOfBedrooms"] = json!(rooms);
    }
    if let Some(baths) = attrs.get("bathrooms").and_then(Value::as_f64) {
        place["numberOfBathroomsTotal"] = json!(baths);
    }
    if let Some(sqft) = attrs.get("sqft").and_then(Value::as_i64) {
        place["floorSize"] =
            json!({ "@type": "QuantitativeValue", "value": sqft, "unitCode": "FTK" });
    }
    let pets = ["cats_ok", "dogs_ok"]
        .iter()
        .any(|k| attrs.get(*k).and_then(Value::as_bool) == Some(true));
    if attrs.get("cats_ok").is_some() || attrs.get("dogs_ok").is_some() {
        place["petsAllowed"] = json!(pets);
    }
    if !facts.images.is_empty() {
        place["image"] = json!(facts.images);
    }
    offer.insert("@context".into(), json!("https://schema.org"));
    offer.insert("name".into(), json!(facts.listing.title));
    offer.insert(
        "businessFunction".into(),
        json!(if facts.category.price_kind == PriceKind::Rent {
            "http://purl.org/goodrelations/v1#LeaseOut"
        } else {
            "http://purl.org/goodrelations/v1#Sell"
        }),
    );
    offer.insert("itemOffered".into(), place);
    Some(Value::Object(offer))
}

fn job_posting(facts: &Facts<'_>) -> Value {
    let listing = facts.listing;
    let mut job = json!({
        "@context": "https://schema.org",
        "@type": "JobPosting",
        "title": listing.title,
        "description": listing.body,
        "datePosted": listing.created_at.to_rfc3339(),
        "validThrough": listing.expires_at.to_rfc3339(),
        "url": facts.url,
        "hiringOrganization": {
            "@type": "Organization",
            "name": facts.seller_name,
            "sameAs": facts.seller_url,
        },
        "jobLocation": { "@type": "Place", "address": address(facts.place) },
        "directApply": false,
    });
    let attr = |key: &str| listing.attributes.get(key).and_then(Value::as_str);
    if let Some(kind) = attr("employment_type") {
        job["employmentType"] = json!(match kind {
            "full-time" => "FULL_TIME",
            "part-time" => "PART_TIME",
            "contract" => "CONTRACTOR",
            "temporary" => "TEMPORARY",
            "internship" => "INTERN",
            _ => "OTHER",
        });
    }
    if attr("remote") == Some("remote") {
        job["jobLocationType"] = json!("TELECOMMUTE");
        job["applicantLocationRequirements"] = json!({ "@type": "Country", "name": "USA" });
    }
    if let (Some(low), Some(unit)) = (listing.price_cents, listing.price_unit) {
        let mut value = json!({ "@type": "QuantitativeValue", "unitText": unit.salary_unit() });
        match listing.price_max_cents.filter(|high| *high > low) {
            Some(high) => {
                value["minValue"] = amount(low);
                value["maxValue"] = amount(high);
            }
            None => value["value"] = amount(low),
        }
        job["baseSalary"] = json!({ "@type": "MonetaryAmount", "currency": "USD", "value": value });
    }
    job
}

fn event(facts: &Facts<'_>) -> Option<Value> {
    let listing = facts.listing;
    let starts = listing.starts_at?;
    let mut event = json!({
        "@context": "https://schema.org",
        "@type": "Event",
        "name": listing.title,
        "description": listing.body,
        "startDate": starts.format("%Y-%m-%dT%H:%M").to_string(),
        "eventStatus": "https://schema.org/EventScheduled",
        "eventAttendanceMode": "https://schema.org/OfflineEventAttendanceMode",
        "location": area(facts.place),
        "organizer": seller(facts),
        "url": facts.url,
    });
    if let Some(ends) = listing.ends_at {
        event["endDate"] = json!(ends.format("%Y-%m-%dT%H:%M").to_string());
    }
    if !facts.images.is_empty() {
        event["image"] = json!(facts.images);
    }
    if let Some(mut offer) = offer(facts) {
        offer.remove("seller");
        offer.remove("areaServed");
        offer.insert("validFrom".into(), json!(listing.created_at.to_rfc3339()));
        event["offers"] = Value::Object(offer);
    }
    Some(event)
}

fn service(facts: &Facts<'_>) -> Value {
    let mut service = json!({
        "@context": "https://schema.org",
        "@type": "Service",
        "name": facts.listing.title,
        "description": facts.listing.body,
        "serviceType": facts.category.name,
        "url": facts.url,
        "provider": seller(facts),
        "areaServed": area(facts.place),
    });
    if !facts.images.is_empty() {
        service["image"] = json!(facts.images);
    }
    if let Some(mut offer) = offer(facts) {
        offer.remove("areaServed");
        service["offers"] = Value::Object(offer);
    }
    service
}
