//! What a message is, parsed at the edge: its text, a video link, the kinds of conversation
//! and message, and the signs of a scam a first message can carry.

use url::Url;

use crate::web::text::refuse_control_characters_in_lines;

/// The longest message text, in characters.
pub const MAX_TEXT_CHARS: usize = 5_000;

crate::text_enum! {
    /// What a conversation is (and so who may join it).
    pub enum ConversationKind {
        /// About a listing, between its seller and one buyer.
        Listing => "listing",
        /// Between two members, about nothing in particular.
        Direct => "direct",
        /// A chat room joined through its share link.
        Room => "room",
        /// Opened by a mutual yes in "meet people".
        Match => "match",
    }
}

crate::text_enum! {
    /// What a message carries.
    pub enum MessageKind {
        Text => "text",
        Image => "image",
        Video => "video",
        /// A note from the site, written by nobody ("You matched on: hiking").
        System => "system",
    }
}

crate::text_enum! {
    /// Where a linked video lives.
    pub enum VideoSource {
        YouTube => "youtube",
        Vimeo => "vimeo",
        Vevo => "vevo",
    }
}

impl VideoSource {
    /// The name a reader knows it by.
    pub fn label(self) -> &'static str {
        match self {
            VideoSource::YouTube => "YouTube",
            VideoSource::Vimeo => "Vimeo",
            VideoSource::Vevo => "Vevo",
        }
    }
}

/// The text of a message: trimmed, not empty, at most [`MAX_TEXT_CHARS`] characters, no
/// control characters but line breaks and tabs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessageText(String);

impl MessageText {
    pub fn parse(input: &str) -> Result<Self, String> {
        let text = input.replace("\r\n", "\n").replace('\r', "\n");
        let text = text.trim();
        if text.is_empty() {
            return Err("Write a message.".into());
        }
        let chars = text.chars().count();
        if chars > MAX_TEXT_CHARS {
            return Err(format!(
                "Use at most 5,000 characters (this has {}).",
                crate::listings::domain::group_thousands(chars as i64)
            ));
        }
        refuse_control_characters_in_lines(text)?;
        Ok(Self(text.to_owned()))
    }

    /// Text that was already checked (read back from the database).
    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_inner(self) -> String {
        self.0
    }
}

/// A link to a video on YouTube, Vimeo or Vevo, as a source and the video's id there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VideoLink {
    pub source: VideoSource,
    pub id: String,
    /// How long it runs, when the sender said.
    pub seconds: Option<i32>,
}

/// The largest width or height an image link may claim, in pixels.
pub const MAX_IMAGE_SIDE: i64 = 20_000;

/// A link to an image elsewhere: an absolute `http(s)` URL with a host, at most 2,048
/// characters.
pub fn parse_image_url(input: &str) -> Result<String, String> {
    let input = input.trim();
    if input.is_empty() {
        return Err("Give the image's link.".into());
    }
    if input.chars().count() > 2048 {
        return Err("Use a link of at most 2,048 characters.".into());
    }
    match Url::parse(input) {
        Ok(url) if matches!(url.scheme(), "http" | "https") && url.host_str().is_some() => {
            Ok(url.to_string())
        }
        _ => Err("Give a full link starting with https://.".into()),
    }
}

/// An image link's width or height: 1 to [`MAX_IMAGE_SIDE`] pixels.
pub fn parse_image_side(pixels: i64) -> Result<i32, String> {
    if (1..=MAX_IMAGE_SIDE).contains(&pixels) {
        Ok(pixels as i32)
    } else {
        Err(format!("Give a size from 1 to {MAX_IMAGE_SIDE} pixels."))
    }
}

/// Why a video link was refused.
pub const UNSUPPORTED_VIDEO: &str =
    "Paste a link to a video on YouTube, Vimeo or Vevo (like https://www.youtube.com/watch?v=…).";

impl VideoLink {
    /// Reads a pasted URL (and an optional length, in seconds or as m:ss).
    pub fn parse(url: &str, length: &str) -> Result<Self, (&'static str, String)> {
        let url = url.trim();
        let (source, id) = video_id(url).ok_or(("video_url", UNSUPPORTED_VIDEO.to_owned()))?;
        let seconds = parse_length(length).map_err(|message| ("video_length", message))?;
        Ok(Self {
            source,
            id,
            seconds,
        })
    }

    /// The page where the video plays.
    pub fn url(&self) -> String {
        watch_url(self.source, &self.id)
    }
}

