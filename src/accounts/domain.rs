//! Account input, parsed into types that can only hold valid values.

use std::collections::HashSet;
use std::sync::LazyLock;

use serde::Deserialize;

use crate::web::FieldErrors;

/// 3–30 letters, digits, `_` or `-`; unique whatever the letter case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Username(String);

/// Names that would confuse people or collide with site paths.
const RESERVED_USERNAMES: &[&str] = &[
    "admin",
    "administrator",
    "root",
    "system",
    "support",
    "help",
    "corkboard",
    "moderator",
    "staff",
    "security",
    "abuse",
    "postmaster",
    "webmaster",
    "me",
    "settings",
    "login",
    "logout",
    "signup",
    "new",
    "null",
    "undefined",
    "deleted",
    "anonymous",
];

impl Username {
    pub fn parse(input: &str) -> Result<Self, String> {
        let name = input.trim();
        let len = name.chars().count();
        if len == 0 {
            return Err("Choose a username.".into());
        }
        if !(3..=30).contains(&len) {
            return Err("Use 3 to 30 characters.".into());
        }
        if !name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        {
            return Err("Use only letters, digits, _ and -.".into());
        }
        let lower = name.to_ascii_lowercase();
        if RESERVED_USERNAMES.contains(&lower.as_str()) || lower.starts_with("deleted-") {
            return Err("That username is reserved. Choose another.".into());
        }
        Ok(Self(name.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// An e-mail address: one `@`, a dotted domain, no spaces, at most 254 characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Email(String);

impl Email {
    pub fn parse(input: &str) -> Result<Self, String> {
        let email = input.trim();
        if email.is_empty() {
            return Err("Enter your e-mail address.".into());
        }
        let invalid = || "Enter an e-mail address like name@example.com.".to_owned();
        if email.len() > 254 || email.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(invalid());
        }
        let Some((local, domain)) = email.rsplit_once('@') else {
            return Err(invalid());
        };
        let domain_ok = domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && !domain.contains("..")
            && !domain.contains('@');
        if local.is_empty() || local.len() > 64 || local.contains('@') || !domain_ok {
            return Err(invalid());
        }
        Ok(Self(email.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The list in `data/common-passwords.txt`, lower-cased.
static COMMON_PASSWORDS: LazyLock<HashSet<&'static str>> = LazyLock::new(|| {
    include_str!("../../data/common-passwords.txt")
        .lines()
        .collect()
});

/// A new password: 10–128 characters of anything, not a well-known one, not the username or
/// e-mail address.
#[derive(Clone, PartialEq, Eq)]
pub struct NewPassword(String);

impl std::fmt::Debug for NewPassword {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("NewPassword(..)")
    }
}

impl NewPassword {
    pub const MIN_CHARS: usize = 10;
    pub const MAX_CHARS: usize = 128;

    /// `username` and `email` are what the account will have, to refuse a password that
    /// merely repeats them.
    pub fn parse(input: &str, username: &str, email: &str) -> Result<Self, String> {
        let len = input.chars().count();
        if len == 0 {
            return Err("Choose a password.".into());
        }
        if len < Self::MIN_CHARS {
            return Err(format!(
                "Use at least {} characters. A few unrelated words make a strong password.",
                Self::MIN_CHARS
            ));
        }
        if len > Self::MAX_CHARS {
            return Err(format!("Use at most {} characters.", Self::MAX_CHARS));
        }
        let lower = input.to_lowercase();
        if COMMON_PASSWORDS.contains(lower.as_str()) {
            return Err(
                "That password is one of the most common ones and easy to guess. Choose another."
                    .into(),
            );
        }
        if input.chars().all(|c| input.starts_with(c)) {
            return Err("That password is too easy to guess. Choose another.".into());
        }
        let username = username.trim().to_lowercase();
        let email = email.trim().to_lowercase();
        if (!username.is_empty() && lower == username) || (!email.is_empty() && lower == email) {
            return Err("Your password must not be your username or e-mail address.".into());
        }
        Ok(Self(input.to_owned()))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

/// At most 50 characters, no control characters; empty means "show my username".
pub fn parse_display_name(input: &str) -> Result<String, String> {
    let name = input.trim();
    if name.chars().count() > 50 {
        return Err("Use at most 50 characters.".into());
    }
    crate::web::text::refuse_control_characters(name)?;
    Ok(name.to_owned())
}

/// At most 1,000 characters; line breaks are kept (as `\n`).
pub fn parse_bio(input: &str) -> Result<String, String> {
    let bio = input.replace("\r\n", "\n").trim().to_owned();
    if bio.chars().count() > 1000 {
        return Err("Use at most 1,000 characters.".into());
    }
    crate::web::text::refuse_control_characters_in_lines(&bio)?;
    Ok(bio)
}

/// A five-digit US ZIP code, or nothing.
pub fn parse_zip(input: &str) -> Result<Option<String>, String> {
    let zip = input.trim();
    if zip.is_empty() {
        return Ok(None);
    }
    if zip.len() == 5 && zip.bytes().all(|b| b.is_ascii_digit()) {
        Ok(Some(zip.to_owned()))
    } else {
        Err("Enter a five-digit ZIP code, like 94110.".into())
    }
}

/// The sign-up form as submitted. Missing fields are empty, so they get field errors.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct SignUpForm {
    pub username: String,
    pub email: String,
    pub password: String,
}

/// A valid sign-up.
#[derive(Debug)]
pub struct NewAccount {
    pub username: Username,
    pub email: Email,
    pub password: NewPassword,
}

impl SignUpForm {
    pub fn parse(&self) -> Result<NewAccount, FieldErrors> {
        let mut errors = FieldErrors::new();
        let username = errors.take("username", Username::parse(&self.username));
        let email = errors.take("email", Email::parse(&self.email));
        let password = errors.take(
            "password",
            NewPassword::parse(&self.password, &self.username, &self.email),
        );
        match (username, email, password) {
            (Some(username), Some(email), Some(password)) if errors.is_empty() => Ok(NewAccount {
                username,
                email,
                password,
            }),
            _ => Err(errors),
        }
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct LogInForm {
    /// Username or e-mail address.
    pub login: String,
    pub password: String,
    pub next: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ProfileForm {
    pub display_name: String,
    pub bio: String,
    pub home_zip: String,
}

/// Valid profile settings.
#[derive(Debug)]
pub struct ProfileUpdate {
    pub display_name: String,
    pub bio: String,
    pub home_zip: Option<String>,
}

impl ProfileForm {
    pub fn parse(&self) -> Result<ProfileUpdate, FieldErrors> {
        let mut errors = FieldErrors::new();
        let display_name = errors.take("display_name", parse_display_name(&self.display_name));
        let bio = errors.take("bio", parse_bio(&self.bio));
        let home_zip = errors.take("home_zip", parse_zip(&self.home_zip));
        match (display_name, bio, home_zip) {
            (Some(display_name), Some(bio), Some(home_zip)) => Ok(ProfileUpdate {
                display_name,
                bio,
                home_zip,
            }),
            _ => Err(errors),
        }
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct EmailForm {
    pub email: String,
    pub current_password: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct PasswordForm {
    pub current_password: String,
    pub new_password: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct DeleteAccountForm {
    pub current_password: String,
}

pub use crate::web::respond::safe_next;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usernames_follow_the_rules() {
        for ok in ["abc", "Jo_Smith-2", &"a".repeat(30)] {
            assert!(Username::parse(ok).is_ok(), "{ok}");
        }
        assert_eq!(Username::parse("  bob  ").unwrap().as_str(), "bob");
        for bad in [
            "",
            "ab",
            &"a".repeat(31),
            "bob smith",
            "bob!",
            "<b>x</b>",
            "jürgen",
            "Admin",
            "deleted-42",
        ] {
            assert!(Username::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn emails_need_a_local_part_and_a_dotted_domain() {
        for ok in ["a@b.co", "first.last+tag@example.org", " x@y.z "] {
            assert!(Email::parse(ok).is_ok(), "{ok}");
        }
        for bad in [
            "",
            "plain",
            "@example.com",
            "a@",
            "a@localhost",
            "a b@c.d",
            "a@b..c",
            "a@.b.c",
            "a@b.c.",
            &format!("{}@b.co", "x".repeat(65)),
        ] {
            assert!(Email::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn passwords_need_ten_to_128_characters() {
        assert!(NewPassword::parse("nine chrs", "u", "e@x.y").is_err());
        assert!(NewPassword::parse("ten chars!", "u", "e@x.y").is_ok());
        assert!(NewPassword::parse(&"ab".repeat(64), "u", "e@x.y").is_ok());
        assert!(NewPassword::parse(&"ab".repeat(64).replacen('a', "ab", 1), "u", "e@x.y").is_err());
        // Characters, not bytes: ten accented letters are enough.
        assert!(NewPassword::parse("éàüöçñßøåæ", "u", "e@x.y").is_ok());
    }

    #[test]
    fn common_and_trivial_passwords_are_refused() {
        for bad in ["password123", "1234567890", "QwertyUiop", "aaaaaaaaaaaa"] {
            let err = NewPassword::parse(bad, "u", "e@x.y").unwrap_err();
            assert!(err.contains("guess"), "{bad}: {err}");
        }
        assert!(NewPassword::parse("longusername", "LongUsername", "e@x.y").is_err());
    }

    #[test]
    fn a_sign_up_collects_every_field_error() {
        let form = SignUpForm {
            username: "x".into(),
            email: "nope".into(),
            password: "short".into(),
        };
        let errors = form.parse().unwrap_err();
        assert_eq!(errors.len(), 3);
        assert!(errors.get("username").is_some());
        assert!(errors.get("email").is_some());
        assert!(errors.get("password").is_some());
    }

    #[test]
    fn profile_fields_are_checked() {
        assert_eq!(parse_zip(" 94110 ").unwrap().as_deref(), Some("94110"));
        assert_eq!(parse_zip("").unwrap(), None);
        for bad in ["9411", "941100", "abcde"] {
            assert!(parse_zip(bad).is_err());
        }
        assert!(parse_display_name(&"n".repeat(51)).is_err());
        assert_eq!(parse_bio("a\r\nb").unwrap(), "a\nb");
        assert!(parse_bio(&"b".repeat(1001)).is_err());
    }

    #[test]
    fn only_local_paths_are_followed_after_log_in() {
        assert_eq!(
            safe_next("/listings/new?x=1").as_deref(),
            Some("/listings/new?x=1")
        );
        for bad in [
            "https://evil.example/",
            "//evil.example/",
            "/\\evil.example",
            "evil.example",
            "javascript:alert(1)",
            "/login?next=/x",
            "",
            "/a\nb",
        ] {
            assert_eq!(safe_next(bad), None, "{bad}");
        }
    }
}
