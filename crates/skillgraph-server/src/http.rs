//! The HTTP edge, following the GraphQL-over-HTTP specification: GET for
//! queries only, POST with a JSON body, the response media type negotiated
//! from `Accept`, and request errors answered without a `data` entry.

use std::sync::Arc;

use async_graphql::parser::types::OperationType;
use async_graphql::{Request, Variables};
use async_graphql_axum::GraphQLProtocol;
use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::ws::WebSocketUpgrade;
use axum::extract::ws::rejection::WebSocketUpgradeRejection;
use axum::extract::{Extension, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use serde::Deserialize;

use crate::api::{self, error::codes as codes_api};
use crate::app::App;

/// The media type of GraphQL responses defined by GraphQL over HTTP.
pub const GRAPHQL_RESPONSE_JSON: &str = "application/graphql-response+json";
/// The legacy media type, still what most clients ask for.
pub const APPLICATION_JSON: &str = "application/json";

mod cache;
pub mod connections;
pub mod graphiql;
mod observe;
pub mod persisted;
mod rate;
pub mod response_cache;
mod roadmap_files;
mod ws;

/// The codes of the answers the HTTP edge gives before any GraphQL runs,
/// as they appear in `extensions.code`.
pub mod codes {
    /// The caller sent more requests than its rate allows (429).
    pub const RATE_LIMITED: &str = "RATE_LIMITED";
    /// The body is larger than `--max-body-bytes` (413).
    pub const REQUEST_TOO_LARGE: &str = "REQUEST_TOO_LARGE";
    /// The body did not arrive within the header-read timeout (408).
    pub const REQUEST_TIMEOUT: &str = "REQUEST_TIMEOUT";
    /// `Accept` names no media type the server answers in (406).
    pub const NOT_ACCEPTABLE: &str = "NOT_ACCEPTABLE";
    /// The body is not `application/json` (415).
    pub const UNSUPPORTED_MEDIA_TYPE: &str = "UNSUPPORTED_MEDIA_TYPE";
    /// The method cannot be used here: a mutation by GET, or neither GET nor POST (405).
    pub const METHOD_NOT_ALLOWED: &str = "METHOD_NOT_ALLOWED";
    /// The hash names no document the server knows (yet): send the query with it.
    pub const PERSISTED_QUERY_NOT_FOUND: &str = "PERSISTED_QUERY_NOT_FOUND";
    /// The document to register is larger than `--apq-max-document-bytes`.
    pub const PERSISTED_QUERY_TOO_LARGE: &str = "PERSISTED_QUERY_TOO_LARGE";
    /// The server runs only its trusted documents, and this is none of them.
    pub const DOCUMENT_NOT_TRUSTED: &str = "DOCUMENT_NOT_TRUSTED";
    /// As many WebSockets are open as `--max-websockets` allows (503).
    pub const TOO_MANY_WEBSOCKETS: &str = "TOO_MANY_WEBSOCKETS";
    /// The socket runs as many operations as `--max-operations-per-socket` allows.
    pub const TOO_MANY_OPERATIONS: &str = "TOO_MANY_OPERATIONS";
}

/// What the operator configures about the HTTP edge.
#[derive(Debug, Clone)]
pub struct EdgeOptions {
    /// Where GraphiQL's scripts come from.
    pub graphiql_assets: graphiql::AssetSource,
    /// Origins whose browser pages may call the API; none when empty,
    /// any when it holds `*`.
    pub cors_origins: Vec<String>,
    /// The largest request body accepted; a larger one is answered 413.
    pub max_body_bytes: usize,
    /// How long shared caches may keep an anonymous GET answer, in seconds.
    pub cache_max_age: u32,
    /// Requests a second each token (or address, without one) may send; 0 for no limit.
    pub rate_per_second: u32,
    /// How many requests beyond the rate a caller may send at once.
    pub rate_burst: u32,
    /// How many MiB of anonymous query answers the response cache keeps; 0 for none.
    pub response_cache_mb: u64,
    /// Open connections, and how long a request head or an idle connection may take.
    pub connections: connections::ConnectionLimits,
    /// Most WebSockets open at once (both protocols); more are answered 503.
    pub max_websockets: usize,
    /// Most operations one WebSocket runs at once; more get an error.
    pub max_operations_per_socket: usize,
}

impl Default for EdgeOptions {
    fn default() -> Self {
        Self {
            graphiql_assets: graphiql::AssetSource::Cdn,
            cors_origins: Vec::new(),
            max_body_bytes: 1 << 20,
            cache_max_age: 60,
            rate_per_second: 0,
            rate_burst: 1,
            response_cache_mb: 64,
            connections: connections::ConnectionLimits::default(),
            max_websockets: 256,
            max_operations_per_socket: 32,
        }
    }
}

/// The CORS policy the options ask for, if any.
fn cors(origins: &[String]) -> Option<tower_http::cors::CorsLayer> {
    use tower_http::cors::{AllowOrigin, CorsLayer};
    if origins.is_empty() {
        return None;
    }
    let allow = if origins.iter().any(|o| o == "*") {
        AllowOrigin::any()
    } else {
        AllowOrigin::list(
            origins
                .iter()
                .filter_map(|o| HeaderValue::from_str(o.trim_end_matches('/')).ok()),
        )
    };
    Some(
        CorsLayer::new()
            .allow_origin(allow)
            .allow_methods([axum::http::Method::GET, axum::http::Method::POST])
            .allow_headers([header::CONTENT_TYPE, header::AUTHORIZATION, header::ACCEPT])
            .max_age(std::time::Duration::from_secs(3600)),
    )
}

/// The routes of the service.
pub fn router(app: Arc<App>) -> Router {
    let cors = cors(&app.edge().cors_origins);
    let body_limit = axum::extract::DefaultBodyLimit::max(app.edge().max_body_bytes);
    let router = Router::new()
        .route("/", get(graphiql::graphiql))
        .route("/graphiql-assets/{package}/{*file}", get(graphiql::asset))
        .route("/graphql", {
            let gate = Arc::new(rate::Gate::new(
                Arc::clone(&app),
                app.edge().rate_per_second,
                app.edge().rate_burst,
            ));
            get(graphql_get)
                .post(graphql_post)
                .fallback(method_not_allowed)
                .layer(axum::middleware::from_fn_with_state(gate, rate::gate))
        })
        .route("/roadmaps/{file}", get(roadmap_files::diagram))
        .route("/roadmaps/{slug}/{file}", get(roadmap_files::checklist))
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics))
        .layer(body_limit)
        .layer(axum::middleware::from_fn(private_when_authorized))
        .layer(axum::middleware::from_fn(observe::request_id))
        .layer(tower_http::compression::CompressionLayer::new())
        .with_state(app);
    match cors {
        Some(cors) => router.layer(cors),
        None => router,
    }
}

