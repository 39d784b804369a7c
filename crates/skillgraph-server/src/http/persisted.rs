//! Persisted queries. Apollo's automatic persisted queries: a client sends
//! `extensions.persistedQuery.sha256Hash` alone, gets
//! PERSISTED_QUERY_NOT_FOUND the first time, then sends the hash with the
//! query, which is checked and kept. And a trusted-documents mode
//! (`--trusted-documents FILE`, a manifest of hash → document as
//! graphql-codegen's persisted-documents output writes it) in which only the
//! listed documents run, named by `documentId`, by hash, or by their text.
//!
//! What is kept is bounded in bytes, not in entries: the automatic cache
//! (moka, weighed by document size) holds at most its budget, and a
//! document larger than the per-document limit is not registered at all
//! (PERSISTED_QUERY_TOO_LARGE), so that no client can make the process
//! grow by registering large documents. Trusted documents are the
//! operator's manifest, read once at start: they never grow.

use std::collections::HashMap;
use std::sync::Arc;

use serde_json::Value;
use sha2::{Digest, Sha256};

/// Why a request's document could not be found or may not run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// The hash is not known (yet): send it again with the query.
    NotFound,
    /// The server runs only listed documents, and this is not one.
    NotTrusted,
    /// The persisted-query parameters are malformed.
    Bad(String),
    /// The document to register is larger than the limit, in bytes.
    TooLarge(usize),
}

/// How much the automatic persisted queries may hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Budget {
    /// The bytes of all documents kept, with their keys; 0 turns the cache off.
    pub total_bytes: u64,
    /// The largest document that is registered, in bytes.
    pub max_document_bytes: usize,
}

impl Default for Budget {
    fn default() -> Self {
        Self {
            total_bytes: 16 << 20,
            max_document_bytes: 128 << 10,
        }
    }
}

/// The documents known by hash.
pub struct PersistedQueries {
    automatic: Option<moka::sync::Cache<String, Arc<str>>>,
    max_document_bytes: usize,
    trusted: Option<HashMap<String, Arc<str>>>,
}

/// What an entry costs besides its document: the hash key and moka's
/// bookkeeping, roughly.
const ENTRY_OVERHEAD: usize = 64 + 128;

/// The lowercase hex SHA-256 of a document.
pub fn sha256_hex(text: &str) -> String {
    format!("{:x}", Sha256::digest(text.as_bytes()))
}

fn is_hash(text: &str) -> bool {
    text.len() == 64 && text.bytes().all(|b| b.is_ascii_hexdigit())
}

impl PersistedQueries {
    /// Automatic persisted queries within `budget` (none when its total is
    /// 0), or only the documents of a trusted manifest.
    pub fn new(budget: Budget, trusted: Option<HashMap<String, Arc<str>>>) -> Self {
        let automatic = (budget.total_bytes > 0 && trusted.is_none()).then(|| {
            moka::sync::Cache::builder()
                .max_capacity(budget.total_bytes)
                .weigher(|hash: &String, document: &Arc<str>| {
                    let bytes = hash.len() + document.len() + ENTRY_OVERHEAD;
                    u32::try_from(bytes).unwrap_or(u32::MAX)
                })
                .build()
        });
        Self {
            automatic,
            max_document_bytes: budget.max_document_bytes,
            trusted,
        }
    }

    /// The bytes the automatic persisted queries hold now, by the weigher's
    /// count (0 when they are off).
    pub fn weighted_bytes(&self) -> u64 {
        self.automatic.as_ref().map_or(0, |cache| {
            cache.run_pending_tasks();
            cache.weighted_size()
        })
    }

    /// Reads a manifest: a JSON object of `hash` (or `sha256:hash`) to
    /// document. Every hash must be the document's SHA-256.
    pub fn read_manifest(text: &str) -> Result<HashMap<String, Arc<str>>, String> {
        let entries: HashMap<String, String> = serde_json::from_str(text)
            .map_err(|e| format!("not a JSON object of hash to document: {e}"))?;
        entries
            .into_iter()
            .map(|(key, document)| {
                let hash = key
                    .strip_prefix("sha256:")
                    .unwrap_or(&key)
                    .to_ascii_lowercase();
                if !is_hash(&hash) {
                    return Err(format!("`{key}` is not a SHA-256 hash"));
                }
                if sha256_hex(&document) != hash {
                    return Err(format!("`{key}` is not the SHA-256 of its document"));
                }
                Ok((hash, Arc::from(document)))
            })
            .collect()
    }

    /// Whether only listed documents run.
    pub fn trusted_only(&self) -> bool {
        self.trusted.is_some()
    }

