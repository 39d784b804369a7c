//! GraphQL over WebSocket, the `graphql-transport-ws` protocol of the
//! `graphql-ws` library, served by us rather than by async-graphql-axum,
//! whose server answers a document that fails validation with `next`
//! instead of the protocol's `error` message.
//!
//! The rules followed (PROTOCOL.md of graphql-ws): `connection_init` within
//! a few seconds (else close 4408) and only once (4429); nothing is
//! subscribed before `connection_ack` (4401); ids are unique among running
//! operations (4409); a message that is not one of the protocol's closes
//! with 4400. An operation whose document cannot run is answered with one
//! `error` message and nothing after it; any other ends with `complete`.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::Duration;

use async_graphql::{Request, Response, ServerError, Variables};
use axum::extract::ws::{CloseFrame, Message, Utf8Bytes, WebSocket};
use futures_util::{SinkExt, StreamExt};
use serde::Deserialize;
use serde_json::{Value, json};
use tokio::sync::mpsc;

use crate::api::caller::Caller;
use crate::api::error;
use crate::app::App;

/// The subprotocol this module speaks.
pub(super) const PROTOCOL: &str = "graphql-transport-ws";

/// How long a client may take to send `connection_init`.
const INIT_TIMEOUT: Duration = Duration::from_secs(3);

#[derive(Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
enum ClientMessage {
    ConnectionInit {
        #[serde(default)]
        payload: Option<Value>,
    },
    Ping {
        #[serde(default)]
        payload: Option<Value>,
    },
    Pong {
        #[serde(default)]
        #[allow(dead_code)]
        payload: Option<Value>,
    },
    Subscribe {
        id: String,
        payload: SubscribePayload,
    },
    Complete {
        id: String,
    },
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct SubscribePayload {
    query: String,
    #[serde(default)]
    operation_name: Option<String>,
    #[serde(default)]
    variables: Option<Value>,
    #[serde(default)]
    #[allow(dead_code)]
    extensions: Option<Value>,
}

/// What the writer task sends.
enum Outgoing {
    Text(String),
    Close(u16, &'static str),
}

/// The bearer token in a `connection_init` payload (`{"authorization": "Bearer …"}`).
fn init_token(payload: Option<&Value>) -> Option<String> {
    let object = payload?.as_object()?;
    let value = object
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("authorization"))?
        .1
        .as_str()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim().to_owned())
}

/// Whether a response failed before execution (parse, validation, variables).
fn is_request_error(response: &Response) -> bool {
    response.data == async_graphql::Value::Null
        && !response.errors.is_empty()
        && response.errors.iter().all(|e| e.path.is_empty())
}

fn coded(mut response: Response) -> Response {
    error::ensure_codes(&mut response.errors);
    response
}

fn errors_json(errors: &[ServerError]) -> Value {
    serde_json::to_value(errors).unwrap_or_else(|_| json!([]))
}

