//! Object storage for photos and other uploads: one interface, two real backends.
//!
//! Policy: objects are private. Browsers never get a permanent address for one; they get a
//! signed URL that expires (`STORAGE_URL_TTL_SECONDS`): an S3 presigned GET, or for the local
//! store a `/media/...` URL carrying an HMAC that the app checks before streaming the file.
//! Keys are parsed into [`ObjectKey`] at the edge, so no backend ever sees `..` or an absolute
//! path. Deleting a missing object succeeds, so clean-up can be retried safely.

mod local;
mod memo;
mod s3;

use std::path::Path;

use bytes::Bytes;

pub use local::{LocalStore, MediaSignature};
pub use s3::S3Store;

use crate::config::{SecretKey, StorageSettings};

/// A storage key such as `photos/2026/11/3f2a.webp`: lower-case ASCII letters, digits, `-`, `_`
/// and `.` in `/`-separated segments, no empty, `.` or `..` segment, at most 512 bytes.
///
/// It is also a column type: a key read from the database is checked like one from a request.
#[derive(
    Debug,
    Clone,
    PartialEq,
    Eq,
    Hash,
    diesel::expression::AsExpression,
    diesel::deserialize::FromSqlRow,
)]
#[diesel(sql_type = diesel::sql_types::Text)]
pub struct ObjectKey(String);

impl diesel::serialize::ToSql<diesel::sql_types::Text, diesel::pg::Pg> for ObjectKey {
    fn to_sql<'b>(
        &'b self,
        out: &mut diesel::serialize::Output<'b, '_, diesel::pg::Pg>,
    ) -> diesel::serialize::Result {
        <str as diesel::serialize::ToSql<diesel::sql_types::Text, diesel::pg::Pg>>::to_sql(
            &self.0, out,
        )
    }
}

impl diesel::deserialize::FromSql<diesel::sql_types::Text, diesel::pg::Pg> for ObjectKey {
    fn from_sql(bytes: diesel::pg::PgValue<'_>) -> diesel::deserialize::Result<Self> {
        let text = <String as diesel::deserialize::FromSql<
            diesel::sql_types::Text,
            diesel::pg::Pg,
        >>::from_sql(bytes)?;
        Self::parse(&text).map_err(|err| err.to_string().into())
    }
}

impl ObjectKey {
    pub const MAX_LEN: usize = 512;

