//! Signed URLs handed out again while they have long enough to live.
//!
//! Every card on a list shows a thumbnail through a signed URL, so a page of 25 cards signed
//! 25 URLs, on every view, for objects that the previous visitor's page had just signed: an
//! HMAC and a formatted URL each on local disk, a whole SigV4 presignature each on S3. A
//! store keeps each URL it signed with the time until which it may hand it out again; a URL
//! handed out still lives at least as long as a freshly signed one is promised to (the
//! store's floor), so pages and the cards kept with them behave as before.

use std::collections::HashMap;
use std::sync::Mutex;

use super::ObjectKey;

/// URLs kept at once: beyond it, those no longer handed out are dropped, and if that frees
/// nothing, all of them (a page then signs its URLs again, as before this memo).
pub const MAX_KEPT: usize = 20_000;

#[derive(Debug, Default)]
pub struct SignedUrls {
    kept: Mutex<HashMap<ObjectKey, Signed>>,
}

#[derive(Debug)]
struct Signed {
    url: String,
    /// Unix time (seconds) until which the URL may be handed out again.
    reuse_until: u64,
}

impl SignedUrls {
    /// The URL signed for `key`, if it may still be handed out at `now` (Unix seconds).
    pub fn get(&self, key: &ObjectKey, now: u64) -> Option<String> {
        let kept = self.kept.lock().unwrap_or_else(|e| e.into_inner());
        kept.get(key)
            .filter(|signed| now <= signed.reuse_until)
            .map(|signed| signed.url.clone())
    }

    /// Keeps `url` for `key`, to be handed out again until `reuse_until` (Unix seconds).
    pub fn keep(&self, key: &ObjectKey, url: &str, reuse_until: u64, now: u64) {
        let mut kept = self.kept.lock().unwrap_or_else(|e| e.into_inner());
        if kept.len() >= MAX_KEPT && !kept.contains_key(key) {
            kept.retain(|_, signed| now <= signed.reuse_until);
            if kept.len() >= MAX_KEPT {
                kept.clear();
            }
        }
        kept.insert(
            key.clone(),
            Signed {
                url: url.to_owned(),
                reuse_until,
            },
        );
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.kept.lock().unwrap().len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(n: usize) -> ObjectKey {
        ObjectKey::parse(&format!("photos/{n}.webp")).unwrap()
    }

    #[test]
    fn a_url_is_handed_out_again_until_its_time_and_not_after() {
        let memo = SignedUrls::default();
        assert_eq!(memo.get(&key(1), 100), None);
        memo.keep(&key(1), "/media/photos/1.webp?sig=a", 160, 100);
        assert_eq!(
            memo.get(&key(1), 160).as_deref(),
            Some("/media/photos/1.webp?sig=a")
        );
        assert_eq!(memo.get(&key(1), 161), None);
        assert_eq!(memo.get(&key(2), 100), None, "another key has its own URL");
        memo.keep(&key(1), "/media/photos/1.webp?sig=b", 220, 161);
        assert_eq!(
            memo.get(&key(1), 161).as_deref(),
            Some("/media/photos/1.webp?sig=b")
        );
    }

    #[test]
    fn the_memo_stays_bounded() {
        let memo = SignedUrls::default();
        // Half of them can no longer be handed out when the memo fills: those go first.
        for n in 0..MAX_KEPT {
            let until = if n % 2 == 0 { 50 } else { 500 };
            memo.keep(&key(n), "u", until, 10);
        }
        assert_eq!(memo.len(), MAX_KEPT);
        memo.keep(&key(MAX_KEPT), "u", 500, 100);
        assert_eq!(memo.len(), MAX_KEPT / 2 + 1);
        assert_eq!(memo.get(&key(1), 100).as_deref(), Some("u"));
        // All still valid and the memo full: it starts again rather than grow.
        for n in 0..MAX_KEPT {
            memo.keep(&key(n), "u", 500, 100);
        }
        assert!(memo.len() <= MAX_KEPT);
    }
}
