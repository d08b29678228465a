//! Chat rooms' input, parsed: the share key, the room's name, a chat name.

use rand::RngCore;

use crate::web::text::refuse_control_characters;

/// The longest room name.
pub const MAX_ROOM_NAME_CHARS: usize = 80;
/// The longest chat name.
pub const MAX_CHAT_NAME_CHARS: usize = 32;

/// A room's share key: 192 random bits as 48 hex digits. Keys from elsewhere
/// are read only as far as their shape: a wrong one is simply not found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoomKey(String);

impl RoomKey {
    pub fn generate() -> Self {
        let mut bytes = [0u8; 24];
        rand::rng().fill_bytes(&mut bytes);
        Self(hex::encode(bytes))
    }

    /// A key of the shape we make (22 to 64 URL-safe characters), or none.
    pub fn parse(input: &str) -> Option<Self> {
        let ok = (22..=64).contains(&input.len())
            && input
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        ok.then(|| Self(input.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The room's page.
    pub fn path(&self) -> String {
        format!("/rooms/{}", self.0)
    }
}

/// One line of text: spaces tidied, `1..=max` characters, no control characters.
fn one_line(input: &str, max: usize, empty: &str) -> Result<String, String> {
    let text = input.split_whitespace().collect::<Vec<_>>().join(" ");
    if text.is_empty() {
        return Err(empty.into());
    }
    if text.chars().count() > max {
        return Err(format!("Use at most {max} characters."));
    }
    refuse_control_characters(&text)?;
    Ok(text)
}

/// A room's name.
pub fn parse_room_name(input: &str) -> Result<String, String> {
    one_line(input, MAX_ROOM_NAME_CHARS, "Give the room a name.")
}

/// The name someone chats under.
pub fn parse_chat_name(input: &str) -> Result<String, String> {
    one_line(
        input,
        MAX_CHAT_NAME_CHARS,
        "Say what we should call you in the room.",
    )
}

/// The names to try, in order, for `name` in a room where others may have it: the name, then
/// "name 2" … "name 9", then with a random four-digit tag (a bounded number of tries).
pub fn name_candidates(name: &str) -> Vec<String> {
    let mut names = vec![name.to_owned()];
    names.extend((2..=9).map(|n| format!("{name} {n}")));
    for _ in 0..4 {
        names.push(format!("{name} #{:04}", rand::rng().next_u32() % 10_000));
    }
    names
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_long_random_and_url_safe() {
        let a = RoomKey::generate();
        let b = RoomKey::generate();
        assert_ne!(a, b);
        assert_eq!(a.as_str().len(), 48);
        assert_eq!(RoomKey::parse(a.as_str()), Some(a.clone()));
        assert_eq!(RoomKey::parse("short"), None);
        assert_eq!(RoomKey::parse("not/a/key/not/a/key/not/a/key"), None);
        assert_eq!(RoomKey::parse(&"x".repeat(65)), None);
    }

    #[test]
    fn names_are_one_tidy_line() {
        assert_eq!(parse_chat_name("  Ada   L. "), Ok("Ada L.".into()));
        assert!(parse_chat_name("   ").is_err());
        assert!(parse_chat_name(&"x".repeat(33)).is_err());
        assert!(parse_chat_name("bell\u{7}").is_err());
        assert_eq!(parse_room_name("Yard  sale"), Ok("Yard sale".into()));
        assert!(parse_room_name(&"y".repeat(81)).is_err());
        let tries = name_candidates("Ada");
        assert_eq!(&tries[..3], ["Ada", "Ada 2", "Ada 3"]);
        assert_eq!(tries.len(), 13);
    }
}
