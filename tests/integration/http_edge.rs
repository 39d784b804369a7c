//! The HTTP edge: GET and POST, content negotiation, status codes, GraphiQL, health.

use serde_json::json;

use crate::harness::servers;

#[tokio::test]
async fn get_serves_queries_and_refuses_mutations() {
    for server in servers().await {
        let answer = server
            .get(
                "/graphql",
                "application/graphql-response+json",
                &[
                    (
                        "query",
                        "query Title($slug: String!) { roadmap(slug: $slug) { title } }",
                    ),
                    ("variables", r#"{"slug":"backend"}"#),
                    ("operationName", "Title"),
                ],
            )
            .await;
        assert_eq!(answer.status, 200, "{answer:?}");
        assert_eq!(answer.content_type(), "application/graphql-response+json");
        assert_eq!(answer.body["data"]["roadmap"]["title"], "Backend Developer");

        let mutation = server
            .get(
                "/graphql",
                "application/json",
                &[("query", "mutation { __typename }")],
            )
            .await;
        assert_eq!(mutation.status, 405, "{mutation:?}");
        assert_eq!(
            mutation.headers.get("allow").map(|v| v.to_str().unwrap()),
            Some("POST")
        );

        let bad_variables = server
            .get(
                "/graphql",
                "application/json",
                &[("query", "{ __typename }"), ("variables", "{nope")],
            )
            .await;
        assert_eq!(bad_variables.status, 400, "{bad_variables:?}");
        assert_eq!(bad_variables.error_codes(), ["BAD_USER_INPUT"]);
    }
}

#[tokio::test]
async fn the_response_media_type_follows_accept() {
    for server in servers().await {
        let legacy = server
            .post_with("{ __typename }", json!({}), "application/json")
            .await;
        assert_eq!(legacy.status, 200);
        assert_eq!(legacy.content_type(), "application/json");
        assert_eq!(legacy.body["data"]["__typename"], "Query");

        // A request error under application/json is still 200, but has no data entry.
        let invalid = server
            .post_with("{ nope }", json!({}), "application/json")
            .await;
        assert_eq!(invalid.status, 200, "{invalid:?}");
        assert!(invalid.body.get("data").is_none());
        assert_eq!(invalid.error_codes(), ["BAD_USER_INPUT"]);

        let modern = server
            .post_with("{ nope }", json!({}), "application/graphql-response+json")
            .await;
        assert_eq!(modern.status, 400);
        assert_eq!(modern.content_type(), "application/graphql-response+json");

        let unacceptable = server
            .post_with("{ __typename }", json!({}), "image/png")
            .await;
        assert_eq!(unacceptable.status, 406);
    }
}

#[tokio::test]
async fn post_needs_a_json_body() {
    for server in servers().await {
        let client = reqwest::Client::new();
        let url = format!("{}/graphql", server.base);
        let wrong_type = client
            .post(&url)
            .header("content-type", "text/plain")
            .body("{ __typename }")
            .send()
            .await
            .unwrap();
        assert_eq!(wrong_type.status(), 415);
        let not_json = client
            .post(&url)
            .header("content-type", "application/json")
            .header("accept", "application/graphql-response+json")
            .body("{ __typename }")
            .send()
            .await
            .unwrap();
        assert_eq!(not_json.status(), 400);
        let no_query = client
            .post(&url)
            .header("content-type", "application/json")
            .body(r#"{"variables": {}}"#)
            .send()
            .await
            .unwrap();
        assert_eq!(no_query.status(), 400);
        let body: serde_json::Value = no_query.json().await.unwrap();
        assert_eq!(body["errors"][0]["extensions"]["code"], "BAD_USER_INPUT");
    }
}

#[tokio::test]
async fn graphiql_and_health_are_served() {
    for server in servers().await {
        for path in ["/", "/graphql"] {
            let page = server
                .get(path, "text/html,application/xhtml+xml", &[])
                .await;
            assert_eq!(page.status, 200, "{path}");
            assert!(page.content_type().starts_with("text/html"), "{path}");
            let html = page.body.as_str().expect("html text");
            assert!(
                html.contains("graphiql") && html.contains("/graphql"),
                "{path}"
            );
        }
        let health = server.get("/healthz", "*/*", &[]).await;
        assert_eq!(health.status, 200);
        assert_eq!(health.body, json!("ok"));
    }
}
