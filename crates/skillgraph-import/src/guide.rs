//! Guide files: markdown with YAML front matter between `---` lines, and the
//! shared related-guide lists and author files beside them.

use std::path::Path;

use chrono::{Datelike, NaiveDate};
use serde::Deserialize;
use serde::de::{self, MapAccess, SeqAccess, Visitor};
use serde_json::Value;
use serde_saphyr::Spanned;
use skillgraph_domain::{HttpsUrl, MAX_LINKS, MAX_TAGS, Markdown, Slug, Title};

use crate::text::{one_line, slugify, title_of};
use crate::topic::on_site;
use crate::{ImportError, Report, WarningKind};

/// A related guide named in front matter or in a shared list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RelatedGuide {
    /// The title it is linked with.
    pub title: Title,
    /// Where it is.
    pub url: HttpsUrl,
}

/// The front matter of a guide (or of an author file), checked field by
/// field: a field that is there but unusable is left out with a warning.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct GuideFrontMatter {
    /// `title`.
    pub title: Option<Title>,
    /// `description`.
    pub description: Option<Markdown>,
    /// `authorId`, as written.
    pub author_id: Option<String>,
    /// `date` (`YYYY-MM-DD`).
    pub date: Option<NaiveDate>,
    /// `tags`, slugified, repeats and roadmap.sh's own site tags
    /// (`guide`, `guide-sitemap`, …) left out.
    pub tags: Vec<Slug>,
    /// `url`, where the guide is published.
    pub url: Option<HttpsUrl>,
    /// `excludedBySlug`: the path roadmap.sh serves the guide at instead of
    /// `/guides/<slug>` (`/backend/job-description`), resolved against
    /// `https://roadmap.sh`; the guide's url when `url` is not given.
    pub excluded_by_slug: Option<HttpsUrl>,
    /// `relatedGuides`: a map of title → url (a list of `{title, url}` is accepted too), in file order.
    pub related_guides: Vec<RelatedGuide>,
    /// `relatedGuidesId`: the name of a shared list in `guides/related/`.
    pub related_guides_id: Option<String>,
    /// `name`: an author file's display name.
    pub name: Option<Title>,
    /// An author file's pages: `links` (a list) and the values of `social` (a map).
    pub links: Vec<HttpsUrl>,
}

/// Entries of a map or list, kept in file order (serde_json's map would sort them).
#[derive(Debug, Default)]
pub(crate) struct Entries(pub(crate) Vec<(Option<String>, Value)>);

