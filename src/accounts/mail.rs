//! The mail an account receives: address verification, password resets, and notices when the
//! password or the address changes. Each one says why it was sent.

use crate::mail_templates;

/// "Confirm your address": sent at sign-up and to a new address after a change.
pub struct VerifyEmail {
    pub username: String,
    /// The absolute link that confirms the address.
    pub link: String,
    /// Sent at sign-up (rather than after a change of address).
    pub welcome: bool,
}

mail_templates!(
    VerifyEmail,
    "mail/verify_email.txt",
    "mail/verify_email.html",
    |m, site| if m.welcome {
        format!("Welcome to {}: confirm your e-mail address", site.name)
    } else {
        format!("Confirm your new e-mail address for {}", site.name)
    }
);

/// A one-time link to set a new password.
pub struct PasswordReset {
    pub username: String,
    pub link: String,
}

mail_templates!(
    PasswordReset,
    "mail/password_reset.txt",
    "mail/password_reset.html",
    |_m, site| format!("Reset your {} password", site.name)
);

/// To the old address, when the account's address changed.
pub struct EmailChanged {
    pub username: String,
    /// The new address, partly hidden (`a•••@example.com`).
    pub new_address: String,
}

mail_templates!(
    EmailChanged,
    "mail/email_changed.txt",
    "mail/email_changed.html",
    |_m, site| format!("Your {} e-mail address was changed", site.name)
);

/// When the password changed (by the member, or through a reset link).
pub struct PasswordChanged {
    pub username: String,
    /// Where to reset it if this was not them.
    pub reset_link: String,
}

mail_templates!(
    PasswordChanged,
    "mail/password_changed.txt",
    "mail/password_changed.html",
    |_m, site| format!("Your {} password was changed", site.name)
);

/// An address with most of its name hidden, for a notice that goes somewhere else.
pub fn masked(address: &str) -> String {
    match address.split_once('@') {
        Some((name, domain)) => {
            let first: String = name.chars().take(1).collect();
            format!("{first}•••@{domain}")
        }
        None => "•••".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mail::{MailContent, MailSite};

    fn site() -> MailSite {
        MailSite {
            name: "Corkboard".into(),
            url: "https://corkboard.example".into(),
        }
    }

    #[test]
    fn mails_render_as_text_and_html_with_their_reason() {
        let reset = PasswordReset {
            username: "alice <b>".into(),
            link: "https://corkboard.example/password/reset?token=abc&x=1".into(),
        };
        let text = reset.text(&site()).unwrap();
        let html = reset.html(&site()).unwrap();
        assert!(text.contains("https://corkboard.example/password/reset?token=abc&x=1"));
        assert!(text.contains("alice <b>"), "text is not escaped");
        assert!(html.contains("alice &#60;b&#62;") || html.contains("alice &lt;b&gt;"));
        assert!(html.contains("token=abc&#38;x=1") || html.contains("token=abc&amp;x=1"));
        for part in [&text, &html] {
            assert!(part.contains("Why you got this"), "{part}");
            assert!(part.contains("Corkboard"));
        }
        assert_eq!(reset.subject(&site()), "Reset your Corkboard password");
    }

    #[test]
    fn a_notice_hides_most_of_the_new_address() {
        assert_eq!(masked("alice@example.com"), "a•••@example.com");
        assert_eq!(masked("nonsense"), "•••");
    }
}
