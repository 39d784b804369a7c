//! The bundle file: a whole catalog as one readable YAML document, the format
//! of the curated dataset that ships inside the binary (and, later, of
//! exports and imports).
//!
//! This crate only turns text into a [`Bundle`] and back; whether a bundle is
//! consistent is the domain's question ([`skillgraph_domain::Catalog::from_bundle`]).

pub mod generate;

use skillgraph_domain::Bundle;

/// The curated backend dataset, as shipped: loaded into an empty database on first start.
pub const BUNDLED_YAML: &str = include_str!("../data/backend.yaml");

/// Why a bundle file could not be read or written.
#[derive(Debug, thiserror::Error)]
pub enum BundleError {
    /// The text is not YAML of the bundle's shape; the message names line and column.
    #[error("{source_name}: {message}")]
    Parse {
        /// Where the text came from (a path, or "bundled dataset").
        source_name: String,
        /// The parser's account, with the position of the fault.
        message: String,
    },
    /// A bundle could not be written as YAML.
    #[error("could not write the bundle as YAML: {0}")]
    Write(String),
}

/// Parses a bundle from YAML text; `source_name` names the text in errors.
///
/// The parser's node and event budgets grow with the text (a catalog of
/// 20,000 skills is about 2.5 million nodes), so a large file parses while
/// what makes YAML dangerous stays capped: aliases, anchors and depth keep
/// serde-saphyr's defaults, and the text's own size is bounded by whoever
/// read it (the HTTP body limit for the admin import).
pub fn parse(source_name: &str, text: &str) -> Result<Bundle, BundleError> {
    let mut budget = serde_saphyr::Budget::default();
    budget.max_nodes = budget.max_nodes.max(text.len() / 4);
    budget.max_events = budget.max_events.max(text.len() / 2);
    let mut options = serde_saphyr::Options::default();
    options.budget = Some(budget);
    serde_saphyr::from_str_with_options(text, options).map_err(|e| BundleError::Parse {
        source_name: source_name.to_owned(),
        message: e.to_string(),
    })
}

/// Writes a bundle as YAML text that [`parse`] reads back to the same bundle.
pub fn to_yaml(bundle: &Bundle) -> Result<String, BundleError> {
    serde_saphyr::to_string(bundle).map_err(|e| BundleError::Write(e.to_string()))
}

/// The curated dataset that ships with the binary.
pub fn bundled() -> Result<Bundle, BundleError> {
    parse("bundled dataset", BUNDLED_YAML)
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use skillgraph_domain::{Catalog, ResourceKind};

    use super::*;

    fn catalog() -> Catalog {
        let bundle = bundled().unwrap_or_else(|e| panic!("{e}"));
        Catalog::from_bundle(&bundle).unwrap_or_else(|e| panic!("bundled dataset: {e}"))
    }

    #[test]
    fn bundled_dataset_is_a_consistent_acyclic_catalog_of_useful_size() {
        // Building checks that every slug resolves and that prerequisites and
        // the hierarchy have no cycle.
        let catalog = catalog();
        assert!(catalog.skills().len() >= 45, "{}", catalog.skills().len());
        assert!(
            catalog.prerequisite_count() >= 60,
            "{}",
            catalog.prerequisite_count()
        );
    }

    #[test]
    fn every_skill_has_a_summary_and_official_documentation_first() {
        let catalog = catalog();
        for skill in catalog.skills() {
            assert!(!skill.summary.as_str().is_empty(), "{}", skill.slug);
            assert!(
                !skill.description.as_str().is_empty(),
                "{} has no description",
                skill.slug
            );
            let resources = catalog.resources(skill.id);
            assert!(
                resources.len() >= 2,
                "{} has {} resources",
                skill.slug,
                resources.len()
            );
            assert_eq!(
                resources[0].kind,
                ResourceKind::Official,
                "{}: official documentation comes first",
                skill.slug
            );
        }
    }

    #[test]
    fn two_roadmaps_share_skills() {
        let catalog = catalog();
        let backend = catalog.roadmap_by_slug("backend").expect("backend roadmap");
        let on_backend: HashSet<_> = backend.items().map(|i| i.skill).collect();
        let shared = catalog
            .roadmaps()
            .filter(|r| r.id != backend.id)
            .map(|r| r.items().filter(|i| on_backend.contains(&i.skill)).count())
            .max()
            .unwrap_or(0);
        assert!(
            shared >= 5,
            "the second roadmap shares only {shared} skills"
        );
    }

    #[test]
    fn seed_guide_links_its_related_guides_and_skills() {
        let catalog = catalog();
        let guide = catalog
            .guide_by_slug("backend-developer-skills")
            .expect("seed guide");
        assert_eq!(
            guide.title.as_str(),
            "8 In-Demand Backend Developer Skills to Master"
        );
        assert_eq!(
            guide.url.as_str(),
            "https://roadmap.sh/backend/developer-skills"
        );
        assert_eq!(
            guide.published.map(|d| d.to_string()).as_deref(),
            Some("2024-02-27")
        );
        let author = guide
            .author
            .and_then(|a| catalog.author(a))
            .expect("author");
        assert_eq!(author.name.as_str(), "Fernando Doglio");
        let related: Vec<_> = guide
            .related
            .iter()
            .map(|id| catalog.guide(*id).expect("related guide").url.to_string())
            .collect();
        assert_eq!(
            related,
            [
                "https://roadmap.sh/backend/languages",
                "https://roadmap.sh/backend/technologies",
                "https://roadmap.sh/backend/frameworks",
                "https://roadmap.sh/questions/backend",
                "https://roadmap.sh/backend/developer-tools",
                "https://roadmap.sh/backend/project-ideas",
            ]
        );
        assert!(guide.skills.len() >= 8, "{}", guide.skills.len());
    }

    #[test]
    fn yaml_round_trips_the_bundle() {
        let bundle = bundled().unwrap();
        let text = to_yaml(&bundle).unwrap();
        assert_eq!(parse("round trip", &text).unwrap(), bundle);
    }

    #[test]
    fn a_malformed_file_names_the_position() {
        let err = parse(
            "broken.yaml",
            "format: skillgraph-bundle/1\nskills:\n  - slug: Not A Slug\n",
        )
        .unwrap_err()
        .to_string();
        assert!(err.starts_with("broken.yaml: "), "{err}");
        assert!(err.contains("not a valid slug"), "{err}");
        assert!(err.contains('3'), "the line number is named: {err}");
    }
}
