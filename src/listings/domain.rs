//! Listing input, parsed into valid values: title, body, price, ZIP and the category's typed
//! attributes. Every field error is collected so the form shows them all at once.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::web::FieldErrors;
use crate::web::text::{refuse_control_characters, refuse_control_characters_in_lines};

pub const MAX_TITLE_CHARS: usize = 100;
pub const MAX_BODY_CHARS: usize = 10_000;
/// $100,000,000.
pub const MAX_PRICE_CENTS: i64 = 10_000_000_000;

/// One attribute a category asks for, as declared in `categories.attributes`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AttributeDef {
    pub key: String,
    pub label: String,
    #[serde(flatten)]
    pub kind: AttributeKind,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "lowercase")]
pub enum AttributeKind {
    Int {
        min: i64,
        max: i64,
        #[serde(default)]
        format: NumberFormat,
    },
    Number {
        min: f64,
        max: f64,
        #[serde(default)]
        format: NumberFormat,
    },
    Bool,
    Enum {
        options: Vec<String>,
    },
    Text {
        max: usize,
    },
}

/// What a number attribute counts, which says how it reads: a model year is "2005", never
/// "2,005"; a floor area is "1,250"; a wage is "$18".
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum NumberFormat {
    /// A calendar year: digits as they are.
    Year,
    /// A small count (bedrooms, seats): as it is.
    Count,
    /// A measure (square feet, miles): thousands grouped.
    #[default]
    Measure,
    /// Dollars: thousands grouped, with the sign.
    Money,
}

impl NumberFormat {
    /// `n` as this kind of number reads.
    pub fn show(self, n: f64) -> String {
        let whole = n.fract() == 0.0 && n.abs() < 1e15;
        match self {
            Self::Year | Self::Count if whole => format!("{}", n as i64),
            Self::Year | Self::Count => format!("{n}"),
            Self::Measure if whole => group_thousands(n as i64),
            Self::Measure => format!("{n}"),
            Self::Money => format_price((n * 100.0).round() as i64),
        }
    }
}

impl AttributeDef {
    /// The form field carrying this attribute.
    pub fn field_name(&self) -> String {
        format!("attr_{}", self.key)
    }

    /// Parses the submitted text; `Ok(None)` when left blank (every attribute is optional).
    pub fn parse(&self, input: &str) -> Result<Option<Value>, String> {
        let input = input.trim();
        if input.is_empty() {
            return Ok(None);
        }
        match &self.kind {
            AttributeKind::Int { min, max, .. } => {
                let n: i64 = input
                    .replace(',', "")
                    .parse()
                    .map_err(|_| "Enter a whole number.".to_owned())?;
                if n < *min || n > *max {
                    return Err(format!("Enter a number from {min} to {max}."));
                }
                Ok(Some(Value::from(n)))
            }
            AttributeKind::Number { min, max, .. } => {
                let n: f64 = input.parse().map_err(|_| "Enter a number.".to_owned())?;
                if !n.is_finite() || n < *min || n > *max {
                    return Err(format!("Enter a number from {min} to {max}."));
                }
                Ok(Some(Value::from(n)))
            }
            AttributeKind::Bool => match input {
                "yes" | "on" | "true" => Ok(Some(Value::Bool(true))),
                "no" | "off" | "false" => Ok(Some(Value::Bool(false))),
                _ => Err("Choose yes or no.".into()),
            },
            AttributeKind::Enum { options } => options
                .iter()
                .find(|o| o.as_str() == input)
                .map(|o| Some(Value::from(o.clone())))
                .ok_or_else(|| "Choose one of the options.".to_owned()),
            AttributeKind::Text { max } => {
                if input.chars().count() > *max {
                    return Err(format!("Use at most {max} characters."));
                }
                refuse_control_characters(input)?;
                Ok(Some(Value::from(input)))
            }
        }
    }

    /// How a stored value reads on the listing page.
    pub fn display(&self, value: &Value) -> String {
        match (&self.kind, value) {
            (AttributeKind::Bool, Value::Bool(true)) => "Yes".into(),
            (AttributeKind::Bool, Value::Bool(false)) => "No".into(),
            (
                AttributeKind::Int { format, .. } | AttributeKind::Number { format, .. },
                Value::Number(n),
            ) => n.as_f64().map_or_else(|| n.to_string(), |n| format.show(n)),
            (AttributeKind::Enum { .. }, Value::String(s)) => capitalise(s),
            (_, Value::String(s)) => s.clone(),
            (_, other) => other.to_string(),
        }
    }
}

