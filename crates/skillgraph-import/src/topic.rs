//! Topic content files: `# Heading`, description paragraphs, then resource
//! lines `- [@kind@Title](url)`.

use std::collections::HashSet;
use std::ops::Range;
use std::path::Path;

use pulldown_cmark::{Event, HeadingLevel, Parser, Tag, TagEnd};
use skillgraph_domain::{HttpsUrl, ResourceKind, Summary, Title};

use crate::text::{Lines, one_line, shorten, title_of};
use crate::{Report, WarningKind};

/// A resource line that parsed, with what had to be fixed to make it parse.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResourceLine {
    /// The kind from `@kind@`, after any fix.
    pub kind: ResourceKind,
    /// The link text after `@kind@`.
    pub title: Title,
    /// The link target, upgraded to https if it was http, resolved against
    /// `https://roadmap.sh` if it was site-relative.
    pub url: HttpsUrl,
    /// One warning text per fix made (misspelt, unknown or `@`-less kind,
    /// http upgraded, title cut).
    pub fixes: Vec<String>,
    /// The link as written when it was site-relative (`/guides/x`,
    /// `/frontend`) and so resolved against `https://roadmap.sh`: roadmap.sh links to
    /// its own pages that way, so this is noted here rather than warned.
    pub relative: Option<String>,
}

/// A resource of a topic, with the line it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedResource {
    /// What kind of material.
    pub kind: ResourceKind,
    /// Its title.
    pub title: Title,
    /// Where it is.
    pub url: HttpsUrl,
    /// The 1-based line of the content file it is on.
    pub line: usize,
}

/// What a topic content file says about its topic.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TopicContent {
    /// The text of the first `# Heading`, if there is one.
    pub heading: Option<String>,
    /// The markdown between the heading and the resource list, trimmed; the
    /// lead-in sentence of the list ("Visit the following resources…:") is
    /// left out, also when it is glued to the description's last paragraph.
    pub description: String,
    /// The first sentence of the description on one line, cut to 280
    /// characters; `None` when the description has no paragraph.
    pub summary: Option<Summary>,
    /// The resources, in file order, without those that had to be dropped or repeated a URL.
    pub resources: Vec<ParsedResource>,
    /// The resource lines read: every item of the resource lists, before
    /// dropped lines and repeated URLs are left out, so a fidelity report can
    /// set what was read against what was kept (`resources.len()`).
    pub resources_read: usize,
}

/// Where roadmap.sh serves its pages: site-relative links in its content and
/// front matter (`/guides/some-guide`, `/frontend`) are resolved against it.
pub(crate) const SITE: &str = "https://roadmap.sh/";

/// A site-relative link (`/path`, or `//host/path`) resolved against [`SITE`];
/// `None` for a link that does not start with `/` or does not resolve.
pub(crate) fn on_site(link: &str) -> Option<String> {
    let link = link.trim();
    if !link.starts_with('/') {
        return None;
    }
    let base = url::Url::parse(SITE).ok()?;
    base.join(link).ok().map(String::from)
}

/// The kinds as written in content files, in the order that breaks ties.
const KINDS: &[(&str, ResourceKind)] = &[
    ("official", ResourceKind::Official),
    ("opensource", ResourceKind::OpenSource),
    ("article", ResourceKind::Article),
    ("video", ResourceKind::Video),
    ("course", ResourceKind::Course),
    ("book", ResourceKind::Book),
    ("podcast", ResourceKind::Podcast),
    ("feed", ResourceKind::Feed),
    ("roadmap", ResourceKind::Roadmap),
    // roadmap.sh's own links to its roadmaps, `@roadmap.sh@`.
    ("roadmapsh", ResourceKind::Roadmap),
];

/// A kind as compared: lowercase, without spaces, dots, hyphens and underscores.
fn kind_key(raw: &str) -> String {
    raw.chars()
        .filter(|c| !matches!(c, ' ' | '-' | '_' | '.'))
        .flat_map(char::to_lowercase)
        .collect()
}

