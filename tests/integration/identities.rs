//! Who a token says the caller is, and taking tokens back: JWT learners and
//! issued learners in namespaces that never meet, JWT times checked with a
//! small leeway, and editors', admins' and learners' tokens listed without
//! their secrets and revoked at once, on every replica.

use serde_json::{Value, json};
use sha2::Digest;

use crate::harness::{Server, binary};
use crate::learners::{JWT_LEARNERS, jwt, jwt_args, learner_servers, now};

/// Runs the real CLI against a database; its standard output and error.
fn cli(url: &str, args: &[&str]) -> (String, String) {
    let output = std::process::Command::new(binary())
        .args(args)
        .args(["--database-url", url])
        .output()
        .expect("run skillgraph");
    let stdout = String::from_utf8(output.stdout).unwrap();
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(output.status.success(), "skillgraph {args:?}: {stderr}");
    (stdout, stderr)
}

/// The same, for a run that must fail; its standard error.
fn cli_fails(url: &str, args: &[&str]) -> String {
    let output = std::process::Command::new(binary())
        .args(args)
        .args(["--database-url", url])
        .output()
        .expect("run skillgraph");
    assert!(!output.status.success(), "skillgraph {args:?} succeeded");
    String::from_utf8(output.stderr).unwrap()
}

/// The id column of the listing line whose other columns hold `needle`.
fn listed_id(listing: &str, needle: &str) -> String {
    listing
        .lines()
        .find(|line| line.contains(needle))
        .unwrap_or_else(|| panic!("`{needle}` is not listed:\n{listing}"))
        .split('\t')
        .next()
        .unwrap()
        .to_owned()
}

