//! Starting the real `skillgraph` binary on a free loopback port against a
//! fresh database, and talking to it over HTTP.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::sync::mpsc;
use std::time::Duration;

use serde_json::{Value, json};
use skillgraph_store::scratch::ScratchDatabase;

/// The workspace root, where `schema.graphql` lives.
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("tests/ sits in the workspace")
        .to_path_buf()
}

/// The `skillgraph` binary, built once per test run with the same profile as
/// this test binary (or taken from `SKILLGRAPH_BIN`).
pub fn binary() -> &'static Path {
    static BINARY: OnceLock<PathBuf> = OnceLock::new();
    BINARY.get_or_init(|| {
        if let Some(path) = std::env::var_os("SKILLGRAPH_BIN") {
            return PathBuf::from(path);
        }
        let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
        let release = !cfg!(debug_assertions);
        let mut build = Command::new(cargo);
        build.current_dir(workspace_root()).args([
            "build",
            "--locked",
            "--quiet",
            "-p",
            "skillgraph-server",
            "--bin",
            "skillgraph",
        ]);
        if release {
            build.arg("--release");
        }
        let status = build
            .status()
            .expect("run cargo build for the skillgraph binary");
        assert!(status.success(), "building the skillgraph binary failed");
        let target = std::env::var_os("CARGO_TARGET_DIR")
            .map(PathBuf::from)
            .unwrap_or_else(|| workspace_root().join("target"));
        target
            .join(if release { "release" } else { "debug" })
            .join(format!("skillgraph{}", std::env::consts::EXE_SUFFIX))
    })
}

/// One running `skillgraph serve`, killed on drop, with its database removed after.
pub struct Server {
    child: Child,
    /// `http://127.0.0.1:PORT`.
    pub base: String,
    client: reqwest::Client,
    database: Option<ScratchDatabase>,
}

/// An HTTP answer with its body parsed as JSON where it is JSON.
#[derive(Debug)]
pub struct Answer {
    /// The status code.
    pub status: u16,
    /// The response headers.
    pub headers: reqwest::header::HeaderMap,
    /// The body as JSON, or `Value::String` of the text when it is not JSON.
    pub body: Value,
}

impl Answer {
    /// The `Content-Type` header, or "".
    pub fn content_type(&self) -> &str {
        self.headers
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }

    /// The `extensions.code` of every error.
    pub fn error_codes(&self) -> Vec<String> {
        self.body["errors"]
            .as_array()
            .map(|errors| {
                errors
                    .iter()
                    .map(|e| {
                        e["extensions"]["code"]
                            .as_str()
                            .unwrap_or("<none>")
                            .to_owned()
                    })
                    .collect()
            })
            .unwrap_or_default()
    }
}

impl Server {
    /// Starts the binary against `database` on a free port, with extra arguments.
    pub fn start(database: ScratchDatabase, extra: &[&str]) -> Self {
        let mut server = Self::spawn(database.url(), extra);
        server.database = Some(database);
        server
    }

