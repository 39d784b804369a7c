// Imports the fixture folders (all content invented for these tests) and
// checks the bundle and the report.

use std::path::{Path, PathBuf};

use super::{fixture, import, skill};

use crate::{ImportError, import_dir};
use chrono::NaiveDate;
use skillgraph_domain::{Bundle, Catalog, Level, Recommendation, ResourceKind, Strength};

/// A roadmap as (section title, item skill, recommendation, [(child, recommendation)]).
type Outline = Vec<(
    String,
    String,
    Recommendation,
    Vec<(String, Recommendation)>,
)>;

fn outline(bundle: &Bundle, slug: &str) -> (String, Outline) {
    let roadmap = bundle
        .roadmaps
        .iter()
        .find(|r| r.slug.as_str() == slug)
        .unwrap_or_else(|| panic!("no roadmap `{slug}`"));
    let sections = roadmap
        .sections
        .iter()
        .map(|section| {
            assert_eq!(section.items.len(), 1, "one item per topic section");
            let item = &section.items[0];
            (
                section.title.to_string(),
                item.skill.to_string(),
                item.recommendation,
                item.children
                    .iter()
                    .map(|c| {
                        assert!(c.children.is_empty());
                        (c.skill.to_string(), c.recommendation)
                    })
                    .collect(),
            )
        })
        .collect();
    (roadmap.title.to_string(), sections)
}

fn s(text: &str) -> String {
    text.to_owned()
}

