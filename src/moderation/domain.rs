//! What moderation input means: a flag's reason and note, an admin's reason, an owner's
//! appeal, a report; and how much a member's flag weighs.
//!
//! Policy: every text is parsed here into a type the queries take, so a query never sees an
//! unchecked reason. A flag's weight comes from its author's record (flags the admins upheld
//! count for more, rejected ones and new accounts for less) and is fixed when the flag is made.

use chrono::{DateTime, Utc};

use crate::web::FieldErrors;
use crate::web::text::refuse_control_characters_in_lines;

crate::text_enum! {
    /// Why a member flags a listing.
    pub enum FlagReason {
        Prohibited => "prohibited",
        Spam => "spam",
        Miscategorized => "miscategorized",
        Scam => "scam",
        Other => "other",
    }
}

impl FlagReason {
    /// As the flag form and the admin pages say it.
    pub fn label(self) -> &'static str {
        match self {
            Self::Prohibited => "Prohibited item or service",
            Self::Spam => "Spam or posted too often",
            Self::Miscategorized => "In the wrong category",
            Self::Scam => "Looks like a scam",
            Self::Other => "Something else",
        }
    }
}

crate::text_enum! {
    /// What an admin made of a flag or a report.
    pub enum Decision {
        Upheld => "upheld",
        Rejected => "rejected",
    }
}

/// The longest note on a flag.
pub const FLAG_NOTE_MAX: usize = 500;
/// The longest reason an admin gives, appeal or report.
pub const REASON_MAX: usize = 1000;

/// A member's flag, as the form sent it and checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewFlag {
    pub reason: FlagReason,
    pub note: String,
}

impl NewFlag {
    /// Checks the flag form; "something else" needs a note saying what.
    pub fn parse(reason: &str, note: &str) -> Result<Self, FieldErrors> {
        let mut errors = FieldErrors::new();
        let reason = FlagReason::parse(reason);
        if reason.is_none() {
            errors.add("reason", "Choose what is wrong with this listing.");
        }
        let note = errors
            .take("note", text(note, 0, FLAG_NOTE_MAX))
            .unwrap_or_default();
        if reason == Some(FlagReason::Other) && note.is_empty() {
            errors.add("note", "Say what is wrong, in a few words.");
        }
        match reason {
            Some(reason) if errors.is_empty() => Ok(Self { reason, note }),
            _ => Err(errors),
        }
    }
}

/// A short text someone wrote for the moderators or from them: an admin's reason (shown to
/// the owner), an appeal, a report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reason(String);

impl Reason {
    /// 1 to 1,000 characters of text without control characters (new lines allowed).
    pub fn parse(raw: &str) -> Result<Self, String> {
        if raw.trim().is_empty() {
            return Err("Give a reason.".into());
        }
        text(raw, 1, REASON_MAX).map(Self)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl AsRef<str> for Reason {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

/// Trims, normalises line ends, and checks the length in characters.
fn text(raw: &str, min: usize, max: usize) -> Result<String, String> {
    let text = raw.replace("\r\n", "\n").trim().to_owned();
    let chars = text.chars().count();
    if chars < min {
        return Err("Write at least a few words.".into());
    }
    if chars > max {
        return Err(format!("Use at most {max} characters (this is {chars})."));
    }
    refuse_control_characters_in_lines(&text)?;
    Ok(text)
}

/// A flagger's record, which their next flag's weight comes from.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FlaggerRecord {
    /// Their earlier flags the admins upheld.
    pub upheld: i64,
    /// Their earlier flags the admins rejected.
    pub rejected: i64,
    pub joined: Option<DateTime<Utc>>,
}

/// Accounts younger than this flag at half weight.
pub const NEW_ACCOUNT_DAYS: i64 = 7;

/// How much a flag counts towards holding a listing: 1 for an ordinary member; each upheld
/// flag adds a half (up to four of them, so 3 at most), each rejected one divides it further
/// (1 / (1 + r/2)); a new account's flag counts half. Never less than 0.1: a flag always says
/// something.
pub fn flag_weight(record: FlaggerRecord, now: DateTime<Utc>) -> f32 {
    let trusted = 1.0 + 0.5 * record.upheld.clamp(0, 4) as f32;
    let doubted = 1.0 + 0.5 * record.rejected.clamp(0, 16) as f32;
    let young = record
        .joined
        .is_none_or(|joined| now - joined < chrono::Duration::days(NEW_ACCOUNT_DAYS));
    let weight = trusted / doubted * if young { 0.5 } else { 1.0 };
    weight.clamp(0.1, 3.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(upheld: i64, rejected: i64, age_days: i64) -> (FlaggerRecord, DateTime<Utc>) {
        let now = Utc::now();
        (
            FlaggerRecord {
                upheld,
                rejected,
                joined: Some(now - chrono::Duration::days(age_days)),
            },
            now,
        )
    }

    fn weight(upheld: i64, rejected: i64, age_days: i64) -> f32 {
        let (r, now) = record(upheld, rejected, age_days);
        flag_weight(r, now)
    }

    #[test]
    fn an_ordinary_member_flags_with_weight_one() {
        assert_eq!(weight(0, 0, 30), 1.0);
    }

    #[test]
    fn upheld_flags_weigh_more_up_to_a_cap() {
        assert_eq!(weight(1, 0, 30), 1.5);
        assert_eq!(weight(4, 0, 30), 3.0);
        assert_eq!(weight(40, 0, 30), 3.0);
    }

    #[test]
    fn rejected_flags_and_new_accounts_weigh_less() {
        assert_eq!(weight(0, 2, 30), 0.5);
        assert_eq!(weight(0, 0, 2), 0.5);
        assert_eq!(weight(0, 2, 2), 0.25);
        assert!(weight(0, 1000, 1) >= 0.1);
        assert!(weight(2, 2, 30) > weight(0, 2, 30));
    }

    #[test]
    fn a_flag_needs_a_known_reason_and_other_needs_a_note() {
        assert!(NewFlag::parse("scam", "").is_ok());
        assert!(
            NewFlag::parse("bogus", "")
                .unwrap_err()
                .get("reason")
                .is_some()
        );
        assert!(
            NewFlag::parse("other", "  ")
                .unwrap_err()
                .get("note")
                .is_some()
        );
        let flag = NewFlag::parse("other", " Duplicate of 12 \r\n").unwrap();
        assert_eq!(flag.note, "Duplicate of 12");
        let long = "x".repeat(FLAG_NOTE_MAX + 1);
        assert!(
            NewFlag::parse("spam", &long)
                .unwrap_err()
                .get("note")
                .is_some()
        );
    }

    #[test]
    fn a_reason_is_short_plain_text() {
        assert!(Reason::parse("  ").is_err());
        assert!(Reason::parse("bad\u{7}").is_err());
        assert!(Reason::parse(&"x".repeat(REASON_MAX + 1)).is_err());
        assert_eq!(
            Reason::parse(" Stolen goods\r\n").unwrap().as_str(),
            "Stolen goods"
        );
    }
}
