//! What the admin pages' queries and forms mean: the listing browser's filters and sorts, and
//! the actions an admin takes on listings.
//!
//! Policy: a filter that cannot be read is dropped with a note on the page (an admin mistyping
//! a date gets every date, and is told), never a 500; a cursor that does not belong to the
//! sort is a 400, as the public search does.

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use serde::Deserialize;

use crate::db::ids::ListingId;
use crate::listings::models::ListingStatus;

/// The longest word search an admin may run.
const WORDS_MAX: usize = 200;

/// How the browser orders listings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum AdminSort {
    #[default]
    Newest,
    Oldest,
    /// Most weight of undecided flags first (flagged listings only).
    MostFlagged,
}

impl AdminSort {
    pub const ALL: [AdminSort; 3] = [Self::Newest, Self::Oldest, Self::MostFlagged];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Newest => "newest",
            Self::Oldest => "oldest",
            Self::MostFlagged => "flags",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Newest => "Newest posted",
            Self::Oldest => "Oldest posted",
            Self::MostFlagged => "Most flagged",
        }
    }

    fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == raw)
    }
}

/// Where the next page of the browser starts: after this listing, in the sort's order.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum AdminCursor {
    /// For the sorts by when it was posted.
    Posted(DateTime<Utc>, ListingId),
    /// For the sort by flags.
    Flags(f32, ListingId),
}

impl AdminCursor {
    pub fn encode(self) -> String {
        match self {
            Self::Posted(at, id) => format!("p{}.{id}", at.timestamp_micros()),
            Self::Flags(weight, id) => format!("f{}.{id}", weight.to_bits()),
        }
    }

    /// The cursor, if it is well formed and belongs to `sort`.
    pub fn decode(raw: &str, sort: AdminSort) -> Option<Self> {
        let (kind, rest) = raw.split_at_checked(1)?;
        let (value, id) = rest.split_once('.')?;
        let id = ListingId(id.parse().ok()?);
        match (kind, sort) {
            ("p", AdminSort::Newest | AdminSort::Oldest) => Some(Self::Posted(
                DateTime::from_timestamp_micros(value.parse().ok()?)?,
                id,
            )),
            ("f", AdminSort::MostFlagged) => {
                let weight = f32::from_bits(value.parse().ok()?);
                weight.is_finite().then_some(Self::Flags(weight, id))
            }
            _ => None,
        }
    }
}

/// The browser's query string as sent.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct ListingQuery {
    pub status: String,
    pub section: String,
    pub category: String,
    pub flagged: String,
    pub owner: String,
    pub q: String,
    pub from: String,
    pub to: String,
    pub sort: String,
    pub after: String,
}

/// The browser's filters, read.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ListingFilter {
    pub status: Option<ListingStatus>,
    /// A section's slug (resolved to its categories by the query).
    pub section: Option<String>,
    /// A category's id (slugs repeat across sections).
    pub category: Option<i32>,
    pub flagged: bool,
    /// An owner's username.
    pub owner: Option<String>,
    pub words: Option<String>,
    /// Posted on or after this day (UTC).
    pub from: Option<DateTime<Utc>>,
    /// Posted before the end of this day (UTC).
    pub to: Option<DateTime<Utc>>,
    pub sort: AdminSort,
}