/// Marks every answer to a request with credentials as the caller's own:
/// no shared cache may keep it or give it to another caller.
async fn private_when_authorized(
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let personal = request.headers().contains_key(header::AUTHORIZATION);
    let mut response = next.run(request).await;
    if personal {
        let headers = response.headers_mut();
        headers.insert(
            header::CACHE_CONTROL,
            HeaderValue::from_static("private, no-store"),
        );
        headers.append(header::VARY, HeaderValue::from_static("authorization"));
    }
    response
}

/// Which media type the answer is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ResponseType {
    /// `application/graphql-response+json`: status codes carry meaning.
    GraphqlResponse,
    /// `application/json`: always 200 once the request was understood.
    Json,
}

impl ResponseType {
    fn media_type(self) -> &'static str {
        match self {
            Self::GraphqlResponse => GRAPHQL_RESPONSE_JSON,
            Self::Json => APPLICATION_JSON,
        }
    }
}

/// Picks the response media type from `Accept`; `None` when we can offer
/// nothing the client takes.
fn negotiate(headers: &HeaderMap) -> Option<ResponseType> {
    let Some(accept) = headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .filter(|v| !v.trim().is_empty())
    else {
        // No Accept header: the specification says to treat it as application/json.
        return Some(ResponseType::Json);
    };
    let mut json = false;
    let mut wildcard = false;
    for range in accept.split(',') {
        let mut parts = range.split(';');
        let media = parts.next().unwrap_or("").trim().to_ascii_lowercase();
        let refused = parts.any(|p| {
            p.trim()
                .strip_prefix("q=")
                .and_then(|q| q.trim().parse::<f32>().ok())
                .is_some_and(|q| q <= 0.0)
        });
        if refused {
            continue;
        }
        match media.as_str() {
            GRAPHQL_RESPONSE_JSON => return Some(ResponseType::GraphqlResponse),
            APPLICATION_JSON => json = true,
            "*/*" | "application/*" => wildcard = true,
            _ => {}
        }
    }
    // A wildcard gets the legacy type, as GraphQL over HTTP recommends
    // while clients migrate: what every client understands.
    if json || wildcard {
        Some(ResponseType::Json)
    } else {
        None
    }
}

