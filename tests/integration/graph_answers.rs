//! Graph answers through the real server: transitive prerequisites, learning
//! paths, shortest prerequisite chains and a roadmap's learning order.

use std::collections::{HashMap, HashSet};

use serde_json::{Value, json};

use crate::harness::{Server, servers, slugs};

/// Every prerequisite edge of the catalog: (skill, requires, strength).
async fn edges(server: &Server) -> Vec<(String, String, String)> {
    let answer = server
        .post(
            "{ skills(first: 100) { totalCount nodes { slug prerequisites { strength skill { slug } } } } }",
            json!({}),
        )
        .await;
    let skills = &answer.body["data"]["skills"];
    assert!(
        skills["totalCount"].as_u64().unwrap() <= 100,
        "one page holds them all"
    );
    let mut edges = Vec::new();
    for skill in skills["nodes"].as_array().unwrap() {
        for p in skill["prerequisites"].as_array().unwrap() {
            edges.push((
                skill["slug"].as_str().unwrap().to_owned(),
                p["skill"]["slug"].as_str().unwrap().to_owned(),
                p["strength"].as_str().unwrap().to_owned(),
            ));
        }
    }
    edges
}

const PATH: &str = r#"query ($targets: [String!]!, $known: [String!], $strength: PathStrength) {
  learningPath(targets: $targets, known: $known, strength: $strength) {
    length
    targets { slug }
    steps { position skill { slug } neededBy { slug } }
  }
}"#;

#[tokio::test]
async fn the_learning_path_to_microservices_starts_from_scratch_and_respects_every_edge() {
    for server in servers().await {
        let all_edges = edges(&server).await;
        for strength in ["REQUIRED", "ALL"] {
            let answer = server
                .post(
                    PATH,
                    json!({ "targets": ["microservices"], "strength": strength }),
                )
                .await;
            assert!(answer.body.get("errors").is_none(), "{answer:?}");
            let path = &answer.body["data"]["learningPath"];
            let steps = slugs(&path["steps"], "/skill/slug");
            assert_eq!(path["length"].as_u64(), Some(steps.len() as u64));
            assert_eq!(steps.last().map(String::as_str), Some("microservices"));
            let at: HashMap<&str, usize> = steps
                .iter()
                .enumerate()
                .map(|(i, s)| (s.as_str(), i))
                .collect();
            assert!(at["apis"] < at["microservices"], "{steps:?}");
            // The first step needs nothing; every followed edge points forward.
            let followed = |s: &str| strength == "ALL" || s == "REQUIRED";
            let needs_nothing = all_edges
                .iter()
                .filter(|(skill, _, s)| skill == &steps[0] && followed(s))
                .count()
                == 0;
            assert!(needs_nothing, "{} has prerequisites", steps[0]);
            for (skill, requires, s) in &all_edges {
                if let (Some(&after), Some(&before)) =
                    (at.get(skill.as_str()), at.get(requires.as_str()))
                    && followed(s)
                {
                    assert!(
                        before < after,
                        "{requires} must come before {skill}: {steps:?}"
                    );
                }
                if at.contains_key(skill.as_str()) && followed(s) {
                    assert!(
                        at.contains_key(requires.as_str()),
                        "{requires} is missing, {skill} needs it"
                    );
                }
            }
            let positions: Vec<u64> = path["steps"]
                .as_array()
                .unwrap()
                .iter()
                .map(|s| s["position"].as_u64().unwrap())
                .collect();
            assert_eq!(positions, (1..=steps.len() as u64).collect::<Vec<_>>());
            assert!(
                path["steps"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .all(|s| slugs(&s["neededBy"], "/slug") == ["microservices"])
            );

            // The same question gives the same answer.
            let again = server
                .post(
                    PATH,
                    json!({ "targets": ["microservices"], "strength": strength }),
                )
                .await;
            assert_eq!(again.body, answer.body);
        }
    }
}

#[tokio::test]
async fn known_skills_shorten_the_path_and_steps_name_their_targets() {
    for server in servers().await {
        let full = server
            .post(PATH, json!({ "targets": ["microservices", "orms"] }))
            .await;
        let full_steps = slugs(&full.body["data"]["learningPath"]["steps"], "/skill/slug");
        let known = server
            .post(
                PATH,
                json!({ "targets": ["microservices", "orms"], "known": ["apis", "sql"] }),
            )
            .await;
        let steps = slugs(&known.body["data"]["learningPath"]["steps"], "/skill/slug");
        assert!(
            !steps.contains(&"apis".to_owned()) && !steps.contains(&"sql".to_owned()),
            "{steps:?}"
        );
        assert!(
            steps.len() < full_steps.len(),
            "{steps:?} vs {full_steps:?}"
        );
        assert!(steps.iter().all(|s| full_steps.contains(s)));

        let needed_by: HashMap<String, Vec<String>> = full.body["data"]["learningPath"]["steps"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| {
                (
                    s["skill"]["slug"].as_str().unwrap().to_owned(),
                    slugs(&s["neededBy"], "/slug"),
                )
            })
            .collect();
        assert_eq!(needed_by["microservices"], ["microservices"]);
        assert_eq!(needed_by["orms"], ["orms"]);
        assert_eq!(needed_by["relational-databases"], ["orms"]);
        assert_eq!(needed_by["apis"], ["microservices"]);
    }
}

#[tokio::test]
async fn unknown_slugs_in_graph_questions_are_named() {
    for server in servers().await {
        for (query, variables, named) in [
            (
                PATH,
                json!({ "targets": ["no-such-skill"] }),
                "no-such-skill",
            ),
            (
                PATH,
                json!({ "targets": ["git"], "known": ["nope"] }),
                "nope",
            ),
            (PATH, json!({ "targets": [] }), "targets"),
            (
                r#"{ prerequisitePath(from: "internet", to: "missing") { slug } }"#,
                json!({}),
                "missing",
            ),
            (
                r#"{ skill(slug: "git") { prerequisites(transitive: true, maxDepth: 0) { distance } } }"#,
                json!({}),
                "maxDepth",
            ),
        ] {
            let answer = server.post(query, variables).await;
            assert_eq!(answer.error_codes(), ["BAD_USER_INPUT"], "{answer:?}");
            let message = answer.body["errors"][0]["message"].as_str().unwrap();
            assert!(message.contains(named), "{message}");
        }
    }
}

#[tokio::test]
async fn transitive_prerequisites_and_dependents_carry_distances() {
    for server in servers().await {
        let answer = server
            .post(
                r#"{ skill(slug: "microservices") {
                       direct: prerequisites { skill { slug } distance }
                       all: prerequisites(transitive: true) { skill { slug } distance strength }
                       near: prerequisites(transitive: true, maxDepth: 1) { skill { slug } }
                       required: prerequisites(transitive: true, strength: REQUIRED) { skill { slug } strength }
                     }
                     internet: skill(slug: "internet") { dependents(transitive: true) { skill { slug } distance } } }"#,
                json!({}),
            )
            .await;
        assert!(answer.body.get("errors").is_none(), "{answer:?}");
        let skill = &answer.body["data"]["skill"];
        let direct = slugs(&skill["direct"], "/skill/slug");
        let mut near = slugs(&skill["near"], "/skill/slug");
        let mut sorted_direct = direct.clone();
        near.sort();
        sorted_direct.sort();
        assert_eq!(near, sorted_direct);
        let all = skill["all"].as_array().unwrap();
        assert!(all.len() > direct.len());
        let distances: Vec<u64> = all
            .iter()
            .map(|l| l["distance"].as_u64().unwrap())
            .collect();
        assert!(
            distances.windows(2).all(|w| w[0] <= w[1]),
            "nearest first: {distances:?}"
        );
        let internet = all
            .iter()
            .find(|l| l["skill"]["slug"] == "internet")
            .expect("internet is needed");
        assert!(internet["distance"].as_u64().unwrap() >= 2);
        assert!(
            skill["required"]
                .as_array()
                .unwrap()
                .iter()
                .all(|l| l["strength"] == "REQUIRED")
        );
        let unlocked = slugs(
            &answer.body["data"]["internet"]["dependents"],
            "/skill/slug",
        );
        assert!(
            unlocked.contains(&"microservices".to_owned()),
            "{unlocked:?}"
        );
        let unique: HashSet<_> = unlocked.iter().collect();
        assert_eq!(unique.len(), unlocked.len());
    }
}