/// The kind `raw` names exactly (see [`kind_key`]), if any.
fn exact_kind(raw: &str) -> Option<ResourceKind> {
    let key = kind_key(raw);
    KINDS
        .iter()
        .find(|(name, _)| *name == key)
        .map(|&(_, kind)| kind)
}

/// Reads a kind ignoring case, spaces, dots, hyphens and underscores; a misspelling
/// within two edits (a swap of neighbours counts as one) of exactly one kind
/// is read as that kind, anything else as `article`. The second value is the
/// warning text when it was not read as written.
fn kind_of(raw: &str) -> (ResourceKind, Option<String>) {
    if let Some(kind) = exact_kind(raw) {
        return (kind, None);
    }
    let key = kind_key(raw);
    let mut best: Option<(usize, ResourceKind)> = None;
    let mut tied = false;
    for &(name, kind) in KINDS {
        let distance = strsim::osa_distance(&key, name);
        match best {
            Some((d, _)) if distance > d => {}
            Some((d, _)) if distance == d => tied = true,
            _ => {
                best = Some((distance, kind));
                tied = false;
            }
        }
    }
    match best {
        Some((distance, kind)) if distance <= 2 && !tied && !key.is_empty() => (
            kind,
            Some(format!(
                "resource kind `{raw}` is misspelt; read as `{}`",
                kind.as_str()
            )),
        ),
        _ => (
            ResourceKind::Article,
            Some(format!("unknown resource kind `{raw}`; read as `article`")),
        ),
    }
}