impl<'de> Deserialize<'de> for Entries {
    fn deserialize<D: de::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct EntriesVisitor;
        impl<'de> Visitor<'de> for EntriesVisitor {
            type Value = Entries;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a map or a list")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Entries, A::Error> {
                let mut entries = Vec::new();
                while let Some((key, value)) = map.next_entry::<Value, Value>()? {
                    entries.push((scalar_text(&key), value));
                }
                Ok(Entries(entries))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Entries, A::Error> {
                let mut entries = Vec::new();
                while let Some(value) = seq.next_element::<Value>()? {
                    entries.push((None, value));
                }
                Ok(Entries(entries))
            }
            fn visit_unit<E: de::Error>(self) -> Result<Entries, E> {
                Ok(Entries::default())
            }
            fn visit_none<E: de::Error>(self) -> Result<Entries, E> {
                Ok(Entries::default())
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Entries, E> {
                Ok(Entries(vec![(None, Value::String(v.to_owned()))]))
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<Entries, E> {
                Ok(Entries(vec![(None, Value::Bool(v))]))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Entries, E> {
                Ok(Entries(vec![(None, Value::from(v))]))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Entries, E> {
                Ok(Entries(vec![(None, Value::from(v))]))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Entries, E> {
                Ok(Entries(vec![(None, Value::from(v))]))
            }
        }
        deserializer.deserialize_any(EntriesVisitor)
    }
}

/// The front matter as YAML gives it, each field with its line.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct RawFrontMatter {
    title: Option<Spanned<Value>>,
    description: Option<Spanned<Value>>,
    #[serde(rename = "authorId")]
    author_id: Option<Spanned<Value>>,
    date: Option<Spanned<Value>>,
    tags: Option<Spanned<Entries>>,
    url: Option<Spanned<Value>>,
    #[serde(rename = "excludedBySlug")]
    excluded_by_slug: Option<Spanned<Value>>,
    #[serde(rename = "relatedGuides")]
    related_guides: Option<Spanned<Entries>>,
    #[serde(rename = "relatedGuidesId")]
    related_guides_id: Option<Spanned<Value>>,
    name: Option<Spanned<Value>>,
    links: Option<Spanned<Entries>>,
    social: Option<Spanned<Entries>>,
}

/// Tags roadmap.sh puts on its guides (and roadmaps, best practices and
/// questions) to build its own pages, listings and sitemaps: they say what a
/// page is on the site, not what it is about, so they are left out of a
/// guide's tags (compared after slugifying).
pub(crate) const SITE_TAGS: &[&str] = &[
    "guide",
    "textual-guide",
    "visual-guide",
    "video-guide",
    "guide-sitemap",
    "roadmap",
    "roadmap-sitemap",
    "role-roadmap",
    "skill-roadmap",
    "main-sitemap",
    "best-practice",
    "best-practice-sitemap",
    "question",
    "question-sitemap",
];

/// The placeholder roadmap.sh's templates put in titles and descriptions
/// for the year the page is shown in.
pub(crate) const CURRENT_YEAR: &str = "@currentYear@";

/// `text` with [`CURRENT_YEAR`] replaced by the year of `date`; without a
/// date the text is kept as written, with a warning naming `what`.
pub(crate) fn fill_current_year(
    text: &str,
    what: &str,
    date: Option<NaiveDate>,
    file: &Path,
    line: Option<usize>,
    report: &mut Report,
) -> String {
    if !text.contains(CURRENT_YEAR) {
        return text.to_owned();
    }
    match date {
        Some(date) => text.replace(CURRENT_YEAR, &date.year().to_string()),
        None => {
            report.warn(
                WarningKind::Guide,
                file,
                line,
                format!(
                    "{what} holds `{CURRENT_YEAR}` but the guide has no `date` to take the year from; it is kept as written"
                ),
            );
            text.to_owned()
        }
    }
}

/// Text of a scalar; `None` for null, lists and maps.
fn scalar_text(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.trim().to_owned()).filter(|s| !s.is_empty()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// Parses a URL from front matter or a list, upgrading http with a warning.
pub(crate) fn url_field(
    text: &str,
    what: &str,
    file: &Path,
    line: Option<usize>,
    report: &mut Report,
) -> Option<HttpsUrl> {
    let text = text.trim();
    let text = match text.get(..7) {
        Some(scheme) if scheme.eq_ignore_ascii_case("http://") => {
            report.warn(
                WarningKind::Guide,
                file,
                line,
                format!("{what} `{text}` is http; upgraded to https"),
            );
            format!("https://{}", &text[7..])
        }
        _ => text.to_owned(),
    };
    match HttpsUrl::parse(&text) {
        Ok(url) => Some(url),
        Err(e) => {
            report.warn(
                WarningKind::Guide,
                file,
                line,
                format!("{what} is left out: {e}"),
            );
            None
        }
    }
}

/// Reads `{title, url}` entries (or `title: url` pairs) into related guides.
pub(crate) fn related_entries(
    entries: Vec<(Option<String>, Value)>,
    file: &Path,
    line: Option<usize>,
    report: &mut Report,
) -> Vec<RelatedGuide> {
    let mut related = Vec::new();
    for (key, value) in entries {
        let (title, url) = match (key, &value) {
            (Some(title), value) => (Some(title), scalar_text(value)),
            (None, Value::Object(map)) => (
                map.get("title").and_then(scalar_text),
                map.get("url").and_then(scalar_text),
            ),
            (None, _) => (None, None),
        };
        let Some(url_text) = url else {
            report.warn(
                WarningKind::Guide,
                file,
                line,
                format!(
                    "related guide `{}` has no url; it is left out",
                    title.as_deref().unwrap_or("?")
                ),
            );
            continue;
        };
        // roadmap.sh links its own guides by path (`/backend/developer-skills`).
        let url_text = on_site(&url_text).unwrap_or(url_text);
        let Some(url) = url_field(&url_text, "related guide url", file, line, report) else {
            continue;
        };
        let title = match title.as_deref().and_then(title_of) {
            Some((title, _)) => title,
            None => {
                report.warn(
                    WarningKind::Guide,
                    file,
                    line,
                    format!("related guide {url} has no title; its url is used"),
                );
                match title_of(url.as_str()) {
                    Some((title, _)) => title,
                    None => continue,
                }
            }
        };
        related.push(RelatedGuide { title, url });
    }
    related
}

/// Splits a markdown file into its YAML front matter, read as `T` (the
/// default when the file has none), and its body; see [`parse_front_matter`]
/// for what counts as front matter and which errors it gives.
pub(crate) fn front_matter<T: de::DeserializeOwned + Default>(
    text: &str,
    file: &Path,
) -> Result<(T, String), ImportError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut lines = text.split_inclusive('\n');
    let Some(first) = lines.next() else {
        return Ok((T::default(), String::new()));
    };
    if first.trim_end() != "---" {
        return Ok((T::default(), text.to_owned()));
    }
    let yaml_start = first.len();
    let mut at = yaml_start;
    let mut close = None;
    for line in lines {
        let trimmed = line.trim_end();
        if trimmed == "---" || trimmed == "..." {
            close = Some((at, at + line.len()));
            break;
        }
        at += line.len();
    }
    let Some((yaml_end, body_start)) = close else {
        return Err(ImportError::Unreadable {
            file: file.to_path_buf(),
            line: Some(1),
            message: "the front matter opened on this line is never closed with `---`".into(),
        });
    };
    let yaml = &text[yaml_start..yaml_end];
    let body = text[body_start..].to_owned();
    // The YAML starts on the file's second line.
    let file_line = |yaml_line: u64| usize::try_from(yaml_line).ok().map(|l| l + 1);
    let raw: T = if yaml.trim().is_empty() {
        T::default()
    } else {
        serde_saphyr::from_str(yaml).map_err(|e| ImportError::Unreadable {
            file: file.to_path_buf(),
            line: e.location().and_then(|l| file_line(l.line())).or(Some(2)),
            message: format!(
                "front matter is not valid YAML of the expected shape: {}",
                e.render_with_options(serde_saphyr::render_options! {
                    line_offset: 1,
                    snippets: serde_saphyr::SnippetMode::Off,
                })
            ),
        })?
    };
    Ok((raw, body))
}

/// Splits a guide (or author) file into its front matter and its body, and
/// checks the front matter's fields.
///
/// Front matter is the YAML between a first line `---` and the next line
/// `---` (or `...`). A file that does not start with `---` has none: every
/// field is empty and the whole text is the body. YAML that does not parse,
/// front matter that is not a map, or a `---` that is never closed is an
/// error naming the file line. Unknown keys (`seo`, …) are ignored; fields
/// of the wrong shape and invalid dates or URLs are left out with a warning
/// in `report` (this is the `report` argument added to the brief's signature).
pub fn parse_front_matter(
    text: &str,
    file: &Path,
    report: &mut Report,
) -> Result<(GuideFrontMatter, String), ImportError> {
    let (raw, body): (RawFrontMatter, String) = front_matter(text, file)?;
    // The YAML starts on the file's second line.
    let file_line = |yaml_line: u64| usize::try_from(yaml_line).ok().map(|l| l + 1);
    let line_of = |line: u64| file_line(line).filter(|&l| l > 1);
    let mut front = GuideFrontMatter::default();
    let text_field = |field: &Option<Spanned<Value>>, key: &str, report: &mut Report| {
        let field = field.as_ref()?;
        let line = line_of(field.referenced.line());
        match &field.value {
            Value::Null => None,
            value => match scalar_text(value) {
                Some(text) => Some((text, line)),
                None => {
                    report.warn(
                        WarningKind::Guide,
                        file,
                        line,
                        format!("`{key}` is not text; it is ignored"),
                    );
                    None
                }
            },
        }
    };
    // The date first: titles and descriptions take their year from it.
    if let Some((date, line)) = text_field(&raw.date, "date", report) {
        // Dates may carry a time (`2024-03-01T10:00:00Z`); the day is what counts.
        let day = date.get(..10).unwrap_or(&date);
        match NaiveDate::parse_from_str(day, "%Y-%m-%d") {
            Ok(d)
                if date
                    .get(10..)
                    .is_some_and(|rest| rest.is_empty() || rest.starts_with(['T', ' '])) =>
            {
                front.date = Some(d)
            }
            _ => report.warn(
                WarningKind::Guide,
                file,
                line,
                format!("`date` `{date}` is not a YYYY-MM-DD date; the guide has no date"),
            ),
        }
    }
    if let Some((title, line)) = text_field(&raw.title, "title", report) {
        let title = fill_current_year(&title, "`title`", front.date, file, line, report);
        front.title = title_of(&title).map(|(t, cut)| {
            if cut {
                report.warn(
                    WarningKind::Guide,
                    file,
                    line,
                    "`title` is too long; it is cut".into(),
                );
            }
            t
        });
    }
    if let Some((description, line)) = text_field(&raw.description, "description", report) {
        let description = fill_current_year(
            &description,
            "`description`",
            front.date,
            file,
            line,
            report,
        );
        match Markdown::parse(&description) {
            Ok(d) => front.description = Some(d),
            Err(e) => report.warn(
                WarningKind::Guide,
                file,
                line,
                format!("`description` is left out: {e}"),
            ),
        }
    }
    front.author_id = text_field(&raw.author_id, "authorId", report).map(|(id, _)| id);
    if let Some((url, line)) = text_field(&raw.url, "url", report) {
        front.url = url_field(&url, "`url`", file, line, report);
    }
    if let Some((path, line)) = text_field(&raw.excluded_by_slug, "excludedBySlug", report) {
        // A path on roadmap.sh (`/backend/job-description`); a full URL is taken as it is.
        let url = if path.contains("://") {
            path
        } else {
            on_site(&format!("/{}", path.trim_start_matches('/'))).unwrap_or(path)
        };
        front.excluded_by_slug = url_field(&url, "`excludedBySlug`", file, line, report);
    }
    front.related_guides_id =
        text_field(&raw.related_guides_id, "relatedGuidesId", report).map(|(id, _)| id);
    if let Some((name, _)) = text_field(&raw.name, "name", report) {
        front.name = title_of(&name).map(|(t, _)| t);
    }
    if let Some(tags) = raw.tags {
        let line = line_of(tags.referenced.line());
        let mut over = 0;
        for (_, value) in tags.value.0 {
            match scalar_text(&value).as_deref().and_then(slugify) {
                Some(tag) if front.tags.contains(&tag) || SITE_TAGS.contains(&tag.as_str()) => {}
                Some(_) if front.tags.len() == MAX_TAGS => over += 1,
                Some(tag) => front.tags.push(tag),
                None => report.warn(
                    WarningKind::Guide,
                    file,
                    line,
                    format!(
                        "tag `{}` has no letters or digits; it is ignored",
                        one_line(&value.to_string())
                    ),
                ),
            }
        }
        if over > 0 {
            report.warn(
                WarningKind::Guide,
                file,
                line,
                format!("{over} more tags are ignored: a guide keeps at most {MAX_TAGS}"),
            );
        }
    }
    if let Some(related) = raw.related_guides {
        let line = line_of(related.referenced.line());
        front.related_guides = related_entries(related.value.0, file, line, report);
    }
    for field in [raw.links, raw.social].into_iter().flatten() {
        let line = line_of(field.referenced.line());
        let mut over = 0;
        for (_, value) in field.value.0 {
            if let Some(url) = scalar_text(&value)
                && let Some(url) = url_field(&url, "link", file, line, report)
                && !front.links.contains(&url)
            {
                if front.links.len() == MAX_LINKS {
                    over += 1;
                } else {
                    front.links.push(url);
                }
            }
        }
        if over > 0 {
            report.warn(
                WarningKind::Guide,
                file,
                line,
                format!("{over} more links are ignored: an author keeps at most {MAX_LINKS}"),
            );
        }
    }
    Ok((front, body))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn front_matter_fields_and_body() {
        let text = "---\ntitle: 'Streams vs Batches'\ndescription: How to choose.\nauthorId: ada\ndate: 2024-03-05\ntags:\n  - data engineering\n  - Streams\nseo:\n  title: ignored\nrelatedGuides:\n  Second: https://example.com/guides/second\n  First: https://example.com/guides/first\n---\n\n# Body\n\nText.\n";
        let mut report = Report::default();
        let (front, body) =
            parse_front_matter(text, Path::new("g.md"), &mut report).expect("parses");
        assert!(report.warnings.is_empty(), "{:?}", report.warnings);
        assert_eq!(
            front.title.map(String::from).as_deref(),
            Some("Streams vs Batches")
        );
        assert_eq!(front.author_id.as_deref(), Some("ada"));
        assert_eq!(front.date, NaiveDate::from_ymd_opt(2024, 3, 5));
        let tags: Vec<_> = front.tags.iter().map(Slug::as_str).collect();
        assert_eq!(tags, ["data-engineering", "streams"]);
        let related: Vec<_> = front
            .related_guides
            .iter()
            .map(|r| r.title.as_str())
            .collect();
        assert_eq!(related, ["Second", "First"], "file order is kept");
        assert_eq!(body, "\n# Body\n\nText.\n");
    }

    #[test]
    fn invalid_dates_are_dropped_with_their_line() {
        let text = "---\ntitle: T\ndate: 2024-13-45\n---\nbody";
        let mut report = Report::default();
        let (front, _) = parse_front_matter(text, Path::new("g.md"), &mut report).expect("parses");
        assert_eq!(front.date, None);
        assert_eq!(report.warnings.len(), 1);
        assert_eq!(report.warnings[0].line, Some(3));
    }

    #[test]
    fn broken_front_matter_is_unreadable_at_its_line() {
        let text = "---\ntitle: T\ntags: [a, b\nauthorId: x\n---\nbody";
        let err = parse_front_matter(text, Path::new("g.md"), &mut Report::default())
            .expect_err("malformed");
        let ImportError::Unreadable { line, .. } = err else {
            panic!("unreadable: {err}")
        };
        assert!(matches!(line, Some(3..=5)), "{line:?}");
        let unclosed =
            parse_front_matter("---\ntitle: T\n", Path::new("g.md"), &mut Report::default());
        assert!(matches!(
            unclosed,
            Err(ImportError::Unreadable { line: Some(1), .. })
        ));
        let (front, body) = parse_front_matter(
            "# No front matter",
            Path::new("g.md"),
            &mut Report::default(),
        )
        .expect("no front matter is fine");
        assert_eq!(front, GuideFrontMatter::default());
        assert_eq!(body, "# No front matter");
    }
}