pub fn capitalise(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().collect::<String>() + chars.as_str(),
        None => String::new(),
    }
}

/// Validates the attribute fields of a form against a category's definitions. Unknown
/// fields are ignored; values are stored by key.
pub fn parse_attributes(
    defs: &[AttributeDef],
    form: &BTreeMap<String, String>,
    errors: &mut FieldErrors,
) -> Map<String, Value> {
    let mut values = Map::new();
    for def in defs {
        let raw = form.get(&def.field_name()).map_or("", String::as_str);
        match def.parse(raw) {
            Ok(Some(value)) => {
                values.insert(def.key.clone(), value);
            }
            Ok(None) => {}
            Err(message) => errors.add(def.field_name(), message),
        }
    }
    values
}

/// The price as entered: blank (none), "free" (where allowed) or an amount in dollars.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Price {
    None,
    Free,
    Cents(i64),
}

impl Price {
    pub fn parse(input: &str, allows_free: bool) -> Result<Self, String> {
        let text = input.trim().to_ascii_lowercase();
        if text.is_empty() {
            return Ok(Self::None);
        }
        if text == "free" || text == "0" || text == "$0" {
            return if allows_free {
                Ok(Self::Free)
            } else if text == "free" {
                Err("\"Free\" is only for the free stuff category. Enter a price or leave it blank.".into())
            } else {
                Ok(Self::Cents(0))
            };
        }
        let digits = text.trim_start_matches('$').replace(',', "");
        if digits.starts_with('-') {
            return Err("A price cannot be negative.".into());
        }
        let invalid = || "Enter a price like 25 or 1,200.50.".to_owned();
        let (whole, fraction) = match digits.split_once('.') {
            Some((w, f)) => (w, f),
            None => (digits.as_str(), ""),
        };
        if whole.is_empty() && fraction.is_empty()
            || !whole.bytes().all(|b| b.is_ascii_digit())
            || !fraction.bytes().all(|b| b.is_ascii_digit())
            || fraction.len() > 2
            || whole.len() > 12
        {
            return Err(invalid());
        }
        let dollars: i64 = if whole.is_empty() {
            0
        } else {
            whole.parse().map_err(|_| invalid())?
        };
        let cents: i64 = match fraction.len() {
            0 => 0,
            1 => fraction.parse::<i64>().map_err(|_| invalid())? * 10,
            _ => fraction.parse().map_err(|_| invalid())?,
        };
        let total = dollars
            .checked_mul(100)
            .and_then(|c| c.checked_add(cents))
            .ok_or_else(invalid)?;
        if total > MAX_PRICE_CENTS {
            return Err("Enter a price of at most $100,000,000.".into());
        }
        if total == 0 && allows_free {
            return Ok(Self::Free);
        }
        Ok(Self::Cents(total))
    }

    pub fn cents(self) -> Option<i64> {
        match self {
            Self::Cents(c) => Some(c),
            _ => None,
        }
    }

    pub fn is_free(self) -> bool {
        self == Self::Free
    }
}

/// "$1,200" or "$1,200.50".
/// An amount of US dollars, kept as whole cents (never a float), shown as "$1,200" or
/// "$99.50".
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Money(i64);

impl Money {
    pub const fn from_cents(cents: i64) -> Self {
        Self(cents)
    }

    pub const fn cents(self) -> i64 {
        self.0
    }
}

impl std::fmt::Display for Money {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let dollars = group_thousands(self.0 / 100);
        match self.0 % 100 {
            0 => write!(f, "${dollars}"),
            c => write!(f, "${dollars}.{:02}", c.abs()),
        }
    }
}

/// `cents` as money reads: "$1,200", "$99.50".
pub fn format_price(cents: i64) -> String {
    Money::from_cents(cents).to_string()
}

/// "1,234,567"
pub fn group_thousands(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    if n < 0 { format!("-{out}") } else { out }
}

pub fn parse_title(input: &str) -> Result<String, String> {
    let title = input.split_whitespace().collect::<Vec<_>>().join(" ");
    if title.is_empty() {
        return Err("Give your listing a title.".into());
    }
    if title.chars().count() > MAX_TITLE_CHARS {
        return Err(format!("Use at most {MAX_TITLE_CHARS} characters."));
    }
    refuse_control_characters(&title)?;
    Ok(title)
}

