//! A whole catalog as one self-contained value that refers to things by slug,
//! not by storage id: the shape of the bundled dataset, of an export, and of
//! an import. Its serde form *is* the project's bundle file format
//! (`skillgraph-bundle/1`); the file syntax (YAML) is chosen elsewhere.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::values::{
    Alias, ExternalId, HttpsUrl, Level, Markdown, Recommendation, ResourceKind, Slug, Strength,
    Summary, Tag, Title,
};

/// The format marker every bundle starts with, so a future format can be told apart.
pub const BUNDLE_FORMAT: &str = "skillgraph-bundle/1";

/// The `format` field: only [`BUNDLE_FORMAT`] is accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(try_from = "String", into = "&'static str")]
pub struct BundleFormat;

impl TryFrom<String> for BundleFormat {
    type Error = String;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        if value == BUNDLE_FORMAT {
            Ok(Self)
        } else {
            Err(format!(
                "unsupported bundle format `{value}`; expected `{BUNDLE_FORMAT}`"
            ))
        }
    }
}

impl From<BundleFormat> for &'static str {
    fn from(_: BundleFormat) -> Self {
        BUNDLE_FORMAT
    }
}

/// A catalog that refers to its parts by slug.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Bundle {
    /// Always [`BUNDLE_FORMAT`].
    pub format: BundleFormat,
    /// Skills with their prerequisites, related links and resources.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub skills: Vec<BundleSkill>,
    /// Roadmaps with their sections and items.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub roadmaps: Vec<BundleRoadmap>,
    /// Authors of guides.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub authors: Vec<BundleAuthor>,
    /// Guides with the skills they cover.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub guides: Vec<BundleGuide>,
}

/// A skill and the edges that start at it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BundleSkill {
    /// Its slug, unique among skills.
    pub slug: Slug,
    /// Display name.
    pub name: Title,
    /// One line for lists.
    pub summary: Summary,
    /// Longer explanation, markdown.
    #[serde(default, skip_serializing_if = "is_empty_markdown")]
    pub description: Markdown,
    /// How advanced it is.
    pub level: Level,
    /// Topics.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<Tag>,
    /// Other names people search for.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub aliases: Vec<Alias>,
    /// Identifiers in other taxonomies.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub external_ids: Vec<ExternalId>,
    /// Slug of the broader skill.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent: Option<Slug>,
    /// Skills needed first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub prerequisites: Vec<BundlePrerequisite>,
    /// "See also" skills; the link is symmetric, so listing it on one side is enough.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub related: Vec<Slug>,
    /// Learning material, best first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub resources: Vec<BundleResource>,
}

fn is_empty_markdown(text: &Markdown) -> bool {
    text.as_str().is_empty()
}

fn is_required(strength: &Strength) -> bool {
    *strength == Strength::Required
}

fn is_recommended(recommendation: &Recommendation) -> bool {
    *recommendation == Recommendation::Recommended
}

/// One prerequisite edge, from the skill it is listed under.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BundlePrerequisite {
    /// Slug of the skill needed first.
    pub skill: Slug,
    /// How strongly; required when left out.
    #[serde(default = "required", skip_serializing_if = "is_required")]
    pub strength: Strength,
}

fn required() -> Strength {
    Strength::Required
}

/// A resource of the skill it is listed under.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BundleResource {
    /// What kind of material.
    pub kind: ResourceKind,
    /// Its title.
    pub title: Title,
    /// Where it is.
    pub url: HttpsUrl,
}

/// A roadmap.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BundleRoadmap {
    /// Its slug, unique among roadmaps.
    pub slug: Slug,
    /// Display title.
    pub title: Title,
    /// What it is for.
    #[serde(default, skip_serializing_if = "is_empty_markdown")]
    pub description: Markdown,
    /// Slugs of related roadmaps.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub related: Vec<Slug>,
    /// Sections in order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sections: Vec<BundleSection>,
}

/// A roadmap section.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BundleSection {
    /// Display title.
    pub title: Title,
    /// What it covers.
    #[serde(default, skip_serializing_if = "is_empty_markdown")]
    pub description: Markdown,
    /// Items in order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub items: Vec<BundleItem>,
}

