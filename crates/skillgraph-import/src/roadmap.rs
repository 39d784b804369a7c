//! The roadmap JSON of the roadmap.sh editor: nodes and edges of a flow chart.

use std::cmp::{Ordering, Reverse};
use std::collections::hash_map::Entry;
use std::collections::{BTreeMap, BinaryHeap, HashMap, HashSet, VecDeque};
use std::path::{Path, PathBuf};

use serde_json::Value;
use skillgraph_domain::Recommendation;
use url::Url;

use crate::geometry::{Rect, along_line, heads, stacked};
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
    /// Ids of the other topic or subtopic nodes on this roadmap with the same
    /// label, in main-path order: they are this one skill, drawn again, and
    /// their content files belong to it too.
    pub also: Vec<String>,
}

/// A titled group of a topic's subtopics: a `label` or `paragraph` node
/// heading a column of subtopics or a `section` box of them, so the grouping
/// the page shows is not lost.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Group {
    /// The heading's text, on one line.
    pub title: String,
    /// The node ids of the group's subtopics, in the topic's subtopic order.
    pub members: Vec<String>,
}

/// A topic of the main path with the subtopics attached to it.
#[derive(Debug, Clone, PartialEq)]
pub struct ParsedTopic {
    /// The topic node itself.
    pub node: ParsedNode,
    /// Its subtopics, top to bottom, then left to right.
    pub subtopics: Vec<ParsedNode>,
    /// Indices into [`ParsedRoadmap::topics`] of the topics that lead to this
    /// one by a drawn path (a solid edge or a `vertical`/`horizontal` line
    /// node), ascending: the path the author drew, as opposed to the order
    /// guessed from position.
    pub follows: Vec<usize>,
    /// Headed groups of its subtopics, top to bottom by heading.
    pub groups: Vec<Group>,
}

/// How the subtopics of a roadmap found their topic, counted, so a curator
/// can see how much of the hierarchy was drawn and how much guessed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Placement {
    /// Linked to a topic by an edge (either direction, any style).
    pub by_edge: usize,
    /// Following a placed subtopic of its column, or one an edge links it to.
    pub by_column: usize,
    /// Inside a `section` box that is linked (itself, or a node in it) to a topic.
    pub by_box: usize,
    /// Under the nearest topic by box distance, with a warning.
    pub by_guess: usize,
}

/// A link drawn on the roadmap as a `button` or in a `linksgroup`, so related
/// roadmaps and pages are not lost.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Link {
    /// The link's text, on one line (the url when it has none).
    pub label: String,
    /// The absolute url; relative ones are resolved against `https://roadmap.sh`.
    pub url: String,
    /// The roadmap's slug when the url is a roadmap.sh roadmap page:
    /// `https://roadmap.sh/<slug>` (or `www.`, `http`, a trailing `/`), one
    /// path segment of lowercase letters, digits and hyphens that is not
    /// another page of the site (`guides`, `best-practices`, `questions`,
    /// `projects`, `roadmaps`, `teams`, …); deeper paths are never roadmaps.
    pub roadmap: Option<String>,
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
    /// How its subtopics were placed under their topics.
    pub placed: Placement,
    /// Every entry of the `nodes` list by its `type` (`"none"` when it has
    /// none), ignored entries included: what the source holds.
    pub nodes_by_type: BTreeMap<String, usize>,
    /// Text of the `paragraph` and `label` nodes that head no group and are
    /// in no `section` box, top to bottom: prose for the roadmap's description.
    pub notes: Vec<String>,
    /// The `button` and `linksgroup` links, top to bottom (a link's order in
    /// its group kept), each url once.
    pub links: Vec<Link>,
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
    /// A `section` box drawn around nodes.
    Section,
    /// A `vertical` or `horizontal` line node.
    Line {
        vertical: bool,
    },
    /// A `label` or `paragraph` node: text that may head a group.
    Heading,
    Other,
}

