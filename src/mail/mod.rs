//! Outgoing mail: rendered from templates, queued as a job, sent by a worker.
//!
//! Policy:
//! - Every mail is a job ([`SendMail`]), queued in the transaction of the change that causes
//!   it, so a mail exists exactly when its reason does, and an SMTP server that is down delays
//!   mail and loses none (the job retries with back-off for about half a day). Sending is at
//!   least once: a worker that dies between the server's "OK" and finishing the job sends it
//!   again.
//! - With no configuration each mail is written as an `.eml` file under `DATA_DIR/mail/`
//!   (readable by the account running Corkboard alone); with `SMTP_URL` it goes through SMTP.
//! - Every mail has a plain-text and an HTML part from askama templates
//!   (`templates/mail/<name>.txt` and `.html`, over `base.txt` / `base.html`): the site's
//!   name, the message, and a footer saying why it was sent.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::Context;
use lettre::message::{Mailbox, MultiPart};
use lettre::{AsyncFileTransport, AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use serde::{Deserialize, Serialize};

use crate::config::MailSettings;
use crate::jobs::queue::{self, JobKind, Schedule};

/// A rendered mail, as queued: everything the worker needs to send it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SendMail {
    pub to: String,
    pub subject: String,
    pub text: String,
    pub html: String,
    /// Extra headers (`List-Unsubscribe`, …), name and value.
    #[serde(default)]
    pub headers: Vec<(String, String)>,
}

impl JobKind for SendMail {
    const KIND: &'static str = "mail";
    /// Back-off doubles from ten seconds to an hour: about half a day of tries.
    const MAX_ATTEMPTS: i32 = 20;
}

/// What every mail says about the site, for the templates' header and footer.
#[derive(Debug, Clone)]
pub struct MailSite {
    pub name: String,
    /// Scheme and host, no trailing slash: links in mail are absolute.
    pub url: String,
}

impl From<&crate::web::SiteConfig> for MailSite {
    fn from(site: &crate::web::SiteConfig) -> Self {
        Self {
            name: site.site_name.clone(),
            url: site.public_url.clone(),
        }
    }
}

/// A mail's content: its subject and its two rendered parts.
pub trait MailContent {
    fn subject(&self, site: &MailSite) -> String;
    fn text(&self, site: &MailSite) -> askama::Result<String>;
    fn html(&self, site: &MailSite) -> askama::Result<String>;
}

/// Declares the two templates of a mail type: `templates/<path>.txt` and `<path>.html`, each
/// given the mail as `m` and the site as `site`.
#[macro_export]
macro_rules! mail_templates {
    ($mail:ty, $text:literal, $html:literal, |$m:ident, $site:ident| $subject:expr) => {
        const _: () = {
            #[derive(askama::Template)]
            #[template(path = $text)]
            struct Text<'a> {
                m: &'a $mail,
                site: &'a $crate::mail::MailSite,
            }

            #[derive(askama::Template)]
            #[template(path = $html)]
            struct Html<'a> {
                m: &'a $mail,
                site: &'a $crate::mail::MailSite,
            }

            impl $crate::mail::MailContent for $mail {
                fn subject(&self, $site: &$crate::mail::MailSite) -> String {
                    let $m = self;
                    $subject
                }

                fn text(&self, site: &$crate::mail::MailSite) -> askama::Result<String> {
                    askama::Template::render(&Text { m: self, site })
                }

                fn html(&self, site: &$crate::mail::MailSite) -> askama::Result<String> {
                    askama::Template::render(&Html { m: self, site })
                }
            }
        };
    };
}

/// Renders `content` for `to` and queues it (in the caller's transaction, if any).
pub fn queue_mail(
    conn: &mut diesel::PgConnection,
    site: &MailSite,
    to: &str,
    content: &impl MailContent,
) -> anyhow::Result<()> {
    queue_mail_with(conn, site, to, content, Vec::new(), Schedule::default()).map(|_| ())
}

/// [`queue_mail`] with extra headers and a schedule (a delay, a unique key); returns whether
/// it was queued (a pending mail with the same unique key stops it).
pub fn queue_mail_with(
    conn: &mut diesel::PgConnection,
    site: &MailSite,
    to: &str,
    content: &impl MailContent,
    headers: Vec<(String, String)>,
    schedule: Schedule,
) -> anyhow::Result<bool> {
    let mail = SendMail {
        to: to.to_owned(),
        subject: content.subject(site),
        text: content.text(site).context("cannot render a mail's text")?,
        html: content.html(site).context("cannot render a mail's HTML")?,
        headers,
    };
    Ok(queue::enqueue_with(conn, &mail, schedule)?)
}

/// Where mail goes.
#[derive(Clone)]
pub enum Mailer {
    /// `.eml` files in a folder.
    Files {
        transport: Arc<AsyncFileTransport<Tokio1Executor>>,
        folder: PathBuf,
        from: Mailbox,
    },
    Smtp {
        transport: Arc<AsyncSmtpTransport<Tokio1Executor>>,
        from: Mailbox,
    },
}

impl std::fmt::Debug for Mailer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Files { folder, .. } => write!(f, "Mailer::Files({})", folder.display()),
            Self::Smtp { .. } => f.write_str("Mailer::Smtp"),
        }
    }
}

impl Mailer {
    /// SMTP when `SMTP_URL` is set, files under `DATA_DIR/mail` otherwise.
    pub fn from_settings(settings: &MailSettings, data_dir: &Path) -> anyhow::Result<Self> {
        let from: Mailbox = settings
            .mail_from
            .parse()
            .with_context(|| format!("MAIL_FROM {:?} is not an address", settings.mail_from))?;
        match &settings.smtp_url {
            Some(url) => {
                let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
                    .context("SMTP_URL is not a valid smtp:// or smtps:// URL")?
                    .timeout(Some(std::time::Duration::from_secs(20)))
                    .build();
                Ok(Self::Smtp {
                    transport: Arc::new(transport),
                    from,
                })
            }
            None => {
                let folder = data_dir.join("mail");
                crate::config::private_dir(&folder)?;
                Ok(Self::Files {
                    transport: Arc::new(AsyncFileTransport::new(&folder)),
                    folder,
                    from,
                })
            }
        }
    }

    pub fn backend_name(&self) -> &'static str {
        match self {
            Self::Files { .. } => "files",
            Self::Smtp { .. } => "SMTP",
        }
    }

    /// Sends one mail.
    pub async fn send(&self, mail: &SendMail) -> anyhow::Result<()> {
        let from = match self {
            Self::Files { from, .. } | Self::Smtp { from, .. } => from.clone(),
        };
        let to: Mailbox = mail
            .to
            .parse()
            .with_context(|| format!("{:?} is not an address", mail.to))?;
        let mut builder = Message::builder().from(from).to(to).subject(&mail.subject);
        for (name, value) in &mail.headers {
            builder = builder.raw_header(lettre::message::header::HeaderValue::new(
                lettre::message::header::HeaderName::new_from_ascii(name.clone())
                    .with_context(|| format!("bad header name {name:?}"))?,
                value.clone(),
            ));
        }
        let message = builder
            .multipart(MultiPart::alternative_plain_html(
                mail.text.clone(),
                mail.html.clone(),
            ))
            .context("cannot build the message")?;
        match self {
            Self::Files { transport, .. } => {
                transport
                    .send(message)
                    .await
                    .context("cannot write the mail")?;
            }
            Self::Smtp { transport, .. } => {
                transport
                    .send(message)
                    .await
                    .context("the SMTP server did not take the mail")?;
            }
        }
        Ok(())
    }
}
