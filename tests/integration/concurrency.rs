//! Writers that overlap: a learner setting statuses while an editor creates
//! skills. On SQLite both go through one database file, where a write that
//! meets another used to fail at once ("database is locked", SQLite codes
//! 5 and 517) and was answered INTERNAL_SERVER_ERROR; now they wait their
//! turn. Every write the server acknowledged must be there afterwards.

use std::collections::HashMap;

use serde_json::json;

use crate::harness::{Server, databases};

/// Skills of the bundled dataset the learner cycles through.
const SKILLS: [&str; 6] = ["git", "docker", "sql", "apis", "microservices", "databases"];
/// Statuses the learner cycles through, so every write changes something.
const STATUSES: [&str; 3] = ["LEARNING", "DONE", "SKIPPED"];
/// The rate limit is off: the learner writes as fast as the server answers.
const ARGS: [&str; 2] = ["--rate-limit", "0"];
/// How many skills the editor creates.
const CREATES: usize = 30;
/// The most statuses the learner sets; it stops earlier once the editor is done.
const MAX_STATUS_WRITES: usize = 3_000;

const SET: &str = r#"mutation ($input: SetSkillStatusInput!) {
  setSkillStatus(input: $input) { skills { slug viewerStatus } }
}"#;
const CREATE: &str = r#"mutation ($input: CreateSkillInput!) {
  createSkill(input: $input) { catalogVersion skill { slug } }
}"#;

/// A learner token issued through the API by an admin.
async fn learner_token(server: &Server) -> String {
    let issued = server
        .post_as(
            &server.token("admin"),
            r#"mutation { createLearnerToken(input: { label: "concurrency" }) { token } }"#,
            json!({}),
        )
        .await;
    issued.body["data"]["createLearnerToken"]["token"]
        .as_str()
        .unwrap_or_else(|| panic!("{issued:?}"))
        .to_owned()
}

#[tokio::test]
async fn overlapping_learner_and_catalog_writes_wait_and_all_are_stored() {
    for database in databases().await {
        let server = Server::start(database, &ARGS);
        let learner = learner_token(&server).await;
        let editor = server.token("editor");
        let done = std::sync::atomic::AtomicBool::new(false);

        let creating = async {
            let mut created = Vec::new();
            let mut errors = Vec::new();
            for n in 0..CREATES {
                let slug = format!("concurrent-{n}");
                let answer = server
                    .post_as(
                        &editor,
                        CREATE,
                        json!({ "input": {
                            "slug": slug, "name": format!("Concurrent {n}"),
                            "summary": "Made while a learner writes.", "level": "BEGINNER",
                            "tags": ["apis"], "aliases": [format!("overlap {n}")]
                        } }),
                    )
                    .await;
                if answer.body.get("errors").is_none()
                    && answer.body["data"]["createSkill"]["skill"]["slug"] == slug.as_str()
                {
                    created.push(slug);
                } else {
                    errors.push(answer);
                }
            }
            done.store(true, std::sync::atomic::Ordering::Relaxed);
            (created, errors)
        };
        let learning = async {
            let mut last: HashMap<&str, &str> = HashMap::new();
            let mut errors = Vec::new();
            let mut writes = 0;
            while writes < MAX_STATUS_WRITES && !done.load(std::sync::atomic::Ordering::Relaxed) {
                let skill = SKILLS[writes % SKILLS.len()];
                let status = STATUSES[(writes / SKILLS.len()) % STATUSES.len()];
                writes += 1;
                let answer = server
                    .post_as(
                        &learner,
                        SET,
                        json!({ "input": { "skill": skill, "status": status } }),
                    )
                    .await;
                if answer.body.get("errors").is_none()
                    && answer.body["data"]["setSkillStatus"]["skills"][0]["viewerStatus"] == status
                {
                    last.insert(skill, status);
                } else {
                    errors.push(answer);
                }
            }
            (last, errors, writes)
        };
        let ((created, create_errors), (last, status_errors, writes)) =
            tokio::join!(creating, learning);

        // Every write was acknowledged: none failed, none was an internal error.
        assert!(
            create_errors.is_empty(),
            "{} of {CREATES} creates failed, the first: {:?}",
            create_errors.len(),
            create_errors.first()
        );
        assert!(
            status_errors.is_empty(),
            "{} of {writes} status writes failed, the first: {:?}",
            status_errors.len(),
            status_errors.first()
        );
        assert!(
            writes > SKILLS.len(),
            "the learner wrote while the editor did"
        );

        // Every acknowledged write is stored, and still there after a
        // restart: what was acknowledged was committed.
        assert_eq!(last.len(), SKILLS.len());
        assert_stored(&server, &learner, &created, &last).await;
        let server = Server::start(server.stop().unwrap(), &ARGS);
        assert_stored(&server, &learner, &created, &last).await;
    }
}

/// Asserts that every created skill exists and every skill holds the
/// learner's last acknowledged status.
async fn assert_stored(
    server: &Server,
    learner: &str,
    created: &[String],
    last: &HashMap<&str, &str>,
) {
    for slug in created {
        let read = server
            .post(
                "query ($slug: String!) { skill(slug: $slug) { slug } }",
                json!({ "slug": slug }),
            )
            .await;
        assert_eq!(
            read.body["data"]["skill"]["slug"],
            slug.as_str(),
            "{read:?}"
        );
    }
    for (skill, status) in last {
        let read = server
            .post_as(
                learner,
                "query ($slug: String!) { skill(slug: $slug) { viewerStatus } }",
                json!({ "slug": skill }),
            )
            .await;
        assert_eq!(
            read.body["data"]["skill"]["viewerStatus"], *status,
            "{skill}: {read:?}"
        );
    }
}
