//! The roadmap JSON of the roadmap.sh editor: nodes and edges of a flow chart.

use std::cmp::{Ordering, Reverse};
use std::collections::{BinaryHeap, HashMap, HashSet};
use std::path::{Path, PathBuf};

use serde_json::Value;
use skillgraph_domain::Recommendation;

use crate::legend::LegendMark;
use crate::text::{Lines, label_key, one_line, title_from_slug};
use crate::{ImportError, Report, WarningKind};

/// One `topic` or `subtopic` node that will become a skill on the roadmap.
#[derive(Debug, Clone, PartialEq)]
pub struct ParsedNode {
    /// The editor's node id, which content files are named after.
    pub id: String,
    /// The label, on one line.
    pub label: String,
    /// What the node's legend says about it.
    pub recommendation: Recommendation,
    /// Where the node's `"id"` is in the JSON file, when it could be found.
    pub line: Option<usize>,
}

/// A topic of the main path with the subtopics attached to it.
#[derive(Debug, Clone, PartialEq)]
pub struct ParsedTopic {
    /// The topic node itself.
    pub node: ParsedNode,
    /// Its subtopics, top to bottom, then left to right.
    pub subtopics: Vec<ParsedNode>,
}

/// One roadmap JSON file, reduced to what becomes skills: topics in main-path
/// order, each with its subtopics. Labels are unique on it (case-folded).
#[derive(Debug, Clone, PartialEq)]
pub struct ParsedRoadmap {
    /// The slug it was given (the file stem).
    pub slug: String,
    /// The first `title` node's label, or a title made from the slug.
    pub title: String,
    /// The file it came from, for warnings.
    pub file: PathBuf,
    /// Topics in main-path order.
    pub topics: Vec<ParsedTopic>,
}

/// Node position, ordered top to bottom, then left to right, then by file order.
#[derive(Debug, Clone, Copy)]
struct Place {
    y: f64,
    x: f64,
    index: usize,
}

