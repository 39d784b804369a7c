//! A roadmap drawn as a diagram, for people who want to see its shape
//! rather than read it as a list: Mermaid or Graphviz DOT text to paste
//! into a document or render elsewhere, or an SVG picture ready to show.
//!
//! Every format draws the same thing, decided once:
//!
//! - each skill of the roadmap exactly once, labelled with its name, grouped
//!   by the section that holds it (a nested item belongs to its top-level
//!   item's section);
//! - an arrow from each prerequisite to the skill that needs it, for every
//!   prerequisite edge whose two skills are both on the roadmap: solid when
//!   required, dashed when recommended;
//! - a grey dotted line between each nested item and the item it is nested
//!   in.
//!
//! Prerequisites run left to right. Mermaid and DOT draw a section as a
//! `subgraph` (a cluster in DOT), laid out by whatever renders the text.
//! The SVG is laid out here by
//! [layout-rs](https://crates.io/crates/layout-rs), which has no clusters:
//! there a section is a coloured header box in the first column, like a
//! legend, and its skills are filled with its colour.
//!
//! The output depends only on the input: the same catalog and roadmap give
//! the same bytes. Markup in names is escaped the way each format needs.

mod dot;
mod mermaid;
mod model;
mod svg;

use skillgraph_domain::{Catalog, Roadmap, SkillId};

/// The forms a roadmap diagram can be written in, so callers (the HTTP
/// edge, the CLI) can offer a choice and name the media type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DiagramFormat {
    /// Mermaid flowchart text, which GitHub, GitLab and many wikis render.
    Mermaid,
    /// Graphviz DOT text, for `dot` and the tools that read it.
    Dot,
    /// A finished SVG picture, laid out here, for browsers.
    Svg,
}

impl DiagramFormat {
    /// The media type of a diagram in this form, for `Content-Type`.
    pub fn media_type(self) -> &'static str {
        match self {
            Self::Mermaid => "text/vnd.mermaid; charset=utf-8",
            Self::Dot => "text/vnd.graphviz; charset=utf-8",
            Self::Svg => "image/svg+xml",
        }
    }
}

/// Why a roadmap could not be drawn, so the caller can report it instead of
/// drawing a wrong picture.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DiagramError {
    /// An item of the roadmap refers to a skill the catalog does not hold;
    /// a roadmap from the same catalog never does.
    #[error("roadmap `{roadmap}` refers to the skill {skill}, which is not in the catalog")]
    UnknownSkill {
        /// The roadmap's slug.
        roadmap: String,
        /// The skill id that does not resolve.
        skill: SkillId,
    },
}

/// Draws `roadmap` (with names and prerequisites from `catalog`) in
/// `format`; the one entry point, so every format shows the same diagram.
pub fn render(
    catalog: &Catalog,
    roadmap: &Roadmap,
    format: DiagramFormat,
) -> Result<String, DiagramError> {
    let diagram = model::Diagram::build(catalog, roadmap)?;
    Ok(match format {
        DiagramFormat::Mermaid => mermaid::write(&diagram),
        DiagramFormat::Dot => dot::write(&diagram),
        DiagramFormat::Svg => svg::write(&diagram),
    })
}

#[cfg(test)]
mod tests;