/// Parses one resource line, `- [@kind@Title](https://…)`, with markdown
/// rules (the bullet is optional, spaces around the parts are fine).
///
/// `Ok` carries the resource and the warning text for every fix made: a
/// misspelt kind (nearest kind within two edits), a known kind without its
/// leading `@` (`[article@Title](…)`), an unknown or missing `@kind@` (read
/// as `article`), an `http://` URL (upgraded to `https://`), a title over 200
/// characters (cut). A site-relative URL (`/guides/x`) is resolved against
/// `https://roadmap.sh` without a fix: it is noted in [`ResourceLine::relative`]. `Err`
/// says why the line cannot be a resource: no markdown link, no title, or a
/// URL that is neither absolute https nor site-relative.
pub fn parse_resource_line(line: &str) -> Result<ResourceLine, String> {
    let mut dest: Option<String> = None;
    let mut text = String::new();
    let mut in_link = false;
    for event in Parser::new(line) {
        match event {
            Event::Start(Tag::Link { dest_url, .. }) if dest.is_none() => {
                dest = Some(dest_url.to_string());
                in_link = true;
            }
            Event::End(TagEnd::Link) if in_link => break,
            Event::Text(t) | Event::Code(t) if in_link => text.push_str(&t),
            Event::SoftBreak | Event::HardBreak if in_link => text.push(' '),
            _ => {}
        }
    }
    let Some(dest) = dest else {
        return Err("not a markdown link `[@kind@Title](url)`".into());
    };
    let mut fixes = Vec::new();
    let text = text.trim();
    let bare_kind = text
        .split_once('@')
        .and_then(|(raw, title)| Some((raw.trim(), exact_kind(raw)?, title)));
    let (kind, title) = match text.strip_prefix('@').and_then(|rest| rest.split_once('@')) {
        Some((raw_kind, title)) => {
            let (kind, fix) = kind_of(raw_kind.trim());
            fixes.extend(fix);
            (kind, title)
        }
        None => match bare_kind {
            Some((raw, kind, title)) => {
                fixes.push(format!(
                    "resource kind `{raw}@` has no leading `@`; read as `{}`",
                    kind.as_str()
                ));
                (kind, title)
            }
            None => {
                fixes.push("resource has no `@kind@`; read as `article`".into());
                (ResourceKind::Article, text)
            }
        },
    };
    let Some((title, cut)) = title_of(title) else {
        return Err("resource has no title".into());
    };
    if cut {
        fixes.push(format!(
            "resource title is over {} characters; it is cut",
            Title::MAX_LEN
        ));
    }
    let dest = dest.trim();
    if dest.is_empty() {
        return Err("resource has no URL".into());
    }
    let relative = on_site(dest).map(|resolved| (dest.to_owned(), resolved));
    let dest = match (&relative, dest.get(..7)) {
        (Some((_, resolved)), _) => resolved.clone(),
        (None, Some(scheme)) if scheme.eq_ignore_ascii_case("http://") => {
            fixes.push(format!("`{dest}` is http; upgraded to https"));
            format!("https://{}", &dest[7..])
        }
        _ => dest.to_owned(),
    };
    let url = HttpsUrl::parse(&dest).map_err(|e| e.to_string())?;
    Ok(ResourceLine {
        kind,
        title,
        url,
        fixes,
        relative: relative.map(|(written, _)| written),
    })
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum BlockKind {
    Heading1,
    Paragraph,
    List,
    Other,
}

#[derive(Debug)]
struct Block {
    kind: BlockKind,
    range: Range<usize>,
    items: Vec<Range<usize>>,
}

/// The text of a markdown fragment without its markup, on one line.
fn plain_text(markdown: &str) -> String {
    let mut text = String::new();
    for event in Parser::new(markdown) {
        match event {
            Event::Text(t) | Event::Code(t) => text.push_str(&t),
            Event::SoftBreak | Event::HardBreak => text.push(' '),
            _ => {}
        }
    }
    one_line(&text)
}

/// Abbreviations whose dot ends no sentence.
const ABBREVIATIONS: &[&str] = &[
    "e.g", "i.e", "eg", "ie", "etc", "vs", "cf", "approx", "incl",
];

/// The byte offsets just after each sentence end inside `text`: a `.`, `!`
/// or `?` followed by whitespace (a dot after a common abbreviation such as
/// `e.g.` does not count). The end of the text itself is not listed.
fn sentence_ends(text: &str) -> impl Iterator<Item = usize> + '_ {
    let mut chars = text.char_indices().peekable();
    std::iter::from_fn(move || {
        while let Some((at, c)) = chars.next() {
            if !matches!(c, '.' | '!' | '?') {
                continue;
            }
            if !chars.peek().is_some_and(|(_, next)| next.is_whitespace()) {
                continue;
            }
            let word = text[..at]
                .rsplit(char::is_whitespace)
                .next()
                .unwrap_or_default()
                .trim_start_matches(['(', '"', '\''])
                .to_lowercase();
            if c == '.' && ABBREVIATIONS.contains(&word.as_str()) {
                continue;
            }
            return Some(at + c.len_utf8());
        }
        None
    })
}

/// The first sentence: up to the first `.`, `!` or `?` that ends the text or
/// is followed by a space (a dot after a common abbreviation such as `e.g.` does not count).
fn first_sentence(text: &str) -> &str {
    sentence_ends(text).next().map_or(text, |end| &text[..end])
}

/// Where the lead-in of a resource list starts in a paragraph that ends in
/// `:`: after the paragraph's last sentence end, else at its last line, so a
/// description glued to "Visit the following resources to learn more:" keeps
/// its own text. `None` when the whole paragraph is the lead-in.
fn lead_in_start(paragraph: &str) -> Option<usize> {
    sentence_ends(paragraph)
        .last()
        .or_else(|| paragraph.rfind('\n'))
        .filter(|&at| !paragraph[..at].trim().is_empty())
}

/// Whether a list item starts with a resource link: its text begins with `@`,
/// or with a known kind and `@` (`[article@Title](…)`, the leading `@` lost).
fn is_resource_item(item: &str) -> bool {
    let item = item.trim_start();
    let item = item
        .strip_prefix(['-', '*', '+'])
        .map_or(item, str::trim_start);
    let Some(text) = item.strip_prefix('[') else {
        return false;
    };
    let text = text.trim_start();
    text.starts_with('@')
        || text
            .split_once('@')
            .is_some_and(|(kind, _)| !kind.contains(']') && exact_kind(kind).is_some())
}

