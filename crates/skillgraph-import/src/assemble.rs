//! Puts the parsed files together into one bundle: skills shared across
//! roadmaps, content, prerequisites, parents, guides and authors.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fs;
use std::path::{Path, PathBuf};

use petgraph::algo::has_path_connecting;
use petgraph::graphmap::DiGraphMap;
use skillgraph_domain::{
    Bundle, BundleFormat, BundleItem, BundlePrerequisite, BundleResource, BundleRoadmap,
    BundleSection, BundleSkill, Level, MAX_TAGS, Markdown, Slug, Strength, Summary, Title,
};

use crate::content::{ContentFile, apply_content, content_files};
use crate::guide_set::import_guides;
use crate::layout;
use crate::page::{RoadmapPage, parse_page};
use crate::roadmap::{ParsedNode, ParsedRoadmap, ParsedTopic, parse_roadmap_json};
use crate::text::{label_key, one_line, shorten, slugify, title_from_slug, title_of, with_suffix};
use crate::{ImportError, ImportOptions, Report, RoadmapFidelity, WarningKind};

pub(crate) fn unreadable(path: &Path, e: impl std::fmt::Display) -> ImportError {
    ImportError::Unreadable {
        file: path.to_path_buf(),
        line: None,
        message: e.to_string(),
    }
}

pub(crate) fn read(path: &Path) -> Result<String, ImportError> {
    fs::read_to_string(path).map_err(|e| unreadable(path, e))
}

/// The entries of a folder, sorted by name.
pub(crate) fn entries(dir: &Path) -> Result<Vec<PathBuf>, ImportError> {
    let mut paths = Vec::new();
    for entry in fs::read_dir(dir).map_err(|e| unreadable(dir, e))? {
        paths.push(entry.map_err(|e| unreadable(dir, e))?.path());
    }
    paths.sort();
    Ok(paths)
}

pub(crate) fn has_extension(path: &Path, extension: &str) -> bool {
    path.extension()
        .is_some_and(|e| e.eq_ignore_ascii_case(extension))
}