/// Serves one WebSocket connection until either side closes it.
pub(super) async fn serve(socket: WebSocket, app: Arc<App>, header_token: Option<String>) {
    let (mut sink, mut incoming) = socket.split();
    let (out, mut outgoing) = mpsc::channel::<Outgoing>(64);
    let writer = tokio::spawn(async move {
        while let Some(message) = outgoing.recv().await {
            let sent = match message {
                Outgoing::Text(text) => sink.send(Message::Text(Utf8Bytes::from(text))).await,
                Outgoing::Close(code, reason) => {
                    let _ = sink
                        .send(Message::Close(Some(CloseFrame {
                            code,
                            reason: Utf8Bytes::from_static(reason),
                        })))
                        .await;
                    break;
                }
            };
            if sent.is_err() {
                break;
            }
        }
    });
    let (finished, mut finished_ids) = mpsc::unbounded_channel::<String>();
    let mut token = header_token;
    let mut initialised = false;
    let mut running: HashMap<String, tokio::task::AbortHandle> = HashMap::new();
    let deadline = tokio::time::sleep(INIT_TIMEOUT);
    tokio::pin!(deadline);
    let mut stopping = app.stopping();
    let send = |message: Value| Outgoing::Text(message.to_string());

    loop {
        let frame = tokio::select! {
            () = &mut deadline, if !initialised => {
                let _ = out.send(Outgoing::Close(4408, "Connection initialisation timeout")).await;
                break;
            }
            Some(id) = finished_ids.recv() => {
                running.remove(&id);
                continue;
            }
            Ok(()) = stopping.changed() => {
                let stop = *stopping.borrow_and_update();
                if !stop {
                    continue;
                }
                // The server is stopping: every operation completes, then
                // the socket closes as "going away".
                for (id, task) in running.drain() {
                    task.abort();
                    let _ = out.send(send(json!({ "id": id, "type": "complete" }))).await;
                }
                let _ = out.send(Outgoing::Close(1001, "The server is shutting down")).await;
                break;
            }
            frame = incoming.next() => frame,
        };
        let text = match frame {
            Some(Ok(Message::Text(text))) => text,
            Some(Ok(Message::Binary(_))) => {
                let _ = out
                    .send(Outgoing::Close(
                        4400,
                        "Binary messages are not part of the protocol",
                    ))
                    .await;
                break;
            }
            Some(Ok(Message::Ping(_) | Message::Pong(_))) => continue,
            Some(Ok(Message::Close(_))) | Some(Err(_)) | None => break,
        };
        let Ok(message) = serde_json::from_str::<ClientMessage>(text.as_str()) else {
            let _ = out
                .send(Outgoing::Close(4400, "Invalid message received"))
                .await;
            break;
        };
        match message {
            ClientMessage::ConnectionInit { payload } => {
                if initialised {
                    let _ = out
                        .send(Outgoing::Close(4429, "Too many initialisation requests"))
                        .await;
                    break;
                }
                initialised = true;
                if let Some(from_payload) = init_token(payload.as_ref()) {
                    token = Some(from_payload);
                }
                let _ = out.send(send(json!({ "type": "connection_ack" }))).await;
            }
            ClientMessage::Ping { payload } => {
                let pong = match payload {
                    Some(payload) => json!({ "type": "pong", "payload": payload }),
                    None => json!({ "type": "pong" }),
                };
                let _ = out.send(send(pong)).await;
            }
            ClientMessage::Pong { .. } => {}
            ClientMessage::Complete { id } => {
                if let Some(task) = running.remove(&id) {
                    task.abort();
                }
            }
            ClientMessage::Subscribe { id, payload } => {
                if !initialised {
                    let _ = out.send(Outgoing::Close(4401, "Unauthorized")).await;
                    break;
                }
                if running.contains_key(&id) {
                    let _ = out
                        .send(Outgoing::Close(
                            4409,
                            "Subscriber for this id already exists",
                        ))
                        .await;
                    break;
                }
                if running.len() >= app.edge().max_operations_per_socket {
                    let refusal = too_many_operations(&id, app.edge().max_operations_per_socket);
                    let _ = out.send(Outgoing::Text(refusal)).await;
                    continue;
                }
                let access = app.access(token.clone());
                let snapshot = app.snapshot();
                let mut request = Request::new(payload.query)
                    .data(Arc::clone(&snapshot))
                    .data(app.slot().clone())
                    .data(Caller::new(access.token, access.identities));
                if let Some(writes) = access.writes {
                    request = request.data(writes);
                }
                if let Some(name) = payload.operation_name {
                    request = request.operation_name(name);
                }
                if let Some(variables) = payload.variables {
                    request = request.variables(Variables::from_json(variables));
                }
                // The same checks and budget as over HTTP (`api::execute`).
                let (refusal, budget) =
                    match crate::api::guard(&mut request, app.limits(), &snapshot.bounds) {
                        Ok(budget) => (None, budget),
                        Err(refusal) => (Some(refusal), None),
                    };
                let schema = app.schema().clone();
                let out = out.clone();
                let finished = finished.clone();
                let task_id = id.clone();
                let task = tokio::spawn(async move {
                    let mut results = match refusal {
                        Some(refusal) => futures_util::stream::once(async move {
                            Response::from_errors(vec![refusal])
                        })
                        .boxed(),
                        None => schema.execute_stream(request),
                    };
                    let mut first = true;
                    while let Some(response) = results.next().await {
                        let response = coded(crate::api::finish(response, budget.as_deref()).0);
                        if first && is_request_error(&response) {
                            let message = json!({ "id": task_id, "type": "error", "payload": errors_json(&response.errors) });
                            let _ = out.send(Outgoing::Text(message.to_string())).await;
                            let _ = finished.send(task_id);
                            return;
                        }
                        first = false;
                        let payload = serde_json::to_value(&response).unwrap_or(Value::Null);
                        let message = json!({ "id": task_id, "type": "next", "payload": payload });
                        if out.send(Outgoing::Text(message.to_string())).await.is_err() {
                            return;
                        }
                    }
                    let _ = out
                        .send(Outgoing::Text(
                            json!({ "id": task_id, "type": "complete" }).to_string(),
                        ))
                        .await;
                    let _ = finished.send(task_id);
                });
                running.insert(id, task.abort_handle());
            }
        }
    }
    for task in running.values() {
        task.abort();
    }
    drop(out);
    let _ = writer.await;
}

