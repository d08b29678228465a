//! What a listing's price means in its category, and what else the category asks for: a
//! thing's price, free stuff, rent per month or week, a property's price, a job's pay range
//! per period, an event's date and time (and ticket price), a service's rate, or no price.

use chrono::{DateTime, NaiveDateTime, Utc};

use super::domain::{Price, format_price};
use crate::web::FieldErrors;

crate::text_enum! {
    /// What a category's price means (`categories.price_kind`).
    pub enum PriceKind {
        Item => "item",
        Free => "free",
        Rent => "rent",
        Property => "property",
        Pay => "pay",
        Event => "event",
        Rate => "rate",
        NoPrice => "none",
    }
}

crate::text_enum! {
    /// What a price is per (`listings.price_unit`).
    pub enum PriceUnit {
        Month => "month",
        Week => "week",
        Day => "day",
        Hour => "hour",
        Year => "year",
        Job => "job",
    }
}

impl PriceUnit {
    /// "per month", for the form's choice.
    pub fn label(self) -> &'static str {
        match self {
            Self::Month => "per month",
            Self::Week => "per week",
            Self::Day => "per day",
            Self::Hour => "per hour",
            Self::Year => "per year",
            Self::Job => "for the job",
        }
    }

    /// "/ month", after an amount (nothing for a fixed price).
    pub fn suffix(self) -> &'static str {
        match self {
            Self::Month => " / month",
            Self::Week => " / week",
            Self::Day => " / day",
            Self::Hour => " / hour",
            Self::Year => " / year",
            Self::Job => "",
        }
    }

    /// The UN/CEFACT code schema.org's `UnitPriceSpecification` takes.
    pub fn unit_code(self) -> Option<&'static str> {
        match self {
            Self::Month => Some("MON"),
            Self::Week => Some("WEE"),
            Self::Day => Some("DAY"),
            Self::Hour => Some("HUR"),
            Self::Year => Some("ANN"),
            Self::Job => None,
        }
    }

    /// The `unitText` of a `JobPosting`'s salary.
    pub fn salary_unit(self) -> &'static str {
        match self {
            Self::Month => "MONTH",
            Self::Week => "WEEK",
            Self::Day => "DAY",
            Self::Hour => "HOUR",
            Self::Year | Self::Job => "YEAR",
        }
    }
}

impl PriceKind {
    /// The units a listing of this kind may state, the first the default.
    pub fn units(self) -> &'static [PriceUnit] {
        match self {
            Self::Rent => &[PriceUnit::Month, PriceUnit::Week],
            Self::Pay => &[
                PriceUnit::Hour,
                PriceUnit::Day,
                PriceUnit::Week,
                PriceUnit::Month,
                PriceUnit::Year,
            ],
            Self::Rate => &[PriceUnit::Job, PriceUnit::Hour],
            _ => &[],
        }
    }

    /// Whether the form asks for a price at all.
    pub fn has_price(self) -> bool {
        !matches!(self, Self::Free | Self::NoPrice)
    }

    /// The price field's label.
    pub fn price_label(self) -> &'static str {
        match self {
            Self::Rent => "Rent (USD)",
            Self::Pay => "Pay from (USD)",
            Self::Event => "Ticket price (USD)",
            Self::Rate => "Rate (USD)",
            _ => "Price (USD)",
        }
    }

    /// The price field's hint.
    pub fn price_hint(self, allows_free: bool) -> &'static str {
        match self {
            Self::Rent => "Like 1,200. Required.",
            Self::Pay => "The bottom of the range, like 22. Leave both blank to say nothing.",
            Self::Event => "Leave blank, or write “free”.",
            Self::Rate => "Like 40. Leave blank to discuss.",
            _ if allows_free => "Leave blank or write “free”.",
            _ => "Like 25 or 1,200. Leave blank for no price.",
        }
    }
}

/// The terms of a listing beyond its price: the unit, the top of a range, an event's times.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Terms {
    pub unit: Option<PriceUnit>,
    pub max_cents: Option<i64>,
    pub starts_at: Option<NaiveDateTime>,
    pub ends_at: Option<NaiveDateTime>,
}

/// The fields of the form that say the terms, as typed.
#[derive(Debug, Clone, Default)]
pub struct TermsForm<'a> {
    pub price: &'a str,
    pub price_max: &'a str,
    pub price_unit: &'a str,
    pub starts_at: &'a str,
    pub ends_at: &'a str,
}

/// How far ahead an event may be posted.
const EVENT_HORIZON_DAYS: i64 = 2 * 365;
/// An event's times are local to its place, which this site does not know the zone of: it
/// is over (and leaves the lists) this long after its end or start, read as UTC, which is
/// after its end in every US zone.
pub const EVENT_GRACE_HOURS: i64 = 14;

