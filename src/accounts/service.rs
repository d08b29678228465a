//! Signing up and logging in, for the pages and the JSON API alike: the same checks, the same
//! rate limits and the same messages, whatever the answer looks like (a page or a problem
//! document).

use std::time::Duration;

use actix_web::{HttpRequest, web};
use diesel::Connection;

use super::domain::{ProfileForm, ProfileUpdate, SignUpForm, parse_zip};
use super::models::{NewUser, ProfileChanges, Role, User, UserStatus};
use super::password;
use super::queries::{self, AccountConflict};
use super::recovery;
use crate::db::ids::UserId;
use crate::mail::MailSite;
use crate::places;
use crate::web::rate_limit::{
    self, LOGIN_FAILURES_PER_ACCOUNT, LOGIN_PER_NETWORK, LOGIN_PER_NETWORK_AND_ACCOUNT,
    SIGNUP_PER_NETWORK, SIGNUP_PER_WIDE_NETWORK, SIGNUP_SITE_WIDE,
};
use crate::web::{AppError, Db, FieldErrors};

pub const USERNAME_TAKEN: &str = "That username is taken. Choose another.";
pub const EMAIL_TAKEN: &str = "An account with that e-mail address exists. Log in instead.";
pub const WRONG_LOGIN: &str =
    "That username or e-mail address and password don't match an account.";
pub const MISSING_LOGIN: &str = "Enter your username or e-mail address and your password.";
pub const SUSPENDED: &str = "This account has been suspended. Contact the site's administrators if you think this is a mistake.";

/// Where a request comes from, as the rate limits count it.
#[derive(Debug, Clone)]
pub struct Client {
    pub ip: String,
    /// The address, or its /64 for IPv6.
    pub network: String,
    /// Its /24 (or /48).
    pub wide_network: String,
}

impl Client {
    pub fn of(req: &HttpRequest) -> Self {
        Self {
            ip: rate_limit::client_ip(req).to_string(),
            network: rate_limit::client_network(req),
            wide_network: rate_limit::client_wide_network(req),
        }
    }
}

