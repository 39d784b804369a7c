//! The next snapshot from a committed change: [`Catalog::apply`].
//!
//! The change is checked as [`Catalog::check`] checks it, then written into
//! a clone (O(1): every map is persistent) the way the store's SQL and its
//! foreign keys write it: a deleted skill takes its edges, resources, roadmap
//! items (with the items nested in them) and guide links along and lifts its
//! subtopics to the top level; a deleted roadmap or guide takes the links to
//! it along; a deleted author leaves their guides without one. Only the
//! entries the change touches are copied, and only the derived structures
//! (see the module doc of [`crate::catalog`]) that depend on them are dropped.

use std::sync::{Arc, OnceLock};

use super::{Catalog, RoadmapEntry, SkillEntry};
use crate::change::{Change, ChangeError};
use crate::model::{
    Author, AuthorId, Guide, GuideId, ItemId, Resource, ResourceId, Roadmap, RoadmapId,
    RoadmapItem, Section, SectionId, Skill, SkillId,
};
use crate::values::Slug;

/// Why [`Catalog::apply`] gives no next catalog.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ApplyError {
    /// The change may not be applied to this catalog; [`Catalog::check`] says why.
    #[error(transparent)]
    Refused(#[from] ChangeError),
    /// The change creates something and the id the database assigned to it
    /// is missing or already in use here, or a change that creates nothing
    /// was given one: the database and this snapshot disagree, so the caller
    /// should load the catalog afresh instead.
    #[error("the {kind} a change creates has no usable id (given: {given:?})")]
    Unassigned {
        /// The kind of thing created ("skill", "resource", ...), or "nothing".
        kind: &'static str,
        /// The id given, if any.
        given: Option<i64>,
    },
}

/// Puts `value` into a list kept sorted by `key`, after its equals.
fn insert_sorted<T, K: Ord>(list: &mut Vec<T>, value: T, key: impl Fn(&T) -> K) {
    let k = key(&value);
    let at = list.partition_point(|other| key(other) <= k);
    list.insert(at, value);
}

/// Takes the item `id` (with its nested items) out of `items`, wherever it nests.
fn take_item(items: &mut Vec<RoadmapItem>, id: ItemId) -> Option<RoadmapItem> {
    if let Some(at) = items.iter().position(|i| i.id == id) {
        return Some(items.remove(at));
    }
    items
        .iter_mut()
        .find_map(|i| take_item(&mut i.children, id))
}

/// Removes every item of `skill` (with its nested items) from `items`, and
/// answers the skills of every item removed.
fn remove_skill_items(items: &mut Vec<RoadmapItem>, skill: SkillId, removed: &mut Vec<SkillId>) {
    items.retain(|item| {
        if item.skill == skill {
            removed.extend(item.walk().iter().map(|i| i.skill));
            false
        } else {
            true
        }
    });
    for item in items {
        remove_skill_items(&mut item.children, skill, removed);
    }
}

/// The list of siblings at a place of a roadmap: a section's top level or an
/// item's nested items.
fn siblings_mut(
    roadmap: &mut Roadmap,
    section: SectionId,
    parent: Option<ItemId>,
) -> Option<&mut Vec<RoadmapItem>> {
    fn find(items: &mut [RoadmapItem], id: ItemId) -> Option<&mut RoadmapItem> {
        for item in items {
            if item.id == id {
                return Some(item);
            }
            if let Some(found) = find(&mut item.children, id) {
                return Some(found);
            }
        }
        None
    }
    let section = roadmap.sections.iter_mut().find(|s| s.id == section)?;
    match parent {
        None => Some(&mut section.items),
        Some(parent) => find(&mut section.items, parent).map(|p| &mut p.children),
    }
}

/// What a write found missing although the check passed: never expected.
fn diverged(kind: &'static str, id: i64) -> ApplyError {
    ApplyError::Refused(ChangeError::NotFound { kind, id })
}