/// The `error` message refusing operation `id` on a socket that runs as
/// many as `max` (in both protocols' shape: an id and a list of errors).
fn too_many_operations(id: &str, max: usize) -> String {
    json!({ "id": id, "type": "error", "payload": [{
        "message": format!("this socket runs as many operations as it may ({max}); complete one first"),
        "extensions": { "code": super::codes::TOO_MANY_OPERATIONS }
    }] })
    .to_string()
}

/// Just enough of a protocol message to follow which operations run.
#[derive(Deserialize)]
struct Probe {
    #[serde(rename = "type")]
    kind: String,
    #[serde(default)]
    id: Option<String>,
}

/// Serves the legacy `graphql-ws` protocol (subscriptions-transport-ws) by
/// async-graphql's server, with at most `--max-operations-per-socket`
/// operations running at once: a `start` beyond that is answered here with
/// an `error` and never reaches async-graphql. Running operations are
/// followed from the messages themselves: `start` begins one (a `start`
/// with a running id replaces it), the server's `complete` ends it.
pub(super) async fn serve_legacy(
    socket: WebSocket,
    app: Arc<App>,
    protocol: async_graphql_axum::GraphQLProtocol,
) {
    let max = app.edge().max_operations_per_socket;
    let (mut sink, stream) = socket.split();
    let (out, mut outgoing) = mpsc::channel::<Message>(64);
    let writer = tokio::spawn(async move {
        while let Some(message) = outgoing.recv().await {
            if sink.send(message).await.is_err() {
                break;
            }
        }
    });
    let running = Arc::new(std::sync::Mutex::new(HashSet::<String>::new()));
    // What async-graphql sends, on its way out: a `complete` ends an operation.
    let observed = futures_util::sink::unfold(
        (out.clone(), Arc::clone(&running)),
        |(out, running), message: Message| async move {
            if let Message::Text(text) = &message
                && text.as_str().starts_with(r#"{"type":"complete""#)
                && let Ok(Probe { id: Some(id), .. }) = serde_json::from_str(text.as_str())
            {
                running
                    .lock()
                    .unwrap_or_else(|poisoned| poisoned.into_inner())
                    .remove(&id);
            }
            out.send(message).await.map_err(|_| ())?;
            Ok::<_, ()>((out, running))
        },
    );
    // What the client sends: a `start` past the cap is refused here.
    let admitted = stream.filter_map(move |frame| {
        let out = out.clone();
        let running = Arc::clone(&running);
        async move {
            let Ok(Message::Text(text)) = &frame else {
                return Some(frame);
            };
            let Ok(Probe { kind, id: Some(id) }) = serde_json::from_str::<Probe>(text.as_str())
            else {
                return Some(frame);
            };
            if kind != "start" && kind != "subscribe" {
                return Some(frame);
            }
            let admitted = {
                let mut running = running
                    .lock()
                    .unwrap_or_else(|poisoned| poisoned.into_inner());
                running.contains(&id) || running.len() < max && running.insert(id.clone())
            };
            if admitted {
                return Some(frame);
            }
            let refusal = too_many_operations(&id, max);
            let _ = out.send(Message::Text(Utf8Bytes::from(refusal))).await;
            None
        }
    });
    let mut data = async_graphql::Data::default();
    data.insert(app.slot().clone());
    data.insert(app.snapshot());
    async_graphql_axum::GraphQLWebSocket::new_with_pair(
        observed,
        admitted,
        app.guarded_schema().clone(),
        protocol,
    )
    .with_data(data)
    .serve()
    .await;
    let _ = writer.await;
}