#[test]
fn clean_fixture_imports_exactly_and_without_warnings() {
    use Recommendation::{Alternative, Optional, OrderNotStrict, Recommended};
    let (bundle, report) = import("clean");
    assert!(report.warnings.is_empty(), "{:#?}", report.warnings);
    assert_eq!(
        (
            report.roadmaps,
            report.skills,
            report.resources,
            report.guides
        ),
        (2, 11, 11, 4)
    );
    Catalog::from_bundle(&bundle).expect("the bundle is a consistent catalog");

    // Skills in order of first appearance (roadmaps in file-name order).
    let slugs: Vec<&str> = bundle.skills.iter().map(|s| s.slug.as_str()).collect();
    assert_eq!(
        slugs,
        [
            "learn-sql",
            "dbt-basics",
            "incremental-models",
            "dashboards",
            "joins",
            "window-functions",
            "data-modeling",
            "batch-processing",
            "apache-spark",
            "hadoop-mapreduce",
            "stream-processing",
        ]
    );

    let (title, sections) = outline(&bundle, "analytics-engineer");
    assert_eq!(
        title, "Analytics Engineer",
        "no title node: made from the slug"
    );
    assert_eq!(
        sections,
        vec![
            (s("Learn SQL"), s("learn-sql"), Recommended, vec![]),
            (
                s("dbt Basics"),
                s("dbt-basics"),
                Recommended,
                vec![(s("incremental-models"), OrderNotStrict)]
            ),
            (s("Dashboards"), s("dashboards"), Recommended, vec![]),
        ]
    );
    let (title, sections) = outline(&bundle, "data-engineer");
    assert_eq!(title, "Data Engineer");
    assert_eq!(
        sections,
        vec![
            (
                s("Learn SQL"),
                s("learn-sql"),
                Recommended,
                vec![(s("joins"), Recommended), (s("window-functions"), Optional)]
            ),
            (
                s("Data Modeling"),
                s("data-modeling"),
                OrderNotStrict,
                vec![]
            ),
            (
                s("Batch Processing"),
                s("batch-processing"),
                Recommended,
                vec![
                    (s("apache-spark"), Recommended),
                    (s("hadoop-mapreduce"), Alternative)
                ]
            ),
            // Above Batch Processing on the page, but after it on the solid path.
            (
                s("Stream Processing"),
                s("stream-processing"),
                Alternative,
                vec![]
            ),
        ]
    );

    // Prerequisites follow the drawn main path among each roadmap's own
    // topics, as requirements; parents follow subtopics.
    let edges: Vec<(&str, Vec<&str>, Option<&str>)> = bundle
        .skills
        .iter()
        .map(|s| {
            assert!(
                s.prerequisites
                    .iter()
                    .all(|p| p.strength == Strength::Required)
            );
            (
                s.slug.as_str(),
                s.prerequisites.iter().map(|p| p.skill.as_str()).collect(),
                s.parent.as_ref().map(|p| p.as_str()),
            )
        })
        .collect();
    assert_eq!(
        edges,
        // Learn SQL is on both roadmaps: it takes part in no main-path
        // prerequisite, so nothing on one roadmap leads into the other.
        vec![
            ("learn-sql", vec![], None),
            ("dbt-basics", vec![], None),
            ("incremental-models", vec![], Some("dbt-basics")),
            ("dashboards", vec!["dbt-basics"], None),
            ("joins", vec![], Some("learn-sql")),
            ("window-functions", vec![], Some("learn-sql")),
            ("data-modeling", vec![], None),
            ("batch-processing", vec!["data-modeling"], None),
            ("apache-spark", vec![], Some("batch-processing")),
            ("hadoop-mapreduce", vec![], Some("batch-processing")),
            ("stream-processing", vec!["batch-processing"], None),
        ]
    );

    // The shared topic is one skill on both roadmaps, its content from the one file.
    let sql = skill(&bundle, "learn-sql");
    assert_eq!(sql.name.as_str(), "Learn SQL");
    assert_eq!(
        sql.summary.as_str(),
        "SQL is the shared language of almost every data store you will meet."
    );
    assert_eq!(
        sql.description.as_str(),
        "SQL is the shared language of almost every data store you will meet. Learn to select, \
         filter, group and aggregate rows before anything else, because every later topic leans \
         on it.\n\nPractise on a small dataset of your own, such as a year of your grocery receipts."
    );
    let tags: Vec<&str> = sql.tags.iter().map(|t| t.as_str()).collect();
    assert_eq!(tags, ["analytics-engineer", "data-engineer"]);
    assert!(bundle.skills.iter().all(|s| s.level == Level::Beginner));
    assert_eq!(
        skill(&bundle, "window-functions").summary.as_str(),
        "Window functions compute running totals and rankings without collapsing rows!"
    );
    assert_eq!(
        skill(&bundle, "batch-processing").summary.as_str(),
        "Batch jobs move data in large chunks on a schedule, e.g. nightly loads."
    );
    assert_eq!(
        skill(&bundle, "dashboards").summary.as_str(),
        "Dashboards put the numbers in front of the people who decide.",
        "found by slug: the file has no node id"
    );

    let resources: Vec<(&str, ResourceKind, &str, &str)> = bundle
        .skills
        .iter()
        .flat_map(|s| {
            s.resources
                .iter()
                .map(move |r| (s.slug.as_str(), r.kind, r.title.as_str(), r.url.as_str()))
        })
        .collect();
    use ResourceKind::*;
    assert_eq!(
        resources,
        vec![
            (
                "learn-sql",
                Official,
                "PostgreSQL Tutorial",
                "https://www.postgresql.org/docs/current/tutorial.html"
            ),
            (
                "learn-sql",
                Article,
                "Thinking in Sets",
                "https://example.com/articles/thinking-in-sets"
            ),
            (
                "learn-sql",
                Video,
                "SQL in Twenty Minutes",
                "https://example.com/videos/sql-twenty-minutes"
            ),
            (
                "dbt-basics",
                Official,
                "dbt Documentation",
                "https://docs.getdbt.com/docs/introduction"
            ),
            (
                "joins",
                Article,
                "Inner, Left and Full Joins Drawn Out",
                "https://example.com/articles/joins-drawn-out"
            ),
            (
                "data-modeling",
                Course,
                "Modeling for Analytics",
                "https://example.com/courses/modeling-for-analytics"
            ),
            (
                "data-modeling",
                Book,
                "The Little Book of Tables",
                "https://example.com/books/little-book-of-tables"
            ),
            (
                "batch-processing",
                OpenSource,
                "tinybatch",
                "https://github.com/example/tinybatch"
            ),
            (
                "batch-processing",
                Podcast,
                "Pipelines at Night",
                "https://example.com/podcasts/pipelines-at-night"
            ),
            (
                "stream-processing",
                Feed,
                "Streaming Weekly",
                "https://example.com/feeds/streaming-weekly"
            ),
            (
                "stream-processing",
                Roadmap,
                "Analytics Engineer Roadmap",
                "https://example.com/roadmaps/analytics-engineer"
            ),
        ]
    );

    // Guides: the two in the folder, then minimal ones for related links elsewhere.
    let guides: Vec<(&str, &str, &str, Vec<&str>)> = bundle
        .guides
        .iter()
        .map(|g| {
            (
                g.slug.as_str(),
                g.title.as_str(),
                g.url.as_str(),
                g.related.iter().map(|r| r.as_str()).collect(),
            )
        })
        .collect();
    assert_eq!(
        guides,
        vec![
            (
                "batch-or-stream",
                "Batch or Stream?",
                "https://roadmap.sh/guides/batch-or-stream",
                vec!["choosing-a-warehouse", "idempotent-pipelines"]
            ),
            (
                "choosing-a-warehouse",
                "Choosing a Data Warehouse",
                "https://roadmap.sh/guides/choosing-a-warehouse",
                vec!["batch-or-stream", "partitioning-explained"]
            ),
            (
                "idempotent-pipelines",
                "Idempotent Pipelines",
                "https://example.org/posts/idempotent-pipelines/",
                vec![]
            ),
            (
                "partitioning-explained",
                "Partitioning Explained",
                "https://example.org/guides/partitioning-explained",
                vec![]
            ),
        ]
    );
    let warehouse = &bundle.guides[1];
    assert_eq!(
        warehouse.description.as_str(),
        "How to weigh cost, speed and tooling when picking a warehouse."
    );
    assert_eq!(
        warehouse.author.as_ref().map(|a| a.as_str()),
        Some("mara-quinn")
    );
    assert_eq!(warehouse.published, NaiveDate::from_ymd_opt(2024, 2, 10));
    let tags: Vec<&str> = warehouse.tags.iter().map(|t| t.as_str()).collect();
    assert_eq!(tags, ["warehousing", "sql"]);
    assert_eq!(
        warehouse.body.as_ref().map(|b| b.as_str()),
        Some(
            "# Choosing a Data Warehouse\n\nStart from the queries you will run, not from the vendor list."
        )
    );
    assert_eq!(
        bundle.guides[0].published,
        NaiveDate::from_ymd_opt(2023, 11, 30)
    );
    let minimal = &bundle.guides[3];
    assert!(minimal.body.is_none() && minimal.author.is_none() && minimal.published.is_none());

    assert_eq!(bundle.authors.len(), 1);
    let author = &bundle.authors[0];
    assert_eq!(author.id.as_str(), "mara-quinn");
    assert_eq!(author.name.as_str(), "Mara Quinn");
    let links: Vec<&str> = author.links.iter().map(|l| l.as_str()).collect();
    assert_eq!(links, ["https://mara.example.com/"]);
}