/// The filters, with a note for each part that could not be read.
pub fn parse_filter(query: &ListingQuery) -> (ListingFilter, Vec<String>) {
    let mut notes = Vec::new();
    let text = |raw: &str| {
        let t = raw.trim();
        (!t.is_empty()).then(|| t.to_owned())
    };
    let status = match query.status.trim() {
        "" | "any" => None,
        raw => {
            let parsed = ListingStatus::parse(raw);
            if parsed.is_none() {
                notes.push("That status is unknown; showing every status.".to_owned());
            }
            parsed
        }
    };
    let day = |raw: &str, what: &str, notes: &mut Vec<String>| -> Option<NaiveDate> {
        let raw = raw.trim();
        if raw.is_empty() {
            return None;
        }
        let parsed = NaiveDate::parse_from_str(raw, "%Y-%m-%d").ok();
        if parsed.is_none() {
            notes.push(format!(
                "The {what} date is not a date like 2026-12-31; it was left out."
            ));
        }
        parsed
    };
    let start = |d: NaiveDate| {
        d.and_hms_opt(0, 0, 0)
            .map(|t| Utc.from_utc_datetime(&t))
            .expect("midnight exists")
    };
    let from = day(&query.from, "“from”", &mut notes).map(start);
    let to = day(&query.to, "“to”", &mut notes)
        .and_then(|d| d.succ_opt())
        .map(start);
    let mut words = text(&query.q);
    if let Some(w) = &words
        && w.chars().count() > WORDS_MAX
    {
        notes.push(format!(
            "Searches are limited to {WORDS_MAX} characters; the words were left out."
        ));
        words = None;
    }
    let sort = match query.sort.trim() {
        "" => AdminSort::default(),
        raw => AdminSort::parse(raw).unwrap_or_else(|| {
            notes.push("That sort is unknown; showing the newest first.".to_owned());
            AdminSort::default()
        }),
    };
    let category = match query.category.trim() {
        "" => None,
        raw => {
            let parsed = raw.parse::<i32>().ok();
            if parsed.is_none() {
                notes.push("That category is unknown; showing every category.".to_owned());
            }
            parsed
        }
    };
    let filter = ListingFilter {
        status,
        section: text(&query.section),
        category,
        flagged: matches!(query.flagged.as_str(), "1" | "on" | "true" | "yes"),
        owner: text(&query.owner).map(|o| o.trim_start_matches('@').to_owned()),
        words,
        from,
        to,
        sort,
    };
    (filter, notes)
}

/// An action on one or many listings, as the forms name it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ActionName {
    Hold,
    Restore,
    Remove,
    Category,
}

impl ActionName {
    pub fn parse(raw: &str) -> Option<Self> {
        match raw {
            "hold" => Some(Self::Hold),
            "restore" => Some(Self::Restore),
            "remove" => Some(Self::Remove),
            "category" => Some(Self::Category),
            _ => None,
        }
    }

    /// In the past tense, for the flash message.
    pub fn done(self) -> &'static str {
        match self {
            Self::Hold => "held",
            Self::Restore => "restored",
            Self::Remove => "removed",
            Self::Category => "moved",
        }
    }
}

/// The most listings one bulk action takes (a page of the browser is 50).
pub const BULK_MAX: usize = 100;

#[cfg(test)]
mod tests {
    use super::*;

    fn query(pairs: &[(&str, &str)]) -> ListingQuery {
        let encoded = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(pairs)
            .finish();
        actix_web::web::Query::<ListingQuery>::from_query(&encoded)
            .unwrap()
            .into_inner()
    }

    #[test]
    fn filters_are_read_and_bad_ones_dropped_with_a_note() {
        let (filter, notes) = parse_filter(&query(&[
            ("status", "held"),
            ("owner", "@Alice"),
            ("from", "2026-11-01"),
            ("to", "2026-11-30"),
            ("flagged", "1"),
        ]));
        assert!(notes.is_empty());
        assert_eq!(filter.status, Some(ListingStatus::Held));
        assert_eq!(filter.owner.as_deref(), Some("Alice"));
        assert!(filter.flagged);
        assert_eq!(
            filter.to.unwrap() - filter.from.unwrap(),
            chrono::Duration::days(30)
        );

        let (filter, notes) = parse_filter(&query(&[
            ("status", "bogus"),
            ("from", "yesterday"),
            ("sort", "random"),
        ]));
        assert_eq!(notes.len(), 3);
        assert_eq!(filter, ListingFilter::default());
    }

    #[test]
    fn a_cursor_belongs_to_its_sort() {
        let at = DateTime::from_timestamp_micros(1_700_000_000_123_456).unwrap();
        let posted = AdminCursor::Posted(at, ListingId(7));
        assert_eq!(
            AdminCursor::decode(&posted.encode(), AdminSort::Newest),
            Some(posted)
        );
        assert_eq!(
            AdminCursor::decode(&posted.encode(), AdminSort::MostFlagged),
            None
        );
        let flags = AdminCursor::Flags(2.5, ListingId(9));
        assert_eq!(
            AdminCursor::decode(&flags.encode(), AdminSort::MostFlagged),
            Some(flags)
        );
        for bad in ["", "p", "px.1", "p1.x", "z1.1", "f4294967295.1"] {
            assert_eq!(
                AdminCursor::decode(bad, AdminSort::MostFlagged),
                None,
                "{bad}"
            );
            assert_eq!(AdminCursor::decode(bad, AdminSort::Newest), None, "{bad}");
        }
    }
}