/// Every answer given before any GraphQL runs (refusals of the method,
/// media types, body, rate, credentials, persisted documents): a GraphQL
/// error body `{"errors": [...]}` with `extensions.code`, in the negotiated
/// media type, or in `application/json` when the client accepts neither
/// (a 406: every GraphQL client reads it).
fn error_answer(
    status: StatusCode,
    response_type: Option<ResponseType>,
    code: &str,
    message: &str,
) -> Response {
    let body = serde_json::json!({
        "errors": [{ "message": message, "extensions": { "code": code } }]
    });
    let mut response = (status, body.to_string()).into_response();
    let media_type = response_type.unwrap_or(ResponseType::Json).media_type();
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(media_type));
    response
}

/// A malformed request: 400 BAD_USER_INPUT.
fn refuse(status: StatusCode, response_type: ResponseType, message: &str) -> Response {
    error_answer(
        status,
        Some(response_type),
        codes_api::BAD_USER_INPUT,
        message,
    )
}

/// The answer to a client that accepts none of our media types.
fn not_acceptable() -> Response {
    error_answer(
        StatusCode::NOT_ACCEPTABLE,
        None,
        codes::NOT_ACCEPTABLE,
        "GraphQL answers are sent as application/graphql-response+json or application/json; `Accept` names neither",
    )
}

/// `/graphql` with a method other than GET and POST.
async fn method_not_allowed(headers: HeaderMap) -> Response {
    let mut response = error_answer(
        StatusCode::METHOD_NOT_ALLOWED,
        negotiate(&headers),
        codes::METHOD_NOT_ALLOWED,
        "send GraphQL requests with GET (queries) or POST",
    );
    response
        .headers_mut()
        .insert(header::ALLOW, HeaderValue::from_static("GET, POST"));
    response
}

/// Refuses a mutation whose bearer token did not verify, before anything
/// runs: 401 UNAUTHENTICATED, saying why. Reads are served (fields that
/// need the caller answer UNAUTHENTICATED on their own).
fn refuse_unverified(
    app: &App,
    credential: Option<&rate::Credential>,
    request: &Request,
    response_type: ResponseType,
) -> Option<Response> {
    let Some(rate::Credential::Refused(why)) = credential else {
        return None;
    };
    if operation_type(app, request) != Some(OperationType::Mutation) {
        return None;
    }
    let mut response = error_answer(
        StatusCode::UNAUTHORIZED,
        Some(response_type),
        codes_api::UNAUTHENTICATED,
        why,
    );
    response.headers_mut().insert(
        header::WWW_AUTHENTICATE,
        HeaderValue::from_static("Bearer error=\"invalid_token\""),
    );
    Some(response)
}