#[derive(Debug)]
struct Node {
    id: String,
    kind: NodeKind,
    label: String,
    recommendation: Recommendation,
    place: Place,
    rect: Rect,
    /// A line node drawn dashed or dotted.
    dashed: bool,
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

/// Whether a style's `strokeDasharray` draws dashes.
fn has_dashes(dashes: Option<&Value>) -> bool {
    match dashes {
        Some(Value::String(dashes)) => {
            let dashes = dashes.trim();
            !(dashes.is_empty() || dashes == "0" || dashes.eq_ignore_ascii_case("none"))
        }
        Some(Value::Number(n)) => n.as_f64().is_some_and(|n| n > 0.0),
        _ => false,
    }
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
    has_dashes(edge.pointer("/style/strokeDasharray"))
}

/// Parses one roadmap JSON file.
///
/// Only JSON that does not parse (or is not an object) is an error; every
/// flaw in its content becomes a warning in `report`: nodes without id or
/// label, duplicate node ids (the first is kept), edges whose source or target
/// is missing, unknown legends, subtopics attached to no or several topics,
/// solid edges that go round in a cycle, labels repeated on the roadmap (one
/// skill: the first node is kept, the others listed in its
/// [`ParsedNode::also`]; a repeated topic's subtopics join the first), links
/// that are no web address.
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
    let mut nodes_by_type: BTreeMap<String, usize> = BTreeMap::new();
    // Legends are read once the whole roadmap is seen: its labelled
    // legends teach what its colours mean.
    let mut legends: Vec<(usize, LegendMark)> = Vec::new();
    let mut drawn_links: Vec<DrawnLink> = Vec::new();
    let mut by_id: HashMap<String, usize> = HashMap::new();
    let mut seen_ids: HashMap<String, usize> = HashMap::new();
    for (position, raw) in raw_nodes.iter().enumerate() {
        let node_type = raw
            .get("type")
            .and_then(Value::as_str)
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .unwrap_or("none");
        *nodes_by_type.entry(node_type.to_owned()).or_insert(0) += 1;
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
        let kind = match node_type {
            "topic" => NodeKind::Topic,
            "subtopic" => NodeKind::Subtopic,
            "title" => NodeKind::Title,
            "section" => NodeKind::Section,
            "vertical" => NodeKind::Line { vertical: true },
            "horizontal" => NodeKind::Line { vertical: false },
            "label" | "paragraph" => NodeKind::Heading,
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
        let text_at = |value: &Value, key: &str| {
            value
                .get(key)
                .and_then(Value::as_str)
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
        };
        match node_type {
            "button" => {
                if let Some(href) = raw.get("data").and_then(|d| text_at(d, "href")) {
                    drawn_links.push(DrawnLink {
                        place,
                        label: label.clone(),
                        href,
                        line,
                    });
                }
            }
            "linksgroup" => {
                let links = raw.pointer("/data/links").and_then(Value::as_array);
                for link in links.map_or(&[][..], Vec::as_slice) {
                    if let Some(href) = text_at(link, "url") {
                        drawn_links.push(DrawnLink {
                            place,
                            label: link
                                .get("label")
                                .and_then(Value::as_str)
                                .map(one_line)
                                .unwrap_or_default(),
                            href,
                            line,
                        });
                    }
                }
            }
            _ => {}
        }
        let dashed = matches!(kind, NodeKind::Line { .. })
            && has_dashes(raw.pointer("/data/style/strokeDasharray"));
        by_id.insert(id.clone(), nodes.len());
        nodes.push(Node {
            id,
            kind,
            label,
            recommendation,
            place,
            rect: Rect::of(raw, node_type),
            dashed,
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
    // Other nodes (sections, labels, …) linked to a topic: the first topic each.
    let mut linked_topic: HashMap<usize, usize> = HashMap::new();
    let mut subtopic_links: Vec<(usize, usize)> = Vec::new();
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
            (NodeKind::Subtopic, NodeKind::Subtopic) if from != to => {
                subtopic_links.push((from, to));
            }
            // Dashed topic→topic edges and self-links carry no meaning here.
            (NodeKind::Topic, NodeKind::Topic) | (NodeKind::Subtopic, NodeKind::Subtopic) => {}
            (NodeKind::Topic, _) => {
                linked_topic.entry(to).or_insert(from);
            }
            (_, NodeKind::Topic) => {
                linked_topic.entry(from).or_insert(to);
            }
            _ => {}
        }
    }

    let topics: Vec<usize> = (0..nodes.len())
        .filter(|&n| nodes[n].kind == NodeKind::Topic)
        .collect();
    // Line nodes drawn between topics are the main path too.
    let topic_boxes: Vec<(usize, Rect)> = topics.iter().map(|&t| (t, nodes[t].rect)).collect();
    for node in &nodes {
        if let NodeKind::Line { vertical } = node.kind
            && !node.dashed
        {
            let on = along_line(&node.rect, vertical, &topic_boxes);
            solid.extend(on.windows(2).map(|pair| (pair[0], pair[1])));
        }
    }
    let order = main_path(&nodes, &topics, &solid, &mut warn);

    let mut subtopics: Vec<usize> = (0..nodes.len())
        .filter(|&n| nodes[n].kind == NodeKind::Subtopic)
        .collect();
    subtopics.sort_by_key(|&n| nodes[n].place);
    let mut sections: Vec<usize> = (0..nodes.len())
        .filter(|&n| nodes[n].kind == NodeKind::Section)
        .collect();
    sections.sort_by(|&a, &b| {
        nodes[a]
            .rect
            .area()
            .total_cmp(&nodes[b].rect.area())
            .then(a.cmp(&b))
    });
    let mut column: HashMap<usize, Vec<usize>> = HashMap::new();
    for (i, &a) in subtopics.iter().enumerate() {
        for &b in &subtopics[i + 1..] {
            if stacked(&nodes[a].rect, &nodes[b].rect) {
                column.entry(a).or_default().push(b);
                column.entry(b).or_default().push(a);
            }
        }
    }
    let layout = Layout {
        nodes: &nodes,
        topics: &topics,
        subtopics: &subtopics,
        sections: &sections,
        column: &column,
    };
    let (attached, placed) =
        layout.place_subtopics(attached, &subtopic_links, &linked_topic, &mut warn);

    let mut subtopics_of: HashMap<usize, Vec<usize>> = HashMap::new();
    for &subtopic in &subtopics {
        if let Some(&topic) = attached.get(&subtopic) {
            subtopics_of.entry(topic).or_default().push(subtopic);
        }
    }

    let parsed = |n: usize| ParsedNode {
        id: nodes[n].id.clone(),
        label: nodes[n].label.clone(),
        recommendation: nodes[n].recommendation,
        line: nodes[n].line,
        also: Vec::new(),
    };
    // Labels are unique on a roadmap: a repeat is the same skill, listed once,
    // with the repeat's node id in `also`.
    let mut first_with_label: HashMap<String, Kept> = HashMap::new();
    let mut parsed_topics: Vec<ParsedTopic> = Vec::new();
    let mut section_of_topic: HashMap<usize, usize> = HashMap::new();
    // Where each subtopic node is listed: its topic's index and the kept node's id.
    let mut listed: HashMap<usize, (usize, String)> = HashMap::new();
    let repeated = |warn: &mut dyn FnMut(WarningKind, Option<usize>, String),
                    parsed_topics: &mut Vec<ParsedTopic>,
                    kept: Kept,
                    n: usize| {
        let first = match kept {
            Kept::Topic(t) => &mut parsed_topics[t].node,
            Kept::Subtopic(t, s) => &mut parsed_topics[t].subtopics[s],
        };
        warn(
            WarningKind::Label,
            nodes[n].line,
            format!(
                "the label `{}` appears twice on this roadmap (nodes `{}` and `{}`); they are one skill, listed once",
                nodes[n].label, first.id, nodes[n].id
            ),
        );
        first.also.push(nodes[n].id.clone());
        first.id.clone()
    };
    for &topic in &order {
        let key = label_key(&nodes[topic].label);
        match first_with_label.get(&key) {
            Some(&kept) => {
                repeated(&mut warn, &mut parsed_topics, kept, topic);
                if let Kept::Topic(section) = kept {
                    section_of_topic.insert(topic, section);
                }
            }
            None => {
                first_with_label.insert(key, Kept::Topic(parsed_topics.len()));
                section_of_topic.insert(topic, parsed_topics.len());
                parsed_topics.push(ParsedTopic {
                    node: parsed(topic),
                    subtopics: Vec::new(),
                    follows: Vec::new(),
                    groups: Vec::new(),
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
            if let Some(&kept) = first_with_label.get(&key) {
                let id = repeated(&mut warn, &mut parsed_topics, kept, subtopic);
                if let Kept::Subtopic(t, _) = kept {
                    listed.insert(subtopic, (t, id));
                }
                continue;
            }
            let at = parsed_topics[section].subtopics.len();
            first_with_label.insert(key, Kept::Subtopic(section, at));
            listed.insert(subtopic, (section, nodes[subtopic].id.clone()));
            parsed_topics[section].subtopics.push(parsed(subtopic));
        }
    }

    // The drawn path: solid edges and line nodes, between listed topics.
    for &(from, to) in &solid {
        if let (Some(&from), Some(&to)) = (section_of_topic.get(&from), section_of_topic.get(&to))
            && from != to
        {
            parsed_topics[to].follows.push(from);
        }
    }
    for topic in &mut parsed_topics {
        topic.follows.sort_unstable();
        topic.follows.dedup();
    }

    let notes = layout.headings(&listed, &mut parsed_topics);
    let links = resolve_links(drawn_links, &mut warn);

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
        placed,
        nodes_by_type,
        notes,
        links,
    })
}

/// Where the first node with a label was listed.
#[derive(Debug, Clone, Copy)]
enum Kept {
    /// As the topic at this index.
    Topic(usize),
    /// As this subtopic of the topic at this index.
    Subtopic(usize, usize),
}

/// A link as drawn, before its url is resolved.
struct DrawnLink {
    place: Place,
    label: String,
    href: String,
    line: Option<usize>,
}

/// Pages of roadmap.sh with one path segment that are not roadmaps.
const NOT_ROADMAPS: &[&str] = &[
    "about",
    "account",
    "advertise",
    "ai",
    "ai-tutor",
    "best-practices",
    "changelog",
    "community",
    "courses",
    "dashboard",
    "get-started",
    "guides",
    "login",
    "pdfs",
    "podcasts",
    "privacy",
    "projects",
    "questions",
    "roadmaps",
    "signup",
    "teams",
    "terms",
    "videos",
];

/// The roadmap slug of a roadmap.sh roadmap page: `https://roadmap.sh/<slug>`
/// (or `www.roadmap.sh`, `http`, a trailing `/`, a query or fragment), one
/// path segment of lowercase letters, digits and hyphens that is not one of
/// the site's other pages ([`NOT_ROADMAPS`]: `guides`, `best-practices`,
/// `questions`, `projects`, …). Deeper paths are never roadmaps.
fn roadmap_slug(url: &Url) -> Option<String> {
    if !matches!(url.host_str(), Some("roadmap.sh" | "www.roadmap.sh")) {
        return None;
    }
    let mut segments = url.path_segments()?.filter(|s| !s.is_empty());
    let slug = segments.next()?;
    let is_slug = slug.split('-').all(|part| {
        !part.is_empty()
            && part
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
    });
    (segments.next().is_none() && is_slug && !NOT_ROADMAPS.contains(&slug)).then(|| slug.to_owned())
}

/// Resolves drawn links against `https://roadmap.sh`, top to bottom, each url
/// once; an href that makes no http(s) address is left out with a warning.
fn resolve_links(
    mut drawn: Vec<DrawnLink>,
    warn: &mut impl FnMut(WarningKind, Option<usize>, String),
) -> Vec<Link> {
    drawn.sort_by_key(|link| link.place);
    let base = Url::parse("https://roadmap.sh/").ok();
    let mut seen: HashSet<String> = HashSet::new();
    let mut links = Vec::new();
    for link in drawn {
        let resolved = base
            .as_ref()
            .and_then(|base| base.join(&link.href).ok())
            .filter(|url| matches!(url.scheme(), "http" | "https"));
        let Some(url) = resolved else {
            warn(
                WarningKind::Shape,
                link.line,
                format!(
                    "the link `{}` goes to `{}`, which is no web address; it is left out",
                    link.label, link.href
                ),
            );
            continue;
        };
        if !seen.insert(url.as_str().to_owned()) {
            continue;
        }
        links.push(Link {
            label: if link.label.is_empty() {
                url.as_str().to_owned()
            } else {
                link.label
            },
            roadmap: roadmap_slug(&url),
            url: url.into(),
        });
    }
    links
}

/// The one topic named, when all name the same.
fn only_one(mut topics: impl Iterator<Item = usize>) -> Option<usize> {
    let first = topics.next()?;
    topics.all(|t| t == first).then_some(first)
}

fn kind_name(kind: NodeKind) -> &'static str {
    if kind == NodeKind::Topic {
        "topic"
    } else {
        "subtopic"
    }
}

/// The page's geometry, for placing subtopics and finding group headings.
struct Layout<'a> {
    nodes: &'a [Node],
    /// Topic nodes, in file order.
    topics: &'a [usize],
    /// Subtopic nodes, top to bottom, then left to right.
    subtopics: &'a [usize],
    /// `section` boxes, smallest first.
    sections: &'a [usize],
    /// For each subtopic, the subtopics stacked on or under it.
    column: &'a HashMap<usize, Vec<usize>>,
}

impl Layout<'_> {
    /// The boxes holding a node's centre, smallest first.
    fn boxes_of(&self, n: usize) -> impl Iterator<Item = usize> + '_ {
        let rect = self.nodes[n].rect;
        self.sections
            .iter()
            .copied()
            .filter(move |&b| b != n && self.nodes[b].rect.holds(&rect))
    }

    /// The subtopics of `start`'s column (stacked, transitively), top to bottom.
    fn column_of(&self, start: usize) -> Vec<usize> {
        let mut members = vec![start];
        let mut seen: HashSet<usize> = HashSet::from([start]);
        let mut i = 0;
        while i < members.len() {
            for &n in self.column.get(&members[i]).map_or(&[][..], Vec::as_slice) {
                if seen.insert(n) {
                    members.push(n);
                }
            }
            i += 1;
        }
        members.sort_by_key(|&n| self.nodes[n].place);
        members
    }

    /// Places every subtopic under a topic: by an edge to a topic; else with
    /// its column or the subtopics edges link it to; else by the `section`
    /// box it is in; else under the topic nearest its group, with a warning.
    fn place_subtopics(
        &self,
        by_edge: HashMap<usize, usize>,
        subtopic_links: &[(usize, usize)],
        linked_topic: &HashMap<usize, usize>,
        warn: &mut impl FnMut(WarningKind, Option<usize>, String),
    ) -> (HashMap<usize, usize>, Placement) {
        let nodes = self.nodes;
        let mut placed = Placement {
            by_edge: by_edge.len(),
            ..Placement::default()
        };
        let mut group: HashMap<usize, Vec<usize>> = self.column.clone();
        for &(a, b) in subtopic_links {
            group.entry(a).or_default().push(b);
            group.entry(b).or_default().push(a);
        }
        let mut attached = by_edge.clone();
        // Unattached subtopics follow the nearest attached member of their
        // group (fewest steps), breadth first from every attached one.
        let spread = |attached: &mut HashMap<usize, usize>| {
            let mut queue: VecDeque<usize> = self
                .subtopics
                .iter()
                .copied()
                .filter(|s| attached.contains_key(s))
                .collect();
            let mut count = 0;
            while let Some(s) = queue.pop_front() {
                let Some(&topic) = attached.get(&s) else {
                    continue;
                };
                for &n in group.get(&s).map_or(&[][..], Vec::as_slice) {
                    if let Entry::Vacant(slot) = attached.entry(n) {
                        slot.insert(topic);
                        count += 1;
                        queue.push_back(n);
                    }
                }
            }
            count
        };
        placed.by_column += spread(&mut attached);

        // A box's topic: the section's own edge, else the one topic the nodes
        // in it are linked to, else the one topic of its subtopics placed with
        // their column. A box whose nodes name several topics (a background
        // frame) tells nothing.
        let mut box_topic: HashMap<usize, usize> = HashMap::new();
        for &section in self.sections {
            let rect = nodes[section].rect;
            let inside: Vec<usize> = (0..nodes.len())
                .filter(|&n| n != section && nodes[n].kind != NodeKind::Topic)
                .filter(|&n| rect.holds(&nodes[n].rect))
                .collect();
            let linked = inside
                .iter()
                .filter_map(|n| by_edge.get(n).or_else(|| linked_topic.get(n)))
                .copied()
                .collect::<Vec<_>>();
            let topic = match linked_topic.get(&section) {
                Some(&topic) => Some(topic),
                None if !linked.is_empty() => only_one(linked.into_iter()),
                None => only_one(inside.iter().filter_map(|n| attached.get(n).copied())),
            };
            if let Some(topic) = topic {
                box_topic.insert(section, topic);
            }
        }
        for &s in self.subtopics {
            if attached.contains_key(&s) {
                continue;
            }
            if let Some(&topic) = self.boxes_of(s).find_map(|b| box_topic.get(&b)) {
                attached.insert(s, topic);
                placed.by_box += 1;
            }
        }
        placed.by_column += spread(&mut attached);

        // What is left goes, group by group, under the topic nearest any member.
        let mut guessed: HashSet<usize> = HashSet::new();
        for &s in self.subtopics {
            if attached.contains_key(&s) || guessed.contains(&s) {
                continue;
            }
            let mut members = vec![s];
            guessed.insert(s);
            let mut i = 0;
            while i < members.len() {
                for &n in group.get(&members[i]).map_or(&[][..], Vec::as_slice) {
                    if !attached.contains_key(&n) && guessed.insert(n) {
                        members.push(n);
                    }
                }
                i += 1;
            }
            members.sort_by_key(|&n| nodes[n].place);
            let mut nearest: Option<(f64, usize)> = None;
            for &m in &members {
                for &t in self.topics {
                    let d = nodes[m].rect.distance(&nodes[t].rect);
                    let closer = nearest.is_none_or(|(best, bt)| {
                        d.total_cmp(&best)
                            .then(nodes[t].place.cmp(&nodes[bt].place))
                            .is_lt()
                    });
                    if closer {
                        nearest = Some((d, t));
                    }
                }
            }
            for &m in &members {
                match nearest {
                    Some((_, topic)) => {
                        let message = if members.len() == 1 {
                            format!(
                                "subtopic `{}` is linked to no topic; it goes under the nearest, `{}`",
                                nodes[m].label, nodes[topic].label
                            )
                        } else {
                            format!(
                                "subtopic `{}` is linked to no topic, nor is its group of {}; it goes under the topic nearest the group, `{}`",
                                nodes[m].label,
                                members.len(),
                                nodes[topic].label
                            )
                        };
                        warn(WarningKind::Placement, nodes[m].line, message);
                        attached.insert(m, topic);
                        placed.by_guess += 1;
                    }
                    None => warn(
                        WarningKind::Placement,
                        nodes[m].line,
                        format!(
                            "subtopic `{}` is linked to no topic and the roadmap has none; it is ignored",
                            nodes[m].label
                        ),
                    ),
                }
            }
        }
        (attached, placed)
    }

    /// Files each `label` or `paragraph` node: the title of the group it
    /// heads (the column directly under it, else the subtopics of the box it
    /// is in) on that group's topic; else, outside every box, a note. Returns
    /// the notes, top to bottom.
    fn headings(
        &self,
        listed: &HashMap<usize, (usize, String)>,
        topics: &mut [ParsedTopic],
    ) -> Vec<String> {
        let nodes = self.nodes;
        let mut headings: Vec<usize> = (0..nodes.len())
            .filter(|&n| nodes[n].kind == NodeKind::Heading && !nodes[n].label.is_empty())
            .collect();
        headings.sort_by_key(|&n| nodes[n].place);
        let mut notes = Vec::new();
        for h in headings {
            let rect = nodes[h].rect;
            let top = self
                .subtopics
                .iter()
                .copied()
                .find(|&s| heads(&rect, &nodes[s].rect));
            let in_box = self.boxes_of(h).next();
            let members: Vec<usize> = match (top, in_box) {
                (Some(top), _) => self.column_of(top),
                (None, Some(b)) => self
                    .subtopics
                    .iter()
                    .copied()
                    .filter(|&s| nodes[b].rect.holds(&nodes[s].rect))
                    .collect(),
                (None, None) => Vec::new(),
            };
            let topic = members.iter().find_map(|m| listed.get(m)).map(|(t, _)| *t);
            let Some(topic) = topic else {
                if in_box.is_none() {
                    notes.push(nodes[h].label.clone());
                }
                continue;
            };
            let ids: HashSet<&str> = members
                .iter()
                .filter_map(|m| listed.get(m))
                .filter(|(t, _)| *t == topic)
                .map(|(_, id)| id.as_str())
                .collect();
            let members = topics[topic]
                .subtopics
                .iter()
                .filter(|s| ids.contains(s.id.as_str()))
                .map(|s| s.id.clone())
                .collect();
            topics[topic].groups.push(Group {
                title: nodes[h].label.clone(),
                members,
            });
        }
        notes
    }
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

    fn boxed(id: &str, kind: &str, label: &str, x: i32, y: i32, width: i32) -> String {
        format!(
            r#"{{"id":"{id}","type":"{kind}","position":{{"x":{x},"y":{y}}},"width":{width},"height":49,"data":{{"label":"{label}"}}}}"#
        )
    }

    fn under(roadmap: &ParsedRoadmap) -> Vec<(&str, Vec<&str>)> {
        roadmap
            .topics
            .iter()
            .map(|t| {
                let subs = t.subtopics.iter().map(|s| s.label.as_str()).collect();
                (t.node.label.as_str(), subs)
            })
            .collect()
    }

    #[test]
    fn an_unlinked_column_is_guessed_as_a_whole() {
        // The column's foot is nearer B, its head touches A: it all goes to A.
        let mut nodes = vec![
            boxed("a", "topic", "A", 0, 0, 200),
            boxed("b", "topic", "B", 0, 300, 200),
        ];
        for (i, label) in ["S1", "S2", "S3", "S4", "S5"].iter().enumerate() {
            let y = 53 * i32::try_from(i).unwrap_or(0);
            nodes.push(boxed(&format!("s{i}"), "subtopic", label, 250, y, 160));
        }
        let (roadmap, report) = parse(&map(&nodes, &[edge("a", "b", "solid")]));
        assert_eq!(
            under(&roadmap),
            [("A", vec!["S1", "S2", "S3", "S4", "S5"]), ("B", vec![])]
        );
        assert_eq!(roadmap.placed.by_guess, 5);
        assert_eq!(report.warnings.len(), 5, "{:#?}", report.warnings);
    }

    #[test]
    fn a_subtopic_linked_to_a_placed_subtopic_follows_it() {
        // `Far` is nearest B but linked (by any edge) to `Near`, which is A's.
        let nodes = [
            boxed("a", "topic", "A", 0, 0, 200),
            boxed("b", "topic", "B", 0, 300, 200),
            boxed("near", "subtopic", "Near", 300, 0, 100),
            boxed("far", "subtopic", "Far", 300, 280, 100),
        ];
        let edges = [
            edge("a", "b", "solid"),
            edge("a", "near", "dashed"),
            edge("far", "near", "dotted"),
        ];
        let (roadmap, report) = parse(&map(&nodes, &edges));
        assert!(report.warnings.is_empty(), "{:#?}", report.warnings);
        assert_eq!(under(&roadmap), [("A", vec!["Near", "Far"]), ("B", vec![])]);
        assert_eq!(
            roadmap.placed,
            Placement {
                by_edge: 1,
                by_column: 1,
                ..Placement::default()
            }
        );
    }

    #[test]
    fn a_box_linked_to_several_topics_places_nothing() {
        // A background frame around both topics' subtopics: `Loose` is guessed.
        let frame = r#"{"id":"frame","type":"section","position":{"x":250,"y":-50},"width":300,"height":500,"data":{}}"#;
        let nodes = [
            boxed("a", "topic", "A", 0, 0, 200),
            boxed("b", "topic", "B", 0, 300, 200),
            boxed("sa", "subtopic", "For A", 300, 0, 100),
            boxed("sb", "subtopic", "For B", 300, 300, 100),
            boxed("loose", "subtopic", "Loose", 300, 200, 100),
            frame.to_owned(),
        ];
        let edges = [
            edge("a", "b", "solid"),
            edge("a", "sa", "dashed"),
            edge("b", "sb", "dashed"),
        ];
        let (roadmap, report) = parse(&map(&nodes, &edges));
        assert_eq!(
            under(&roadmap),
            [("A", vec!["For A"]), ("B", vec!["Loose", "For B"])]
        );
        assert_eq!(roadmap.placed.by_box, 0);
        assert_eq!(roadmap.placed.by_guess, 1);
        assert_eq!(report.warnings.len(), 1, "{:#?}", report.warnings);
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
