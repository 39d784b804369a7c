//! Persisted queries through HTTP: Apollo's automatic persisted queries,
//! and a server that runs only the documents of its trusted manifest.

use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::harness::{Server, databases, servers};

fn sha256(text: &str) -> String {
    Sha256::digest(text.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

async fn send(server: &Server, body: Value) -> (u16, Value) {
    let response = reqwest::Client::new()
        .post(format!("{}/graphql", server.base))
        .json(&body)
        .send()
        .await
        .unwrap();
    (response.status().as_u16(), response.json().await.unwrap())
}

const QUERY: &str = r#"query Title { roadmap(slug: "backend") { title } }"#;

#[tokio::test]
async fn automatic_persisted_queries_follow_apollos_protocol() {
    for server in servers().await {
        let extensions = json!({ "persistedQuery": { "version": 1, "sha256Hash": sha256(QUERY) } });
        let (status, first) = send(&server, json!({ "extensions": extensions })).await;
        assert_eq!(status, 200);
        assert_eq!(
            first["errors"][0]["extensions"]["code"], "PERSISTED_QUERY_NOT_FOUND",
            "{first}"
        );
        assert_eq!(first["errors"][0]["message"], "PersistedQueryNotFound");
        let (_, mismatch) = send(
            &server,
            json!({ "query": "{ __typename }", "extensions": extensions }),
        )
        .await;
        assert_eq!(
            mismatch["errors"][0]["extensions"]["code"], "BAD_USER_INPUT",
            "{mismatch}"
        );
        let (_, registered) =
            send(&server, json!({ "query": QUERY, "extensions": extensions })).await;
        assert_eq!(
            registered["data"]["roadmap"]["title"], "Backend Developer",
            "{registered}"
        );
        let (_, by_hash) = send(&server, json!({ "extensions": extensions })).await;
        assert_eq!(
            by_hash["data"]["roadmap"]["title"], "Backend Developer",
            "{by_hash}"
        );
        let get = server
            .get(
                "/graphql",
                "application/json",
                &[("extensions", &extensions.to_string())],
            )
            .await;
        assert_eq!(
            get.body["data"]["roadmap"]["title"], "Backend Developer",
            "{get:?}"
        );
    }
}

#[tokio::test]
async fn a_trusted_documents_server_runs_only_its_manifest() {
    let manifest =
        std::env::temp_dir().join(format!("skillgraph-trusted-{}.json", std::process::id()));
    std::fs::write(
        &manifest,
        json!({ format!("sha256:{}", sha256(QUERY)): QUERY }).to_string(),
    )
    .unwrap();
    let server = Server::start(
        databases().await.remove(0),
        &["--trusted-documents", manifest.to_str().unwrap()],
    );
    let (_, by_id) = send(
        &server,
        json!({ "documentId": format!("sha256:{}", sha256(QUERY)) }),
    )
    .await;
    assert_eq!(
        by_id["data"]["roadmap"]["title"], "Backend Developer",
        "{by_id}"
    );
    let (_, by_text) = send(&server, json!({ "query": QUERY })).await;
    assert_eq!(by_text["data"]["roadmap"]["title"], "Backend Developer");
    let (status, other) = send(&server, json!({ "query": "{ skills { totalCount } }" })).await;
    assert_eq!(status, 400);
    assert_eq!(
        other["errors"][0]["extensions"]["code"], "DOCUMENT_NOT_TRUSTED",
        "{other}"
    );
    let new = "{ catalog { version } }";
    let (_, learn) = send(&server, json!({ "query": new, "extensions": { "persistedQuery": { "version": 1, "sha256Hash": sha256(new) } } })).await;
    assert_eq!(
        learn["errors"][0]["extensions"]["code"], "DOCUMENT_NOT_TRUSTED",
        "nothing is registered: {learn}"
    );
    let _ = std::fs::remove_file(manifest);
}

/// The resident memory of a process, in KiB.
fn rss_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmRSS:"))
        .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
        .expect("VmRSS in /proc/PID/status")
}

#[tokio::test]
async fn automatic_persisted_queries_are_bounded_in_bytes() {
    const DOCUMENTS: usize = 120;
    const SIZE: usize = 150_000;
    let server = Server::start(
        databases().await.remove(0),
        &[
            "--apq-cache-mb",
            "1",
            "--apq-max-document-bytes",
            "200000",
            "--rate-limit",
            "0",
        ],
    );
    let document = |n: usize| {
        let text = format!("query Doc{n} {{ __typename }} # ");
        let pad = SIZE - text.len();
        format!("{text}{}", "x".repeat(pad))
    };
    let hash_only = |n: usize| json!({ "extensions": { "persistedQuery": { "version": 1, "sha256Hash": sha256(&document(n)) } } });
    // Warm up, so that what the allocator keeps for request bodies is in
    // the baseline.
    for n in 0..5 {
        let text = document(1_000_000 + n);
        let (status, _) = send(&server, json!({ "query": text, "extensions": { "persistedQuery": { "version": 1, "sha256Hash": sha256(&text) } } })).await;
        assert_eq!(status, 200);
    }
    let before = rss_kib(server.pid());
    for n in 0..DOCUMENTS {
        let text = document(n);
        let (status, registered) = send(&server, json!({ "query": text, "extensions": { "persistedQuery": { "version": 1, "sha256Hash": sha256(&text) } } })).await;
        assert_eq!(status, 200, "{registered}");
        assert_eq!(registered["data"]["__typename"], "Query");
    }
    let grown = rss_kib(server.pid()).saturating_sub(before);
    // 18 MB were registered into a 1 MiB budget.
    assert!(grown < 12 * 1024, "RSS grew by {grown} KiB");
    let held = server.metric("skillgraph_apq_cache_bytes").await;
    assert!(held > 0.0 && held <= 1024.0 * 1024.0, "{held} bytes held");

    let mut found = 0;
    for n in 0..DOCUMENTS {
        let (_, answer) = send(&server, hash_only(n)).await;
        if answer["data"]["__typename"] == "Query" {
            found += 1;
        } else {
            assert_eq!(
                answer["errors"][0]["extensions"]["code"], "PERSISTED_QUERY_NOT_FOUND",
                "{answer}"
            );
        }
    }
    assert!(
        found * SIZE <= 1 << 20,
        "{found} documents of {SIZE} bytes still known"
    );

    let large = format!("{{ __typename }} # {}", "x".repeat(200_000));
    let (status, refused) = send(&server, json!({ "query": large, "extensions": { "persistedQuery": { "version": 1, "sha256Hash": sha256(&large) } } })).await;
    assert_eq!(status, 400);
    assert_eq!(
        refused["errors"][0]["extensions"]["code"], "PERSISTED_QUERY_TOO_LARGE",
        "{refused}"
    );
    // Not registered, so still unknown by hash; and it runs as a plain query.
    let (_, unknown) = send(&server, json!({ "extensions": { "persistedQuery": { "version": 1, "sha256Hash": sha256(&large) } } })).await;
    assert_eq!(
        unknown["errors"][0]["extensions"]["code"],
        "PERSISTED_QUERY_NOT_FOUND"
    );
    let (status, plain) = send(&server, json!({ "query": large })).await;
    assert_eq!(status, 200);
    assert_eq!(plain["data"]["__typename"], "Query");
}
