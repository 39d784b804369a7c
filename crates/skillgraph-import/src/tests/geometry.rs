// Reads the `geo-*` fixtures (our own labels, in the editor's shapes) with
// `parse_roadmap_json` and checks where the page's geometry puts every node.

use std::path::Path;

use crate::{Group, Link, ParsedRoadmap, Placement, Report, WarningKind, parse_roadmap_json};

fn parse(folder: &str, name: &str) -> (ParsedRoadmap, Report) {
    let file = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(folder)
        .join(format!("{name}.json"));
    let text = std::fs::read_to_string(&file).unwrap_or_else(|e| panic!("{name}: {e}"));
    let mut report = Report::default();
    let roadmap = parse_roadmap_json(name, &text, &file, &mut report)
        .unwrap_or_else(|e| panic!("{name} parses: {e}"));
    (roadmap, report)
}

/// Every topic, in main-path order, with its subtopics' labels in order.
fn parents(roadmap: &ParsedRoadmap) -> Vec<(&str, Vec<&str>)> {
    roadmap
        .topics
        .iter()
        .map(|t| {
            (
                t.node.label.as_str(),
                t.subtopics.iter().map(|s| s.label.as_str()).collect(),
            )
        })
        .collect()
}

fn placement(by_edge: usize, by_column: usize, by_box: usize, by_guess: usize) -> Placement {
    Placement {
        by_edge,
        by_column,
        by_box,
        by_guess,
    }
}

#[test]
fn a_column_follows_its_one_linked_member() {
    // The top of one column is linked, the second of the other; their lower
    // members are nearer the next topic, where a guess would put them.
    let (roadmap, report) = parse("geo-columns", "columns");
    assert!(report.warnings.is_empty(), "{:#?}", report.warnings);
    assert_eq!(
        parents(&roadmap),
        [
            (
                "Shell Scripting",
                vec![
                    "Loops and Conditions",
                    "Exit Codes",
                    "Here Documents",
                    "Signal Traps"
                ]
            ),
            (
                "Package Registries",
                vec!["Mirrors", "Scoped Packages", "Lock Files", "Checksums"]
            ),
            ("Build Pipelines", vec![]),
        ]
    );
    assert_eq!(roadmap.placed, placement(2, 6, 0, 0));
}

#[test]
fn a_section_box_follows_its_own_link_or_an_inner_nodes() {
    // Each box sits nearer the other topic: only the box tells.
    let (roadmap, report) = parse("geo-section", "section");
    assert!(report.warnings.is_empty(), "{:#?}", report.warnings);
    assert_eq!(
        parents(&roadmap),
        [
            (
                "Data Modelling",
                vec![
                    "First Normal Form",
                    "Second Normal Form",
                    "Third Normal Form",
                    "Boyce-Codd Form"
                ]
            ),
            (
                "Query Tuning",
                vec!["Index Scans", "Join Order", "Plan Caching"]
            ),
        ]
    );
    assert_eq!(roadmap.placed, placement(1, 0, 6, 0));
    // The label in the box titles its subtopics.
    assert_eq!(
        roadmap.topics[0].groups,
        [Group {
            title: "Normal Forms".into(),
            members: vec![
                "s-1nf".into(),
                "s-2nf".into(),
                "s-3nf".into(),
                "s-bcnf".into()
            ],
        }]
    );
    assert!(roadmap.notes.is_empty(), "{:?}", roadmap.notes);
}

#[test]
fn columns_on_both_sides_of_close_topics_follow_their_links() {
    let (roadmap, report) = parse("geo-sides", "sides");
    assert!(report.warnings.is_empty(), "{:#?}", report.warnings);
    assert_eq!(
        parents(&roadmap),
        [
            (
                "Networking",
                vec![
                    "Sockets",
                    "Routing Tables",
                    "Name Resolution",
                    "Packet Capture"
                ]
            ),
            (
                "Security",
                vec!["Threat Models", "Certificates", "Access Lists", "Firewalls"]
            ),
        ]
    );
    assert_eq!(roadmap.placed, placement(2, 6, 0, 0));
}

#[test]
fn unlinked_columns_go_under_the_nearest_topic_by_box_distance() {
    // Corner to corner, `Regions` is nearer `Serverless`; box to box it
    // sits right under `Cloud Platforms`. A column is guessed as a whole.
    let (roadmap, report) = parse("geo-guess", "guess");
    assert_eq!(
        parents(&roadmap),
        [
            ("Cloud Platforms", vec!["Regions", "Availability Zones"]),
            ("Serverless", vec!["Cold Starts", "Function Triggers"]),
        ]
    );
    assert_eq!(roadmap.placed, placement(0, 0, 0, 4));
    assert_eq!(report.warnings.len(), 4, "{:#?}", report.warnings);
    for warning in &report.warnings {
        assert_eq!(warning.kind, WarningKind::Placement);
        assert!(warning.message.contains("nearest"), "{warning}");
    }
}