/// Reads a request body of at most `max` bytes within `within`; a body
/// still arriving when shutdown begins is not waited for.
async fn read_body(
    body: Body,
    max: usize,
    within: std::time::Duration,
    mut stopping: tokio::sync::watch::Receiver<bool>,
) -> Result<Bytes, Response> {
    use futures_util::StreamExt;
    let too_large = || {
        error_answer(
            StatusCode::PAYLOAD_TOO_LARGE,
            None,
            codes::REQUEST_TOO_LARGE,
            &format!("the body is larger than the limit of {max} bytes"),
        )
    };
    let announced =
        usize::try_from(hyper::body::Body::size_hint(&body).lower()).unwrap_or(usize::MAX);
    if announced > max {
        return Err(too_large());
    }
    let read = async {
        let mut stream = body.into_data_stream();
        let mut buffer = Vec::with_capacity(announced);
        while let Some(chunk) = stream.next().await {
            let chunk = chunk.map_err(|e| {
                refuse(
                    StatusCode::BAD_REQUEST,
                    ResponseType::Json,
                    &format!("the body could not be read: {e}"),
                )
            })?;
            if buffer.len() + chunk.len() > max {
                return Err(too_large());
            }
            buffer.extend_from_slice(&chunk);
        }
        Ok(Bytes::from(buffer))
    };
    tokio::select! {
        biased;
        read = tokio::time::timeout(within, read) => match read {
            Ok(read) => read,
            Err(_) => Err(error_answer(
                StatusCode::REQUEST_TIMEOUT,
                None,
                codes::REQUEST_TIMEOUT,
                &format!("the body did not arrive within {} ms", within.as_millis()),
            )),
        },
        _ = stopping.wait_for(|stop| *stop) => Err(error_answer(
            StatusCode::SERVICE_UNAVAILABLE,
            None,
            codes_api::SERVICE_UNAVAILABLE,
            "the server is shutting down; send the request again",
        )),
    }
}

/// The parameters of a GraphQL request, from a query string or a JSON body.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Params {
    query: Option<String>,
    operation_name: Option<String>,
    variables: Option<serde_json::Value>,
    extensions: Option<serde_json::Value>,
    document_id: Option<String>,
}

/// Parameters as a query string carries them: variables and extensions are JSON text.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct GetParams {
    query: Option<String>,
    operation_name: Option<String>,
    variables: Option<String>,
    extensions: Option<String>,
    document_id: Option<String>,
}

/// Checks the parameters and makes an async-graphql request of them.
fn graphql_request(params: Params) -> Result<Request, String> {
    let query = params.query.ok_or("the request has no `query` parameter")?;
    let mut request = Request::new(query);
    if let Some(name) = params.operation_name {
        request = request.operation_name(name);
    }
    match params.variables {
        None | Some(serde_json::Value::Null) => {}
        Some(value @ serde_json::Value::Object(_)) => {
            request = request.variables(Variables::from_json(value));
        }
        Some(_) => return Err("`variables` must be a JSON object".into()),
    }
    match params.extensions {
        None | Some(serde_json::Value::Null) | Some(serde_json::Value::Object(_)) => {}
        Some(_) => return Err("`extensions` must be a JSON object".into()),
    }
    Ok(request)
}

/// The type of the operation a request would run, when the document parses.
fn operation_type(app: &App, request: &Request) -> Option<OperationType> {
    // The planner parses each distinct document once; without it, this is
    // a parse of its own.
    let document = match app.planner() {
        Some(planner) => planner.parsed(&request.query).ok()?,
        None => Arc::new(async_graphql::parser::parse_query(&request.query).ok()?),
    };
    let operations = &document.operations;
    match &request.operation_name {
        Some(name) => operations
            .iter()
            .find(|(op_name, _)| op_name.is_some_and(|n| n.as_str() == name))
            .map(|(_, op)| op.node.ty),
        None => operations.iter().next().map(|(_, op)| op.node.ty),
    }
}

/// The bearer token of a request, if it sent one.
fn bearer_token(headers: &HeaderMap) -> Option<String> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim().to_owned())
        .filter(|t| !t.is_empty())
}

/// The response cache for a request, or `None`: when the cache is off, or
/// when the request carries credentials (counted as a bypass), since its
/// answer may depend on the caller. The `Authorization` header is the only
/// way a caller is known over HTTP.
fn response_cache_for<'a>(
    app: &'a App,
    headers: &HeaderMap,
) -> Option<&'a response_cache::ResponseCache> {
    let cache = app.response_cache()?;
    if headers.contains_key(header::AUTHORIZATION) {
        response_cache::Lookup::Bypass.count();
        return None;
    }
    Some(cache)
}

