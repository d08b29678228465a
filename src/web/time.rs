//! Times as people read them.

use chrono::{DateTime, Utc};

/// "just now", "5 minutes ago", "3 hours ago", "2 days ago", then the date.
pub fn ago(when: DateTime<Utc>, now: DateTime<Utc>) -> String {
    let secs = (now - when).num_seconds().max(0);
    let plural = |n: i64, unit: &str| {
        if n == 1 {
            format!("1 {unit} ago")
        } else {
            format!("{n} {unit}s ago")
        }
    };
    match secs {
        0..60 => "just now".into(),
        60..3600 => plural(secs / 60, "minute"),
        3600..86_400 => plural(secs / 3600, "hour"),
        86_400..2_592_000 => plural(secs / 86_400, "day"),
        _ => {
            use chrono::Datelike;
            // "Jun 3, 2026", as `%b %-d, %Y` writes it, without parsing a format per card.
            const MONTHS: [&str; 12] = [
                "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
            ];
            let month = MONTHS[when.month0() as usize];
            format!("{month} {}, {}", when.day(), when.year())
        }
    }
}

/// A length of time as people say it: "less than a minute", "5 minutes", "3 hours",
/// "12 days".
pub fn span(length: chrono::Duration) -> String {
    let secs = length.num_seconds().max(0);
    let plural = |n: i64, unit: &str| {
        if n == 1 {
            format!("1 {unit}")
        } else {
            format!("{n} {unit}s")
        }
    };
    match secs {
        0..60 => "less than a minute".into(),
        60..3600 => plural(secs / 60, "minute"),
        3600..86_400 => plural(secs / 3600, "hour"),
        _ => plural(secs / 86_400, "day"),
    }
}

/// The exact time, for tooltips: "2026-11-21 14:05 UTC". (Written field by field: every card
/// of every list shows one, and chrono's `format` parses its pattern each time.)
pub fn exact(when: DateTime<Utc>) -> String {
    use chrono::{Datelike, Timelike};
    use std::fmt::Write;
    let mut out = String::with_capacity(20);
    let _ = write!(
        out,
        "{:04}-{:02}-{:02} {:02}:{:02} UTC",
        when.year(),
        when.month(),
        when.day(),
        when.hour(),
        when.minute()
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Duration;

    #[test]
    fn spans_read_as_people_say_them() {
        assert_eq!(span(Duration::seconds(-5)), "less than a minute");
        assert_eq!(span(Duration::seconds(59)), "less than a minute");
        assert_eq!(span(Duration::minutes(1)), "1 minute");
        assert_eq!(span(Duration::hours(5)), "5 hours");
        assert_eq!(span(Duration::days(40)), "40 days");
    }

    #[test]
    fn exact_times_read_as_chrono_formats_them() {
        for at in [
            "2026-11-21T14:05:09Z",
            "0999-01-02T03:04:05Z",
            "2026-12-31T23:59:59Z",
        ] {
            let when = DateTime::parse_from_rfc3339(at).unwrap().to_utc();
            assert_eq!(
                exact(when),
                when.format("%Y-%m-%d %H:%M UTC").to_string(),
                "{at}"
            );
        }
    }

    #[test]
    fn recent_times_are_relative() {
        let now = Utc::now();
        assert_eq!(ago(now, now), "just now");
        assert_eq!(ago(now - Duration::minutes(1), now), "1 minute ago");
        assert_eq!(ago(now - Duration::hours(3), now), "3 hours ago");
        assert_eq!(ago(now - Duration::days(2), now), "2 days ago");
        let old = DateTime::parse_from_rfc3339("2020-01-05T00:00:00Z")
            .unwrap()
            .to_utc();
        assert_eq!(ago(old, now), "Jan 5, 2020");
    }

    #[test]
    fn old_times_read_as_chrono_formats_them() {
        let now = DateTime::parse_from_rfc3339("2030-01-01T00:00:00Z")
            .unwrap()
            .to_utc();
        for month in 1..=12 {
            let at = format!("2026-{month:02}-{}T10:00:00Z", month + 10);
            let when = DateTime::parse_from_rfc3339(&at).unwrap().to_utc();
            assert_eq!(
                ago(when, now),
                when.format("%b %-d, %Y").to_string(),
                "{at}"
            );
        }
    }
}