#[test]
fn messy_fixture_imports_with_one_warning_per_flaw() {
    let (bundle, report) = import("messy");
    Catalog::from_bundle(&bundle).expect("the bundle is a consistent catalog");
    let json = fixture("messy").join("ops-basics.json");
    let shell = fixture("messy").join("content/shell-basics@t1.md");
    let guide = fixture("messy").join("guides/broken-date.md");
    let expected: Vec<(&Path, Option<usize>, &str)> = vec![
        (&json, Some(6), "duplicate node id `t2`"),
        // Legends are read once the whole roadmap is seen.
        (&json, Some(4), "the legend `Nice to have` (1 node"),
        (
            &json,
            Some(19),
            "edge `e-ghost` refers to the missing target `ghost`",
        ),
        (&json, Some(7), "the label `shell basics` appears twice"),
        (&json, Some(10), "`ci-cd-2` is used for `CI CD`"),
        (
            &shell,
            Some(5),
            "resource kind `artcle` is misspelt; read as `article`",
        ),
        (
            &shell,
            Some(6),
            "unknown resource kind `webinar`; read as `article`",
        ),
        (&shell, Some(7), "is http; upgraded to https"),
        (
            &shell,
            Some(9),
            "duplicate resource https://example.com/bash/manual",
        ),
        (
            &json,
            Some(8),
            "topic `Containers` (node `t4`) has no content file",
        ),
        (
            &guide,
            Some(3),
            "`date` `2024-02-30` is not a YYYY-MM-DD date",
        ),
    ];
    assert_eq!(
        report.warnings.len(),
        expected.len(),
        "{:#?}",
        report.warnings
    );
    for (warning, (file, line, text)) in report.warnings.iter().zip(&expected) {
        assert_eq!(warning.file, *file, "{warning}");
        assert_eq!(warning.line, *line, "{warning}");
        assert!(
            warning.message.contains(text),
            "{warning} should say {text}"
        );
    }
    let shown = report.warnings[5].to_string();
    assert!(
        shown.ends_with(
            "shell-basics@t1.md:5: resource kind `artcle` is misspelt; read as `article`"
        ),
        "{shown}"
    );

    let slugs: Vec<&str> = bundle.skills.iter().map(|s| s.slug.as_str()).collect();
    assert_eq!(
        slugs,
        [
            "shell-basics",
            "version-control",
            "git-hooks",
            "containers",
            "ci-cd",
            "ci-cd-2"
        ]
    );
    let shell_skill = skill(&bundle, "shell-basics");
    let kinds: Vec<(ResourceKind, &str)> = shell_skill
        .resources
        .iter()
        .map(|r| (r.kind, r.url.as_str()))
        .collect();
    assert_eq!(
        kinds,
        [
            (ResourceKind::Article, "https://example.com/articles/pipes"),
            (
                ResourceKind::Article,
                "https://example.com/events/shell-evening"
            ),
            (
                ResourceKind::Video,
                "https://example.com/videos/old-shell-talk"
            ),
            (ResourceKind::Official, "https://example.com/bash/manual"),
        ]
    );
    assert_eq!(
        skill(&bundle, "containers").summary.as_str(),
        "Learn Containers."
    );
    assert_eq!(
        skill(&bundle, "version-control").name.as_str(),
        "Version Control",
        "the first node with a duplicate id is kept"
    );
    let (_, sections) = outline(&bundle, "ops-basics");
    let topics: Vec<&str> = sections.iter().map(|s| s.1.as_str()).collect();
    assert_eq!(
        topics,
        [
            "shell-basics",
            "version-control",
            "containers",
            "ci-cd",
            "ci-cd-2"
        ],
        "the repeated label is on the roadmap once"
    );
    assert_eq!(bundle.guides.len(), 1);
    assert_eq!(bundle.guides[0].published, None);
    assert_eq!(report.resources, 4);
}

