//! The response cache through the real server: a repeated anonymous query
//! is answered from memory with the same bytes and headers, a write is
//! never answered with an old answer (on this replica or another), and
//! requests with credentials, answers with errors and a cache of 0 MiB are
//! never served from it.

use std::time::{Duration, Instant};

use reqwest::header::HeaderMap;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::harness::{Server, databases, servers, shared_postgres};

/// An answer exactly as it was sent.
struct Raw {
    status: u16,
    headers: HeaderMap,
    bytes: Vec<u8>,
}

impl Raw {
    fn json(&self) -> Value {
        serde_json::from_slice(&self.bytes).unwrap()
    }

    fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).map(|v| v.to_str().unwrap())
    }
}

async fn raw(request: reqwest::RequestBuilder) -> Raw {
    let response = request.send().await.unwrap();
    Raw {
        status: response.status().as_u16(),
        headers: response.headers().clone(),
        bytes: response.bytes().await.unwrap().to_vec(),
    }
}

/// POSTs a JSON body to `/graphql`, with a bearer token when given.
async fn post(server: &Server, body: &Value, token: Option<&str>) -> Raw {
    let mut request = reqwest::Client::new()
        .post(format!("{}/graphql", server.base))
        .header("accept", "application/graphql-response+json")
        .json(body);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    raw(request).await
}

/// GETs `/graphql` with these query parameters.
async fn get(server: &Server, params: &[(&str, &str)]) -> Raw {
    raw(reqwest::Client::new()
        .get(format!("{}/graphql", server.base))
        .header("accept", "application/graphql-response+json")
        .query(params))
    .await
}

/// The headers an answer from the cache must share with the executed one.
fn same_headers(executed: &Raw, cached: &Raw) {
    for name in [
        "content-type",
        "content-length",
        "cache-control",
        "etag",
        "vary",
    ] {
        assert_eq!(
            executed.header(name),
            cached.header(name),
            "header {name}: {:?} against {:?}",
            executed.headers,
            cached.headers
        );
    }
}

/// How many requests met the cache with this result (0 when none has).
async fn counted(server: &Server, result: &str) -> f64 {
    let text = metrics_text(server).await;
    let series = format!("skillgraph_response_cache_total{{result=\"{result}\"}}");
    text.lines()
        .find_map(|line| {
            let (name, value) = line.split_once(' ')?;
            (name == series).then(|| value.trim().parse().ok())?
        })
        .unwrap_or(0.0)
}

async fn metrics_text(server: &Server) -> String {
    let answer = server.get("/metrics", "text/plain", &[]).await;
    let Value::String(text) = answer.body else {
        panic!("/metrics is not text: {answer:?}")
    };
    text
}

const GIT: &str =
    r#"query Git { skill(slug: "git") { name summary prerequisites { skill { slug } } } }"#;
const DOCKER: &str = r#"query Docker { skill(slug: "docker") { name summary } }"#;

