//! The SQL of changes to roadmaps, sections, items, guides and authors.
//!
//! Orders are decided by [`arrange`] and [`without`] on the checked catalog
//! and written back as positions 0..n of every sibling, so positions never
//! collide and a delete leaves no gap.

use sea_orm::{
    ActiveModelTrait,
    ActiveValue::{NotSet, Set},
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter,
};
use skillgraph_domain::change::{Change, GuidePatch, arrange, without};
use skillgraph_domain::{Catalog, GuideId, ItemId, RoadmapId, SectionId, SkillId};

use super::positions::{ARRIVING, renumber};
use crate::StoreError;
use crate::entities::*;

fn json<T: serde::Serialize>(value: &T) -> serde_json::Value {
    serde_json::to_value(value).unwrap_or(serde_json::Value::Null)
}

fn key(id: i64) -> i32 {
    id as i32
}

/// Writes `order` as the positions of these sections.
async fn renumber_sections(
    txn: &impl ConnectionTrait,
    order: &[SectionId],
) -> Result<(), StoreError> {
    renumber(txn, order, |id, position| roadmap_section::ActiveModel {
        id: Set(key(id.0)),
        position: Set(position),
        ..Default::default()
    })
    .await
}

/// Writes `order` as the positions of these sibling items.
async fn renumber_items(txn: &impl ConnectionTrait, order: &[ItemId]) -> Result<(), StoreError> {
    renumber(txn, order, |id, position| roadmap_item::ActiveModel {
        id: Set(key(id.0)),
        position: Set(position),
        ..Default::default()
    })
    .await
}

/// Closes up the lists a deleted skill's rows left by foreign key: its item
/// on each roadmap (nested items go with it) and its place among the skills
/// each guide covers.
pub(super) async fn close_up_after_skill(
    txn: &impl ConnectionTrait,
    catalog: &Catalog,
    skill: SkillId,
) -> Result<(), StoreError> {
    for &roadmap in catalog.roadmaps_with(skill) {
        let Some(roadmap) = catalog.roadmap(roadmap) else {
            continue;
        };
        for item in roadmap.items().filter(|i| i.skill == skill) {
            if let Some(place) = catalog.item_place(item.id) {
                let siblings = place.siblings().iter().map(|i| i.id);
                renumber_items(txn, &without(siblings, item.id)).await?;
            }
        }
    }
    for &guide in catalog.guides_covering(skill) {
        if let Some(covered) = catalog.guide(guide) {
            let order = without(covered.skills.iter().copied(), skill);
            renumber(txn, &order, |other, position| guide_skill::ActiveModel {
                guide_id: Set(key(guide.0)),
                skill_id: Set(key(other.0)),
                position: Set(position),
            })
            .await?;
        }
    }
    Ok(())
}

/// The ids of the items that would be siblings at a place, in order.
fn siblings_at(catalog: &Catalog, section: SectionId, parent: Option<ItemId>) -> Vec<ItemId> {
    let items = match parent {
        Some(parent) => catalog.item_place(parent).map(|p| &p.item.children[..]),
        None => catalog.section_place(section).map(|p| &p.section.items[..]),
    };
    items.unwrap_or_default().iter().map(|i| i.id).collect()
}

async fn replace_roadmap_relations(
    txn: &impl ConnectionTrait,
    roadmap: i32,
    related: &[RoadmapId],
) -> Result<(), StoreError> {
    roadmap_relation::Entity::delete_many()
        .filter(roadmap_relation::Column::RoadmapId.eq(roadmap))
        .exec(txn)
        .await?;
    for (position, other) in related.iter().enumerate() {
        roadmap_relation::ActiveModel {
            roadmap_id: Set(roadmap),
            related_id: Set(key(other.0)),
            position: Set(position as i32),
        }
        .insert(txn)
        .await?;
    }
    Ok(())
}

async fn replace_guide_links(
    txn: &impl ConnectionTrait,
    guide: i32,
    related: Option<&[GuideId]>,
    skills: Option<&[SkillId]>,
) -> Result<(), StoreError> {
    if let Some(related) = related {
        guide_relation::Entity::delete_many()
            .filter(guide_relation::Column::GuideId.eq(guide))
            .exec(txn)
            .await?;
        for (position, other) in related.iter().enumerate() {
            guide_relation::ActiveModel {
                guide_id: Set(guide),
                related_id: Set(key(other.0)),
                position: Set(position as i32),
            }
            .insert(txn)
            .await?;
        }
    }
    if let Some(skills) = skills {
        guide_skill::Entity::delete_many()
            .filter(guide_skill::Column::GuideId.eq(guide))
            .exec(txn)
            .await?;
        for (position, skill) in skills.iter().enumerate() {
            guide_skill::ActiveModel {
                guide_id: Set(guide),
                skill_id: Set(key(skill.0)),
                position: Set(position as i32),
            }
            .insert(txn)
            .await?;
        }
    }
    Ok(())
}

