//! Content an editor writes is bounded and published safely: oversized
//! URLs, URLs with credentials, thousands of tags or aliases and over-long
//! names are refused with BAD_USER_INPUT naming the field, and write
//! nothing; names that a spreadsheet would run as formulas are quoted in
//! the CSV checklist.

use serde_json::{Value, json};

use crate::harness::{Answer, Server, servers};

const CREATE_SKILL: &str = r#"mutation ($input: CreateSkillInput!) {
  createSkill(input: $input) { skill { slug } }
}"#;
const UPDATE_SKILL: &str = r#"mutation ($input: UpdateSkillInput!) {
  updateSkill(input: $input) { skill { slug } }
}"#;
const CREATE_RESOURCE: &str = r#"mutation ($input: CreateResourceInput!) {
  createResource(input: $input) { resource { url } }
}"#;

/// A new skill's input with `extra` fields set over the defaults.
fn new_skill(extra: Value) -> Value {
    let mut input = json!({
        "slug": "oversized", "name": "Oversized", "summary": "A skill that should not exist.",
        "level": "BEGINNER"
    });
    for (key, value) in extra.as_object().unwrap() {
        input[key] = value.clone();
    }
    json!({ "input": input })
}

/// What the catalog says about `git` and `oversized`, and its version:
/// anything a refused write could have changed.
async fn state(server: &Server) -> Value {
    let answer = server
        .post(
            r#"{ catalog { version }
                 git: skill(slug: "git") { name aliases tags resources { url } }
                 oversized: skill(slug: "oversized") { slug } }"#,
            json!({}),
        )
        .await;
    assert!(answer.body.get("errors").is_none(), "{answer:?}");
    answer.body["data"].clone()
}

/// Asserts one BAD_USER_INPUT error whose `extensions.field` is `field`;
/// the message must be short (the input is not repeated).
fn assert_refused(answer: &Answer, field: &str, case: &str) {
    assert_eq!(
        answer.error_codes(),
        ["BAD_USER_INPUT"],
        "{case}: {answer:?}"
    );
    let error = &answer.body["errors"][0];
    assert_eq!(error["extensions"]["field"], field, "{case}: {answer:?}");
    let message = error["message"].as_str().unwrap();
    assert!(message.len() < 300, "{case}: {message}");
}

#[tokio::test]
async fn oversized_content_and_credentials_in_urls_are_refused_naming_the_field() {
    // 1 MB (10^6 bytes), so the request stays under the 1 MiB body limit.
    let huge_url = format!("https://example.com/{}", "a".repeat(1_000_000 - 20));
    let many =
        |prefix: &str| -> Vec<String> { (0..10_000).map(|n| format!("{prefix}{n}")).collect() };
    let cases = [
        (
            "a 1 MB URL",
            CREATE_RESOURCE,
            json!({ "input": { "skill": "git", "kind": "ARTICLE", "title": "Huge", "url": huge_url } }),
            "input.url",
        ),
        (
            "a URL with user:pass@",
            CREATE_RESOURCE,
            json!({ "input": { "skill": "git", "kind": "ARTICLE", "title": "Secret",
                               "url": "https://user:pass@example.com/guide" } }),
            "input.url",
        ),
        (
            "10,000 tags",
            CREATE_SKILL,
            new_skill(json!({ "tags": many("tag-") })),
            "input.tags",
        ),
        (
            "10,000 aliases",
            CREATE_SKILL,
            new_skill(json!({ "aliases": many("alias ") })),
            "input.aliases",
        ),
        (
            "10,000 aliases on an update",
            UPDATE_SKILL,
            json!({ "input": { "skill": "git", "aliases": many("alias ") } }),
            "input.aliases",
        ),
        (
            "10,000 tags on an update",
            UPDATE_SKILL,
            json!({ "input": { "skill": "git", "tags": many("tag-") } }),
            "input.tags",
        ),
        (
            "an over-long name",
            CREATE_SKILL,
            new_skill(json!({ "name": "N".repeat(10_000) })),
            "input.name",
        ),
        (
            "an over-long summary",
            CREATE_SKILL,
            new_skill(json!({ "summary": "S".repeat(10_000) })),
            "input.summary",
        ),
    ];
    for server in servers().await {
        let editor = server.token("editor");
        let before = state(&server).await;
        for (case, mutation, variables, field) in &cases {
            let answer = server.post_as(&editor, mutation, variables.clone()).await;
            assert_refused(&answer, field, case);
            if *case == "a URL with user:pass@" {
                let message = answer.body["errors"][0]["message"].as_str().unwrap();
                assert!(
                    !message.contains("user:pass"),
                    "the secret is not repeated: {message}"
                );
            }
            assert_eq!(state(&server).await, before, "{case} wrote nothing");
        }

        // At the limits, the same writes go through.
        let at_limit = |prefix: &str, n: usize| -> Vec<String> {
            (0..n).map(|i| format!("{prefix}{i}")).collect()
        };
        let created = server
            .post_as(
                &editor,
                CREATE_SKILL,
                new_skill(json!({
                    "tags": at_limit("tag-", 32), "aliases": at_limit("alias ", 32),
                    "name": "N".repeat(200)
                })),
            )
            .await;
        assert!(created.body.get("errors").is_none(), "{created:?}");
        let longest = format!("https://example.com/{}", "a".repeat(2_048 - 20));
        let resource = server
            .post_as(
                &editor,
                CREATE_RESOURCE,
                json!({ "input": { "skill": "git", "kind": "ARTICLE", "title": "Long", "url": longest } }),
            )
            .await;
        assert_eq!(
            resource.body["data"]["createResource"]["resource"]["url"],
            longest.as_str(),
            "{resource:?}"
        );
    }
}

