//! Connections as an attacker holds them: idle sockets, slowloris heads,
//! half-sent requests at shutdown, and more WebSockets and operations than
//! the server allows. The server stays within its configured bounds and
//! keeps answering new clients.

use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite;

use crate::harness::{Server, Subscriber, databases};

/// The `host:port` of a server.
fn address(server: &Server) -> String {
    server.base.trim_start_matches("http://").to_owned()
}

/// Open file descriptors of a process.
fn open_files(pid: u32) -> usize {
    std::fs::read_dir(format!("/proc/{pid}/fd"))
        .expect("read /proc/PID/fd")
        .count()
}

/// Sends a never-ending request head one byte at a time until the server
/// closes the connection; whether it did (within a generous bound).
async fn slowloris(address: String) -> bool {
    let Ok(mut stream) = TcpStream::connect(&address).await else {
        return false;
    };
    let head = b"GET /graphql?query=%7B__typename%7D HTTP/1.1\r\nHost: slow\r\n";
    let mut bytes = head.iter().chain(b"X-Slow: yes\r\n".iter().cycle());
    let mut buffer = [0u8; 256];
    let closed = async {
        loop {
            let byte = *bytes.next().expect("endless");
            if stream.write_all(&[byte]).await.is_err() {
                return;
            }
            tokio::select! {
                read = stream.read(&mut buffer) => match read {
                    Ok(0) | Err(_) => return,
                    // A 408 or the like before closing is fine too.
                    Ok(_) => {}
                },
                () = tokio::time::sleep(Duration::from_millis(100)) => {}
            }
        }
    };
    tokio::time::timeout(Duration::from_secs(90), closed)
        .await
        .is_ok()
}

#[tokio::test]
async fn idle_and_slowloris_connections_leave_room_for_new_clients() {
    let server = Server::start(
        databases().await.remove(0),
        &[
            "--max-connections",
            "8",
            "--header-read-timeout-ms",
            "1000",
            "--idle-timeout-ms",
            "1000",
            "--rate-limit",
            "0",
        ],
    );
    // An open-file limit the attack exceeds many times over, as 1,100 idle
    // connections exceed `ulimit -n 1024`: room for the cap and a little more.
    let pid = server.pid();
    let limit = open_files(pid) + 16;
    let status = std::process::Command::new("prlimit")
        .args([
            "--pid",
            &pid.to_string(),
            &format!("--nofile={limit}:{limit}"),
        ])
        .status()
        .expect("run prlimit");
    assert!(status.success(), "prlimit");

    let mut idle = Vec::new();
    for _ in 0..60 {
        idle.push(TcpStream::connect(address(&server)).await.expect("connect"));
    }
    let slow: Vec<_> = (0..6)
        .map(|_| tokio::spawn(slowloris(address(&server))))
        .collect();

    // A new client is answered while all of them are held.
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(90))
        .build()
        .unwrap();
    let answer = client
        .post(format!("{}/graphql", server.base))
        .json(&json!({ "query": "{ __typename }" }))
        .send()
        .await
        .expect("a new client is answered");
    assert_eq!(answer.status(), 200);
    let body: Value = answer.json().await.unwrap();
    assert_eq!(body["data"]["__typename"], "Query");

    for closed in slow {
        assert!(
            closed.await.unwrap(),
            "the server closes a slowloris connection"
        );
    }
    // The idle ones were closed too: reading gives end of stream.
    for mut stream in idle {
        let mut buffer = [0u8; 64];
        let read = tokio::time::timeout(Duration::from_secs(90), stream.read(&mut buffer))
            .await
            .expect("the server closes an idle connection");
        assert!(matches!(read, Ok(0) | Err(_)), "{read:?}");
    }
    assert!(
        server.metric("skillgraph_http_connections").await <= 8.0,
        "never more connections than the cap"
    );
}

#[tokio::test]
async fn a_keep_alive_connection_is_served_then_closed_when_idle() {
    let server = Server::start(
        databases().await.remove(0),
        &[
            "--idle-timeout-ms",
            "500",
            "--header-read-timeout-ms",
            "30000",
        ],
    );
    let mut stream = TcpStream::connect(address(&server)).await.unwrap();
    let request = "GET /healthz HTTP/1.1\r\nHost: test\r\n\r\n";
    let mut buffer = vec![0u8; 4096];
    for _ in 0..2 {
        stream.write_all(request.as_bytes()).await.unwrap();
        let read = stream.read(&mut buffer).await.unwrap();
        let text = String::from_utf8_lossy(&buffer[..read]);
        assert!(text.starts_with("HTTP/1.1 200"), "{text}");
    }
    // Nothing more is sent: the idle timeout closes it, though the header
    // timeout is far away.
    let read = tokio::time::timeout(Duration::from_secs(20), stream.read(&mut buffer))
        .await
        .expect("closed after the idle timeout");
    assert!(matches!(read, Ok(0) | Err(_)), "{read:?}");
}

#[tokio::test]
async fn shutdown_is_not_held_by_half_sent_requests() {
    // Half a head, and a head with half a body: neither will ever finish.
    let mut server = Server::start(
        databases().await.remove(0),
        &["--header-read-timeout-ms", "60000"],
    );
    let mut head = TcpStream::connect(address(&server)).await.unwrap();
    head.write_all(b"POST /graphql HTTP/1.1\r\nHost: test\r\nContent-")
        .await
        .unwrap();
    let mut body = TcpStream::connect(address(&server)).await.unwrap();
    body.write_all(
        b"POST /graphql HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"query\":",
    )
    .await
    .unwrap();
    // The server has both (it answers a request sent after them).
    let answer = server.post("{ __typename }", json!({})).await;
    assert_eq!(answer.status, 200);

    server.signal("TERM");
    // Well before the 20 s drain bound and the 60 s header timeout.
    let status = server
        .wait_exit(Duration::from_secs(10))
        .expect("exits without waiting for the half-sent requests");
    assert!(status.success(), "{status}");
    let mut buffer = vec![0u8; 1024];
    let read = body.read(&mut buffer).await;
    if let Ok(read @ 1..) = read {
        let text = String::from_utf8_lossy(&buffer[..read]);
        assert!(text.starts_with("HTTP/1.1 503"), "{text}");
    }
}

