//! Real roadmap.sh folders through the real binary: a clone of the
//! repository imported as it is (fixture `repo`: our own text in the
//! repository's layout and the editor's shapes), roadmaps picked with
//! `--roadmap`, the fidelity report, roadmaps that share topics without
//! leaking paths into each other, and merges that lose nothing.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Output;

use serde_json::{Value, json};
use skillgraph_domain::{Bundle, BundleSkill};

use crate::harness::{Server, databases, slugs};
use crate::import_export::{fixture, run, scratch_file};

fn succeeded(output: &Output) -> String {
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert!(output.status.success(), "{stderr}");
    stderr
}

fn repo() -> PathBuf {
    fixture("repo")
}

fn export(database_url: &str, name: &str) -> Bundle {
    let file = scratch_file(name);
    succeeded(&run(&["export", file.to_str().unwrap()], database_url));
    let text = std::fs::read_to_string(&file).unwrap();
    let _ = std::fs::remove_file(&file);
    skillgraph_bundle::parse(name, &text).expect("an export parses")
}

fn import(path: &Path, extra: &[&str], database_url: &str) -> String {
    let mut args = vec!["import"];
    args.extend_from_slice(extra);
    args.push(path.to_str().unwrap());
    succeeded(&run(&args, database_url))
}

const API_ONLY: &[&str] = &[
    "internet-basics",
    "http-servers",
    "routing",
    "middleware",
    "deployment",
    "containers",
];
const SCRIPT_ONLY: &[&str] = &["shell-usage", "packaging", "fixtures", "test-doubles"];

#[tokio::test]
async fn a_clone_of_the_repository_imports_as_it_is_with_a_fidelity_report() {
    for database in databases().await {
        let report_file = scratch_file("fidelity.json");
        let stderr = import(
            &repo(),
            &["--report", report_file.to_str().unwrap()],
            database.url(),
        );
        // Other JSON files of a roadmap folder are noted, never roadmaps.
        assert!(
            stderr.contains("api-basics-beginner.json: not the roadmap"),
            "{stderr}"
        );
        assert!(
            stderr.contains("migration-mapping.json: not the roadmap"),
            "{stderr}"
        );
        // No subtopic is guessed and no legend unmatched on this fixture.
        assert!(!stderr.contains("nearest"), "{stderr}");
        assert!(!stderr.contains("legend `"), "{stderr}");
        assert!(
            stderr.contains("api-basics:"),
            "a line per roadmap: {stderr}"
        );

        let report: Value =
            serde_json::from_str(&std::fs::read_to_string(&report_file).unwrap()).unwrap();
        let _ = std::fs::remove_file(&report_file);
        let roadmaps = report["roadmaps"].as_array().expect("roadmaps");
        assert_eq!(roadmaps.len(), 2, "{report:#}");
        let api = &roadmaps[0];
        assert_eq!(api["roadmap"], "api-basics");
        assert_eq!(api["nodesByType"]["topic"], 5, "{api:#}");
        assert_eq!(api["nodesByType"]["subtopic"], 3, "{api:#}");
        assert_eq!(api["placed"]["byGuess"], 0, "{api:#}");
        assert_eq!(api["placed"]["byEdge"], 2, "{api:#}");
        assert_eq!(api["placed"]["byColumn"], 1, "{api:#}");
        assert_eq!(api["skills"], 8, "{api:#}");
        assert_eq!(api["resourcesRead"], 4, "{api:#}");
        assert_eq!(api["resourcesKept"], 4, "{api:#}");
        assert!(
            report["warnings"]["file"].as_u64().unwrap() >= 3,
            "{report:#}"
        );

        let server = Server::start(database, &[]);
        let answer = server
            .post(
                r#"{
                  api: roadmap(slug: "api-basics") {
                    title description relatedRoadmaps { slug }
                    sections { title items { skill { slug } children { recommendation skill { slug } } } }
                  }
                  guide(slug: "api-status-codes") { title url tags relatedGuides { slug } }
                }"#,
                json!({}),
            )
            .await;
        let data = &answer.body["data"];
        assert_eq!(data["api"]["title"], "API Basics Developer", "{answer:?}");
        let description = data["api"]["description"].as_str().unwrap();
        assert!(
            description.starts_with("A step by step path"),
            "{description}"
        );
        assert!(
            description.contains("https://roadmap.sh/cloud-basics"),
            "a related roadmap outside the import is a link: {description}"
        );
        assert_eq!(
            slugs(&data["api"]["relatedRoadmaps"], "/slug"),
            ["script-basics"]
        );
        // Legends read by meaning, whatever their spelling.
        let items: Vec<(String, String)> = data["api"]["sections"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|s| s["items"][0]["children"].as_array().unwrap().iter())
            .map(|c| {
                (
                    c["skill"]["slug"].as_str().unwrap().to_owned(),
                    c["recommendation"].as_str().unwrap().to_owned(),
                )
            })
            .collect();
        assert!(
            items.contains(&("middleware".into(), "ALTERNATIVE".into()))
                && items.contains(&("containers".into(), "RECOMMENDED".into())),
            "{items:?}"
        );
        let http = data["api"]["sections"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["title"] == "HTTP Servers")
            .expect("an HTTP Servers section");
        assert_eq!(
            slugs(&http["items"][0]["children"], "/skill/slug"),
            ["routing", "middleware"],
            "the column's unlinked node follows its linked one"
        );
        let guide = &data["guide"];
        assert_eq!(guide["title"], "Status codes in 2025");
        assert_eq!(guide["url"], "https://roadmap.sh/api-basics/status-codes");
        assert_eq!(guide["tags"], json!(["http"]));
        assert_eq!(slugs(&guide["relatedGuides"], "/slug"), ["api-versioning"]);
    }
}

