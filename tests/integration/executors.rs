//! The planned executor through the real binary: a server on the default
//! executor and one with `--executor reference`, on the same database,
//! answer every shipped document (client operations and bench scenarios,
//! the learner's nested roadmap with a token among them) with the same
//! status, content type and bytes, on both engines; and the planned one
//! says in its metrics that it answered them itself.

use serde_json::{Value, json};

use crate::harness::{Server, databases, workspace_root};
use crate::learners::{jwt, jwt_args};

/// A POST's status, content type and raw body.
async fn raw(
    server: &Server,
    token: Option<&str>,
    query: &str,
    variables: &Value,
) -> (u16, String, Vec<u8>) {
    let mut request = reqwest::Client::new()
        .post(format!("{}/graphql", server.base))
        .header("accept", "application/graphql-response+json")
        .json(&json!({ "query": query, "variables": variables }));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let response = request.send().await.expect("POST /graphql");
    let status = response.status().as_u16();
    let content_type = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    (
        status,
        content_type,
        response.bytes().await.unwrap().to_vec(),
    )
}

/// The planned executor's answers so far, by the server's `/metrics`; 0
/// before the first.
async fn planned_answers(server: &Server) -> f64 {
    let answer = server.get("/metrics", "text/plain", &[]).await;
    let Value::String(text) = answer.body else {
        panic!("/metrics is not text: {answer:?}")
    };
    text.lines()
        .find_map(|line| {
            let value =
                line.strip_prefix("skillgraph_graphql_answers_total{executor=\"planned\"} ")?;
            value.trim().parse().ok()
        })
        .unwrap_or(0.0)
}

fn document(path: &str) -> String {
    std::fs::read_to_string(workspace_root().join(path)).unwrap()
}

#[tokio::test]
async fn both_executors_answer_every_shipped_document_with_the_same_bytes() {
    for database in databases().await {
        let url = database.url().to_owned();
        let planned = Server::start(database, &jwt_args());
        let mut reference_args = jwt_args();
        reference_args.extend(["--executor", "reference"]);
        let reference = Server::spawn(&url, &reference_args);

        let learner = jwt("executors-learner", json!({}));
        let set = planned
            .post_as(
                &learner,
                "mutation ($input: SetSkillStatusesInput!) { setSkillStatuses(input: $input) { skills { slug } } }",
                json!({ "input": { "statuses": [
                    { "skill": "git", "status": "DONE" },
                    { "skill": "sql", "status": "LEARNING" },
                    { "skill": "linux", "status": "SKIPPED" },
                ] } }),
            )
            .await;
        assert!(set.body.get("errors").is_none(), "{:?}", set.body);

        let cases: &[(&str, Value)] = &[
            (
                "tests/clients/operations/NestedRoadmap.graphql",
                json!({ "slug": "backend" }),
            ),
            (
                "tests/clients/operations/SkillPage.graphql",
                json!({ "slug": "microservices" }),
            ),
            (
                "tests/clients/operations/SkillPage.graphql",
                json!({ "slug": "Not A Slug" }),
            ),
            (
                "tests/clients/operations/LearningPath.graphql",
                json!({ "targets": ["microservices"], "known": ["sql"] }),
            ),
            (
                "tests/clients/operations/LearningPath.graphql",
                json!({ "targets": ["orms"] }),
            ),
            (
                "tests/clients/operations/Search.graphql",
                json!({ "query": "kubernets", "first": 5 }),
            ),
            (
                "bench/postgraphile/queries/skillgraph-nested.graphql",
                json!({ "slug": "backend" }),
            ),
            (
                "bench/postgraphile/queries/skillgraph-learner.graphql",
                json!({ "slug": "backend" }),
            ),
            (
                "bench/postgraphile/queries/skillgraph-skill.graphql",
                json!({ "slug": "orms" }),
            ),
            (
                "bench/postgraphile/queries/skillgraph-path.graphql",
                json!({ "target": "orms" }),
            ),
            (
                "bench/postgraphile/queries/skillgraph-search.graphql",
                json!({ "query": "data" }),
            ),
        ];
        let before = planned_answers(&planned).await;
        let mut answered = 0.0;
        for (path, variables) in cases {
            let query = document(path);
            for token in [None, Some(learner.as_str())] {
                let ours = raw(&planned, token, &query, variables).await;
                let theirs = raw(&reference, token, &query, variables).await;
                assert_eq!(
                    ours,
                    theirs,
                    "{path} {variables} (token: {}): the executors differ:\n{}\n{}",
                    token.is_some(),
                    String::from_utf8_lossy(&ours.2),
                    String::from_utf8_lossy(&theirs.2),
                );
                let body: Value = serde_json::from_slice(&ours.2).unwrap();
                if body.get("errors").is_none() {
                    answered += 1.0;
                }
                if path.ends_with("skillgraph-learner.graphql") && token.is_some() {
                    let progress = &body["data"]["roadmap"]["viewerProgress"];
                    assert!(progress["done"].as_u64() >= Some(1), "{body}");
                }
            }
        }
        let after = planned_answers(&planned).await;
        assert_eq!(
            after - before,
            answered,
            "every answer without errors came from the planned executor"
        );
        assert_eq!(
            planned_answers(&reference).await,
            0.0,
            "--executor reference plans nothing"
        );
    }
}
