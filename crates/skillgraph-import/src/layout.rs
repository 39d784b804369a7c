//! Where the files of an import are: the layouts `skillgraph import`
//! accepts, found without the curator rearranging anything.
//!
//! - **A clone of the roadmap.sh repository** (it has `src/data/roadmaps/`):
//!   each `src/data/roadmaps/<name>/` is a roadmap folder (below); guides
//!   from `src/data/guides/`, authors from `src/data/authors/`.
//! - **A folder of roadmap folders** (like `src/data/roadmaps/` itself: no
//!   JSON file of its own, subfolders `<name>/<name>.json`): each subfolder
//!   is a roadmap folder.
//! - **A roadmap folder** as the repository ships one: `<name>/<name>.json`,
//!   its topic files in `<name>/content/`, its page `<name>/<name>.md`
//!   (front matter: title, description, related roadmaps). Other JSON files
//!   there (`<name>-beginner.json`, an id map) are noted and ignored.
//! - **A flat folder** (our own fixtures' shape): every `*.json` a roadmap,
//!   topic files shared in `content/`, guides in `guides/`, authors in
//!   `guides/authors/`.
//!
//! `--roadmap NAME` picks roadmaps by folder (or file) name from any of
//! these; a name that is not there is an error listing those that are.

use std::path::{Path, PathBuf};

use crate::assemble::{entries, has_extension, stem, unreadable};
use crate::{ImportError, Report, WarningKind};

/// One roadmap to read.
pub(crate) struct RoadmapSource {
    /// Its name: the folder's (or the file stem), which `--roadmap` picks by.
    pub(crate) name: String,
    /// The editor's flow chart.
    pub(crate) json: PathBuf,
    /// The folder its topic files are in.
    pub(crate) content: PathBuf,
    /// Its page (`<name>.md`), when the layout has one.
    pub(crate) page: Option<PathBuf>,
}

/// Everything an import reads.
pub(crate) struct Layout {
    /// The roadmaps, in name order.
    pub(crate) roadmaps: Vec<RoadmapSource>,
    /// The guides folder (it may not exist).
    pub(crate) guides: PathBuf,
    /// The authors folder (it may not exist).
    pub(crate) authors: PathBuf,
}

fn json_files(dir: &Path) -> Result<Vec<PathBuf>, ImportError> {
    Ok(entries(dir)?
        .into_iter()
        .filter(|p| p.is_file() && has_extension(p, "json"))
        .collect())
}

fn folder_name(dir: &Path) -> Option<String> {
    dir.canonicalize()
        .ok()
        .and_then(|d| d.file_name().map(|n| n.to_string_lossy().into_owned()))
}

/// A roadmap folder as roadmap.sh ships it (`backend/` holding
/// `backend.json`), or `None` when the folder has no JSON file of its name.
fn roadmap_folder(dir: &Path, report: &mut Report) -> Result<Option<RoadmapSource>, ImportError> {
    let Some(name) = folder_name(dir) else {
        return Ok(None);
    };
    let json = json_files(dir)?;
    let Some(own) = json.iter().find(|p| stem(p) == name) else {
        return Ok(None);
    };
    for other in json.iter().filter(|p| *p != own) {
        report.warn(
            WarningKind::File,
            other,
            None,
            format!("not the roadmap of this folder (that is {name}.json); ignored"),
        );
    }
    let page = dir.join(format!("{name}.md"));
    Ok(Some(RoadmapSource {
        json: own.clone(),
        content: dir.join("content"),
        page: page.is_file().then_some(page),
        name,
    }))
}

/// Every roadmap folder directly under `dir`, in name order; subfolders
/// that hold no roadmap are noted.
fn roadmap_folders(dir: &Path, report: &mut Report) -> Result<Vec<RoadmapSource>, ImportError> {
    let mut found = Vec::new();
    for sub in entries(dir)?.into_iter().filter(|p| p.is_dir()) {
        match roadmap_folder(&sub, report)? {
            Some(source) => found.push(source),
            None => report.warn(
                WarningKind::File,
                &sub,
                None,
                "holds no editor roadmap (no JSON file named like the folder); skipped".into(),
            ),
        }
    }
    Ok(found)
}

/// Finds the layout of `dir`, keeping only the roadmaps named in `picked`
/// (all when it is empty).
pub(crate) fn find(
    dir: &Path,
    picked: &[String],
    report: &mut Report,
) -> Result<Layout, ImportError> {
    if !dir.is_dir() {
        return Err(unreadable(
            dir,
            if dir.exists() {
                "not a directory"
            } else {
                "no such directory"
            },
        ));
    }
    let data = dir.join("src").join("data");
    if data.join("roadmaps").is_dir() {
        let layout = Layout {
            roadmaps: roadmap_folders(&data.join("roadmaps"), report)?,
            guides: data.join("guides"),
            authors: data.join("authors"),
        };
        return pick(layout, picked, dir);
    }
    let roadmaps = match roadmap_folder(dir, report)? {
        Some(source) => vec![source],
        None => {
            let json = json_files(dir)?;
            let holds_roadmap_folders = json.is_empty()
                && entries(dir)?
                    .iter()
                    .any(|sub| sub.is_dir() && sub.join(format!("{}.json", stem(sub))).is_file());
            if holds_roadmap_folders {
                roadmap_folders(dir, report)?
            } else {
                json.into_iter()
                    .map(|json| RoadmapSource {
                        name: stem(&json),
                        json,
                        content: dir.join("content"),
                        page: None,
                    })
                    .collect()
            }
        }
    };
    let layout = Layout {
        roadmaps,
        guides: dir.join("guides"),
        authors: dir.join("guides").join("authors"),
    };
    pick(layout, picked, dir)
}

fn pick(mut layout: Layout, picked: &[String], dir: &Path) -> Result<Layout, ImportError> {
    if picked.is_empty() {
        return Ok(layout);
    }
    let missing: Vec<&str> = picked
        .iter()
        .filter(|name| !layout.roadmaps.iter().any(|r| &r.name == *name))
        .map(String::as_str)
        .collect();
    if !missing.is_empty() {
        let there: Vec<&str> = layout.roadmaps.iter().map(|r| r.name.as_str()).collect();
        return Err(ImportError::UnknownRoadmap {
            dir: dir.to_path_buf(),
            missing: missing.join(", "),
            available: if there.is_empty() {
                "none".into()
            } else {
                there.join(", ")
            },
        });
    }
    layout.roadmaps.retain(|r| picked.contains(&r.name));
    Ok(layout)
}
