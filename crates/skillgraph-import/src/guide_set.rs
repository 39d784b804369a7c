//! The guides of a folder as a set: each guide's front matter read, its
//! author looked up, and related links resolved to guides of the set
//! (guides sharing a `relatedGuidesId` are related to each other).

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use skillgraph_domain::{BundleAuthor, BundleGuide, HttpsUrl, Markdown, Slug};

use crate::assemble::{entries, has_extension, markdown, read, skills_title, stem, unreadable};
use crate::guide::{RelatedGuide, fill_current_year, parse_front_matter, related_entries};
use crate::text::{slugify, title_from_slug, title_of, with_suffix};
use crate::{ImportError, Report, WarningKind};

/// A guide read from the folder, before its related links are resolved.
struct LocalGuide {
    guide: BundleGuide,
    /// Related links, each with whether it came from a shared list (which
    /// may name the guide itself without that being a flaw).
    related: Vec<(RelatedGuide, bool)>,
    /// `relatedGuidesId`: guides sharing it are related to each other.
    group: Option<String>,
    file: PathBuf,
}

/// URLs compared without a trailing slash.
fn url_key(url: &HttpsUrl) -> String {
    url.as_str().trim_end_matches('/').to_owned()
}

/// A slug for a guide known only by its url: its last path segment, else its host.
fn slug_from_url(url: &HttpsUrl) -> Option<Slug> {
    let parsed = url::Url::parse(url.as_str()).ok()?;
    let segment = parsed
        .path_segments()
        .and_then(|mut s| s.rfind(|p| !p.is_empty()).map(str::to_owned));
    segment
        .as_deref()
        .and_then(slugify)
        .or_else(|| parsed.host_str().and_then(slugify))
}

fn unique_slug(base: &Slug, used: &HashSet<Slug>) -> Option<Slug> {
    if !used.contains(base) {
        return Some(base.clone());
    }
    (2..=used.len() + 2)
        .filter_map(|n| with_suffix(base, n))
        .find(|s| !used.contains(s))
}

/// The text of the first `# heading` of a markdown body.
fn first_heading(body: &str) -> Option<&str> {
    body.lines()
        .find_map(|line| line.trim_start().strip_prefix("# "))
}

/// Whether a name can be a file name inside a folder (no separators or `..`).
fn plain_file_name(name: &str) -> bool {
    !name.is_empty() && !name.contains(['/', '\\']) && name != "." && name != ".."
}

struct Guides<'a> {
    dir: &'a Path,
    authors_dir: &'a Path,
    lists: HashMap<String, Option<Vec<RelatedGuide>>>,
    authors: Vec<BundleAuthor>,
}

