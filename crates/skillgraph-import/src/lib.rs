//! Imports a folder in the **roadmap.sh editor format** into a
//! [`skillgraph_domain::Bundle`], with a [`Report`] of every content flaw.
//!
//! This crate is a pure parser: it reads files from the folder it is given and
//! nothing else (no database, no network, no async). Real folders are messy,
//! so a flaw in the content never stops an import: it becomes a [`Warning`]
//! naming the file and, where known, the line. Only input that cannot be read
//! at all (a file or folder that cannot be opened, JSON or YAML front matter
//! that does not parse) is an [`ImportError`]. The bundle returned always
//! passes [`skillgraph_domain::Catalog::from_bundle`].
//!
//! # The folder
//!
//! Every layout the roadmap.sh repository ships is read as it is (see
//! `layout`): a clone of the repository (`src/data/roadmaps/<name>/`,
//! `src/data/guides/`, `src/data/authors/`), its `src/data/roadmaps/`, one
//! roadmap folder, or a flat folder of our own fixtures' shape.
//! [`ImportOptions::roadmaps`] (`--roadmap NAME`) picks roadmaps by folder
//! or file name; a name that is not there is [`ImportError::UnknownRoadmap`].
//!
//! - A **roadmap folder** `<name>/`: `<name>.json`, the editor's flow chart
//!   (`{"nodes": [...], "edges": [...]}`), its slug the slugified name; other
//!   JSON files there (`<name>-beginner.json`, `migration-mapping.json`) are
//!   noted and ignored, never turned into roadmaps, and so is a JSON object
//!   without `nodes`. `<name>.md`, the roadmap's page: its front matter's
//!   `title`, `description` (then the page body) and `relatedRoadmaps`; the
//!   site's own keys are ignored. `content/` (searched recursively):
//!   `label-slug@nodeId.md` per topic or subtopic, matched by the node id
//!   after the last `@` among the files of that roadmap; a node with no file
//!   of its id falls back to a file whose slug part is the label's slug and
//!   whose id belongs to no node. A subfolder holding no `<name>.json` is
//!   noted and skipped.
//! - A **flat folder**: every `*.json` at the top level is a roadmap (slug
//!   from the file stem, read in file-name order), sharing one `content/`;
//!   guides in `guides/`, authors in `guides/authors/`.
//! - **Guides**: `*.md` with YAML front matter; authors `<authorId>.md`
//!   (front matter `name`, `links`, `social`); `guides/related/<id>.json` /
//!   `.yaml` / `.yml` (optional): shared related-guide lists.