pub fn parse_body(input: &str) -> Result<String, String> {
    let body = input.replace("\r\n", "\n").trim().to_owned();
    if body.is_empty() {
        return Err("Describe what you are offering or looking for.".into());
    }
    if body.chars().count() > MAX_BODY_CHARS {
        return Err(format!(
            "Use at most {} characters.",
            group_thousands(MAX_BODY_CHARS as i64)
        ));
    }
    refuse_control_characters_in_lines(&body)?;
    Ok(body)
}

/// A five-digit ZIP (whether it exists is checked against the gazetteer).
pub fn parse_zip(input: &str) -> Result<String, String> {
    let zip = input.trim();
    if zip.len() == 5 && zip.bytes().all(|b| b.is_ascii_digit()) {
        Ok(zip.to_owned())
    } else if zip.is_empty() {
        Err("Enter the ZIP code where the item or place is.".into())
    } else {
        Err("Enter a five-digit ZIP code, like 94110.".into())
    }
}

/// The URL slug of a title: lower-case ASCII words joined by `-`, at most 60 characters.
pub fn slugify(title: &str) -> String {
    let mut slug = String::with_capacity(title.len().min(60));
    for word in title
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
    {
        if slug.len() + word.len() + 1 > 60 {
            break;
        }
        if !slug.is_empty() {
            slug.push('-');
        }
        // ASCII letters and digits only (the split above), lowercased in place.
        slug.extend(word.chars().map(|c| c.to_ascii_lowercase()));
    }
    if slug.is_empty() {
        "listing".into()
    } else {
        slug
    }
}

/// A piece of a listing body as the page shows it: text, a link, or a line break. The
/// template escapes text and URLs; nothing here is trusted HTML.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BodyPart {
    Text(String),
    Link(String),
    Break,
}

/// Splits plain text into lines and links (`http://` and `https://` URLs).
pub fn body_parts(body: &str) -> Vec<BodyPart> {
    let mut parts = Vec::new();
    for (i, line) in body.lines().enumerate() {
        if i > 0 {
            parts.push(BodyPart::Break);
        }
        let mut rest = line;
        while let Some(start) = find_url(rest) {
            if start > 0 {
                parts.push(BodyPart::Text(rest[..start].to_owned()));
            }
            let url_len = rest[start..]
                .find(|c: char| c.is_whitespace() || matches!(c, '<' | '>' | '"'))
                .unwrap_or(rest.len() - start);
            let mut url = &rest[start..start + url_len];
            // Trailing punctuation belongs to the sentence, not the link.
            while url.ends_with(['.', ',', ')', '!', '?', ';', ':', '\'']) {
                url = &url[..url.len() - 1];
            }
            parts.push(BodyPart::Link(url.to_owned()));
            rest = &rest[start + url.len()..];
        }
        if !rest.is_empty() {
            parts.push(BodyPart::Text(rest.to_owned()));
        }
    }
    parts
}

fn find_url(text: &str) -> Option<usize> {
    let http = text.find("http://");
    let https = text.find("https://");
    match (http, https) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
    .filter(|&at| {
        let scheme_len = if text[at..].starts_with("https://") {
            8
        } else {
            7
        };
        text.len() > at + scheme_len
    })
}

/// The listing form as submitted (multipart text fields).
#[derive(Debug, Default, Clone)]
pub struct ListingForm {
    pub title: String,
    pub body: String,
    pub price: String,
    /// The top of a pay range.
    pub price_max: String,
    /// What the price is per (`month`, `hour`, …).
    pub price_unit: String,
    /// An event's start and end (`datetime-local`).
    pub starts_at: String,
    pub ends_at: String,
    pub zip: String,
    /// `attr_<key>` fields.
    pub attributes: BTreeMap<String, String>,
}

impl ListingForm {
    pub fn from_fields(fields: &[(String, String)]) -> Self {
        let mut form = Self::default();
        for (name, value) in fields {
            match name.as_str() {
                "title" => form.title = value.clone(),
                "body" => form.body = value.clone(),
                "price" => form.price = value.clone(),
                "price_max" => form.price_max = value.clone(),
                "price_unit" => form.price_unit = value.clone(),
                "starts_at" => form.starts_at = value.clone(),
                "ends_at" => form.ends_at = value.clone(),
                "zip" => form.zip = value.clone(),
                attr if attr.starts_with("attr_") => {
                    form.attributes.insert(attr.to_owned(), value.clone());
                }
                _ => {}
            }
        }
        form
    }

