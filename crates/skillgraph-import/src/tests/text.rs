// What real roadmap.sh folders hold that the import once lost: site-relative
// links, `@`-less kinds, descriptions glued to the resource lead-in, and
// guide front matter (`excludedBySlug`, `@currentYear@`, site tags, shared
// `relatedGuidesId`). The fixtures `text-*` and `guides-*` are invented
// content in the real shape.

use std::path::Path;

use super::{fixture, import, skill};

use crate::{Report, WarningKind, parse_front_matter, parse_resource_line, parse_topic_markdown};
use chrono::NaiveDate;
use skillgraph_domain::{Bundle, BundleGuide, BundleSkill, ResourceKind};

fn guide<'b>(bundle: &'b Bundle, slug: &str) -> &'b BundleGuide {
    bundle
        .guides
        .iter()
        .find(|g| g.slug.as_str() == slug)
        .unwrap_or_else(|| panic!("no guide `{slug}`"))
}

fn resources(skill: &BundleSkill) -> Vec<(ResourceKind, &str, &str)> {
    skill
        .resources
        .iter()
        .map(|r| (r.kind, r.title.as_str(), r.url.as_str()))
        .collect()
}

/// The warnings of one file as (line, kind, message).
fn warnings_of<'r>(report: &'r Report, file: &Path) -> Vec<(Option<usize>, WarningKind, &'r str)> {
    report
        .warnings
        .iter()
        .filter(|w| w.file == file)
        .map(|w| (w.line, w.kind, w.message.as_str()))
        .collect()
}

#[test]
fn site_relative_links_resolve_against_roadmap_sh() {
    let (bundle, _) = import("text-content");
    let queues = resources(skill(&bundle, "message-queues"));
    assert!(
        queues.contains(&(
            ResourceKind::Article,
            "Our Backend Roadmap",
            "https://roadmap.sh/backend"
        )),
        "{queues:?}"
    );
    assert!(
        queues.contains(&(
            ResourceKind::Article,
            "How Our Guides Explain Queues",
            "https://roadmap.sh/guides/queues-explained"
        )),
        "{queues:?}"
    );

    let line = parse_resource_line("- [@article@Guide](/guides/some-guide)").expect("resolves");
    assert_eq!(line.url.as_str(), "https://roadmap.sh/guides/some-guide");
    assert_eq!(line.relative.as_deref(), Some("/guides/some-guide"));
    assert!(line.fixes.is_empty(), "no warning: {:?}", line.fixes);
    let absolute = parse_resource_line("- [@article@A](https://example.com/a)").expect("parses");
    assert_eq!(absolute.relative, None);
    let other_host = parse_resource_line("- [@article@B](//example.org/b)").expect("resolves");
    assert_eq!(other_host.url.as_str(), "https://example.org/b");
    assert!(parse_resource_line("- [@article@C](relative/path)").is_err());
}

#[test]
fn kinds_without_their_leading_at_are_read_with_a_note() {
    let (bundle, report) = import("text-content");
    assert_eq!(
        resources(skill(&bundle, "load-balancing")),
        [
            (
                ResourceKind::Course,
                "Balancing From Scratch",
                "https://example.com/courses/balancing"
            ),
            (
                ResourceKind::Roadmap,
                "System Design",
                "https://roadmap.sh/system-design"
            ),
        ]
    );
    let queues = resources(skill(&bundle, "message-queues"));
    assert_eq!(
        queues[0],
        (
            ResourceKind::Article,
            "Queues in Plain Words",
            "https://example.com/articles/queues"
        )
    );
    let file = fixture("text-content").join("content/load-balancing@qb-balance.md");
    assert_eq!(
        warnings_of(&report, &file),
        [
            (
                Some(5),
                WarningKind::Resource,
                "resource kind `course@` has no leading `@`; read as `course`"
            ),
            (
                Some(6),
                WarningKind::Resource,
                "resource kind `roadmap.sh@` has no leading `@`; read as `roadmap`"
            ),
        ]
    );
    // An `@` after a word that is no kind is part of the title.
    let cache = resources(skill(&bundle, "caching-layers"));
    assert_eq!(
        cache[1],
        (
            ResourceKind::Article,
            "Follow @cachefolk",
            "https://example.com/people/cachefolk"
        )
    );
    let file = fixture("text-content").join("content/caching-layers@qb-cache.md");
    assert_eq!(
        warnings_of(&report, &file),
        [(
            Some(9),
            WarningKind::Resource,
            "resource has no `@kind@`; read as `article`"
        )]
    );
    let misspelt = parse_resource_line("- [Vidoe@T](https://example.com/t)").expect("parses");
    assert_eq!(
        (misspelt.kind, misspelt.title.as_str()),
        (ResourceKind::Article, "Vidoe@T"),
        "only a kind spelt right is read without its `@`"
    );
}

