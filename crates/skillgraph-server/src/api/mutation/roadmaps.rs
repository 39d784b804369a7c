//! Writes to roadmaps, their sections and their items, reordering included.
//!
//! Sections and items are named by the global ids their `id` fields give;
//! a `position` is an index among siblings, and leaving it out means "after
//! the last".

use async_graphql::{Context, ID, InputObject, MaybeUndefined, Object, Result};
use skillgraph_domain::change::{
    Change, Placement, RoadmapDraft, RoadmapPatch, SectionDraft, SectionPatch,
};
use skillgraph_domain::{Catalog, ItemId, Markdown, RoadmapId, SectionId, Slug, Title};

use super::{commit, commit_created, field, latest, optional, payload, skill_id};
use crate::api::Snapshot;
use crate::api::error::ApiError;
use crate::api::ids::NodeId;
use crate::api::types::{Recommendation, Roadmap, RoadmapItem, RoadmapSection};

/// Resolves a roadmap slug given in an input.
fn roadmap_id(catalog: &Catalog, path: &str, slug: &str) -> Result<RoadmapId, ApiError> {
    let slug = field(path, Slug::parse(slug))?;
    catalog
        .roadmap_by_slug(slug.as_str())
        .map(|r| r.id)
        .ok_or_else(|| ApiError::NotFound(format!("`{path}`: there is no roadmap `{slug}`")))
}

/// A section id given in an input.
fn section_id(path: &str, id: &ID) -> Result<SectionId, ApiError> {
    match NodeId::decode(id) {
        Ok(NodeId::Section(id)) => Ok(id),
        _ => Err(ApiError::BadField {
            field: path.to_owned(),
            message: format!("`{path}`: `{}` is not a roadmap section id", id.as_str()),
        }),
    }
}

/// An item id given in an input.
fn item_id(path: &str, id: &ID) -> Result<ItemId, ApiError> {
    match NodeId::decode(id) {
        Ok(NodeId::Item(id)) => Ok(id),
        _ => Err(ApiError::BadField {
            field: path.to_owned(),
            message: format!("`{path}`: `{}` is not a roadmap item id", id.as_str()),
        }),
    }
}

/// A position given in an input: an index, so never negative.
fn position(value: Option<i32>) -> Result<Option<usize>, ApiError> {
    value
        .map(|p| {
            usize::try_from(p).map_err(|_| ApiError::BadField {
                field: "input.position".into(),
                message: format!("`input.position`: {p} is negative; positions count from 0"),
            })
        })
        .transpose()
}

fn related(
    catalog: &Catalog,
    slugs: Option<Vec<String>>,
) -> Result<Option<Vec<RoadmapId>>, ApiError> {
    slugs
        .map(|slugs| {
            slugs
                .iter()
                .enumerate()
                .map(|(n, slug)| roadmap_id(catalog, &format!("input.related[{n}]"), slug))
                .collect()
        })
        .transpose()
}

/// The fields of a new roadmap; it starts without sections.
#[derive(InputObject)]
pub struct CreateRoadmapInput {
    /// Stable, url-safe name: lowercase letters, digits and single hyphens.
    pub slug: String,
    /// Display title.
    pub title: String,
    /// What the roadmap is for, markdown.
    pub description: Option<String>,
    /// Slugs of roadmaps worth looking at next, in order.
    pub related: Option<Vec<String>>,
}

/// New values for some fields of a roadmap; fields left out stay as they are.
#[derive(InputObject)]
pub struct UpdateRoadmapInput {
    /// Slug of the roadmap to change.
    pub roadmap: String,
    /// A new slug.
    pub slug: Option<String>,
    /// A new title.
    pub title: Option<String>,
    /// A new description.
    pub description: Option<String>,
    /// New related roadmaps (slugs), replacing the old ones.
    pub related: Option<Vec<String>>,
}

/// Which roadmap to delete.
#[derive(InputObject)]
pub struct DeleteRoadmapInput {
    /// Slug of the roadmap; its sections and items go with it, its skills stay.
    pub roadmap: String,
}

/// A new section of a roadmap.
#[derive(InputObject)]
pub struct CreateRoadmapSectionInput {
    /// Slug of the roadmap.
    pub roadmap: String,
    /// Display title.
    pub title: String,
    /// What the section covers, markdown.
    pub description: Option<String>,
    /// Its index among the roadmap's sections, from 0; after the last when left out.
    pub position: Option<i32>,
}

