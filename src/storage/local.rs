//! Local-disk backend: one file per object under a root folder.
//!
//! Writes go to a temporary file in the same folder and are renamed into place, so a reader
//! never sees half an object and a crash leaves at worst a stray temporary file. Browser URLs are
//! signed with a key derived from the session key; the expiry is rounded up to a window so a
//! page renders the same URL for a while and browsers can cache the image.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::Context;
use bytes::Bytes;
use hmac::{Hmac, Mac};
use serde::Deserialize;
use sha2::Sha256;

use super::memo::SignedUrls;
use super::{Object, ObjectInfo, ObjectKey, StorageError};
use crate::config::SecretKey;

#[derive(Clone)]
pub struct LocalStore {
    root: Arc<PathBuf>,
    /// The HMAC keyed for media URLs: cloned per signature, so the key's two blocks are
    /// hashed once, not on every URL (a page signs one per card).
    signer: Arc<Hmac<Sha256>>,
    ttl_seconds: u64,
    /// The URLs signed in the current window, handed out again until it ends.
    urls: Arc<SignedUrls>,
}

impl std::fmt::Debug for LocalStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LocalStore")
            .field("root", &self.root)
            .finish_non_exhaustive()
    }
}

/// The query string of a signed `/media/...` URL.
#[derive(Debug, Deserialize)]
pub struct MediaSignature {
    pub expires: u64,
    pub sig: String,
}