/// The page where a video plays.
pub fn watch_url(source: VideoSource, id: &str) -> String {
    match source {
        VideoSource::YouTube => format!("https://www.youtube.com/watch?v={id}"),
        VideoSource::Vimeo => format!("https://vimeo.com/{id}"),
        VideoSource::Vevo => format!("https://www.vevo.com/watch/{id}"),
    }
}

/// `1:05:09`, `4:20` or `260` as seconds; nothing for an empty field.
pub fn parse_length(input: &str) -> Result<Option<i32>, String> {
    let input = input.trim();
    if input.is_empty() {
        return Ok(None);
    }
    const WRONG: &str = "Give the length as minutes:seconds (like 4:20) or in seconds.";
    let parts: Vec<&str> = input.split(':').collect();
    if parts.len() > 3
        || parts
            .iter()
            .any(|p| p.is_empty() || p.len() > 6 || !p.bytes().all(|b| b.is_ascii_digit()))
    {
        return Err(WRONG.into());
    }
    let mut seconds: i64 = 0;
    for (i, part) in parts.iter().enumerate() {
        let n: i64 = part.parse().map_err(|_| WRONG.to_owned())?;
        // Minutes and seconds after the first part are below 60.
        if i > 0 && n >= 60 {
            return Err(WRONG.into());
        }
        seconds = seconds * 60 + n;
    }
    if seconds > 24 * 60 * 60 {
        return Err("A video linked here runs at most 24 hours.".into());
    }
    Ok(Some(seconds as i32))
}

fn is_youtube_id(id: &str) -> bool {
    id.len() == 11
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// The source and id of a video URL, if it is one we know.
fn video_id(input: &str) -> Option<(VideoSource, String)> {
    if input.len() > 2_000 {
        return None;
    }
    let url = Url::parse(input).ok()?;
    if !matches!(url.scheme(), "http" | "https") {
        return None;
    }
    let host = url.host_str()?.to_ascii_lowercase();
    let host = host.strip_prefix("www.").unwrap_or(&host);
    let segments: Vec<&str> = url
        .path_segments()
        .map(|s| s.filter(|p| !p.is_empty()).collect())
        .unwrap_or_default();
    match host {
        "youtube.com" | "m.youtube.com" | "music.youtube.com" | "youtube-nocookie.com" => {
            let id = match segments.as_slice() {
                ["watch"] => url
                    .query_pairs()
                    .find(|(k, _)| k == "v")
                    .map(|(_, v)| v.into_owned())?,
                ["shorts" | "embed" | "live" | "v", id] => (*id).to_owned(),
                _ => return None,
            };
            is_youtube_id(&id).then_some((VideoSource::YouTube, id))
        }
        "youtu.be" => match segments.as_slice() {
            [id] if is_youtube_id(id) => Some((VideoSource::YouTube, (*id).to_owned())),
            _ => None,
        },
        "vimeo.com" | "player.vimeo.com" => {
            // vimeo.com/123, vimeo.com/channels/x/123, player.vimeo.com/video/123
            let id = segments
                .iter()
                .rev()
                .find(|s| s.bytes().all(|b| b.is_ascii_digit()))?;
            (id.len() <= 12).then(|| (VideoSource::Vimeo, (*id).to_owned()))
        }
        "vevo.com" => match segments.as_slice() {
            // vevo.com/watch/<artist>/<title>/<ISRC> or vevo.com/watch/<ISRC>
            ["watch", .., isrc] => {
                let isrc = isrc.to_ascii_uppercase();
                (isrc.len() == 12 && isrc.bytes().all(|b| b.is_ascii_alphanumeric()))
                    .then_some((VideoSource::Vevo, isrc))
            }
            _ => None,
        },
        _ => None,
    }
}

/// Why a first message deserves a word of caution to its reader.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Caution {
    /// It asks to go on by phone, e-mail or a messaging app, away from this site.
    OffSite,
    /// It brings up a way of paying that scams favour.
    Payment,
    /// It proposes a deal by shipping only, with no meeting.
    ShippingOnly,
    /// It asks for a verification code.
    VerificationCode,
}

impl Caution {
    /// What the banner says.
    pub fn explanation(self) -> &'static str {
        match self {
            Caution::OffSite => {
                "It asks to move the conversation off this site (a phone number, an e-mail address or a messaging app). Scammers do this to avoid our safety checks."
            }
            Caution::Payment => {
                "It mentions gift cards, wire transfers or cashier's checks. These payments are hard to undo and common in scams."
            }
            Caution::ShippingOnly => {
                "It proposes shipping only, with no meeting. Deal locally and in person when you can."
            }
            Caution::VerificationCode => {
                "It asks for a verification code. Never share a code sent to your phone or e-mail: it can be used to take over your accounts."
            }
        }
    }
}

