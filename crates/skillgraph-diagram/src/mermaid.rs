//! The diagram as a Mermaid flowchart.

use std::fmt::Write as _;

use crate::model::{Diagram, LinkKind};

/// The colour of nesting links, the same grey as the other formats.
const NESTED_STYLE: &str = "stroke:#9e9e9e,stroke-dasharray:2 3";

/// Writes `diagram` as `flowchart LR`: a subgraph per section, a node per
/// skill, `-->` for required and `-.->` for recommended prerequisites, and
/// a grey `-.-` from each item to every item nested in it.
pub(crate) fn write(diagram: &Diagram<'_>) -> String {
    let mut out = String::from("flowchart LR\n");
    for (number, section) in diagram.sections.iter().enumerate() {
        let _ = writeln!(
            out,
            "  subgraph section_{}[\"{}\"]",
            number + 1,
            escape(section.title)
        );
        for &node in &section.nodes {
            let skill = diagram.nodes[node].skill;
            let _ = writeln!(
                out,
                "    {}[\"{}\"]",
                node_id(skill.slug.as_str()),
                escape(skill.name.as_str())
            );
        }
        out.push_str("  end\n");
    }

    let mut nested = Vec::new();
    for (index, link) in diagram.links.iter().enumerate() {
        let arrow = match link.kind {
            LinkKind::Required => "-->",
            LinkKind::Recommended => "-.->",
            LinkKind::Nested => {
                nested.push(index.to_string());
                "-.-"
            }
        };
        let _ = writeln!(
            out,
            "  {} {arrow} {}",
            node_id(diagram.nodes[link.from].skill.slug.as_str()),
            node_id(diagram.nodes[link.to].skill.slug.as_str()),
        );
    }
    if !nested.is_empty() {
        let _ = writeln!(out, "  linkStyle {} {NESTED_STYLE}", nested.join(","));
    }
    out
}

/// A Mermaid node id for a skill slug. Slugs are `[a-z0-9-]`, and a dash
/// could be read as part of an arrow, so dashes become underscores (slugs
/// have none, so ids stay distinct); the `s_` prefix keeps ids clear of
/// keywords such as `end` and of the `o`/`x` arrow heads.
pub(crate) fn node_id(slug: &str) -> String {
    let mut id = String::with_capacity(slug.len() + 2);
    id.push_str("s_");
    for c in slug.chars() {
        id.push(if c.is_ascii_alphanumeric() { c } else { '_' });
    }
    id
}

/// Escapes text for a quoted Mermaid label with Mermaid's entity codes:
/// the quote would end the label, `#` would start an entity code, `<`, `>`
/// and `&` would be read as HTML and a backtick as a markdown string.
pub(crate) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '"' => out.push_str("#quot;"),
            '#' => out.push_str("#35;"),
            '&' => out.push_str("#38;"),
            '<' => out.push_str("#60;"),
            '>' => out.push_str("#62;"),
            '`' => out.push_str("#96;"),
            c => out.push(c),
        }
    }
    out
}