    /// Fills in `query` from what the request names, or says why not.
    pub fn resolve(
        &self,
        query: &mut Option<String>,
        extensions: Option<&Value>,
        document_id: Option<&str>,
    ) -> Result<(), Refusal> {
        let persisted = extensions.and_then(|e| e.get("persistedQuery"));
        let hash = match (document_id, persisted) {
            (Some(id), _) => Some(
                id.strip_prefix("sha256:")
                    .unwrap_or(id)
                    .to_ascii_lowercase(),
            ),
            (None, Some(persisted)) => {
                if persisted.get("version").and_then(Value::as_i64) != Some(1) {
                    return Err(Refusal::Bad("`persistedQuery.version` must be 1".into()));
                }
                let hash = persisted
                    .get("sha256Hash")
                    .and_then(Value::as_str)
                    .ok_or_else(|| Refusal::Bad("`persistedQuery.sha256Hash` is missing".into()))?;
                Some(hash.to_ascii_lowercase())
            }
            (None, None) => None,
        };
        if let Some(hash) = &hash
            && !is_hash(hash)
        {
            return Err(Refusal::Bad(format!("`{hash}` is not a SHA-256 hash")));
        }
        if let Some(trusted) = &self.trusted {
            let listed = match (&hash, query.as_deref()) {
                (Some(hash), _) => trusted.get(hash),
                (None, Some(text)) => trusted.get(&sha256_hex(text)),
                (None, None) => return Ok(()),
            };
            let document = listed.ok_or(Refusal::NotTrusted)?;
            if query.as_deref().is_some_and(|text| text != &**document) {
                return Err(Refusal::Bad(
                    "the query is not the document of that hash".into(),
                ));
            }
            *query = Some(document.to_string());
            return Ok(());
        }
        let (Some(hash), Some(cache)) = (hash, &self.automatic) else {
            return Ok(());
        };
        match query.as_deref() {
            Some(text) => {
                if text.len() > self.max_document_bytes {
                    return Err(Refusal::TooLarge(self.max_document_bytes));
                }
                if sha256_hex(text) != hash {
                    return Err(Refusal::Bad("provided sha does not match query".into()));
                }
                cache.insert(hash, Arc::from(text));
                Ok(())
            }
            None => {
                let document = cache.get(&hash).ok_or(Refusal::NotFound)?;
                *query = Some(document.to_string());
                Ok(())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn ext(hash: &str) -> Value {
        json!({ "persistedQuery": { "version": 1, "sha256Hash": hash } })
    }

    #[test]
    fn automatic_queries_register_on_the_second_try_and_must_match_their_hash() {
        let store = PersistedQueries::new(Budget::default(), None);
        let text = "{ __typename }";
        let hash = sha256_hex(text);
        let mut query = None;
        assert_eq!(
            store.resolve(&mut query, Some(&ext(&hash)), None),
            Err(Refusal::NotFound)
        );
        let mut wrong = Some("{ catalog { version } }".to_owned());
        assert!(matches!(
            store.resolve(&mut wrong, Some(&ext(&hash)), None),
            Err(Refusal::Bad(_))
        ));
        let mut given = Some(text.to_owned());
        assert_eq!(store.resolve(&mut given, Some(&ext(&hash)), None), Ok(()));
        let mut query = None;
        assert_eq!(store.resolve(&mut query, Some(&ext(&hash)), None), Ok(()));
        assert_eq!(query.as_deref(), Some(text));
    }

    #[test]
    fn trusted_mode_runs_only_listed_documents() {
        let text = "query Title { roadmap(slug: \"backend\") { title } }";
        let manifest = format!(
            "{{ \"sha256:{}\": {} }}",
            sha256_hex(text),
            serde_json::to_string(text).unwrap()
        );
        let store = PersistedQueries::new(
            Budget::default(),
            Some(PersistedQueries::read_manifest(&manifest).unwrap()),
        );
        let mut by_id = None;
        let id = format!("sha256:{}", sha256_hex(text));
        assert_eq!(store.resolve(&mut by_id, None, Some(&id)), Ok(()));
        assert_eq!(by_id.as_deref(), Some(text));
        let mut by_text = Some(text.to_owned());
        assert_eq!(store.resolve(&mut by_text, None, None), Ok(()));
        let mut other = Some("{ __typename }".to_owned());
        assert_eq!(
            store.resolve(&mut other, None, None),
            Err(Refusal::NotTrusted)
        );
        let new = "{ catalog { version } }";
        let mut register = Some(new.to_owned());
        assert_eq!(
            store.resolve(&mut register, Some(&ext(&sha256_hex(new))), None),
            Err(Refusal::NotTrusted),
            "nothing new is learnt"
        );
        assert!(PersistedQueries::read_manifest(r#"{ "abc": "{ x }" }"#).is_err());
    }

    #[test]
    fn the_cache_holds_its_budget_in_bytes_and_refuses_large_documents() {
        let budget = Budget {
            total_bytes: 64 << 10,
            max_document_bytes: 8 << 10,
        };
        let store = PersistedQueries::new(budget, None);
        let document = |n: usize| format!("{{ __typename }} # {n} {}", "x".repeat(4000));
        for n in 0..100 {
            let text = document(n);
            let mut query = Some(text.clone());
            assert_eq!(
                store.resolve(&mut query, Some(&ext(&sha256_hex(&text))), None),
                Ok(())
            );
        }
        let held = store.weighted_bytes();
        assert!(held <= budget.total_bytes, "{held} bytes held");
        assert!(held > budget.total_bytes / 2, "{held} bytes held");
        let known = (0..100)
            .filter(|n| {
                let mut query = None;
                let hash = sha256_hex(&document(*n));
                store.resolve(&mut query, Some(&ext(&hash)), None).is_ok()
            })
            .count();
        assert!(known < 20, "{known} of 100 documents of 4 kB kept in 64 kB");

        let large = format!("{{ __typename }} # {}", "x".repeat(8 << 10));
        let mut query = Some(large.clone());
        assert_eq!(
            store.resolve(&mut query, Some(&ext(&sha256_hex(&large))), None),
            Err(Refusal::TooLarge(8 << 10))
        );
    }
}