impl Guides<'_> {
    /// A shared related-guide list, read once; `None` when there is no file for `id`.
    fn related_list(
        &mut self,
        id: &str,
        report: &mut Report,
    ) -> Result<Option<Vec<RelatedGuide>>, ImportError> {
        if let Some(list) = self.lists.get(id) {
            return Ok(list.clone());
        }
        let folder = self.dir.join("related");
        let candidates = ["json", "yaml", "yml"].map(|ext| folder.join(format!("{id}.{ext}")));
        let found = if plain_file_name(id) {
            candidates.iter().find(|p| p.is_file())
        } else {
            None
        };
        let list = match found {
            None => None,
            Some(path) => {
                let text = read(path)?;
                let entries = if has_extension(path, "json") {
                    serde_json::from_str::<crate::guide::Entries>(&text).map_err(|e| {
                        ImportError::Unreadable {
                            file: path.clone(),
                            line: Some(e.line()),
                            message: format!("not valid JSON: {e}"),
                        }
                    })?
                } else {
                    serde_saphyr::from_str::<crate::guide::Entries>(&text).map_err(|e| {
                        ImportError::Unreadable {
                            file: path.clone(),
                            line: e.location().and_then(|l| usize::try_from(l.line()).ok()),
                            message: format!("not valid YAML: {e}"),
                        }
                    })?
                };
                Some(related_entries(entries.0, path, None, report))
            }
        };
        self.lists.insert(id.to_owned(), list.clone());
        Ok(list)
    }

    /// The author with this `authorId`, read from `guides/authors/` on first use.
    fn author(
        &mut self,
        author_id: &str,
        guide_file: &Path,
        report: &mut Report,
    ) -> Result<Option<Slug>, ImportError> {
        let Some(id) = slugify(author_id) else {
            report.warn(
                WarningKind::Guide,
                guide_file,
                None,
                format!("`authorId: {author_id}` makes no slug; the guide has no author"),
            );
            return Ok(None);
        };
        if self.authors.iter().any(|a| a.id == id) {
            return Ok(Some(id));
        }
        let folder = self.authors_dir;
        let path = [author_id, id.as_str()]
            .into_iter()
            .filter(|name| plain_file_name(name))
            .map(|name| folder.join(format!("{name}.md")))
            .find(|p| p.is_file());
        let (mut name, mut links) = (None, Vec::new());
        if let Some(path) = path {
            let text = read(&path)?;
            let (front, _) = parse_front_matter(&text, &path, report)?;
            name = front.name;
            links = front.links;
        }
        let name = name
            .or_else(|| title_of(author_id).map(|(t, _)| t))
            .unwrap_or_else(|| skills_title(&id));
        self.authors.push(BundleAuthor {
            id: id.clone(),
            name,
            links,
        });
        Ok(Some(id))
    }
}

