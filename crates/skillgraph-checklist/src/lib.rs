//! A roadmap as a checklist a person can keep: markdown (a GitHub task
//! list, one heading per section, nested items indented) or CSV (one row
//! per item), with a learner's ticks when their statuses are given.
//!
//! CSV is opened in spreadsheets, which run a cell that starts with `=`,
//! `+`, `-` or `@` (or a tab or carriage return) as a formula: names and
//! summaries come from editors, so such a cell is written with a single
//! quote in front (`'=1+1`), as OWASP's guidance on CSV injection says.
//! The spreadsheet shows the text as it was; the quote is visible in a
//! plain text reader. Quoting of commas, quotes and line breaks is the
//! csv writer's.

use skillgraph_domain::{Catalog, LearningStatus, Recommendation, Roadmap, RoadmapItem, SkillId};

/// The form of a checklist.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// A markdown task list.
    Markdown,
    /// Comma-separated values with a header row.
    Csv,
}

impl Format {
    /// The media type of a checklist in this form.
    pub fn media_type(self) -> &'static str {
        match self {
            Self::Markdown => "text/markdown; charset=utf-8",
            Self::Csv => "text/csv; charset=utf-8",
        }
    }
}

/// Why a checklist could not be written.
#[derive(Debug, thiserror::Error)]
pub enum ChecklistError {
    /// The CSV writer failed.
    #[error("could not write the CSV checklist: {0}")]
    Csv(#[from] csv::Error),
}

/// Renders `roadmap` of `catalog`. `status` gives the learner's status of a
/// skill, or `None` for an anonymous checklist with every box empty.
pub fn render(
    catalog: &Catalog,
    roadmap: &Roadmap,
    format: Format,
    status: impl Fn(SkillId) -> Option<LearningStatus>,
) -> Result<String, ChecklistError> {
    match format {
        Format::Markdown => Ok(markdown(catalog, roadmap, &status)),
        Format::Csv => csv_rows(catalog, roadmap, &status),
    }
}

/// Escapes the characters that markdown would read as markup.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(
            c,
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '#' | '|' | '~'
        ) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// The first characters that make a spreadsheet read a cell as a formula
/// (OWASP, "CSV Injection").
const FORMULA_STARTS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// A CSV cell that a spreadsheet shows as text: one that would start a
/// formula gets a single quote in front.
fn cell(text: &str) -> std::borrow::Cow<'_, str> {
    if text.starts_with(FORMULA_STARTS) {
        format!("'{text}").into()
    } else {
        text.into()
    }
}

fn note(recommendation: Recommendation) -> &'static str {
    match recommendation {
        Recommendation::Recommended => "",
        Recommendation::Alternative => " (alternative)",
        Recommendation::Optional => " (optional)",
        Recommendation::OrderNotStrict => " (any order)",
    }
}

fn markdown(
    catalog: &Catalog,
    roadmap: &Roadmap,
    status: &dyn Fn(SkillId) -> Option<LearningStatus>,
) -> String {
    fn line(
        out: &mut String,
        catalog: &Catalog,
        item: &RoadmapItem,
        depth: usize,
        status: &dyn Fn(SkillId) -> Option<LearningStatus>,
    ) {
        let Some(skill) = catalog.skill(item.skill) else {
            return;
        };
        let name = escape(skill.name.as_str());
        let (tick, name, after) = match status(item.skill) {
            Some(LearningStatus::Done) => ("x", format!("**{name}**"), ""),
            Some(LearningStatus::Skipped) => ("x", format!("~~**{name}**~~"), " (skipped)"),
            Some(LearningStatus::Learning) => (" ", format!("**{name}**"), " (learning)"),
            Some(LearningStatus::NotStarted) | None => (" ", format!("**{name}**"), ""),
        };
        out.push_str(&format!(
            "{}- [{tick}] {name}{}{after} — {}\n",
            "  ".repeat(depth),
            note(item.recommendation),
            escape(skill.summary.as_str())
        ));
        for child in &item.children {
            line(out, catalog, child, depth + 1, status);
        }
    }
    let mut out = format!("# {}\n\n", escape(roadmap.title.as_str()));
    let total = catalog.roadmap_skills(roadmap.id).len();
    let progress = catalog.progress(roadmap.id, |s| {
        status(s).unwrap_or(LearningStatus::NotStarted)
    });
    if progress.started() {
        out.push_str(&format!(
            "{} of {total} skills done, {} skipped, {} in progress ({}%).\n\n",
            progress.done,
            progress.skipped,
            progress.learning,
            progress.percent()
        ));
    } else {
        out.push_str(&format!(
            "{total} skills. Tick each one when you have learnt it.\n\n"
        ));
    }
    for (n, section) in roadmap.sections.iter().enumerate() {
        out.push_str(&format!(
            "## {}. {}\n\n",
            n + 1,
            escape(section.title.as_str())
        ));
        for entry in &section.items {
            line(&mut out, catalog, entry, 0, status);
        }
        out.push('\n');
    }
    out
}