#[test]
fn descriptions_glued_to_the_lead_in_keep_their_text() {
    let (bundle, _) = import("text-content");
    let queues = skill(&bundle, "message-queues");
    assert_eq!(
        queues.description.as_str(),
        "A message queue holds work until a consumer is ready for it, so producers never wait."
    );
    assert_eq!(
        queues.summary.as_str(),
        "A message queue holds work until a consumer is ready for it, so producers never wait."
    );
    let balancing = skill(&bundle, "load-balancing");
    assert_eq!(
        balancing.description.as_str(),
        "A load balancer spreads requests over several servers."
    );
    assert_eq!(
        balancing.summary.as_str(),
        "A load balancer spreads requests over several servers."
    );
    assert_eq!(
        skill(&bundle, "caching-layers").description.as_str(),
        "Caches keep hot data close to the reader.\n\nThey trade freshness for speed"
    );

    let parse = |text: &str| {
        parse_topic_markdown(text, Path::new("t.md"), &mut Report::default()).description
    };
    let list = "\n\n- [@article@A](https://example.com/a)\n";
    assert_eq!(
        parse(&format!(
            "# T\n\nUse it, e.g. daily. Then\nVisit the following\nresources to learn more:{list}"
        )),
        "Use it, e.g. daily.",
        "the lead-in is the last sentence, over several lines"
    );
    assert_eq!(
        parse(&format!(
            "# T\n\nVisit the following resources to learn more:{list}"
        )),
        "",
        "a paragraph that is only the lead-in is left out"
    );
    assert_eq!(
        parse(&format!("# T\n\nText.\n\nVisit these:{list}")),
        "Text."
    );
}

#[test]
fn resources_read_count_every_line_before_drops() {
    let read = |name: &str| {
        let path = fixture("text-content").join("content").join(name);
        let text = std::fs::read_to_string(&path).expect("fixture");
        let content = parse_topic_markdown(&text, &path, &mut Report::default());
        (content.resources_read, content.resources.len())
    };
    // Six lines: one repeats a URL and one is no link.
    assert_eq!(read("message-queues@qb-queues.md"), (6, 4));
    assert_eq!(read("load-balancing@qb-balance.md"), (2, 2));
    let none = parse_topic_markdown(
        "# T\n\nJust text.\n",
        Path::new("t.md"),
        &mut Report::default(),
    );
    assert_eq!((none.resources_read, none.resources.len()), (0, 0));
}

