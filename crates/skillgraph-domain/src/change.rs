//! Changes to the catalog as plain values, and the pure check that says
//! whether one may be applied to a catalog, or why not.
//!
//! Every write takes the same path: a [`Change`] is checked against the
//! current catalog with [`Catalog::check`], applied by the store in one
//! transaction, and the next catalog is built from the result.

use crate::catalog::Catalog;
use crate::graph::WouldCycle;
use crate::model::{
    AuthorId, GuideId, ItemId, Prerequisite, ResourceId, RoadmapId, SectionId, SkillId,
};
use crate::values::{
    Alias, ExternalId, HttpsUrl, Level, MAX_ALIASES, MAX_EXTERNAL_IDS, MAX_TAGS, Markdown,
    Recommendation, ResourceKind, Slug, Summary, Tag, Title,
};

mod guides;
mod order;
mod roadmaps;

pub use guides::{AuthorDraft, AuthorPatch, GuideDraft, GuidePatch};
pub use order::{arrange, without};
pub use roadmaps::{Placement, RoadmapDraft, RoadmapPatch, SectionDraft, SectionPatch};

/// The fields of a new skill.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct SkillDraft {
    /// Its slug, which must be free.
    pub slug: Slug,
    /// Display name.
    pub name: Title,
    /// One line for lists.
    pub summary: Summary,
    /// Longer explanation, markdown.
    pub description: Markdown,
    /// How advanced it is.
    pub level: Level,
    /// Topics.
    pub tags: Vec<Tag>,
    /// Other names people search for.
    pub aliases: Vec<Alias>,
    /// Identifiers in other taxonomies.
    pub external_ids: Vec<ExternalId>,
    /// The broader skill it is a subtopic of.
    pub parent: Option<SkillId>,
}

/// New values for some fields of a skill; `None` leaves a field as it is.
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub struct SkillPatch {
    /// A new slug, which must be free.
    pub slug: Option<Slug>,
    /// A new display name.
    pub name: Option<Title>,
    /// A new summary.
    pub summary: Option<Summary>,
    /// A new description.
    pub description: Option<Markdown>,
    /// A new level.
    pub level: Option<Level>,
    /// New tags, replacing the old ones.
    pub tags: Option<Vec<Tag>>,
    /// New aliases, replacing the old ones.
    pub aliases: Option<Vec<Alias>>,
    /// New external ids, replacing the old ones.
    pub external_ids: Option<Vec<ExternalId>>,
}

/// The fields of a learning resource.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ResourceDraft {
    /// What kind of material it is.
    pub kind: ResourceKind,
    /// Its title.
    pub title: Title,
    /// Where it is.
    pub url: HttpsUrl,
}