fn hex_sha256(token: &str) -> String {
    sha2::Sha256::digest(token.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

const WHO: &str = "{ viewer { id skillStatuses { totalCount } } }";
const SET: &str = r#"mutation { setSkillStatus(input: { skill: "git", status: DONE }) { skills { viewerStatus } } }"#;

#[tokio::test]
async fn a_jwt_whose_sub_is_an_issued_learner_id_sees_none_of_that_learners_data() {
    for server in learner_servers().await {
        let url = server.database_url().unwrap().to_owned();
        let (token, said) = cli(&url, &["learner", "create", "--label", "issued"]);
        let token = token.trim();
        let issued = said
            .split_whitespace()
            .find(|word| word.starts_with("learner-"))
            .unwrap_or_else(|| panic!("no learner id in {said:?}"))
            .to_owned();
        let set = server.post_as(token, SET, json!({})).await;
        assert!(set.body.get("errors").is_none(), "{set:?}");
        let own = server.post_as(token, WHO, json!({})).await;
        assert_eq!(own.body["data"]["viewer"]["id"], issued.as_str());
        assert_eq!(own.body["data"]["viewer"]["skillStatuses"]["totalCount"], 1);

        // A valid JWT of the configured provider whose `sub` is that id.
        let impostor = jwt(&issued, json!({}));
        let seen = server
            .post_as(
                &impostor,
                r#"{ viewer { id skillStatuses { totalCount } } skill(slug: "git") { viewerStatus } }"#,
                json!({}),
            )
            .await;
        assert!(seen.body.get("errors").is_none(), "{seen:?}");
        assert_eq!(
            seen.body["data"]["viewer"]["id"],
            format!("{JWT_LEARNERS}{issued}"),
            "{seen:?}"
        );
        assert_eq!(
            seen.body["data"]["viewer"]["skillStatuses"]["totalCount"], 0,
            "{seen:?}"
        );
        assert_eq!(seen.body["data"]["skill"]["viewerStatus"], "NOT_STARTED");
        let checklist = server
            .get_as(&impostor, "/roadmaps/backend/checklist.md")
            .await;
        let Value::String(checklist) = &checklist.body else {
            panic!("{checklist:?}")
        };
        assert!(!checklist.contains("[x]"), "{checklist}");

        // Deleting "their" data deletes only the impostor's own.
        let deleted = server
            .post_as(
                &impostor,
                "mutation { deleteViewer(input: { confirm: true }) { deletedLearnerId } }",
                json!({}),
            )
            .await;
        assert_eq!(
            deleted.body["data"]["deleteViewer"]["deletedLearnerId"],
            format!("{JWT_LEARNERS}{issued}"),
            "{deleted:?}"
        );
        let kept = server.post_as(token, WHO, json!({})).await;
        assert_eq!(
            kept.body["data"]["viewer"]["skillStatuses"]["totalCount"], 1,
            "{kept:?}"
        );
    }
}

#[tokio::test]
async fn tokens_not_yet_valid_or_issued_in_the_future_are_refused_and_a_huge_exp_is_named() {
    for server in learner_servers().await {
        let later = now() + 3600;
        for (claims, why) in [
            (json!({ "nbf": later }), "not valid yet"),
            (json!({ "iat": later }), "issued in the future"),
        ] {
            for query in [WHO, SET] {
                let refused = server
                    .post_as(&jwt("ada", claims.clone()), query, json!({}))
                    .await;
                assert_eq!(refused.error_codes(), ["UNAUTHENTICATED"], "{refused:?}");
                let message = refused.body["errors"][0]["message"].as_str().unwrap();
                assert!(message.contains(why), "{why}: {message}");
            }
        }
        // Nothing was written by the refused tokens.
        let ada = server.post_as(&jwt("ada", json!({})), WHO, json!({})).await;
        assert_eq!(
            ada.body["data"]["viewer"]["skillStatuses"]["totalCount"], 0,
            "{ada:?}"
        );
        // A clock a little ahead of ours is forgiven.
        let close = json!({ "nbf": now() + 10, "iat": now() + 10 });
        let accepted = server.post_as(&jwt("ada", close), WHO, json!({})).await;
        assert!(accepted.body.get("errors").is_none(), "{accepted:?}");

        for exp in [json!(1e20), json!(-5), json!("never")] {
            let refused = server
                .post_as(&jwt("ada", json!({ "exp": exp })), WHO, json!({}))
                .await;
            assert_eq!(refused.error_codes(), ["UNAUTHENTICATED"], "{refused:?}");
            let message = refused.body["errors"][0]["message"].as_str().unwrap();
            assert!(
                message.contains("`exp`") && !message.to_lowercase().contains("missing"),
                "exp = {exp}: {message}"
            );
        }
    }
}

const AS_ADMIN: &str = "{ apiTokens(first: 100) { totalCount nodes { id role label createdAt } } learnerTokens(first: 100) { totalCount nodes { id learnerId label createdAt } } }";
const EDITOR_ONLY: &str = r#"{ skill(slug: "git") { learnerStats { started } } }"#;

#[tokio::test]
async fn tokens_are_listed_without_secrets_and_revoked_at_once_on_every_replica() {
    for server in learner_servers().await {
        let url = server.database_url().unwrap().to_owned();
        // A second replica on the same database.
        let replica = Server::spawn(&url, &jwt_args());
        let admin = server.token("admin");
        let editor = server.token("editor");
        let (learner, _) = cli(&url, &["learner", "create", "--label", "cli learner"]);
        let learner = learner.trim().to_owned();

        // Each works, on both replicas, before it is revoked.
        for node in [&server, &replica] {
            let used = node.post_as(&editor, EDITOR_ONLY, json!({})).await;
            assert!(used.body.get("errors").is_none(), "{used:?}");
            let used = node.post_as(&learner, WHO, json!({})).await;
            assert!(used.body.get("errors").is_none(), "{used:?}");
        }

        // Listings name the tokens but show neither them nor their hashes.
        let (tokens, _) = cli(&url, &["token", "list"]);
        let (learners, _) = cli(&url, &["learner", "list"]);
        let graphql = server.post_as(&admin, AS_ADMIN, json!({})).await;
        assert!(graphql.body.get("errors").is_none(), "{graphql:?}");
        let graphql_text = graphql.body.to_string();
        for secret in [&admin, &editor, &learner] {
            let body = secret.rsplit('_').next().unwrap();
            for listing in [&tokens, &learners, &graphql_text] {
                assert!(!listing.contains(body), "a secret is listed: {listing}");
                assert!(
                    !listing.contains(&hex_sha256(secret)),
                    "a hash is listed: {listing}"
                );
            }
        }
        assert!(tokens.starts_with("id\trole\tcreated\tlabel\n"), "{tokens}");
        let editor_id = listed_id(&tokens, "\teditor\t");
        assert!(tokens.contains("\tadmin\t"), "{tokens}");
        let learner_id = listed_id(&learners, "cli learner");
        let data = &graphql.body["data"];
        assert_eq!(data["apiTokens"]["totalCount"], 2, "{graphql:?}");
        assert_eq!(data["learnerTokens"]["totalCount"], 1, "{graphql:?}");
        let node = data["apiTokens"]["nodes"]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["label"] == "test editor")
            .unwrap();
        assert_eq!(
            (node["id"].as_str(), node["role"].as_str()),
            (Some(editor_id.as_str()), Some("EDITOR")),
            "{graphql:?}"
        );
        assert!(node["createdAt"].as_str().unwrap().ends_with('Z'));
        assert_eq!(data["learnerTokens"]["nodes"][0]["id"], learner_id.as_str());

        // Only admins may list or revoke.
        const REVOKE: &str = "mutation ($id: ID!) { revokeApiToken(input: { id: $id }) { apiToken { id role label } } }";
        const REVOKE_LEARNER: &str = "mutation ($id: ID!) { revokeLearnerToken(input: { id: $id }) { learnerToken { id learnerId } } }";
        for (token, code) in [
            (editor.as_str(), "FORBIDDEN"),
            (learner.as_str(), "FORBIDDEN"),
        ] {
            let listed = server
                .post_as(token, "{ apiTokens { totalCount } }", json!({}))
                .await;
            assert_eq!(listed.error_codes(), [code], "{listed:?}");
            let listed = server
                .post_as(token, "{ learnerTokens { totalCount } }", json!({}))
                .await;
            assert_eq!(listed.error_codes(), [code], "{listed:?}");
            let revoked = server
                .post_as(token, REVOKE, json!({ "id": editor_id }))
                .await;
            assert_eq!(revoked.error_codes(), [code], "{revoked:?}");
        }
        let anonymous = server.post("{ apiTokens { totalCount } }", json!({})).await;
        assert_eq!(anonymous.error_codes(), ["UNAUTHENTICATED"]);
        let unknown = server
            .post_as(&admin, REVOKE, json!({ "id": "999999" }))
            .await;
        assert_eq!(unknown.error_codes(), ["NOT_FOUND"], "{unknown:?}");
        let unknown = server
            .post_as(&admin, REVOKE_LEARNER, json!({ "id": "999999" }))
            .await;
        assert_eq!(unknown.error_codes(), ["NOT_FOUND"], "{unknown:?}");
        let malformed = server.post_as(&admin, REVOKE, json!({ "id": "one" })).await;
        assert_eq!(malformed.error_codes(), ["BAD_USER_INPUT"], "{malformed:?}");
        assert_eq!(
            malformed.body["errors"][0]["extensions"]["field"],
            "input.id"
        );

        // Revoked with the CLI: refused at once, by both replicas.
        cli(&url, &["token", "revoke", &editor_id]);
        cli(&url, &["learner", "revoke", &learner_id]);
        for node in [&server, &replica] {
            let refused = node.post_as(&editor, EDITOR_ONLY, json!({})).await;
            assert_eq!(refused.error_codes(), ["UNAUTHENTICATED"], "{refused:?}");
            let refused = node.post_as(&learner, WHO, json!({})).await;
            assert_eq!(refused.error_codes(), ["UNAUTHENTICATED"], "{refused:?}");
        }
        assert!(cli_fails(&url, &["token", "revoke", &editor_id]).contains("no token"));
        assert!(cli_fails(&url, &["learner", "revoke", &learner_id]).contains("no token"));
        let (tokens, _) = cli(&url, &["token", "list"]);
        assert!(!tokens.contains("\teditor\t"), "{tokens}");

        // Revoked with the mutations, through the other replica.
        let second = server.token("editor");
        let issued = server
            .post_as(
                &admin,
                r#"mutation { createLearnerToken(input: { label: "app" }) { learnerId token } }"#,
                json!({}),
            )
            .await;
        let second_learner = issued.body["data"]["createLearnerToken"]["token"]
            .as_str()
            .unwrap()
            .to_owned();
        let listed = server.post_as(&admin, AS_ADMIN, json!({})).await;
        let data = &listed.body["data"];
        let api_id = data["apiTokens"]["nodes"]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["role"] == "EDITOR")
            .unwrap()["id"]
            .clone();
        let learner_token_id = data["learnerTokens"]["nodes"][0]["id"].clone();
        for node in [&server, &replica] {
            let used = node.post_as(&second, EDITOR_ONLY, json!({})).await;
            assert!(used.body.get("errors").is_none(), "{used:?}");
            let used = node.post_as(&second_learner, WHO, json!({})).await;
            assert!(used.body.get("errors").is_none(), "{used:?}");
        }
        let revoked = replica
            .post_as(&admin, REVOKE, json!({ "id": api_id }))
            .await;
        assert_eq!(
            revoked.body["data"]["revokeApiToken"]["apiToken"]["role"], "EDITOR",
            "{revoked:?}"
        );
        let revoked = replica
            .post_as(&admin, REVOKE_LEARNER, json!({ "id": learner_token_id }))
            .await;
        assert_eq!(
            revoked.body["data"]["revokeLearnerToken"]["learnerToken"]["learnerId"],
            issued.body["data"]["createLearnerToken"]["learnerId"],
            "{revoked:?}"
        );
        for node in [&server, &replica] {
            let refused = node.post_as(&second, EDITOR_ONLY, json!({})).await;
            assert_eq!(refused.error_codes(), ["UNAUTHENTICATED"], "{refused:?}");
            let refused = node.post_as(&second_learner, WHO, json!({})).await;
            assert_eq!(refused.error_codes(), ["UNAUTHENTICATED"], "{refused:?}");
        }
        let again = server
            .post_as(&admin, REVOKE, json!({ "id": api_id }))
            .await;
        assert_eq!(again.error_codes(), ["NOT_FOUND"], "{again:?}");
        drop(replica);
    }
}

