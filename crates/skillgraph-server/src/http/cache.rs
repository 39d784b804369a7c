//! HTTP caching of anonymous GET queries: an `ETag` made of the catalog
//! version and a digest of the request, `Cache-Control` with the
//! configured max-age, and 304 for a client that already holds the answer.
//! A committed write bumps the version, so every old tag stops matching.

use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};

/// A digest of the parts of a request its answer depends on.
pub(super) fn fingerprint(parts: &[Option<&str>]) -> String {
    let mut hasher = Sha256::new();
    for part in parts {
        // A length prefix keeps ("ab", "c") apart from ("a", "bc").
        match part {
            Some(text) => {
                hasher.update((text.len() as u64).to_be_bytes());
                hasher.update(text.as_bytes());
            }
            None => hasher.update(u64::MAX.to_be_bytes()),
        }
    }
    hasher.finalize()[..12]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The entity tag of an answer at a catalog version.
pub(super) fn etag(version: i64, fingerprint: &str) -> String {
    format!("\"v{version}-{fingerprint}\"")
}

/// Whether `If-None-Match` names this tag (or `*`).
pub(super) fn matches(headers: &HeaderMap, etag: &str) -> bool {
    headers
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|tag| tag.trim().trim_start_matches("W/"))
        .any(|tag| tag == etag || tag == "*")
}

fn cache_control(max_age: u32) -> HeaderValue {
    HeaderValue::from_str(&format!("public, max-age={max_age}"))
        .unwrap_or(HeaderValue::from_static("no-cache"))
}

/// Marks an answer as one shared caches may keep.
pub(super) fn mark(headers: &mut HeaderMap, etag: &str, max_age: u32) {
    if let Ok(value) = HeaderValue::from_str(etag) {
        headers.insert(header::ETAG, value);
    }
    headers.insert(header::CACHE_CONTROL, cache_control(max_age));
    // Keyed by what changes the answer: the media type, and whether the
    // caller sent credentials (such answers are never stored).
    headers.append(
        header::VARY,
        HeaderValue::from_static("accept, authorization"),
    );
}

/// The answer for a client that holds the current one.
pub(super) fn not_modified(etag: &str, max_age: u32) -> Response {
    let mut response = StatusCode::NOT_MODIFIED.into_response();
    mark(response.headers_mut(), etag, max_age);
    response
}
