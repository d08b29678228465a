//! S3 backend through rust-s3, for AWS and S3-compatible services.
//!
//! The bucket must exist and should be private; browsers get presigned GET URLs. Errors are
//! sorted into "not found", "denied" (credentials or policy) and "unavailable" (network), so
//! callers can answer 404, log a configuration problem, or report the store as not ready.

use std::time::Duration;

use anyhow::Context;
use bytes::Bytes;
use s3::creds::Credentials;
use s3::error::S3Error;
use s3::{Bucket, Region};

use super::memo::SignedUrls;
use super::{Object, ObjectInfo, ObjectKey, StorageError};
use crate::config::StorageSettings;

/// How long one request to the store may take.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);
/// Key probed by the readiness check; it need not exist.
const PROBE_KEY: &str = "corkboard-readyz-probe";

#[derive(Clone)]
pub struct S3Store {
    bucket: Box<Bucket>,
    ttl_seconds: u32,
    /// Presigned URLs handed out again while they have most of their life ahead.
    urls: std::sync::Arc<SignedUrls>,
}

impl std::fmt::Debug for S3Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("S3Store")
            .field("bucket", &self.bucket.name())
            .field("endpoint", &self.bucket.region().endpoint())
            .finish_non_exhaustive()
    }
}

impl S3Store {
    pub fn new(bucket_name: &str, settings: &StorageSettings) -> anyhow::Result<Self> {
        let region = match &settings.s3_endpoint {
            Some(endpoint) => Region::Custom {
                region: settings.s3_region.clone(),
                endpoint: endpoint.trim_end_matches('/').to_owned(),
            },
            None => settings
                .s3_region
                .parse()
                .with_context(|| format!("unknown S3 region {:?}", settings.s3_region))?,
        };
        let credentials = match (&settings.s3_access_key, &settings.s3_secret_key) {
            (Some(access), Some(secret)) => {
                Credentials::new(Some(access), Some(secret), None, None, None)
            }
            // Fall back to the usual AWS sources (environment, profile, instance role).
            _ => Credentials::default(),
        }
        .context("cannot load S3 credentials")?;
        let mut bucket = Bucket::new(bucket_name, region, credentials)
            .context("invalid S3 bucket configuration")?
            .with_request_timeout(REQUEST_TIMEOUT)
            .context("invalid S3 request timeout")?;
        if settings.s3_path_style {
            bucket = bucket.with_path_style();
        }
        Ok(Self {
            bucket,
            ttl_seconds: settings.url_ttl_seconds.clamp(60, 604_800) as u32,
            urls: Default::default(),
        })
    }

    /// Scheme, host and port of the bucket's URLs, for the Content-Security-Policy.
    pub fn origin(&self) -> String {
        let url = self.bucket.url();
        let Some((scheme, rest)) = url.split_once("://") else {
            return url;
        };
        let host = rest.split('/').next().unwrap_or(rest);
        format!("{scheme}://{host}")
    }

    pub(super) async fn put(
        &self,
        key: &ObjectKey,
        bytes: Bytes,
        content_type: &str,
    ) -> Result<(), StorageError> {
        self.bucket
            .put_object_with_content_type(key.as_str(), &bytes, content_type)
            .await
            .map_err(|err| classify(err, key))?;
        Ok(())
    }

    pub(super) async fn get(&self, key: &ObjectKey) -> Result<Object, StorageError> {
        let response = self
            .bucket
            .get_object(key.as_str())
            .await
            .map_err(|err| classify(err, key))?;
        let content_type = response
            .headers()
            .get("content-type")
            .cloned()
            .unwrap_or_else(|| key.content_type());
        Ok(Object {
            bytes: response.bytes().clone(),
            content_type,
        })
    }

    pub(super) async fn exists(&self, key: &ObjectKey) -> Result<bool, StorageError> {
        match self.bucket.head_object(key.as_str()).await {
            Ok((_, status)) => Ok(status < 300),
            Err(err) => match classify(err, key) {
                StorageError::NotFound(_) => Ok(false),
                other => Err(other),
            },
        }
    }

