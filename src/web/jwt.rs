//! Access tokens of the JSON API: short-lived JWTs signed with HS256.
//!
//! Policy:
//! - The key is derived from the site secret (`startup` passes it in), so every instance signs
//!   and checks the same tokens and rotating the secret ends them all.
//! - A token carries `sub` (the member's id), `iat`, `exp` (15 minutes on), a random `jti`
//!   and the member's `auth_epoch`. Checking a token here proves only that we signed it and
//!   that it has not expired; the bearer extractor (`web::bearer`) then checks the epoch and
//!   the account's status against the database on every request, so logging out everywhere,
//!   a password change or a ban ends API access at the next request.
//! - Only HS256 is accepted: `alg: none`, another algorithm, a token signed with another key
//!   or one that does not parse are all the same 401.
//! - `jsonwebtoken` does the encoding, parsing and validation. Its cryptography comes from a
//!   provider installed here that knows HS256 only and uses the `hmac`/`sha2` crates the site
//!   already signs with, instead of its `rust_crypto` feature (which would add RSA and elliptic
//!   curve crates this site never uses, the RSA one with an open timing advisory).

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use jsonwebtoken::crypto::{CryptoProvider, JwkUtils, JwtSigner, JwtVerifier};
use jsonwebtoken::errors::ErrorKind;
use jsonwebtoken::signature;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};
use sha2::Sha256;

use crate::db::ids::UserId;

/// How long an access token is good for.
pub const ACCESS_TOKEN_LIFETIME: Duration = Duration::from_secs(15 * 60);

/// What an access token says.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Claims {
    /// The member's id, as a string (RFC 7519).
    pub sub: String,
    /// Issued at, in seconds since the epoch.
    pub iat: i64,
    /// Expires at, in seconds since the epoch.
    pub exp: i64,
    /// A random id for this token.
    pub jti: String,
    /// The member's `auth_epoch` when the token was issued.
    pub auth_epoch: i32,
}

impl Claims {
    /// The member the token is for.
    pub fn user_id(&self) -> Option<UserId> {
        self.sub.parse::<i64>().ok().map(UserId)
    }
}

/// A token just issued.
#[derive(Debug, Clone)]
pub struct Issued {
    pub token: String,
    pub expires_at: DateTime<Utc>,
}

/// Why a token was not accepted (all are answered alike; the log tells them apart).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rejected {
    Expired,
    Invalid,
}

/// Signs and checks access tokens. Cheap to clone.
#[derive(Clone)]
pub struct AccessTokens(Arc<Keys>);

struct Keys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
}

impl AccessTokens {
    /// Tokens signed with `key` (derive it from the site secret).
    pub fn new(key: &[u8; 32]) -> Self {
        install_provider();
        let mut validation = Validation::new(Algorithm::HS256);
        validation.leeway = 0;
        validation.set_required_spec_claims(&["exp", "sub", "iat"]);
        Self(Arc::new(Keys {
            encoding: EncodingKey::from_secret(key),
            decoding: DecodingKey::from_secret(key),
            validation,
        }))
    }

    /// A token for `user` at `auth_epoch`, issued now.
    pub fn issue(&self, user: UserId, auth_epoch: i32) -> anyhow::Result<Issued> {
        self.issue_at(user, auth_epoch, Utc::now())
    }

    /// A token for `user` at `auth_epoch`, as if issued at `now` (tests make expired ones).
    pub fn issue_at(
        &self,
        user: UserId,
        auth_epoch: i32,
        now: DateTime<Utc>,
    ) -> anyhow::Result<Issued> {
        let expires_at = now + chrono::Duration::from_std(ACCESS_TOKEN_LIFETIME)?;
        let claims = Claims {
            sub: user.0.to_string(),
            iat: now.timestamp(),
            exp: expires_at.timestamp(),
            jti: uuid::Uuid::new_v4().simple().to_string(),
            auth_epoch,
        };
        let token =
            jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &self.0.encoding)?;
        Ok(Issued { token, expires_at })
    }

    /// The claims of a token we signed that has not expired.
    pub fn verify(&self, token: &str) -> Result<Claims, Rejected> {
        match jsonwebtoken::decode::<Claims>(token, &self.0.decoding, &self.0.validation) {
            Ok(data) => Ok(data.claims),
            Err(err) if matches!(err.kind(), ErrorKind::ExpiredSignature) => Err(Rejected::Expired),
            Err(err) => {
                tracing::debug!(error = %err, "refused an access token");
                Err(Rejected::Invalid)
            }
        }
    }
}

/// Installs the HS256-only provider for this process (once; later calls do nothing).
fn install_provider() {
    static PROVIDER: CryptoProvider = CryptoProvider {
        signer_factory: new_signer,
        verifier_factory: new_verifier,
        jwk_utils: JwkUtils::new_unimplemented(),
    };
    let _ = PROVIDER.install_default();
}

/// HMAC-SHA256 with the token key.
struct Hs256(Hmac<Sha256>);

impl Hs256 {
    fn new(secret: &[u8]) -> jsonwebtoken::errors::Result<Self> {
        Hmac::new_from_slice(secret)
            .map(Self)
            .map_err(|_| ErrorKind::InvalidKeyFormat.into())
    }
}

