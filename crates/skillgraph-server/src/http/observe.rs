//! What operators see of each request: a request id on the response and on
//! every log line written while it runs, one log line per request, and
//! Prometheus metrics by operation name and error code.

use std::time::{Duration, Instant};

use async_graphql::ServerError;
use axum::extract::Request;
use axum::http::{HeaderValue, header::HeaderName};
use axum::middleware::Next;
use axum::response::Response;
use tracing::Instrument;

/// The header that carries the request id both ways.
pub(super) const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// A caller's request id when it is a sane one, else a new random one.
fn choose_id(incoming: Option<&HeaderValue>) -> String {
    if let Some(id) = incoming.and_then(|v| v.to_str().ok())
        && !id.is_empty()
        && id.len() <= 64
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        return id.to_owned();
    }
    let mut bytes = [0u8; 8];
    if getrandom::fill(&mut bytes).is_err() {
        // No randomness: the time still tells requests apart in a log.
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos() as u64);
        bytes = nanos.to_be_bytes();
    }
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Gives each request an id, runs it inside a span that carries the id,
/// and writes one line when it is answered.
pub(super) async fn request_id(request: Request, next: Next) -> Response {
    let id = choose_id(request.headers().get(&REQUEST_ID));
    let method = request.method().clone();
    let path = request.uri().path().to_owned();
    let span = tracing::info_span!("request", request_id = %id, %method, %path);
    let started = Instant::now();
    let mut response = next.run(request).instrument(span.clone()).await;
    span.in_scope(|| {
        tracing::info!(
            status = response.status().as_u16(),
            elapsed_ms = started.elapsed().as_secs_f64() * 1000.0,
            "answered"
        );
    });
    if let Ok(value) = HeaderValue::from_str(&id) {
        response.headers_mut().insert(REQUEST_ID, value);
    }
    response
}

/// The operation name as a metric label: bounded, so clients cannot blow
/// up the number of series.
pub(super) fn operation_label(name: Option<&str>) -> String {
    match name {
        None => "anonymous".into(),
        Some(name)
            if name.len() <= 64 && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') =>
        {
            name.to_owned()
        }
        Some(_) => "other".into(),
    }
}

/// Counts a request and its errors by code, and times it.
pub(super) fn record(operation: &str, errors: &[ServerError], elapsed: Duration) {
    let outcome = if errors.is_empty() { "ok" } else { "error" };
    metrics::counter!(
        "skillgraph_graphql_requests_total",
        "operation" => operation.to_owned(),
        "outcome" => outcome
    )
    .increment(1);
    metrics::histogram!("skillgraph_graphql_request_seconds", "operation" => operation.to_owned())
        .record(elapsed.as_secs_f64());
    for error in errors {
        let code = error
            .extensions
            .as_ref()
            .and_then(|e| e.get("code"))
            .and_then(|v| match v {
                async_graphql::Value::String(code) => Some(code.clone()),
                _ => None,
            })
            .unwrap_or_else(|| "UNKNOWN".into());
        metrics::counter!("skillgraph_graphql_errors_total", "code" => code).increment(1);
    }
}