/// A roadmap item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BundleItem {
    /// Slug of the skill at this place.
    pub skill: Slug,
    /// How it is suggested; recommended when left out.
    #[serde(default = "recommended", skip_serializing_if = "is_recommended")]
    pub recommendation: Recommendation,
    /// Nested items.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub children: Vec<BundleItem>,
}

fn recommended() -> Recommendation {
    Recommendation::Recommended
}

/// An author.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BundleAuthor {
    /// The author's handle, which guides refer to.
    pub id: Slug,
    /// Display name.
    pub name: Title,
    /// Their pages.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub links: Vec<HttpsUrl>,
}

/// A guide.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BundleGuide {
    /// Its slug, unique among guides.
    pub slug: Slug,
    /// Display title.
    pub title: Title,
    /// What it is about.
    #[serde(default, skip_serializing_if = "is_empty_markdown")]
    pub description: Markdown,
    /// Where it is published.
    pub url: HttpsUrl,
    /// Handle of its author.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub author: Option<Slug>,
    /// Publication date.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub published: Option<NaiveDate>,
    /// Topics.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<Tag>,
    /// Its text, when held.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<Markdown>,
    /// Slugs of guides to read next.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub related: Vec<Slug>,
    /// Slugs of the skills it covers.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub skills: Vec<Slug>,
}

/// Puts `incoming`'s things in place of `base`'s things of the same key
/// (slug, or handle for authors), keeping the order of `base` and adding
/// new things after it.
fn overlay<T: Clone>(base: &[T], incoming: &[T], key: impl Fn(&T) -> &Slug) -> Vec<T> {
    let by_key: std::collections::HashMap<&Slug, &T> =
        incoming.iter().map(|t| (key(t), t)).collect();
    let mut out: Vec<T> = base
        .iter()
        .map(|t| {
            by_key
                .get(key(t))
                .map_or_else(|| t.clone(), |&new| new.clone())
        })
        .collect();
    let known: std::collections::HashSet<&Slug> = base.iter().map(&key).collect();
    out.extend(incoming.iter().filter(|t| !known.contains(key(t))).cloned());
    out
}

impl Bundle {
    /// The catalog that importing `incoming` into this one gives: every
    /// skill, roadmap, author and guide of `incoming` replaces the one with
    /// the same slug (or handle) whole, and new ones are added. A replaced
    /// skill brings its own prerequisites, resources and "see also" links;
    /// skills kept from `self` keep theirs, except links to replaced skills,
    /// which the replacing skill's own list decides. Nothing is removed.
    pub fn merged(&self, incoming: &Bundle) -> Bundle {
        let replaced: std::collections::HashSet<&Slug> =
            incoming.skills.iter().map(|s| &s.slug).collect();
        let mut skills = overlay(&self.skills, &incoming.skills, |s| &s.slug);
        for skill in &mut skills {
            if !replaced.contains(&skill.slug) {
                skill.related.retain(|other| !replaced.contains(other));
            }
        }
        Bundle {
            format: BundleFormat,
            skills,
            roadmaps: overlay(&self.roadmaps, &incoming.roadmaps, |r| &r.slug),
            authors: overlay(&self.authors, &incoming.authors, |a| &a.id),
            guides: overlay(&self.guides, &incoming.guides, |g| &g.slug),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graph::tests::skill;

    #[test]
    fn merging_replaces_by_slug_adds_the_rest_and_lets_the_newcomer_decide_its_links() {
        let mut a = skill("a", &[]);
        a.related = vec![Slug::parse("b").unwrap()];
        let base = Bundle {
            skills: vec![a, skill("b", &[]), skill("c", &[])],
            ..Bundle::default()
        };
        let mut b = skill("b", &[]);
        b.name = Title::parse("B, rewritten").unwrap();
        let incoming = Bundle {
            skills: vec![skill("d", &[]), b],
            ..Bundle::default()
        };
        let merged = base.merged(&incoming);
        let slugs: Vec<&str> = merged.skills.iter().map(|s| s.slug.as_str()).collect();
        assert_eq!(slugs, ["a", "b", "c", "d"]);
        assert_eq!(merged.skills[1].name.as_str(), "B, rewritten");
        assert!(
            merged.skills[0].related.is_empty(),
            "b's own list has no link to a"
        );
        assert_eq!(Bundle::default().merged(&base), base);
    }
}