impl signature::Signer<Vec<u8>> for Hs256 {
    fn try_sign(&self, message: &[u8]) -> Result<Vec<u8>, signature::Error> {
        let mut mac = self.0.clone();
        mac.update(message);
        Ok(mac.finalize().into_bytes().to_vec())
    }
}

impl signature::Verifier<Vec<u8>> for Hs256 {
    fn verify(&self, message: &[u8], signature: &Vec<u8>) -> Result<(), signature::Error> {
        let mut mac = self.0.clone();
        mac.update(message);
        // Compared in constant time.
        mac.verify_slice(signature)
            .map_err(|_| signature::Error::new())
    }
}

impl JwtSigner for Hs256 {
    fn algorithm(&self) -> Algorithm {
        Algorithm::HS256
    }
}

impl JwtVerifier for Hs256 {
    fn algorithm(&self) -> Algorithm {
        Algorithm::HS256
    }
}

fn new_signer(
    algorithm: &Algorithm,
    key: &EncodingKey,
) -> jsonwebtoken::errors::Result<Box<dyn JwtSigner>> {
    match algorithm {
        Algorithm::HS256 => Ok(Box::new(Hs256::new(key.try_get_hmac_secret()?)?)),
        _ => Err(ErrorKind::InvalidAlgorithm.into()),
    }
}

fn new_verifier(
    algorithm: &Algorithm,
    key: &DecodingKey,
) -> jsonwebtoken::errors::Result<Box<dyn JwtVerifier>> {
    match algorithm {
        Algorithm::HS256 => Ok(Box::new(Hs256::new(key.try_get_hmac_secret()?)?)),
        _ => Err(ErrorKind::InvalidAlgorithm.into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::Engine;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;

    fn tokens(byte: u8) -> AccessTokens {
        AccessTokens::new(&[byte; 32])
    }

    /// A token with the given header and claims, signed with HMAC-SHA256 and `key` by hand.
    fn forge(header: &str, claims: &str, key: &[u8]) -> String {
        let head = URL_SAFE_NO_PAD.encode(header);
        let body = URL_SAFE_NO_PAD.encode(claims);
        let mut mac = Hmac::<Sha256>::new_from_slice(key).unwrap();
        mac.update(format!("{head}.{body}").as_bytes());
        let sig = URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes());
        format!("{head}.{body}.{sig}")
    }

    #[test]
    fn a_token_round_trips_with_its_claims() {
        let keys = tokens(1);
        let issued = keys.issue(UserId(42), 3).unwrap();
        let claims = keys.verify(&issued.token).unwrap();
        assert_eq!(claims.user_id(), Some(UserId(42)));
        assert_eq!(claims.auth_epoch, 3);
        assert_eq!(claims.exp - claims.iat, 15 * 60);
        assert_eq!(claims.jti.len(), 32);
        assert_eq!(claims.exp, issued.expires_at.timestamp());
        // Every token has its own id.
        let again = keys
            .verify(&keys.issue(UserId(42), 3).unwrap().token)
            .unwrap();
        assert_ne!(again.jti, claims.jti);
    }

    #[test]
    fn expired_forged_and_foreign_tokens_are_refused() {
        let keys = tokens(1);
        let old = keys
            .issue_at(UserId(1), 0, Utc::now() - chrono::Duration::minutes(16))
            .unwrap();
        assert_eq!(keys.verify(&old.token), Err(Rejected::Expired));

        let other = tokens(2).issue(UserId(1), 0).unwrap();
        assert_eq!(keys.verify(&other.token), Err(Rejected::Invalid));

        let now = Utc::now().timestamp();
        let claims = format!(
            r#"{{"sub":"1","iat":{now},"exp":{},"jti":"x","auth_epoch":0}}"#,
            now + 60
        );
        // Signed by hand with the right key: accepted, so the forgeries below fail for what
        // they change, not for how they were made.
        let honest = forge(r#"{"alg":"HS256","typ":"JWT"}"#, &claims, &[1; 32]);
        assert_eq!(keys.verify(&honest).unwrap().sub, "1");
        let none = format!(
            "{}.{}.",
            URL_SAFE_NO_PAD.encode(r#"{"alg":"none","typ":"JWT"}"#),
            URL_SAFE_NO_PAD.encode(&claims)
        );
        assert_eq!(keys.verify(&none), Err(Rejected::Invalid));
        let hs512 = forge(r#"{"alg":"HS512","typ":"JWT"}"#, &claims, &[1; 32]);
        assert_eq!(keys.verify(&hs512), Err(Rejected::Invalid));
        let wrong_key = forge(r#"{"alg":"HS256","typ":"JWT"}"#, &claims, &[2; 32]);
        assert_eq!(keys.verify(&wrong_key), Err(Rejected::Invalid));
        let no_exp = forge(
            r#"{"alg":"HS256","typ":"JWT"}"#,
            &format!(r#"{{"sub":"1","iat":{now},"jti":"x","auth_epoch":0}}"#),
            &[1; 32],
        );
        assert_eq!(keys.verify(&no_exp), Err(Rejected::Invalid));
        for junk in ["", "abc", "a.b.c", &honest[..honest.len() - 2]] {
            assert_eq!(keys.verify(junk), Err(Rejected::Invalid), "{junk}");
        }
    }
}
