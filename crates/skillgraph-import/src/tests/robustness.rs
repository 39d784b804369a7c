// Random folders and random text: the import never panics, and whatever it
// returns is a consistent catalog.

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use crate::{
    Report, import_dir, parse_front_matter, parse_resource_line, parse_roadmap_json,
    parse_topic_markdown,
};
use proptest::prelude::*;
use serde_json::json;
use skillgraph_domain::Catalog;

/// Labels that collide on purpose: same label in other case, same slug, no slug.
const LABELS: &[&str] = &[
    "Alpha", "alpha", "Beta", "Gamma", "Delta", "C++", "C#", "C", "???", "", "CI/CD", "CI CD",
];
const KINDS: &[&str] = &["topic", "subtopic", "title", "paragraph", "vertical"];
const LEGENDS: &[&str] = &[
    "",
    "Personal Recommendation",
    "Alternative Option",
    "Order not strict",
    "Optional",
    "Whatever",
];

#[derive(Debug, Clone)]
struct Node {
    id: usize,
    kind: usize,
    label: usize,
    legend: usize,
    x: i32,
    y: i32,
}

fn node() -> impl Strategy<Value = Node> {
    (
        0..12usize,
        0..KINDS.len(),
        0..LABELS.len(),
        0..LEGENDS.len(),
        -5..5i32,
        -5..5i32,
    )
        .prop_map(|(id, kind, label, legend, x, y)| Node {
            id,
            kind,
            label,
            legend,
            x,
            y,
        })
}

fn roadmap() -> impl Strategy<Value = (Vec<Node>, Vec<(usize, usize, bool)>)> {
    (
        prop::collection::vec(node(), 0..12),
        prop::collection::vec((0..14usize, 0..14usize, any::<bool>()), 0..20),
    )
}

fn roadmap_json(prefix: &str, nodes: &[Node], edges: &[(usize, usize, bool)]) -> String {
    let nodes: Vec<_> = nodes
        .iter()
        .map(|n| {
            let mut data = json!({ "label": LABELS[n.label] });
            if !LEGENDS[n.legend].is_empty() {
                data["legend"] = json!({ "id": "l", "label": LEGENDS[n.legend] });
            }
            json!({
                "id": format!("{prefix}{}", n.id),
                "type": KINDS[n.kind],
                "position": { "x": n.x * 100, "y": n.y * 100 },
                "data": data,
            })
        })
        .collect();
    let edges: Vec<_> = edges
        .iter()
        .enumerate()
        .map(|(i, &(s, t, dashed))| {
            json!({
                "id": format!("e{i}"),
                "source": format!("{prefix}{s}"),
                "target": format!("{prefix}{t}"),
                "data": { "edgeStyle": if dashed { "dashed" } else { "solid" } },
            })
        })
        .collect();
    json!({ "nodes": nodes, "edges": edges }).to_string()
}

static NEXT: AtomicUsize = AtomicUsize::new(0);

struct TempDir(PathBuf);

impl TempDir {
    fn new() -> Self {
        let dir = std::env::temp_dir().join(format!(
            "skillgraph-import-{}-{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        ));
        fs::create_dir_all(dir.join("content")).expect("temp dir");
        Self(dir)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.0);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn random_folders_make_consistent_catalogs(
        roadmaps in prop::collection::vec(roadmap(), 1..4),
        content in prop::collection::vec((0..12usize, ".{0,200}"), 0..6),
    ) {
        let dir = TempDir::new();
        for (i, (nodes, edges)) in roadmaps.iter().enumerate() {
            // The same node ids on every roadmap, so content files match several.
            let prefix = if i % 2 == 0 { "n" } else { "m" };
            fs::write(dir.0.join(format!("map-{i}.json")), roadmap_json(prefix, nodes, edges))
                .expect("write");
        }
        for (id, text) in &content {
            fs::write(dir.0.join("content").join(format!("x@n{id}.md")), text).expect("write");
        }
        let (bundle, report) = import_dir(&dir.0).expect("no content flaw is an error");
        prop_assert_eq!(report.skills, bundle.skills.len());
        if let Err(e) = Catalog::from_bundle(&bundle) {
            return Err(TestCaseError::fail(format!("{e}; warnings: {:#?}", report.warnings)));
        }
    }

    #[test]
    fn parsers_never_panic(text in "\\PC{0,300}") {
        let file = Path::new("x");
        let mut report = Report::default();
        let _ = parse_resource_line(&text);
        let _ = parse_topic_markdown(&text, file, &mut report);
        let _ = parse_roadmap_json("x", &text, file, &mut report);
        let _ = parse_front_matter(&text, file, &mut report);
        let _ = parse_front_matter(&format!("---\n{text}\n---\nbody"), file, &mut report);
    }

    #[test]
    fn markdown_like_text_never_panics(
        lines in prop::collection::vec(
            prop_oneof![
                Just("# Heading".to_owned()),
                Just("- [@artcle@T](http://example.com/a)".to_owned()),
                Just("- [@@](https://)".to_owned()),
                Just("Some text: e.g. this.".to_owned()),
                Just("```".to_owned()),
                Just("".to_owned()),
                "[-*#\\[\\]()@ a-z:/.]{0,40}",
            ],
            0..20,
        ),
    ) {
        let text = lines.join("\n");
        let mut report = Report::default();
        let content = parse_topic_markdown(&text, Path::new("x"), &mut report);
        if let Some(summary) = content.summary {
            prop_assert!(!summary.as_str().contains('\n'));
        }
    }
}