/// The response cache key of a request at `version`: the document that
/// runs (resolved, for a persisted query), the operation name and the
/// variables as canonical JSON text. `None` for a request whose shape is
/// refused anyway, so that a refusal is never answered from the cache.
fn cache_key(params: &Params, version: i64) -> Option<response_cache::Key> {
    let document = params.query.as_deref()?;
    // No variables and `{}` run the same; serde_json's map is ordered by
    // key, so the text of an object is the same however it was sent.
    let variables = match &params.variables {
        None | Some(serde_json::Value::Null) => None,
        Some(serde_json::Value::Object(map)) if map.is_empty() => None,
        Some(value @ serde_json::Value::Object(_)) => Some(value.to_string()),
        Some(_) => return None,
    };
    if !matches!(
        params.extensions,
        None | Some(serde_json::Value::Null | serde_json::Value::Object(_))
    ) {
        return None;
    }
    Some(response_cache::Key::new(
        version,
        document,
        params.operation_name.as_deref(),
        variables.as_deref(),
    ))
}

/// Looks a request up in the response cache, if it is to be: the hit's
/// body, and the key to store the answer under after a miss.
fn look_up(
    app: &App,
    headers: &HeaderMap,
    params: &Params,
    version: i64,
) -> (Option<Bytes>, Option<response_cache::Key>) {
    let Some(cache) = response_cache_for(app, headers) else {
        return (None, None);
    };
    let Some(key) = cache_key(params, version) else {
        return (None, None);
    };
    match cache.get(&key) {
        Some(body) => {
            response_cache::Lookup::Hit.count();
            (Some(body), None)
        }
        None => (None, Some(key)),
    }
}

/// The answer of a cache hit: the stored body with the headers the
/// executed answer had, counted in the request metrics like one.
fn answer_from_cache(
    app: &App,
    body: Bytes,
    operation_name: Option<&str>,
    response_type: ResponseType,
    etag: Option<&str>,
    started: std::time::Instant,
) -> Response {
    observe::record(
        &observe::operation_label(operation_name),
        &[],
        started.elapsed(),
    );
    let mut response = (StatusCode::OK, body).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(response_type.media_type()),
    );
    if let Some(etag) = etag {
        cache::mark(headers, etag, app.edge().cache_max_age);
    }
    response
}

/// Runs a request on `snapshot`, the one snapshot the request reads, and
/// writes the answer in the negotiated media type. `etag` marks an answer
/// that shared caches may keep (an anonymous GET query), sent only when it
/// has no errors; `store_as` is the response cache key of a request that
/// was looked up and missed, computed with `snapshot`'s version.
async fn respond_on(
    app: &App,
    snapshot: api::Snapshot,
    headers: &HeaderMap,
    request: Request,
    response_type: ResponseType,
    etag: Option<&str>,
    store_as: Option<response_cache::Key>,
) -> Response {
    let started = std::time::Instant::now();
    let operation = observe::operation_label(request.operation_name.as_deref());
    let access = app.access(bearer_token(headers));
    let kind = operation_type(app, &request);
    // Only queries are stored; a mutation or subscription was looked up in vain.
    let store_as = store_as.and_then(|key| {
        debug_assert_eq!(
            key.version(),
            snapshot.version,
            "keyed by the executing snapshot"
        );
        if matches!(
            kind,
            Some(OperationType::Mutation | OperationType::Subscription)
        ) {
            response_cache::Lookup::Bypass.count();
        } else {
            response_cache::Lookup::Miss.count();
        }
        (kind == Some(OperationType::Query)).then_some(key)
    });
    let is_write = kind == Some(OperationType::Mutation);
    let execution = api::execute(
        app.schema(),
        app.planner(),
        app.limits(),
        request,
        snapshot,
        access,
    );
    // Reads are stopped at the timeout: by their budget while they compute
    // (see `api::budget`), by the timer while they wait. A write runs to its
    // end, so that what committed is always swapped in and answered.
    let timed_out = || {
        let message = api::error::ApiError::ExecutionTimeout(app.limits().execution_timeout)
            .message()
            .into_owned();
        error_answer(
            StatusCode::SERVICE_UNAVAILABLE,
            Some(response_type),
            api::limits::codes::EXECUTION_TIMEOUT,
            &message,
        )
    };
    let mut outcome = if is_write {
        execution.await
    } else {
        match tokio::time::timeout(app.limits().execution_timeout, execution).await {
            Ok(outcome) => outcome,
            Err(_) => return timed_out(),
        }
    };
    if outcome.stopped == Some(api::budget::Exhausted::Deadline) {
        observe::record(&operation, &outcome.response.errors, started.elapsed());
        return timed_out();
    }
    let cap = app.limits().max_response_bytes;
    let status = match (outcome.request_error, response_type) {
        (true, ResponseType::GraphqlResponse) => StatusCode::BAD_REQUEST,
        _ => StatusCode::OK,
    };
    let body = outcome.body(cap);
    // The budget estimates an answer's size as it grows; this is the
    // exact measure of what would be sent.
    let body = match body {
        Err(e) if e.is_io() => {
            observe::record(&operation, &outcome.response.errors, started.elapsed());
            let message = api::error::ApiError::ResponseTooLarge(cap)
                .message()
                .into_owned();
            let body = serde_json::json!({ "data": null, "errors": [{
                "message": message,
                "extensions": { "code": api::limits::codes::RESPONSE_TOO_LARGE }
            }] });
            let mut response = (StatusCode::OK, body.to_string()).into_response();
            response.headers_mut().insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static(response_type.media_type()),
            );
            return response;
        }
        other => other,
    };
    observe::record(&operation, &outcome.response.errors, started.elapsed());
    let cacheable = outcome.response.errors.is_empty();
    match body {
        Ok(body) => {
            let body = Bytes::from(body);
            if cacheable
                && !outcome.request_error
                && let (Some(key), Some(cache)) = (store_as, app.response_cache())
            {
                cache.insert(key, body.clone());
            }
            let mut response = (status, body).into_response();
            response.headers_mut().insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static(response_type.media_type()),
            );
            if let Some(etag) = etag {
                let headers = response.headers_mut();
                if cacheable {
                    cache::mark(headers, etag, app.edge().cache_max_age);
                } else {
                    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
                }
            }
            response
        }
        Err(e) => {
            tracing::error!(error = %e, "could not serialize a GraphQL response");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

/// Whether a browser is asking for a page rather than an API answer.
fn wants_html(headers: &HeaderMap) -> bool {
    headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|accept| accept.contains("text/html"))
}