/// New values for a section; fields left out stay as they are.
#[derive(InputObject)]
pub struct UpdateRoadmapSectionInput {
    /// The section's global id.
    pub id: ID,
    /// A new title.
    pub title: Option<String>,
    /// A new description.
    pub description: Option<String>,
    /// A new index among the roadmap's sections, from 0: this reorders them.
    pub position: Option<i32>,
}

/// Which section to delete.
#[derive(InputObject)]
pub struct DeleteRoadmapSectionInput {
    /// The section's global id; its items go with it.
    pub id: ID,
}

/// A skill to put on a roadmap.
#[derive(InputObject)]
pub struct AddRoadmapItemInput {
    /// The global id of the section to put it in.
    pub section: ID,
    /// The global id of an item of that section to nest it under.
    pub parent_item: Option<ID>,
    /// Slug of the skill; a skill is on a roadmap at most once.
    pub skill: String,
    /// How the roadmap suggests it; RECOMMENDED when left out.
    pub recommendation: Option<Recommendation>,
    /// Its index among its siblings, from 0; after the last when left out.
    pub position: Option<i32>,
}

/// New values for an item; fields left out stay as they are. Giving any
/// of `section`, `parentItem` or `position` moves the item (with its
/// nested items) within its roadmap.
#[derive(InputObject)]
pub struct UpdateRoadmapItemInput {
    /// The item's global id.
    pub id: ID,
    /// A new recommendation.
    pub recommendation: Option<Recommendation>,
    /// The global id of the section to move it to, on the same roadmap.
    pub section: Option<ID>,
    /// The global id of the item to nest it under; null moves it to the top
    /// level of its section.
    pub parent_item: MaybeUndefined<ID>,
    /// Its new index among its siblings, from 0; after the last when left out.
    pub position: Option<i32>,
}

/// Which item to take off its roadmap.
#[derive(InputObject)]
pub struct RemoveRoadmapItemInput {
    /// The item's global id; items nested in it go with it, the skills stay.
    pub id: ID,
}

payload!(
    /// The answer of a roadmap write: the roadmap as committed.
    RoadmapPayload { roadmap: RoadmapId => Roadmap via roadmap, "The roadmap after the write; null after a delete." }
);

/// The answer of a section write: the section and its roadmap as committed.
pub struct RoadmapSectionPayload {
    snapshot: Snapshot,
    roadmap: RoadmapId,
    section: Option<SectionId>,
}

/// The answer of a section write: the section and its roadmap as committed.
#[Object]
impl RoadmapSectionPayload {
    /// The section after the write; null after a delete.
    async fn section(&self) -> Option<RoadmapSection<'_>> {
        let catalog = &self.snapshot.catalog;
        let place = catalog.section_place(self.section?)?;
        Some(RoadmapSection::new(catalog, place.section))
    }

    /// The roadmap that holds the section, after the write.
    async fn roadmap(&self) -> Option<Roadmap<'_>> {
        let catalog = &self.snapshot.catalog;
        Some(Roadmap::new(catalog, catalog.roadmap(self.roadmap)?))
    }

    /// The catalog version the write produced.
    async fn catalog_version(&self) -> i64 {
        self.snapshot.version
    }
}

/// The answer of an item write: the item and its roadmap as committed.
pub struct RoadmapItemPayload {
    snapshot: Snapshot,
    roadmap: RoadmapId,
    item: Option<ItemId>,
}

/// The answer of an item write: the item and its roadmap as committed.
#[Object]
impl RoadmapItemPayload {
    /// The item after the write; null after a removal.
    async fn item(&self) -> Option<RoadmapItem<'_>> {
        let catalog = &self.snapshot.catalog;
        let place = catalog.item_place(self.item?)?;
        Some(RoadmapItem::new(catalog, place.item))
    }

    /// The roadmap that holds the item, after the write.
    async fn roadmap(&self) -> Option<Roadmap<'_>> {
        let catalog = &self.snapshot.catalog;
        Some(Roadmap::new(catalog, catalog.roadmap(self.roadmap)?))
    }

    /// The catalog version the write produced.
    async fn catalog_version(&self) -> i64 {
        self.snapshot.version
    }
}