/// Opens a WebSocket at `/graphql` with a subprotocol.
async fn websocket(
    server: &Server,
    protocol: &str,
) -> Result<
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<TcpStream>>,
    tungstenite::Error,
> {
    use tungstenite::client::IntoClientRequest;
    let url = format!("{}/graphql", server.base.replacen("http", "ws", 1));
    let mut request = url.into_client_request().unwrap();
    request
        .headers_mut()
        .insert("sec-websocket-protocol", protocol.parse().unwrap());
    tokio_tungstenite::connect_async(request)
        .await
        .map(|(socket, _)| socket)
}

/// The next text message of a socket, as JSON.
async fn next_json(
    socket: &mut tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<TcpStream>>,
) -> Value {
    loop {
        let message = tokio::time::timeout(Duration::from_secs(10), socket.next())
            .await
            .expect("a message within 10 s")
            .expect("the socket is open")
            .expect("a readable message");
        if let tungstenite::Message::Text(text) = message {
            let value: Value = serde_json::from_str(&text).unwrap();
            if value["type"] != "ka" {
                return value;
            }
        }
    }
}

const WATCH: &str = "subscription { catalogChanged { version } }";

#[tokio::test]
async fn websockets_and_operations_per_socket_are_capped_in_both_protocols() {
    let server = Server::start(
        databases().await.remove(0),
        &["--max-websockets", "2", "--max-operations-per-socket", "2"],
    );
    let send = |message: Value| tungstenite::Message::Text(message.to_string().into());
    let mut first = websocket(&server, "graphql-transport-ws").await.unwrap();
    first
        .send(send(json!({ "type": "connection_init" })))
        .await
        .unwrap();
    assert_eq!(next_json(&mut first).await["type"], "connection_ack");
    let second = Subscriber::connect(&server).await;
    match websocket(&server, "graphql-transport-ws").await {
        Err(tungstenite::Error::Http(response)) => {
            assert_eq!(response.status(), 503);
            let body: Value = serde_json::from_slice(response.body().as_deref().unwrap()).unwrap();
            assert_eq!(
                body["errors"][0]["extensions"]["code"],
                "TOO_MANY_WEBSOCKETS"
            );
        }
        other => panic!("a third WebSocket is refused: {:?}", other.map(|_| ())),
    }

    // graphql-transport-ws: two operations run, a third gets an error.
    for id in ["1", "2", "3"] {
        first
            .send(send(
                json!({ "type": "subscribe", "id": id, "payload": { "query": WATCH } }),
            ))
            .await
            .unwrap();
    }
    let refused = next_json(&mut first).await;
    assert_eq!(refused["type"], "error", "{refused}");
    assert_eq!(refused["id"], "3");
    assert_eq!(
        refused["payload"][0]["extensions"]["code"],
        "TOO_MANY_OPERATIONS"
    );
    // Completing one makes room again.
    first
        .send(send(json!({ "type": "complete", "id": "1" })))
        .await
        .unwrap();
    first
        .send(send(
            json!({ "type": "subscribe", "id": "4", "payload": { "query": "{ __typename }" } }),
        ))
        .await
        .unwrap();
    let next = next_json(&mut first).await;
    assert_eq!(next["type"], "next", "{next}");
    assert_eq!(next["id"], "4");

    // Closing a socket gives its slot back.
    drop(second);
    let mut legacy = None;
    for _ in 0..100 {
        match websocket(&server, "graphql-ws").await {
            Ok(socket) => {
                legacy = Some(socket);
                break;
            }
            Err(_) => tokio::time::sleep(Duration::from_millis(100)).await,
        }
    }
    let mut legacy = legacy.expect("a slot comes free when a socket closes");

    // The legacy protocol (subscriptions-transport-ws) is capped alike.
    legacy
        .send(send(json!({ "type": "connection_init" })))
        .await
        .unwrap();
    assert_eq!(next_json(&mut legacy).await["type"], "connection_ack");
    for id in ["1", "2", "3"] {
        legacy
            .send(send(
                json!({ "type": "start", "id": id, "payload": { "query": WATCH } }),
            ))
            .await
            .unwrap();
    }
    let refused = next_json(&mut legacy).await;
    assert_eq!(refused["type"], "error", "{refused}");
    assert_eq!(refused["id"], "3");
    assert_eq!(
        refused["payload"][0]["extensions"]["code"],
        "TOO_MANY_OPERATIONS"
    );
    legacy
        .send(send(json!({ "type": "stop", "id": "1" })))
        .await
        .unwrap();
    let stopped = next_json(&mut legacy).await;
    assert_eq!(stopped, json!({ "type": "complete", "id": "1" }));
    legacy
        .send(send(
            json!({ "type": "start", "id": "4", "payload": { "query": "{ __typename }" } }),
        ))
        .await
        .unwrap();
    let data = next_json(&mut legacy).await;
    assert_eq!(data["type"], "data", "{data}");
    assert_eq!(data["id"], "4");
    assert_eq!(data["payload"]["data"]["__typename"], "Query");
}
