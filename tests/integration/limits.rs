//! What one request may ask for, and the known attacks on a public GraphQL
//! endpoint: each is refused with a coded error before anything runs, and
//! nothing hostile gets a 5xx.

use serde_json::{Value, json};

use crate::harness::{Answer, Server, databases, servers};

fn refused(answer: &Answer, code: &str) {
    assert_eq!(answer.error_codes(), [code], "{answer:?}");
    assert_eq!(answer.status, 400, "a request error: {answer:?}");
    assert!(answer.body.get("data").is_none(), "{answer:?}");
}

/// `depth` levels of prerequisites of prerequisites.
fn nested(depth: usize) -> String {
    let mut inner = String::from("slug");
    for _ in 0..depth {
        inner = format!("slug prerequisites {{ skill {{ {inner} }} }}");
    }
    format!("{{ skill(slug: \"microservices\") {{ {inner} }} }}")
}

#[tokio::test]
async fn depth_complexity_aliases_and_fragment_bombs_are_refused_before_running() {
    for server in servers().await {
        assert!(
            server
                .post(&nested(3), json!({}))
                .await
                .body
                .get("errors")
                .is_none()
        );
        refused(&server.post(&nested(20), json!({})).await, "QUERY_TOO_DEEP");

        let aliases: Vec<String> = (0..70).map(|n| format!("a{n}: version")).collect();
        let many = format!("{{ catalog {{ {} }} }}", aliases.join(" "));
        refused(&server.post(&many, json!({})).await, "QUERY_TOO_LARGE");
        let roots: Vec<String> = (0..40)
            .map(|n| format!("r{n}: catalog {{ version }}"))
            .collect();
        refused(
            &server
                .post(&format!("{{ {} }}", roots.join(" ")), json!({}))
                .await,
            "QUERY_TOO_LARGE",
        );

        let mut bomb = String::from("query { ...F0 }\n");
        for n in 0..30 {
            bomb.push_str(&format!(
                "fragment F{n} on Query {{ ...F{} ...F{} }}\n",
                n + 1,
                n + 1
            ));
        }
        bomb.push_str("fragment F30 on Query { __typename }\n");
        refused(&server.post(&bomb, json!({})).await, "QUERY_TOO_LARGE");

        let page = server
            .post("{ skills(first: 101) { totalCount } }", json!({}))
            .await;
        assert_eq!(page.error_codes(), ["BAD_USER_INPUT"], "{page:?}");
    }
}

#[tokio::test]
async fn a_connection_costs_its_page_size_times_its_children() {
    let server = Server::start(databases().await.remove(0), &["--max-complexity", "500"]);
    const FIELDS: &str = "nodes { slug name summary level tags aliases }";
    let small = server
        .post(&format!("{{ skills(first: 5) {{ {FIELDS} }} }}"), json!({}))
        .await;
    assert!(small.body.get("errors").is_none(), "{small:?}");
    let large = server
        .post(
            &format!("{{ skills(first: 100) {{ {FIELDS} }} }}"),
            json!({}),
        )
        .await;
    refused(&large, "QUERY_TOO_COMPLEX");
    let default_page = server
        .post(&format!("{{ skills {{ {FIELDS} }} }}"), json!({}))
        .await;
    assert!(
        default_page.body.get("errors").is_none(),
        "20 by default: {default_page:?}"
    );
}