/// The editor-shaped placement fixtures of the import crate.
const PLACEMENT_FIXTURES: [&str; 5] = [
    "geo-columns",
    "geo-section",
    "geo-sides",
    "geo-lines",
    "geo-headings",
];

#[tokio::test]
async fn subtopics_are_placed_by_edge_column_or_box_never_guessed_where_those_decide() {
    for database in databases().await {
        let url = database.url().to_owned();
        for (at, name) in PLACEMENT_FIXTURES.iter().enumerate() {
            let path = fixture(name);
            let report_file = scratch_file(&format!("{name}.json"));
            let mut args = vec!["--report", report_file.to_str().unwrap()];
            if at > 0 {
                args.push("--merge");
            }
            let stderr = import(&path, &args, &url);
            assert!(!stderr.contains("goes under the"), "{name}: {stderr}");
            let report: Value =
                serde_json::from_str(&std::fs::read_to_string(&report_file).unwrap()).unwrap();
            let _ = std::fs::remove_file(&report_file);
            let placed = &report["roadmaps"][0]["placed"];
            assert_eq!(placed["byGuess"], 0, "{name}: {report:#}");
        }
        // Where the guess is all there is, it says so and still decides.
        let guess = fixture("geo-guess");
        let stderr = import(&guess, &["--merge"], &url);
        assert!(stderr.contains("goes under the"), "{stderr}");
        let server = Server::start(database, &[]);
        let answer = server
            .post(
                "{ roadmaps(first: 50) { nodes { slug sections { items { skill { slug } children { skill { slug parent { slug } } } } } } } }",
                json!({}),
            )
            .await;
        let roadmaps = answer.body["data"]["roadmaps"]["nodes"].as_array().unwrap();
        assert_eq!(roadmaps.len(), PLACEMENT_FIXTURES.len() + 1, "{answer:?}");
        for roadmap in roadmaps {
            for section in roadmap["sections"].as_array().unwrap() {
                let item = &section["items"][0];
                for child in item["children"].as_array().unwrap() {
                    assert_eq!(
                        child["skill"]["parent"]["slug"], item["skill"]["slug"],
                        "{}: a child item's skill is under its topic's skill",
                        roadmap["slug"]
                    );
                }
            }
        }
    }
}

#[tokio::test]
async fn roadmaps_are_picked_by_name_and_an_unknown_name_is_refused() {
    for database in databases().await {
        let refused = run(
            &[
                "import",
                "--roadmap",
                "no-such-map",
                repo().to_str().unwrap(),
            ],
            database.url(),
        );
        assert!(!refused.status.success());
        let message = String::from_utf8_lossy(&refused.stderr);
        assert!(
            message.contains("no roadmap named no-such-map")
                && message.contains("api-basics, script-basics"),
            "{message}"
        );
        import(&repo(), &["--roadmap", "script-basics"], database.url());
        let bundle = export(database.url(), "picked.yaml");
        let roadmaps: Vec<&str> = bundle.roadmaps.iter().map(|r| r.slug.as_str()).collect();
        assert_eq!(roadmaps, ["script-basics"]);
        assert!(
            bundle
                .skills
                .iter()
                .all(|s| !API_ONLY.contains(&s.slug.as_str()))
        );
    }
}

/// The learning path of every skill of `roadmap`, with the default arguments.
async fn paths_of(server: &Server, roadmap: &str) -> Vec<(String, Vec<String>)> {
    let answer = server
        .post(
            "query($slug: String!) { roadmap(slug: $slug) { learningOrder { slug } } }",
            json!({ "slug": roadmap }),
        )
        .await;
    let order = slugs(&answer.body["data"]["roadmap"]["learningOrder"], "/slug");
    assert!(!order.is_empty(), "{answer:?}");
    let mut paths = vec![(format!("learningOrder of {roadmap}"), order.clone())];
    for skill in order {
        let answer = server
            .post(
                "query($t: [String!]!) { learningPath(targets: $t, known: []) { steps { skill { slug } } } }",
                json!({ "t": [skill] }),
            )
            .await;
        let path = slugs(&answer.body["data"]["learningPath"]["steps"], "/skill/slug");
        assert!(!path.is_empty(), "{answer:?}");
        paths.push((format!("learningPath to {skill}"), path));
    }
    paths
}

