//! Persisted queries. Apollo's automatic persisted queries: a client sends
//! `extensions.persistedQuery.sha256Hash` alone, gets
//! PERSISTED_QUERY_NOT_FOUND the first time, then sends the hash with the
//! query, which is checked and kept (a bounded LRU). And a trusted-documents
//! mode (`--trusted-documents FILE`, a manifest of hash → document as
//! graphql-codegen's persisted-documents output writes it) in which only the
//! listed documents run, named by `documentId`, by hash, or by their text.

use std::collections::HashMap;
use std::num::NonZeroUsize;
use std::sync::{Arc, Mutex};

use lru::LruCache;
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
}

/// The documents known by hash.
pub struct PersistedQueries {
    automatic: Option<Mutex<LruCache<String, Arc<str>>>>,
    trusted: Option<HashMap<String, Arc<str>>>,
}

/// The lowercase hex SHA-256 of a document.
pub fn sha256_hex(text: &str) -> String {
    Sha256::digest(text.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn is_hash(text: &str) -> bool {
    text.len() == 64 && text.bytes().all(|b| b.is_ascii_hexdigit())
}

impl PersistedQueries {
    /// Automatic persisted queries with room for `capacity` documents (none
    /// when 0), or only the documents of a trusted manifest.
    pub fn new(capacity: usize, trusted: Option<HashMap<String, Arc<str>>>) -> Self {
        Self {
            automatic: NonZeroUsize::new(capacity)
                .filter(|_| trusted.is_none())
                .map(|c| Mutex::new(LruCache::new(c))),
            trusted,
        }
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
        let mut cache = cache
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        match query.as_deref() {
            Some(text) => {
                if sha256_hex(text) != hash {
                    return Err(Refusal::Bad("provided sha does not match query".into()));
                }
                cache.put(hash, Arc::from(text));
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
        let store = PersistedQueries::new(2, None);
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
            100,
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
}
