//! `skillgraph import` and `skillgraph export`: the bundle format round-trips
//! losslessly, roadmap.sh folders load with warnings, and unreadable input
//! writes nothing.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::json;

use crate::harness::{Server, binary, databases, workspace_root};
use crate::read_api::NESTED_ROADMAP;

/// Runs `skillgraph ARGS --database-url URL`.
pub(crate) fn run(args: &[&str], database_url: &str) -> Output {
    Command::new(binary())
        .args(args)
        .args(["--database-url", database_url])
        .output()
        .expect("run skillgraph")
}

/// A file name in the temporary folder, unique to this test run.
pub(crate) fn scratch_file(name: &str) -> PathBuf {
    std::env::temp_dir().join(format!("skillgraph-test-{}-{name}", std::process::id()))
}

/// A fixture folder of the import crate.
pub(crate) fn fixture(name: &str) -> PathBuf {
    workspace_root()
        .join("crates/skillgraph-import/fixtures")
        .join(name)
}

fn text(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[tokio::test]
async fn export_then_import_into_an_empty_database_gives_the_same_catalog() {
    let mut engines = databases().await.into_iter();
    let mut more = databases().await.into_iter();
    while let (Some(original), Some(copy)) = (engines.next(), more.next()) {
        let server = Server::start(original, &[]);
        let before = server
            .post(NESTED_ROADMAP, json!({ "slug": "backend" }))
            .await;
        let original = server.stop().expect("owned database");

        let first = scratch_file("first.yaml");
        let exported = run(&["export", first.to_str().unwrap()], original.url());
        assert!(
            exported.status.success(),
            "{}",
            String::from_utf8_lossy(&exported.stderr)
        );
        let imported = run(&["import", first.to_str().unwrap()], copy.url());
        assert!(
            imported.status.success(),
            "{}",
            String::from_utf8_lossy(&imported.stderr)
        );
        let second = scratch_file("second.yaml");
        let again = run(&["export", second.to_str().unwrap()], copy.url());
        assert!(again.status.success());
        assert!(
            text(&first) == text(&second),
            "the second export differs from the first"
        );

        let copied = Server::start(copy, &[]);
        let after = copied
            .post(NESTED_ROADMAP, json!({ "slug": "backend" }))
            .await;
        assert_eq!(
            after.body, before.body,
            "the copy answers the nested roadmap identically"
        );
        let imported_again = run(&["import", first.to_str().unwrap()], &copied_url(&copied));
        assert!(
            !imported_again.status.success(),
            "a non-empty catalog is not imported into without --merge"
        );
        assert!(String::from_utf8_lossy(&imported_again.stderr).contains("--merge"));

        // Merging a catalog's own export into it changes nothing but the version.
        let copy = copied.stop().expect("owned database");
        let merged = run(&["import", "--merge", first.to_str().unwrap()], copy.url());
        assert!(
            merged.status.success(),
            "{}",
            String::from_utf8_lossy(&merged.stderr)
        );
        let remerged = Server::start(copy, &[]);
        let after_merge = remerged
            .post(NESTED_ROADMAP, json!({ "slug": "backend" }))
            .await;
        assert_eq!(
            after_merge.body, before.body,
            "ids and data survive the merge"
        );
        for file in [first, second] {
            let _ = std::fs::remove_file(file);
        }
    }
}

fn copied_url(server: &Server) -> String {
    server.database_url().expect("owned database").to_owned()
}

#[tokio::test]
async fn a_roadmap_sh_folder_imports_with_warnings_and_serves() {
    for database in databases().await {
        let messy = run(
            &["import", fixture("messy").to_str().unwrap()],
            database.url(),
        );
        assert!(
            messy.status.success(),
            "{}",
            String::from_utf8_lossy(&messy.stderr)
        );
        let report = String::from_utf8_lossy(&messy.stderr);
        assert!(report.contains("warning: "), "{report}");
        assert!(
            report
                .lines()
                .any(|l| l.starts_with("warning: ") && l.contains(".md:")),
            "warnings name file and line: {report}"
        );
        let server = Server::start(database, &[]);
        let answer = server
            .post(
                "{ roadmaps { totalCount nodes { slug sections { items { skill { slug } } } } } }",
                json!({}),
            )
            .await;
        assert!(
            answer.body["data"]["roadmaps"]["totalCount"]
                .as_u64()
                .unwrap()
                >= 1,
            "{answer:?}"
        );
    }
}

#[tokio::test]
async fn a_roadmap_sh_folder_merges_into_the_bundled_dataset() {
    for database in databases().await {
        // Seed the bundled dataset, then merge a roadmap.sh folder into it.
        let database = Server::start(database, &[]).stop().expect("owned database");
        let refused = run(
            &["import", fixture("clean").to_str().unwrap()],
            database.url(),
        );
        assert!(!refused.status.success(), "a full catalog needs --merge");
        // The README's line merges the repository-shaped fixture too.
        for folder in ["clean", "repo"] {
            let merged = run(
                &["import", "--merge", fixture(folder).to_str().unwrap()],
                database.url(),
            );
            assert!(
                merged.status.success(),
                "{folder}: {}",
                String::from_utf8_lossy(&merged.stderr)
            );
        }
        let server = Server::start(database, &[]);
        let answer = server
            .post("{ roadmaps { nodes { slug } } }", json!({}))
            .await;
        let roadmaps = crate::harness::slugs(&answer.body["data"]["roadmaps"]["nodes"], "/slug");
        for slug in [
            "backend",
            "devops",
            "data-engineer",
            "analytics-engineer",
            "api-basics",
            "script-basics",
        ] {
            assert!(
                roadmaps.contains(&slug.to_owned()),
                "{slug} in {roadmaps:?}"
            );
        }
    }
}

#[tokio::test]
async fn unreadable_input_names_the_file_and_line_and_writes_nothing() {
    for database in databases().await {
        let broken = run(
            &["import", fixture("bad-json").to_str().unwrap()],
            database.url(),
        );
        assert!(!broken.status.success());
        let message = String::from_utf8_lossy(&broken.stderr);
        assert!(
            message.contains("broken.json") && message.contains(':'),
            "{message}"
        );
        let malformed = scratch_file("malformed.yaml");
        std::fs::write(
            &malformed,
            "format: skillgraph-bundle/1\nskills:\n  - slug: Not A Slug\n",
        )
        .unwrap();
        let refused = run(&["import", malformed.to_str().unwrap()], database.url());
        assert!(!refused.status.success());
        assert!(String::from_utf8_lossy(&refused.stderr).contains("malformed.yaml"));
        let _ = std::fs::remove_file(malformed);

        // Nothing was written: a server started with --no-seed finds an empty catalog.
        let server = Server::start(database, &["--no-seed"]);
        let answer = server
            .post(
                "{ skills { totalCount } roadmaps { totalCount } }",
                json!({}),
            )
            .await;
        assert_eq!(answer.body["data"]["skills"]["totalCount"], 0, "{answer:?}");
        assert_eq!(answer.body["data"]["roadmaps"]["totalCount"], 0);
    }
}
