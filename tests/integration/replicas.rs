//! Live catalogs: subscriptions, and two server processes on one PostgreSQL
//! database that see each other's writes and never together close a cycle.

use std::time::{Duration, Instant};

use serde_json::json;

use crate::harness::{Server, Subscriber, servers, shared_postgres, slugs};

const CREATE: &str =
    r#"mutation ($input: CreateSkillInput!) { createSkill(input: $input) { catalogVersion } }"#;
const ADD: &str = r#"mutation ($input: AddPrerequisiteInput!) { addPrerequisite(input: $input) { catalogVersion } }"#;

fn skill(slug: &str) -> serde_json::Value {
    json!({ "input": { "slug": slug, "name": slug, "summary": "Made by a replica test.", "level": "BEGINNER" } })
}

#[tokio::test]
async fn a_subscription_receives_each_committed_change() {
    for server in servers().await {
        let token = server.token("editor");
        let mut subscriber = Subscriber::connect(&server).await;
        subscriber
            .subscribe(
                "all",
                "subscription { catalogChanged { version updatedAt changedSkills } }",
            )
            .await;
        subscriber
            .subscribe(
                "git",
                r#"subscription { skillChanged(slug: "git") { version changedSkills } }"#,
            )
            .await;
        // Give the server a moment to register both subscriptions.
        tokio::time::sleep(Duration::from_millis(200)).await;
        let created = server
            .post_as(&token, CREATE, skill("subscribed-skill"))
            .await;
        let version = created.body["data"]["createSkill"]["catalogVersion"]
            .as_i64()
            .expect("a version");
        let event = subscriber.next_message().await;
        assert_eq!(event["type"], "next", "{event}");
        assert_eq!(event["id"], "all");
        assert_eq!(
            event["payload"]["data"]["catalogChanged"]["version"].as_i64(),
            Some(version)
        );
        assert_eq!(
            slugs(
                &event["payload"]["data"]["catalogChanged"]["changedSkills"],
                ""
            ),
            ["subscribed-skill"]
        );
        // Only a change that touches git reaches the filtered subscription.
        server
            .post_as(
                &token,
                ADD,
                json!({ "input": { "skill": "subscribed-skill", "requires": "git" } }),
            )
            .await;
        let mut ids = Vec::new();
        for _ in 0..2 {
            let event = subscriber.next_message().await;
            assert_eq!(event["type"], "next", "{event}");
            ids.push(event["id"].as_str().unwrap().to_owned());
        }
        ids.sort();
        assert_eq!(ids, ["all", "git"]);
    }
}