#[test]
fn roadmap_sh_guides_keep_their_urls_years_tags_and_groups() {
    let (bundle, report) = import("guides-roadmapsh");

    let job = guide(&bundle, "queue-job-description");
    assert_eq!(
        job.url.as_str(),
        "https://roadmap.sh/backend/queue-job-description",
        "excludedBySlug is where roadmap.sh serves it"
    );
    assert_eq!(job.title.as_str(), "Queue Engineer Job Description (2024)");
    assert_eq!(
        job.description.as_str(),
        "What a queue engineer does day to day in 2024."
    );
    assert_eq!(job.published, NaiveDate::from_ymd_opt(2024, 5, 2));
    let tags: Vec<&str> = job.tags.iter().map(|t| t.as_str()).collect();
    assert_eq!(tags, ["message-queues"], "site tags are left out");

    let tools = guide(&bundle, "backend-queue-tools");
    assert_eq!(
        tools.url.as_str(),
        "https://roadmap.sh/backend/queue-tools",
        "a slug without its leading `/` still resolves"
    );
    assert!(tools.tags.is_empty(), "{:?}", tools.tags);

    let related = |slug: &str| -> Vec<String> {
        guide(&bundle, slug)
            .related
            .iter()
            .map(|r| r.to_string())
            .collect()
    };
    // Same `relatedGuidesId: backend`, no list file: related both ways; the
    // relative `relatedGuides` link names the same guide, so no repeat.
    assert_eq!(related("queue-job-description"), ["backend-queue-tools"]);
    assert_eq!(related("backend-queue-tools"), ["queue-job-description"]);
    // `reading` has a list file: read, then the other guides of the id added;
    // the list naming the guide itself is no flaw and no link.
    assert_eq!(
        related("list-reader"),
        ["queue-patterns", "list-reader-two"]
    );
    assert_eq!(
        related("list-reader-two"),
        ["list-reader", "queue-patterns"]
    );
    let reading: Vec<&str> = guide(&bundle, "list-reader")
        .tags
        .iter()
        .map(|t| t.as_str())
        .collect();
    assert_eq!(reading, ["reading"]);

    let undated = guide(&bundle, "undated-template");
    assert_eq!(undated.title.as_str(), "Best Queue Tools in @currentYear@");
    assert!(undated.related.is_empty());
    let file = fixture("guides-roadmapsh").join("guides/undated-template.md");
    let warnings: Vec<_> = report
        .warnings
        .iter()
        .map(|w| (&w.file, w.line, w.kind))
        .collect();
    assert_eq!(
        warnings,
        [
            (&file, Some(2), WarningKind::Guide),
            (&file, None, WarningKind::Guide)
        ],
        "{:#?}",
        report.warnings
    );
    assert!(report.warnings[0].message.contains("@currentYear@"));
    assert!(
        report.warnings[1]
            .message
            .contains("relatedGuidesId: lonely")
    );
}

#[test]
fn front_matter_fills_the_year_and_resolves_site_paths() {
    let text = "---\ntitle: 'Top Tools for @currentYear@'\ndescription: 'Updated for @currentYear@.'\ndate: 2023-07-01\nexcludedBySlug: '/devops/tools'\nrelatedGuides:\n  'Shift Left': '/devops/shift-left'\ntags: ['guide', 'Observability', 'best-practice-sitemap']\n---\nbody";
    let mut report = Report::default();
    let (front, _) = parse_front_matter(text, Path::new("g.md"), &mut report).expect("parses");
    assert!(report.warnings.is_empty(), "{:?}", report.warnings);
    assert_eq!(
        front.title.as_ref().map(|t| t.as_str()),
        Some("Top Tools for 2023")
    );
    assert_eq!(
        front.description.as_ref().map(|d| d.as_str()),
        Some("Updated for 2023.")
    );
    assert_eq!(
        front.excluded_by_slug.as_ref().map(|u| u.as_str()),
        Some("https://roadmap.sh/devops/tools")
    );
    assert_eq!(front.url, None, "`url` stays what the file says");
    let related: Vec<_> = front
        .related_guides
        .iter()
        .map(|r| r.url.as_str())
        .collect();
    assert_eq!(related, ["https://roadmap.sh/devops/shift-left"]);
    let tags: Vec<_> = front.tags.iter().map(|t| t.as_str()).collect();
    assert_eq!(tags, ["observability"]);
}

#[test]
fn a_title_taken_from_the_heading_gets_the_year_too() {
    let (bundle, report) = import("guides-heading-year");
    let checklist = guide(&bundle, "yearly-checklist");
    assert_eq!(checklist.title.as_str(), "Queue Checklist for 2022");
    assert!(checklist.tags.is_empty());
    let messages: Vec<_> = report.warnings.iter().map(|w| w.message.as_str()).collect();
    assert_eq!(
        messages,
        ["no `title` in the front matter; `Queue Checklist for 2022` is used"]
    );
}