impl PartialEq for Place {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}
impl Eq for Place {}
impl PartialOrd for Place {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Place {
    fn cmp(&self, other: &Self) -> Ordering {
        self.y
            .total_cmp(&other.y)
            .then(self.x.total_cmp(&other.x))
            .then(self.index.cmp(&other.index))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum NodeKind {
    Topic,
    Subtopic,
    Title,
    Other,
}

#[derive(Debug)]
struct Node {
    id: String,
    kind: NodeKind,
    label: String,
    recommendation: Recommendation,
    place: Place,
    line: Option<usize>,
}

/// Lines of every `"id": "…"` pair in the file, in order, per id. serde_json
/// keeps no positions, so warnings find their node or edge by its id.
fn id_lines(text: &str) -> HashMap<String, Vec<usize>> {
    let lines = Lines::new(text);
    let mut found: HashMap<String, Vec<usize>> = HashMap::new();
    let bytes = text.as_bytes();
    for (at, _) in text.match_indices("\"id\"") {
        let mut i = at + 4;
        while i < bytes.len() && bytes[i].is_ascii_whitespace() {
            i += 1;
        }
        if bytes.get(i) != Some(&b':') {
            continue;
        }
        i += 1;
        while i < bytes.len() && bytes[i].is_ascii_whitespace() {
            i += 1;
        }
        if bytes.get(i) != Some(&b'"') {
            continue;
        }
        let start = i;
        i += 1;
        while i < bytes.len() && bytes[i] != b'"' {
            i += if bytes[i] == b'\\' { 2 } else { 1 };
        }
        if let Some(literal) = text.get(start..=i)
            && let Ok(id) = serde_json::from_str::<String>(literal)
        {
            found.entry(id).or_default().push(lines.line(at));
        }
    }
    found
}

fn id_text(value: &Value) -> Option<String> {
    match value {
        Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_owned()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn number(value: Option<&Value>) -> f64 {
    value.and_then(Value::as_f64).unwrap_or(0.0)
}

/// Whether an edge is drawn dashed or dotted: `data.edgeStyle`, or a dash array in its style.
fn is_dashed(edge: &Value) -> bool {
    if let Some(style) = edge.pointer("/data/edgeStyle").and_then(Value::as_str) {
        let style = style.trim().to_ascii_lowercase();
        if style == "dashed" || style == "dotted" {
            return true;
        }
        if style == "solid" {
            return false;
        }
    }
    match edge.pointer("/style/strokeDasharray") {
        Some(Value::String(dashes)) => {
            let dashes = dashes.trim();
            !(dashes.is_empty() || dashes == "0" || dashes.eq_ignore_ascii_case("none"))
        }
        Some(Value::Number(n)) => n.as_f64().is_some_and(|n| n > 0.0),
        _ => false,
    }
}

/// Parses one roadmap JSON file.
///
/// Only JSON that does not parse (or is not an object) is an error; every
/// flaw in its content becomes a warning in `report`: nodes without id or
/// label, duplicate node ids (the first is kept), edges whose source or target
/// is missing, unknown legends, subtopics attached to no or several topics,
/// solid edges that go round in a cycle, labels repeated on the roadmap (the
/// first is kept; a repeated topic's subtopics join the first).
pub fn parse_roadmap_json(
    slug: &str,
    text: &str,
    file: &Path,
    report: &mut Report,
) -> Result<ParsedRoadmap, ImportError> {
    let root: Value = serde_json::from_str(text).map_err(|e| ImportError::Unreadable {
        file: file.to_path_buf(),
        line: Some(e.line()),
        message: format!("not valid JSON: {e}"),
    })?;
    if !root.is_object() {
        return Err(ImportError::Unreadable {
            file: file.to_path_buf(),
            line: Some(1),
            message: "expected a JSON object with `nodes` and `edges`".into(),
        });
    }
    let lines = id_lines(text);
    let line_of = |id: &str, nth: usize| lines.get(id).and_then(|l| l.get(nth)).copied();
    let mut warn = |kind: WarningKind, line: Option<usize>, message: String| {
        report.warn(kind, file, line, message)
    };

    let raw_nodes = match root.get("nodes") {
        Some(Value::Array(nodes)) => nodes.as_slice(),
        Some(_) => {
            warn(
                WarningKind::Shape,
                None,
                "`nodes` is not a list; the roadmap has no topics".into(),
            );
            &[]
        }
        None => {
            warn(
                WarningKind::Shape,
                None,
                "no `nodes` list; the roadmap has no topics".into(),
            );
            &[]
        }
    };

    let mut nodes: Vec<Node> = Vec::new();
    // Legends are read once the whole roadmap is seen: its labelled
    // legends teach what its colours mean.
    let mut legends: Vec<(usize, LegendMark)> = Vec::new();
    let mut by_id: HashMap<String, usize> = HashMap::new();
    let mut seen_ids: HashMap<String, usize> = HashMap::new();
    for (position, raw) in raw_nodes.iter().enumerate() {
        let Some(id) = raw.get("id").and_then(id_text) else {
            warn(
                WarningKind::Shape,
                None,
                format!("node #{} has no id; it is ignored", position + 1),
            );
            continue;
        };
        let occurrence = seen_ids.entry(id.clone()).or_insert(0);
        let line = line_of(&id, *occurrence);
        *occurrence += 1;
        if by_id.contains_key(&id) {
            warn(
                WarningKind::Shape,
                line,
                format!("duplicate node id `{id}`; the first node with it is kept"),
            );
            continue;
        }
        let kind = match raw.get("type").and_then(Value::as_str).map(str::trim) {
            Some("topic") => NodeKind::Topic,
            Some("subtopic") => NodeKind::Subtopic,
            Some("title") => NodeKind::Title,
            _ => NodeKind::Other,
        };
        let label = raw
            .pointer("/data/label")
            .and_then(Value::as_str)
            .map(one_line)
            .unwrap_or_default();
        let recommendation = Recommendation::Recommended;
        if matches!(kind, NodeKind::Topic | NodeKind::Subtopic) {
            if label.is_empty() {
                warn(
                    WarningKind::Shape,
                    line,
                    format!(
                        "{} node `{id}` has no label; it is ignored",
                        kind_name(kind)
                    ),
                );
                continue;
            }
            if let Some(legend) = raw.pointer("/data/legend").filter(|l| !l.is_null()) {
                let text = |key: &str| legend.get(key).and_then(Value::as_str).map(one_line);
                legends.push((
                    nodes.len(),
                    LegendMark {
                        label: text("label").unwrap_or_default(),
                        color: text("color").filter(|c| !c.is_empty()),
                    },
                ));
            }
        }
        let place = Place {
            y: number(raw.pointer("/position/y")),
            x: number(raw.pointer("/position/x")),
            index: nodes.len(),
        };
        by_id.insert(id.clone(), nodes.len());
        nodes.push(Node {
            id,
            kind,
            label,
            recommendation,
            place,
            line,
        });
    }

    let marks: Vec<LegendMark> = legends.iter().map(|(_, mark)| mark.clone()).collect();
    let (read, unmatched) = crate::legend::resolve(&marks);
    for ((node, _), recommendation) in legends.iter().zip(read) {
        nodes[*node].recommendation = recommendation;
    }
    for legend in unmatched {
        let node = &nodes[legends[legend.first].0];
        let nodes_with = if legend.nodes == 1 {
            "1 node".to_owned()
        } else {
            format!("{} nodes", legend.nodes)
        };
        warn(
            WarningKind::Legend,
            node.line,
            format!(
                "the legend `{}` ({nodes_with}, first `{}`) says neither recommended, alternative, optional nor order not strict, and its colour does not tell; read as recommended",
                legend.label, node.label
            ),
        );
    }

    let raw_edges = match root.get("edges") {
        Some(Value::Array(edges)) => edges.as_slice(),
        Some(_) => {
            warn(
                WarningKind::Shape,
                None,
                "`edges` is not a list; it is ignored".into(),
            );
            &[]
        }
        None => &[],
    };
    let mut solid: Vec<(usize, usize)> = Vec::new();
    let mut attached: HashMap<usize, usize> = HashMap::new();
    let mut attach_order: Vec<usize> = Vec::new();
    for (position, edge) in raw_edges.iter().enumerate() {
        let edge_id = edge.get("id").and_then(id_text);
        let line = edge_id
            .as_deref()
            .and_then(|id| line_of(id, seen_ids.get(id).copied().unwrap_or(0)));
        let name = edge_id.map_or_else(
            || format!("edge #{}", position + 1),
            |id| format!("edge `{id}`"),
        );
        let end = |key: &str| edge.get(key).and_then(id_text);
        let (source, target) = match (end("source"), end("target")) {
            (Some(s), Some(t)) => (s, t),
            (s, _) => {
                let which = if s.is_none() { "source" } else { "target" };
                warn(
                    WarningKind::Shape,
                    line,
                    format!("{name} has no {which}; it is ignored"),
                );
                continue;
            }
        };
        let (Some(&from), Some(&to)) = (by_id.get(&source), by_id.get(&target)) else {
            let missing = if by_id.contains_key(&source) {
                format!("target `{target}`")
            } else {
                format!("source `{source}`")
            };
            warn(
                WarningKind::Shape,
                line,
                format!("{name} refers to the missing {missing}; it is ignored"),
            );
            continue;
        };
        match (nodes[from].kind, nodes[to].kind) {
            (NodeKind::Topic, NodeKind::Topic) if from != to && !is_dashed(edge) => {
                solid.push((from, to));
            }
            (NodeKind::Topic, NodeKind::Subtopic) | (NodeKind::Subtopic, NodeKind::Topic) => {
                let (topic, subtopic) = if nodes[from].kind == NodeKind::Topic {
                    (from, to)
                } else {
                    (to, from)
                };
                match attached.get(&subtopic) {
                    None => {
                        attached.insert(subtopic, topic);
                        attach_order.push(subtopic);
                    }
                    Some(&first) if first != topic => warn(
                        WarningKind::Placement,
                        line,
                        format!(
                            "subtopic `{}` is linked to topics `{}` and `{}`; it stays under `{}`",
                            nodes[subtopic].label,
                            nodes[first].label,
                            nodes[topic].label,
                            nodes[first].label
                        ),
                    ),
                    Some(_) => {}
                }
            }
            _ => {}
        }
    }

    let topics: Vec<usize> = (0..nodes.len())
        .filter(|&n| nodes[n].kind == NodeKind::Topic)
        .collect();
    let order = main_path(&nodes, &topics, &solid, &mut warn);

    // Subtopics linked to no topic go under the nearest one.
    for n in 0..nodes.len() {
        if nodes[n].kind != NodeKind::Subtopic || attached.contains_key(&n) {
            continue;
        }
        let nearest = topics.iter().copied().min_by(|&a, &b| {
            distance(&nodes[n].place, &nodes[a].place)
                .total_cmp(&distance(&nodes[n].place, &nodes[b].place))
        });
        match nearest {
            Some(topic) => {
                warn(
                    WarningKind::Placement,
                    nodes[n].line,
                    format!(
                        "subtopic `{}` is linked to no topic; it goes under the nearest, `{}`",
                        nodes[n].label, nodes[topic].label
                    ),
                );
                attached.insert(n, topic);
            }
            None => warn(
                WarningKind::Placement,
                nodes[n].line,
                format!(
                    "subtopic `{}` is linked to no topic and the roadmap has none; it is ignored",
                    nodes[n].label
                ),
            ),
        }
    }
    let mut subtopics_of: HashMap<usize, Vec<usize>> = HashMap::new();
    for (&subtopic, &topic) in &attached {
        subtopics_of.entry(topic).or_default().push(subtopic);
    }
    for list in subtopics_of.values_mut() {
        list.sort_by_key(|&n| nodes[n].place);
    }

    let parsed = |n: usize| ParsedNode {
        id: nodes[n].id.clone(),
        label: nodes[n].label.clone(),
        recommendation: nodes[n].recommendation,
        line: nodes[n].line,
    };
    // Labels are unique on a roadmap: a repeat is the same skill, which may appear once.
    let mut first_with_label: HashMap<String, (usize, Option<usize>)> = HashMap::new();
    let mut parsed_topics: Vec<ParsedTopic> = Vec::new();
    let mut section_of_topic: HashMap<usize, usize> = HashMap::new();
    for &topic in &order {
        let key = label_key(&nodes[topic].label);
        match first_with_label.get(&key) {
            Some(&(first, section)) => {
                warn(
                    WarningKind::Label,
                    nodes[topic].line,
                    format!(
                        "the label `{}` appears twice on this roadmap (nodes `{}` and `{}`); the first is kept",
                        nodes[topic].label, nodes[first].id, nodes[topic].id
                    ),
                );
                if let Some(section) = section {
                    section_of_topic.insert(topic, section);
                }
            }
            None => {
                first_with_label.insert(key, (topic, Some(parsed_topics.len())));
                section_of_topic.insert(topic, parsed_topics.len());
                parsed_topics.push(ParsedTopic {
                    node: parsed(topic),
                    subtopics: Vec::new(),
                });
            }
        }
    }
    for &topic in &order {
        let Some(&section) = section_of_topic.get(&topic) else {
            continue;
        };
        for &subtopic in subtopics_of.get(&topic).map_or(&[][..], Vec::as_slice) {
            let key = label_key(&nodes[subtopic].label);
            if let Some(&(first, _)) = first_with_label.get(&key) {
                warn(
                    WarningKind::Label,
                    nodes[subtopic].line,
                    format!(
                        "the label `{}` appears twice on this roadmap (nodes `{}` and `{}`); the first is kept",
                        nodes[subtopic].label, nodes[first].id, nodes[subtopic].id
                    ),
                );
                continue;
            }
            first_with_label.insert(key, (subtopic, None));
            parsed_topics[section].subtopics.push(parsed(subtopic));
        }
    }

    let title = nodes
        .iter()
        .filter(|n| n.kind == NodeKind::Title && !n.label.is_empty())
        .min_by_key(|n| n.place)
        .map_or_else(|| title_from_slug(slug), |n| n.label.clone());
    Ok(ParsedRoadmap {
        slug: slug.to_owned(),
        title,
        file: file.to_path_buf(),
        topics: parsed_topics,
    })
}

fn kind_name(kind: NodeKind) -> &'static str {
    if kind == NodeKind::Topic {
        "topic"
    } else {
        "subtopic"
    }
}

fn distance(a: &Place, b: &Place) -> f64 {
    (a.x - b.x).hypot(a.y - b.y)
}

/// Topics in main-path order: solid topic→topic edges are followed from the
/// topics nothing leads to; where several topics are free to come next, the
/// highest on the page (then the leftmost) goes first. A cycle of solid edges
/// is broken at its highest topic, with a warning.
fn main_path(
    nodes: &[Node],
    topics: &[usize],
    solid: &[(usize, usize)],
    warn: &mut impl FnMut(WarningKind, Option<usize>, String),
) -> Vec<usize> {
    let mut edges: HashSet<(usize, usize)> = HashSet::new();
    let mut next: HashMap<usize, Vec<usize>> = HashMap::new();
    let mut incoming: HashMap<usize, usize> = HashMap::new();
    for &(from, to) in solid {
        if edges.insert((from, to)) {
            next.entry(from).or_default().push(to);
            *incoming.entry(to).or_default() += 1;
        }
    }
    let mut ready: BinaryHeap<Reverse<Place>> = topics
        .iter()
        .filter(|t| !incoming.contains_key(t))
        .map(|&t| Reverse(nodes[t].place))
        .collect();
    let mut done: HashSet<usize> = HashSet::new();
    let mut order = Vec::with_capacity(topics.len());
    let mut cycle_reported = false;
    while order.len() < topics.len() {
        let Some(Reverse(place)) = ready.pop() else {
            // Only cycles are left: start again at the highest topic still waiting.
            let Some(stuck) = topics
                .iter()
                .copied()
                .filter(|t| !done.contains(t))
                .min_by_key(|&t| nodes[t].place)
            else {
                break;
            };
            if !cycle_reported {
                warn(
                    WarningKind::Order,
                    nodes[stuck].line,
                    format!(
                        "solid edges go round in a cycle through topic `{}`; the cycle is ordered by position",
                        nodes[stuck].label
                    ),
                );
                cycle_reported = true;
            }
            incoming.remove(&stuck);
            ready.push(Reverse(nodes[stuck].place));
            continue;
        };
        let topic = place.index;
        if !done.insert(topic) {
            continue;
        }
        order.push(topic);
        for &to in next.get(&topic).map_or(&[][..], Vec::as_slice) {
            if done.contains(&to) {
                continue;
            }
            if let Some(count) = incoming.get_mut(&to) {
                *count -= 1;
                if *count == 0 {
                    incoming.remove(&to);
                    ready.push(Reverse(nodes[to].place));
                }
            }
        }
    }
    order
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> (ParsedRoadmap, Report) {
        let mut report = Report::default();
        let roadmap = parse_roadmap_json("test-map", text, Path::new("t.json"), &mut report)
            .expect("valid JSON");
        (roadmap, report)
    }

    fn topic(id: &str, label: &str, y: i32) -> String {
        format!(
            r#"{{"id":"{id}","type":"topic","position":{{"x":0,"y":{y}}},"data":{{"label":"{label}"}}}}"#
        )
    }

    fn edge(source: &str, target: &str, style: &str) -> String {
        format!(
            r#"{{"id":"{source}-{target}","source":"{source}","target":"{target}","data":{{"edgeStyle":"{style}"}}}}"#
        )
    }

    fn map(nodes: &[String], edges: &[String]) -> String {
        format!(
            r#"{{"nodes":[{}],"edges":[{}]}}"#,
            nodes.join(","),
            edges.join(",")
        )
    }

    fn order(roadmap: &ParsedRoadmap) -> Vec<&str> {
        roadmap
            .topics
            .iter()
            .map(|t| t.node.label.as_str())
            .collect()
    }

    #[test]
    fn main_path_follows_solid_edges_then_position() {
        let text = map(
            &[
                topic("a", "A", 300),
                topic("b", "B", 100),
                topic("c", "C", 200),
                topic("d", "D", 50),
            ],
            &[
                edge("a", "b", "solid"),
                edge("b", "c", "solid"),
                edge("d", "c", "dashed"),
            ],
        );
        let (roadmap, report) = parse(&text);
        assert!(report.warnings.is_empty(), "{:?}", report.warnings);
        assert_eq!(order(&roadmap), ["D", "A", "B", "C"]);
        assert_eq!(roadmap.title, "Test Map");
    }

    #[test]
    fn a_solid_cycle_is_ordered_by_position_with_a_warning() {
        let text = map(
            &[topic("a", "A", 10), topic("b", "B", 0), topic("c", "C", 20)],
            &[
                edge("a", "b", "solid"),
                edge("b", "a", "solid"),
                edge("b", "c", "solid"),
            ],
        );
        let (roadmap, report) = parse(&text);
        assert_eq!(order(&roadmap), ["B", "A", "C"]);
        assert_eq!(report.warnings.len(), 1);
        assert!(report.warnings[0].message.contains("cycle"));
    }

    #[test]
    fn subtopics_attach_either_way_or_to_the_nearest_topic() {
        let sub = |id: &str, label: &str, x: i32, y: i32| {
            format!(
                r#"{{"id":"{id}","type":"subtopic","position":{{"x":{x},"y":{y}}},"data":{{"label":"{label}"}}}}"#
            )
        };
        let text = map(
            &[
                topic("a", "A", 0),
                topic("b", "B", 500),
                sub("s1", "Linked Backwards", 200, 0),
                sub("s2", "Floating", 200, 480),
            ],
            &[edge("a", "b", "solid"), edge("s1", "a", "dashed")],
        );
        let (roadmap, report) = parse(&text);
        assert_eq!(roadmap.topics[0].subtopics[0].label, "Linked Backwards");
        assert_eq!(roadmap.topics[1].subtopics[0].label, "Floating");
        assert_eq!(report.warnings.len(), 1);
        assert!(report.warnings[0].message.contains("nearest"));
        assert_eq!(report.warnings[0].line, Some(1));
    }

    #[test]
    fn legends_are_read_by_meaning_then_by_colour_with_one_warning_per_label() {
        // Spellings as real exports vary them; labels and text our own.
        let legend = |id: &str, y: i32, label: &str, color: &str| {
            format!(
                r#"{{"id":"{id}","type":"topic","position":{{"x":0,"y":{y}}},"data":{{"label":"Topic {id}","legend":{{"id":"l-{id}","label":"{label}","color":"{color}","position":"left-center"}}}}}}"#
            )
        };
        let nodes = [
            legend("a", 0, "Personal Recommendation / Opinion", "#874efe"),
            legend(
                "b",
                100,
                "Alternative Option - Pick this or Purple",
                "#4f7a28",
            ),
            legend(
                "c",
                200,
                "Order in Roadmap not Strict - Learn anytime",
                "#929292",
            ),
            legend(
                "d",
                300,
                "alternative option / pick this or purple",
                "#4f7a28",
            ),
            legend("e", 400, "", "#4F7A28"),
            legend("f", 500, "Team favourite", "#d4a017"),
            legend("g", 600, "Team favourite", "#d4a017"),
            legend("h", 700, "Optional", "#ffffff"),
        ];
        let (roadmap, report) = parse(&format!(r#"{{"nodes":[{}],"edges":[]}}"#, nodes.join(",")));
        let read: Vec<(String, Recommendation)> = roadmap
            .topics
            .iter()
            .map(|t| (t.node.label.clone(), t.node.recommendation))
            .collect();
        let of = |label: &str| read.iter().find(|(l, _)| l == label).map(|(_, r)| *r);
        assert_eq!(of("Topic a"), Some(Recommendation::Recommended));
        assert_eq!(of("Topic b"), Some(Recommendation::Alternative));
        assert_eq!(of("Topic c"), Some(Recommendation::OrderNotStrict));
        assert_eq!(of("Topic d"), Some(Recommendation::Alternative));
        // No label: the colour the roadmap's alternatives have.
        assert_eq!(of("Topic e"), Some(Recommendation::Alternative));
        assert_eq!(of("Topic f"), Some(Recommendation::Recommended));
        assert_eq!(of("Topic h"), Some(Recommendation::Optional));
        let legend_warnings: Vec<&str> = report
            .warnings
            .iter()
            .map(|w| w.message.as_str())
            .filter(|m| m.contains("legend"))
            .collect();
        assert_eq!(legend_warnings.len(), 1, "{legend_warnings:?}");
        assert!(
            legend_warnings[0].contains("`Team favourite` (2 nodes"),
            "{}",
            legend_warnings[0]
        );
    }

    #[test]
    fn json_that_is_not_an_object_is_unreadable() {
        let mut report = Report::default();
        let err = parse_roadmap_json("x", "[1, 2]", Path::new("x.json"), &mut report);
        assert!(matches!(
            err,
            Err(ImportError::Unreadable { line: Some(1), .. })
        ));
        let (roadmap, report) = parse("{}");
        assert!(roadmap.topics.is_empty());
        assert_eq!(report.warnings.len(), 1);
    }
}
