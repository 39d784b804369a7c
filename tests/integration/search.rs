//! Ranked search through the real server.

use serde_json::{Value, json};

use crate::harness::{Server, servers};

const SEARCH: &str = r#"query ($q: String!, $kinds: [SearchKind!], $first: Int, $after: String) {
  search(query: $q, kinds: $kinds, first: $first, after: $after) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { cursor node {
      __typename score matchedField
      ... on SkillHit { skill { slug name } }
      ... on GuideHit { guide { slug title } }
      ... on ResourceHit { resource { title url } }
    } }
  }
}"#;

async fn search(server: &Server, variables: Value) -> Value {
    let answer = server.post(SEARCH, variables).await;
    assert!(answer.body.get("errors").is_none(), "{answer:?}");
    answer.body["data"]["search"].clone()
}

fn first_skill(result: &Value) -> (String, String) {
    let node = &result["edges"][0]["node"];
    assert_eq!(node["__typename"], "SkillHit", "{result}");
    (
        node["skill"]["slug"].as_str().unwrap().to_owned(),
        node["matchedField"].as_str().unwrap().to_owned(),
    )
}

#[tokio::test]
async fn search_tolerates_typos_completes_prefixes_and_ranks_exact_names_first() {
    for server in servers().await {
        for (query, expected) in [
            ("postgre", "postgresql"),
            ("kubernets", "kubernetes"),
            ("graphql", "graphql"),
            ("GraphQL", "graphql"),
            ("git", "git"),
            ("mongo", "mongodb"),
            ("event driven", "event-driven-architecture"),
        ] {
            let result = search(&server, json!({ "q": query })).await;
            assert_eq!(first_skill(&result).0, expected, "{query}: {result}");
        }
        let (_, field) = first_skill(&search(&server, json!({ "q": "graphql" })).await);
        assert_eq!(field, "NAME");
        let alias = search(&server, json!({ "q": "k8s", "kinds": ["SKILL"] })).await;
        assert_eq!(
            first_skill(&alias),
            ("kubernetes".to_owned(), "ALIAS".to_owned()),
            "{alias}"
        );

        // Scores never increase down the list.
        let result = search(&server, json!({ "q": "testing", "first": 50 })).await;
        let scores: Vec<f64> = result["edges"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["node"]["score"].as_f64().unwrap())
            .collect();
        assert!(scores.windows(2).all(|w| w[0] >= w[1]), "{scores:?}");
    }
}

#[tokio::test]
async fn search_filters_kinds_pages_and_finds_guides_and_resources() {
    for server in servers().await {
        let guides = search(
            &server,
            json!({ "q": "backend developer skills", "kinds": ["GUIDE"] }),
        )
        .await;
        let edges = guides["edges"].as_array().unwrap();
        assert!(!edges.is_empty());
        assert!(edges.iter().all(|e| e["node"]["__typename"] == "GuideHit"));
        assert_eq!(
            edges[0]["node"]["guide"]["slug"],
            "backend-developer-skills"
        );
        assert_eq!(edges[0]["node"]["matchedField"], "TITLE");

        let resources = search(
            &server,
            json!({ "q": "documentation", "kinds": ["RESOURCE"], "first": 3 }),
        )
        .await;
        assert!(
            resources["edges"]
                .as_array()
                .unwrap()
                .iter()
                .all(|e| e["node"]["__typename"] == "ResourceHit")
        );

        // Paging walks the same ranking without repeats.
        let all = search(&server, json!({ "q": "data", "first": 100 })).await;
        let total = all["totalCount"].as_u64().unwrap() as usize;
        assert!(total > 4, "{all}");
        let key = |e: &Value| e["node"].to_string();
        let expected: Vec<String> = all["edges"].as_array().unwrap().iter().map(key).collect();
        let mut seen = Vec::new();
        let mut after = Value::Null;
        loop {
            let page = search(&server, json!({ "q": "data", "first": 3, "after": after })).await;
            seen.extend(page["edges"].as_array().unwrap().iter().map(key));
            if page["pageInfo"]["hasNextPage"] != json!(true) {
                break;
            }
            after = page["pageInfo"]["endCursor"].clone();
        }
        assert_eq!(seen.len(), total.min(100));
        assert_eq!(seen, expected);
    }
}

#[tokio::test]
async fn odd_or_oversized_queries_are_safe() {
    for server in servers().await {
        for query in [
            "",
            "   ",
            "\"(:+-*",
            "c++ \"unterminated",
            "AND OR NOT",
            "ü ß 日本",
        ] {
            let result = search(&server, json!({ "q": query })).await;
            assert!(result["totalCount"].is_u64(), "{query}: {result}");
        }
        let empty = search(&server, json!({ "q": "" })).await;
        assert_eq!(empty["totalCount"], 0);

        let long = "a".repeat(201);
        let answer = server.post(SEARCH, json!({ "q": long })).await;
        assert_eq!(answer.error_codes(), ["BAD_USER_INPUT"], "{answer:?}");
        let answer = server
            .post(SEARCH, json!({ "q": "git", "first": 500 }))
            .await;
        assert_eq!(answer.error_codes(), ["BAD_USER_INPUT"], "{answer:?}");
    }
}

/// The titles or slugs of every hit for `query`.
async fn found(server: &Server, query: &str) -> Vec<String> {
    let result = search(server, json!({ "q": query, "first": 100 })).await;
    result["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            let node = &e["node"];
            node["skill"]["slug"]
                .as_str()
                .or(node["resource"]["title"].as_str())
                .or(node["guide"]["slug"].as_str())
                .unwrap_or_default()
                .to_owned()
        })
        .collect()
}

#[tokio::test]
async fn search_follows_every_write_without_a_rebuild_answering_differently() {
    for server in servers().await {
        let token = server.token("editor");
        let write = |query: &'static str, variables: Value| {
            let (server, token) = (&server, &token);
            async move {
                let answer = server.post_as(token, query, variables).await;
                assert!(answer.body.get("errors").is_none(), "{answer:?}");
            }
        };
        write(
            r#"mutation($i: CreateSkillInput!) { createSkill(input: $i) { catalogVersion } }"#,
            json!({ "i": { "slug": "zephyrology", "name": "Zephyrology", "summary": "The study of gentle winds.", "level": "BEGINNER" } }),
        )
        .await;
        assert_eq!(found(&server, "zephyrology").await, ["zephyrology"]);
        write(
            r#"mutation($i: CreateResourceInput!) { createResource(input: $i) { catalogVersion } }"#,
            json!({ "i": { "skill": "zephyrology", "kind": "ARTICLE", "title": "Quixotic breezes explained", "url": "https://example.org/breezes" } }),
        )
        .await;
        assert_eq!(
            found(&server, "quixotic").await,
            ["Quixotic breezes explained"]
        );
        write(
            r#"mutation($i: UpdateSkillInput!) { updateSkill(input: $i) { catalogVersion } }"#,
            json!({ "i": { "skill": "zephyrology", "name": "Anemology" } }),
        )
        .await;
        assert!(
            found(&server, "zephyrology")
                .await
                .iter()
                .all(|s| s == "zephyrology")
        );
        assert_eq!(found(&server, "anemology").await, ["zephyrology"]);
        write(
            r#"mutation($i: DeleteSkillInput!) { deleteSkill(input: $i) { catalogVersion } }"#,
            json!({ "i": { "skill": "zephyrology" } }),
        )
        .await;
        assert!(found(&server, "anemology").await.is_empty());
        assert!(
            found(&server, "quixotic").await.is_empty(),
            "its resource went with it"
        );
    }
}