    /// Starts the binary on an existing database that someone else owns.
    pub fn spawn(database_url: &str, extra: &[&str]) -> Self {
        let mut child = Command::new(binary())
            .args([
                "serve",
                "--listen",
                "127.0.0.1:0",
                "--database-url",
                database_url,
            ])
            .args(extra)
            .env("SKILLGRAPH_LOG", "warn")
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start skillgraph serve");
        let stdout = child.stdout.take().expect("piped stdout");
        let (sender, receiver) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if let Some(address) = line.strip_prefix("skillgraph listening on ") {
                    let _ = sender.send(address.to_owned());
                }
            }
        });
        let base = match receiver.recv_timeout(Duration::from_secs(120)) {
            Ok(base) => base,
            Err(_) => {
                let _ = child.kill();
                panic!("skillgraph serve did not report its address in time");
            }
        };
        Self {
            child,
            base,
            client: reqwest::Client::new(),
            database: None,
        }
    }

    /// The process id, to look at the process from outside (`/proc`, `prlimit`).
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// The most resident memory the process has had so far, in MiB (`VmHWM`).
    pub fn peak_rss_mib(&self) -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.pid()))
            .expect("the server's /proc status");
        status
            .lines()
            .find_map(|l| l.strip_prefix("VmHWM:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
            .map(|kib| kib / 1024)
            .expect("VmHWM")
    }

    /// Sends the process a signal, as an operator or a process manager would.
    pub fn signal(&self, name: &str) {
        let status = Command::new("kill")
            .args([&format!("-{name}"), &self.child.id().to_string()])
            .status()
            .expect("run kill");
        assert!(status.success(), "kill -{name}");
    }

    /// Waits for the process to exit, at most `bound`; its exit status.
    pub fn wait_exit(&mut self, bound: Duration) -> Option<std::process::ExitStatus> {
        let started = std::time::Instant::now();
        while started.elapsed() < bound {
            if let Ok(Some(status)) = self.child.try_wait() {
                return Some(status);
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        None
    }

    /// POSTs a query and hands back the status and the body as text,
    /// however large or malformed it is.
    pub async fn post_text(&self, query: &str) -> (u16, String) {
        let response = self
            .client
            .post(format!("{}/graphql", self.base))
            .header("accept", "application/graphql-response+json")
            .json(&json!({ "query": query }))
            .send()
            .await
            .expect("send the request");
        let status = response.status().as_u16();
        (status, response.text().await.expect("read the body"))
    }

    /// The URL of the database this server owns, if it owns one.
    pub fn database_url(&self) -> Option<&str> {
        self.database.as_ref().map(ScratchDatabase::url)
    }

    /// Stops the process and hands back its database for another start.
    pub fn stop(mut self) -> Option<ScratchDatabase> {
        let _ = self.child.kill();
        let _ = self.child.wait();
        self.database.take()
    }

    async fn answer(response: reqwest::Response) -> Answer {
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let text = response.text().await.expect("read the body");
        let body = serde_json::from_str(&text).unwrap_or(Value::String(text));
        Answer {
            status,
            headers,
            body,
        }
    }

    /// POSTs a GraphQL request as JSON, accepting the modern media type.
    pub async fn post(&self, query: &str, variables: Value) -> Answer {
        self.post_with(query, variables, "application/graphql-response+json")
            .await
    }

    /// POSTs a GraphQL request with the given `Accept` header.
    pub async fn post_with(&self, query: &str, variables: Value, accept: &str) -> Answer {
        let response = self
            .client
            .post(format!("{}/graphql", self.base))
            .header("accept", accept)
            .json(&json!({ "query": query, "variables": variables }))
            .send()
            .await
            .expect("POST /graphql");
        Self::answer(response).await
    }

    /// POSTs raw bytes to `/graphql` with a content type.
    pub async fn post_raw(&self, content_type: &str, body: Vec<u8>) -> Answer {
        let response = self
            .client
            .post(format!("{}/graphql", self.base))
            .header("accept", "application/graphql-response+json")
            .header("content-type", content_type)
            .body(body)
            .send()
            .await
            .expect("POST /graphql");
        Self::answer(response).await
    }

    /// POSTs a GraphQL request with a bearer token.
    pub async fn post_as(&self, token: &str, query: &str, variables: Value) -> Answer {
        let response = self
            .client
            .post(format!("{}/graphql", self.base))
            .header("accept", "application/graphql-response+json")
            .bearer_auth(token)
            .json(&json!({ "query": query, "variables": variables }))
            .send()
            .await
            .expect("POST /graphql");
        Self::answer(response).await
    }

    /// Makes a token of `role` with the real CLI against this server's database.
    pub fn token(&self, role: &str) -> String {
        let url = self
            .database
            .as_ref()
            .map(|d| d.url().to_owned())
            .expect("a server that owns its database");
        self.token_for(&url, role)
    }

    /// Makes a token of `role` with the real CLI against the database at `url`.
    pub fn token_for(&self, url: &str, role: &str) -> String {
        let output = Command::new(binary())
            .args([
                "token",
                "create",
                "--role",
                role,
                "--label",
                &format!("test {role}"),
                "--database-url",
                url,
            ])
            .output()
            .expect("run skillgraph token create");
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8(output.stdout)
            .expect("UTF-8")
            .trim()
            .to_owned()
    }

    /// GETs a path with an `Accept` header and query parameters.
    pub async fn get(&self, path: &str, accept: &str, params: &[(&str, &str)]) -> Answer {
        let response = self
            .client
            .get(format!("{}{path}", self.base))
            .header("accept", accept)
            .query(params)
            .send()
            .await
            .expect("GET");
        Self::answer(response).await
    }

    /// GETs a path with a bearer token.
    pub async fn get_as(&self, token: &str, path: &str) -> Answer {
        let response = self
            .client
            .get(format!("{}{path}", self.base))
            .bearer_auth(token)
            .send()
            .await
            .expect("GET");
        Self::answer(response).await
    }

    /// The value of a Prometheus counter or gauge from `/metrics`.
    pub async fn metric(&self, name: &str) -> f64 {
        let answer = self.get("/metrics", "text/plain", &[]).await;
        let Value::String(text) = answer.body else {
            panic!("/metrics is not text: {answer:?}")
        };
        text.lines()
            .find_map(|line| {
                let (metric, value) = line.split_once(' ')?;
                (metric == name).then(|| value.trim().parse().ok())?
            })
            .unwrap_or_else(|| panic!("no metric {name} in:\n{text}"))
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One fresh database per engine under test (SQLite, plus PostgreSQL when configured).
pub async fn databases() -> Vec<ScratchDatabase> {
    ScratchDatabase::all_engines().await
}

/// One server per engine under test, each on a fresh database with the bundled dataset.
pub async fn servers() -> Vec<Server> {
    databases()
        .await
        .into_iter()
        .map(|db| Server::start(db, &[]))
        .collect()
}

/// The string at `pointer` in every element of a JSON list (`""` where missing).
pub fn slugs(list: &Value, pointer: &str) -> Vec<String> {
    list.as_array()
        .unwrap_or_else(|| panic!("not a list: {list}"))
        .iter()
        .map(|v| {
            v.pointer(pointer)
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_owned()
        })
        .collect()
}

/// A fresh PostgreSQL database for tests that need several servers on one
/// database; `None` when PostgreSQL is not configured.
pub async fn shared_postgres() -> Option<ScratchDatabase> {
    let server = std::env::var(skillgraph_store::scratch::POSTGRES_ENV)
        .ok()
        .filter(|s| !s.is_empty())?;
    Some(
        ScratchDatabase::postgres(&server)
            .await
            .unwrap_or_else(|e| panic!("{e}")),
    )
}

/// A GraphQL-over-WebSocket client, just enough for tests: the
/// `graphql-transport-ws` protocol, or with [`Subscriber::connect_legacy`]
/// the older `graphql-ws` protocol of subscriptions-transport-ws.
pub struct Subscriber {
    socket: tokio_tungstenite::WebSocketStream<
        tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>,
    >,
}

impl Subscriber {
    /// Connects to the server's `/graphql` and completes the handshake.
    pub async fn connect(server: &Server) -> Self {
        Self::connect_with(server, "graphql-transport-ws").await
    }

    /// Connects with the legacy `graphql-ws` protocol; run operations
    /// with [`Subscriber::run_legacy`].
    pub async fn connect_legacy(server: &Server) -> Self {
        Self::connect_with(server, "graphql-ws").await
    }

    async fn connect_with(server: &Server, protocol: &str) -> Self {
        use futures_util::SinkExt;
        use tokio_tungstenite::tungstenite::client::IntoClientRequest;
        let url = format!("{}/graphql", server.base.replacen("http", "ws", 1));
        let mut request = url.into_client_request().expect("a ws request");
        request.headers_mut().insert(
            "sec-websocket-protocol",
            protocol.parse().expect("a header value"),
        );
        let (mut socket, _) = tokio_tungstenite::connect_async(request)
            .await
            .expect("a websocket");
        socket
            .send(json!({ "type": "connection_init" }).to_string().into())
            .await
            .expect("send connection_init");
        let mut subscriber = Self { socket };
        let ack = subscriber.next_message().await;
        assert_eq!(ack["type"], "connection_ack", "{ack}");
        subscriber
    }

    /// Starts a subscription with id `id`.
    pub async fn subscribe(&mut self, id: &str, query: &str) {
        use futures_util::SinkExt;
        self.socket
            .send(
                json!({ "id": id, "type": "subscribe", "payload": { "query": query } })
                    .to_string()
                    .into(),
            )
            .await
            .expect("send subscribe");
    }

    /// Runs a query over the legacy protocol: its last `data` payload
    /// (`data` and `errors`), or its refusal as `{"errors": [...]}`.
    pub async fn run_legacy(&mut self, id: &str, query: &str) -> Value {
        use futures_util::SinkExt;
        self.socket
            .send(
                json!({ "id": id, "type": "start", "payload": { "query": query } })
                    .to_string()
                    .into(),
            )
            .await
            .expect("send start");
        let mut result = Value::Null;
        loop {
            let message = self.next_message().await;
            match message["type"].as_str() {
                Some("data") => result = message["payload"].clone(),
                // An error ends the operation without `complete`.
                Some("error") => {
                    return match &message["payload"] {
                        Value::Array(errors) => json!({ "errors": errors }),
                        one => json!({ "errors": [one] }),
                    };
                }
                Some("complete") => return result,
                other => panic!("unexpected {other:?}: {message}"),
            }
        }
    }

    /// The next protocol message (pings are answered and skipped).
    pub async fn next_message(&mut self) -> Value {
        use futures_util::{SinkExt, StreamExt};
        use tokio_tungstenite::tungstenite::Message;
        loop {
            let message = tokio::time::timeout(Duration::from_secs(10), self.socket.next())
                .await
                .expect("a message within 10 s")
                .expect("the socket is open")
                .expect("a readable message");
            match message {
                Message::Text(text) => {
                    let value: Value = serde_json::from_str(&text).expect("JSON");
                    // The legacy protocol's keep-alive.
                    if value["type"] == "ka" {
                        continue;
                    }
                    if value["type"] == "ping" {
                        let _ = self
                            .socket
                            .send(json!({ "type": "pong" }).to_string().into())
                            .await;
                        continue;
                    }
                    return value;
                }
                Message::Close(frame) => {
                    return json!({ "type": "closed", "frame": format!("{frame:?}") });
                }
                _ => continue,
            }
        }
    }
}