#[tokio::test]
async fn the_shortest_prerequisite_path_follows_edges_or_is_null() {
    for server in servers().await {
        let all_edges: HashSet<(String, String)> = edges(&server)
            .await
            .into_iter()
            .map(|(s, r, _)| (s, r))
            .collect();
        let answer = server
            .post(
                r#"{ there: prerequisitePath(from: "internet", to: "microservices") { slug }
                     back: prerequisitePath(from: "microservices", to: "internet") { slug } }"#,
                json!({}),
            )
            .await;
        let path = slugs(&answer.body["data"]["there"], "/slug");
        assert_eq!(path.first().map(String::as_str), Some("internet"));
        assert_eq!(path.last().map(String::as_str), Some("microservices"));
        for pair in path.windows(2) {
            assert!(
                all_edges.contains(&(pair[1].clone(), pair[0].clone())),
                "{pair:?}"
            );
        }
        assert_eq!(answer.body["data"]["back"], Value::Null);
    }
}

#[tokio::test]
async fn a_roadmap_learning_order_holds_every_skill_once_after_its_prerequisites() {
    for server in servers().await {
        let all_edges = edges(&server).await;
        let answer = server
            .post(
                r#"{ roadmap(slug: "backend") { learningOrder { slug } skillCount } }"#,
                json!({}),
            )
            .await;
        let roadmap = &answer.body["data"]["roadmap"];
        let order = slugs(&roadmap["learningOrder"], "/slug");
        assert_eq!(order.len() as u64, roadmap["skillCount"].as_u64().unwrap());
        let at: HashMap<&str, usize> = order
            .iter()
            .enumerate()
            .map(|(i, s)| (s.as_str(), i))
            .collect();
        assert_eq!(at.len(), order.len());
        for (skill, requires, _) in &all_edges {
            if let (Some(after), Some(before)) = (at.get(skill.as_str()), at.get(requires.as_str()))
            {
                assert!(before < after, "{requires} before {skill}");
            }
        }
    }
}