#[test]
fn malformed_json_is_unreadable_at_its_line() {
    let err = import_dir(&fixture("bad-json")).expect_err("malformed JSON");
    let ImportError::Unreadable {
        file,
        line,
        message,
    } = &err
    else {
        panic!("unreadable: {err}")
    };
    assert_eq!(file, &fixture("bad-json").join("broken.json"));
    assert_eq!(*line, Some(4));
    assert!(message.contains("not valid JSON"), "{message}");
    assert!(err.to_string().contains("broken.json:4: "), "{err}");
}

#[test]
fn malformed_front_matter_is_unreadable_at_its_line() {
    let err = import_dir(&fixture("bad-front-matter")).expect_err("malformed front matter");
    let ImportError::Unreadable {
        file,
        line,
        message,
    } = &err
    else {
        panic!("unreadable: {err}")
    };
    assert_eq!(file, &fixture("bad-front-matter").join("guides/bad.md"));
    assert_eq!(*line, Some(2), "{message}");
    assert!(
        message.contains("line 2"),
        "positions count file lines: {message}"
    );
}

#[test]
fn missing_directory_is_an_error() {
    let missing = fixture("no-such-fixture");
    let err = import_dir(&missing).expect_err("no directory");
    let ImportError::Unreadable { file, line, .. } = &err else {
        panic!("unreadable: {err}")
    };
    assert_eq!(file, &missing);
    assert_eq!(*line, None);
}

/// A scratch folder for tests that need files of their own.
struct Scratch(PathBuf);

