//! Other people's GraphQL tools, run for real against the real server: the
//! graphql-http audit, the graphql-ws client, graphql-codegen with a typed
//! client, relay-compiler, graphql-inspector, and GraphiQL and a roadmap
//! diagram in headless Chromium. Each is a Node script in `tests/clients`
//! (its own `package.json` and `package-lock.json`, installed with `npm ci`
//! on first use) that exits non-zero when its tool disagrees with us.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use crate::harness::{Server, databases, servers, workspace_root};

fn clients() -> PathBuf {
    workspace_root().join("tests/clients")
}

/// Installs the suites' packages once per run, when they are missing or
/// older than the lock file.
fn npm_ready() {
    static READY: OnceLock<Result<(), String>> = OnceLock::new();
    let ready = READY.get_or_init(|| {
        let dir = clients();
        let installed = dir.join("node_modules/.package-lock.json");
        let lock = dir.join("package-lock.json");
        let modified = |p: &Path| std::fs::metadata(p).and_then(|m| m.modified()).ok();
        if modified(&installed).is_some_and(|i| modified(&lock).is_some_and(|l| i >= l)) {
            return Ok(());
        }
        let output = Command::new("npm")
            .args(["ci", "--no-audit", "--no-fund"])
            .current_dir(&dir)
            .output()
            .map_err(|e| format!("cannot run npm (Node 20 and npm are needed): {e}"))?;
        if output.status.success() {
            Ok(())
        } else {
            Err(format!(
                "npm ci failed:\n{}{}",
                String::from_utf8_lossy(&output.stdout),
                String::from_utf8_lossy(&output.stderr)
            ))
        }
    });
    if let Err(e) = ready {
        panic!("{e}");
    }
}

/// Runs a program of the suites (a script with `node`, or a tool from
/// `node_modules/.bin`) and fails the test, showing its output, unless it succeeds.
fn run(program: &str, args: &[&str]) -> String {
    npm_ready();
    let dir = clients();
    let local = dir.join("node_modules/.bin").join(program);
    let executable = if local.exists() {
        local
    } else {
        PathBuf::from(program)
    };
    let output = Command::new(&executable)
        .args(args)
        .current_dir(&dir)
        .output()
        .unwrap_or_else(|e| panic!("cannot run {program}: {e}"));
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "{program} {args:?} failed ({}):\n{stdout}\n{stderr}",
        output.status
    );
    eprintln!("{stdout}");
    stdout
}

fn graphql_url(server: &Server) -> String {
    format!("{}/graphql", server.base)
}

#[tokio::test]
async fn the_graphql_over_http_audit_passes_whole() {
    for server in servers().await {
        let report = run("node", &["audit.mjs", &graphql_url(&server)]);
        assert!(report.contains("0 warnings, 0 errors"), "{report}");
    }
}

#[tokio::test]
async fn the_graphql_ws_client_gets_events_and_refusals_by_the_protocol() {
    for server in servers().await {
        let token = server.token("editor");
        run(
            "node",
            &["subscriptions.mjs", &graphql_url(&server), &token],
        );
    }
}

#[tokio::test]
async fn codegen_types_a_client_that_fetches_the_nested_roadmap() {
    let server = Server::start(databases().await.remove(0), &[]);
    run("graphql-codegen", &["--config", "codegen.yml"]);
    run("tsc", &["--noEmit", "-p", "tsconfig.json"]);
    run("tsc", &["-p", "tsconfig.json"]);
    let report = run("node", &["dist/client.js", &graphql_url(&server)]);
    assert!(report.contains("Backend Developer"), "{report}");
}

#[test]
fn relay_compiles_the_example_operations() {
    npm_ready();
    std::fs::create_dir_all(clients().join("relay/__generated__")).unwrap();
    run("relay-compiler", &[]);
}

#[test]
fn the_schema_guard_validates_operations_and_refuses_unrecorded_breaking_changes() {
    run("node", &["guard.mjs"]);
}

/// Makes sure Debian's Chromium is there, installing it when missing and
/// the machine allows it (`.ci/run` installs it up front).
fn ensure_chromium() {
    let path = Path::new("/usr/bin/chromium");
    if !path.exists() {
        let apt = |args: &[&str]| {
            Command::new("apt-get")
                .args(args)
                .env("DEBIAN_FRONTEND", "noninteractive")
                .status()
        };
        let _ = apt(&["update", "-qq"]);
        let installed = apt(&[
            "install",
            "-y",
            "-qq",
            "--no-install-recommends",
            "chromium",
        ]);
        assert!(
            installed.is_ok_and(|s| s.success()) && path.exists(),
            "the browser test needs Debian's chromium: apt-get install chromium"
        );
    }
}

#[tokio::test]
async fn graphiql_and_a_roadmap_diagram_work_in_headless_chromium() {
    ensure_chromium();
    npm_ready();
    let assets = clients().join("node_modules");
    let server = Server::start(
        databases().await.remove(0),
        &["--graphiql-assets", assets.to_str().unwrap()],
    );
    let shots = workspace_root().join("target/clients");
    run(
        "node",
        &["browser.mjs", &server.base, shots.to_str().unwrap()],
    );
    assert!(shots.join("graphiql.png").exists());
    assert!(shots.join("backend-roadmap.png").exists());
}