#[tokio::test]
async fn roadmaps_that_share_topics_never_walk_each_others_paths() {
    for database in databases().await {
        import(&repo(), &[], database.url());
        let server = Server::start(database, &[]);
        for (roadmap, foreign) in [("api-basics", SCRIPT_ONLY), ("script-basics", API_ONLY)] {
            for (what, path) in paths_of(&server, roadmap).await {
                let leaked: Vec<&String> = path
                    .iter()
                    .filter(|s| foreign.contains(&s.as_str()))
                    .collect();
                assert!(leaked.is_empty(), "{what} walks {leaked:?}: {path:?}");
            }
        }
        // The drawn main path is a real prerequisite chain among a
        // roadmap's own topics: the default path is more than its target.
        let answer = server
            .post(
                r#"{ learningPath(targets: ["deployment"], known: []) { steps { skill { slug } } } }"#,
                json!({}),
            )
            .await;
        assert_eq!(
            slugs(&answer.body["data"]["learningPath"]["steps"], "/skill/slug"),
            ["internet-basics", "http-servers", "deployment"],
            "{answer:?}"
        );
    }
}

/// The facts of a skill a merge must keep, as comparable strings; its
/// prerequisites apart, since a roadmap's main path gives prerequisites
/// only among the topics that are on it alone.
fn facts(skill: &BundleSkill, prerequisites: bool) -> BTreeSet<String> {
    let mut facts = BTreeSet::new();
    facts.extend(skill.tags.iter().map(|t| format!("tag {t}")));
    facts.extend(skill.aliases.iter().map(|a| format!("alias {a}")));
    facts.extend(
        skill
            .resources
            .iter()
            .map(|r| format!("resource {}", r.url.as_str().trim_end_matches('/'))),
    );
    facts.extend(skill.parent.iter().map(|p| format!("parent {p}")));
    if prerequisites {
        facts.extend(
            skill
                .prerequisites
                .iter()
                .map(|p| format!("requires {}", p.skill)),
        );
    }
    facts
}

fn skill<'b>(bundle: &'b Bundle, slug: &str) -> &'b BundleSkill {
    bundle
        .skills
        .iter()
        .find(|s| s.slug.as_str() == slug)
        .unwrap_or_else(|| panic!("no skill {slug}"))
}

/// `part`'s skills' facts that `merged` lacks.
fn lost(
    part: &Bundle,
    merged: &Bundle,
    prerequisites: impl Fn(&BundleSkill) -> bool,
) -> Vec<String> {
    let mut lost = Vec::new();
    for original in &part.skills {
        let now = skill(merged, original.slug.as_str());
        let with = prerequisites(original);
        lost.extend(
            facts(original, with)
                .difference(&facts(now, with))
                .map(|fact| format!("{}: {fact}", original.slug)),
        );
        if now.description.as_str().len() < original.description.as_str().len() {
            lost.push(format!("{}: its longer description", original.slug));
        }
    }
    lost
}

fn database_with(roadmaps: &[&str], url: &str) -> Bundle {
    let mut args = Vec::new();
    for name in roadmaps {
        args.extend(["--roadmap", name]);
    }
    import(&repo(), &args, url);
    export(url, "part.yaml")
}

#[tokio::test]
async fn merging_one_roadmap_after_another_loses_nothing() {
    for (a, b) in [
        ("api-basics", "script-basics"),
        ("script-basics", "api-basics"),
    ] {
        // What each roadmap says alone, and what both say together (the
        // prerequisites of the second one's own topics, which it cannot
        // know alone).
        let first = database_with(&[a], databases().await.remove(0).url());
        let second = database_with(&[b], databases().await.remove(0).url());
        let both = database_with(&[a, b], databases().await.remove(0).url());
        let on_second_only = |s: &BundleSkill| s.tags.len() == 1 && s.tags[0].as_str() == b;
        for database in databases().await {
            import(&repo(), &["--roadmap", a], database.url());
            let stderr = import(&repo(), &["--merge", "--roadmap", b], database.url());
            assert!(
                stderr.contains("warning: merge: `testing` has two descriptions"),
                "a choice between two values is told: {stderr}"
            );
            assert!(
                stderr.contains("`testing` is also on"),
                "a topic the catalog holds on another roadmap is told: {stderr}"
            );
            let merged = export(database.url(), "merged.yaml");
            let mut missing = lost(&first, &merged, |_| true);
            missing.extend(lost(&second, &merged, |_| false));
            missing.extend(
                lost(&both, &merged, |s| on_second_only(s))
                    .into_iter()
                    .filter(|f| f.contains("requires")),
            );
            assert!(missing.is_empty(), "{a} then {b} lost {missing:?}");
            for roadmap in first.roadmaps.iter().chain(&second.roadmaps) {
                assert!(
                    merged.roadmaps.iter().any(|r| r == roadmap),
                    "{}",
                    roadmap.slug
                );
            }
        }
    }
}
