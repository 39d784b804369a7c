//! The command line itself: help, the schema file, first start and restart.

use std::process::Command;

use serde_json::json;

use crate::harness::{Server, binary, databases, workspace_root};

#[test]
fn schema_file_matches_the_code() {
    let output = Command::new(binary())
        .arg("schema")
        .output()
        .expect("run skillgraph schema");
    assert!(output.status.success());
    let generated = String::from_utf8(output.stdout).expect("SDL is UTF-8");
    let path = workspace_root().join("schema.graphql");
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        generated == committed,
        "schema.graphql is stale; regenerate it with\n\n    cargo run -q --bin skillgraph -- schema > schema.graphql\n"
    );
}

#[test]
fn help_explains_every_option_and_its_environment_variable() {
    let output = Command::new(binary())
        .args(["serve", "--help"])
        .output()
        .expect("run skillgraph serve --help");
    assert!(output.status.success());
    let help = String::from_utf8_lossy(&output.stdout);
    for expected in [
        "--listen",
        "SKILLGRAPH_LISTEN",
        "127.0.0.1:8080",
        "--database-url",
        "SKILLGRAPH_DATABASE_URL",
        "sqlite://skillgraph.db",
        "--no-seed",
        "SKILLGRAPH_NO_SEED",
        "--log",
        "SKILLGRAPH_LOG",
    ] {
        assert!(
            help.contains(expected),
            "`{expected}` missing from:\n{help}"
        );
    }
}

#[test]
fn a_bad_database_url_stops_the_start_with_a_clear_message() {
    let output = Command::new(binary())
        .args([
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--database-url",
            "mysql://nowhere/x",
        ])
        .output()
        .expect("run skillgraph serve");
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("unsupported database URL"), "{stderr}");
}

const VERSION_AND_COUNT: &str = "{ skills(first: 1) { totalCount } }";

#[tokio::test]
async fn first_start_seeds_an_empty_database_and_a_restart_does_not_seed_again() {
    for database in databases().await {
        let server = Server::start(database, &[]);
        let first = server.post(VERSION_AND_COUNT, json!({})).await;
        let count = first.body["data"]["skills"]["totalCount"].as_u64().unwrap();
        assert!(count >= 45, "{first:?}");
        let database = server.stop().expect("the server owned its database");

        let again = Server::start(database, &[]);
        let second = again.post(VERSION_AND_COUNT, json!({})).await;
        assert_eq!(
            second.body["data"]["skills"]["totalCount"].as_u64(),
            Some(count)
        );
    }
}

#[tokio::test]
async fn no_seed_starts_with_an_empty_catalog() {
    for database in databases().await {
        let server = Server::start(database, &["--no-seed"]);
        let answer = server.post(VERSION_AND_COUNT, json!({})).await;
        assert_eq!(
            answer.body["data"]["skills"]["totalCount"],
            json!(0),
            "{answer:?}"
        );
    }
}

#[test]
fn generate_writes_the_same_consistent_bundle_for_the_same_seed() {
    let run = |seed: &str| {
        let output = Command::new(binary())
            .args(["generate", "--skills", "1500", "--seed", seed])
            .output()
            .expect("run skillgraph generate");
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8(output.stdout).expect("YAML is UTF-8")
    };
    let first = run("5");
    assert_eq!(first, run("5"), "the same seed gives the same file");
    assert_ne!(first, run("6"));
    let bundle = skillgraph_bundle::parse("generated", &first).expect("the bundle format");
    let catalog = skillgraph_domain::Catalog::from_bundle(&bundle).expect("a consistent catalog");
    assert_eq!(catalog.skills().len(), 1500);
    assert!(
        catalog.prerequisite_count() >= 5000,
        "{}",
        catalog.prerequisite_count()
    );
}

#[test]
fn settings_that_cannot_be_used_are_named_at_start_and_exit_non_zero() {
    let run = |args: &[&str], env: &[(&str, &str)]| {
        let mut command = Command::new(binary());
        command.args([
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--database-url",
            "sqlite::memory:",
        ]);
        command.args(args);
        for (key, value) in env {
            command.env(key, value);
        }
        let output = command.output().expect("run skillgraph serve");
        assert!(!output.status.success(), "{args:?} must not start");
        String::from_utf8_lossy(&output.stderr).into_owned()
    };
    let short = run(
        &[
            "--jwt-hs256-secret",
            "short",
            "--jwt-issuer",
            "i",
            "--jwt-audience",
            "a",
        ],
        &[],
    );
    assert!(short.contains("--jwt-hs256-secret"), "{short}");
    assert!(
        !short.contains("short\""),
        "the secret itself is not shown: {short}"
    );
    let missing = run(
        &[
            "--jwt-public-key",
            "/no/such/key.pem",
            "--jwt-algorithm",
            "es256",
            "--jwt-issuer",
            "i",
            "--jwt-audience",
            "a",
        ],
        &[],
    );
    assert!(
        missing.contains("--jwt-public-key") && missing.contains("/no/such/key.pem"),
        "{missing}"
    );
    let without_issuer = run(
        &[
            "--jwt-hs256-secret",
            "a secret that is long enough to be used here",
        ],
        &[],
    );
    assert!(without_issuer.contains("--jwt-issuer"), "{without_issuer}");
    let bad_listen = run(&[], &[("SKILLGRAPH_MAX_DEPTH", "deep")]);
    assert!(bad_listen.contains("--max-depth"), "{bad_listen}");
    let bad_url = Command::new(binary())
        .args(["serve", "--database-url", "mysql://root@localhost/x"])
        .output()
        .unwrap();
    assert!(!bad_url.status.success());
    assert!(String::from_utf8_lossy(&bad_url.stderr).contains("database URL"));
}
