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

#[tokio::test]
async fn nesting_past_the_parsers_own_limit_is_too_deep_not_bad_input() {
    for server in servers().await {
        for levels in [20, 50, 60, 200, 2_000] {
            let answer = server.post(&nested(levels), json!({})).await;
            refused(&answer, "QUERY_TOO_DEEP");
        }
        let inline = format!(
            "{{ {}__typename{} }}",
            "... on Query { ".repeat(300),
            " }".repeat(300)
        );
        let answer = server.post(&inline, json!({})).await;
        assert!(answer.status < 500, "{answer:?}");
        assert!(
            !answer.error_codes().contains(&"BAD_USER_INPUT".to_owned())
                || answer.error_codes().is_empty(),
            "{answer:?}"
        );
    }
}

#[tokio::test]
async fn a_read_that_never_yields_is_stopped_at_the_execution_timeout() {
    // The cost check is opened wide so that the query reaches execution.
    let server = Server::start(
        databases().await.remove(0),
        &[
            "--max-complexity",
            "1000000000000000",
            "--max-response-bytes",
            "1000000000",
            "--execution-timeout-ms",
            "200",
        ],
    );
    let started = std::time::Instant::now();
    let (status, text) = server
        .post_text(crate::hostile_queries::LEARNING_ORDER_BOMB)
        .await;
    let elapsed = started.elapsed();
    let body: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(status, 503, "{text:.300}");
    assert_eq!(body["errors"][0]["extensions"]["code"], "EXECUTION_TIMEOUT");
    assert!(body.get("data").is_none(), "{text:.300}");
    // Not a measure of speed: before, this query ran until memory ran out.
    assert!(elapsed < std::time::Duration::from_secs(60), "{elapsed:?}");
    let peak = server.peak_rss_mib();
    assert!(
        peak < crate::hostile_queries::PEAK_RSS_MIB,
        "peak RSS {peak} MiB"
    );

    // The same over graphql-transport-ws.
    let mut socket = crate::harness::Subscriber::connect(&server).await;
    socket
        .subscribe("1", crate::hostile_queries::LEARNING_ORDER_BOMB)
        .await;
    let message = socket.next_message().await;
    assert_eq!(message["type"], "error", "{message:.300}");
    assert_eq!(
        message["payload"][0]["extensions"]["code"],
        "EXECUTION_TIMEOUT"
    );
    assert_eq!(server.post("{ __typename }", json!({})).await.status, 200);
}

#[tokio::test]
async fn an_answer_past_the_response_cap_is_stopped_with_a_coded_error() {
    let server = Server::start(
        databases().await.remove(0),
        &[
            "--max-complexity",
            "1000000000000000",
            "--max-response-bytes",
            "1000000",
        ],
    );
    let (status, text) = server
        .post_text(crate::hostile_queries::LEARNING_ORDER_BOMB)
        .await;
    assert_eq!(status, 200, "{text:.300}");
    let body: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(
        body["errors"][0]["extensions"]["code"],
        "RESPONSE_TOO_LARGE"
    );
    assert_eq!(
        body["errors"].as_array().unwrap().len(),
        1,
        "one error, not one per list"
    );
    assert_eq!(body["data"], Value::Null, "no partial answer");
    let peak = server.peak_rss_mib();
    assert!(
        peak < crate::hostile_queries::PEAK_RSS_MIB,
        "peak RSS {peak} MiB"
    );

    // The same cap over both WebSocket protocols.
    let mut modern = crate::harness::Subscriber::connect(&server).await;
    modern
        .subscribe("1", crate::hostile_queries::LEARNING_ORDER_BOMB)
        .await;
    let message = modern.next_message().await;
    assert_eq!(message["type"], "error", "{message:.300}");
    assert_eq!(
        message["payload"][0]["extensions"]["code"],
        "RESPONSE_TOO_LARGE"
    );
    let mut legacy = crate::harness::Subscriber::connect_legacy(&server).await;
    let answer = legacy
        .run_legacy("1", crate::hostile_queries::LEARNING_ORDER_BOMB)
        .await;
    assert_eq!(
        answer["errors"][0]["extensions"]["code"], "RESPONSE_TOO_LARGE",
        "{answer:.300}"
    );
    assert_eq!(answer["errors"].as_array().map(Vec::len), Some(1));
    assert_eq!(answer["data"], Value::Null, "{answer:.300}");
    let peak = server.peak_rss_mib();
    assert!(
        peak < crate::hostile_queries::PEAK_RSS_MIB,
        "peak RSS {peak} MiB"
    );

    // Long texts count too: few fields, many bytes.
    let texts = Server::start(
        databases().await.remove(0),
        &["--max-response-bytes", "20000"],
    );
    let answer = texts
        .post(
            "{ skills(first: 100) { nodes { description } } }",
            json!({}),
        )
        .await;
    assert_eq!(answer.error_codes(), ["RESPONSE_TOO_LARGE"], "{answer:?}");
    let small = texts
        .post("{ skills(first: 3) { nodes { slug } } }", json!({}))
        .await;
    assert!(small.body.get("errors").is_none(), "{small:?}");
}

#[tokio::test]
async fn the_known_multiplying_query_is_refused_before_it_runs() {
    for server in servers().await {
        let answer = server
            .post(crate::hostile_queries::LEARNING_ORDER_BOMB, json!({}))
            .await;
        refused(&answer, "QUERY_TOO_COMPLEX");
        let message = answer.body["errors"][0]["message"].as_str().unwrap();
        assert!(message.contains("fields"), "{message}");
        // What a client rendering a roadmap asks for still runs.
        let nested = server
            .post(
                r#"{ roadmap(slug: "backend") { title sections { title items { recommendation
                     skill { slug name summary level prerequisites { skill { slug } strength }
                       resources { kind title url } guides { slug title } }
                     children { skill { slug name } } } } } }"#,
                json!({}),
            )
            .await;
        assert!(nested.body.get("errors").is_none(), "{nested:?}");
    }
}