/// The roadmap of a section, or NOT_FOUND.
fn roadmap_of_section(catalog: &Catalog, section: SectionId) -> Result<RoadmapId, ApiError> {
    catalog
        .section_place(section)
        .map(|p| p.roadmap.id)
        .ok_or_else(|| ApiError::NotFound(format!("there is no roadmap section with id {section}")))
}

/// The roadmap of an item, or NOT_FOUND.
fn roadmap_of_item(catalog: &Catalog, item: ItemId) -> Result<RoadmapId, ApiError> {
    catalog
        .item_place(item)
        .map(|p| p.roadmap.id)
        .ok_or_else(|| ApiError::NotFound(format!("there is no roadmap item with id {item}")))
}

/// Writes to roadmaps, their sections and their items.
#[derive(Default)]
pub struct RoadmapMutations;

/// Writes to roadmaps, their sections and their items.
#[Object]
impl RoadmapMutations {
    /// Adds a roadmap without sections.
    async fn create_roadmap(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "What to change.")] input: CreateRoadmapInput,
    ) -> Result<RoadmapPayload> {
        let latest = latest(ctx)?;
        let catalog = &latest.catalog;
        let draft = RoadmapDraft {
            slug: field("input.slug", Slug::parse(input.slug))?,
            title: field("input.title", Title::parse(input.title))?,
            description: field(
                "input.description",
                Markdown::parse(input.description.unwrap_or_default()),
            )?,
            related: related(catalog, input.related)?.unwrap_or_default(),
        };
        let (snapshot, created) = commit_created(ctx, Change::CreateRoadmap(draft)).await?;
        Ok(RoadmapPayload {
            snapshot,
            roadmap: created.map(RoadmapId),
        })
    }

    /// Changes fields of a roadmap.
    async fn update_roadmap(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "What to change.")] input: UpdateRoadmapInput,
    ) -> Result<RoadmapPayload> {
        let latest = latest(ctx)?;
        let catalog = &latest.catalog;
        let roadmap = roadmap_id(catalog, "input.roadmap", &input.roadmap)?;
        let patch = RoadmapPatch {
            slug: optional("input.slug", input.slug, Slug::parse)?,
            title: optional("input.title", input.title, Title::parse)?,
            description: optional("input.description", input.description, Markdown::parse)?,
            related: related(catalog, input.related)?,
        };
        let snapshot = commit(ctx, Change::UpdateRoadmap { roadmap, patch }).await?;
        Ok(RoadmapPayload {
            snapshot,
            roadmap: Some(roadmap),
        })
    }

    /// Deletes a roadmap with its sections and items; its skills stay in the catalog.
    async fn delete_roadmap(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "What to change.")] input: DeleteRoadmapInput,
    ) -> Result<RoadmapPayload> {
        let latest = latest(ctx)?;
        let catalog = &latest.catalog;
        let roadmap = roadmap_id(catalog, "input.roadmap", &input.roadmap)?;
        let snapshot = commit(ctx, Change::DeleteRoadmap { roadmap }).await?;
        Ok(RoadmapPayload {
            snapshot,
            roadmap: None,
        })
    }

    /// Adds a section to a roadmap, at `position` or after the last.
    async fn create_roadmap_section(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "What to change.")] input: CreateRoadmapSectionInput,
    ) -> Result<RoadmapSectionPayload> {
        let latest = latest(ctx)?;
        let catalog = &latest.catalog;
        let roadmap = roadmap_id(catalog, "input.roadmap", &input.roadmap)?;
        let change = Change::CreateSection {
            roadmap,
            section: SectionDraft {
                title: field("input.title", Title::parse(input.title))?,
                description: field(
                    "input.description",
                    Markdown::parse(input.description.unwrap_or_default()),
                )?,
            },
            position: position(input.position)?,
        };
        let (snapshot, created) = commit_created(ctx, change).await?;
        Ok(RoadmapSectionPayload {
            snapshot,
            roadmap,
            section: created.map(SectionId),
        })
    }

    /// Changes a section's title or description, or moves it to another
    /// index among the roadmap's sections.
    async fn update_roadmap_section(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "What to change.")] input: UpdateRoadmapSectionInput,
    ) -> Result<RoadmapSectionPayload> {
        let latest = latest(ctx)?;
        let catalog = &latest.catalog;
        let section = section_id("input.id", &input.id)?;
        let patch = SectionPatch {
            title: optional("input.title", input.title, Title::parse)?,
            description: optional("input.description", input.description, Markdown::parse)?,
            position: position(input.position)?,
        };
        let roadmap = roadmap_of_section(catalog, section)?;
        let snapshot = commit(ctx, Change::UpdateSection { section, patch }).await?;
        Ok(RoadmapSectionPayload {
            snapshot,
            roadmap,
            section: Some(section),
        })
    }

    /// Deletes a section with its items; the skills stay in the catalog.
    async fn delete_roadmap_section(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "What to change.")] input: DeleteRoadmapSectionInput,
    ) -> Result<RoadmapSectionPayload> {
        let latest = latest(ctx)?;
        let catalog = &latest.catalog;
        let section = section_id("input.id", &input.id)?;
        let roadmap = roadmap_of_section(catalog, section)?;
        let snapshot = commit(ctx, Change::DeleteSection { section }).await?;
        Ok(RoadmapSectionPayload {
            snapshot,
            roadmap,
            section: None,
        })
    }

    /// Puts a skill on a roadmap. A skill already on the roadmap is refused
    /// with CONFLICT: a skill is one node, on a roadmap once.
    async fn add_roadmap_item(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "What to change.")] input: AddRoadmapItemInput,
    ) -> Result<RoadmapItemPayload> {
        let latest = latest(ctx)?;
        let catalog = &latest.catalog;
        let section = section_id("input.section", &input.section)?;
        let at = Placement {
            section,
            parent: input
                .parent_item
                .map(|id| item_id("input.parentItem", &id))
                .transpose()?,
            position: position(input.position)?,
        };
        let change = Change::AddItem {
            at,
            skill: skill_id(catalog, "input.skill", &input.skill)?,
            recommendation: input
                .recommendation
                .map_or(skillgraph_domain::Recommendation::Recommended, Into::into),
        };
        let roadmap = roadmap_of_section(catalog, section)?;
        let (snapshot, created) = commit_created(ctx, change).await?;
        Ok(RoadmapItemPayload {
            snapshot,
            roadmap,
            item: created.map(ItemId),
        })
    }

    /// Changes an item's recommendation, or moves it (with its nested
    /// items) to another place on its roadmap. Nesting an item in itself
    /// is refused with CONFLICT.
    async fn update_roadmap_item(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "What to change.")] input: UpdateRoadmapItemInput,
    ) -> Result<RoadmapItemPayload> {
        let latest = latest(ctx)?;
        let catalog = &latest.catalog;
        let item = item_id("input.id", &input.id)?;
        let roadmap = roadmap_of_item(catalog, item)?;
        let place = catalog.item_place(item).ok_or_else(|| {
            ApiError::NotFound(format!("there is no roadmap item with id {item}"))
        })?;
        let section = input
            .section
            .map(|id| section_id("input.section", &id))
            .transpose()?;
        let moves =
            section.is_some() || !input.parent_item.is_undefined() || input.position.is_some();
        let to = if moves {
            let section = section.unwrap_or(place.section.id);
            let parent = match input.parent_item {
                MaybeUndefined::Value(id) => Some(item_id("input.parentItem", &id)?),
                MaybeUndefined::Null => None,
                // Staying in its section keeps its parent; another section
                // takes it at its top level.
                MaybeUndefined::Undefined if section == place.section.id => {
                    place.parent.map(|p| p.id)
                }
                MaybeUndefined::Undefined => None,
            };
            Some(Placement {
                section,
                parent,
                position: position(input.position)?,
            })
        } else {
            None
        };
        let change = Change::UpdateItem {
            item,
            recommendation: input.recommendation.map(Into::into),
            to,
        };
        let snapshot = commit(ctx, change).await?;
        Ok(RoadmapItemPayload {
            snapshot,
            roadmap,
            item: Some(item),
        })
    }

    /// Takes an item, and the items nested in it, off its roadmap; the
    /// skills stay in the catalog.
    async fn remove_roadmap_item(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "What to change.")] input: RemoveRoadmapItemInput,
    ) -> Result<RoadmapItemPayload> {
        let latest = latest(ctx)?;
        let catalog = &latest.catalog;
        let item = item_id("input.id", &input.id)?;
        let roadmap = roadmap_of_item(catalog, item)?;
        let snapshot = commit(ctx, Change::RemoveItem { item }).await?;
        Ok(RoadmapItemPayload {
            snapshot,
            roadmap,
            item: None,
        })
    }
}