/// Serves subscriptions over a WebSocket: `graphql-transport-ws` by our own
/// implementation of the protocol, and the older `graphql-ws` protocol of
/// subscriptions-transport-ws, for old clients, by async-graphql's.
fn subscriptions(
    app: Arc<App>,
    upgrade: WebSocketUpgrade,
    protocol: GraphQLProtocol,
    headers: &HeaderMap,
) -> Response {
    let modern = headers
        .get_all(header::SEC_WEBSOCKET_PROTOCOL)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|p| p.trim() == ws::PROTOCOL);
    // Each socket holds a slot for as long as it is open.
    let Some(slot) = app.websocket_slot() else {
        let mut refused = error_answer(
            StatusCode::SERVICE_UNAVAILABLE,
            negotiate(headers),
            codes::TOO_MANY_WEBSOCKETS,
            &format!(
                "the server holds as many WebSockets as it allows ({}); try again later",
                app.edge().max_websockets
            ),
        );
        refused
            .headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from_static("5"));
        return refused;
    };
    if modern {
        let token = bearer_token(headers);
        return upgrade
            .protocols([ws::PROTOCOL])
            .on_upgrade(move |socket| async move {
                ws::serve(socket, app, token).await;
                drop(slot);
            });
    }
    upgrade
        .protocols(async_graphql::http::ALL_WEBSOCKET_PROTOCOLS)
        .on_upgrade(move |socket| async move {
            ws::serve_legacy(socket, app, protocol).await;
            drop(slot);
        })
}