//! # How it maps onto skillgraph
//!
//! - **Skills.** Every `topic` and `subtopic` node becomes a skill, named by
//!   its label. The roadmap's title is its page's `title`, else the highest
//!   `title` node's label, else the slug in title case. Labels are compared on one line, case-folded
//!   and without spaces around punctuation (`SSL / TLS` is `SSL/TLS`): the
//!   same label, on one roadmap or several, is the same skill. The skill
//!   slug is the slugified label (symbols that carry meaning spelt out first:
//!   `C++` → `cpp`, `C#` → `c-sharp`, `N+1` → `n-plus-1`, `&` → `and`; then
//!   lowercase ASCII letters and digits, every other run one hyphen, at most
//!   64 characters); when two *different* labels
//!   make the same slug, the later gets `-2`, `-3`, … with a warning. A label
//!   with nothing to slugify falls back to `node-<node id>` with a warning.
//!   The format knows no levels: every skill is `beginner`. Each skill is
//!   tagged with the slugs of the roadmaps it is on.
//! - **Content.** From the node's content file ([`parse_topic_markdown`]): the
//!   description is the markdown between the `# Heading` and the resource
//!   list, without the list's lead-in sentence ("Visit the following
//!   resources to learn more:"), also when that sentence is glued to the
//!   last description paragraph; the summary its first sentence on one line
//!   (at most 280 characters), or `Learn <label>.` with a warning when there
//!   is no description or no file. A skill met on several nodes (a label
//!   repeated on a roadmap, a topic two roadmaps share) reads every file it
//!   has: the longer description is kept (with a warning naming both files
//!   when they differ) and resources are unioned by url. Resources (`[@kind@Title](url)`) keep their
//!   file order; a kind missing its leading `@` (`[article@Title](…)`), a
//!   misspelt or missing kind and an http URL are repaired with a warning; a
//!   site-relative URL (`/guides/x`, `/frontend`) is resolved against
//!   `https://roadmap.sh` without one; a line that is no link or has no
//!   usable URL, and a repeated URL, are dropped with a warning. The lines
//!   read are counted before drops ([`TopicContent::resources_read`]).
//! - **Sections and items.** Each topic of a roadmap is one section, titled
//!   with the topic's label, holding one item: the topic's skill, with its
//!   subtopics as child items (top to bottom, then left to right). A
//!   topic's group headings (below) are its section's description, each
//!   with the subtopics under it; notes on the chart follow the page's
//!   description in the roadmap's. Related roadmaps (the page's, and
//!   `button` / `linksgroup` links to roadmap.sh roadmap pages) that are in
//!   the import become related roadmaps; other links are listed under "See
//!   also" in the roadmap's description, since a bundle refers only to what
//!   it holds. A subtopic's
//!   skill gets the topic's skill as its `parent` (the first parent wins if
//!   roadmaps disagree, and a parent that would close a cycle is left out,
//!   both with a warning). Legends map to recommendations by what
//!   their labels say, however they are spelt ("Personal Recommendation /
//!   Opinion" → recommended, "Alternative Option - Pick this or Purple" →
//!   alternative, "Order in Roadmap not Strict - Learn anytime" →
//!   order-not-strict, "Optional" → optional), else by their colour (the
//!   roadmap's own labelled legends first, then purple, green, grey); what
//!   nothing reads is recommended, with one warning per distinct label; no
//!   legend is recommended (see `legend`).
//! - **Main path and prerequisites.** Topics are ordered along the drawn
//!   path: solid topic→topic edges, and `vertical` / `horizontal` line nodes
//!   (not dashed ones), which join the topics whose boxes they run through or
//!   end at (within 10 px) in order along the line, top to bottom or left to
//!   right. The order starts from topics nothing leads to; where several
//!   topics could come next, the highest on the page goes first, then the
//!   leftmost (a cycle is broken the same way, with a warning). That order is
//!   the roadmap's own: its sections follow it, and so does
//!   `Roadmap.learningOrder` wherever prerequisites leave a choice.
//!   **Prerequisites are scoped to the roadmap.** A topic that is on this
//!   roadmap only *requires* (strength `required`) the nearest topics before
//!   it on the drawn path that are also on this roadmap only, walking
//!   through shared topics; a topic on several roadmaps of the import (or,
//!   in a merge, on another roadmap of the catalog: [`ImportOptions::elsewhere`])
//!   takes part in no main-path prerequisite, so no roadmap's learning path
//!   walks another's topics. Order guessed from position gives none. Why
//!   `required`: an edge is only made where the roadmap's authors drew the
//!   line and no other roadmap says otherwise, which is what `learningPath`'s
//!   default follows; a guessed or contested order stays an order. A
//!   prerequisite that would still close a cycle is left out with a
//!   warning. Dashed topic→topic and other edges carry no meaning here.
//! - **Subtopics by geometry.** Every node has a box (its `position` and the
//!   `width`/`height` found on it, in `measured` or in `style`, else its
//!   type's usual size). A subtopic goes under (a) the topic an edge links it
//!   to (either direction, any style); else (b) the topic of its group:
//!   subtopics stacked in one column (sharing width, at most 10 px apart
//!   vertically) or linked to each other by edges follow the nearest placed
//!   member; else (c) the topic its `section` box is linked to (the box holds
//!   the nodes whose centre is in it; linked itself, else through the nodes
//!   in it, when they all name one topic); else (d), a whole group at a time,
//!   the topic nearest by box-to-box distance, with a warning. How many went
//!   each way is counted ([`Placement`]). A `label` or `paragraph` right above a column of
//!   subtopics, or in a box with subtopics, titles that group ([`Group`]);
//!   others outside every box are notes for the roadmap's description.
//!   `button` and `linksgroup` links are kept ([`Link`]), resolved against
//!   `https://roadmap.sh`.
//! - **Guides.** Slug = the slugified file stem. The front matter
//!   ([`parse_front_matter`]) gives `title` (else the body's first `#`
//!   heading, else the slug in title case, with a warning), `description`,
//!   `date` (`YYYY-MM-DD`; invalid → no date, with a warning), `tags`
//!   (slugified; roadmap.sh's own site tags such as `guide`,
//!   `textual-guide` or `guide-sitemap` left out) and `authorId`; other keys
//!   (`seo`, …) are ignored. `@currentYear@` in the title or description
//!   becomes the year of the guide's `date` (without a date it stays, with a
//!   warning). The url is the front matter's `url` when given, else its
//!   `excludedBySlug` path (`/backend/job-description`) on
//!   `https://roadmap.sh`, else **built** as
//!   `https://roadmap.sh/guides/<slug>` (no warning: roadmap.sh front matter
//!   has no url). The markdown after the front matter is the body. Related
//!   guides come from `relatedGuides:` (a map of title → url, a url may be a
//!   roadmap.sh path; a list of `{title, url}` is accepted too), then from
//!   `relatedGuidesId: <id>`: a shared list `guides/related/<id>.json` (or
//!   `.yaml`, `.yml`) of `{title, url}` maps when there is one, and every
//!   other guide of the folder with the same id (related both ways, as
//!   roadmap.sh relates them; an id no file and no other guide shares is
//!   warned about). A related url that is one of the folder's guides
//!   (trailing `/` ignored) refers to it; any other becomes a minimal guide
//!   (slug from the url's last path segment, title from the link, no body)
//!   so every reference resolves. A guide is never related to itself or to
//!   another twice. Guides cover no skills: the format does not say which.
//! - **Authors.** `authorId` → an author whose id is the slugified
//!   `authorId` and whose name is the `name` in `guides/authors/<authorId>.md`,
//!   else the `authorId` itself; its links come from that file's `links` list
//!   and `social` map.
//!
//! [`Report`] also counts what the bundle holds: roadmaps, skills, resources
//! and guides (minimal ones included), and per roadmap ([`RoadmapFidelity`]):
//! source nodes by type, skills and items made, how subtopics were placed,
//! resources read and kept, warnings by [`WarningKind`]. Merging into a
//! catalog that holds some of the same skills unites them
//! ([`skillgraph_domain::Bundle::united_into`]): nothing is dropped silently.