pub(crate) fn stem(path: &Path) -> String {
    path.file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// Markdown from free text, cut to the limit with a warning when it is longer.
pub(crate) fn markdown(text: &str, file: &Path, what: &str, report: &mut Report) -> Markdown {
    let text = text.trim();
    if text.chars().count() > Markdown::MAX_LEN {
        report.warn(
            WarningKind::Content,
            file,
            None,
            format!("{what} is over {} characters; it is cut", Markdown::MAX_LEN),
        );
    }
    Markdown::parse(shorten(text, Markdown::MAX_LEN)).unwrap_or_default()
}

/// Where a skill appears, for content lookup and warnings.
pub(crate) struct NodeRef {
    pub(crate) id: String,
    /// Which content folder its file is in (an index into the import's folders).
    pub(crate) root: usize,
    pub(crate) kind: &'static str,
    pub(crate) file: PathBuf,
    pub(crate) line: Option<usize>,
}

pub(crate) struct SkillDraft {
    slug: Slug,
    pub(crate) base_slug: Slug,
    pub(crate) name: Title,
    pub(crate) nodes: Vec<NodeRef>,
    parent: Option<usize>,
    prerequisites: Vec<usize>,
    tags: Vec<Slug>,
    pub(crate) summary: Option<Summary>,
    pub(crate) description: Markdown,
    pub(crate) resources: Vec<BundleResource>,
    /// Its content files (indexes into the import's files), first found first.
    pub(crate) content: Vec<usize>,
}

#[derive(Default)]
pub(crate) struct Skills {
    pub(crate) drafts: Vec<SkillDraft>,
    by_key: HashMap<String, usize>,
    slug_label: HashMap<Slug, String>,
    /// Prerequisite edges from the skill needed first to its dependent.
    order: DiGraphMap<usize, (), std::hash::RandomState>,
}

impl Skills {
    /// The skill of a topic or subtopic node, made on first sight of its label.
    fn skill_for(
        &mut self,
        node: &ParsedNode,
        kind: &'static str,
        file: &Path,
        root: usize,
        report: &mut Report,
    ) -> Option<usize> {
        let node_ref = NodeRef {
            id: node.id.clone(),
            root,
            kind,
            file: file.to_path_buf(),
            line: node.line,
        };
        let key = label_key(&node.label);
        if let Some(&at) = self.by_key.get(&key) {
            self.drafts[at].nodes.push(node_ref);
            return Some(at);
        }
        let base = match slugify(&node.label) {
            Some(base) => base,
            None => {
                let fallback = slugify(&format!("node {}", node.id));
                report.warn(WarningKind::Label,
                    file,
                    node.line,
                    match &fallback {
                        Some(slug) => format!(
                            "the label `{}` has no ASCII letters or digits to make a slug of; `{slug}` is used",
                            node.label
                        ),
                        None => format!(
                            "the label `{}` has no ASCII letters or digits to make a slug of; the node is ignored",
                            node.label
                        ),
                    },
                );
                fallback?
            }
        };
        let (name, cut) = title_of(&node.label)?;
        if cut {
            report.warn(
                WarningKind::Label,
                file,
                node.line,
                format!(
                    "the label of node `{}` is over 200 characters; the name is cut",
                    node.id
                ),
            );
        }
        let mut slug = base.clone();
        if let Some(owner) = self.slug_label.get(&base).cloned() {
            let mut n = 2;
            slug = loop {
                let next = with_suffix(&base, n)?;
                if !self.slug_label.contains_key(&next) {
                    break next;
                }
                n += 1;
            };
            report.warn(WarningKind::Label,
                file,
                node.line,
                format!(
                    "the labels `{owner}` and `{}` both make the slug `{base}`; `{slug}` is used for `{}`",
                    node.label, node.label
                ),
            );
        }
        self.slug_label.insert(slug.clone(), node.label.clone());
        let at = self.drafts.len();
        self.by_key.insert(key, at);
        self.drafts.push(SkillDraft {
            slug,
            base_slug: base,
            name,
            nodes: vec![node_ref],
            parent: None,
            prerequisites: Vec::new(),
            tags: Vec::new(),
            summary: None,
            description: Markdown::default(),
            resources: Vec::new(),
            content: Vec::new(),
        });
        Some(at)
    }

    /// Makes `dependent` require `prerequisite`, unless that closes a cycle.
    fn require(
        &mut self,
        dependent: usize,
        prerequisite: usize,
        file: &Path,
        line: Option<usize>,
        report: &mut Report,
    ) {
        if dependent == prerequisite || self.order.contains_edge(prerequisite, dependent) {
            return;
        }
        self.order.add_node(dependent);
        self.order.add_node(prerequisite);
        if has_path_connecting(&self.order, dependent, prerequisite, None) {
            report.warn(WarningKind::Order,
                file,
                line,
                format!(
                    "this roadmap puts `{}` before `{}`, but an earlier one puts it after; that prerequisite is left out",
                    self.drafts[prerequisite].name, self.drafts[dependent].name
                ),
            );
            return;
        }
        self.order.add_edge(prerequisite, dependent, ());
        self.drafts[dependent].prerequisites.push(prerequisite);
    }

    /// Records another node of `skill`'s label on the same roadmap (a
    /// repeated label), so its content file is read too.
    fn also_at(
        &mut self,
        skill: usize,
        id: &str,
        kind: &'static str,
        file: &Path,
        root: usize,
        line: Option<usize>,
    ) {
        let nodes = &mut self.drafts[skill].nodes;
        if !nodes.iter().any(|n| n.id == id && n.root == root) {
            nodes.push(NodeRef {
                id: id.to_owned(),
                root,
                kind,
                file: file.to_path_buf(),
                line,
            });
        }
    }

    /// Puts `child` under `parent`, unless it already has another parent or that closes a cycle.
    fn set_parent(
        &mut self,
        child: usize,
        parent: usize,
        file: &Path,
        line: Option<usize>,
        report: &mut Report,
    ) {
        if child == parent {
            return;
        }
        match self.drafts[child].parent {
            Some(current) if current == parent => return,
            Some(current) => {
                report.warn(
                    WarningKind::Placement,
                    file,
                    line,
                    format!(
                        "`{}` is a subtopic of `{}` here, but already of `{}`; it stays under `{}`",
                        self.drafts[child].name,
                        self.drafts[parent].name,
                        self.drafts[current].name,
                        self.drafts[current].name
                    ),
                );
                return;
            }
            None => {}
        }
        let mut ancestor = Some(parent);
        let mut steps = 0;
        while let Some(at) = ancestor {
            if at == child || steps > self.drafts.len() {
                report.warn(WarningKind::Order,
                    file,
                    line,
                    format!(
                        "`{}` under `{}` would make the skill hierarchy a cycle; it gets no parent here",
                        self.drafts[child].name, self.drafts[parent].name
                    ),
                );
                return;
            }
            ancestor = self.drafts[at].parent;
            steps += 1;
        }
        self.drafts[child].parent = Some(parent);
    }
}

/// Builds the roadmaps, registering their skills, prerequisites and parents.
fn build_roadmaps(
    parsed: &[Source],
    skills: &mut Skills,
    elsewhere: &HashMap<String, Vec<String>>,
    report: &mut Report,
) -> (Vec<BundleRoadmap>, Vec<Built>) {
    let mut roadmaps = Vec::new();
    let mut built = Vec::new();
    let mut used: HashSet<Slug> = HashSet::new();
    for Source {
        roadmap,
        root,
        page,
        ..
    } in parsed
    {
        let (file, root) = (roadmap.file.as_path(), *root);
        let base = slugify(&roadmap.slug).unwrap_or_else(|| {
            report.warn(
                WarningKind::Label,
                file,
                None,
                format!(
                    "the file name `{}` makes no slug; `roadmap` is used",
                    roadmap.slug
                ),
            );
            Slug::parse("roadmap").unwrap_or_else(|_| unreachable!("a valid slug"))
        });
        let mut slug = base.clone();
        let mut n = 1;
        while used.contains(&slug) {
            n += 1;
            match with_suffix(&base, n) {
                Some(next) => slug = next,
                None => break,
            }
        }
        if slug != base {
            report.warn(
                WarningKind::Label,
                file,
                None,
                format!("another roadmap has the slug `{base}`; `{slug}` is used"),
            );
        }
        used.insert(slug.clone());
        let title = title_of(&roadmap.title)
            .map(|(t, _)| t)
            .or_else(|| title_of(&title_from_slug(slug.as_str())).map(|(t, _)| t))
            .unwrap_or_else(|| skills_title(&slug));

        let mut on_roadmap: HashSet<usize> = HashSet::new();
        let mut topic_skills: Vec<Option<usize>> = Vec::with_capacity(roadmap.topics.len());
        let mut items = 0;
        let mut sections = Vec::new();
        for topic in &roadmap.topics {
            let topic_skill = skills.skill_for(&topic.node, "topic", file, root, report);
            topic_skills.push(topic_skill);
            let Some(topic_skill) = topic_skill else {
                continue;
            };
            for also in &topic.node.also {
                skills.also_at(topic_skill, also, "topic", file, root, topic.node.line);
            }
            if !on_roadmap.insert(topic_skill) {
                continue;
            }
            tag(&mut skills.drafts[topic_skill].tags, &slug);
            let mut children = Vec::new();
            for subtopic in &topic.subtopics {
                let Some(sub_skill) = skills.skill_for(subtopic, "subtopic", file, root, report)
                else {
                    continue;
                };
                for also in &subtopic.also {
                    skills.also_at(sub_skill, also, "subtopic", file, root, subtopic.line);
                }
                if !on_roadmap.insert(sub_skill) {
                    continue;
                }
                tag(&mut skills.drafts[sub_skill].tags, &slug);
                skills.set_parent(sub_skill, topic_skill, file, subtopic.line, report);
                children.push(BundleItem {
                    skill: skills.drafts[sub_skill].slug.clone(),
                    recommendation: subtopic.recommendation,
                    children: Vec::new(),
                });
            }
            items += 1 + children.len();
            let section_title = title_of(&topic.node.label)
                .map_or_else(|| skills.drafts[topic_skill].name.clone(), |(t, _)| t);
            sections.push(BundleSection {
                title: section_title,
                description: markdown(&group_outline(topic), file, "a group outline", report),
                items: vec![BundleItem {
                    skill: skills.drafts[topic_skill].slug.clone(),
                    recommendation: topic.node.recommendation,
                    children,
                }],
            });
        }
        let (title, mut description) = match page {
            Some(page) => (
                page.title
                    .as_deref()
                    .and_then(title_of)
                    .map_or(title, |(t, _)| t),
                page.description.clone(),
            ),
            None => (title, String::new()),
        };
        // Free text on the chart (headings of nothing, notes) is the
        // roadmap's to keep, after what its page says.
        for note in &roadmap.notes {
            if !description.is_empty() {
                description.push_str("\n\n");
            }
            description.push_str(note);
        }
        built.push(Built {
            skills: on_roadmap.len(),
            items,
            topic_skills,
        });
        roadmaps.push(BundleRoadmap {
            slug,
            title,
            description: markdown(&description, file, "the roadmap's description", report),
            related: Vec::new(),
            sections,
        });
    }
    relate_roadmaps(parsed, &mut roadmaps, report);
    require_along_drawn_paths(parsed, &roadmaps, &built, skills, elsewhere, report);
    (roadmaps, built)
}

/// The fidelity report of each roadmap. A warning counts for a roadmap when
/// it is about its flow chart, its page, a content file its nodes claimed,
/// or a file in a folder that is the roadmap's alone.
fn fidelity(
    parsed: &[Source],
    roadmaps: &[BundleRoadmap],
    built: &[Built],
    files: &[ContentFile],
    warnings: &[crate::Warning],
) -> Vec<RoadmapFidelity> {
    let folders: Vec<Option<&Path>> = parsed.iter().map(|s| s.roadmap.file.parent()).collect();
    parsed
        .iter()
        .zip(roadmaps)
        .zip(built)
        .enumerate()
        .map(|(at, ((source, roadmap), one))| {
            let json = &source.roadmap.file;
            let claimed: Vec<&ContentFile> = files
                .iter()
                .filter(|f| f.claimed_by.contains(json))
                .collect();
            let own_folder = folders[at]
                .filter(|folder| folders.iter().filter(|f| f == &&Some(*folder)).count() == 1);
            let mut by_kind = BTreeMap::new();
            for warning in warnings {
                let about = warning.file == *json
                    || source.page_file.as_ref() == Some(&warning.file)
                    || claimed.iter().any(|f| f.path == warning.file)
                    || own_folder.is_some_and(|folder| warning.file.starts_with(folder));
                if about {
                    *by_kind.entry(warning.kind).or_insert(0) += 1;
                }
            }
            RoadmapFidelity {
                roadmap: roadmap.slug.to_string(),
                file: json.clone(),
                nodes_by_type: source.roadmap.nodes_by_type.clone(),
                placed: source.roadmap.placed,
                skills: one.skills,
                items: one.items,
                resources_read: claimed.iter().map(|f| f.resources.0).sum(),
                resources_kept: claimed.iter().map(|f| f.resources.1).sum(),
                warnings: by_kind,
            }
        })
        .collect()
}

/// What building one roadmap made, for prerequisites and the report.
pub(crate) struct Built {
    /// Skills on the roadmap.
    pub(crate) skills: usize,
    /// Items made.
    pub(crate) items: usize,
    /// The skill of each parsed topic, in the parsed order.
    topic_skills: Vec<Option<usize>>,
}

/// A topic's groups as a short outline for its section: each heading with
/// the subtopics under it.
fn group_outline(topic: &ParsedTopic) -> String {
    let label = |id: &String| {
        topic
            .subtopics
            .iter()
            .find(|s| s.id == *id)
            .map(|s| s.label.clone())
    };
    topic
        .groups
        .iter()
        .map(|group| {
            let members: Vec<String> = group.members.iter().filter_map(label).collect();
            if members.is_empty() {
                group.title.clone()
            } else {
                format!("- **{}**: {}", group.title, members.join(", "))
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Main-path prerequisites, scoped to each roadmap (see the crate doc):
/// a topic found on this roadmap only requires the nearest topics before it
/// on the *drawn* path (solid edges, line nodes) that are also on this
/// roadmap only, walking through shared topics, which take part in no
/// main-path prerequisite. Order guessed from position gives none.
fn require_along_drawn_paths(
    parsed: &[Source],
    roadmaps: &[BundleRoadmap],
    built: &[Built],
    skills: &mut Skills,
    elsewhere: &HashMap<String, Vec<String>>,
    report: &mut Report,
) {
    let mut roadmaps_of: HashMap<usize, usize> = HashMap::new();
    for one in built {
        let unique: HashSet<usize> = one.topic_skills.iter().flatten().copied().collect();
        for skill in unique {
            *roadmaps_of.entry(skill).or_insert(0) += 1;
        }
    }
    for ((source, roadmap), one) in parsed.iter().zip(roadmaps).zip(built) {
        let own = |skill: usize, skills: &Skills| {
            roadmaps_of.get(&skill).copied().unwrap_or(0) <= 1
                && elsewhere
                    .get(skills.drafts[skill].slug.as_str())
                    .is_none_or(|on| on.iter().all(|r| *r == roadmap.slug.as_str()))
        };
        let topics = &source.roadmap.topics;
        for (at, topic) in topics.iter().enumerate() {
            if let Some(skill) = one.topic_skills[at]
                && let Some(on) = elsewhere.get(skills.drafts[skill].slug.as_str())
            {
                let others: Vec<&str> = on
                    .iter()
                    .map(String::as_str)
                    .filter(|r| *r != roadmap.slug.as_str())
                    .collect();
                if !others.is_empty() {
                    report.warn(
                        WarningKind::Merge,
                        &source.roadmap.file,
                        topic.node.line,
                        format!(
                            "`{}` is also on {} in the catalog: it takes no prerequisite from this roadmap's main path and keeps those it has, which may lead through that roadmap's topics (roadmaps imported together keep every shared topic out of main-path prerequisites)",
                            skills.drafts[skill].slug,
                            others.join(", ")
                        ),
                    );
                }
            }
            let Some(skill) = one.topic_skills[at].filter(|&s| own(s, skills)) else {
                continue;
            };
            // Walk back along drawn edges, through shared topics, to own ones.
            let mut needs: Vec<usize> = Vec::new();
            let mut seen: HashSet<usize> = HashSet::from([at]);
            let mut stack: Vec<usize> = topics[at]
                .follows
                .iter()
                .copied()
                .filter(|&p| p < at)
                .collect();
            while let Some(before) = stack.pop() {
                if !seen.insert(before) {
                    continue;
                }
                match one.topic_skills[before] {
                    Some(prior) if own(prior, skills) => needs.push(prior),
                    _ => stack.extend(
                        topics[before]
                            .follows
                            .iter()
                            .copied()
                            .filter(|&p| p < before),
                    ),
                }
            }
            needs.sort_unstable();
            needs.dedup();
            for prior in needs {
                skills.require(skill, prior, &source.roadmap.file, topic.node.line, report);
            }
        }
    }
}

/// Links each roadmap to the roadmaps its page names as related: those in
/// the bundle become related roadmaps; the others, which the bundle cannot
/// refer to, are listed as links in its description.
fn relate_roadmaps(parsed: &[Source], roadmaps: &mut [BundleRoadmap], report: &mut Report) {
    let names: HashMap<String, Slug> = parsed
        .iter()
        .zip(roadmaps.iter())
        .map(|(source, bundled)| (source.roadmap.slug.clone(), bundled.slug.clone()))
        .collect();
    let in_bundle = |name: &str| {
        names
            .get(name)
            .or_else(|| slugify(name).and_then(|s| names.get(s.as_str())))
            .cloned()
    };
    for (source, roadmap) in parsed.iter().zip(roadmaps.iter_mut()) {
        // (label, url) of links the bundle cannot hold as related roadmaps.
        let mut links: Vec<(String, String)> = Vec::new();
        let named = source.page.iter().flat_map(|page| {
            page.related.iter().map(|name| {
                let url = format!("https://roadmap.sh/{name}");
                (title_from_slug(name), url, Some(name.clone()))
            })
        });
        let drawn = source
            .roadmap
            .links
            .iter()
            .map(|link| (link.label.clone(), link.url.clone(), link.roadmap.clone()));
        for (label, url, name) in named.chain(drawn) {
            match name.as_deref().and_then(in_bundle) {
                Some(slug) if slug == roadmap.slug => {}
                Some(slug) => {
                    if !roadmap.related.contains(&slug) {
                        roadmap.related.push(slug);
                    }
                }
                None => {
                    if !links.iter().any(|(_, known)| *known == url) {
                        links.push((label, url));
                    }
                }
            }
        }
        if links.is_empty() {
            continue;
        }
        let mut description = roadmap.description.as_str().to_owned();
        if !description.is_empty() {
            description.push_str("\n\n");
        }
        description.push_str("See also:\n\n");
        let list: Vec<String> = links
            .iter()
            .map(|(label, url)| format!("- [{label}]({url})"))
            .collect();
        description.push_str(&list.join("\n"));
        roadmap.description = markdown(
            &description,
            &source.roadmap.file,
            "the roadmap's description",
            report,
        );
    }
}

/// One roadmap as read: its flow chart, its content folder (an index into
/// the import's folders) and its page.
struct Source {
    roadmap: ParsedRoadmap,
    root: usize,
    page: Option<RoadmapPage>,
    page_file: Option<PathBuf>,
}

pub(crate) fn skills_title(slug: &Slug) -> Title {
    Title::parse(slug.as_str()).unwrap_or_else(|_| unreachable!("a slug is a valid title"))
}

/// Tags a skill with a roadmap it is on; a skill on more than
/// [`MAX_TAGS`] roadmaps keeps the first ones as its tags.
fn tag(tags: &mut Vec<Slug>, slug: &Slug) {
    if !tags.contains(slug) && tags.len() < MAX_TAGS {
        tags.push(slug.clone());
    }
}

/// Reads everything `layout::find` finds; see the crate documentation for the mapping.
pub(crate) fn import(dir: &Path, options: &ImportOptions) -> Result<(Bundle, Report), ImportError> {
    let mut report = Report::default();
    let layout = layout::find(dir, &options.roadmaps, &mut report)?;
    let mut parsed = Vec::new();
    let mut roots: Vec<PathBuf> = Vec::new();
    for source in &layout.roadmaps {
        let path = &source.json;
        let text = read(path)?;
        // A JSON file that is no flow chart (an id map, settings) is not a
        // roadmap, not even an empty one.
        if let Ok(serde_json::Value::Object(object)) = serde_json::from_str(&text)
            && !object.contains_key("nodes")
        {
            report.warn(
                WarningKind::File,
                path,
                None,
                "has no `nodes`: not a roadmap of the editor; ignored".into(),
            );
            continue;
        }
        let root = match roots.iter().position(|r| *r == source.content) {
            Some(root) => root,
            None => {
                roots.push(source.content.clone());
                roots.len() - 1
            }
        };
        let roadmap = parse_roadmap_json(&source.name, &text, path, &mut report)?;
        let page = match &source.page {
            Some(file) => Some(parse_page(&read(file)?, file, &mut report)?),
            None => None,
        };
        parsed.push(Source {
            roadmap,
            root,
            page,
            page_file: source.page.clone(),
        });
    }
    let mut skills = Skills::default();
    let (roadmaps, built) = build_roadmaps(&parsed, &mut skills, &options.elsewhere, &mut report);
    let mut files = content_files(&roots)?;
    apply_content(&mut skills, &mut files, &mut report)?;
    let (guides, authors) = import_guides(&layout.guides, &layout.authors, &mut report)?;
    report.roadmap_fidelity = fidelity(&parsed, &roadmaps, &built, &files, &report.warnings);

    let slugs: Vec<Slug> = skills.drafts.iter().map(|d| d.slug.clone()).collect();
    let skills: Vec<BundleSkill> = skills
        .drafts
        .into_iter()
        .map(|d| BundleSkill {
            summary: d.summary.unwrap_or_else(|| {
                Summary::parse(one_line(&format!("Learn {}.", d.name)))
                    .unwrap_or_else(|_| unreachable!("a title is a valid summary"))
            }),
            slug: d.slug,
            name: d.name,
            description: d.description,
            level: Level::Beginner,
            tags: d.tags,
            aliases: Vec::new(),
            external_ids: Vec::new(),
            parent: d.parent.map(|p| slugs[p].clone()),
            prerequisites: d
                .prerequisites
                .iter()
                .map(|&p| BundlePrerequisite {
                    skill: slugs[p].clone(),
                    strength: Strength::Required,
                })
                .collect(),
            related: Vec::new(),
            resources: d.resources,
        })
        .collect();
    report.roadmaps = roadmaps.len();
    report.skills = skills.len();
    report.resources = skills.iter().map(|s| s.resources.len()).sum();
    report.guides = guides.len();
    let bundle = Bundle {
        format: BundleFormat,
        skills,
        roadmaps,
        authors,
        guides,
    };
    Ok((bundle, report))
}
