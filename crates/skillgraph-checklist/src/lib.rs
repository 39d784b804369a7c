//! A roadmap as a checklist a person can keep: markdown (a GitHub task
//! list, one heading per section, nested items indented) or CSV (one row
//! per item), with a learner's ticks when their statuses are given.

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
            writer.write_record([
                section.title.as_str(),
                &depth.to_string(),
                skill.slug.as_str(),
                skill.name.as_str(),
                item.recommendation.as_str(),
                status(item.skill).map_or("", LearningStatus::as_str),
                skill.summary.as_str(),
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
    fn markup_in_names_is_escaped() {
        assert_eq!(escape("C# *and* [x]"), "C\\# \\*and\\* \\[x\\]");
    }
}