impl Catalog {
    /// The catalog after `change`, which the store has just committed;
    /// `created` is the storage key the database gave the thing the change
    /// creates (the store's `Applied::created`), `None` for a change that
    /// creates nothing.
    ///
    /// The answer equals the catalog a fresh load of the database would
    /// build, and shares with `self` everything the change does not touch.
    /// A change [`Catalog::check`] refuses is refused here too, and `self`
    /// is left as it was in every case.
    pub fn apply(&self, change: &Change, created: Option<i64>) -> Result<Catalog, ApplyError> {
        self.check(change)?;
        let creates = match change {
            Change::CreateSkill(_) => Some("skill"),
            Change::CreateResource { .. } => Some("resource"),
            Change::CreateRoadmap(_) => Some("roadmap"),
            Change::CreateSection { .. } => Some("section"),
            Change::AddItem { .. } => Some("roadmap item"),
            Change::CreateGuide(_) => Some("guide"),
            Change::CreateAuthor(_) => Some("author"),
            _ => None,
        };
        let id = match (creates, created) {
            (None, None) => 0,
            (Some(kind), Some(id)) if self.id_free(kind, id) => id,
            (kind, given) => {
                return Err(ApplyError::Unassigned {
                    kind: kind.unwrap_or("nothing"),
                    given,
                });
            }
        };
        let mut next = self.clone();
        next.write(change, id)?;
        Ok(next)
    }

    /// Whether no thing of `kind` has the storage key `id`.
    fn id_free(&self, kind: &str, id: i64) -> bool {
        match kind {
            "skill" => !self.skills.contains_key(&SkillId(id)),
            "resource" => !self.resource_owner.contains_key(&ResourceId(id)),
            "roadmap" => !self.roadmaps.contains_key(&RoadmapId(id)),
            "section" => self.section_place(SectionId(id)).is_none(),
            "roadmap item" => self.item_place(ItemId(id)).is_none(),
            "guide" => !self.guides.contains_key(&GuideId(id)),
            "author" => !self.authors.contains_key(&AuthorId(id)),
            _ => false,
        }
    }

    /// The entry of a skill, copied for writing if it is shared.
    fn skill_mut(&mut self, id: SkillId) -> Result<&mut SkillEntry, ApplyError> {
        self.skills
            .get_mut(&id)
            .map(Arc::make_mut)
            .ok_or_else(|| diverged("skill", id.0))
    }

    /// The entry of a roadmap, copied for writing if it is shared.
    fn roadmap_mut(&mut self, id: RoadmapId) -> Result<&mut RoadmapEntry, ApplyError> {
        self.roadmaps
            .get_mut(&id)
            .map(Arc::make_mut)
            .ok_or_else(|| diverged("roadmap", id.0))
    }

    /// A guide, copied for writing if it is shared.
    fn guide_mut(&mut self, id: GuideId) -> Result<&mut Guide, ApplyError> {
        self.guides
            .get_mut(&id)
            .map(Arc::make_mut)
            .ok_or_else(|| diverged("guide", id.0))
    }

    /// The roadmap holding a section.
    fn roadmap_of_section(&self, id: SectionId) -> Result<RoadmapId, ApplyError> {
        self.section_place(id)
            .map(|p| p.roadmap.id)
            .ok_or_else(|| diverged("section", id.0))
    }

    /// The roadmap holding an item.
    fn roadmap_of_item(&self, id: ItemId) -> Result<RoadmapId, ApplyError> {
        self.item_place(id)
            .map(|p| p.roadmap.id)
            .ok_or_else(|| diverged("roadmap item", id.0))
    }

    /// Drops the graph and the rank: the set of skills changed, so their
    /// numbering did.
    fn renumbered(&mut self) {
        self.dense = Arc::new(OnceLock::new());
        self.rank = Arc::new(OnceLock::new());
    }

    /// Drops the graph: edges changed, the numbering did not.
    fn edges_changed(&mut self) {
        self.dense = Arc::new(OnceLock::new());
    }

    /// Drops the rank: an item moved or a slug changed.
    fn reading_order_changed(&mut self) {
        self.rank = Arc::new(OnceLock::new());
    }