    pub(super) async fn delete(&self, key: &ObjectKey) -> Result<(), StorageError> {
        match self.bucket.delete_object(key.as_str()).await {
            Ok(_) => Ok(()),
            Err(err) => match classify(err, key) {
                StorageError::NotFound(_) => Ok(()),
                other => Err(other),
            },
        }
    }

    /// A presigned GET URL that lives at least a minute, or half the TTL when that is longer.
    /// One is signed per object and handed out again until it gets that short.
    pub(super) async fn signed_url(&self, key: &ObjectKey) -> Result<String, StorageError> {
        let now = chrono::Utc::now().timestamp().max(0) as u64;
        if let Some(url) = self.urls.get(key, now) {
            return Ok(url);
        }
        let url = self
            .bucket
            .presign_get(key.as_str(), self.ttl_seconds, None)
            .await
            .map_err(|err| classify(err, key))?;
        if let Some(reuse_for) = reuse_for(self.ttl_seconds) {
            self.urls.keep(key, &url, now + reuse_for, now);
        }
        Ok(url)
    }

    pub(super) async fn list(&self, prefix: &str) -> Result<Vec<ObjectInfo>, StorageError> {
        let probe = ObjectKey::parse(PROBE_KEY).expect("the probe key is valid");
        let pages = self
            .bucket
            .list(prefix.to_owned(), None)
            .await
            .map_err(|err| classify(err, &probe))?;
        Ok(pages
            .into_iter()
            .flat_map(|page| page.contents)
            .filter_map(|object| {
                let modified = chrono::DateTime::parse_from_rfc3339(&object.last_modified)
                    .ok()?
                    .to_utc();
                Some(ObjectInfo {
                    key: object.key,
                    modified,
                })
            })
            .collect())
    }

    /// The bucket answers with our credentials: a missing probe object (404) counts as
    /// reachable, a 403 or a network error does not.
    pub(super) async fn check(&self) -> Result<(), StorageError> {
        let probe = ObjectKey::parse(PROBE_KEY).expect("the probe key is valid");
        self.exists(&probe).await.map(|_| ())
    }
}

/// How long after signing a presigned URL may be handed out again (seconds; whole ones, so a
/// second is kept in hand): until half its life is gone, and never once it has less than a
/// minute left. `None` when the TTL leaves nothing to reuse.
fn reuse_for(ttl_seconds: u32) -> Option<u64> {
    let ttl = u64::from(ttl_seconds);
    Some((ttl / 2).min(ttl.saturating_sub(61))).filter(|&seconds| seconds > 0)
}

fn classify(err: S3Error, key: &ObjectKey) -> StorageError {
    match err {
        S3Error::HttpFailWithBody(404, _) => StorageError::NotFound(key.to_string()),
        S3Error::HttpFailWithBody(status @ (401 | 403), body) => {
            StorageError::Denied(format!("HTTP {status}: {}", first_line(&body)))
        }
        S3Error::HttpFailWithBody(status, body) if status >= 500 => {
            StorageError::Unavailable(format!("HTTP {status}: {}", first_line(&body)))
        }
        S3Error::Reqwest(err) => StorageError::Unavailable(err.to_string()),
        other => StorageError::Other(anyhow::Error::new(other).context(format!("object {key}"))),
    }
}

fn first_line(body: &str) -> String {
    body.lines()
        .next()
        .unwrap_or_default()
        .chars()
        .take(200)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_presigned_url_is_handed_out_again_only_while_it_has_a_minute_left() {
        assert_eq!(reuse_for(60), None, "a minute's URL is never reused");
        assert_eq!(reuse_for(61), None);
        for ttl in [62, 100, 121, 600, 3600, 604_800] {
            let reuse = reuse_for(ttl).unwrap();
            let ttl = u64::from(ttl);
            assert!(reuse <= ttl / 2, "at most half its life ({ttl} s)");
            // Handed out up to a second after `reuse` (whole seconds), it still lives a minute:
            // more than 60 s left at `reuse` itself.
            assert!(ttl - reuse > 60, "{ttl} s: {reuse} s");
        }
        assert_eq!(reuse_for(3600), Some(1800));
    }
}
