//! Text as it comes in and as it goes out.
//!
//! Policy: no stored text holds a control character, except line breaks and tabs in text that
//! has lines (bodies, bios). They are refused at the edge, with a message next to the field,
//! because they break what the text is shown in (an Atom feed is not XML with one in it) and
//! hide things from readers. What a feed prints is cleaned once more on the way out, for text
//! stored before this rule.

/// Why a text was refused.
pub const CONTROL_CHARACTERS: &str =
    "Remove the invisible control characters (they may have come with a copy and paste).";

/// Whether `c` may appear in stored text; `multiline` allows line breaks and tabs.
fn allowed(c: char, multiline: bool) -> bool {
    match c {
        '\n' | '\t' => multiline,
        // Line and paragraph separators break lines where one-line text has none.
        '\u{2028}' | '\u{2029}' => multiline,
        // Not characters at all in XML.
        '\u{FFFE}' | '\u{FFFF}' => false,
        c => !c.is_control(),
    }
}

/// Refuses one-line text (a title, a name) holding a control character.
pub fn refuse_control_characters(text: &str) -> Result<(), String> {
    if text.chars().all(|c| allowed(c, false)) {
        Ok(())
    } else {
        Err(CONTROL_CHARACTERS.to_owned())
    }
}

/// Refuses text with lines (a body, a bio) holding a control character other than a line
/// break or a tab. (`\r` is expected to have been folded into `\n` already.)
pub fn refuse_control_characters_in_lines(text: &str) -> Result<(), String> {
    if text.chars().all(|c| allowed(c, true)) {
        Ok(())
    } else {
        Err(CONTROL_CHARACTERS.to_owned())
    }
}

/// `text` without the characters XML 1.0 does not allow, for feeds.
pub fn xml_safe(text: &str) -> String {
    text.chars()
        .filter(|&c| {
            matches!(c, '\t' | '\n' | '\r')
                || (c >= ' ' && c != '\u{FFFE}' && c != '\u{FFFF}' && c != '\u{7F}')
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_line_text_holds_no_control_character() {
        assert!(refuse_control_characters("Blue bike, 21 speeds — “like new”").is_ok());
        for bad in [
            "a\u{1}b",
            "a\nb",
            "tab\there",
            "nul\0",
            "del\u{7f}",
            "c1\u{85}",
            "\u{2028}",
            "\u{FFFF}",
        ] {
            assert!(refuse_control_characters(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn text_with_lines_keeps_breaks_and_tabs_only() {
        assert!(refuse_control_characters_in_lines("one\ntwo\tthree").is_ok());
        for bad in ["a\u{1}b", "bell\u{7}", "esc\u{1b}[31m", "nul\0"] {
            assert!(refuse_control_characters_in_lines(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn feeds_get_only_what_xml_allows() {
        assert_eq!(xml_safe("a\u{1}b\u{b}c\td\ne\u{FFFF}"), "abc\td\ne");
        assert_eq!(xml_safe("plain “text”"), "plain “text”");
    }
}
