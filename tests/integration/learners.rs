//! Learners through the real server: identity by JWT or opaque token, one
//! status per skill seen on every roadmap, progress, what to learn next,
//! checklists, privacy, and the batched reads behind them.

use jsonwebtoken::{Algorithm, EncodingKey, Header, encode};
use serde_json::{Value, json};

use crate::harness::{Answer, Server, databases, slugs};

pub const SECRET: &str = "a shared secret of the test identity provider, long enough";
pub const ISSUER: &str = "https://id.example.org";
/// The prefix of the learner ids of [`ISSUER`]'s JWTs: `jwt:<issuer>:`
/// with the issuer's `:` written `%3A`.
pub const JWT_LEARNERS: &str = "jwt:https%3A//id.example.org:";
pub const AUDIENCE: &str = "skillgraph-tests";

pub fn jwt_args() -> Vec<&'static str> {
    vec![
        "--jwt-hs256-secret",
        SECRET,
        "--jwt-issuer",
        ISSUER,
        "--jwt-audience",
        AUDIENCE,
    ]
}

pub fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

/// A JWT as the identity provider would sign it, with claims overridden.
pub fn jwt(sub: &str, overrides: Value) -> String {
    let mut claims = json!({ "sub": sub, "iss": ISSUER, "aud": AUDIENCE, "exp": now() + 600 });
    for (key, value) in overrides.as_object().unwrap() {
        claims[key] = value.clone();
    }
    let secret = claims
        .as_object_mut()
        .unwrap()
        .remove("secret")
        .and_then(|s| s.as_str().map(str::to_owned))
        .unwrap_or_else(|| SECRET.to_owned());
    encode(
        &Header::new(Algorithm::HS256),
        &claims,
        &EncodingKey::from_secret(secret.as_bytes()).unwrap(),
    )
    .unwrap()
}

pub async fn learner_servers() -> Vec<Server> {
    databases()
        .await
        .into_iter()
        .map(|db| Server::start(db, &jwt_args()))
        .collect()
}

const SET: &str = r#"mutation ($input: SetSkillStatusInput!) {
  setSkillStatus(input: $input) { skills { slug viewerStatus } }
}"#;
const SET_MANY: &str = r#"mutation ($input: SetSkillStatusesInput!) {
  setSkillStatuses(input: $input) { skills { slug viewerStatus } }
}"#;

async fn set(server: &Server, token: &str, statuses: &[(&str, &str)]) -> Answer {
    let statuses: Vec<Value> = statuses
        .iter()
        .map(|(skill, status)| json!({ "skill": skill, "status": status }))
        .collect();
    let answer = server
        .post_as(
            token,
            SET_MANY,
            json!({ "input": { "statuses": statuses } }),
        )
        .await;
    assert!(answer.body.get("errors").is_none(), "{answer:?}");
    answer
}

/// The status of `skill` on every item of `roadmap` that holds it.
async fn status_on(server: &Server, token: &str, roadmap: &str, skill: &str) -> Vec<Value> {
    let answer = server
        .post_as(
            token,
            "query ($slug: String!) { roadmap(slug: $slug) { sections { items { viewerStatus skill { slug } children { viewerStatus skill { slug } } } } } }",
            json!({ "slug": roadmap }),
        )
        .await;
    let mut found = Vec::new();
    for section in answer.body["data"]["roadmap"]["sections"]
        .as_array()
        .unwrap()
    {
        for item in section["items"].as_array().unwrap() {
            let nested = item["children"].as_array().unwrap().iter();
            for entry in std::iter::once(item).chain(nested) {
                if entry["skill"]["slug"] == skill {
                    found.push(entry["viewerStatus"].clone());
                }
            }
        }
    }
    found
}