fn guide_row(id: i32, patch: &GuidePatch) -> guide::ActiveModel {
    let mut row = guide::ActiveModel {
        id: Set(id),
        ..Default::default()
    };
    if let Some(slug) = &patch.slug {
        row.slug = Set(slug.to_string());
    }
    if let Some(title) = &patch.title {
        row.title = Set(title.to_string());
    }
    if let Some(description) = &patch.description {
        row.description = Set(description.to_string());
    }
    if let Some(url) = &patch.url {
        row.url = Set(url.to_string());
    }
    if let Some(author) = patch.author {
        row.author_id = Set(author.map(|a| key(a.0)));
    }
    if let Some(published) = patch.published {
        row.published_on = Set(published);
    }
    if let Some(tags) = &patch.tags {
        row.tags = Set(json(tags));
    }
    if let Some(body) = &patch.body {
        row.body = Set(body.as_ref().map(ToString::to_string));
    }
    row
}

/// The SQL of one change to a roadmap, guide or author, against the
/// catalog it was checked on.
pub(super) async fn write(
    txn: &impl ConnectionTrait,
    change: &Change,
    catalog: &Catalog,
) -> Result<Option<i64>, StoreError> {
    let mut created = None;
    match change {
        Change::CreateRoadmap(draft) => {
            let row = roadmap::ActiveModel {
                id: NotSet,
                slug: Set(draft.slug.to_string()),
                title: Set(draft.title.to_string()),
                description: Set(draft.description.to_string()),
            }
            .insert(txn)
            .await?;
            replace_roadmap_relations(txn, row.id, &draft.related).await?;
            created = Some(row.id.into());
        }
        Change::UpdateRoadmap { roadmap: id, patch } => {
            let mut row = roadmap::ActiveModel {
                id: Set(key(id.0)),
                ..Default::default()
            };
            if let Some(slug) = &patch.slug {
                row.slug = Set(slug.to_string());
            }
            if let Some(title) = &patch.title {
                row.title = Set(title.to_string());
            }
            if let Some(description) = &patch.description {
                row.description = Set(description.to_string());
            }
            if row.is_changed() {
                row.update(txn).await?;
            }
            if let Some(related) = &patch.related {
                replace_roadmap_relations(txn, key(id.0), related).await?;
            }
        }
        Change::DeleteRoadmap { roadmap: id } => {
            // Sections, items and relations go with it by foreign key.
            roadmap::Entity::delete_by_id(key(id.0)).exec(txn).await?;
        }
        Change::CreateSection {
            roadmap: id,
            section,
            position,
        } => {
            let row = roadmap_section::ActiveModel {
                id: NotSet,
                roadmap_id: Set(key(id.0)),
                position: Set(ARRIVING),
                title: Set(section.title.to_string()),
                description: Set(section.description.to_string()),
            }
            .insert(txn)
            .await?;
            let siblings = catalog
                .roadmap(*id)
                .map(|r| r.sections.iter().map(|s| s.id).collect::<Vec<_>>())
                .unwrap_or_default();
            let order = arrange(siblings, SectionId(row.id.into()), *position);
            renumber_sections(txn, &order).await?;
            created = Some(row.id.into());
        }
        Change::UpdateSection { section: id, patch } => {
            let mut row = roadmap_section::ActiveModel {
                id: Set(key(id.0)),
                ..Default::default()
            };
            if let Some(title) = &patch.title {
                row.title = Set(title.to_string());
            }
            if let Some(description) = &patch.description {
                row.description = Set(description.to_string());
            }
            if row.is_changed() {
                row.update(txn).await?;
            }
            if let Some(place) = catalog.section_place(*id)
                && patch.position.is_some()
            {
                let siblings = place.roadmap.sections.iter().map(|s| s.id);
                renumber_sections(txn, &arrange(siblings, *id, patch.position)).await?;
            }
        }
        Change::DeleteSection { section: id } => {
            roadmap_section::Entity::delete_by_id(key(id.0))
                .exec(txn)
                .await?;
            if let Some(place) = catalog.section_place(*id) {
                let siblings = place.roadmap.sections.iter().map(|s| s.id);
                renumber_sections(txn, &without(siblings, *id)).await?;
            }
        }
        Change::AddItem {
            at,
            skill,
            recommendation,
        } => {
            let row = roadmap_item::ActiveModel {
                id: NotSet,
                section_id: Set(key(at.section.0)),
                parent_item_id: Set(at.parent.map(|p| key(p.0))),
                position: Set(ARRIVING),
                skill_id: Set(key(skill.0)),
                recommendation: Set(recommendation.as_str().to_owned()),
            }
            .insert(txn)
            .await?;
            let siblings = siblings_at(catalog, at.section, at.parent);
            let order = arrange(siblings, ItemId(row.id.into()), at.position);
            renumber_items(txn, &order).await?;
            created = Some(row.id.into());
        }
        Change::UpdateItem {
            item: id,
            recommendation,
            to,
        } => {
            if let Some(recommendation) = recommendation {
                roadmap_item::ActiveModel {
                    id: Set(key(id.0)),
                    recommendation: Set(recommendation.as_str().to_owned()),
                    ..Default::default()
                }
                .update(txn)
                .await?;
            }
            if let (Some(to), Some(place)) = (to, catalog.item_place(*id)) {
                // It leaves its list before it joins the other, at a
                // position no row at rest holds.
                roadmap_item::ActiveModel {
                    id: Set(key(id.0)),
                    parent_item_id: Set(to.parent.map(|p| key(p.0))),
                    position: Set(ARRIVING),
                    ..Default::default()
                }
                .update(txn)
                .await?;
                if to.section != place.section.id {
                    // Nested items move with their item.
                    let moved: Vec<i32> = place.item.walk().iter().map(|i| key(i.id.0)).collect();
                    roadmap_item::Entity::update_many()
                        .col_expr(
                            roadmap_item::Column::SectionId,
                            sea_orm::sea_query::Expr::value(key(to.section.0)),
                        )
                        .filter(roadmap_item::Column::Id.is_in(moved))
                        .exec(txn)
                        .await?;
                }
                let siblings = siblings_at(catalog, to.section, to.parent);
                renumber_items(txn, &arrange(siblings, *id, to.position)).await?;
                let stays =
                    to.section == place.section.id && to.parent == place.parent.map(|p| p.id);
                if !stays {
                    let left = place.siblings().iter().map(|i| i.id);
                    renumber_items(txn, &without(left, *id)).await?;
                }
            }
        }
        Change::RemoveItem { item: id } => {
            // Nested items go with it by foreign key.
            roadmap_item::Entity::delete_by_id(key(id.0))
                .exec(txn)
                .await?;
            if let Some(place) = catalog.item_place(*id) {
                let siblings = place.siblings().iter().map(|i| i.id);
                renumber_items(txn, &without(siblings, *id)).await?;
            }
        }
        Change::CreateGuide(draft) => {
            let row = guide::ActiveModel {
                id: NotSet,
                slug: Set(draft.slug.to_string()),
                title: Set(draft.title.to_string()),
                description: Set(draft.description.to_string()),
                url: Set(draft.url.to_string()),
                author_id: Set(draft.author.map(|a| key(a.0))),
                published_on: Set(draft.published),
                tags: Set(json(&draft.tags)),
                body: Set(draft.body.as_ref().map(ToString::to_string)),
            }
            .insert(txn)
            .await?;
            replace_guide_links(txn, row.id, Some(&draft.related), Some(&draft.skills)).await?;
            created = Some(row.id.into());
        }
        Change::UpdateGuide { guide: id, patch } => {
            let row = guide_row(key(id.0), patch);
            if row.is_changed() {
                row.update(txn).await?;
            }
            replace_guide_links(
                txn,
                key(id.0),
                patch.related.as_deref(),
                patch.skills.as_deref(),
            )
            .await?;
        }
        Change::DeleteGuide { guide: id } => {
            guide::Entity::delete_by_id(key(id.0)).exec(txn).await?;
        }
        Change::CreateAuthor(draft) => {
            let row = author::ActiveModel {
                id: NotSet,
                handle: Set(draft.handle.to_string()),
                name: Set(draft.name.to_string()),
                links: Set(json(&draft.links)),
            }
            .insert(txn)
            .await?;
            created = Some(row.id.into());
        }
        Change::UpdateAuthor { author: id, patch } => {
            let mut row = author::ActiveModel {
                id: Set(key(id.0)),
                ..Default::default()
            };
            if let Some(handle) = &patch.handle {
                row.handle = Set(handle.to_string());
            }
            if let Some(name) = &patch.name {
                row.name = Set(name.to_string());
            }
            if let Some(links) = &patch.links {
                row.links = Set(json(links));
            }
            if row.is_changed() {
                row.update(txn).await?;
            }
        }
        Change::DeleteAuthor { author: id } => {
            // Their guides stay, without an author, by foreign key.
            author::Entity::delete_by_id(key(id.0)).exec(txn).await?;
        }
        _ => unreachable!("skill changes are written by the parent module"),
    }
    Ok(created)
}