async fn graphql_get(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    upgrade: Result<WebSocketUpgrade, WebSocketUpgradeRejection>,
    protocol: Result<GraphQLProtocol, StatusCode>,
    params: Result<Query<GetParams>, axum::extract::rejection::QueryRejection>,
) -> Response {
    if let Ok(upgrade) = upgrade {
        return match protocol {
            Ok(protocol) => subscriptions(app, upgrade, protocol, &headers),
            Err(status) => status.into_response(),
        };
    }
    let Ok(Query(params)) = params else {
        return refuse(
            StatusCode::BAD_REQUEST,
            negotiate(&headers).unwrap_or(ResponseType::Json),
            "the query string is malformed",
        );
    };
    if params.query.is_none() && wants_html(&headers) {
        return Html(graphiql::page(app.graphiql_assets())).into_response();
    }
    let Some(response_type) = negotiate(&headers) else {
        return not_acceptable();
    };
    let parse_json =
        |name: &str, text: Option<String>| -> Result<Option<serde_json::Value>, String> {
            text.map(|t| {
                serde_json::from_str(&t).map_err(|e| format!("`{name}` is not valid JSON: {e}"))
            })
            .transpose()
        };
    // What the answer depends on, besides the catalog version.
    let fingerprint = cache::fingerprint(&[
        params.query.as_deref(),
        params.operation_name.as_deref(),
        params.variables.as_deref(),
        params.extensions.as_deref(),
        Some(response_type.media_type()),
    ]);
    let request = parse_json("variables", params.variables).and_then(|variables| {
        Ok(Params {
            query: params.query,
            operation_name: params.operation_name,
            variables,
            extensions: parse_json("extensions", params.extensions)?,
            document_id: params.document_id,
        })
    });
    let mut params = match request {
        Ok(params) => params,
        Err(message) => return refuse(StatusCode::BAD_REQUEST, response_type, &message),
    };
    if let Some(answered) = persisted_document(&app, &mut params, response_type) {
        return answered;
    }
    let started = std::time::Instant::now();
    // The one snapshot this request reads: its version is in the tag and
    // the cache key, and it executes the request.
    let snapshot = app.snapshot();
    let etag = cache::etag(snapshot.version, &fingerprint);
    let (hit, store_as) = look_up(&app, &headers, &params, snapshot.version);
    if let Some(body) = hit {
        // Only queries are stored, so a hit is one GET may run.
        if cache::matches(&headers, &etag) {
            return cache::not_modified(&etag, app.edge().cache_max_age);
        }
        return answer_from_cache(
            &app,
            body,
            params.operation_name.as_deref(),
            response_type,
            Some(&etag),
            started,
        );
    }
    let request = match graphql_request(params) {
        Ok(request) => request,
        Err(message) => return refuse(StatusCode::BAD_REQUEST, response_type, &message),
    };
    if matches!(
        operation_type(&app, &request),
        Some(OperationType::Mutation | OperationType::Subscription)
    ) {
        let mut response = error_answer(
            StatusCode::METHOD_NOT_ALLOWED,
            Some(response_type),
            codes::METHOD_NOT_ALLOWED,
            "only queries may be sent with GET; send mutations with POST",
        );
        response
            .headers_mut()
            .insert(header::ALLOW, HeaderValue::from_static("POST"));
        return response;
    }
    // Answers that depend on the caller are never cached (see
    // `private_when_authorized`); the rest are keyed by version and request.
    if headers.contains_key(header::AUTHORIZATION) {
        return respond_on(&app, snapshot, &headers, request, response_type, None, None).await;
    }
    if cache::matches(&headers, &etag) {
        return cache::not_modified(&etag, app.edge().cache_max_age);
    }
    respond_on(
        &app,
        snapshot,
        &headers,
        request,
        response_type,
        Some(&etag),
        store_as,
    )
    .await
}

async fn graphql_post(
    State(app): State<Arc<App>>,
    credential: Option<Extension<rate::Credential>>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let Some(response_type) = negotiate(&headers) else {
        return not_acceptable();
    };
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(|v| {
            v.split(';')
                .next()
                .unwrap_or("")
                .trim()
                .to_ascii_lowercase()
        });
    if content_type.as_deref() != Some(APPLICATION_JSON) {
        return error_answer(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Some(response_type),
            codes::UNSUPPORTED_MEDIA_TYPE,
            "send the request as application/json",
        );
    }
    let body = match read_body(
        body,
        app.edge().max_body_bytes,
        app.edge().connections.header_read_timeout,
        app.stopping(),
    )
    .await
    {
        Ok(body) => body,
        Err(mut refused) => {
            // Written in the negotiated type, like every other refusal.
            refused.headers_mut().insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static(response_type.media_type()),
            );
            return refused;
        }
    };
    let mut params: Params = match serde_json::from_slice(&body) {
        Ok(params) => params,
        Err(e) => {
            return refuse(
                StatusCode::BAD_REQUEST,
                response_type,
                &format!("the body is not a GraphQL request in JSON: {e}"),
            );
        }
    };
    if let Some(answered) = persisted_document(&app, &mut params, response_type) {
        return answered;
    }
    let started = std::time::Instant::now();
    // The one snapshot this request reads: its version keys the cache, and
    // it executes the request.
    let snapshot = app.snapshot();
    let (hit, store_as) = look_up(&app, &headers, &params, snapshot.version);
    if let Some(body) = hit {
        return answer_from_cache(
            &app,
            body,
            params.operation_name.as_deref(),
            response_type,
            None,
            started,
        );
    }
    match graphql_request(params) {
        Ok(request) => {
            if let Some(refused) = refuse_unverified(
                &app,
                credential.as_ref().map(|c| &c.0),
                &request,
                response_type,
            ) {
                return refused;
            }
            respond_on(
                &app,
                snapshot,
                &headers,
                request,
                response_type,
                None,
                store_as,
            )
            .await
        }
        Err(message) => refuse(StatusCode::BAD_REQUEST, response_type, &message),
    }
}