    /// Ranks again the guides of these roadmaps, as the build ranks them.
    fn rank_guides(
        &mut self,
        roadmaps: impl IntoIterator<Item = RoadmapId>,
    ) -> Result<(), ApplyError> {
        let mut roadmaps: Vec<RoadmapId> = roadmaps.into_iter().collect();
        roadmaps.sort();
        roadmaps.dedup();
        for id in roadmaps {
            let Some(entry) = self.roadmaps.get(&id) else {
                continue;
            };
            let mut coverage: std::collections::HashMap<GuideId, usize> =
                std::collections::HashMap::new();
            for item in entry.roadmap.items() {
                for guide in self.guides_covering(item.skill) {
                    *coverage.entry(*guide).or_default() += 1;
                }
            }
            let mut ranked: Vec<(GuideId, usize, &Slug)> = coverage
                .into_iter()
                .filter_map(|(g, n)| Some((g, n, &self.guide(g)?.slug)))
                .collect();
            ranked.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.2.cmp(b.2)));
            let guides: Vec<GuideId> = ranked.into_iter().map(|(g, _, _)| g).collect();
            if guides != entry.guides {
                self.roadmap_mut(id)?.guides = guides;
            }
        }
        Ok(())
    }

    /// Writes a checked change into this (fresh) clone; `id` is the key of
    /// what it creates.
    fn write(&mut self, change: &Change, id: i64) -> Result<(), ApplyError> {
        match change {
            Change::CreateSkill(draft) => {
                let skill = SkillId(id);
                self.skills.insert(
                    skill,
                    Arc::new(SkillEntry::new(Skill {
                        id: skill,
                        slug: draft.slug.clone(),
                        name: draft.name.clone(),
                        summary: draft.summary.clone(),
                        description: draft.description.clone(),
                        level: draft.level,
                        tags: draft.tags.clone(),
                        aliases: draft.aliases.clone(),
                        external_ids: draft.external_ids.clone(),
                        parent: draft.parent,
                    })),
                );
                self.skill_by_slug.insert(draft.slug.clone(), skill);
                if let Some(parent) = draft.parent {
                    insert_sorted(&mut self.skill_mut(parent)?.children, skill, |c| *c);
                }
                self.renumbered();
            }
            Change::UpdateSkill { skill, patch } => {
                let entry = self.skill_mut(*skill)?;
                let s = &mut entry.skill;
                let old_slug = s.slug.clone();
                if let Some(slug) = &patch.slug {
                    s.slug = slug.clone();
                }
                if let Some(name) = &patch.name {
                    s.name = name.clone();
                }
                if let Some(summary) = &patch.summary {
                    s.summary = summary.clone();
                }
                if let Some(description) = &patch.description {
                    s.description = description.clone();
                }
                if let Some(level) = patch.level {
                    s.level = level;
                }
                if let Some(tags) = &patch.tags {
                    s.tags = tags.clone();
                }
                if let Some(aliases) = &patch.aliases {
                    s.aliases = aliases.clone();
                }
                if let Some(external_ids) = &patch.external_ids {
                    s.external_ids = external_ids.clone();
                }
                if let Some(slug) = &patch.slug
                    && *slug != old_slug
                {
                    self.skill_by_slug.remove(old_slug.as_str());
                    self.skill_by_slug.insert(slug.clone(), *skill);
                    self.reading_order_changed();
                }
            }
            Change::DeleteSkill { skill, .. } => self.delete_skill(*skill)?,
            Change::AddPrerequisite(edge) => {
                self.skill_mut(edge.skill)?.prerequisites.push(*edge);
                let dependents = &mut self.skill_mut(edge.requires)?.dependents;
                insert_sorted(dependents, *edge, |p| p.skill);
                self.edge_count += 1;
                self.edges_changed();
            }
            Change::RemovePrerequisite { skill, requires } => {
                self.skill_mut(*skill)?
                    .prerequisites
                    .retain(|p| p.requires != *requires);
                self.skill_mut(*requires)?
                    .dependents
                    .retain(|p| p.skill != *skill);
                self.edge_count -= 1;
                self.edges_changed();
            }
            Change::SetParent { skill, parent } => {
                let old = self.skill_mut(*skill)?.skill.parent;
                if old != *parent {
                    self.skill_mut(*skill)?.skill.parent = *parent;
                    if let Some(old) = old {
                        self.skill_mut(old)?.children.retain(|c| c != skill);
                    }
                    if let Some(parent) = parent {
                        insert_sorted(&mut self.skill_mut(*parent)?.children, *skill, |c| *c);
                    }
                }
            }
            Change::Relate { skill, other } => {
                insert_sorted(&mut self.skill_mut(*skill)?.related, *other, |s| *s);
                insert_sorted(&mut self.skill_mut(*other)?.related, *skill, |s| *s);
            }
            Change::Unrelate { skill, other } => {
                self.skill_mut(*skill)?.related.retain(|s| s != other);
                self.skill_mut(*other)?.related.retain(|s| s != skill);
            }
            Change::CreateResource { skill, resource } => {
                let resource_id = ResourceId(id);
                self.skill_mut(*skill)?.resources.push(Resource {
                    id: resource_id,
                    skill: *skill,
                    kind: resource.kind,
                    title: resource.title.clone(),
                    url: resource.url.clone(),
                });
                self.resource_owner.insert(resource_id, *skill);
            }
            Change::UpdateResource { resource, fields } => {
                let owner = *self
                    .resource_owner
                    .get(resource)
                    .ok_or_else(|| diverged("resource", resource.0))?;
                let entry = self.skill_mut(owner)?;
                if let Some(r) = entry.resources.iter_mut().find(|r| r.id == *resource) {
                    r.kind = fields.kind;
                    r.title = fields.title.clone();
                    r.url = fields.url.clone();
                }
            }
            Change::DeleteResource { resource } => {
                let owner = self
                    .resource_owner
                    .remove(resource)
                    .ok_or_else(|| diverged("resource", resource.0))?;
                self.skill_mut(owner)?
                    .resources
                    .retain(|r| r.id != *resource);
            }
            Change::CreateRoadmap(draft) => {
                let roadmap = RoadmapId(id);
                self.roadmaps.insert(
                    roadmap,
                    Arc::new(RoadmapEntry {
                        roadmap: Roadmap {
                            id: roadmap,
                            slug: draft.slug.clone(),
                            title: draft.title.clone(),
                            description: draft.description.clone(),
                            sections: Vec::new(),
                            related: draft.related.clone(),
                        },
                        guides: Vec::new(),
                    }),
                );
                self.roadmap_by_slug.insert(draft.slug.clone(), roadmap);
            }
            Change::UpdateRoadmap { roadmap, patch } => {
                let r = &mut self.roadmap_mut(*roadmap)?.roadmap;
                let old_slug = r.slug.clone();
                if let Some(slug) = &patch.slug {
                    r.slug = slug.clone();
                }
                if let Some(title) = &patch.title {
                    r.title = title.clone();
                }
                if let Some(description) = &patch.description {
                    r.description = description.clone();
                }
                if let Some(related) = &patch.related {
                    r.related = related.clone();
                }
                if let Some(slug) = &patch.slug
                    && *slug != old_slug
                {
                    self.roadmap_by_slug.remove(old_slug.as_str());
                    self.roadmap_by_slug.insert(slug.clone(), *roadmap);
                }
            }
            Change::DeleteRoadmap { roadmap } => {
                let entry = self
                    .roadmaps
                    .remove(roadmap)
                    .ok_or_else(|| diverged("roadmap", roadmap.0))?;
                self.roadmap_by_slug.remove(entry.roadmap.slug.as_str());
                let mut skills: Vec<SkillId> = entry.roadmap.items().map(|i| i.skill).collect();
                skills.sort();
                skills.dedup();
                for skill in &skills {
                    self.skill_mut(*skill)?.roadmaps.retain(|r| r != roadmap);
                }
                let linking: Vec<RoadmapId> = self
                    .roadmaps
                    .values()
                    .filter(|e| e.roadmap.related.contains(roadmap))
                    .map(|e| e.roadmap.id)
                    .collect();
                for other in linking {
                    self.roadmap_mut(other)?
                        .roadmap
                        .related
                        .retain(|r| r != roadmap);
                }
                if !skills.is_empty() {
                    self.reading_order_changed();
                }
            }
            Change::CreateSection {
                roadmap,
                section,
                position,
            } => {
                let sections = &mut self.roadmap_mut(*roadmap)?.roadmap.sections;
                let at = position.unwrap_or(sections.len()).min(sections.len());
                sections.insert(
                    at,
                    Section {
                        id: SectionId(id),
                        title: section.title.clone(),
                        description: section.description.clone(),
                        items: Vec::new(),
                    },
                );
            }
            Change::UpdateSection { section, patch } => {
                let roadmap = self.roadmap_of_section(*section)?;
                let sections = &mut self.roadmap_mut(roadmap)?.roadmap.sections;
                let Some(at) = sections.iter().position(|s| s.id == *section) else {
                    return Err(diverged("section", section.0));
                };
                if let Some(title) = &patch.title {
                    sections[at].title = title.clone();
                }
                if let Some(description) = &patch.description {
                    sections[at].description = description.clone();
                }
                if let Some(position) = patch.position {
                    let moving = sections.remove(at);
                    sections.insert(position.min(sections.len()), moving);
                    self.reading_order_changed();
                }
            }
            Change::DeleteSection { section } => {
                let roadmap = self.roadmap_of_section(*section)?;
                let sections = &mut self.roadmap_mut(roadmap)?.roadmap.sections;
                let Some(at) = sections.iter().position(|s| s.id == *section) else {
                    return Err(diverged("section", section.0));
                };
                let removed = sections.remove(at);
                let skills: Vec<SkillId> = removed
                    .items
                    .iter()
                    .flat_map(RoadmapItem::walk)
                    .map(|i| i.skill)
                    .collect();
                self.off_roadmap(roadmap, &skills)?;
            }
            Change::AddItem {
                at,
                skill,
                recommendation,
            } => {
                let roadmap = self.roadmap_of_section(at.section)?;
                let entry = self.roadmap_mut(roadmap)?;
                let siblings = siblings_mut(&mut entry.roadmap, at.section, at.parent)
                    .ok_or_else(|| diverged("section", at.section.0))?;
                let position = at.position.unwrap_or(siblings.len()).min(siblings.len());
                siblings.insert(
                    position,
                    RoadmapItem {
                        id: ItemId(id),
                        skill: *skill,
                        recommendation: *recommendation,
                        children: Vec::new(),
                    },
                );
                insert_sorted(&mut self.skill_mut(*skill)?.roadmaps, roadmap, |r| *r);
                self.rank_guides([roadmap])?;
                self.reading_order_changed();
            }
            Change::UpdateItem {
                item,
                recommendation,
                to,
            } => {
                let roadmap = self.roadmap_of_item(*item)?;
                let entry = self.roadmap_mut(roadmap)?;
                if let Some(to) = to {
                    let mut moving = entry
                        .roadmap
                        .sections
                        .iter_mut()
                        .find_map(|s| take_item(&mut s.items, *item))
                        .ok_or_else(|| diverged("roadmap item", item.0))?;
                    if let Some(recommendation) = recommendation {
                        moving.recommendation = *recommendation;
                    }
                    let siblings = siblings_mut(&mut entry.roadmap, to.section, to.parent)
                        .ok_or_else(|| diverged("section", to.section.0))?;
                    let position = to.position.unwrap_or(siblings.len()).min(siblings.len());
                    siblings.insert(position, moving);
                    self.reading_order_changed();
                } else if let Some(recommendation) = recommendation {
                    let place = entry
                        .roadmap
                        .sections
                        .iter_mut()
                        .find_map(|s| take_item_ref(&mut s.items, *item))
                        .ok_or_else(|| diverged("roadmap item", item.0))?;
                    place.recommendation = *recommendation;
                }
            }
            Change::RemoveItem { item } => {
                let roadmap = self.roadmap_of_item(*item)?;
                let entry = self.roadmap_mut(roadmap)?;
                let removed = entry
                    .roadmap
                    .sections
                    .iter_mut()
                    .find_map(|s| take_item(&mut s.items, *item))
                    .ok_or_else(|| diverged("roadmap item", item.0))?;
                let skills: Vec<SkillId> = removed.walk().iter().map(|i| i.skill).collect();
                self.off_roadmap(roadmap, &skills)?;
            }
            Change::CreateGuide(draft) => {
                let guide = GuideId(id);
                self.guides.insert(
                    guide,
                    Arc::new(Guide {
                        id: guide,
                        slug: draft.slug.clone(),
                        title: draft.title.clone(),
                        description: draft.description.clone(),
                        url: draft.url.clone(),
                        author: draft.author,
                        published: draft.published,
                        tags: draft.tags.clone(),
                        body: draft.body.clone(),
                        related: draft.related.clone(),
                        skills: draft.skills.clone(),
                    }),
                );
                self.guide_by_slug.insert(draft.slug.clone(), guide);
                self.cover(guide, &[], &draft.skills)?;
            }
            Change::UpdateGuide { guide, patch } => {
                let g = self.guide_mut(*guide)?;
                let old_slug = g.slug.clone();
                let old_skills = g.skills.clone();
                if let Some(slug) = &patch.slug {
                    g.slug = slug.clone();
                }
                if let Some(title) = &patch.title {
                    g.title = title.clone();
                }
                if let Some(description) = &patch.description {
                    g.description = description.clone();
                }
                if let Some(url) = &patch.url {
                    g.url = url.clone();
                }
                if let Some(author) = patch.author {
                    g.author = author;
                }
                if let Some(published) = patch.published {
                    g.published = published;
                }
                if let Some(tags) = &patch.tags {
                    g.tags = tags.clone();
                }
                if let Some(body) = &patch.body {
                    g.body = body.clone();
                }
                if let Some(related) = &patch.related {
                    g.related = related.clone();
                }
                if let Some(skills) = &patch.skills {
                    g.skills = skills.clone();
                }
                let new_skills = g.skills.clone();
                let renamed = patch.slug.as_ref().is_some_and(|s| *s != old_slug);
                if let Some(slug) = &patch.slug
                    && renamed
                {
                    self.guide_by_slug.remove(old_slug.as_str());
                    self.guide_by_slug.insert(slug.clone(), *guide);
                }
                if renamed || patch.skills.is_some() {
                    self.cover(*guide, &old_skills, &new_skills)?;
                }
            }
            Change::DeleteGuide { guide } => {
                let removed = self
                    .guides
                    .remove(guide)
                    .ok_or_else(|| diverged("guide", guide.0))?;
                self.guide_by_slug.remove(removed.slug.as_str());
                let linking: Vec<GuideId> = self
                    .guides
                    .values()
                    .filter(|g| g.related.contains(guide))
                    .map(|g| g.id)
                    .collect();
                for other in linking {
                    self.guide_mut(other)?.related.retain(|g| g != guide);
                }
                self.cover(*guide, &removed.skills, &[])?;
            }
            Change::CreateAuthor(draft) => {
                let author = AuthorId(id);
                self.authors.insert(
                    author,
                    Arc::new(Author {
                        id: author,
                        handle: draft.handle.clone(),
                        name: draft.name.clone(),
                        links: draft.links.clone(),
                    }),
                );
                self.author_by_handle.insert(draft.handle.clone(), author);
            }
            Change::UpdateAuthor { author, patch } => {
                let a = self
                    .authors
                    .get_mut(author)
                    .map(Arc::make_mut)
                    .ok_or_else(|| diverged("author", author.0))?;
                let old_handle = a.handle.clone();
                if let Some(handle) = &patch.handle {
                    a.handle = handle.clone();
                }
                if let Some(name) = &patch.name {
                    a.name = name.clone();
                }
                if let Some(links) = &patch.links {
                    a.links = links.clone();
                }
                if let Some(handle) = &patch.handle
                    && *handle != old_handle
                {
                    self.author_by_handle.remove(old_handle.as_str());
                    self.author_by_handle.insert(handle.clone(), *author);
                }
            }
            Change::DeleteAuthor { author } => {
                let removed = self
                    .authors
                    .remove(author)
                    .ok_or_else(|| diverged("author", author.0))?;
                self.author_by_handle.remove(removed.handle.as_str());
                // Guides are scanned: an author's guides are not indexed.
                let written: Vec<GuideId> = self
                    .guides
                    .values()
                    .filter(|g| g.author == Some(*author))
                    .map(|g| g.id)
                    .collect();
                for guide in written {
                    self.guide_mut(guide)?.author = None;
                }
            }
        }
        Ok(())
    }

    /// Takes these skills, whose items just left `roadmap`, off it, and
    /// ranks the roadmap's guides again.
    fn off_roadmap(&mut self, roadmap: RoadmapId, skills: &[SkillId]) -> Result<(), ApplyError> {
        for skill in skills {
            self.skill_mut(*skill)?.roadmaps.retain(|r| *r != roadmap);
        }
        if !skills.is_empty() {
            self.rank_guides([roadmap])?;
            self.reading_order_changed();
        }
        Ok(())
    }

    /// Moves a guide's coverage from the `old` skills to the `new` ones and
    /// ranks the guides of every roadmap either touches again.
    fn cover(
        &mut self,
        guide: GuideId,
        old: &[SkillId],
        new: &[SkillId],
    ) -> Result<(), ApplyError> {
        let mut roadmaps = Vec::new();
        for skill in old {
            let entry = self.skill_mut(*skill)?;
            entry.guides.retain(|g| *g != guide);
            roadmaps.extend_from_slice(&entry.roadmaps);
        }
        for skill in new {
            let entry = self.skill_mut(*skill)?;
            if !entry.guides.contains(&guide) {
                insert_sorted(&mut entry.guides, guide, |g| *g);
            }
            roadmaps.extend_from_slice(&entry.roadmaps);
        }
        self.rank_guides(roadmaps)
    }

    /// Removes a skill with everything that hangs from it.
    fn delete_skill(&mut self, skill: SkillId) -> Result<(), ApplyError> {
        let entry = self
            .skills
            .remove(&skill)
            .ok_or_else(|| diverged("skill", skill.0))?;
        self.skill_by_slug.remove(entry.skill.slug.as_str());
        for edge in &entry.prerequisites {
            self.skill_mut(edge.requires)?
                .dependents
                .retain(|p| p.skill != skill);
        }
        for edge in &entry.dependents {
            self.skill_mut(edge.skill)?
                .prerequisites
                .retain(|p| p.requires != skill);
        }
        self.edge_count -= entry.prerequisites.len() + entry.dependents.len();
        for child in &entry.children {
            self.skill_mut(*child)?.skill.parent = None;
        }
        if let Some(parent) = entry.skill.parent {
            self.skill_mut(parent)?.children.retain(|c| *c != skill);
        }
        for other in &entry.related {
            self.skill_mut(*other)?.related.retain(|s| *s != skill);
        }
        for resource in &entry.resources {
            self.resource_owner.remove(&resource.id);
        }
        for guide in &entry.guides {
            self.guide_mut(*guide)?.skills.retain(|s| *s != skill);
        }
        for roadmap in &entry.roadmaps {
            let mut removed = Vec::new();
            for section in &mut self.roadmap_mut(*roadmap)?.roadmap.sections {
                remove_skill_items(&mut section.items, skill, &mut removed);
            }
            // Items nested in the skill's item go with it.
            let others: Vec<SkillId> = removed.into_iter().filter(|s| *s != skill).collect();
            for other in others {
                self.skill_mut(other)?.roadmaps.retain(|r| r != roadmap);
            }
        }
        self.rank_guides(entry.roadmaps.iter().copied())?;
        self.renumbered();
        Ok(())
    }
}

/// The item `id` in `items`, wherever it nests, for writing.
fn take_item_ref(items: &mut [RoadmapItem], id: ItemId) -> Option<&mut RoadmapItem> {
    for item in items {
        if item.id == id {
            return Some(item);
        }
        if let Some(found) = take_item_ref(&mut item.children, id) {
            return Some(found);
        }
    }
    None
}

#[cfg(test)]
mod tests;