/// Reads the price and terms for a category of `kind`; errors go to their fields.
pub fn parse_terms(
    kind: PriceKind,
    allows_free: bool,
    form: &TermsForm<'_>,
    now: DateTime<Utc>,
    errors: &mut FieldErrors,
) -> Option<(Price, Terms)> {
    let mut terms = Terms::default();
    let price = match kind {
        PriceKind::Free => Price::Free,
        PriceKind::NoPrice => Price::None,
        PriceKind::Item => errors.take("price", Price::parse(form.price, allows_free))?,
        PriceKind::Property | PriceKind::Rate => {
            errors.take("price", Price::parse(form.price, false))?
        }
        PriceKind::Event => errors.take("price", Price::parse(form.price, true))?,
        PriceKind::Rent => match errors.take("price", Price::parse(form.price, false))? {
            Price::Cents(c) => Price::Cents(c),
            _ => {
                errors.add("price", "Enter the rent, like 1,200.");
                return None;
            }
        },
        PriceKind::Pay => {
            let low = errors.take("price", Price::parse(form.price, false))?;
            let high = errors.take("price_max", Price::parse(form.price_max, false))?;
            match (low.cents(), high.cents()) {
                (Some(low), Some(high)) if high < low => {
                    errors.add("price_max", "The top of the range is below its bottom.");
                    return None;
                }
                (Some(low), Some(high)) if high > low => {
                    terms.max_cents = Some(high);
                    Price::Cents(low)
                }
                (Some(low), _) => Price::Cents(low),
                (None, Some(high)) => Price::Cents(high),
                (None, None) => Price::None,
            }
        }
    };
    let units = kind.units();
    if !units.is_empty() && price.cents().is_some() {
        let unit = match form.price_unit.trim() {
            "" if kind == PriceKind::Pay => {
                errors.add(
                    "price_unit",
                    "Say whether the pay is per hour, day, week, month or year.",
                );
                return None;
            }
            "" => units[0],
            given => match PriceUnit::parse(given).filter(|u| units.contains(u)) {
                Some(unit) => unit,
                None => {
                    errors.add("price_unit", "Choose one of the listed units.");
                    return None;
                }
            },
        };
        terms.unit = Some(unit);
    }
    if kind == PriceKind::Event {
        let starts = match parse_local(form.starts_at) {
            Ok(Some(at)) => at,
            Ok(None) => {
                errors.add("starts_at", "Say when the event starts.");
                return None;
            }
            Err(message) => {
                errors.add("starts_at", message);
                return None;
            }
        };
        let ends = match parse_local(form.ends_at) {
            Ok(ends) => ends,
            Err(message) => {
                errors.add("ends_at", message);
                return None;
            }
        };
        if ends.is_some_and(|ends| ends < starts) {
            errors.add("ends_at", "The event cannot end before it starts.");
            return None;
        }
        let last = ends.unwrap_or(starts);
        if last + chrono::Duration::hours(EVENT_GRACE_HOURS) <= now.naive_utc() {
            errors.add(
                if ends.is_some() {
                    "ends_at"
                } else {
                    "starts_at"
                },
                "That is in the past: post events that are still to come.",
            );
            return None;
        }
        if starts > now.naive_utc() + chrono::Duration::days(EVENT_HORIZON_DAYS) {
            errors.add("starts_at", "Post events at most two years ahead.");
            return None;
        }
        terms.starts_at = Some(starts);
        terms.ends_at = ends;
    }
    Some((price, terms))
}

/// A `datetime-local` value ("2026-12-05T19:30", seconds allowed); blank is none.
fn parse_local(input: &str) -> Result<Option<NaiveDateTime>, String> {
    let text = input.trim();
    if text.is_empty() {
        return Ok(None);
    }
    ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"]
        .iter()
        .find_map(|format| NaiveDateTime::parse_from_str(text, format).ok())
        .map(Some)
        .ok_or_else(|| "Enter a date and time like 2026-12-05 19:30.".to_owned())
}

/// When a listing of these terms leaves the lists: an event once it is over, anything else
/// at the end of its `lifetime` from now.
pub fn expiry(terms: &Terms, now: DateTime<Utc>, lifetime: chrono::Duration) -> DateTime<Utc> {
    let regular = now + lifetime;
    match terms.ends_at.or(terms.starts_at) {
        Some(last) => {
            let over = (last + chrono::Duration::hours(EVENT_GRACE_HOURS)).and_utc();
            over.min(now + chrono::Duration::days(EVENT_HORIZON_DAYS + 1))
        }
        None => regular,
    }
}

/// "Free", "$1,200 / month", "$22–$30 / hour", "$40", or nothing.
pub fn terms_label(
    cents: Option<i64>,
    is_free: bool,
    max_cents: Option<i64>,
    unit: Option<PriceUnit>,
) -> Option<String> {
    if is_free {
        return Some("Free".into());
    }
    let low = cents?;
    let amount = match max_cents {
        Some(high) if high > low => format!("{}–{}", format_price(low), format_price(high)),
        _ => format_price(low),
    };
    Some(format!("{amount}{}", unit.map_or("", PriceUnit::suffix)))
}