#[tokio::test]
async fn the_same_query_twice_is_answered_from_the_cache_with_the_same_bytes() {
    for server in servers().await {
        let body = json!({ "query": GIT, "operationName": "Git" });
        let executed = post(&server, &body, None).await;
        assert_eq!(executed.status, 200);
        assert_eq!(executed.json()["data"]["skill"]["name"], "Git");
        assert_eq!(counted(&server, "miss").await, 1.0);
        let cached = post(&server, &body, None).await;
        assert_eq!(cached.bytes, executed.bytes, "byte for byte");
        same_headers(&executed, &cached);
        assert_eq!(counted(&server, "hit").await, 1.0);
        assert_eq!(counted(&server, "miss").await, 1.0);
        assert!(
            cached.header("x-request-id").is_some(),
            "hits pass the middleware"
        );

        // The legacy media type shares the entry: same bytes, its own type.
        let legacy = raw(reqwest::Client::new()
            .post(format!("{}/graphql", server.base))
            .header("accept", "application/json")
            .json(&body))
        .await;
        assert_eq!(legacy.bytes, executed.bytes);
        assert_eq!(legacy.header("content-type"), Some("application/json"));
        assert_eq!(counted(&server, "hit").await, 2.0);

        // Variables are keyed by their content, not by how they were written.
        let query = "query ($slug: String!, $transitive: Boolean) { skill(slug: $slug) { name dependents(transitive: $transitive) { skill { slug } } } }";
        let first = post(
            &server,
            &serde_json::from_str::<Value>(&format!(
                r#"{{ "query": {}, "variables": {{ "slug": "git", "transitive": true }} }}"#,
                serde_json::to_string(query).unwrap()
            ))
            .unwrap(),
            None,
        )
        .await;
        assert!(first.json().get("errors").is_none(), "{:?}", first.json());
        let reordered = raw(reqwest::Client::new()
            .post(format!("{}/graphql", server.base))
            .header("accept", "application/graphql-response+json")
            .header("content-type", "application/json")
            .body(format!(
                r#"{{"variables":{{"transitive":true,"slug":"git"}},"query":{}}}"#,
                serde_json::to_string(query).unwrap()
            )))
        .await;
        assert_eq!(reordered.bytes, first.bytes);
        assert_eq!(counted(&server, "hit").await, 3.0);
        let other = post(
            &server,
            &json!({ "query": query, "variables": { "slug": "docker", "transitive": true } }),
            None,
        )
        .await;
        assert_eq!(
            other.json()["data"]["skill"]["name"],
            "Docker",
            "other variables, other answer"
        );
        assert_eq!(counted(&server, "hit").await, 3.0);

        // GET: the cached answer carries the same ETag and Cache-Control.
        let params = [("query", DOCKER), ("operationName", "Docker")];
        let executed_get = get(&server, &params).await;
        assert_eq!(executed_get.status, 200);
        assert_eq!(executed_get.json()["data"]["skill"]["name"], "Docker");
        assert!(executed_get.header("etag").is_some());
        let hits = counted(&server, "hit").await;
        let cached_get = get(&server, &params).await;
        assert_eq!(cached_get.bytes, executed_get.bytes);
        same_headers(&executed_get, &cached_get);
        assert_eq!(counted(&server, "hit").await, hits + 1.0);
        let revalidated = raw(reqwest::Client::new()
            .get(format!("{}/graphql", server.base))
            .header("accept", "application/graphql-response+json")
            .header("if-none-match", executed_get.header("etag").unwrap())
            .query(&params))
        .await;
        assert_eq!(revalidated.status, 304);
        // GET and POST share entries.
        let posted = post(
            &server,
            &json!({ "query": DOCKER, "operationName": "Docker" }),
            None,
        )
        .await;
        assert_eq!(posted.bytes, executed_get.bytes);
        let from_post = get(&server, &[("query", GIT), ("operationName", "Git")]).await;
        assert_eq!(from_post.bytes, executed.bytes);
        assert_eq!(counted(&server, "hit").await, hits + 4.0);

        // An automatic persisted query is keyed by the document it names.
        let hash: String = Sha256::digest(GIT.as_bytes())
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        let extensions = json!({ "persistedQuery": { "version": 1, "sha256Hash": hash } });
        let registered = post(
            &server,
            &json!({ "query": GIT, "operationName": "Git", "extensions": extensions }),
            None,
        )
        .await;
        assert_eq!(registered.bytes, executed.bytes);
        let by_hash = post(
            &server,
            &json!({ "operationName": "Git", "extensions": extensions }),
            None,
        )
        .await;
        assert_eq!(by_hash.bytes, executed.bytes);
        assert_eq!(counted(&server, "hit").await, hits + 6.0);
    }
}

const RENAME: &str = r#"mutation ($name: String!) { updateSkill(input: { skill: "git", name: $name }) { catalogVersion } }"#;