#[test]
fn line_nodes_draw_the_main_path() {
    // By position alone `Modules` (higher) would come before `Data Structures`.
    let (roadmap, report) = parse("geo-lines", "lines");
    assert!(report.warnings.is_empty(), "{:#?}", report.warnings);
    let order: Vec<&str> = roadmap
        .topics
        .iter()
        .map(|t| t.node.label.as_str())
        .collect();
    assert_eq!(
        order,
        ["Syntax Basics", "Data Structures", "Modules", "Packaging"]
    );
    let follows: Vec<&[usize]> = roadmap
        .topics
        .iter()
        .map(|t| t.follows.as_slice())
        .collect();
    // The dashed line from `Data Structures` down to `Packaging` is not the path.
    assert_eq!(follows, [&[][..], &[0], &[1], &[2]]);
    assert_eq!(roadmap.nodes_by_type.get("vertical"), Some(&3));
    assert_eq!(roadmap.nodes_by_type.get("horizontal"), Some(&1));
}

#[test]
fn headings_notes_repeats_and_links() {
    let (roadmap, report) = parse("geo-headings", "headings");
    assert_eq!(roadmap.title, "Headings Fixture");
    assert_eq!(
        parents(&roadmap),
        [
            ("Version Control", vec!["Forges", "Self Hosting"]),
            (
                "Code Review",
                vec!["Pair Review", "Async Review", "Review Bots"]
            ),
        ]
    );
    assert_eq!(roadmap.placed, placement(4, 1, 1, 0));

    // Repeated labels: one skill, the other nodes listed.
    assert_eq!(roadmap.topics[0].subtopics[0].also, ["s-forges-2"]);
    assert_eq!(roadmap.topics[1].node.also, ["t-cr2"]);
    assert!(roadmap.topics[0].subtopics[1].also.is_empty());
    let labels: Vec<&str> = report
        .warnings
        .iter()
        .filter(|w| w.kind == WarningKind::Label)
        .map(|w| w.message.as_str())
        .collect();
    assert_eq!(labels.len(), 2, "{labels:?}");
    assert!(labels.iter().all(|m| m.contains("one skill")), "{labels:?}");

    // A label over a column, a label inside a box.
    assert_eq!(
        roadmap.topics[0].groups,
        [Group {
            title: "Hosting Services".into(),
            members: vec!["s-forges".into(), "s-self".into()],
        }]
    );
    assert_eq!(
        roadmap.topics[1].groups,
        [Group {
            title: "Review Styles".into(),
            members: vec!["s-pair".into(), "s-async".into()],
        }]
    );
    // Free text outside boxes, top to bottom; the boxed aside is not a note.
    assert_eq!(
        roadmap.notes,
        ["Tip: read diffs slowly", "Work through these in any order."]
    );

    let link = |label: &str, url: &str, roadmap: Option<&str>| Link {
        label: label.into(),
        url: url.into(),
        roadmap: roadmap.map(str::to_owned),
    };
    assert_eq!(
        roadmap.links,
        [
            link(
                "Git Roadmap",
                "https://roadmap.sh/git-github",
                Some("git-github")
            ),
            link(
                "Review Practices",
                "https://roadmap.sh/best-practices/code-review",
                None
            ),
            link("A Guide", "https://roadmap.sh/guides/reading-diffs", None),
            link("Elsewhere", "https://example.com/review", None),
            link("All Roadmaps", "https://roadmap.sh/roadmaps", None),
            link("DevOps", "https://roadmap.sh/devops/", Some("devops")),
        ]
    );
    let shapes: Vec<&str> = report
        .warnings
        .iter()
        .filter(|w| w.kind == WarningKind::Shape)
        .map(|w| w.message.as_str())
        .collect();
    assert_eq!(shapes.len(), 1, "{shapes:?}");
    assert!(
        shapes[0].contains("mailto:team@example.com"),
        "{}",
        shapes[0]
    );
    assert_eq!(report.warnings.len(), 3, "{:#?}", report.warnings);

    let by_type: Vec<(&str, usize)> = roadmap
        .nodes_by_type
        .iter()
        .map(|(t, n)| (t.as_str(), *n))
        .collect();
    assert_eq!(
        by_type,
        [
            ("button", 2),
            ("label", 3),
            ("linksgroup", 1),
            ("none", 1),
            ("paragraph", 2),
            ("section", 2),
            ("subtopic", 6),
            ("title", 1),
            ("topic", 3),
        ]
    );
}