    /// The attribute value typed for `def`, for re-rendering.
    pub fn attribute(&self, def: &AttributeDef) -> &str {
        self.attributes
            .get(&def.field_name())
            .map_or("", String::as_str)
    }
}

/// A valid listing, before its ZIP is looked up.
#[derive(Debug, Clone, PartialEq)]
pub struct ListingDraft {
    pub title: String,
    pub body: String,
    pub price: Price,
    pub terms: super::terms::Terms,
    pub zip: String,
    pub attributes: Map<String, Value>,
}

impl ListingForm {
    /// Reads the form for a category whose price means `kind` (see [`super::terms`]).
    pub fn parse(
        &self,
        defs: &[AttributeDef],
        kind: super::terms::PriceKind,
        allows_free: bool,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Result<ListingDraft, FieldErrors> {
        let mut errors = FieldErrors::new();
        let title = errors.take("title", parse_title(&self.title));
        let body = errors.take("body", parse_body(&self.body));
        let terms = super::terms::parse_terms(
            kind,
            allows_free,
            &super::terms::TermsForm {
                price: &self.price,
                price_max: &self.price_max,
                price_unit: &self.price_unit,
                starts_at: &self.starts_at,
                ends_at: &self.ends_at,
            },
            now,
            &mut errors,
        );
        let zip = errors.take("zip", parse_zip(&self.zip));
        let attributes = parse_attributes(defs, &self.attributes, &mut errors);
        match (title, body, terms, zip) {
            (Some(title), Some(body), Some((price, terms)), Some(zip)) if errors.is_empty() => {
                Ok(ListingDraft {
                    title,
                    body,
                    price,
                    terms,
                    zip,
                    attributes,
                })
            }
            _ => Err(errors),
        }
    }
}

#[cfg(test)]
mod tests {

