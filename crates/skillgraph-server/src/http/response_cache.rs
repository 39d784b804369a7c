//! A cache of whole answers to queries that read only the catalog, so a
//! repeated anonymous query is answered without parsing, validating,
//! executing or serializing anything.
//!
//! The invariant: an entry is keyed by the catalog version of the very
//! snapshot that executed it, and a lookup uses the version of the snapshot
//! the request would execute on (loaded once per request). A write swaps in
//! a snapshot of a newer version, so every request served after it keys
//! with the new version and can never meet an answer of the old catalog;
//! the old entries are dropped as soon as a newer version is seen (and are
//! unreachable even before that).
//!
//! What is stored: only answers without errors to queries (never mutations
//! or subscriptions) from requests without credentials. Nothing else in a
//! request's context can change such an answer: an anonymous caller's
//! learner fields are `null` whatever the request, and limits are the
//! process's own.

use std::sync::atomic::{AtomicI64, Ordering};

use axum::body::Bytes;
use sha2::{Digest, Sha256};

/// What identifies one answer: the catalog version it was computed on and
/// a digest of the parts of the request the answer depends on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Key {
    /// The version of the snapshot that executes (or executed) the request.
    version: i64,
    /// SHA-256 of the document, the operation name and the variables.
    request: [u8; 32],
}

impl Key {
    /// The key of a request at a catalog version: `document` is the text
    /// that runs (for a persisted query, the resolved text), `variables`
    /// the canonical JSON text of the variables (`None` for none).
    pub fn new(
        version: i64,
        document: &str,
        operation_name: Option<&str>,
        variables: Option<&str>,
    ) -> Self {
        let mut hasher = Sha256::new();
        for part in [Some(document), operation_name, variables] {
            // A length prefix keeps ("ab", "c") apart from ("a", "bc"), and
            // an absent part apart from an empty one.
            match part {
                Some(text) => {
                    hasher.update((text.len() as u64).to_be_bytes());
                    hasher.update(text.as_bytes());
                }
                None => hasher.update(u64::MAX.to_be_bytes()),
            }
        }
        Self {
            version,
            request: hasher.finalize().into(),
        }
    }

    /// The catalog version this key belongs to.
    pub fn version(&self) -> i64 {
        self.version
    }
}

/// How a request met the cache, as counted in
/// `skillgraph_response_cache_total{result}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lookup {
    /// Answered from the cache.
    Hit,
    /// Looked up, not found, executed (and stored when it is a query
    /// answered without errors).
    Miss,
    /// Not looked up or never storable: the request carried credentials,
    /// or it is a mutation or subscription.
    Bypass,
}

impl Lookup {
    /// Counts one request in the Prometheus metrics.
    pub fn count(self) {
        let result = match self {
            Self::Hit => "hit",
            Self::Miss => "miss",
            Self::Bypass => "bypass",
        };
        metrics::counter!("skillgraph_response_cache_total", "result" => result).increment(1);
    }
}

/// Serialized answers by key, bounded by their size in bytes.
pub struct ResponseCache {
    /// The answers: response bodies as sent, shared without copying.
    entries: moka::sync::Cache<Key, Bytes>,
    /// The newest catalog version a lookup has used; entries of older
    /// versions are dropped when it moves forward.
    newest: AtomicI64,
}

/// What an entry costs besides its body: the key and moka's bookkeeping, roughly.
const ENTRY_OVERHEAD: usize = 128;

impl ResponseCache {
    /// A cache holding up to `megabytes` MiB of answers; `None` (no cache)
    /// for 0.
    pub fn new(megabytes: u64) -> Option<Self> {
        if megabytes == 0 {
            return None;
        }
        let entries = moka::sync::Cache::builder()
            .max_capacity(megabytes.saturating_mul(1024 * 1024))
            .weigher(|_key: &Key, body: &Bytes| {
                u32::try_from(body.len().saturating_add(ENTRY_OVERHEAD)).unwrap_or(u32::MAX)
            })
            .build();
        Some(Self {
            entries,
            newest: AtomicI64::new(i64::MIN),
        })
    }

    /// The stored answer of `key`, if there is one.
    pub fn get(&self, key: &Key) -> Option<Bytes> {
        if self.newest.fetch_max(key.version, Ordering::Relaxed) < key.version {
            // The catalog moved forward: no later request can reach the
            // older entries, so free their room now instead of waiting for
            // them to be evicted.
            self.entries.invalidate_all();
        }
        self.entries.get(key)
    }

    /// Stores the answer of `key`: the body exactly as it was sent.
    pub fn insert(&self, key: Key, body: Bytes) {
        if key.version < self.newest.load(Ordering::Relaxed) {
            // Computed on a snapshot that has since been replaced: nobody
            // will ask for it again.
            return;
        }
        self.entries.insert(key, body);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_key_depends_on_every_part_and_on_the_version() {
        let base = Key::new(7, "{ a }", Some("A"), Some("{\"x\":1}"));
        assert_eq!(base, Key::new(7, "{ a }", Some("A"), Some("{\"x\":1}")));
        assert_eq!(base.version(), 7);
        for other in [
            Key::new(8, "{ a }", Some("A"), Some("{\"x\":1}")),
            Key::new(7, "{ b }", Some("A"), Some("{\"x\":1}")),
            Key::new(7, "{ a }", None, Some("{\"x\":1}")),
            Key::new(7, "{ a }", Some(""), Some("{\"x\":1}")),
            Key::new(7, "{ a }", Some("A"), Some("{\"x\":2}")),
            Key::new(7, "{ a }", Some("A"), None),
        ] {
            assert_ne!(base, other);
        }
        // Parts do not run into each other.
        assert_ne!(
            Key::new(1, "ab", Some("c"), None),
            Key::new(1, "a", Some("bc"), None)
        );
    }

    #[test]
    fn a_newer_version_makes_older_answers_unreachable() {
        let cache = ResponseCache::new(1).unwrap();
        let old = Key::new(1, "{ a }", None, None);
        assert_eq!(cache.get(&old), None);
        cache.insert(old, Bytes::from_static(b"old"));
        assert_eq!(cache.get(&old).as_deref(), Some(&b"old"[..]));
        let new = Key::new(2, "{ a }", None, None);
        assert_eq!(cache.get(&new), None, "another version, another key");
        assert_eq!(cache.get(&old), None, "older entries are dropped");
        cache.insert(old, Bytes::from_static(b"late"));
        assert_eq!(
            cache.get(&old),
            None,
            "a late answer of an old snapshot is not kept"
        );
        assert!(ResponseCache::new(0).is_none(), "0 turns the cache off");
    }
}
