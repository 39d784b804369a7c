//! Changes to roadmaps, their sections and their items, and their checks.

use super::{Change, ChangeError, no_repeats};
use crate::catalog::Catalog;
use crate::model::{ItemId, Roadmap, RoadmapId, SectionId};
use crate::values::{Markdown, Slug, Title};

/// The fields of a new roadmap.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct RoadmapDraft {
    /// Its slug, which must be free.
    pub slug: Slug,
    /// Display title.
    pub title: Title,
    /// What it is for, markdown.
    pub description: Markdown,
    /// Roadmaps worth looking at next, in order.
    pub related: Vec<RoadmapId>,
}

/// New values for some fields of a roadmap; `None` leaves a field as it is.
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub struct RoadmapPatch {
    /// A new slug, which must be free.
    pub slug: Option<Slug>,
    /// A new title.
    pub title: Option<Title>,
    /// A new description.
    pub description: Option<Markdown>,
    /// New related roadmaps, replacing the old ones.
    pub related: Option<Vec<RoadmapId>>,
}

/// The fields of a new section.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct SectionDraft {
    /// Display title.
    pub title: Title,
    /// What it covers, markdown.
    pub description: Markdown,
}

/// New values for a section; `None` leaves a field as it is.
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub struct SectionPatch {
    /// A new title.
    pub title: Option<Title>,
    /// A new description.
    pub description: Option<Markdown>,
    /// A new index among the roadmap's sections.
    pub position: Option<usize>,
}

/// A place on a roadmap: a section, optionally an item to nest under, and
/// an index among the siblings there.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Placement {
    /// The section.
    pub section: SectionId,
    /// The item to nest under; top level of the section when `None`.
    pub parent: Option<ItemId>,
    /// The index among the siblings; after the last when `None`.
    pub position: Option<usize>,
}

/// Refuses a position past `last`.
fn within(position: Option<usize>, last: usize) -> Result<(), ChangeError> {
    match position {
        Some(position) if position > last => {
            Err(ChangeError::PositionOutOfRange { position, last })
        }
        _ => Ok(()),
    }
}

impl Catalog {
    fn existing_roadmap(&self, id: RoadmapId) -> Result<&Roadmap, ChangeError> {
        self.roadmap(id).ok_or(ChangeError::NotFound {
            kind: "roadmap",
            id: id.0,
        })
    }

    fn free_roadmap_slug(&self, slug: &Slug, own: Option<RoadmapId>) -> Result<(), ChangeError> {
        match self.roadmap_by_slug(slug.as_str()) {
            Some(other) if Some(other.id) != own => Err(ChangeError::SlugTaken {
                kind: "roadmap",
                slug: slug.clone(),
            }),
            _ => Ok(()),
        }
    }

    fn related_roadmaps(
        &self,
        related: &[RoadmapId],
        own: Option<&Roadmap>,
    ) -> Result<(), ChangeError> {
        for &id in related {
            let other = self.existing_roadmap(id)?;
            if let Some(own) = own
                && own.id == id
            {
                return Err(ChangeError::SelfRelated {
                    kind: "roadmap",
                    slug: other.slug.clone(),
                });
            }
        }
        no_repeats("related", related, |id| {
            self.roadmap(id).map(|r| r.slug.clone())
        })
    }

    /// Checks where an item would go: the section and enclosing item exist
    /// and belong together, the item would not nest in itself, and the
    /// position is in range. `moving` is the item being moved, if any.
    fn check_placement(
        &self,
        at: &Placement,
        moving: Option<ItemId>,
    ) -> Result<&Roadmap, ChangeError> {
        let target = self
            .section_place(at.section)
            .ok_or(ChangeError::NotFound {
                kind: "section",
                id: at.section.0,
            })?;
        let siblings = match at.parent {
            None => &target.section.items,
            Some(parent) => {
                let place = self.item_place(parent).ok_or(ChangeError::NotFound {
                    kind: "roadmap item",
                    id: parent.0,
                })?;
                if place.section.id != at.section {
                    return Err(ChangeError::ParentOutsideSection {
                        parent,
                        section: at.section,
                    });
                }
                if let Some(moving) = moving
                    && let Some(item) = self.item_place(moving)
                    && item.item.walk().iter().any(|i| i.id == parent)
                {
                    let skill = self.existing_skill(item.item.skill)?;
                    return Err(ChangeError::ItemIntoItself(skill.slug.clone()));
                }
                &place.item.children
            }
        };
        let staying = siblings.iter().filter(|i| Some(i.id) != moving).count();
        within(at.position, staying)?;
        Ok(target.roadmap)
    }

    /// The checks of changes to roadmaps, sections and items.
    pub(super) fn check_roadmap_change(&self, change: &Change) -> Result<(), ChangeError> {
        match change {
            Change::CreateRoadmap(draft) => {
                self.free_roadmap_slug(&draft.slug, None)?;
                self.related_roadmaps(&draft.related, None)
            }
            Change::UpdateRoadmap { roadmap, patch } => {
                let current = self.existing_roadmap(*roadmap)?;
                if let Some(slug) = &patch.slug {
                    self.free_roadmap_slug(slug, Some(*roadmap))?;
                }
                match &patch.related {
                    Some(related) => self.related_roadmaps(related, Some(current)),
                    None => Ok(()),
                }
            }
            Change::DeleteRoadmap { roadmap } => self.existing_roadmap(*roadmap).map(|_| ()),
            Change::CreateSection {
                roadmap, position, ..
            } => within(*position, self.existing_roadmap(*roadmap)?.sections.len()),
            Change::UpdateSection { section, patch } => {
                let place = self.existing_section(*section)?;
                within(patch.position, place.roadmap.sections.len() - 1)
            }
            Change::DeleteSection { section } => self.existing_section(*section).map(|_| ()),
            Change::AddItem { at, skill, .. } => {
                let skill = self.existing_skill(*skill)?.clone();
                let roadmap = self.check_placement(at, None)?;
                if roadmap.items().any(|i| i.skill == skill.id) {
                    return Err(ChangeError::AlreadyOnRoadmap {
                        roadmap: roadmap.slug.clone(),
                        skill: skill.slug,
                    });
                }
                Ok(())
            }
            Change::UpdateItem { item, to, .. } => {
                let place = self.existing_item(*item)?;
                if let Some(to) = to {
                    if !place.roadmap.sections.iter().any(|s| s.id == to.section) {
                        self.existing_section(to.section)?;
                        return Err(ChangeError::OtherRoadmap {
                            roadmap: place.roadmap.slug.clone(),
                            section: to.section,
                        });
                    }
                    self.check_placement(to, Some(*item))?;
                }
                Ok(())
            }
            Change::RemoveItem { item } => self.existing_item(*item).map(|_| ()),
            _ => unreachable!("only roadmap changes are checked here"),
        }
    }

    fn existing_section(
        &self,
        id: SectionId,
    ) -> Result<crate::catalog::SectionPlace<'_>, ChangeError> {
        self.section_place(id).ok_or(ChangeError::NotFound {
            kind: "section",
            id: id.0,
        })
    }

    fn existing_item(&self, id: ItemId) -> Result<crate::catalog::ItemPlace<'_>, ChangeError> {
        self.item_place(id).ok_or(ChangeError::NotFound {
            kind: "roadmap item",
            id: id.0,
        })
    }
}