/// Runs SQL on a scratch database with the engine's own command-line
/// client, as an operator would: how a test puts rows back into the shape
/// an older skillgraph stored.
fn sql(url: &str, statement: &str) {
    let output = match url.strip_prefix("sqlite://") {
        Some(path) => std::process::Command::new("sqlite3")
            .args([path, statement])
            .output(),
        None => std::process::Command::new("psql")
            .args([url, "-v", "ON_ERROR_STOP=1", "-c", statement])
            .output(),
    }
    .expect("sqlite3 or psql");
    assert!(
        output.status.success(),
        "{statement}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
}

#[tokio::test]
async fn statuses_stored_under_a_bare_sub_are_found_again_after_the_upgrade() {
    for server in learner_servers().await {
        let url = server.database_url().unwrap().to_owned();
        let (issued_token, said) = cli(&url, &["learner", "create", "--label", "issued"]);
        let issued_token = issued_token.trim().to_owned();
        let issued = said
            .split_whitespace()
            .find(|word| word.starts_with("learner-"))
            .unwrap()
            .to_owned();
        for (token, skill) in [
            (jwt("ada", json!({})), "git"),
            (issued_token.clone(), "sql"),
        ] {
            let set = server
                .post_as(
                    &token,
                    "mutation ($skill: String!) { setSkillStatus(input: { skill: $skill, status: DONE }) { skills { slug } } }",
                    json!({ "skill": skill }),
                )
                .await;
            assert!(set.body.get("errors").is_none(), "{set:?}");
        }
        let database = server.stop().unwrap();

        // As the release before namespaces stored it: a JWT learner under
        // the bare `sub`, with the namespace migration not yet run.
        sql(
            &url,
            &format!(
                "UPDATE skill_statuses SET learner_id = 'ada' WHERE learner_id = '{JWT_LEARNERS}ada'"
            ),
        );
        sql(
            &url,
            "DELETE FROM seaql_migrations WHERE version LIKE '%learner_namespaces'",
        );

        let server = Server::start(database, &jwt_args());
        const MINE: &str =
            "{ viewer { id skillStatuses { edges { node { skill { slug } status } } } } }";
        let ada = server
            .post_as(&jwt("ada", json!({})), MINE, json!({}))
            .await;
        assert_eq!(
            ada.body["data"]["viewer"]["skillStatuses"]["edges"],
            json!([{ "node": { "skill": { "slug": "git" }, "status": "DONE" } }]),
            "{ada:?}"
        );
        let own = server.post_as(&issued_token, MINE, json!({})).await;
        assert_eq!(own.body["data"]["viewer"]["id"], issued.as_str());
        assert_eq!(
            own.body["data"]["viewer"]["skillStatuses"]["edges"],
            json!([{ "node": { "skill": { "slug": "sql" }, "status": "DONE" } }]),
            "{own:?}"
        );
    }
}