mod assemble;
mod content;
mod geometry;
mod guide;
mod guide_set;
mod layout;
mod legend;
mod page;
mod roadmap;
mod text;
mod topic;

#[cfg(test)]
mod tests;

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use skillgraph_domain::Bundle;

pub use guide::{GuideFrontMatter, RelatedGuide, parse_front_matter};
pub use roadmap::{
    Group, Link, ParsedNode, ParsedRoadmap, ParsedTopic, Placement, parse_roadmap_json,
};
pub use text::slugify;
pub use topic::{
    ParsedResource, ResourceLine, TopicContent, parse_resource_line, parse_topic_markdown,
};

/// What part of the source a [`Warning`] is about, so a curator can count
/// and sort them (the fidelity report groups warnings by kind).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum WarningKind {
    /// A file was not read as a roadmap, guide or content (stray or misnamed).
    File,
    /// The flow chart itself is malformed: nodes or edges without ids, ends or labels.
    Shape,
    /// A legend label or colour says nothing the import can read.
    Legend,
    /// A subtopic's topic was guessed, or several topics claim it.
    Placement,
    /// The main path or the skill hierarchy had to be broken to stay acyclic.
    Order,
    /// A label makes no slug, a slug collides, or a label repeats.
    Label,
    /// A topic's content file is missing, unused, or has no description.
    Content,
    /// A resource line was repaired or dropped.
    Resource,
    /// A guide's or an author's front matter was repaired or left out.
    Guide,
    /// A merge into the catalog kept one of two values, or left a fact out.
    Merge,
}

impl WarningKind {
    /// The kind as the report spells it.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::File => "file",
            Self::Shape => "shape",
            Self::Legend => "legend",
            Self::Placement => "placement",
            Self::Order => "order",
            Self::Label => "label",
            Self::Content => "content",
            Self::Resource => "resource",
            Self::Guide => "guide",
            Self::Merge => "merge",
        }
    }
}

/// A flaw in the content that the import worked around; shown as `file:line: message`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Warning {
    /// What the flaw is about.
    pub kind: WarningKind,
    /// The file the flaw is in.
    pub file: PathBuf,
    /// The 1-based line, when it is known.
    pub line: Option<usize>,
    /// What was wrong and what the import did about it.
    pub message: String,
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&located(&self.file, self.line, &self.message))
    }
}

fn located(file: &Path, line: Option<usize>, message: &str) -> String {
    match line {
        Some(line) => format!("{}:{line}: {message}", file.display()),
        None => format!("{}: {message}", file.display()),
    }
}

/// What an import found: the warnings to show, and counts of what the bundle holds.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Report {
    /// Every flaw worked around, in the order found.
    pub warnings: Vec<Warning>,
    /// Roadmaps in the bundle.
    pub roadmaps: usize,
    /// Skills in the bundle.
    pub skills: usize,
    /// Resources in the bundle, over all skills.
    pub resources: usize,
    /// Guides in the bundle, minimal ones for related links included.
    pub guides: usize,
    /// How faithfully each roadmap came through, in import order.
    pub roadmap_fidelity: Vec<RoadmapFidelity>,
}