/// One change to the catalog; its serde form is what the change log records.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(tag = "change", rename_all = "camelCase")]
pub enum Change {
    /// Adds a skill.
    CreateSkill(SkillDraft),
    /// Changes fields of a skill.
    UpdateSkill {
        /// The skill.
        skill: SkillId,
        /// The new values.
        patch: SkillPatch,
    },
    /// Removes a skill. Without `cascade` it is refused while other skills
    /// list it as a prerequisite; with it, those edges go too.
    DeleteSkill {
        /// The skill.
        skill: SkillId,
        /// Also remove the edges of skills that need it.
        cascade: bool,
    },
    /// Adds a prerequisite edge.
    AddPrerequisite(Prerequisite),
    /// Removes a prerequisite edge.
    RemovePrerequisite {
        /// The dependent skill.
        skill: SkillId,
        /// The prerequisite to remove.
        requires: SkillId,
    },
    /// Makes a skill a subtopic of another, or a top-level skill.
    SetParent {
        /// The skill.
        skill: SkillId,
        /// Its new parent; `None` makes it top-level.
        parent: Option<SkillId>,
    },
    /// Links two skills as "see also" (a symmetric link).
    Relate {
        /// One skill.
        skill: SkillId,
        /// The other.
        other: SkillId,
    },
    /// Removes a "see also" link.
    Unrelate {
        /// One skill.
        skill: SkillId,
        /// The other.
        other: SkillId,
    },
    /// Adds a resource to a skill, after its others.
    CreateResource {
        /// The skill it teaches.
        skill: SkillId,
        /// Its fields.
        resource: ResourceDraft,
    },
    /// Replaces a resource's fields.
    UpdateResource {
        /// The resource.
        resource: ResourceId,
        /// Its new fields.
        fields: ResourceDraft,
    },
    /// Removes a resource.
    DeleteResource {
        /// The resource.
        resource: ResourceId,
    },
    /// Adds a roadmap without sections.
    CreateRoadmap(RoadmapDraft),
    /// Changes fields of a roadmap.
    UpdateRoadmap {
        /// The roadmap.
        roadmap: RoadmapId,
        /// The new values.
        patch: RoadmapPatch,
    },
    /// Removes a roadmap with its sections and items; its skills stay.
    DeleteRoadmap {
        /// The roadmap.
        roadmap: RoadmapId,
    },
    /// Adds a section to a roadmap.
    CreateSection {
        /// The roadmap.
        roadmap: RoadmapId,
        /// Its fields.
        section: SectionDraft,
        /// Its index among the sections; at the end when `None`.
        position: Option<usize>,
    },
    /// Changes a section's fields or moves it among the roadmap's sections.
    UpdateSection {
        /// The section.
        section: SectionId,
        /// The new values.
        patch: SectionPatch,
    },
    /// Removes a section with its items.
    DeleteSection {
        /// The section.
        section: SectionId,
    },
    /// Puts a skill on a roadmap.
    AddItem {
        /// Where.
        at: Placement,
        /// The skill, which must not be on the roadmap yet.
        skill: SkillId,
        /// How the roadmap suggests it.
        recommendation: Recommendation,
    },
    /// Changes an item's recommendation or moves it on its roadmap.
    UpdateItem {
        /// The item.
        item: ItemId,
        /// A new recommendation.
        recommendation: Option<Recommendation>,
        /// A new place on the same roadmap.
        to: Option<Placement>,
    },
    /// Takes an item, and the items nested in it, off its roadmap.
    RemoveItem {
        /// The item.
        item: ItemId,
    },
    /// Adds a guide.
    CreateGuide(GuideDraft),
    /// Changes fields of a guide.
    UpdateGuide {
        /// The guide.
        guide: GuideId,
        /// The new values.
        patch: GuidePatch,
    },
    /// Removes a guide.
    DeleteGuide {
        /// The guide.
        guide: GuideId,
    },
    /// Adds an author.
    CreateAuthor(AuthorDraft),
    /// Changes fields of an author.
    UpdateAuthor {
        /// The author.
        author: AuthorId,
        /// The new values.
        patch: AuthorPatch,
    },
    /// Removes an author; their guides stay, without an author.
    DeleteAuthor {
        /// The author.
        author: AuthorId,
    },
}