#[tokio::test]
async fn introspection_suggestions_timeouts_and_body_size_are_the_operators_choice() {
    let closed = Server::start(
        databases().await.remove(0),
        &[
            "--no-introspection",
            "--no-suggestions",
            "--execution-timeout-ms",
            "1",
            "--max-body-bytes",
            "4096",
            "--max-page-size",
            "10",
        ],
    );
    let page = closed
        .post("{ skills(first: 11) { totalCount } }", json!({}))
        .await;
    assert_eq!(page.error_codes(), ["BAD_USER_INPUT"], "{page:?}");
    let fits = closed
        .post("{ skills(first: 10) { totalCount } }", json!({}))
        .await;
    assert!(fits.body.get("errors").is_none(), "{fits:?}");
    let schema = closed
        .post("{ __schema { types { name } } }", json!({}))
        .await;
    assert_eq!(
        schema.body["data"]["__schema"],
        Value::Null,
        "introspection is off: {schema:?}"
    );
    let typo = closed
        .post("{ skil(slug: \"git\") { name } }", json!({}))
        .await;
    let message = typo.body["errors"][0]["message"].as_str().unwrap();
    assert!(!message.contains("Did you mean"), "{message}");
    let slow = closed
        .post(r#"{ roadmap(slug: "backend") { diagram } }"#, json!({}))
        .await;
    assert_eq!(slow.status, 503, "{slow:?}");
    assert_eq!(slow.error_codes(), ["EXECUTION_TIMEOUT"]);
    let big = closed
        .post_raw(
            "application/json",
            format!(
                r#"{{"query":"{{ catalog {{ version }} }}","variables":{{"pad":"{}"}}}}"#,
                "x".repeat(8192)
            )
            .into_bytes(),
        )
        .await;
    assert_eq!(big.status, 413, "{big:?}");

    let open = Server::start(databases().await.remove(0), &[]);
    let typo = open
        .post("{ skil(slug: \"git\") { name } }", json!({}))
        .await;
    assert!(
        typo.body["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("Did you mean")
    );
    assert!(
        open.post("{ __schema { queryType { name } } }", json!({}))
            .await
            .body
            .get("errors")
            .is_none()
    );
}

#[tokio::test]
async fn hostile_bodies_get_clear_4xx_answers_never_a_5xx() {
    for server in servers().await {
        let batch = server
            .post_raw(
                "application/json",
                br#"[{"query":"{ __typename }"}]"#.to_vec(),
            )
            .await;
        assert_eq!(batch.status, 400, "batched requests are off: {batch:?}");
        let invalid_utf8 = server
            .post_raw("application/json", b"{\"query\":\"{ \xff\xfe }\"}".to_vec())
            .await;
        assert_eq!(invalid_utf8.status, 400, "{invalid_utf8:?}");
        for content_type in [
            "text/plain",
            "application/x-www-form-urlencoded",
            "application/graphql",
            "multipart/form-data",
        ] {
            let wrong = server
                .post_raw(content_type, br#"{"query":"{ __typename }"}"#.to_vec())
                .await;
            assert_eq!(wrong.status, 415, "{content_type}: {wrong:?}");
        }
        // Huge variables within the body limit: read, coerced, refused cleanly.
        let huge: Vec<String> = (0..20_000).map(|n| format!("skill-{n}")).collect();
        let answer = server
            .post(
                "query ($t: [String!]!) { learningPath(targets: $t) { length } }",
                json!({ "t": huge }),
            )
            .await;
        assert!(answer.status < 500, "{}", answer.status);
        assert!(!answer.error_codes().is_empty());
        let deep_json = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
        let nested_variables = server
            .post_raw(
                "application/json",
                format!(r#"{{"query":"{{ __typename }}","variables":{{"v":{deep_json}}}}}"#)
                    .into_bytes(),
            )
            .await;
        assert!(nested_variables.status < 500, "{nested_variables:?}");
        let garbage: Vec<u8> = (0..4096u32)
            .map(|n| (n.wrapping_mul(2_654_435_761) >> 24) as u8)
            .collect();
        let noise = server.post_raw("application/json", garbage).await;
        assert_eq!(noise.status, 400);
        let empty = server.post_raw("application/json", Vec::new()).await;
        assert_eq!(empty.status, 400);
        assert_eq!(
            server.post("{ __typename }", Value::Null).await.status,
            200,
            "still serving"
        );
    }
}
