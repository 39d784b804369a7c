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

#[tokio::test]
async fn browsers_on_a_configured_origin_may_call_and_answers_are_compressed() {
    let database = crate::harness::databases().await.remove(0);
    let server =
        crate::harness::Server::start(database, &["--cors-origin", "https://app.example.org"]);
    let client = reqwest::Client::new();
    let url = format!("{}/graphql", server.base);
    let preflight = |origin: &'static str| {
        client
            .request(reqwest::Method::OPTIONS, &url)
            .header("origin", origin)
            .header("access-control-request-method", "POST")
            .header(
                "access-control-request-headers",
                "content-type, authorization",
            )
            .send()
    };
    let allowed = preflight("https://app.example.org").await.unwrap();
    assert_eq!(
        allowed.headers()["access-control-allow-origin"],
        "https://app.example.org"
    );
    let other = preflight("https://evil.example.org").await.unwrap();
    assert!(other.headers().get("access-control-allow-origin").is_none());

    let plain = crate::harness::Server::start(crate::harness::databases().await.remove(0), &[]);
    let refused = client
        .request(reqwest::Method::OPTIONS, format!("{}/graphql", plain.base))
        .header("origin", "https://app.example.org")
        .header("access-control-request-method", "POST")
        .send()
        .await
        .unwrap();
    assert!(
        refused
            .headers()
            .get("access-control-allow-origin")
            .is_none(),
        "CORS is off by default"
    );

    let body =
        json!({ "query": crate::read_api::NESTED_ROADMAP, "variables": { "slug": "backend" } });
    let compressed = client
        .post(&url)
        .header("accept-encoding", "gzip")
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(compressed.headers()["content-encoding"], "gzip");
    let packed = compressed.bytes().await.unwrap().len();
    let identity = client.post(&url).json(&body).send().await.unwrap();
    assert!(identity.headers().get("content-encoding").is_none());
    let unpacked = identity.bytes().await.unwrap().len();
    assert!(
        packed * 4 < unpacked,
        "gzip: {packed} bytes against {unpacked}"
    );
}

#[tokio::test]
async fn roadmaps_are_drawn_as_mermaid_dot_and_svg() {
    for server in servers().await {
        let answer = server
            .post(
                r#"{ roadmap(slug: "devops") { skillCount mermaid: diagram(format: MERMAID) dot: diagram(format: DOT) svg: diagram learningOrder { name } } }"#,
                json!({}),
            )
            .await;
        let roadmap = &answer.body["data"]["roadmap"];
        let mermaid = roadmap["mermaid"].as_str().unwrap();
        assert!(mermaid.starts_with("flowchart"), "{mermaid}");
        assert!(roadmap["dot"].as_str().unwrap().starts_with("digraph"));
        let svg = roadmap["svg"].as_str().unwrap();
        for skill in roadmap["learningOrder"].as_array().unwrap() {
            let name = skill["name"].as_str().unwrap().replace('&', "&amp;");
            assert!(svg.contains(&name), "{name} is drawn");
        }
        let file = server
            .get("/roadmaps/devops.svg", "image/svg+xml", &[])
            .await;
        assert_eq!(file.status, 200);
        assert_eq!(file.content_type(), "image/svg+xml");
        assert_eq!(
            server.get("/roadmaps/devops.mmd", "*/*", &[]).await.body,
            json!(mermaid)
        );
        assert_eq!(
            server.get("/roadmaps/nope.svg", "*/*", &[]).await.status,
            404
        );
        assert_eq!(
            server.get("/roadmaps/devops.png", "*/*", &[]).await.status,
            404
        );
    }
}