const MESSAGING_APPS: &[&str] = &[
    "whatsapp",
    "whats app",
    "telegram",
    "wechat",
    "viber",
    "kik me",
    "snapchat",
    "on signal",
    "signal app",
    "facebook messenger",
    "text me",
    "email me",
    "e-mail me",
];
const PAYMENTS: &[&str] = &[
    "gift card",
    "giftcard",
    "itunes card",
    "steam card",
    "google play card",
    "wire transfer",
    "wire the money",
    "wire you",
    "western union",
    "moneygram",
    "cashier's check",
    "cashiers check",
    "cashier check",
    "cashier’s check",
    "certified check",
    "money order",
];
const SHIPPING: &[&str] = &[
    "shipping only",
    "ship it to me",
    "ship it to my",
    "ship the item",
    "my courier",
    "courier will",
    "shipping agent",
    "pickup agent",
    "pick-up agent",
    "i will arrange shipping",
    "i'll arrange shipping",
    "i can't meet",
    "i cannot meet",
];
const CODES: &[&str] = &[
    "verification code",
    "verify code",
    "confirmation code",
    "6-digit code",
    "6 digit code",
    "google voice code",
    "send me the code",
    "code you received",
    "code you got",
];

/// The reasons for caution a message gives, in a fixed order, each once.
pub fn cautions(text: &str) -> Vec<Caution> {
    let lower = text.to_lowercase();
    let has = |words: &[&str]| words.iter().any(|w| lower.contains(w));
    let mut found = Vec::new();
    if has(MESSAGING_APPS) || has_phone_number(text) || has_email_address(text) {
        found.push(Caution::OffSite);
    }
    if has(PAYMENTS) {
        found.push(Caution::Payment);
    }
    if has(SHIPPING) {
        found.push(Caution::ShippingOnly);
    }
    if has(CODES) {
        found.push(Caution::VerificationCode);
    }
    found
}

/// Ten to fifteen digits written as one number (`(555) 123-4567`, `+1 555 123 4567`,
/// `555.123.4567`): a phone number, not a price or a year.
fn has_phone_number(text: &str) -> bool {
    let mut digits = 0;
    for c in text.chars().chain(std::iter::once('\n')) {
        match c {
            '0'..='9' => digits += 1,
            ' ' | '-' | '.' | '(' | ')' | '+' => {}
            _ => {
                if (10..=15).contains(&digits) {
                    return true;
                }
                digits = 0;
            }
        }
    }
    false
}