impl LocalStore {
    pub fn new(root: PathBuf, secret: &SecretKey, ttl_seconds: u64) -> anyhow::Result<Self> {
        // Photos of hidden listings and pending uploads are private: no other local account
        // may list or read the folder (browsers get them through signed URLs).
        crate::config::private_dir(&root)
            .with_context(|| format!("cannot create the upload folder {}", root.display()))?;
        Ok(Self {
            root: Arc::new(root),
            signer: Arc::new(
                Hmac::<Sha256>::new_from_slice(&secret.derive("corkboard media urls v1"))
                    .expect("any key length"),
            ),
            ttl_seconds: ttl_seconds.max(60),
            urls: Arc::default(),
        })
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Where the object lives on disk. Safe to join: the key was parsed.
    pub fn path(&self, key: &ObjectKey) -> PathBuf {
        self.root.join(key.as_str())
    }

    pub(super) async fn put(&self, key: &ObjectKey, bytes: Bytes) -> Result<(), StorageError> {
        let path = self.path(key);
        let dir = path.parent().expect("an object path has a parent");
        tokio::fs::create_dir_all(dir)
            .await
            .with_context(|| format!("cannot create {}", dir.display()))?;
        let temp = dir.join(format!(".tmp-{}", uuid::Uuid::new_v4()));
        let written = async {
            tokio::fs::write(&temp, &bytes).await?;
            tokio::fs::rename(&temp, &path).await
        }
        .await;
        if let Err(err) = written {
            let _ = tokio::fs::remove_file(&temp).await;
            return Err(anyhow::Error::new(err)
                .context(format!("cannot write {}", path.display()))
                .into());
        }
        Ok(())
    }

    pub(super) async fn get(&self, key: &ObjectKey) -> Result<Object, StorageError> {
        match tokio::fs::read(self.path(key)).await {
            Ok(bytes) => Ok(Object {
                bytes: bytes.into(),
                content_type: key.content_type(),
            }),
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => {
                Err(StorageError::NotFound(key.to_string()))
            }
            Err(err) => Err(anyhow::Error::new(err)
                .context(format!("cannot read object {key}"))
                .into()),
        }
    }

    pub(super) async fn exists(&self, key: &ObjectKey) -> Result<bool, StorageError> {
        tokio::fs::try_exists(self.path(key))
            .await
            .with_context(|| format!("cannot look up object {key}"))
            .map_err(StorageError::from)
    }

    pub(super) async fn delete(&self, key: &ObjectKey) -> Result<(), StorageError> {
        match tokio::fs::remove_file(self.path(key)).await {
            Ok(()) => Ok(()),
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(err) => Err(anyhow::Error::new(err)
                .context(format!("cannot delete object {key}"))
                .into()),
        }
    }

    pub(super) async fn list(&self, prefix: &str) -> Result<Vec<ObjectInfo>, StorageError> {
        let root = self.root.as_ref().clone();
        let prefix = prefix.to_owned();
        tokio::task::spawn_blocking(move || {
            let mut found = Vec::new();
            let mut dirs = vec![root.clone()];
            while let Some(dir) = dirs.pop() {
                let entries = match std::fs::read_dir(&dir) {
                    Ok(entries) => entries,
                    Err(err) if err.kind() == std::io::ErrorKind::NotFound => continue,
                    Err(err) => return Err(err),
                };
                for entry in entries {
                    let entry = entry?;
                    let meta = entry.metadata()?;
                    let path = entry.path();
                    if meta.is_dir() {
                        dirs.push(path);
                        continue;
                    }
                    let Some(key) = path
                        .strip_prefix(&root)
                        .ok()
                        .and_then(|p| p.to_str())
                        .map(str::to_owned)
                    else {
                        continue;
                    };
                    // Temporary files of writes in progress are not objects.
                    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
                    if key.starts_with(&prefix) && !name.starts_with(".tmp-") {
                        let modified = meta.modified().map(chrono::DateTime::from)?;
                        found.push(ObjectInfo { key, modified });
                    }
                }
            }
            Ok(found)
        })
        .await
        .map_err(|err| anyhow::anyhow!("listing failed: {err}"))?
        .map_err(|err| {
            anyhow::Error::new(err)
                .context("cannot list the upload folder")
                .into()
        })
    }

    pub(super) async fn check(&self) -> Result<(), StorageError> {
        let meta = tokio::fs::metadata(self.root.as_path())
            .await
            .map_err(|err| StorageError::Unavailable(format!("{}: {err}", self.root.display())))?;
        if !meta.is_dir() || meta.permissions().readonly() {
            return Err(StorageError::Unavailable(format!(
                "{} is not a writable folder",
                self.root.display()
            )));
        }
        Ok(())
    }

    /// `/media/<key>?expires=<unix time>&sig=<hex HMAC>`, valid for at least the store's TTL.
    /// The expiry is rounded up to a window, so the same URL serves every page until the
    /// window moves on; it is signed once per window and kept.
    pub fn signed_url(&self, key: &ObjectKey) -> String {
        let now = chrono::Utc::now().timestamp().max(0) as u64;
        if let Some(url) = self.urls.get(key, now) {
            return url;
        }
        let window = (self.ttl_seconds / 2).max(60);
        let expires = (now + self.ttl_seconds).div_ceil(window) * window;
        let mut sig = [0u8; 64];
        hex::encode_to_slice(self.mac(key, expires).finalize().into_bytes(), &mut sig)
            .expect("64 hex digits for 32 bytes");
        let sig = std::str::from_utf8(&sig).expect("hex digits are ASCII");
        let url = format!("/media/{key}?expires={expires}&sig={sig}");
        // Handed out until its remaining life would fall below the TTL.
        self.urls.keep(key, &url, expires - self.ttl_seconds, now);
        url
    }

    /// Whether a `/media/...` request carries a valid, unexpired signature for `key`.
    pub fn verify(&self, key: &ObjectKey, signature: &MediaSignature) -> bool {
        let now = chrono::Utc::now().timestamp().max(0) as u64;
        if signature.expires < now {
            return false;
        }
        let Ok(sig) = hex::decode(&signature.sig) else {
            return false;
        };
        self.mac(key, signature.expires).verify_slice(&sig).is_ok()
    }

    fn mac(&self, key: &ObjectKey, expires: u64) -> Hmac<Sha256> {
        let mut mac = Hmac::clone(&self.signer);
        mac.update(key.as_str().as_bytes());
        mac.update(b"\n");
        mac.update(expires.to_string().as_bytes());
        mac
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A store in a temporary folder, removed when the returned guard drops.
    fn store() -> (tempfile::TempDir, LocalStore) {
        let dir = tempfile::tempdir().unwrap();
        let store = LocalStore::new(dir.path().join("media"), &SecretKey::generate(), 3600);
        (dir, store.unwrap())
    }

    fn signature_of(url: &str) -> MediaSignature {
        let query = url.split_once('?').unwrap().1;
        let mut expires = 0;
        let mut sig = String::new();
        for pair in query.split('&') {
            match pair.split_once('=').unwrap() {
                ("expires", v) => expires = v.parse().unwrap(),
                ("sig", v) => sig = v.to_owned(),
                _ => {}
            }
        }
        MediaSignature { expires, sig }
    }

    #[test]
    fn a_signed_url_verifies_for_its_key_only() {
        let (_dir, store) = store();
        let key = ObjectKey::parse("photos/a.webp").unwrap();
        let other = ObjectKey::parse("photos/b.webp").unwrap();
        let url = store.signed_url(&key);
        assert!(url.starts_with("/media/photos/a.webp?expires="));
        let signature = signature_of(&url);
        assert!(store.verify(&key, &signature));
        assert!(!store.verify(&other, &signature));
    }

    #[test]
    fn a_tampered_or_expired_signature_fails() {
        let (_dir, store) = store();
        let key = ObjectKey::parse("photos/a.webp").unwrap();
        let signature = signature_of(&store.signed_url(&key));
        let later = MediaSignature {
            expires: signature.expires + 1,
            sig: signature.sig.clone(),
        };
        assert!(!store.verify(&key, &later));
        let garbage = MediaSignature {
            expires: signature.expires,
            sig: "zz".into(),
        };
        assert!(!store.verify(&key, &garbage));
        // A correctly signed URL whose time has passed.
        let expired = MediaSignature {
            expires: 1,
            sig: hex::encode(store.mac(&key, 1).finalize().into_bytes()),
        };
        assert!(!store.verify(&key, &expired));
    }

    #[test]
    fn urls_are_stable_within_a_window() {
        let (_dir, store) = store();
        let key = ObjectKey::parse("photos/a.webp").unwrap();
        assert_eq!(store.signed_url(&key), store.signed_url(&key));
    }
}