/// Why a change may not be applied; each names what is in the way.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ChangeError {
    /// A referenced thing does not exist.
    #[error("there is no {kind} with id {id}")]
    NotFound {
        /// The kind of thing.
        kind: &'static str,
        /// The id asked for.
        id: i64,
    },
    /// The slug is in use by another thing of the same kind.
    #[error("the {kind} slug `{slug}` is already taken")]
    SlugTaken {
        /// The kind of thing.
        kind: &'static str,
        /// The slug.
        slug: Slug,
    },
    /// The change would close a cycle of prerequisites or in the hierarchy.
    #[error(transparent)]
    WouldCycle(#[from] WouldCycle),
    /// The skill is still needed by others.
    #[error(
        "skill `{skill}` is a prerequisite of {}; remove those edges first or delete with cascade",
        dependents.iter().map(|s| format!("`{s}`")).collect::<Vec<_>>().join(", ")
    )]
    HasDependents {
        /// The skill to delete.
        skill: Slug,
        /// The skills that need it.
        dependents: Vec<Slug>,
    },
    /// The edge exists already.
    #[error("skill `{skill}` already requires `{requires}`")]
    AlreadyRequired {
        /// The dependent skill.
        skill: Slug,
        /// Its prerequisite.
        requires: Slug,
    },
    /// A thing cannot be related to itself.
    #[error("{kind} `{slug}` cannot be related to itself")]
    SelfRelated {
        /// The kind of thing.
        kind: &'static str,
        /// Its slug.
        slug: Slug,
    },
    /// A list names the same thing twice.
    #[error("`{field}` lists `{slug}` twice")]
    Repeated {
        /// The input field that holds the list.
        field: &'static str,
        /// What it repeats.
        slug: Slug,
    },
    /// A list holds more entries than its limit (see [`crate::values::MAX_TAGS`]
    /// and its neighbours).
    #[error("`{field}` holds {len} entries; the limit is {max}")]
    TooMany {
        /// The input field that holds the list.
        field: &'static str,
        /// How many entries it holds.
        len: usize,
        /// The limit.
        max: usize,
    },
    /// A position past the end of the list it is in.
    #[error("position {position} is out of range: the list has room for positions 0 to {last}")]
    PositionOutOfRange {
        /// The position asked for.
        position: usize,
        /// The last position allowed.
        last: usize,
    },
    /// A skill is on a roadmap once at most.
    #[error("skill `{skill}` is on roadmap `{roadmap}` already")]
    AlreadyOnRoadmap {
        /// The roadmap.
        roadmap: Slug,
        /// The skill.
        skill: Slug,
    },
    /// An item cannot be nested in itself or in an item nested in it.
    #[error("the item of skill `{0}` cannot be nested in itself or in one of its own nested items")]
    ItemIntoItself(Slug),
    /// A placement names an enclosing item that is not in the named section.
    #[error("item {parent} is not in section {section}")]
    ParentOutsideSection {
        /// The enclosing item asked for.
        parent: ItemId,
        /// The section asked for.
        section: SectionId,
    },
    /// Items move only among the sections of their own roadmap.
    #[error(
        "section {section} is not on roadmap `{roadmap}`; an item moves only within its roadmap"
    )]
    OtherRoadmap {
        /// The item's roadmap.
        roadmap: Slug,
        /// The section asked for.
        section: SectionId,
    },
    /// The two skills are related already.
    #[error("skills `{skill}` and `{other}` are related already")]
    AlreadyRelated {
        /// One skill.
        skill: Slug,
        /// The other.
        other: Slug,
    },
    /// The two skills are not related.
    #[error("skills `{skill}` and `{other}` are not related")]
    NotRelated {
        /// One skill.
        skill: Slug,
        /// The other.
        other: Slug,
    },
    /// The edge does not exist.
    #[error("skill `{skill}` does not require `{requires}`")]
    NotRequired {
        /// The dependent skill.
        skill: Slug,
        /// The skill it does not require.
        requires: Slug,
    },
}

impl Catalog {
    pub(crate) fn existing_skill(&self, id: SkillId) -> Result<&crate::model::Skill, ChangeError> {
        self.skill(id).ok_or(ChangeError::NotFound {
            kind: "skill",
            id: id.0,
        })
    }

