//! A roadmap's page, `<name>/<name>.md` in the repository: front matter
//! giving the roadmap's title, description and related roadmaps, which the
//! flow chart does not hold.

use std::path::Path;

use serde::Deserialize;
use serde_json::Value;

use crate::guide::front_matter;
use crate::text::one_line;
use crate::{ImportError, Report, WarningKind};

/// The front matter keys a page is read for; the site's own (`seo`,
/// `sitemap`, `dimensions`, `isNew`, …) are ignored.
#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
struct RawPage {
    title: Option<Value>,
    description: Option<Value>,
    related_roadmaps: Option<Value>,
}

/// What a roadmap page says of its roadmap.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct RoadmapPage {
    /// The title to show, when given.
    pub(crate) title: Option<String>,
    /// The description: the front matter's, then the page body, as markdown.
    pub(crate) description: String,
    /// Names of related roadmaps, as the site's paths give them.
    pub(crate) related: Vec<String>,
}

fn text(value: Option<&Value>) -> Option<String> {
    match value? {
        Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_owned()),
        _ => None,
    }
}

/// Reads a roadmap page; fields of the wrong shape are left out with a warning.
pub(crate) fn parse_page(
    text_in: &str,
    file: &Path,
    report: &mut Report,
) -> Result<RoadmapPage, ImportError> {
    let (raw, body): (RawPage, String) = front_matter(text_in, file)?;
    let mut page = RoadmapPage {
        title: text(raw.title.as_ref()).map(|t| one_line(&t)),
        ..RoadmapPage::default()
    };
    let mut description = text(raw.description.as_ref()).unwrap_or_default();
    let body = body.trim();
    if !body.is_empty() {
        if !description.is_empty() {
            description.push_str("\n\n");
        }
        description.push_str(body);
    }
    page.description = description;
    match &raw.related_roadmaps {
        None | Some(Value::Null) => {}
        Some(Value::Array(names)) => {
            for name in names {
                match name.as_str().map(|n| n.trim().trim_matches('/')) {
                    Some(name) if !name.is_empty() => page.related.push(name.to_owned()),
                    _ => report.warn(
                        WarningKind::File,
                        file,
                        None,
                        format!(
                            "`relatedRoadmaps` holds `{name}`, not a roadmap name; it is left out"
                        ),
                    ),
                }
            }
        }
        Some(other) => report.warn(
            WarningKind::File,
            file,
            None,
            format!("`relatedRoadmaps` is `{other}`, not a list; it is ignored"),
        ),
    }
    Ok(page)
}