/// Parses a topic content file.
///
/// The first `# Heading` names the topic; the blocks after it, up to the
/// first list that holds a `[@kind@…](…)` (or `[kind@…](…)`) line, are the
/// description (a last paragraph ending in `:` introduces the list: its last
/// sentence, or last line, is left out, and the whole paragraph when it is
/// only that); every list item from there on is a resource line (see
/// [`parse_resource_line`]), counted in [`TopicContent::resources_read`].
/// Flaws become warnings in `report`: no heading, resource lines that are
/// fixed or dropped, repeated resource URLs, text after the resources.
pub fn parse_topic_markdown(text: &str, file: &Path, report: &mut Report) -> TopicContent {
    let lines = Lines::new(text);
    let mut blocks: Vec<Block> = Vec::new();
    let mut depth = 0usize;
    let mut heading: Option<String> = None;
    let mut in_first_heading = false;
    for (event, range) in Parser::new(text).into_offset_iter() {
        match event {
            Event::Start(tag) => {
                if depth == 0 {
                    let kind = match tag {
                        Tag::Heading {
                            level: HeadingLevel::H1,
                            ..
                        } => {
                            if heading.is_none() {
                                in_first_heading = true;
                                heading = Some(String::new());
                            }
                            BlockKind::Heading1
                        }
                        Tag::Paragraph => BlockKind::Paragraph,
                        Tag::List(_) => BlockKind::List,
                        _ => BlockKind::Other,
                    };
                    blocks.push(Block {
                        kind,
                        range,
                        items: Vec::new(),
                    });
                } else if depth == 1
                    && matches!(tag, Tag::Item)
                    && let Some(block) = blocks.last_mut()
                    && block.kind == BlockKind::List
                {
                    block.items.push(range);
                }
                depth += 1;
            }
            Event::End(_) => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    in_first_heading = false;
                }
            }
            Event::Text(t) | Event::Code(t) if in_first_heading => {
                if let Some(h) = heading.as_mut() {
                    h.push_str(&t);
                }
            }
            Event::Rule | Event::Html(_) if depth == 0 => blocks.push(Block {
                kind: BlockKind::Other,
                range,
                items: Vec::new(),
            }),
            _ => {}
        }
    }
    let heading = heading.map(|h| one_line(&h)).filter(|h| !h.is_empty());
    let first_h1 = blocks.iter().position(|b| b.kind == BlockKind::Heading1);
    if first_h1.is_none() {
        report.warn(
            WarningKind::Content,
            file,
            Some(1),
            "no `# Heading` at the top".into(),
        );
    }
    let body = &blocks[first_h1.map_or(0, |h| h + 1)..];
    let resources_at = body.iter().position(|b| {
        b.kind == BlockKind::List && b.items.iter().any(|i| is_resource_item(&text[i.clone()]))
    });
    let mut description_blocks = &body[..resources_at.unwrap_or(body.len())];
    let mut description_end = description_blocks.last().map_or(0, |b| b.range.end);
    if resources_at.is_some()
        && let Some((last, rest)) = description_blocks.split_last()
        && last.kind == BlockKind::Paragraph
        && text[last.range.clone()].trim_end().ends_with(':')
    {
        match lead_in_start(text[last.range.clone()].trim_end()) {
            Some(at) => description_end = last.range.start + at,
            None => {
                description_blocks = rest;
                description_end = rest.last().map_or(0, |b| b.range.end);
            }
        }
    }
    let description = match description_blocks.first() {
        Some(first) => text[first.range.start..description_end].trim().to_owned(),
        None => String::new(),
    };
    let summary = description_blocks
        .iter()
        .find(|b| b.kind == BlockKind::Paragraph)
        .map(|b| plain_text(&text[b.range.start..b.range.end.min(description_end)]))
        .and_then(|p| Summary::parse(shorten(first_sentence(&p), Summary::MAX_LEN)).ok());

    let mut resources: Vec<ParsedResource> = Vec::new();
    let mut resources_read = 0;
    let mut urls: HashSet<String> = HashSet::new();
    for block in resources_at.map_or(&[][..], |at| &body[at..]) {
        if block.kind != BlockKind::List {
            report.warn(
                WarningKind::Content,
                file,
                Some(lines.line(block.range.start)),
                "text after the resource list is ignored".into(),
            );
            continue;
        }
        for item in &block.items {
            resources_read += 1;
            let line = lines.line(item.start);
            let source = text[item.clone()].trim();
            match parse_resource_line(source) {
                Ok(resource) => {
                    for fix in resource.fixes {
                        report.warn(WarningKind::Resource, file, Some(line), fix);
                    }
                    if !urls.insert(resource.url.as_str().to_owned()) {
                        report.warn(
                            WarningKind::Resource,
                            file,
                            Some(line),
                            format!("duplicate resource {}; the first is kept", resource.url),
                        );
                        continue;
                    }
                    resources.push(ParsedResource {
                        kind: resource.kind,
                        title: resource.title,
                        url: resource.url,
                        line,
                    });
                }
                Err(reason) => {
                    report.warn(
                        WarningKind::Resource,
                        file,
                        Some(line),
                        format!("resource dropped: {reason}"),
                    );
                }
            }
        }
    }
    TopicContent {
        heading,
        description,
        summary,
        resources,
        resources_read,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(line: &str) -> ResourceLine {
        parse_resource_line(line).unwrap_or_else(|e| panic!("{line}: {e}"))
    }

    #[test]
    fn valid_resource_lines() {
        let r =
            ok("- [@official@Apache Kafka Documentation](https://kafka.apache.org/documentation/)");
        assert_eq!(r.kind, ResourceKind::Official);
        assert_eq!(r.title.as_str(), "Apache Kafka Documentation");
        assert_eq!(r.url.as_str(), "https://kafka.apache.org/documentation/");
        assert!(r.fixes.is_empty());
        assert_eq!(
            ok("- [@opensource@dbt-core](https://github.com/dbt-labs/dbt-core)").kind,
            ResourceKind::OpenSource
        );
        assert_eq!(
            ok("* [@Video@A Talk](https://example.com/v)").kind,
            ResourceKind::Video
        );
        assert_eq!(
            ok("[@roadmap@SQL](https://example.com/sql)").kind,
            ResourceKind::Roadmap
        );
        let nested = ok("- [@book@Parens (2nd ed.)](https://example.com/a_(b))");
        assert_eq!(nested.url.as_str(), "https://example.com/a_(b)");
    }

    #[test]
    fn resource_lines_with_spaces() {
        let r = ok("   -   [ @article@   Spaced   Out  Title ](  https://example.com/x  )  ");
        assert_eq!(r.kind, ResourceKind::Article);
        assert_eq!(r.title.as_str(), "Spaced Out Title");
        assert_eq!(r.url.as_str(), "https://example.com/x");
        assert!(r.fixes.is_empty(), "{:?}", r.fixes);
        assert_eq!(
            ok("- [@ course @Pipelines](https://example.com/c)").kind,
            ResourceKind::Course
        );
        assert!(parse_resource_line("- [@article@Title](https://example.com/a b)").is_err());
    }

    #[test]
    fn misspelt_and_unknown_kinds_are_fixed_with_a_note() {
        for (written, kind) in [
            ("artcle", ResourceKind::Article),
            ("vidoe", ResourceKind::Video),
            ("offical", ResourceKind::Official),
            ("Podcats", ResourceKind::Podcast),
        ] {
            let r = ok(&format!("- [@{written}@T](https://example.com)"));
            assert_eq!(r.kind, kind, "{written}");
            assert_eq!(r.fixes.len(), 1, "{written}");
            assert!(r.fixes[0].contains("misspelt"), "{:?}", r.fixes);
        }
        let site = ok("- [@roadmap.sh@Backend](https://roadmap.sh/backend)");
        assert_eq!(site.kind, ResourceKind::Roadmap);
        assert!(site.fixes.is_empty(), "{:?}", site.fixes);
        let r = ok("- [@webinar@T](https://example.com)");
        assert_eq!(r.kind, ResourceKind::Article);
        assert!(r.fixes[0].contains("unknown resource kind `webinar`"));
    }

    #[test]
    fn missing_kind_is_read_as_article() {
        let r = ok("- [Plain Link](https://example.com/plain)");
        assert_eq!(r.kind, ResourceKind::Article);
        assert_eq!(r.title.as_str(), "Plain Link");
        assert_eq!(r.fixes.len(), 1);
        assert!(r.fixes[0].contains("no `@kind@`"));
    }

    #[test]
    fn bad_urls_and_non_links_are_refused() {
        let err = |line: &str| parse_resource_line(line).expect_err(line);
        assert!(err("- [@article@Title](not a url)").contains("not a markdown link"));
        assert!(err("- [@article@Title](relative/path)").contains("not a valid URL"));
        assert!(err("- [@article@Title](ftp://example.com/f)").contains("https"));
        assert!(err("- [@article@Title]()").contains("no URL"));
        assert!(err("- [@article@](https://example.com)").contains("no title"));
        assert!(err("- just text").contains("not a markdown link"));
        assert!(err("").contains("not a markdown link"));
        let upgraded = ok("- [@article@Old](http://example.com/old)");
        assert_eq!(upgraded.url.as_str(), "https://example.com/old");
        assert!(upgraded.fixes[0].contains("upgraded to https"));
    }

    #[test]
    fn topic_markdown_splits_heading_description_and_resources() {
        let text = "# Batch Processing\n\nBatch jobs move data in bulk. They run on a schedule.\n\nA second paragraph.\n\nVisit the following resources to learn more:\n\n- [@article@One](https://example.com/1)\n- [@artcle@Two](https://example.com/2)\n- [@video@Again](https://example.com/1)\n- broken line\n";
        let mut report = Report::default();
        let content = parse_topic_markdown(text, Path::new("t.md"), &mut report);
        assert_eq!(content.heading.as_deref(), Some("Batch Processing"));
        assert_eq!(
            content.description,
            "Batch jobs move data in bulk. They run on a schedule.\n\nA second paragraph."
        );
        assert_eq!(
            content.summary.as_ref().map(Summary::as_str),
            Some("Batch jobs move data in bulk.")
        );
        let got: Vec<_> = content
            .resources
            .iter()
            .map(|r| (r.kind, r.title.as_str(), r.line))
            .collect();
        assert_eq!(
            got,
            [
                (ResourceKind::Article, "One", 9),
                (ResourceKind::Article, "Two", 10)
            ]
        );
        let lines: Vec<_> = report.warnings.iter().map(|w| w.line).collect();
        assert_eq!(
            lines,
            [Some(10), Some(11), Some(12)],
            "{:?}",
            report.warnings
        );
    }

    #[test]
    fn first_sentences_skip_abbreviations() {
        assert_eq!(
            first_sentence("Loads run nightly, e.g. at 2am. Then more."),
            "Loads run nightly, e.g. at 2am."
        );
        assert_eq!(first_sentence("Why? Because."), "Why?");
        assert_eq!(first_sentence("Version 2.0 is out"), "Version 2.0 is out");
    }

    #[test]
    fn summaries_are_one_line_and_short() {
        let long = format!("# T\n\n{} end\nof it. Next.", "word ".repeat(100));
        let content = parse_topic_markdown(&long, Path::new("t.md"), &mut Report::default());
        let summary = content.summary.expect("a summary");
        assert!(summary.as_str().chars().count() <= 280);
        assert!(summary.as_str().ends_with('…'));
        let empty = parse_topic_markdown(
            "# Only a heading\n",
            Path::new("t.md"),
            &mut Report::default(),
        );
        assert_eq!(empty.summary, None);
        assert_eq!(empty.description, "");
    }
}