    /// Whether `change` may be applied to this catalog: `Ok` or what is in the way.
    pub fn check(&self, change: &Change) -> Result<(), ChangeError> {
        match change {
            Change::CreateSkill(draft) => {
                skill_lists(
                    Some(&draft.tags),
                    Some(&draft.aliases),
                    Some(&draft.external_ids),
                )?;
                if self.skill_by_slug(draft.slug.as_str()).is_some() {
                    return Err(ChangeError::SlugTaken {
                        kind: "skill",
                        slug: draft.slug.clone(),
                    });
                }
                if let Some(parent) = draft.parent {
                    self.existing_skill(parent)?;
                }
                Ok(())
            }
            Change::UpdateSkill { skill, patch } => {
                let current = self.existing_skill(*skill)?;
                skill_lists(
                    patch.tags.as_deref(),
                    patch.aliases.as_deref(),
                    patch.external_ids.as_deref(),
                )?;
                if let Some(slug) = &patch.slug
                    && *slug != current.slug
                    && self.skill_by_slug(slug.as_str()).is_some()
                {
                    return Err(ChangeError::SlugTaken {
                        kind: "skill",
                        slug: slug.clone(),
                    });
                }
                Ok(())
            }
            Change::DeleteSkill { skill, cascade } => {
                let current = self.existing_skill(*skill)?;
                let dependents = self.dependents(*skill);
                if !cascade && !dependents.is_empty() {
                    return Err(ChangeError::HasDependents {
                        skill: current.slug.clone(),
                        dependents: dependents
                            .iter()
                            .filter_map(|p| self.skill(p.skill).map(|s| s.slug.clone()))
                            .collect(),
                    });
                }
                Ok(())
            }
            Change::AddPrerequisite(edge) => {
                let skill = self.existing_skill(edge.skill)?;
                let requires = self.existing_skill(edge.requires)?;
                if self
                    .prerequisites(edge.skill)
                    .iter()
                    .any(|p| p.requires == edge.requires)
                {
                    return Err(ChangeError::AlreadyRequired {
                        skill: skill.slug.clone(),
                        requires: requires.slug.clone(),
                    });
                }
                Ok(self.check_prerequisite(edge.skill, edge.requires)?)
            }
            Change::RemovePrerequisite { skill, requires } => {
                let dependent = self.existing_skill(*skill)?;
                let prerequisite = self.existing_skill(*requires)?;
                if !self
                    .prerequisites(*skill)
                    .iter()
                    .any(|p| p.requires == *requires)
                {
                    return Err(ChangeError::NotRequired {
                        skill: dependent.slug.clone(),
                        requires: prerequisite.slug.clone(),
                    });
                }
                Ok(())
            }
            Change::SetParent { skill, parent } => {
                self.existing_skill(*skill)?;
                if let Some(parent) = parent {
                    self.existing_skill(*parent)?;
                    self.check_parent(*skill, *parent)?;
                }
                Ok(())
            }
            Change::Relate { skill, other } | Change::Unrelate { skill, other } => {
                let one = self.existing_skill(*skill)?.slug.clone();
                let two = self.existing_skill(*other)?.slug.clone();
                if skill == other {
                    return Err(ChangeError::SelfRelated {
                        kind: "skill",
                        slug: one,
                    });
                }
                let related = self.related(*skill).contains(other);
                match (change, related) {
                    (Change::Relate { .. }, true) => Err(ChangeError::AlreadyRelated {
                        skill: one,
                        other: two,
                    }),
                    (Change::Unrelate { .. }, false) => Err(ChangeError::NotRelated {
                        skill: one,
                        other: two,
                    }),
                    _ => Ok(()),
                }
            }
            Change::CreateResource { skill, .. } => self.existing_skill(*skill).map(|_| ()),
            Change::UpdateResource { resource, .. } | Change::DeleteResource { resource } => self
                .resource(*resource)
                .map(|_| ())
                .ok_or(ChangeError::NotFound {
                    kind: "resource",
                    id: resource.0,
                }),
            Change::CreateRoadmap(_)
            | Change::UpdateRoadmap { .. }
            | Change::DeleteRoadmap { .. }
            | Change::CreateSection { .. }
            | Change::UpdateSection { .. }
            | Change::DeleteSection { .. }
            | Change::AddItem { .. }
            | Change::UpdateItem { .. }
            | Change::RemoveItem { .. } => self.check_roadmap_change(change),
            Change::CreateGuide(_)
            | Change::UpdateGuide { .. }
            | Change::DeleteGuide { .. }
            | Change::CreateAuthor(_)
            | Change::UpdateAuthor { .. }
            | Change::DeleteAuthor { .. } => self.check_guide_change(change),
        }
    }
}

/// Refuses a list longer than `max`; `None` (a field left as it is) passes.
pub(crate) fn at_most<T>(
    field: &'static str,
    items: Option<&[T]>,
    max: usize,
) -> Result<(), ChangeError> {
    match items {
        Some(items) if items.len() > max => Err(ChangeError::TooMany {
            field,
            len: items.len(),
            max,
        }),
        _ => Ok(()),
    }
}

/// Refuses a skill's lists beyond their limits.
fn skill_lists(
    tags: Option<&[Tag]>,
    aliases: Option<&[Alias]>,
    external_ids: Option<&[ExternalId]>,
) -> Result<(), ChangeError> {
    at_most("tags", tags, MAX_TAGS)?;
    at_most("aliases", aliases, MAX_ALIASES)?;
    at_most("externalIds", external_ids, MAX_EXTERNAL_IDS)
}