/// The cells of a CSV text (RFC 4180: quoted cells may hold commas,
/// doubled quotes and line breaks).
fn csv_cells(text: &str) -> Vec<Vec<String>> {
    let (mut rows, mut row, mut cell) = (Vec::new(), Vec::new(), String::new());
    let (mut quoted, mut chars) = (false, text.chars().peekable());
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                cell.push('"');
            }
            (true, '"') => quoted = false,
            (true, c) => cell.push(c),
            (false, '"') if cell.is_empty() => quoted = true,
            (false, ',') => row.push(std::mem::take(&mut cell)),
            (false, '\r') if chars.peek() == Some(&'\n') => {}
            (false, '\n') => {
                row.push(std::mem::take(&mut cell));
                rows.push(std::mem::take(&mut row));
            }
            (false, c) => cell.push(c),
        }
    }
    if !cell.is_empty() || !row.is_empty() {
        row.push(cell);
        rows.push(row);
    }
    rows
}

#[tokio::test]
async fn checklist_cells_that_a_spreadsheet_would_run_are_quoted() {
    for server in servers().await {
        let editor = server.token("editor");
        let renamed = server
            .post_as(
                &editor,
                UPDATE_SKILL,
                json!({ "input": { "skill": "git", "name": "=HYPERLINK(\"https://evil.example\",\"Git\")",
                                   "summary": "@SUM(1+1)*cmd|' /C calc'!A0" } }),
            )
            .await;
        assert!(renamed.body.get("errors").is_none(), "{renamed:?}");
        let other = server
            .post_as(
                &editor,
                UPDATE_SKILL,
                json!({ "input": { "skill": "docker", "name": "+Docker", "summary": "-1 container" } }),
            )
            .await;
        assert!(other.body.get("errors").is_none(), "{other:?}");

        let file = server
            .get("/roadmaps/devops/checklist.csv", "text/csv", &[])
            .await;
        assert_eq!(file.status, 200, "{file:?}");
        let Value::String(text) = &file.body else {
            panic!("{file:?}")
        };
        let rows = csv_cells(text);
        let row = |slug: &str| {
            rows.iter()
                .find(|r| r.get(2).map(String::as_str) == Some(slug))
                .unwrap_or_else(|| panic!("no {slug} in {text}"))
        };
        assert_eq!(
            row("git")[3],
            "'=HYPERLINK(\"https://evil.example\",\"Git\")"
        );
        assert_eq!(row("git")[6], "'@SUM(1+1)*cmd|' /C calc'!A0");
        assert_eq!(row("docker")[3], "'+Docker");
        assert_eq!(row("docker")[6], "'-1 container");
        for row in &rows {
            for cell in row {
                assert!(
                    !cell.starts_with(['=', '+', '-', '@', '\t', '\r']),
                    "{cell:?} in {row:?}"
                );
            }
        }
    }
}