impl Scratch {
    fn new(name: &str, files: &[(&str, &str)]) -> Self {
        let dir =
            std::env::temp_dir().join(format!("skillgraph-import-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        for (path, text) in files {
            let path = dir.join(path);
            std::fs::create_dir_all(path.parent().expect("a parent")).expect("mkdir");
            std::fs::write(path, text).expect("write");
        }
        Self(dir)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn chain(labels: &[(&str, &str)]) -> String {
    let nodes: Vec<String> = labels
        .iter()
        .enumerate()
        .map(|(i, (id, label))| {
            format!(
                r#"{{"id":"{id}","type":"topic","position":{{"x":0,"y":{}}},"data":{{"label":"{label}"}}}}"#,
                i * 100
            )
        })
        .collect();
    let edges: Vec<String> = labels
        .windows(2)
        .map(|w| {
            format!(
                r#"{{"id":"{0}-{1}","source":"{0}","target":"{1}"}}"#,
                w[0].0, w[1].0
            )
        })
        .collect();
    format!(
        r#"{{"nodes":[{}],"edges":[{}]}}"#,
        nodes.join(","),
        edges.join(",")
    )
}

#[test]
fn shared_topics_take_no_main_path_prerequisite_and_own_topics_walk_through_them() {
    // The two roadmaps even disagree on the order of the topics they share.
    let dir = Scratch::new(
        "shared",
        &[
            (
                "a.json",
                &chain(&[
                    ("a0", "Ingest"),
                    ("a1", "Extract"),
                    ("a2", "Load"),
                    ("a3", "Transform"),
                ]),
            ),
            (
                "b.json",
                &chain(&[
                    ("b1", "Load"),
                    ("b2", "Extract"),
                    ("b3", "Serve"),
                    ("b4", "Monitor"),
                ]),
            ),
            ("content/extract@a1.md", "# Extract\n\nPull data out."),
            ("content/load@a2.md", "# Load\n\nPut data in."),
        ],
    );
    let (bundle, report) = import_dir(&dir.0).expect("imports");
    Catalog::from_bundle(&bundle).expect("no cycle");
    assert!(
        report
            .warnings
            .iter()
            .all(|w| w.kind == crate::WarningKind::Content),
        "{:#?}",
        report.warnings
    );
    let needs = |slug: &str| -> Vec<String> {
        skill(&bundle, slug)
            .prerequisites
            .iter()
            .map(|p| p.skill.to_string())
            .collect()
    };
    assert!(needs("extract").is_empty() && needs("load").is_empty());
    assert_eq!(
        needs("transform"),
        ["ingest"],
        "walks through shared topics"
    );
    assert!(needs("serve").is_empty(), "only shared topics before it");
    assert_eq!(needs("monitor"), ["serve"]);
}

#[test]
fn labels_without_a_slug_fall_back_to_the_node_id() {
    let dir = Scratch::new(
        "noslug",
        &[
            ("m.json", &chain(&[("Node7", "???")])),
            ("content/x@Node7.md", "# ???\n\nPunctuation only."),
        ],
    );
    let (bundle, report) = import_dir(&dir.0).expect("imports");
    assert_eq!(report.warnings.len(), 1, "{:#?}", report.warnings);
    assert!(report.warnings[0].message.contains("`node-node7` is used"));
    assert_eq!(report.warnings[0].line, Some(1));
    assert_eq!(bundle.skills[0].slug.as_str(), "node-node7");
    assert_eq!(bundle.skills[0].name.as_str(), "???");
    Catalog::from_bundle(&bundle).expect("valid");
}

#[test]
fn a_roadmap_folder_as_shipped_is_one_roadmap_and_its_other_json_files_are_noted() {
    let scratch = Scratch::new(
        "shipped-folder",
        &[
            (
                "backend/backend.json",
                &chain(&[("t1", "Servers"), ("t2", "Queues")]),
            ),
            (
                "backend/backend-beginner.json",
                &chain(&[("b1", "Servers"), ("b2", "First steps")]),
            ),
            (
                "backend/migration-mapping.json",
                r#"{ "servers": "t1", "queues": "t2" }"#,
            ),
        ],
    );
    let (bundle, report) = import_dir(&scratch.0.join("backend")).expect("imports");
    let roadmaps: Vec<&str> = bundle.roadmaps.iter().map(|r| r.slug.as_str()).collect();
    assert_eq!(roadmaps, ["backend"]);
    let skills: Vec<&str> = bundle.skills.iter().map(|s| s.name.as_str()).collect();
    assert!(!skills.contains(&"First steps"), "{skills:?}");
    let notes: Vec<String> = report.warnings.iter().map(ToString::to_string).collect();
    for ignored in ["backend-beginner.json", "migration-mapping.json"] {
        assert!(
            notes
                .iter()
                .any(|n| n.contains(ignored) && n.contains("not the roadmap of this folder")),
            "{ignored}: {notes:#?}"
        );
    }

    // A folder of several roadmaps: an id map among them is no roadmap.
    let scratch = Scratch::new(
        "several-roadmaps",
        &[
            ("first.json", &chain(&[("t1", "Servers")])),
            ("second.json", &chain(&[("t2", "Queues")])),
            ("mapping.json", r#"{ "servers": "t1" }"#),
        ],
    );
    let (bundle, report) = import_dir(&scratch.0).expect("imports");
    let roadmaps: Vec<&str> = bundle.roadmaps.iter().map(|r| r.slug.as_str()).collect();
    assert_eq!(roadmaps, ["first", "second"]);
    assert!(
        report
            .warnings
            .iter()
            .any(|w| w.file.ends_with("mapping.json") && w.message.contains("no `nodes`")),
        "{:#?}",
        report.warnings
    );
}

/// A node in the editor's shape, with a size.
fn boxed(id: &str, kind: &str, x: i32, y: i32, width: i32, data: &str) -> String {
    format!(
        r#"{{"id":"{id}","type":"{kind}","position":{{"x":{x},"y":{y}}},"width":{width},"height":49,"data":{data}}}"#
    )
}

#[test]
fn repeated_labels_read_both_files_and_chart_text_is_kept() {
    let nodes = [
        boxed("t1", "topic", 0, 0, 220, r#"{"label":"Code Review"}"#),
        boxed("t2", "topic", 0, 300, 220, r#"{"label":"code  review"}"#),
        boxed(
            "h1",
            "label",
            400,
            -50,
            180,
            r#"{"label":"Where to review"}"#,
        ),
        boxed("s1", "subtopic", 400, 0, 180, r#"{"label":"Forges"}"#),
        boxed(
            "s2",
            "subtopic",
            400,
            49,
            180,
            r#"{"label":"Mailing Lists"}"#,
        ),
        boxed(
            "n1",
            "paragraph",
            0,
            600,
            300,
            r#"{"label":"Take the topics in any order."}"#,
        ),
        boxed(
            "g1",
            "linksgroup",
            0,
            700,
            300,
            r#"{"label":"More","links":[{"id":"k1","label":"Git","url":"/git-github"},{"id":"k2","label":"Elsewhere","url":"https://example.com/review"}]}"#,
        ),
    ];
    let map = format!(
        r#"{{"nodes":[{}],"edges":[{{"id":"e1","source":"t1","target":"s1"}}]}}"#,
        nodes.join(",")
    );
    let dir = Scratch::new(
        "repeats",
        &[
            ("review.json", &map),
            (
                "content/code-review@t1.md",
                "# Code Review\n\nReading a change before it lands.\n\n- [@article@Reviewing well](https://example.org/review)\n",
            ),
            (
                "content/code-review@t2.md",
                "# Code Review\n\nReading someone else's change closely before it lands, with questions rather than orders.\n\n- [@article@Small changes](https://example.org/small)\n",
            ),
        ],
    );
    let (bundle, report) = import_dir(&dir.0).expect("imports");
    assert!(
        !report
            .warnings
            .iter()
            .any(|w| w.message.contains("matches no topic")),
        "{:#?}",
        report.warnings
    );
    let review = skill(&bundle, "code-review");
    let urls: Vec<&str> = review.resources.iter().map(|r| r.url.as_str()).collect();
    assert_eq!(
        urls,
        ["https://example.org/review", "https://example.org/small"]
    );
    assert!(
        review
            .description
            .as_str()
            .contains("questions rather than orders")
    );
    let roadmap = &bundle.roadmaps[0];
    assert_eq!(roadmap.sections.len(), 1, "one skill, listed once");
    assert_eq!(
        roadmap.sections[0].description.as_str(),
        "- **Where to review**: Forges, Mailing Lists"
    );
    let description = roadmap.description.as_str();
    assert!(
        description.starts_with("Take the topics in any order."),
        "{description}"
    );
    assert!(
        description.contains("- [Git](https://roadmap.sh/git-github)")
            && description.contains("- [Elsewhere](https://example.com/review)"),
        "{description}"
    );
    let fidelity = &report.roadmap_fidelity[0];
    assert_eq!((fidelity.skills, fidelity.items), (3, 3));
    assert_eq!((fidelity.resources_read, fidelity.resources_kept), (2, 2));
    assert_eq!(fidelity.nodes_by_type.get("topic"), Some(&2));
}