/// Refuses a list that names one thing twice.
pub(crate) fn no_repeats<T: Copy + Eq + std::hash::Hash>(
    field: &'static str,
    items: &[T],
    slug: impl Fn(T) -> Option<Slug>,
) -> Result<(), ChangeError> {
    let mut seen = std::collections::HashSet::new();
    for &item in items {
        if !seen.insert(item)
            && let Some(slug) = slug(item)
        {
            return Err(ChangeError::Repeated { field, slug });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bundle::Bundle;
    use crate::graph::tests::skill;
    use crate::values::Strength;

    fn catalog() -> Catalog {
        let r = Strength::Required;
        Catalog::from_bundle(&Bundle {
            skills: vec![
                skill("a", &[]),
                skill("b", &[("a", r)]),
                skill("c", &[("b", r)]),
            ],
            ..Bundle::default()
        })
        .unwrap()
    }

    #[test]
    fn checks_name_what_is_in_the_way() {
        let catalog = catalog();
        let id = |s: &str| catalog.skill_by_slug(s).unwrap().id;
        let edge = |skill, requires| {
            Change::AddPrerequisite(Prerequisite {
                skill,
                requires,
                strength: Strength::Required,
            })
        };
        assert!(matches!(
            catalog.check(&edge(id("a"), id("c"))),
            Err(ChangeError::WouldCycle(_))
        ));
        assert_eq!(catalog.check(&edge(id("c"), id("a"))), Ok(()));
        assert!(matches!(
            catalog.check(&edge(id("c"), id("b"))),
            Err(ChangeError::AlreadyRequired { .. })
        ));
        let Err(ChangeError::HasDependents { dependents, .. }) =
            catalog.check(&Change::DeleteSkill {
                skill: id("a"),
                cascade: false,
            })
        else {
            panic!("a has dependents")
        };
        assert_eq!(dependents, [Slug::parse("b").unwrap()]);
        assert_eq!(
            catalog.check(&Change::DeleteSkill {
                skill: id("a"),
                cascade: true
            }),
            Ok(())
        );
        assert!(matches!(
            catalog.check(&Change::SetParent {
                skill: SkillId(99),
                parent: None
            }),
            Err(ChangeError::NotFound { .. })
        ));
        assert!(matches!(
            catalog.check(&Change::UpdateSkill {
                skill: id("a"),
                patch: SkillPatch {
                    slug: Some(Slug::parse("b").unwrap()),
                    ..SkillPatch::default()
                }
            }),
            Err(ChangeError::SlugTaken { .. })
        ));
    }

    #[test]
    fn lists_beyond_their_limits_are_refused_naming_the_field() {
        let catalog = catalog();
        let tags = |n: usize| {
            (0..n)
                .map(|i| Slug::parse(format!("t{i}")).unwrap())
                .collect()
        };
        let aliases = |n: usize| {
            (0..n)
                .map(|i| Alias::parse(format!("a{i}")).unwrap())
                .collect()
        };
        let update = |patch| Change::UpdateSkill {
            skill: catalog.skill_by_slug("a").unwrap().id,
            patch,
        };
        assert_eq!(
            catalog.check(&update(SkillPatch {
                tags: Some(tags(MAX_TAGS)),
                aliases: Some(aliases(MAX_ALIASES)),
                ..SkillPatch::default()
            })),
            Ok(())
        );
        assert_eq!(
            catalog.check(&update(SkillPatch {
                tags: Some(tags(10_000)),
                ..SkillPatch::default()
            })),
            Err(ChangeError::TooMany {
                field: "tags",
                len: 10_000,
                max: MAX_TAGS
            })
        );
        let mut draft = SkillDraft {
            slug: Slug::parse("d").unwrap(),
            name: Title::parse("D").unwrap(),
            summary: Summary::parse("D.").unwrap(),
            description: Markdown::default(),
            level: Level::Beginner,
            tags: Vec::new(),
            aliases: aliases(MAX_ALIASES + 1),
            external_ids: Vec::new(),
            parent: None,
        };
        assert!(matches!(
            catalog.check(&Change::CreateSkill(draft.clone())),
            Err(ChangeError::TooMany {
                field: "aliases",
                ..
            })
        ));
        draft.aliases.clear();
        assert_eq!(catalog.check(&Change::CreateSkill(draft)), Ok(()));
    }
}