#[tokio::test]
async fn a_status_set_once_counts_on_every_roadmap_with_progress_and_next_skills() {
    for server in learner_servers().await {
        let ada = jwt("ada", json!({}));
        let anonymous = server
            .post(
                r#"{ viewer { id } skill(slug: "git") { viewerStatus } roadmap(slug: "backend") { viewerProgress { total } } }"#,
                json!({}),
            )
            .await;
        assert_eq!(
            anonymous.body["data"]["viewer"],
            Value::Null,
            "{anonymous:?}"
        );
        assert_eq!(anonymous.body["data"]["skill"]["viewerStatus"], Value::Null);
        assert_eq!(
            anonymous.body["data"]["roadmap"]["viewerProgress"],
            Value::Null
        );
        let editor = server.token("editor");
        let not_a_learner = server
            .post_as(
                &editor,
                SET,
                json!({ "input": { "skill": "git", "status": "DONE" } }),
            )
            .await;
        assert_eq!(
            not_a_learner.error_codes(),
            ["FORBIDDEN"],
            "{not_a_learner:?}"
        );
        let nobody = server
            .post(
                SET,
                json!({ "input": { "skill": "git", "status": "DONE" } }),
            )
            .await;
        assert_eq!(nobody.error_codes(), ["UNAUTHENTICATED"]);

        let version = server.post("{ catalog { version } }", json!({})).await.body["data"]
            ["catalog"]["version"]
            .clone();
        let done = server
            .post_as(
                &ada,
                SET,
                json!({ "input": { "skill": "git", "status": "DONE" } }),
            )
            .await;
        assert_eq!(
            done.body["data"]["setSkillStatus"]["skills"][0]["viewerStatus"], "DONE",
            "{done:?}"
        );
        let after = server.post("{ catalog { version } }", json!({})).await;
        assert_eq!(
            after.body["data"]["catalog"]["version"], version,
            "learner data is not the catalog"
        );

        // Done on one roadmap is done on every roadmap that holds it.
        for roadmap in ["backend", "devops"] {
            let seen = status_on(&server, &ada, roadmap, "git").await;
            assert!(!seen.is_empty(), "git is on {roadmap}");
            assert!(seen.iter().all(|s| s == "DONE"), "{roadmap}: {seen:?}");
        }

        set(
            &server,
            &ada,
            &[
                ("docker", "LEARNING"),
                ("sql", "SKIPPED"),
                ("linux", "NOT_STARTED"),
            ],
        )
        .await;
        let progress = server
            .post_as(
                &ada,
                r#"{ roadmap(slug: "backend") { skillCount viewerProgress { done learning skipped total percent } }
                     viewer { id roadmaps { roadmap { slug } progress { done total } } skillStatuses(first: 10) { totalCount edges { node { status skill { slug } } } } } }"#,
                json!({}),
            )
            .await;
        let data = &progress.body["data"];
        let p = &data["roadmap"]["viewerProgress"];
        let total = data["roadmap"]["skillCount"].as_u64().unwrap();
        assert_eq!(
            (
                p["done"].as_u64(),
                p["learning"].as_u64(),
                p["skipped"].as_u64()
            ),
            (Some(1), Some(1), Some(1)),
            "{progress:?}"
        );
        assert_eq!(p["total"].as_u64(), Some(total));
        let percent = (2.0 * 1000.0 / total as f64).round() / 10.0;
        assert_eq!(p["percent"].as_f64(), Some(percent));
        assert_eq!(data["viewer"]["id"], format!("{JWT_LEARNERS}ada"));
        let begun = slugs(&data["viewer"]["roadmaps"], "/roadmap/slug");
        assert!(
            begun.contains(&"backend".to_owned()) && begun.contains(&"devops".to_owned()),
            "{begun:?}"
        );
        assert_eq!(data["viewer"]["skillStatuses"]["totalCount"], 3);
        let learning = server
            .post_as(&ada, r#"{ viewer { skillStatuses(status: LEARNING, first: 1) { totalCount edges { node { skill { slug } } } pageInfo { hasNextPage } } } }"#, json!({}))
            .await;
        let page = &learning.body["data"]["viewer"]["skillStatuses"];
        assert_eq!(page["totalCount"], 1, "{learning:?}");
        assert_eq!(page["edges"][0]["node"]["skill"]["slug"], "docker");

        // What next: a skill whose required prerequisites are all basic
        // skills shows up once those are done, and they drop out.
        let skills = server
            .post(
                r#"{ roadmap(slug: "backend") { learningOrder { slug prerequisites { strength skill { slug prerequisites { strength } } } } } }"#,
                json!({}),
            )
            .await;
        let candidate = skills.body["data"]["roadmap"]["learningOrder"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| {
                let required: Vec<&Value> = s["prerequisites"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .filter(|p| p["strength"] == "REQUIRED")
                    .collect();
                !required.is_empty()
                    && required.iter().all(|p| {
                        p["skill"]["slug"] != "git"
                            && p["skill"]["prerequisites"]
                                .as_array()
                                .unwrap()
                                .iter()
                                .all(|q| q["strength"] != "REQUIRED")
                    })
            })
            .expect("a skill with only basic required prerequisites")
            .clone();
        let target = candidate["slug"].as_str().unwrap();
        let needs: Vec<String> = candidate["prerequisites"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|p| p["strength"] == "REQUIRED")
            .map(|p| p["skill"]["slug"].as_str().unwrap().to_owned())
            .collect();
        const NEXT: &str = r#"{ viewer { nextSkills(roadmap: "backend", first: 100) { slug } } }"#;
        let before = slugs(
            &server.post_as(&ada, NEXT, json!({})).await.body["data"]["viewer"]["nextSkills"],
            "/slug",
        );
        assert!(
            !before.contains(&target.to_owned()),
            "{target} needs {needs:?}: {before:?}"
        );
        assert!(
            !before.contains(&"git".to_owned()),
            "done skills are not next"
        );
        let statuses: Vec<(&str, &str)> = needs.iter().map(|s| (s.as_str(), "DONE")).collect();
        set(&server, &ada, &statuses).await;
        let next = slugs(
            &server.post_as(&ada, NEXT, json!({})).await.body["data"]["viewer"]["nextSkills"],
            "/slug",
        );
        assert!(
            next.contains(&target.to_owned()),
            "{target} after {needs:?}: {next:?}"
        );
        for need in &needs {
            assert!(!next.contains(need), "{need} is done: {next:?}");
        }
        let path = server
            .post_as(
                &ada,
                "query ($t: String!) { learningPath(targets: [$t]) { steps { skill { slug } } } }",
                json!({ "t": target }),
            )
            .await;
        let steps = slugs(&path.body["data"]["learningPath"]["steps"], "/skill/slug");
        assert_eq!(steps.last().map(String::as_str), Some(target), "{path:?}");
        for need in &needs {
            assert!(!steps.contains(need), "the done {need} is known: {steps:?}");
        }

        // Checklists, in the schema and as files.
        let checklist = server
            .post_as(
                &ada,
                r#"{ roadmap(slug: "backend") { checklist } }"#,
                json!({}),
            )
            .await;
        let text = checklist.body["data"]["roadmap"]["checklist"]
            .as_str()
            .unwrap();
        assert!(text.lines().any(|l| l.contains("[x] **Git**")), "{text}");
        let file = server.get_as(&ada, "/roadmaps/backend/checklist.md").await;
        assert_eq!(file.status, 200);
        assert!(file.content_type().starts_with("text/markdown"), "{file:?}");
        assert_eq!(file.headers["cache-control"], "private, no-store");
        let Value::String(ticked) = &file.body else {
            panic!("{file:?}")
        };
        assert!(
            ticked.lines().any(|l| l.contains("[x] **Git**")),
            "{ticked}"
        );
        let blank = server
            .get("/roadmaps/backend/checklist.md", "text/markdown", &[])
            .await;
        let Value::String(blank) = &blank.body else {
            panic!("{blank:?}")
        };
        assert!(!blank.contains("[x]"), "an anonymous checklist is blank");
        let csv = server.get_as(&ada, "/roadmaps/devops/checklist.csv").await;
        let Value::String(csv) = &csv.body else {
            panic!("{csv:?}")
        };
        assert!(
            csv.lines()
                .any(|l| l.contains(",git,Git,") && l.contains(",done,")),
            "{csv}"
        );
        let forged = server
            .get_as(
                &jwt(
                    "ada",
                    json!({ "secret": "not the provider's secret at all, but long" }),
                ),
                "/roadmaps/backend/checklist.md",
            )
            .await;
        assert_eq!(forged.status, 401, "{forged:?}");
        assert_eq!(
            server
                .get("/roadmaps/nope/checklist.md", "text/markdown", &[])
                .await
                .status,
            404
        );

        // Another learner sees none of it; editors see aggregates only.
        let bob = jwt("bob", json!({}));
        let theirs = server
            .post_as(&bob, r#"{ viewer { id skillStatuses { totalCount } } skill(slug: "git") { viewerStatus } }"#, json!({}))
            .await;
        assert_eq!(
            theirs.body["data"]["viewer"]["skillStatuses"]["totalCount"], 0,
            "{theirs:?}"
        );
        assert_eq!(theirs.body["data"]["skill"]["viewerStatus"], "NOT_STARTED");
        const STATS: &str = r#"{ skill(slug: "git") { learnerStats { started done } } }"#;
        let stats = server.post_as(&editor, STATS, json!({})).await;
        assert_eq!(
            stats.body["data"]["skill"]["learnerStats"],
            json!({ "started": 1, "done": 1 }),
            "{stats:?}"
        );
        assert_eq!(
            server.post_as(&bob, STATS, json!({})).await.error_codes(),
            ["FORBIDDEN"]
        );
        assert_eq!(
            server.post(STATS, json!({})).await.error_codes(),
            ["UNAUTHENTICATED"]
        );

        // Deleting a skill deletes its statuses; deleteViewer deletes the rest.
        let url = server.database_url().unwrap().to_owned();
        let store = skillgraph_store::Store::open(&url).await.unwrap();
        let ada_id = format!("{JWT_LEARNERS}ada");
        let before = store.all_statuses(&ada_id).await.unwrap().len();
        let deleted = server
            .post_as(&editor, r#"mutation { deleteSkill(input: { skill: "docker", cascade: true }) { catalogVersion } }"#, json!({}))
            .await;
        assert!(deleted.body.get("errors").is_none(), "{deleted:?}");
        assert_eq!(store.all_statuses(&ada_id).await.unwrap().len(), before - 1);
        const DELETE: &str = r#"mutation ($input: DeleteViewerInput!) { deleteViewer(input: $input) { deletedLearnerId } }"#;
        let unconfirmed = server
            .post_as(&ada, DELETE, json!({ "input": { "confirm": false } }))
            .await;
        assert_eq!(unconfirmed.error_codes(), ["BAD_USER_INPUT"]);
        let gone = server
            .post_as(&ada, DELETE, json!({ "input": { "confirm": true } }))
            .await;
        assert_eq!(
            gone.body["data"]["deleteViewer"]["deletedLearnerId"], ada_id,
            "{gone:?}"
        );
        assert!(store.all_statuses(&ada_id).await.unwrap().is_empty());
        store.close().await.unwrap();
    }
}

#[tokio::test]
async fn tokens_are_checked_and_refusals_say_why() {
    for server in learner_servers().await {
        const WHO: &str = "{ viewer { id } }";
        let who = async |token: &str| server.post_as(token, WHO, json!({})).await;
        assert_eq!(
            who(&jwt("ada", json!({}))).await.body["data"]["viewer"]["id"],
            format!("{JWT_LEARNERS}ada")
        );
        for (claims, why) in [
            (json!({ "exp": now() - 3600 }), "expired"),
            (json!({ "aud": "another-app" }), "audience"),
            (json!({ "iss": "https://elsewhere.example.org" }), "issuer"),
            (
                json!({ "secret": "a secret that is not the identity provider's" }),
                "signature",
            ),
        ] {
            let refused = who(&jwt("ada", claims)).await;
            assert_eq!(refused.error_codes(), ["UNAUTHENTICATED"], "{refused:?}");
            let message = refused.body["errors"][0]["message"].as_str().unwrap();
            assert!(message.contains(why), "{why}: {message}");
        }
        let unknown = who("sg_learner_00000000").await;
        assert_eq!(unknown.error_codes(), ["UNAUTHENTICATED"]);
        let editor = who(&server.token("editor")).await;
        assert_eq!(
            editor.body["data"]["viewer"],
            Value::Null,
            "an editor is no learner"
        );

        // Opaque learner tokens: from the CLI and from an admin.
        let url = server.database_url().unwrap().to_owned();
        let output = std::process::Command::new(crate::harness::binary())
            .args([
                "learner",
                "create",
                "--label",
                "cli learner",
                "--database-url",
                &url,
            ])
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        let token = String::from_utf8(output.stdout).unwrap().trim().to_owned();
        assert!(token.starts_with("sg_learner_"), "{token}");
        let id = who(&token).await.body["data"]["viewer"]["id"].clone();
        assert!(id.as_str().unwrap().starts_with("learner-"), "{id}");
        const ISSUE: &str =
            r#"mutation { createLearnerToken(input: { label: "app" }) { learnerId token } }"#;
        let refused = server
            .post_as(&server.token("editor"), ISSUE, json!({}))
            .await;
        assert_eq!(refused.error_codes(), ["FORBIDDEN"], "{refused:?}");
        let issued = server
            .post_as(&server.token("admin"), ISSUE, json!({}))
            .await;
        let payload = &issued.body["data"]["createLearnerToken"];
        let token = payload["token"].as_str().unwrap();
        assert_eq!(
            who(token).await.body["data"]["viewer"]["id"],
            payload["learnerId"]
        );
    }

    // A server with no identity provider takes no JWTs; one with an ES256
    // public key takes JWTs signed with its private half.
    let plain = Server::start(databases().await.remove(0), &[]);
    let refused = plain
        .post_as(&jwt("ada", json!({})), "{ viewer { id } }", json!({}))
        .await;
    assert_eq!(refused.error_codes(), ["UNAUTHENTICATED"], "{refused:?}");

    let dir = std::env::temp_dir().join(format!("skillgraph-es256-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let private = dir.join("private.pem");
    let public = dir.join("public.pem");
    let openssl = |args: &[&str]| {
        let status = std::process::Command::new("openssl")
            .args(args)
            .status()
            .expect("openssl");
        assert!(status.success(), "openssl {args:?}");
    };
    openssl(&[
        "genpkey",
        "-algorithm",
        "EC",
        "-pkeyopt",
        "ec_paramgen_curve:P-256",
        "-out",
        private.to_str().unwrap(),
    ]);
    openssl(&[
        "pkey",
        "-in",
        private.to_str().unwrap(),
        "-pubout",
        "-out",
        public.to_str().unwrap(),
    ]);
    let es = Server::start(
        databases().await.remove(0),
        &[
            "--jwt-public-key",
            public.to_str().unwrap(),
            "--jwt-algorithm",
            "es256",
            "--jwt-issuer",
            ISSUER,
            "--jwt-audience",
            AUDIENCE,
        ],
    );
    let claims = json!({ "sub": "eve", "iss": ISSUER, "aud": AUDIENCE, "exp": now() + 600 });
    let key = EncodingKey::from_ec_pem(&std::fs::read(&private).unwrap()).unwrap();
    let token = encode(&Header::new(Algorithm::ES256), &claims, &key).unwrap();
    let accepted = es.post_as(&token, "{ viewer { id } }", json!({})).await;
    assert_eq!(
        accepted.body["data"]["viewer"]["id"],
        format!("{JWT_LEARNERS}eve"),
        "{accepted:?}"
    );
    let hs = es
        .post_as(&jwt("eve", json!({})), "{ viewer { id } }", json!({}))
        .await;
    assert_eq!(
        hs.error_codes(),
        ["UNAUTHENTICATED"],
        "another algorithm is refused"
    );

    let rsa_private = dir.join("rsa-private.pem");
    let rsa_public = dir.join("rsa-public.pem");
    openssl(&[
        "genpkey",
        "-algorithm",
        "RSA",
        "-pkeyopt",
        "rsa_keygen_bits:2048",
        "-out",
        rsa_private.to_str().unwrap(),
    ]);
    openssl(&[
        "pkey",
        "-in",
        rsa_private.to_str().unwrap(),
        "-pubout",
        "-out",
        rsa_public.to_str().unwrap(),
    ]);
    let rs = Server::start(
        databases().await.remove(0),
        &[
            "--jwt-public-key",
            rsa_public.to_str().unwrap(),
            "--jwt-algorithm",
            "rs256",
            "--jwt-issuer",
            ISSUER,
            "--jwt-audience",
            AUDIENCE,
        ],
    );
    let key = EncodingKey::from_rsa_pem(&std::fs::read(&rsa_private).unwrap()).unwrap();
    let token = encode(&Header::new(Algorithm::RS256), &claims, &key).unwrap();
    let accepted = rs.post_as(&token, "{ viewer { id } }", json!({})).await;
    assert_eq!(
        accepted.body["data"]["viewer"]["id"],
        format!("{JWT_LEARNERS}eve"),
        "{accepted:?}"
    );
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::test]
async fn viewer_fields_on_every_item_cost_the_same_few_statements_on_any_roadmap() {
    for server in learner_servers().await {
        let ada = jwt("ada", json!({}));
        set(
            &server,
            &ada,
            &[("git", "DONE"), ("docker", "LEARNING"), ("linux", "DONE")],
        )
        .await;
        const NESTED: &str = r#"query ($slug: String!) { roadmap(slug: $slug) {
            viewerProgress { done total }
            sections { items { viewerStatus skill { slug viewerStatus }
              children { viewerStatus skill { viewerStatus } children { viewerStatus } } } } } }"#;
        let mut costs = Vec::new();
        for slug in ["devops", "backend"] {
            let before = server.metric("skillgraph_sql_statements_total").await;
            let answer = server.post_as(&ada, NESTED, json!({ "slug": slug })).await;
            assert!(answer.body.get("errors").is_none(), "{answer:?}");
            let after = server.metric("skillgraph_sql_statements_total").await;
            costs.push(after - before);
        }
        let sizes = server
            .post(r#"{ devops: roadmap(slug: "devops") { skillCount } backend: roadmap(slug: "backend") { skillCount } }"#, json!({}))
            .await;
        let size = |slug: &str| sizes.body["data"][slug]["skillCount"].as_u64().unwrap();
        assert!(
            size("backend") > 2 * size("devops"),
            "the second roadmap is much larger"
        );
        assert_eq!(
            costs[0], costs[1],
            "statements for devops and backend: {costs:?}"
        );
        eprintln!("statements per nested roadmap with viewer fields: {costs:?}");
        assert!(
            costs[1] <= 3.0,
            "a few batched statements, not one per item: {costs:?}"
        );
    }
}