#[tokio::test]
async fn anonymous_get_queries_are_cacheable_until_the_catalog_changes() {
    for server in servers().await {
        let client = reqwest::Client::new();
        let url = format!("{}/graphql", server.base);
        let get = |etag: Option<String>, token: Option<String>| {
            let mut request = client
                .get(&url)
                .header("accept", "application/graphql-response+json")
                .query(&[("query", r#"{ skill(slug: "git") { name } }"#)]);
            if let Some(etag) = etag {
                request = request.header("if-none-match", etag);
            }
            if let Some(token) = token {
                request = request.bearer_auth(token);
            }
            request.send()
        };
        let first = get(None, None).await.unwrap();
        assert_eq!(first.status(), 200);
        assert_eq!(first.headers()["cache-control"], "public, max-age=60");
        let etag = first.headers()["etag"].to_str().unwrap().to_owned();
        let again = get(Some(etag.clone()), None).await.unwrap();
        assert_eq!(again.status(), 304, "the client holds the current answer");
        assert_eq!(again.headers()["etag"], etag.as_str());

        let other = client
            .get(&url)
            .query(&[("query", r#"{ skill(slug: "docker") { name } }"#)])
            .send()
            .await
            .unwrap();
        assert_ne!(
            other.headers()["etag"],
            etag.as_str(),
            "another request, another tag"
        );
        let editor = server.token("editor");
        let personal = get(Some(etag.clone()), Some(editor.clone())).await.unwrap();
        assert_eq!(personal.status(), 200);
        assert_eq!(personal.headers()["cache-control"], "private, no-store");
        assert!(personal.headers().get("etag").is_none());

        // A write bumps the version: the old tag no longer matches.
        let written = server
            .post_as(&editor, r#"mutation { updateSkill(input: { skill: "git", name: "Git SCM" }) { catalogVersion } }"#, json!({}))
            .await;
        assert!(written.body.get("errors").is_none(), "{written:?}");
        let changed = get(Some(etag.clone()), None).await.unwrap();
        assert_eq!(changed.status(), 200);
        assert_ne!(changed.headers()["etag"], etag.as_str());
        let body: serde_json::Value = changed.json().await.unwrap();
        assert_eq!(body["data"]["skill"]["name"], "Git SCM");

        let failing = client
            .get(&url)
            .query(&[("query", "{ skill(slug: \"git\") { nope } }")])
            .send()
            .await
            .unwrap();
        assert!(
            failing.headers().get("etag").is_none(),
            "errors are not cached"
        );
    }
}

#[tokio::test]
async fn every_answer_has_a_request_id_and_metrics_count_operations_and_error_codes() {
    use std::io::BufRead;
    let database = crate::harness::databases().await.remove(0);
    let mut child = std::process::Command::new(crate::harness::binary())
        .args([
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--database-url",
            database.url(),
            "--log-format",
            "json",
        ])
        .env("SKILLGRAPH_LOG", "info")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = std::io::BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    stdout.read_line(&mut line).unwrap();
    let base = line
        .trim()
        .strip_prefix("skillgraph listening on ")
        .unwrap()
        .to_owned();
    let client = reqwest::Client::new();
    let traced = client
        .post(format!("{base}/graphql"))
        .header("x-request-id", "trace-me-123")
        .json(&json!({ "query": "query Title { roadmap(slug: \"backend\") { title } }", "operationName": "Title" }))
        .send()
        .await
        .unwrap();
    assert_eq!(traced.headers()["x-request-id"], "trace-me-123");
    let fresh = client.get(format!("{base}/healthz")).send().await.unwrap();
    let id = fresh.headers()["x-request-id"].to_str().unwrap().to_owned();
    assert_eq!(id.len(), 16, "{id}");
    let hostile = client
        .get(format!("{base}/healthz"))
        .header("x-request-id", "not ok; DROP TABLE")
        .send()
        .await
        .unwrap();
    assert_ne!(hostile.headers()["x-request-id"], "not ok; DROP TABLE");
    let bad = client
        .post(format!("{base}/graphql"))
        .json(&json!({ "query": "{ nope }" }))
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 200);
    const SECRET: &str =
        "sg_editor_0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
    let forged = client
        .post(format!("{base}/graphql"))
        .bearer_auth(SECRET)
        .json(&json!({ "query": "mutation { deleteSkill(input: { skill: \"git\" }) { catalogVersion } }" }))
        .send()
        .await
        .unwrap();
    assert_eq!(
        forged.status(),
        401,
        "a token that does not verify writes nothing"
    );
    let ready = client.get(format!("{base}/readyz")).send().await.unwrap();
    assert_eq!(ready.status(), 200);
    let metrics = client
        .get(format!("{base}/metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    for expected in [
        r#"skillgraph_graphql_requests_total{operation="Title",outcome="ok"} 1"#,
        r#"skillgraph_graphql_errors_total{code="BAD_USER_INPUT"} 1"#,
        "skillgraph_graphql_request_seconds",
        r#"skillgraph_db_pool_connections{state="open"}"#,
        "skillgraph_catalog_version",
    ] {
        assert!(metrics.contains(expected), "{expected} in\n{metrics}");
    }
    let _ = std::process::Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status();
    let output = child.wait_with_output().unwrap();
    assert!(output.status.success());
    let logs = String::from_utf8_lossy(&output.stderr);
    assert!(!logs.contains(SECRET), "a token never reaches the logs");
    let traced_lines: Vec<serde_json::Value> = logs
        .lines()
        .filter_map(|l| serde_json::from_str(l).ok())
        .filter(|l: &serde_json::Value| l["span"]["request_id"] == "trace-me-123")
        .collect();
    assert!(
        traced_lines
            .iter()
            .any(|l| l["fields"]["message"] == "answered" && l["fields"]["status"] == 200),
        "a JSON line per request, with its id:\n{logs}"
    );
}

#[tokio::test]
async fn each_verified_token_and_each_address_has_its_own_rate_limit() {
    let database = crate::harness::databases().await.remove(0);
    let server =
        crate::harness::Server::start(database, &["--rate-limit", "1", "--rate-burst", "3"]);
    let token = server.token("editor");
    let query = "{ catalog { version } }";
    // The token's first request is charged to the address, which verifies it.
    assert_eq!(server.post_as(&token, query, json!({})).await.status, 200);
    let mut statuses = Vec::new();
    for _ in 0..3 {
        statuses.push(server.post(query, json!({})).await.status);
    }
    assert_eq!(statuses.last(), Some(&429), "{statuses:?}");
    let limited = server.post(query, json!({})).await;
    assert_eq!(limited.status, 429, "{limited:?}");
    assert_eq!(limited.error_codes(), ["RATE_LIMITED"]);
    assert_eq!(limited.content_type(), "application/graphql-response+json");
    let wait: u64 = limited.headers["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(wait >= 1, "{wait}");
    assert_eq!(
        server.post_as(&token, query, json!({})).await.status,
        200,
        "a verified token has its own bucket"
    );
    assert_eq!(
        server.get("/healthz", "text/plain", &[]).await.status,
        200,
        "only /graphql is limited"
    );
}

/// Tokens nobody issued, of every shape skillgraph knows.
fn made_up_tokens(count: usize) -> Vec<String> {
    use rand::{Rng, SeedableRng};
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(13);
    let mut hex = move || -> String {
        (0..24)
            .map(|_| format!("{:02x}", rng.random::<u8>()))
            .collect()
    };
    (0..count)
        .map(|n| match n % 4 {
            0 => format!("sg_editor_{}", hex()),
            1 => format!("sg_learner_{}", hex()),
            2 => format!("eyJ{}.eyJ{}.{}", hex(), hex(), hex()),
            _ => hex(),
        })
        .collect()
}

#[tokio::test]
async fn made_up_tokens_draw_from_their_address_budget() {
    for server in crate::harness::databases()
        .await
        .into_iter()
        .map(|db| crate::harness::Server::start(db, &["--rate-limit", "1", "--rate-burst", "5"]))
    {
        let started = std::time::Instant::now();
        let mut served = 0u64;
        let mut limited = 0;
        for token in made_up_tokens(40) {
            let answer = server
                .post_as(&token, "{ catalog { version } }", json!({}))
                .await;
            match answer.status {
                200 => served += 1,
                429 => {
                    assert_eq!(answer.error_codes(), ["RATE_LIMITED"]);
                    limited += 1;
                }
                other => panic!("{other}: {answer:?}"),
            }
        }
        // The address's burst, plus one a second at most.
        let allowed = 5 + started.elapsed().as_secs() + 1;
        assert!(
            served <= allowed,
            "{served} reads with made-up tokens served, {limited} limited"
        );
        assert!(limited > 0);
        assert_eq!(
            server
                .post("{ catalog { version } }", json!({}))
                .await
                .status,
            429,
            "the address's own requests share the spent budget"
        );
    }
}

#[tokio::test]
async fn failed_auth_writes_are_refused_before_they_run_and_then_rate_limited() {
    const CREATE: &str = r#"mutation { createSkill(input: { slug: "forged", name: "Forged", summary: "Never written.", level: BEGINNER }) { skill { slug } } }"#;
    for server in crate::harness::databases()
        .await
        .into_iter()
        .map(|db| crate::harness::Server::start(db, &["--rate-limit", "1", "--rate-burst", "5"]))
    {
        let store = skillgraph_store::Store::open(server.database_url().unwrap())
            .await
            .unwrap();
        let before = store.version().await.unwrap();
        let started = std::time::Instant::now();
        let mut refused = 0u64;
        let mut limited = 0;
        for token in made_up_tokens(40) {
            let answer = server.post_as(&token, CREATE, json!({})).await;
            match answer.status {
                401 => {
                    assert_eq!(answer.error_codes(), ["UNAUTHENTICATED"], "{answer:?}");
                    assert!(answer.body.get("data").is_none(), "nothing ran: {answer:?}");
                    assert_eq!(
                        answer.headers["www-authenticate"],
                        r#"Bearer error="invalid_token""#
                    );
                    refused += 1;
                }
                429 => {
                    assert_eq!(answer.error_codes(), ["RATE_LIMITED"]);
                    limited += 1;
                }
                other => panic!("{other}: {answer:?}"),
            }
        }
        let allowed = 5 + started.elapsed().as_secs() + 1;
        assert!(
            refused >= 1 && refused <= allowed,
            "{refused} refused, {limited} limited"
        );
        assert!(limited > 0);
        assert_eq!(
            store.version().await.unwrap(),
            before,
            "nothing was written"
        );
        store.close().await.unwrap();
    }
}

#[tokio::test]
async fn refusals_before_graphql_runs_have_coded_bodies() {
    let server = crate::harness::Server::start(
        crate::harness::databases().await.remove(0),
        &["--max-body-bytes", "4096"],
    );
    let client = reqwest::Client::new();
    let url = format!("{}/graphql", server.base);
    let coded = async |request: reqwest::RequestBuilder| {
        let response = request.send().await.unwrap();
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let body: serde_json::Value = response.json().await.expect("a JSON body");
        let code = body["errors"][0]["extensions"]["code"]
            .as_str()
            .unwrap_or("<none>")
            .to_owned();
        (status, headers, code)
    };
    const MODERN: &str = "application/graphql-response+json";

    let big = json!({ "query": "{ __typename }", "variables": { "pad": "x".repeat(8192) } });
    let (status, headers, code) =
        coded(client.post(&url).header("accept", MODERN).json(&big)).await;
    assert_eq!((status, code.as_str()), (413, "REQUEST_TOO_LARGE"));
    assert_eq!(headers["content-type"], MODERN);

    let (status, headers, code) = coded(
        client
            .post(&url)
            .header("accept", "image/png")
            .json(&json!({ "query": "{ __typename }" })),
    )
    .await;
    assert_eq!((status, code.as_str()), (406, "NOT_ACCEPTABLE"));
    assert_eq!(headers["content-type"], "application/json");
    let (status, _, code) = coded(
        client
            .get(&url)
            .header("accept", "image/png")
            .query(&[("query", "{ __typename }")]),
    )
    .await;
    assert_eq!((status, code.as_str()), (406, "NOT_ACCEPTABLE"));

    let (status, headers, code) = coded(
        client
            .post(&url)
            .header("accept", "application/json")
            .header("content-type", "text/plain")
            .body("{ __typename }"),
    )
    .await;
    assert_eq!((status, code.as_str()), (415, "UNSUPPORTED_MEDIA_TYPE"));
    assert_eq!(headers["content-type"], "application/json");

    let (status, headers, code) = coded(
        client
            .get(&url)
            .header("accept", MODERN)
            .query(&[("query", "mutation { __typename }")]),
    )
    .await;
    assert_eq!((status, code.as_str()), (405, "METHOD_NOT_ALLOWED"));
    assert_eq!(headers["allow"], "POST");
    assert_eq!(headers["content-type"], MODERN);
    let (status, headers, code) = coded(
        client
            .put(&url)
            .header("accept", "application/json")
            .json(&json!({ "query": "{ __typename }" })),
    )
    .await;
    assert_eq!((status, code.as_str()), (405, "METHOD_NOT_ALLOWED"));
    assert_eq!(headers["allow"], "GET, POST");
}
