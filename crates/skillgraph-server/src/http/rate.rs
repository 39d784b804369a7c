//! Rate limits at `/graphql`: each bearer token, and each client address
//! without one, gets its own bucket (tower_governor), and a request past
//! it is answered 429 with `Retry-After` and the code RATE_LIMITED.

use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{HeaderValue, Request, Response, StatusCode, header};
use governor::clock::QuantaInstant;
use governor::middleware::NoOpMiddleware;
use sha2::{Digest, Sha256};
use tower_governor::GovernorLayer;
use tower_governor::errors::GovernorError;
use tower_governor::governor::GovernorConfigBuilder;
use tower_governor::key_extractor::KeyExtractor;

/// Whose bucket a request draws from.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Caller {
    /// A bearer token, by a digest of it (the token itself is not kept).
    Token([u8; 16]),
    /// A client without a token, by its address.
    Address(IpAddr),
}

/// Picks a request's bucket: its token when it has one, else its address.
#[derive(Debug, Clone, Copy)]
pub struct ByCaller;

impl KeyExtractor for ByCaller {
    type Key = Caller;

    fn extract<T>(&self, request: &Request<T>) -> Result<Self::Key, GovernorError> {
        if let Some(token) = super::bearer_token(request.headers()) {
            let digest = Sha256::digest(token.as_bytes());
            let mut key = [0u8; 16];
            key.copy_from_slice(&digest[..16]);
            return Ok(Caller::Token(key));
        }
        request
            .extensions()
            .get::<ConnectInfo<SocketAddr>>()
            .map(|ConnectInfo(address)| Caller::Address(address.ip()))
            .ok_or(GovernorError::UnableToExtractKey)
    }
}

/// The answer past the limit: a GraphQL error body with the governor's headers.
fn refuse(error: GovernorError) -> Response<Body> {
    let (status, wait, headers) = match error {
        GovernorError::TooManyRequests { wait_time, headers } => {
            (StatusCode::TOO_MANY_REQUESTS, wait_time, headers)
        }
        _ => (StatusCode::INTERNAL_SERVER_ERROR, 1, None),
    };
    // The governor rounds down to whole seconds; "0" would invite a retry storm.
    let wait = wait.max(1);
    let body = serde_json::json!({ "errors": [{
        "message": format!("too many requests; retry after {wait} s"),
        "extensions": { "code": "RATE_LIMITED" }
    }] });
    let mut response = Response::new(Body::from(body.to_string()));
    *response.status_mut() = status;
    let out = response.headers_mut();
    if let Some(headers) = headers {
        out.extend(headers);
    }
    out.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    out.insert(header::RETRY_AFTER, HeaderValue::from(wait));
    out.insert("x-ratelimit-after", HeaderValue::from(wait));
    response
}

/// The limiter for `per_second` requests a second per caller with bursts of
/// `burst`; `None` when `per_second` is 0 (no limit).
pub fn layer(
    per_second: u32,
    burst: u32,
) -> Option<GovernorLayer<ByCaller, NoOpMiddleware<QuantaInstant>, Body>> {
    if per_second == 0 {
        return None;
    }
    let config = GovernorConfigBuilder::default()
        .key_extractor(ByCaller)
        .period(Duration::from_secs(1) / per_second)
        .burst_size(burst.max(1))
        .finish()?;
    Some(GovernorLayer::new(config).error_handler(refuse))
}