/// Why a sign-up or a log-in was refused.
#[derive(Debug)]
pub enum Refused {
    /// Fields to correct (sign-up), every one at once.
    Invalid(FieldErrors),
    /// Over a rate limit.
    Limited {
        retry_after: Duration,
        reason: &'static str,
    },
    /// The name or address and the password don't match an account ([`WRONG_LOGIN`]), or one
    /// of them is missing ([`MISSING_LOGIN`]).
    WrongLogin(&'static str),
    /// The account is banned ([`SUSPENDED`]).
    Suspended,
    /// Something else went wrong (the database is down, …).
    Failed(AppError),
}

impl From<AppError> for Refused {
    fn from(err: AppError) -> Self {
        match err {
            AppError::TooManyRequests {
                retry_after,
                reason,
            } => Self::Limited {
                retry_after,
                reason,
            },
            other => Self::Failed(other),
        }
    }
}

impl From<actix_web::error::BlockingError> for Refused {
    fn from(err: actix_web::error::BlockingError) -> Self {
        Self::Failed(err.into())
    }
}

/// Creates an account (and queues the mail that confirms its address). The rate limits come
/// before any lookup, so nobody can test addresses for accounts in bulk; a shared address (a
/// campus, a library) gets a burst of its own, and wider networks and the whole site have
/// budgets that stop a script rotating addresses.
pub async fn sign_up(
    db: &Db,
    cost: u32,
    site: MailSite,
    client: &Client,
    form: &SignUpForm,
) -> Result<User, Refused> {
    let account = form.parse().map_err(Refused::Invalid)?;
    let (network, wide) = (client.network.clone(), client.wide_network.clone());
    let limited = db
        .run(move |conn| {
            rate_limit::hit(conn, SIGNUP_PER_NETWORK, &network)?;
            rate_limit::hit(conn, SIGNUP_PER_WIDE_NETWORK, &wide)?;
            rate_limit::hit(conn, SIGNUP_SITE_WIDE, "site")
        })
        .await;
    if let Err(err @ AppError::TooManyRequests { .. }) = limited {
        tracing::warn!(ip = %client.ip, "sign-up refused by a rate limit");
        return Err(err.into());
    }
    limited?;
    // Report both "taken" errors at once; the unique indexes settle any race below.
    let (name, mail) = (
        account.username.as_str().to_owned(),
        account.email.as_str().to_owned(),
    );
    let (name_taken, mail_taken) = db
        .run(move |conn| {
            Ok::<_, AppError>((
                queries::username_taken(conn, &name)?,
                queries::email_taken(conn, &mail)?,
            ))
        })
        .await?;
    let mut errors = FieldErrors::new();
    if name_taken {
        errors.add("username", USERNAME_TAKEN);
    }
    if mail_taken {
        errors.add("email", EMAIL_TAKEN);
    }
    if !errors.is_empty() {
        return Err(Refused::Invalid(errors));
    }
    let plain = account.password.expose().to_owned();
    let hash = web::block(move || password::hash(&plain, cost))
        .await?
        .map_err(AppError::Internal)?;
    let (name, mail) = (
        account.username.as_str().to_owned(),
        account.email.as_str().to_owned(),
    );
    let created = db
        .run(move |conn| {
            // The account and its confirmation mail, together or not at all.
            conn.transaction::<_, AppError, _>(|conn| {
                let inserted = conn.transaction(|conn| {
                    queries::insert_user(
                        conn,
                        &NewUser {
                            username: &name,
                            email: &mail,
                            password_hash: &hash,
                            role: Role::Member,
                        },
                    )
                });
                if let Ok(user) = &inserted {
                    recovery::send_verification(conn, &site, user, true)?;
                }
                Ok(inserted)
            })
        })
        .await?;
    match created {
        Ok(user) => {
            tracing::info!(user_id = %user.id, "account created");
            Ok(user)
        }
        Err(AccountConflict::UsernameTaken) => {
            errors.add("username", USERNAME_TAKEN);
            Err(Refused::Invalid(errors))
        }
        Err(AccountConflict::EmailTaken) => {
            errors.add("email", EMAIL_TAKEN);
            Err(Refused::Invalid(errors))
        }
        Err(AccountConflict::Database(err)) => Err(Refused::Failed(err.into())),
    }
}

/// The member with this username or e-mail address and password. Wrong guesses from one
/// network stop that network, never the owner elsewhere; every wrong password on an account
/// (from anywhere) slows the next attempts on it a little more, so guessing crawls and the
/// owner waits a moment at most. Unknown names take as long as known ones.
pub async fn authenticate(
    db: &Db,
    cost: u32,
    client: &Client,
    login: &str,
    plain: &str,
) -> Result<User, Refused> {
    if login.trim().is_empty() || plain.is_empty() {
        return Err(Refused::WrongLogin(MISSING_LOGIN));
    }
    let network = client.network.clone();
    let typed = login.to_owned();
    let checked = db
        .run(move |conn| {
            rate_limit::hit(conn, LOGIN_PER_NETWORK, &network)?;
            let user = queries::find_by_login(conn, &typed)?;
            let account = account_key(user.as_ref(), &typed);
            rate_limit::hit(
                conn,
                LOGIN_PER_NETWORK_AND_ACCOUNT,
                &format!("{network} {account}"),
            )?;
            let failures = rate_limit::peek(conn, LOGIN_FAILURES_PER_ACCOUNT, &account)?;
            Ok::<_, AppError>((user, failures))
        })
        .await;
    let (user, failures) = match checked {
        Ok(found) => found,
        Err(err @ AppError::TooManyRequests { .. }) => {
            tracing::warn!(ip = %client.ip, "log-in refused by a rate limit");
            return Err(err.into());
        }
        Err(err) => return Err(Refused::Failed(err)),
    };
    let delay = rate_limit::login_delay(failures);
    if !delay.is_zero() {
        tokio::time::sleep(delay).await;
    }
    let plain = plain.to_owned();
    let candidate = user.clone();
    let verified = web::block(move || match &candidate {
        Some(user) => password::verify(&plain, &user.password_hash),
        None => {
            password::verify_dummy(&plain, cost);
            false
        }
    })
    .await?;
    let user = match user {
        Some(user) if verified => user,
        _ => {
            let account = account_key(user.as_ref(), login);
            tracing::warn!(ip = %client.ip, account = %account, "failed log-in");
            db.run(move |conn| {
                rate_limit::count(conn, LOGIN_FAILURES_PER_ACCOUNT, &account).map(|_| ())
            })
            .await?;
            return Err(Refused::WrongLogin(WRONG_LOGIN));
        }
    };
    if user.status != UserStatus::Active {
        return Err(Refused::Suspended);
    }
    let key = format!("{} user:{}", client.network, user.id);
    db.run(move |conn| rate_limit::reset(conn, LOGIN_PER_NETWORK_AND_ACCOUNT, &key))
        .await?;
    Ok(user)
}

/// What log-in limits count an account by: its id, or the name typed when there is none (so
/// unknown names are limited like real ones).
fn account_key(user: Option<&User>, login: &str) -> String {
    match user {
        Some(user) => format!("user:{}", user.id),
        None => format!("login:{}", login.trim().to_lowercase()),
    }
}

pub const UNKNOWN_ZIP: &str = "We don't know that ZIP code. Check it and try again.";

/// A profile form, checked: every field's own rules and the ZIP code against the gazetteer,
/// every bad field at once.
pub async fn check_profile(
    db: &Db,
    form: &ProfileForm,
) -> Result<Result<ProfileUpdate, FieldErrors>, AppError> {
    let parsed = form.parse();
    let mut errors = match &parsed {
        Ok(_) => FieldErrors::new(),
        Err(errors) => errors.clone(),
    };
    if let Ok(Some(zip)) = parse_zip(&form.home_zip)
        && db
            .run(move |conn| places::find_place(conn, &zip))
            .await?
            .is_none()
    {
        errors.add("home_zip", UNKNOWN_ZIP);
    }
    Ok(match parsed {
        Ok(update) if errors.is_empty() => Ok(update),
        _ => Err(errors),
    })
}

/// Saves a checked profile.
pub async fn save_profile(db: &Db, user: UserId, update: ProfileUpdate) -> Result<(), AppError> {
    db.run(move |conn| {
        queries::update_profile(
            conn,
            user,
            &ProfileChanges {
                display_name: &update.display_name,
                bio: &update.bio,
                home_zip: update.home_zip.as_deref(),
            },
        )
    })
    .await
}
