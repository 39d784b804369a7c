//! Topic content files: found in each roadmap's content folder, matched to
//! the nodes of that roadmap, read into their skills. A skill met on
//! several nodes (a repeated label, a topic two roadmaps share) reads every
//! file it has and unites them: the longer description is kept, resources
//! are unioned by url.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use skillgraph_domain::{BundleResource, Slug, Summary, unite_resources};

use crate::assemble::{Skills, entries, has_extension, markdown, read, stem};
use crate::text::slugify;
use crate::topic::parse_topic_markdown;
use crate::{ImportError, Report, WarningKind};

/// One topic content file and what claims it.
pub(crate) struct ContentFile {
    pub(crate) path: PathBuf,
    /// The content folder it was found in (an index into the import's folders).
    root: usize,
    slug: Option<Slug>,
    id: Option<String>,
    used: bool,
    /// The roadmap files whose nodes claimed it.
    pub(crate) claimed_by: Vec<PathBuf>,
    /// Resource lines read from it, and resources kept of them.
    pub(crate) resources: (usize, usize),
}

fn collect_markdown(dir: &Path, found: &mut Vec<PathBuf>) -> Result<(), ImportError> {
    for path in entries(dir)? {
        if path.is_dir() {
            collect_markdown(&path, found)?;
        } else if has_extension(&path, "md") {
            found.push(path);
        }
    }
    Ok(())
}

/// Every markdown file under each folder (searched recursively), named
/// `label-slug@nodeId.md`; a folder that does not exist holds none.
pub(crate) fn content_files(roots: &[PathBuf]) -> Result<Vec<ContentFile>, ImportError> {
    let mut files = Vec::new();
    for (root, dir) in roots.iter().enumerate() {
        let mut paths = Vec::new();
        if dir.exists() {
            collect_markdown(dir, &mut paths)?;
        }
        files.extend(paths.into_iter().map(|path| {
            let stem = stem(&path);
            let (slug, id) = match stem.rsplit_once('@') {
                Some((slug, id)) => (slug.to_owned(), Some(id.trim().to_owned())),
                None => (stem, None),
            };
            ContentFile {
                slug: slugify(&slug),
                id: id.filter(|id| !id.is_empty()),
                root,
                path,
                used: false,
                claimed_by: Vec::new(),
                resources: (0, 0),
            }
        }));
    }
    Ok(files)
}

/// The files each skill claims: by node id in its roadmap's folder, else
/// one file named after its label that no node's id claims.
fn claim(skills: &mut Skills, files: &mut [ContentFile], report: &mut Report) {
    let node_ids: HashSet<(usize, &str)> = skills
        .drafts
        .iter()
        .flat_map(|d| d.nodes.iter().map(|n| (n.root, n.id.as_str())))
        .collect();
    let mut by_id: HashMap<(usize, String), usize> = HashMap::new();
    for (at, file) in files.iter().enumerate() {
        let Some(id) = &file.id else { continue };
        match by_id.get(&(file.root, id.clone())) {
            Some(&first) => report.warn(
                WarningKind::Content,
                &file.path,
                None,
                format!(
                    "another content file for node `{id}`, {}, comes first; this one is not used",
                    files[first].path.display()
                ),
            ),
            None => {
                by_id.insert((file.root, id.clone()), at);
            }
        }
    }
    let mut by_slug: HashMap<(usize, Slug), usize> = HashMap::new();
    for (at, file) in files.iter().enumerate() {
        let orphan = file
            .id
            .as_deref()
            .is_none_or(|id| !node_ids.contains(&(file.root, id)));
        if orphan && let Some(slug) = &file.slug {
            by_slug.entry((file.root, slug.clone())).or_insert(at);
        }
    }
    drop(node_ids);
    for draft in &mut skills.drafts {
        for node in &draft.nodes {
            if let Some(&at) = by_id.get(&(node.root, node.id.clone())) {
                if !draft.content.contains(&at) {
                    draft.content.push(at);
                }
                files[at].used = true;
                if !files[at].claimed_by.contains(&node.file) {
                    files[at].claimed_by.push(node.file.clone());
                }
            }
        }
    }
    for draft in &mut skills.drafts {
        if !draft.content.is_empty() {
            continue;
        }
        for node in &draft.nodes {
            if let Some(&at) = by_slug.get(&(node.root, draft.base_slug.clone()))
                && (!files[at].used || draft.content.contains(&at))
            {
                if !draft.content.contains(&at) {
                    draft.content.push(at);
                }
                files[at].used = true;
                if !files[at].claimed_by.contains(&node.file) {
                    files[at].claimed_by.push(node.file.clone());
                }
            }
        }
    }
}

/// Finds, reads and applies each skill's content files.
pub(crate) fn apply_content(
    skills: &mut Skills,
    files: &mut [ContentFile],
    report: &mut Report,
) -> Result<(), ImportError> {
    claim(skills, files, report);
    for draft in &mut skills.drafts {
        let fallback = || Summary::parse(format!("Learn {}.", draft.name)).ok();
        if draft.content.is_empty() {
            if let Some(node) = draft.nodes.first() {
                report.warn(
                    WarningKind::Content,
                    &node.file,
                    node.line,
                    format!(
                        "{} `{}` (node `{}`) has no content file; its summary is `Learn {}.`",
                        node.kind, draft.name, node.id, draft.name
                    ),
                );
            }
            draft.summary = fallback();
            continue;
        }
        let mut described_by: Option<PathBuf> = None;
        for &at in &draft.content {
            let path = files[at].path.clone();
            let text = read(&path)?;
            let content = parse_topic_markdown(&text, &path, report);
            files[at].resources = (content.resources_read, content.resources.len());
            let resources: Vec<BundleResource> = content
                .resources
                .into_iter()
                .map(|r| BundleResource {
                    kind: r.kind,
                    title: r.title,
                    url: r.url,
                })
                .collect();
            unite_resources(&mut draft.resources, &resources);
            let Some(summary) = content.summary else {
                continue;
            };
            let description = markdown(&content.description, &path, "the description", report);
            match &described_by {
                None => {
                    draft.description = description;
                    draft.summary = Some(summary);
                    described_by = Some(path);
                }
                Some(_) if description.as_str().trim() == draft.description.as_str().trim() => {}
                Some(first) => {
                    let (kept, other) = if description.as_str().trim().len()
                        > draft.description.as_str().trim().len()
                    {
                        draft.description = description;
                        draft.summary = Some(summary);
                        let other = first.clone();
                        described_by = Some(path.clone());
                        (path, other)
                    } else {
                        (first.clone(), path)
                    };
                    report.warn(
                        WarningKind::Merge,
                        &other,
                        None,
                        format!(
                            "`{}` is described in two files; the longer, {}, is kept (resources of both are)",
                            draft.name,
                            kept.display()
                        ),
                    );
                }
            }
        }
        if described_by.is_none() {
            let path = &files[draft.content[0]].path;
            report.warn(
                WarningKind::Content,
                path,
                None,
                format!(
                    "no description for `{}`; its summary is `Learn {}.`",
                    draft.name, draft.name
                ),
            );
            draft.summary = fallback();
        }
    }
    for file in files.iter().filter(|f| !f.used) {
        report.warn(
            WarningKind::Content,
            &file.path,
            None,
            "this content file matches no topic or subtopic node".into(),
        );
    }
    Ok(())
}