/// Something shaped like `name@host.tld`.
fn has_email_address(text: &str) -> bool {
    text.split(|c: char| c.is_whitespace() || matches!(c, '<' | '>' | ',' | ';' | '(' | ')'))
        .any(|word| {
            let Some((local, domain)) = word.split_once('@') else {
                return false;
            };
            let domain = domain.trim_end_matches(['.', '!', '?']);
            !local.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && domain.rsplit('.').next().is_some_and(|tld| {
                    tld.len() >= 2 && tld.chars().all(|c| c.is_ascii_alphabetic())
                })
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn message_text_is_trimmed_bounded_and_clean() {
        assert_eq!(
            MessageText::parse("  hi\r\nthere ").unwrap().as_str(),
            "hi\nthere"
        );
        assert!(MessageText::parse(" \n ").is_err());
        assert!(MessageText::parse(&"a".repeat(5_000)).is_ok());
        let long = MessageText::parse(&"a".repeat(5_001)).unwrap_err();
        assert!(long.contains("5,001"), "{long}");
        assert!(MessageText::parse("bell\u{7}").is_err());
    }

    #[test]
    fn video_links_of_each_source() {
        for (url, source, id) in [
            (
                "https://www.youtube.com/watch?v=dQw4w9WgXcQ",
                VideoSource::YouTube,
                "dQw4w9WgXcQ",
            ),
            (
                "https://youtube.com/watch?feature=share&v=dQw4w9WgXcQ&t=42",
                VideoSource::YouTube,
                "dQw4w9WgXcQ",
            ),
            (
                "https://m.youtube.com/watch?v=dQw4w9WgXcQ",
                VideoSource::YouTube,
                "dQw4w9WgXcQ",
            ),
            (
                "https://youtu.be/dQw4w9WgXcQ?si=abc",
                VideoSource::YouTube,
                "dQw4w9WgXcQ",
            ),
            (
                "https://www.youtube.com/shorts/dQw4w9WgXcQ",
                VideoSource::YouTube,
                "dQw4w9WgXcQ",
            ),
            ("https://vimeo.com/76979871", VideoSource::Vimeo, "76979871"),
            (
                "https://vimeo.com/channels/staffpicks/76979871",
                VideoSource::Vimeo,
                "76979871",
            ),
            (
                "https://player.vimeo.com/video/76979871",
                VideoSource::Vimeo,
                "76979871",
            ),
            (
                "https://www.vevo.com/watch/rick-astley/never-gonna-give-you-up/GBARL9300135",
                VideoSource::Vevo,
                "GBARL9300135",
            ),
        ] {
            let link = VideoLink::parse(url, "").unwrap_or_else(|e| panic!("{url}: {e:?}"));
            assert_eq!((link.source, link.id.as_str()), (source, id), "{url}");
        }
        let link = VideoLink::parse("https://youtu.be/dQw4w9WgXcQ", "3:33").unwrap();
        assert_eq!(link.seconds, Some(213));
        assert_eq!(link.url(), "https://www.youtube.com/watch?v=dQw4w9WgXcQ");
    }

    #[test]
    fn other_links_are_refused_with_their_field() {
        for url in [
            "",
            "not a url",
            "javascript:alert(1)",
            "ftp://youtube.com/watch?v=dQw4w9WgXcQ",
            "https://www.youtube.com/watch?v=short",
            "https://www.youtube.com/watch?v=dQw4w9WgXcQ<script>",
            "https://youtube.com.evil.example/watch?v=dQw4w9WgXcQ",
            "https://evil.example/?u=https://youtu.be/dQw4w9WgXcQ",
            "https://vimeo.com/about",
            "https://www.vevo.com/artist/rick-astley",
            "https://dailymotion.com/video/x7tgad0",
        ] {
            assert_eq!(
                VideoLink::parse(url, "").unwrap_err().0,
                "video_url",
                "{url}"
            );
        }
        for length in ["abc", "1:75", "-5", "1::2", "99999999", "25:00:00"] {
            assert_eq!(
                VideoLink::parse("https://youtu.be/dQw4w9WgXcQ", length)
                    .unwrap_err()
                    .0,
                "video_length",
                "{length}"
            );
        }
        assert_eq!(parse_length("1:02:03"), Ok(Some(3723)));
        assert_eq!(parse_length(" 90 "), Ok(Some(90)));
    }

    #[test]
    fn cautions_name_each_pattern() {
        for (text, caution) in [
            ("Text me at (555) 123-4567 please", Caution::OffSite),
            ("call +1 555 123 4567", Caution::OffSite),
            ("my number is 5551234567", Caution::OffSite),
            ("write to jane.doe@example.com.", Caution::OffSite),
            ("Can we talk on WhatsApp?", Caution::OffSite),
            ("add me on Telegram", Caution::OffSite),
            ("I'll pay with a gift card", Caution::Payment),
            ("I can send a wire transfer today", Caution::Payment),
            ("I will mail a cashier's check", Caution::Payment),
            ("Western Union works for me", Caution::Payment),
            (
                "I'm away, my courier will pick it up",
                Caution::ShippingOnly,
            ),
            ("shipping only, I pay extra", Caution::ShippingOnly),
            (
                "send me the verification code you got",
                Caution::VerificationCode,
            ),
            ("what's the 6-digit code?", Caution::VerificationCode),
        ] {
            assert!(
                cautions(text).contains(&caution),
                "{text}: {:?}",
                cautions(text)
            );
        }
    }

    #[test]
    fn ordinary_messages_raise_no_caution() {
        for text in [
            "Hi! Is the bike still available? Could I see it Saturday at 10?",
            "Would you take $1,200 for it? It's a 2015 model, right?",
            "I'm at 123 Main St, apartment 4B. Zip 94110.",
            "Great, see you at the coffee shop at 5:30. Cash is fine.",
            "The listing says 21 speeds and a 56 cm frame; is that right?",
            "Thanks, I'll check my calendar and let you know tomorrow.",
        ] {
            assert_eq!(cautions(text), Vec::<Caution>::new(), "{text}");
        }
    }
}