/// Reads a guides folder: guides, their authors (from `authors_dir`) and related guides.
pub(crate) fn import_guides(
    dir: &Path,
    authors_dir: &Path,
    report: &mut Report,
) -> Result<(Vec<BundleGuide>, Vec<BundleAuthor>), ImportError> {
    if !dir.exists() {
        return Ok((Vec::new(), Vec::new()));
    }
    let mut guides = Guides {
        dir,
        authors_dir,
        lists: HashMap::new(),
        authors: Vec::new(),
    };
    let mut locals: Vec<LocalGuide> = Vec::new();
    let mut used: HashSet<Slug> = HashSet::new();
    for path in entries(dir)? {
        if !path.is_file() || !has_extension(&path, "md") {
            continue;
        }
        let stem = stem(&path);
        let Some(base) = slugify(&stem) else {
            report.warn(
                WarningKind::Guide,
                &path,
                None,
                "the file name makes no slug; the guide is ignored".into(),
            );
            continue;
        };
        let Some(slug) = unique_slug(&base, &used) else {
            continue;
        };
        if slug.as_str() != stem {
            report.warn(
                WarningKind::Guide,
                &path,
                None,
                format!("the file name is not a slug; the guide's slug is `{slug}`"),
            );
        }
        used.insert(slug.clone());
        let text = read(&path)?;
        let (front, body) = parse_front_matter(&text, &path, report)?;
        let title = match front.title {
            Some(title) => title,
            None => {
                let heading = first_heading(&body).and_then(|h| {
                    let h = fill_current_year(h, "the heading", front.date, &path, None, report);
                    title_of(&h).map(|(t, _)| t)
                });
                let title = heading
                    .or_else(|| title_of(&title_from_slug(slug.as_str())).map(|(t, _)| t))
                    .unwrap_or_else(|| skills_title(&slug));
                report.warn(
                    WarningKind::Guide,
                    &path,
                    Some(1),
                    format!("no `title` in the front matter; `{title}` is used"),
                );
                title
            }
        };
        let url = match front.url.or(front.excluded_by_slug) {
            Some(url) => url,
            None => HttpsUrl::parse(format!("https://roadmap.sh/guides/{slug}"))
                .map_err(|e| unreadable(&path, e))?,
        };
        let author = match &front.author_id {
            Some(author_id) => guides.author(author_id, &path, report)?,
            None => None,
        };
        let mut related: Vec<(RelatedGuide, bool)> = front
            .related_guides
            .into_iter()
            .map(|r| (r, false))
            .collect();
        if let Some(id) = &front.related_guides_id
            && let Some(list) = guides.related_list(id, report)?
        {
            related.extend(list.into_iter().map(|r| (r, true)));
        }
        let body = markdown(&body, &path, "the guide body", report);
        locals.push(LocalGuide {
            guide: BundleGuide {
                slug,
                title,
                description: front.description.unwrap_or_default(),
                url,
                author,
                published: front.date,
                tags: front.tags,
                body: Some(body).filter(|b| !b.as_str().is_empty()),
                related: Vec::new(),
                skills: Vec::new(),
            },
            related,
            group: front.related_guides_id,
            file: path,
        });
    }

    // Guides sharing a `relatedGuidesId` are related to each other (roadmap.sh
    // keeps no list for them); an id that no file and no other guide shares
    // relates nothing.
    let mut groups: HashMap<String, Vec<usize>> = HashMap::new();
    for (at, local) in locals.iter().enumerate() {
        if let Some(group) = &local.group {
            groups.entry(group.clone()).or_default().push(at);
        }
    }
    for local in &locals {
        if let Some(group) = &local.group
            && groups.get(group).is_some_and(|members| members.len() < 2)
            && guides.lists.get(group).is_none_or(Option::is_none)
        {
            report.warn(
                WarningKind::Guide,
                &local.file,
                None,
                format!(
                    "`relatedGuidesId: {group}` names no file guides/related/{group}.json, .yaml or .yml and no other guide shares it; no related guides from it"
                ),
            );
        }
    }

    let mut by_url: HashMap<String, Slug> = locals
        .iter()
        .map(|l| (url_key(&l.guide.url), l.guide.slug.clone()))
        .collect();
    let mut minimal: Vec<BundleGuide> = Vec::new();
    for local in &mut locals {
        for (link, shared) in std::mem::take(&mut local.related) {
            let key = url_key(&link.url);
            let slug = match by_url.get(&key) {
                Some(slug) => slug.clone(),
                None => {
                    let Some(slug) = slug_from_url(&link.url).and_then(|b| unique_slug(&b, &used))
                    else {
                        report.warn(
                            WarningKind::Guide,
                            &local.file,
                            None,
                            format!("related guide {} makes no slug; it is left out", link.url),
                        );
                        continue;
                    };
                    used.insert(slug.clone());
                    by_url.insert(key, slug.clone());
                    minimal.push(BundleGuide {
                        slug: slug.clone(),
                        title: link.title,
                        description: Markdown::default(),
                        url: link.url,
                        author: None,
                        published: None,
                        tags: Vec::new(),
                        body: None,
                        related: Vec::new(),
                        skills: Vec::new(),
                    });
                    slug
                }
            };
            if slug == local.guide.slug {
                if shared {
                    // A shared list names every guide that uses it.
                    continue;
                }
                report.warn(
                    WarningKind::Guide,
                    &local.file,
                    None,
                    "the guide lists itself as related; that link is left out".into(),
                );
            } else if !local.guide.related.contains(&slug) {
                local.guide.related.push(slug);
            }
        }
    }
    let slugs: Vec<Slug> = locals.iter().map(|l| l.guide.slug.clone()).collect();
    for local in &mut locals {
        let Some(members) = local.group.as_ref().and_then(|g| groups.get(g)) else {
            continue;
        };
        for &member in members {
            let slug = &slugs[member];
            if *slug != local.guide.slug && !local.guide.related.contains(slug) {
                local.guide.related.push(slug.clone());
            }
        }
    }
    let mut all: Vec<BundleGuide> = locals.into_iter().map(|l| l.guide).collect();
    all.extend(minimal);
    Ok((all, guides.authors))
}
