//! The diagram as Graphviz DOT.

use std::fmt::Write as _;

use crate::model::{Diagram, LinkKind};

/// Writes `diagram` as a `digraph`: a `cluster_N` subgraph per section, a
/// box per skill (its id is the slug), solid edges for required and
/// `style=dashed` for recommended prerequisites, and grey dotted edges from
/// each item to the items nested in it.
pub(crate) fn write(diagram: &Diagram<'_>) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "digraph \"{}\" {{", escape(diagram.slug));
    let _ = writeln!(
        out,
        "  graph [label=\"{}\", labelloc=\"t\", rankdir=\"LR\", fontname=\"Helvetica\"];",
        escape(diagram.title)
    );
    out.push_str(
        "  node [shape=\"box\", style=\"rounded,filled\", fillcolor=\"white\", fontname=\"Helvetica\"];\n",
    );
    out.push_str("  edge [fontname=\"Helvetica\"];\n");
    for (number, section) in diagram.sections.iter().enumerate() {
        let _ = writeln!(out, "  subgraph \"cluster_{}\" {{", number + 1);
        let _ = writeln!(out, "    label=\"{}\";", escape(section.title));
        for &node in &section.nodes {
            let skill = diagram.nodes[node].skill;
            let _ = writeln!(
                out,
                "    \"{}\" [label=\"{}\"];",
                escape(skill.slug.as_str()),
                escape(skill.name.as_str())
            );
        }
        out.push_str("  }\n");
    }
    for link in &diagram.links {
        let attributes = match link.kind {
            LinkKind::Required => "",
            LinkKind::Recommended => " [style=\"dashed\"]",
            LinkKind::Nested => " [style=\"dotted\", color=\"gray60\", arrowhead=\"none\"]",
        };
        let _ = writeln!(
            out,
            "  \"{}\" -> \"{}\"{attributes};",
            escape(diagram.nodes[link.from].skill.slug.as_str()),
            escape(diagram.nodes[link.to].skill.slug.as_str()),
        );
    }
    out.push_str("}\n");
    out
}

/// Escapes text for a quoted DOT string: a quote would end it and a
/// backslash would start an escape (`\n`, `\N`, `\G`, ...). `<` and `&`
/// need nothing, since quoted strings are never read as HTML labels.
pub(crate) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            c => out.push(c),
        }
    }
    out
}