    #[test]
    fn numbers_read_as_what_they_count() {
        let def = |format: &str| -> AttributeDef {
            serde_json::from_str(&format!(
                r#"{{"key":"k","label":"K","type":"int","min":0,"max":3000000{format}}}"#
            ))
            .unwrap()
        };
        let year = def(r#","format":"year""#);
        assert_eq!(year.display(&Value::from(2005)), "2005");
        assert_eq!(def(r#","format":"count""#).display(&Value::from(3)), "3");
        assert_eq!(
            def(r#","format":"measure""#).display(&Value::from(45000)),
            "45,000"
        );
        assert_eq!(
            def(r#","format":"money""#).display(&Value::from(1200)),
            "$1,200"
        );
        // Definitions without a format read as measures, as before.
        assert_eq!(def("").display(&Value::from(1250)), "1,250");
        let baths: AttributeDef = serde_json::from_str(
            r#"{"key":"b","label":"B","type":"number","min":0,"max":20,"format":"count"}"#,
        )
        .unwrap();
        assert_eq!(baths.display(&Value::from(1.5)), "1.5");
        assert_eq!(baths.display(&Value::from(2.0)), "2");
    }

    use super::*;

    fn defs() -> Vec<AttributeDef> {
        serde_json::from_str(
            r#"[{"key":"bedrooms","label":"Bedrooms","type":"int","min":0,"max":20},
                {"key":"bathrooms","label":"Bathrooms","type":"number","min":0,"max":20},
                {"key":"cats_ok","label":"Cats OK","type":"bool"},
                {"key":"condition","label":"Condition","type":"enum","options":["new","good"]},
                {"key":"make","label":"Make","type":"text","max":5}]"#,
        )
        .unwrap()
    }

    #[test]
    fn attributes_are_typed_ranged_and_optional() {
        let defs = defs();
        let form: BTreeMap<String, String> = [
            ("attr_bedrooms", "2"),
            ("attr_bathrooms", "1.5"),
            ("attr_cats_ok", "yes"),
            ("attr_condition", "good"),
            ("attr_make", ""),
            ("attr_unknown", "ignored"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect();
        let mut errors = FieldErrors::new();
        let values = parse_attributes(&defs, &form, &mut errors);
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(values["bedrooms"], 2);
        assert_eq!(values["bathrooms"], 1.5);
        assert_eq!(values["cats_ok"], true);
        assert_eq!(values["condition"], "good");
        assert!(!values.contains_key("make") && !values.contains_key("unknown"));
    }

    #[test]
    fn bad_attributes_are_field_errors() {
        let defs = defs();
        for (field, value, message) in [
            ("attr_bedrooms", "21", "from 0 to 20"),
            ("attr_bedrooms", "two", "whole number"),
            ("attr_bedrooms", "-1", "from 0 to 20"),
            ("attr_bathrooms", "NaN", "from 0 to 20"),
            ("attr_cats_ok", "maybe", "yes or no"),
            ("attr_condition", "broken", "one of the options"),
            ("attr_make", "toolong", "at most 5"),
        ] {
            let form = BTreeMap::from([(field.to_owned(), value.to_owned())]);
            let mut errors = FieldErrors::new();
            parse_attributes(&defs, &form, &mut errors);
            let got = errors
                .get(field)
                .unwrap_or_else(|| panic!("{field}={value} passed"));
            assert!(got.contains(message), "{field}={value}: {got}");
        }
    }

    #[test]
    fn prices_are_cents_with_free_only_where_allowed() {
        assert_eq!(Price::parse("", false), Ok(Price::None));
        assert_eq!(Price::parse("25", false), Ok(Price::Cents(2500)));
        assert_eq!(Price::parse("$1,200.5", false), Ok(Price::Cents(120_050)));
        assert_eq!(Price::parse("0.99", false), Ok(Price::Cents(99)));
        assert_eq!(
            Price::parse("100000000", false),
            Ok(Price::Cents(MAX_PRICE_CENTS))
        );
        assert_eq!(Price::parse("Free", true), Ok(Price::Free));
        assert_eq!(Price::parse("0", true), Ok(Price::Free));
        assert!(
            Price::parse("free", false)
                .unwrap_err()
                .contains("free stuff")
        );
        assert!(Price::parse("-5", false).unwrap_err().contains("negative"));
        for bad in [
            "100000000.01",
            "12.345",
            "abc",
            "1.2.3",
            "$",
            "1e5",
            "99999999999999999",
        ] {
            assert!(Price::parse(bad, false).is_err(), "{bad}");
        }
    }

    #[test]
    fn prices_read_with_separators() {
        assert_eq!(format_price(120_050), "$1,200.50");
        assert_eq!(format_price(2500), "$25");
        assert_eq!(format_price(MAX_PRICE_CENTS), "$100,000,000");
    }

    #[test]
    fn titles_and_bodies_have_limits() {
        assert_eq!(parse_title("  A   sofa \n").unwrap(), "A sofa");
        assert!(parse_title("").is_err());
        assert!(parse_title(&"t".repeat(101)).is_err());
        assert!(parse_title(&"t".repeat(100)).is_ok());
        assert_eq!(parse_body("a\r\nb").unwrap(), "a\nb");
        assert!(parse_body(&"b".repeat(10_001)).is_err());
        assert!(parse_body(" ").is_err());
    }

    #[test]
    fn slugs_are_short_ascii_words() {
        assert_eq!(
            slugify("Blue IKEA sofa — like new!"),
            "blue-ikea-sofa-like-new"
        );
        assert_eq!(slugify("¡¡¡"), "listing");
        assert!(slugify(&"word ".repeat(40)).len() <= 60);
    }

    #[test]
    fn bodies_become_lines_and_links() {
        let parts = body_parts("See https://example.com/a?b=1.\nCall me <b>now</b>");
        assert_eq!(
            parts,
            vec![
                BodyPart::Text("See ".into()),
                BodyPart::Link("https://example.com/a?b=1".into()),
                BodyPart::Text(".".into()),
                BodyPart::Break,
                BodyPart::Text("Call me <b>now</b>".into()),
            ]
        );
        assert_eq!(
            body_parts("http://"),
            vec![BodyPart::Text("http://".into())]
        );
    }

    #[test]
    fn a_listing_form_collects_every_error() {
        let form = ListingForm {
            title: String::new(),
            body: String::new(),
            price: "-3".into(),
            zip: "12".into(),
            attributes: BTreeMap::from([("attr_bedrooms".into(), "99".into())]),
            ..ListingForm::default()
        };
        let errors = form
            .parse(
                &defs(),
                crate::listings::terms::PriceKind::Item,
                false,
                chrono::Utc::now(),
            )
            .unwrap_err();
        for field in ["title", "body", "price", "zip", "attr_bedrooms"] {
            assert!(errors.get(field).is_some(), "{field}");
        }
    }
}