/// What one roadmap's source held and what the import made of it, so a
/// curator sees at a glance what to check by hand.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RoadmapFidelity {
    /// The roadmap's slug in the bundle.
    pub roadmap: String,
    /// Its flow chart file.
    pub file: PathBuf,
    /// Every node of the source by its `type`.
    pub nodes_by_type: BTreeMap<String, usize>,
    /// How its subtopics found their topics.
    pub placed: Placement,
    /// Skills on the roadmap (topics and subtopics, each label once).
    pub skills: usize,
    /// Items made: one per topic, one per subtopic under it.
    pub items: usize,
    /// Resource lines found in its content files.
    pub resources_read: usize,
    /// Resources kept from them (repairs included, duplicates and broken links not).
    pub resources_kept: usize,
    /// Warnings about its files, by kind.
    pub warnings: BTreeMap<WarningKind, usize>,
}

/// The fidelity report as `--report` writes it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FidelityReport<'r> {
    /// Per roadmap.
    pub roadmaps: &'r [RoadmapFidelity],
    /// Every warning of the import, by kind (guides and stray files included).
    pub warnings: BTreeMap<WarningKind, usize>,
    /// Skills in the bundle.
    pub skills: usize,
    /// Guides in the bundle.
    pub guides: usize,
}

impl Report {
    /// The report `--report` writes.
    pub fn fidelity(&self) -> FidelityReport<'_> {
        let mut warnings = BTreeMap::new();
        for warning in &self.warnings {
            *warnings.entry(warning.kind).or_insert(0) += 1;
        }
        FidelityReport {
            roadmaps: &self.roadmap_fidelity,
            warnings,
            skills: self.skills,
            guides: self.guides,
        }
    }

    /// A few lines for the terminal: totals, then one line per roadmap.
    pub fn summary(&self) -> String {
        use std::fmt::Write as _;
        let mut out = format!(
            "read {} roadmaps, {} skills, {} resources and {} guides with {} warnings\n",
            self.roadmaps,
            self.skills,
            self.resources,
            self.guides,
            self.warnings.len()
        );
        for r in &self.roadmap_fidelity {
            let warnings: Vec<String> = r
                .warnings
                .iter()
                .map(|(kind, n)| format!("{n} {}", kind.as_str()))
                .collect();
            let _ = writeln!(
                out,
                "  {}: {} skills, {} items; resources {}/{} kept; warnings: {}",
                r.roadmap,
                r.skills,
                r.items,
                r.resources_kept,
                r.resources_read,
                if warnings.is_empty() {
                    "none".to_owned()
                } else {
                    warnings.join(", ")
                }
            );
        }
        out
    }

    /// Records a warning.
    pub(crate) fn warn(
        &mut self,
        kind: WarningKind,
        file: &Path,
        line: Option<usize>,
        message: String,
    ) {
        self.warnings.push(Warning {
            kind,
            file: file.to_path_buf(),
            line,
            message,
        });
    }
}

/// Why a folder could not be imported: some input could not be read at all.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ImportError {
    /// A file or folder cannot be opened, or its JSON or YAML does not parse.
    #[error("{}", located(file, *line, message))]
    Unreadable {
        /// The file or folder.
        file: PathBuf,
        /// The 1-based line, when known.
        line: Option<usize>,
        /// What went wrong.
        message: String,
    },
    /// `--roadmap` named a roadmap the folder does not hold.
    #[error("{}: no roadmap named {missing}; the roadmaps there are: {available}", dir.display())]
    UnknownRoadmap {
        /// The folder imported from.
        dir: PathBuf,
        /// The names asked for and not found, comma-separated.
        missing: String,
        /// The names the folder holds, comma-separated.
        available: String,
    },
}

/// What to import from a folder beyond what its layout says.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportOptions {
    /// Roadmaps to read, by folder (or file) name; all when empty.
    pub roadmaps: Vec<String>,
    /// For a merge: the roadmaps (slugs) the catalog already puts each
    /// skill (slug) on, so a topic shared with one of them is known to be
    /// shared and gets no main-path prerequisite.
    pub elsewhere: std::collections::HashMap<String, Vec<String>>,
}

/// Reads a roadmap.sh editor folder, every roadmap of it.
pub fn import_dir(dir: &Path) -> Result<(Bundle, Report), ImportError> {
    assemble::import(dir, &ImportOptions::default())
}

/// Reads a roadmap.sh editor folder in any layout the repository ships
/// (see `layout`), keeping the roadmaps `options` picks.
pub fn import_with(dir: &Path, options: &ImportOptions) -> Result<(Bundle, Report), ImportError> {
    assemble::import(dir, options)
}