/// Fills in the query of a request that names a persisted document, or
/// answers it (`Some`): PERSISTED_QUERY_NOT_FOUND (200, as Apollo clients expect,
/// so they resend with the query), DOCUMENT_NOT_TRUSTED (400).
fn persisted_document(
    app: &App,
    params: &mut Params,
    response_type: ResponseType,
) -> Option<Response> {
    use persisted::Refusal;
    let resolved = app.persisted().resolve(
        &mut params.query,
        params.extensions.as_ref(),
        params.document_id.as_deref(),
    );
    let (status, code, message) = match resolved {
        Ok(()) => return None,
        Err(Refusal::NotFound) => (
            StatusCode::OK,
            codes::PERSISTED_QUERY_NOT_FOUND,
            "PersistedQueryNotFound".to_owned(),
        ),
        Err(Refusal::NotTrusted) => (
            StatusCode::BAD_REQUEST,
            codes::DOCUMENT_NOT_TRUSTED,
            "this server runs only its trusted documents; this request names none of them"
                .to_owned(),
        ),
        Err(Refusal::TooLarge(limit)) => (
            StatusCode::BAD_REQUEST,
            codes::PERSISTED_QUERY_TOO_LARGE,
            format!(
                "the document is larger than the {limit} bytes a persisted query may have; send it without `persistedQuery`"
            ),
        ),
        Err(Refusal::Bad(message)) => (StatusCode::BAD_REQUEST, codes_api::BAD_USER_INPUT, message),
    };
    Some(error_answer(status, Some(response_type), code, &message))
}

/// Liveness: the process answers.
async fn healthz() -> &'static str {
    "ok"
}

/// Readiness: a snapshot is loaded and the database answers.
async fn readyz(State(app): State<Arc<App>>) -> Response {
    match app.store().ping().await {
        Ok(()) => (
            StatusCode::OK,
            format!("ready: catalog version {}\n", app.snapshot().version),
        )
            .into_response(),
        Err(e) => {
            tracing::warn!(error = %e, "not ready: the database does not answer");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                "not ready: the database does not answer\n",
            )
                .into_response()
        }
    }
}

/// Prometheus metrics in the text exposition format.
async fn metrics(State(app): State<Arc<App>>) -> Response {
    match app.render_metrics() {
        Some(text) => (
            [(
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/plain; version=0.0.4"),
            )],
            text,
        )
            .into_response(),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn accept(value: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(header::ACCEPT, HeaderValue::from_str(value).unwrap());
        headers
    }

    #[test]
    fn accept_negotiation_follows_the_specification() {
        assert_eq!(negotiate(&HeaderMap::new()), Some(ResponseType::Json));
        assert_eq!(
            negotiate(&accept(
                "application/graphql-response+json, application/json;q=0.9"
            )),
            Some(ResponseType::GraphqlResponse)
        );
        assert_eq!(
            negotiate(&accept("application/json")),
            Some(ResponseType::Json)
        );
        assert_eq!(negotiate(&accept("*/*")), Some(ResponseType::Json));
        assert_eq!(negotiate(&accept("text/html")), None);
        assert_eq!(
            negotiate(&accept(
                "application/graphql-response+json;q=0, application/json"
            )),
            Some(ResponseType::Json)
        );
    }
}