fn csv_rows(
    catalog: &Catalog,
    roadmap: &Roadmap,
    status: &dyn Fn(SkillId) -> Option<LearningStatus>,
) -> Result<String, ChecklistError> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer.write_record([
        "section",
        "depth",
        "skill",
        "name",
        "recommendation",
        "status",
        "summary",
    ])?;
    for section in &roadmap.sections {
        let mut pending: Vec<(usize, &RoadmapItem)> =
            section.items.iter().rev().map(|i| (0, i)).collect();
        while let Some((depth, item)) = pending.pop() {
            pending.extend(item.children.iter().rev().map(|c| (depth + 1, c)));
            let Some(skill) = catalog.skill(item.skill) else {
                continue;
            };
            // Every text cell goes through `cell`, even those of values
            // that cannot start a formula today (slugs, spellings).
            writer.write_record([
                &*cell(section.title.as_str()),
                &depth.to_string(),
                &cell(skill.slug.as_str()),
                &cell(skill.name.as_str()),
                &cell(item.recommendation.as_str()),
                &cell(status(item.skill).map_or("", LearningStatus::as_str)),
                &cell(skill.summary.as_str()),
            ])?;
        }
    }
    let bytes = writer
        .into_inner()
        .map_err(|e| ChecklistError::Csv(e.into_error().into()))?;
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_checklist_holds_every_item_once_with_the_learners_ticks() {
        let catalog = Catalog::from_bundle(&skillgraph_bundle::bundled().unwrap()).unwrap();
        let roadmap = catalog.roadmap_by_slug("devops").unwrap();
        let git = catalog.skill_by_slug("git").unwrap();
        let blank = render(&catalog, roadmap, Format::Markdown, |_| None).unwrap();
        let boxes = blank
            .lines()
            .filter(|l| l.trim_start().starts_with("- [ ] "))
            .count();
        assert_eq!(boxes, roadmap.items().count(), "{blank}");
        assert!(blank.starts_with("# DevOps"), "{blank}");

        let ticked = render(&catalog, roadmap, Format::Markdown, |s| {
            (s == git.id).then_some(LearningStatus::Done)
        })
        .unwrap();
        let line = ticked
            .lines()
            .find(|l| l.contains(&format!("**{}**", escape(git.name.as_str()))))
            .unwrap();
        assert!(line.trim_start().starts_with("- [x] "), "{line}");
        assert!(ticked.contains("1 of "), "{ticked}");

        let csv = render(&catalog, roadmap, Format::Csv, |s| {
            (s == git.id).then_some(LearningStatus::Done)
        })
        .unwrap();
        let mut reader = csv::Reader::from_reader(csv.as_bytes());
        let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
        assert_eq!(rows.len(), roadmap.items().count());
        let git_row = rows.iter().find(|r| &r[2] == "git").unwrap();
        assert_eq!(&git_row[5], "done");
    }

    #[test]
    fn cells_that_would_start_a_formula_are_quoted() {
        for formula in [
            "=HYPERLINK(\"https://evil.example\",\"x\")",
            "+1",
            "-2+3",
            "@SUM(A1)",
            "\tx",
            "\rx",
        ] {
            assert_eq!(cell(formula), format!("'{formula}"), "{formula:?}");
        }
        for text in ["Git", "C++", "a=b", " =x", ""] {
            assert_eq!(cell(text), text, "{text:?}");
        }
        let mut bundle = skillgraph_bundle::bundled().unwrap();
        let git = bundle
            .skills
            .iter_mut()
            .find(|s| s.slug.as_str() == "git")
            .unwrap();
        git.name = skillgraph_domain::Title::parse("=1+1").unwrap();
        git.summary = skillgraph_domain::Summary::parse("@cmd|' /C calc'!A0").unwrap();
        let section = &mut bundle
            .roadmaps
            .iter_mut()
            .find(|r| r.slug.as_str() == "devops")
            .unwrap()
            .sections[0];
        section.title = skillgraph_domain::Title::parse("-Intro").unwrap();
        let catalog = Catalog::from_bundle(&bundle).unwrap();
        let roadmap = catalog.roadmap_by_slug("devops").unwrap();
        let csv = render(&catalog, roadmap, Format::Csv, |_| None).unwrap();
        let rows: Vec<csv::StringRecord> = csv::Reader::from_reader(csv.as_bytes())
            .records()
            .map(Result::unwrap)
            .collect();
        let git_row = rows.iter().find(|r| &r[2] == "git").unwrap();
        assert_eq!(&git_row[3], "'=1+1");
        assert_eq!(&git_row[6], "'@cmd|' /C calc'!A0");
        assert_eq!(&rows[0][0], "'-Intro");
        for row in &rows {
            for value in row {
                assert!(!value.starts_with(FORMULA_STARTS), "{row:?}");
            }
        }
    }

    #[test]
    fn markup_in_names_is_escaped() {
        assert_eq!(escape("C# *and* [x]"), "C\\# \\*and\\* \\[x\\]");
    }
}
