//! Password hashing.
//!
//! Policy: bcrypt reads only the first 72 bytes of its input, so two long passwords sharing a
//! prefix would collide. We hash the password with SHA-256 first and give bcrypt the 64-character
//! hex digest: every byte of a password up to our 128-character limit counts. Stored hashes
//! carry a scheme prefix so the scheme can change later. Hashing is slow on purpose; callers
//! run it on the blocking pool. A login for an unknown account verifies against a dummy hash of
//! the same cost, so it takes as long as a wrong password.

use std::sync::OnceLock;

use anyhow::Context;
use sha2::{Digest, Sha256};

const SCHEME: &str = "sha256-bcrypt$";

fn prehash(password: &str) -> String {
    hex::encode(Sha256::digest(password.as_bytes()))
}

pub fn hash(password: &str, cost: u32) -> anyhow::Result<String> {
    let hashed = bcrypt::hash(prehash(password), cost).context("bcrypt failed")?;
    Ok(format!("{SCHEME}{hashed}"))
}

/// Whether `password` matches `stored`. A malformed or unknown hash never matches.
pub fn verify(password: &str, stored: &str) -> bool {
    match stored.strip_prefix(SCHEME) {
        Some(hashed) => bcrypt::verify(prehash(password), hashed).unwrap_or(false),
        None => false,
    }
}

/// Spends the time of one verification at `cost`, for accounts that do not exist.
pub fn verify_dummy(password: &str, cost: u32) {
    static DUMMY: OnceLock<(u32, String)> = OnceLock::new();
    let (dummy_cost, dummy) = DUMMY.get_or_init(|| {
        (
            cost,
            hash("corkboard dummy password", cost).expect("hashing a constant works"),
        )
    });
    debug_assert_eq!(*dummy_cost, cost);
    let _ = verify(password, dummy);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_password_verifies_against_its_own_hash_only() {
        let stored = hash("correct horse battery staple", 4).unwrap();
        assert!(stored.starts_with("sha256-bcrypt$$2b$04$"));
        assert!(verify("correct horse battery staple", &stored));
        assert!(!verify("correct horse battery stapl", &stored));
        assert!(!verify("", &stored));
    }

    #[test]
    fn bytes_after_the_seventy_second_count() {
        let prefix = "x".repeat(72);
        let stored = hash(&format!("{prefix}-first"), 4).unwrap();
        assert!(!verify(&format!("{prefix}-second"), &stored));
        assert!(verify(&format!("{prefix}-first"), &stored));
    }

    #[test]
    fn unknown_schemes_never_match() {
        let raw = bcrypt::hash("pw", 4).unwrap();
        assert!(!verify("pw", &raw));
        assert!(!verify("pw", "garbage"));
    }
}