#[tokio::test]
async fn a_write_on_one_replica_is_seen_on_the_other_within_a_second() {
    let Some(database) = shared_postgres().await else {
        return;
    };
    let first = Server::spawn(database.url(), &[]);
    let second = Server::spawn(database.url(), &[]);
    let token = first.token_for(database.url(), "editor");
    let mut subscriber = Subscriber::connect(&second).await;
    subscriber
        .subscribe(
            "all",
            "subscription { catalogChanged { version changedSkills } }",
        )
        .await;
    tokio::time::sleep(Duration::from_millis(200)).await;

    let created = first
        .post_as(&token, CREATE, skill("replicated-skill"))
        .await;
    let version = created.body["data"]["createSkill"]["catalogVersion"]
        .as_i64()
        .expect("a version");
    let written = Instant::now();
    loop {
        let answer = second
            .post(
                r#"{ catalog { version } skill(slug: "replicated-skill") { slug } }"#,
                json!({}),
            )
            .await;
        if answer.body["data"]["skill"]["slug"] == "replicated-skill" {
            assert_eq!(
                answer.body["data"]["catalog"]["version"].as_i64(),
                Some(version)
            );
            break;
        }
        assert!(
            written.elapsed() < Duration::from_secs(1),
            "the second replica did not catch up within a second"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let event = subscriber.next_message().await;
    assert_eq!(
        event["payload"]["data"]["catalogChanged"]["version"].as_i64(),
        Some(version),
        "{event}"
    );
    drop((first, second));
}

#[tokio::test]
async fn concurrent_writers_on_two_replicas_never_close_a_cycle() {
    let Some(database) = shared_postgres().await else {
        return;
    };
    let first = Server::spawn(database.url(), &[]);
    let second = Server::spawn(database.url(), &[]);
    let token = first.token_for(database.url(), "editor");
    for round in 0..8 {
        let (a, b) = (format!("cycle-a-{round}"), format!("cycle-b-{round}"));
        for slug in [&a, &b] {
            let created = first.post_as(&token, CREATE, skill(slug)).await;
            assert!(created.body.get("errors").is_none(), "{created:?}");
        }
        // Let the second replica hear of both skills.
        let seen = Instant::now();
        while second
            .post(
                &format!(r#"{{ skill(slug: "{b}") {{ slug }} }}"#),
                json!({}),
            )
            .await
            .body["data"]["skill"]
            .is_null()
        {
            assert!(seen.elapsed() < Duration::from_secs(5));
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        let forward = json!({ "input": { "skill": a, "requires": b } });
        let backward = json!({ "input": { "skill": b, "requires": a } });
        let (one, two) = tokio::join!(
            first.post_as(&token, ADD, forward),
            second.post_as(&token, ADD, backward),
        );
        let outcomes = [one.error_codes(), two.error_codes()];
        let succeeded = outcomes.iter().filter(|codes| codes.is_empty()).count();
        assert_eq!(
            succeeded, 1,
            "exactly one of two opposite edges commits: {outcomes:?}"
        );
        assert!(
            outcomes.iter().any(|codes| codes == &["CONFLICT"]),
            "{outcomes:?}"
        );
    }
    // A fresh process loads the committed catalog: it builds, so it has no cycle.
    let fresh = Server::spawn(database.url(), &[]);
    let answer = fresh.post("{ catalog { version } }", json!({})).await;
    assert!(
        answer.body["data"]["catalog"]["version"].as_i64().is_some(),
        "{answer:?}"
    );
    drop((first, second, fresh));
}

/// Ends every `LISTEN` connection to the database: the replicas miss what
/// is committed until they notice and listen again.
fn drop_listeners(database_url: &str) {
    let output = std::process::Command::new("psql")
        .args([
            "-q",
            database_url,
            "-c",
            "select pg_terminate_backend(pid) from pg_stat_activity \
             where datname = current_database() and query like 'LISTEN%'",
        ])
        .output()
        .expect("psql runs");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

#[tokio::test]
async fn a_replica_that_misses_notifications_catches_up_by_replaying_the_log() {
    let Some(database) = shared_postgres().await else {
        return;
    };
    let first = Server::spawn(database.url(), &[]);
    let second = Server::spawn(database.url(), &[]);
    let token = first.token_for(database.url(), "editor");
    // Both replicas are listening once a write reaches the second.
    first.post_as(&token, CREATE, skill("before-the-gap")).await;
    let seen =
        |answer: &crate::harness::Answer, slug: &str| answer.body["data"]["skill"]["slug"] == slug;
    let started = Instant::now();
    while !seen(
        &second
            .post(r#"{ skill(slug: "before-the-gap") { slug } }"#, json!({}))
            .await,
        "before-the-gap",
    ) {
        assert!(started.elapsed() < Duration::from_secs(5));
        tokio::time::sleep(Duration::from_millis(20)).await;
    }

    // Writes while the second replica hears nothing: creates (ids the
    // database gives), an edge, an edit.
    drop_listeners(database.url());
    first.post_as(&token, CREATE, skill("in-the-gap")).await;
    first
        .post_as(&token, CREATE, skill("also-in-the-gap"))
        .await;
    first
        .post_as(
            &token,
            ADD,
            json!({ "input": { "skill": "also-in-the-gap", "requires": "in-the-gap" } }),
        )
        .await;
    let question = r#"{ catalog { version } skill(slug: "also-in-the-gap") { id slug prerequisites { slug } } }"#;
    let wanted = first.post(question, json!({})).await.body;
    let started = Instant::now();
    loop {
        let answer = second.post(question, json!({})).await.body;
        if answer == wanted {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "the second replica did not catch up: {answer} != {wanted}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(
        second
            .metric(r#"skillgraph_catalog_catch_ups_total{how="replayed"}"#)
            .await
            >= 2.0,
        "the writes before and after the gap were replayed"
    );
    let text = second.get("/metrics", "text/plain", &[]).await.body;
    assert!(
        !text
            .as_str()
            .unwrap_or_default()
            .contains(r#"how="reloaded""#),
        "no full reload was needed: {text}"
    );
    drop((first, second));
}