#[tokio::test]
async fn a_changed_catalog_is_never_answered_from_the_cache() {
    for server in servers().await {
        let editor = server.token("editor");
        let read = json!({ "query": r#"{ skill(slug: "git") { name } }"# });
        for round in 0..5 {
            // The entry exists: the second read is a hit.
            let before = post(&server, &read, None).await;
            let hits = counted(&server, "hit").await;
            let again = post(&server, &read, None).await;
            assert_eq!(before.bytes, again.bytes);
            assert_eq!(counted(&server, "hit").await, hits + 1.0, "round {round}");

            let name = format!("Git, renamed {round}");
            let written = post(
                &server,
                &json!({ "query": RENAME, "variables": { "name": name } }),
                Some(&editor),
            )
            .await;
            assert!(
                written.json().get("errors").is_none(),
                "{:?}",
                written.json()
            );

            // At once, by POST and by GET: the new name, never the cached one.
            let after = post(&server, &read, None).await;
            assert_eq!(
                after.json()["data"]["skill"]["name"],
                name.as_str(),
                "round {round}"
            );
            let by_get = get(&server, &[("query", r#"{ skill(slug: "git") { name } }"#)]).await;
            assert_eq!(
                by_get.json()["data"]["skill"]["name"],
                name.as_str(),
                "round {round}"
            );
            // And the new answer is cached in turn.
            let cached = post(&server, &read, None).await;
            assert_eq!(cached.bytes, after.bytes);
        }
    }
}

#[tokio::test]
async fn a_write_on_another_replica_is_never_answered_from_the_cache() {
    let Some(database) = shared_postgres().await else {
        return;
    };
    let writer = Server::spawn(database.url(), &[]);
    let reader = Server::spawn(database.url(), &[]);
    let editor = writer.token_for(database.url(), "editor");
    let read = json!({ "query": r#"{ catalog { version } skill(slug: "git") { name } }"# });
    for round in 0..3 {
        let before = post(&reader, &read, None).await;
        assert_eq!(
            post(&reader, &read, None).await.bytes,
            before.bytes,
            "cached"
        );
        let name = format!("Git on a replica {round}");
        let written = post(
            &writer,
            &json!({ "query": RENAME, "variables": { "name": name } }),
            Some(&editor),
        )
        .await;
        let version = written.json()["data"]["updateSkill"]["catalogVersion"]
            .as_i64()
            .unwrap();
        // Until the reader reloads it may answer the old version, but an
        // answer's name always belongs to its version; once it has the new
        // version it never answers the old name again.
        let started = Instant::now();
        let mut seen_new = false;
        while started.elapsed() < Duration::from_secs(10) {
            let answer = post(&reader, &read, None).await.json();
            let at = answer["data"]["catalog"]["version"].as_i64().unwrap();
            let current = answer["data"]["skill"]["name"] == name.as_str();
            assert_eq!(at >= version, current, "round {round}: {answer}");
            if current {
                if seen_new {
                    break;
                }
                seen_new = true;
            } else {
                assert!(!seen_new, "an old answer after the new one: {answer}");
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        }
        assert!(seen_new, "the reader never saw the write of round {round}");
    }
}

#[tokio::test]
async fn requests_with_credentials_are_never_answered_from_the_cache() {
    for database in databases().await {
        let server = Server::start(
            database,
            &[
                "--jwt-hs256-secret",
                "a shared secret of the test identity provider, long enough",
                "--jwt-issuer",
                "https://id.example.org",
                "--jwt-audience",
                "skillgraph-tests",
            ],
        );
        let query = json!({ "query": r#"{ skill(slug: "git") { name viewerStatus } }"# });
        let anonymous = post(&server, &query, None).await;
        assert_eq!(
            anonymous.json()["data"]["skill"]["viewerStatus"],
            Value::Null
        );
        assert_eq!(post(&server, &query, None).await.bytes, anonymous.bytes);
        assert_eq!(counted(&server, "hit").await, 1.0);

        // A learner sees their own status, not the cached anonymous answer.
        let url = server.database_url().unwrap().to_owned();
        let output = std::process::Command::new(crate::harness::binary())
            .args(["learner", "create", "--database-url", &url])
            .output()
            .unwrap();
        assert!(output.status.success());
        let learner = String::from_utf8(output.stdout).unwrap().trim().to_owned();
        let set = post(
            &server,
            &json!({ "query": r#"mutation { setSkillStatus(input: { skill: "git", status: DONE }) { skills { slug } } }"# }),
            Some(&learner),
        )
        .await;
        assert!(set.json().get("errors").is_none(), "{:?}", set.json());
        for _ in 0..2 {
            let mine = post(&server, &query, Some(&learner)).await;
            assert_eq!(mine.json()["data"]["skill"]["viewerStatus"], "DONE");
            assert_eq!(mine.header("cache-control"), Some("private, no-store"));
        }
        // An editor's token and one nobody issued are bypassed too.
        let editor = server.token("editor");
        let as_editor = post(&server, &query, Some(&editor)).await;
        assert_eq!(as_editor.bytes, anonymous.bytes, "an editor is no learner");
        assert_eq!(as_editor.header("cache-control"), Some("private, no-store"));
        let forged = post(&server, &query, Some("sg_learner_forged")).await;
        assert_eq!(
            forged.json()["errors"][0]["extensions"]["code"],
            "UNAUTHENTICATED"
        );
        let by_get = raw(reqwest::Client::new()
            .get(format!("{}/graphql", server.base))
            .header("accept", "application/graphql-response+json")
            .bearer_auth(&learner)
            .query(&[("query", r#"{ skill(slug: "git") { name viewerStatus } }"#)]))
        .await;
        assert_eq!(by_get.json()["data"]["skill"]["viewerStatus"], "DONE");
        assert!(by_get.header("etag").is_none());

        assert_eq!(counted(&server, "hit").await, 1.0, "none of them was a hit");
        // The learner's mutation, two reads, the editor's, the forged one, the GET.
        assert_eq!(counted(&server, "bypass").await, 6.0);
        // A learner's write changes no catalog: the anonymous answer stands.
        assert_eq!(post(&server, &query, None).await.bytes, anonymous.bytes);
        assert_eq!(counted(&server, "hit").await, 2.0);
    }
}

#[tokio::test]
async fn answers_with_errors_and_mutations_are_not_cached() {
    for server in servers().await {
        let failing = [
            // A field error: data and an error.
            json!({ "query": r#"{ skill(slug: "git") { name learnerStats { started } } }"# }),
            // A validation error.
            json!({ "query": r#"{ skill(slug: "git") { nope } }"# }),
            // An operation that is not in the document.
            json!({ "query": r#"query A { __typename }"#, "operationName": "B" }),
        ];
        for body in &failing {
            let first = post(&server, body, None).await;
            assert!(first.json()["errors"].is_array(), "{:?}", first.json());
            let second = post(&server, body, None).await;
            assert_eq!(second.bytes, first.bytes, "still the same answer");
        }
        let failing_get = get(&server, &[("query", r#"{ skill(slug: "git") { nope } }"#)]).await;
        assert_eq!(failing_get.header("cache-control"), Some("no-store"));
        assert_eq!(counted(&server, "hit").await, 0.0);
        assert_eq!(counted(&server, "miss").await, 7.0);

        // Anonymous mutations are refused, and never stored.
        let mutation = json!({ "query": r#"mutation { updateSkill(input: { skill: "git", name: "No" }) { catalogVersion } }"# });
        for _ in 0..2 {
            let refused = post(&server, &mutation, None).await;
            assert_eq!(
                refused.json()["errors"][0]["extensions"]["code"],
                "UNAUTHENTICATED"
            );
        }
        assert_eq!(counted(&server, "hit").await, 0.0);
        assert_eq!(counted(&server, "bypass").await, 2.0);
    }
}

#[tokio::test]
async fn a_response_cache_of_0_mb_is_off() {
    for database in databases().await {
        let server = Server::start(database, &["--response-cache-mb", "0"]);
        let editor = server.token("editor");
        let read = json!({ "query": r#"{ skill(slug: "git") { name } }"# });
        let first = post(&server, &read, None).await;
        assert_eq!(post(&server, &read, None).await.bytes, first.bytes);
        let written = post(
            &server,
            &json!({ "query": RENAME, "variables": { "name": "Git, uncached" } }),
            Some(&editor),
        )
        .await;
        assert!(
            written.json().get("errors").is_none(),
            "{:?}",
            written.json()
        );
        let after = post(&server, &read, None).await;
        assert_eq!(after.json()["data"]["skill"]["name"], "Git, uncached");
        let text = metrics_text(&server).await;
        assert!(
            !text.contains("skillgraph_response_cache_total"),
            "nothing is looked up:\n{text}"
        );
        assert!(text.contains("skillgraph_graphql_requests_total"), "{text}");
    }
}
