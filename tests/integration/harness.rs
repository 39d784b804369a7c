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