    pub fn parse(key: &str) -> Result<Self, StorageError> {
        let valid_segment = |segment: &str| {
            !segment.is_empty()
                && segment != "."
                && segment != ".."
                && segment.bytes().all(|b| {
                    b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'-' | b'_' | b'.')
                })
        };
        if key.is_empty() || key.len() > Self::MAX_LEN || !key.split('/').all(valid_segment) {
            return Err(StorageError::InvalidKey(key.chars().take(80).collect()));
        }
        Ok(Self(key.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The MIME type implied by the key's extension.
    pub fn content_type(&self) -> String {
        mime_guess::from_path(&self.0)
            .first_or_octet_stream()
            .essence_str()
            .to_owned()
    }
}

impl std::fmt::Display for ObjectKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    #[error("no object with key {0}")]
    NotFound(String),
    #[error("invalid object key {0:?}")]
    InvalidKey(String),
    #[error("the storage service refused the credentials or the request: {0}")]
    Denied(String),
    #[error("the storage service is unreachable: {0}")]
    Unavailable(String),
    #[error(transparent)]
    Other(#[from] anyhow::Error),
}

/// An object's bytes and type.
#[derive(Debug, Clone)]
pub struct Object {
    pub bytes: Bytes,
    pub content_type: String,
}

/// An object as listed: its key and when it was last written.
#[derive(Debug, Clone)]
pub struct ObjectInfo {
    pub key: String,
    pub modified: chrono::DateTime<chrono::Utc>,
}

/// The configured object store. Cheap to clone.
#[derive(Debug, Clone)]
pub enum Storage {
    Local(LocalStore),
    S3(S3Store),
}

impl Storage {
    /// S3 when `S3_BUCKET` is set, otherwise local disk under `data_dir/uploads`.
    pub fn from_settings(
        settings: &StorageSettings,
        data_dir: &Path,
        secret: &SecretKey,
    ) -> anyhow::Result<Self> {
        match &settings.s3_bucket {
            Some(bucket) => Ok(Self::S3(S3Store::new(bucket, settings)?)),
            None => Ok(Self::Local(LocalStore::new(
                data_dir.join("uploads"),
                secret,
                settings.url_ttl_seconds,
            )?)),
        }
    }

    pub fn backend_name(&self) -> &'static str {
        match self {
            Self::Local(_) => "local disk",
            Self::S3(_) => "S3",
        }
    }

    pub async fn put(
        &self,
        key: &ObjectKey,
        bytes: Bytes,
        content_type: &str,
    ) -> Result<(), StorageError> {
        match self {
            Self::Local(store) => store.put(key, bytes).await,
            Self::S3(store) => store.put(key, bytes, content_type).await,
        }
    }

    pub async fn get(&self, key: &ObjectKey) -> Result<Object, StorageError> {
        match self {
            Self::Local(store) => store.get(key).await,
            Self::S3(store) => store.get(key).await,
        }
    }

    pub async fn exists(&self, key: &ObjectKey) -> Result<bool, StorageError> {
        match self {
            Self::Local(store) => store.exists(key).await,
            Self::S3(store) => store.exists(key).await,
        }
    }

    /// Deletes the object; a missing object is not an error.
    pub async fn delete(&self, key: &ObjectKey) -> Result<(), StorageError> {
        match self {
            Self::Local(store) => store.delete(key).await,
            Self::S3(store) => store.delete(key).await,
        }
    }

    /// A URL a browser can fetch the object from until it expires. Local URLs are relative to
    /// the site; S3 URLs are absolute.
    pub async fn signed_url(&self, key: &ObjectKey) -> Result<String, StorageError> {
        match self {
            Self::Local(store) => Ok(store.signed_url(key)),
            Self::S3(store) => store.signed_url(key).await,
        }
    }

    /// Every object whose key starts with `prefix` (for clean-up, not for pages).
    pub async fn list(&self, prefix: &str) -> Result<Vec<ObjectInfo>, StorageError> {
        match self {
            Self::Local(store) => store.list(prefix).await,
            Self::S3(store) => store.list(prefix).await,
        }
    }

    /// Whether the store answers, for `/readyz`.
    pub async fn check(&self) -> Result<(), StorageError> {
        match self {
            Self::Local(store) => store.check().await,
            Self::S3(store) => store.check().await,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ordinary_keys_parse() {
        for key in ["a", "photos/2026/11/3f2a-b_c.webp", "avatars/x.v2.png"] {
            assert_eq!(ObjectKey::parse(key).unwrap().as_str(), key);
        }
    }

    #[test]
    fn keys_that_could_escape_or_confuse_are_rejected() {
        let long = "a".repeat(ObjectKey::MAX_LEN + 1);
        for key in [
            "",
            "/etc/passwd",
            "../secret",
            "photos/../../x",
            "photos/./x",
            "photos//x",
            "photos/",
            "Photos/X.jpg",
            "photos/x y.jpg",
            "photos\\x",
            "photos/%2e%2e/x",
            "photos/x\0",
            long.as_str(),
        ] {
            assert!(ObjectKey::parse(key).is_err(), "{key:?} should be rejected");
        }
    }

    #[test]
    fn content_type_follows_the_extension() {
        assert_eq!(
            ObjectKey::parse("a/b.webp").unwrap().content_type(),
            "image/webp"
        );
        assert_eq!(
            ObjectKey::parse("a/b.jpg").unwrap().content_type(),
            "image/jpeg"
        );
        assert_eq!(
            ObjectKey::parse("a/b").unwrap().content_type(),
            "application/octet-stream"
        );
    }
}