/// "Sat, Dec 5, 2026, 7:30 PM – 10:00 PM" (the end's date only when it differs).
pub fn event_label(starts: NaiveDateTime, ends: Option<NaiveDateTime>) -> String {
    let start = starts.format("%a, %b %-d, %Y, %-I:%M %p").to_string();
    match ends {
        Some(ends) if ends.date() == starts.date() => {
            format!("{start} – {}", ends.format("%-I:%M %p"))
        }
        Some(ends) => format!("{start} – {}", ends.format("%a, %b %-d, %Y, %-I:%M %p")),
        None => start,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text)
            .unwrap()
            .with_timezone(&Utc)
    }

    fn parse(kind: PriceKind, form: TermsForm<'_>) -> Result<(Price, Terms), FieldErrors> {
        let mut errors = FieldErrors::new();
        let parsed = parse_terms(kind, false, &form, at("2026-12-01T12:00:00Z"), &mut errors);
        match parsed {
            Some(found) if errors.is_empty() => Ok(found),
            _ => Err(errors),
        }
    }

    #[test]
    fn rent_is_required_and_per_month_unless_per_week() {
        let (price, terms) = parse(
            PriceKind::Rent,
            TermsForm {
                price: "1,200",
                ..TermsForm::default()
            },
        )
        .unwrap();
        assert_eq!(price, Price::Cents(120_000));
        assert_eq!(terms.unit, Some(PriceUnit::Month));
        let weekly = parse(
            PriceKind::Rent,
            TermsForm {
                price: "300",
                price_unit: "week",
                ..TermsForm::default()
            },
        )
        .unwrap();
        assert_eq!(weekly.1.unit, Some(PriceUnit::Week));
        let errors = parse(PriceKind::Rent, TermsForm::default()).unwrap_err();
        assert!(errors.get("price").is_some());
        let errors = parse(
            PriceKind::Rent,
            TermsForm {
                price: "300",
                price_unit: "hour",
                ..TermsForm::default()
            },
        )
        .unwrap_err();
        assert!(errors.get("price_unit").is_some());
    }

    #[test]
    fn pay_is_a_range_with_a_period() {
        let (price, terms) = parse(
            PriceKind::Pay,
            TermsForm {
                price: "22",
                price_max: "30",
                price_unit: "hour",
                ..TermsForm::default()
            },
        )
        .unwrap();
        assert_eq!(price, Price::Cents(2200));
        assert_eq!(terms.max_cents, Some(3000));
        assert_eq!(
            terms_label(price.cents(), false, terms.max_cents, terms.unit).as_deref(),
            Some("$22–$30 / hour")
        );
        let upside_down = parse(
            PriceKind::Pay,
            TermsForm {
                price: "30",
                price_max: "22",
                price_unit: "hour",
                ..TermsForm::default()
            },
        )
        .unwrap_err();
        assert!(upside_down.get("price_max").is_some());
        let no_period = parse(
            PriceKind::Pay,
            TermsForm {
                price: "50000",
                ..TermsForm::default()
            },
        )
        .unwrap_err();
        assert!(no_period.get("price_unit").is_some());
        let (none, terms) = parse(PriceKind::Pay, TermsForm::default()).unwrap();
        assert_eq!((none, terms.unit), (Price::None, None));
    }

    #[test]
    fn events_have_a_start_an_optional_end_and_leave_the_lists_when_over() {
        let (_, terms) = parse(
            PriceKind::Event,
            TermsForm {
                starts_at: "2026-12-05T19:30",
                ends_at: "2026-12-05T22:00",
                ..TermsForm::default()
            },
        )
        .unwrap();
        let starts = terms.starts_at.unwrap();
        assert_eq!(
            event_label(starts, terms.ends_at),
            "Sat, Dec 5, 2026, 7:30 PM – 10:00 PM"
        );
        assert_eq!(
            expiry(
                &terms,
                at("2026-12-01T12:00:00Z"),
                chrono::Duration::days(30)
            ),
            at("2026-12-06T12:00:00Z")
        );
        for (starts_at, ends_at, field) in [
            ("", "", "starts_at"),
            ("soon", "", "starts_at"),
            ("2026-12-05T19:30", "2026-12-05T18:00", "ends_at"),
            ("2026-11-20T19:30", "", "starts_at"),
            ("2029-01-01T10:00", "", "starts_at"),
        ] {
            let errors = parse(
                PriceKind::Event,
                TermsForm {
                    starts_at,
                    ends_at,
                    ..TermsForm::default()
                },
            )
            .unwrap_err();
            assert!(errors.get(field).is_some(), "{starts_at} {ends_at}");
        }
    }

    #[test]
    fn free_stuff_and_community_posts_take_no_price() {
        let (price, _) = parse(
            PriceKind::Free,
            TermsForm {
                price: "40",
                ..TermsForm::default()
            },
        )
        .unwrap();
        assert_eq!(price, Price::Free);
        let (price, _) = parse(
            PriceKind::NoPrice,
            TermsForm {
                price: "40",
                ..TermsForm::default()
            },
        )
        .unwrap();
        assert_eq!(price, Price::None);
    }
}
