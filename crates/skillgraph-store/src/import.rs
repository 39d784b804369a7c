//! Importing a bundle: into an empty catalog, or merged into a full one,
//! in one transaction under the write lock, so an import is all or nothing
//! and never interleaves with another writer.
//!
//! A merge keeps the storage key of every skill, roadmap, author and guide
//! whose slug (or handle) it replaces, so global ids held by clients stay
//! valid; the replaced thing's own rows (its edges, resources, sections and
//! links) are written anew from the bundle.

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};

use sea_orm::{
    ActiveModelTrait,
    ActiveValue::{NotSet, Set},
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter,
};
use skillgraph_domain::{Bundle, BundleItem, Catalog, Slug, UniteNote};

use crate::entities::*;
use crate::writes::CHANGES_CHANNEL;
use crate::{Engine, LoadedCatalog, Store, StoreError, WriteScope, bump_version, read_catalog};

/// What an import does with a catalog that already holds data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImportMode {
    /// Import into an empty catalog only; a full one is left alone.
    IntoEmpty,
    /// Merge into whatever is there: things of the bundle replace the
    /// things with the same slug, the rest is added (see [`Bundle::merged`]).
    Merge,
    /// Merge into whatever is there, uniting what both hold instead of
    /// replacing it (see [`Bundle::united_into`]): for sources that each
    /// describe part of a skill, such as roadmaps that share topics.
    Unite,
}

/// Told how far an import has come: `done` of `total` things written.
pub type ImportProgress<'a> = &'a (dyn Fn(usize, usize) + Send + Sync);

/// Storage keys by slug of what the catalog holds before an import.
#[derive(Default)]
struct Keys {
    skills: HashMap<Slug, i32>,
    roadmaps: HashMap<Slug, i32>,
    authors: HashMap<Slug, i32>,
    guides: HashMap<Slug, i32>,
}

impl Keys {
    fn of(catalog: &Catalog) -> Self {
        Self {
            skills: catalog
                .skills()
                .map(|s| (s.slug.clone(), s.id.0 as i32))
                .collect(),
            roadmaps: catalog
                .roadmaps()
                .map(|r| (r.slug.clone(), r.id.0 as i32))
                .collect(),
            authors: catalog
                .authors()
                .map(|a| (a.handle.clone(), a.id.0 as i32))
                .collect(),
            guides: catalog
                .guides()
                .map(|g| (g.slug.clone(), g.id.0 as i32))
                .collect(),
        }
    }
}

impl Store {
    /// Imports a bundle in one transaction: all of it or nothing. The
    /// result is checked as a whole catalog before anything is written, so
    /// a bundle that would leave the catalog inconsistent (a cycle, an
    /// unknown reference) writes nothing. Answers `None` when `mode` is
    /// [`ImportMode::IntoEmpty`] and the catalog holds data.
    pub async fn import_bundle(
        &self,
        bundle: &Bundle,
        actor: &str,
        mode: ImportMode,
        progress: ImportProgress<'_>,
    ) -> Result<Option<LoadedCatalog>, StoreError> {
        let imported = self.import_noting(bundle, actor, mode, progress).await?;
        Ok(imported.map(|(loaded, _)| loaded))
    }

    /// [`Store::import_bundle`], also answering what a [`ImportMode::Unite`]
    /// had to choose or leave out, for the importer to show.
    pub async fn import_noting(
        &self,
        bundle: &Bundle,
        actor: &str,
        mode: ImportMode,
        progress: ImportProgress<'_>,
    ) -> Result<Option<(LoadedCatalog, Vec<UniteNote>)>, StoreError> {
        let (_turn, txn) = self.begin_write(WriteScope::Catalog).await?;
        let current = read_catalog(&txn).await?.catalog;
        let empty = current.skills().len() == 0
            && current.roadmaps().len() == 0
            && current.guides().len() == 0
            && current.authors().len() == 0;
        if mode == ImportMode::IntoEmpty && !empty {
            return Ok(None);
        }
        let (bundle, notes) = if mode == ImportMode::Unite {
            let (united, notes) = current.to_bundle().united_into(bundle);
            (Cow::Owned(united), notes)
        } else {
            (Cow::Borrowed(bundle), Vec::new())
        };
        let bundle = bundle.as_ref();
        // The whole check is pure: does the merged bundle make a consistent catalog?
        Catalog::from_bundle(&current.to_bundle().merged(bundle)).map_err(StoreError::BadImport)?;
        let keys = Keys::of(&current);
        let replaced = bundle
            .skills
            .iter()
            .filter(|s| keys.skills.contains_key(&s.slug))
            .count();
        write(&txn, bundle, keys, progress).await?;
        let (version, at) = bump_version(&txn).await?;
        change_log::ActiveModel {
            id: NotSet,
            version: Set(version),
            actor: Set(actor.to_owned()),
            at: Set(at.fixed_offset()),
            created: Set(None),
            change: Set(serde_json::json!({
                "change": "importBundle",
                "skills": bundle.skills.len(),
                "replacedSkills": replaced,
                "roadmaps": bundle.roadmaps.len(),
                "authors": bundle.authors.len(),
                "guides": bundle.guides.len(),
            })),
        }
        .insert(&txn)
        .await?;
        // What would not build does not commit.
        let next = read_catalog(&txn).await?;
        if self.engine == Engine::Postgres {
            txn.execute_unprepared(&format!("NOTIFY {CHANGES_CHANNEL}, '{version}'"))
                .await?;
        }
        txn.commit().await?;
        tracing::info!(
            skills = bundle.skills.len(),
            replaced,
            version,
            "imported a bundle into the catalog"
        );
        Ok(Some((next, notes)))
    }
}

/// The most rows one multi-row insert carries: well below SQLite's
/// limit on bound parameters.
const CHUNK: usize = 500;

async fn insert_rows<A>(txn: &impl ConnectionTrait, rows: Vec<A>) -> Result<(), DbErr>
where
    A: ActiveModelTrait + Send,
{
    let mut rows = rows.into_iter().peekable();
    while rows.peek().is_some() {
        let chunk: Vec<A> = rows.by_ref().take(CHUNK).collect();
        <A::Entity as EntityTrait>::insert_many(chunk)
            .exec_without_returning(txn)
            .await?;
    }
    Ok(())
}

fn json<T: serde::Serialize>(value: &T) -> serde_json::Value {
    serde_json::to_value(value).unwrap_or(serde_json::Value::Null)
}

fn lookup(map: &HashMap<Slug, i32>, slug: &Slug) -> Result<i32, StoreError> {
    // The bundle was checked before any write, so every slug resolves;
    // refuse rather than panic should that ever stop holding.
    map.get(slug).copied().ok_or_else(|| StoreError::Corrupt {
        table: "bundle",
        id: slug.to_string(),
        reason: "unresolved reference after the check".into(),
    })
}

/// Inserts a row, or updates the row it replaces, and answers its key.
async fn upsert<A>(
    txn: &impl ConnectionTrait,
    mut row: A,
    existing: Option<i32>,
) -> Result<i32, StoreError>
where
    A: ActiveModelTrait + sea_orm::ActiveModelBehavior + Send,
    <A::Entity as EntityTrait>::Model: sea_orm::IntoActiveModel<A>,
    A: KeyColumn,
{
    match existing {
        Some(id) => {
            row.set_key(id);
            row.update(txn).await?;
            Ok(id)
        }
        None => Ok(A::key_of(&row.insert(txn).await?)),
    }
}

/// The integer primary key of the tables an import upserts.
trait KeyColumn: ActiveModelTrait {
    fn set_key(&mut self, id: i32);
    fn key_of(model: &<Self::Entity as EntityTrait>::Model) -> i32;
}

macro_rules! key_column {
    ($($table:ident),*) => {$(
        impl KeyColumn for $table::ActiveModel {
            fn set_key(&mut self, id: i32) {
                self.id = Set(id);
            }
            fn key_of(model: &$table::Model) -> i32 {
                model.id
            }
        }
    )*};
}
key_column!(skill, roadmap, author, guide);

/// Writes the bundle's things: new ones are inserted, replaced ones
/// updated in place with their own rows written anew.
async fn write(
    txn: &impl ConnectionTrait,
    bundle: &Bundle,
    mut keys: Keys,
    progress: ImportProgress<'_>,
) -> Result<(), StoreError> {
    let total =
        bundle.skills.len() + bundle.roadmaps.len() + bundle.authors.len() + bundle.guides.len();
    let mut done = 0;
    let mut tick = || {
        done += 1;
        if done % 100 == 0 || done == total {
            progress(done, total);
        }
    };

    let replaced_skills: Vec<i32> = bundle
        .skills
        .iter()
        .filter_map(|s| keys.skills.get(&s.slug).copied())
        .collect();
    if !replaced_skills.is_empty() {
        for ids in replaced_skills.chunks(CHUNK) {
            skill_prerequisite::Entity::delete_many()
                .filter(skill_prerequisite::Column::SkillId.is_in(ids.to_vec()))
                .exec(txn)
                .await?;
            skill_relation::Entity::delete_many()
                .filter(
                    sea_orm::Condition::any()
                        .add(skill_relation::Column::SkillId.is_in(ids.to_vec()))
                        .add(skill_relation::Column::RelatedId.is_in(ids.to_vec())),
                )
                .exec(txn)
                .await?;
            resource::Entity::delete_many()
                .filter(resource::Column::SkillId.is_in(ids.to_vec()))
                .exec(txn)
                .await?;
        }
    }
    for s in &bundle.skills {
        let row = skill::ActiveModel {
            id: NotSet,
            slug: Set(s.slug.to_string()),
            name: Set(s.name.to_string()),
            summary: Set(s.summary.to_string()),
            description: Set(s.description.to_string()),
            level: Set(s.level.as_str().to_owned()),
            tags: Set(json(&s.tags)),
            aliases: Set(json(&s.aliases)),
            external_ids: Set(json(&s.external_ids)),
            parent_id: Set(None),
        };
        let id = upsert(txn, row, keys.skills.get(&s.slug).copied()).await?;
        keys.skills.insert(s.slug.clone(), id);
        tick();
    }
    let mut prerequisites = Vec::new();
    let mut relations = Vec::new();
    let mut resources = Vec::new();
    let mut seen_relations = HashSet::new();
    for s in &bundle.skills {
        let id = lookup(&keys.skills, &s.slug)?;
        if let Some(parent) = &s.parent {
            skill::ActiveModel {
                id: Set(id),
                parent_id: Set(Some(lookup(&keys.skills, parent)?)),
                ..Default::default()
            }
            .update(txn)
            .await?;
        }
        for (position, p) in s.prerequisites.iter().enumerate() {
            prerequisites.push(skill_prerequisite::ActiveModel {
                skill_id: Set(id),
                requires_id: Set(lookup(&keys.skills, &p.skill)?),
                strength: Set(p.strength.as_str().to_owned()),
                position: Set(position as i32),
            });
        }
        for other in &s.related {
            let other = lookup(&keys.skills, other)?;
            let pair = (id.min(other), id.max(other));
            if seen_relations.insert(pair) {
                relations.push(skill_relation::ActiveModel {
                    skill_id: Set(pair.0),
                    related_id: Set(pair.1),
                });
            }
        }
        for (position, r) in s.resources.iter().enumerate() {
            resources.push(resource::ActiveModel {
                id: NotSet,
                skill_id: Set(id),
                position: Set(position as i32),
                kind: Set(r.kind.as_str().to_owned()),
                title: Set(r.title.to_string()),
                url: Set(r.url.to_string()),
            });
        }
    }
    insert_rows(txn, prerequisites).await?;
    insert_rows(txn, relations).await?;
    insert_rows(txn, resources).await?;

    for r in &bundle.roadmaps {
        let existing = keys.roadmaps.get(&r.slug).copied();
        if let Some(id) = existing {
            // A replaced roadmap's sections (and so its items) are written anew.
            roadmap_section::Entity::delete_many()
                .filter(roadmap_section::Column::RoadmapId.eq(id))
                .exec(txn)
                .await?;
            roadmap_relation::Entity::delete_many()
                .filter(roadmap_relation::Column::RoadmapId.eq(id))
                .exec(txn)
                .await?;
        }
        let row = roadmap::ActiveModel {
            id: NotSet,
            slug: Set(r.slug.to_string()),
            title: Set(r.title.to_string()),
            description: Set(r.description.to_string()),
        };
        let id = upsert(txn, row, existing).await?;
        keys.roadmaps.insert(r.slug.clone(), id);
        for (position, section) in r.sections.iter().enumerate() {
            let section_row = roadmap_section::ActiveModel {
                id: NotSet,
                roadmap_id: Set(id),
                position: Set(position as i32),
                title: Set(section.title.to_string()),
                description: Set(section.description.to_string()),
            }
            .insert(txn)
            .await?;
            // Items nest; walk them with an explicit stack of (parent, items).
            let mut pending: Vec<(Option<i32>, &[BundleItem])> = vec![(None, &section.items)];
            while let Some((parent, items)) = pending.pop() {
                for (position, item) in items.iter().enumerate() {
                    let item_row = roadmap_item::ActiveModel {
                        id: NotSet,
                        section_id: Set(section_row.id),
                        parent_item_id: Set(parent),
                        position: Set(position as i32),
                        skill_id: Set(lookup(&keys.skills, &item.skill)?),
                        recommendation: Set(item.recommendation.as_str().to_owned()),
                    }
                    .insert(txn)
                    .await?;
                    if !item.children.is_empty() {
                        pending.push((Some(item_row.id), &item.children));
                    }
                }
            }
        }
        tick();
    }
    let mut roadmap_relations = Vec::new();
    for r in &bundle.roadmaps {
        let id = lookup(&keys.roadmaps, &r.slug)?;
        for (position, other) in r.related.iter().enumerate() {
            roadmap_relations.push(roadmap_relation::ActiveModel {
                roadmap_id: Set(id),
                related_id: Set(lookup(&keys.roadmaps, other)?),
                position: Set(position as i32),
            });
        }
    }
    insert_rows(txn, roadmap_relations).await?;

    for a in &bundle.authors {
        let row = author::ActiveModel {
            id: NotSet,
            handle: Set(a.id.to_string()),
            name: Set(a.name.to_string()),
            links: Set(json(&a.links)),
        };
        let id = upsert(txn, row, keys.authors.get(&a.id).copied()).await?;
        keys.authors.insert(a.id.clone(), id);
        tick();
    }
    for g in &bundle.guides {
        let existing = keys.guides.get(&g.slug).copied();
        if let Some(id) = existing {
            guide_relation::Entity::delete_many()
                .filter(guide_relation::Column::GuideId.eq(id))
                .exec(txn)
                .await?;
            guide_skill::Entity::delete_many()
                .filter(guide_skill::Column::GuideId.eq(id))
                .exec(txn)
                .await?;
        }
        let row = guide::ActiveModel {
            id: NotSet,
            slug: Set(g.slug.to_string()),
            title: Set(g.title.to_string()),
            description: Set(g.description.to_string()),
            url: Set(g.url.to_string()),
            author_id: Set(match &g.author {
                Some(a) => Some(lookup(&keys.authors, a)?),
                None => None,
            }),
            published_on: Set(g.published),
            tags: Set(json(&g.tags)),
            body: Set(g.body.as_ref().map(ToString::to_string)),
        };
        let id = upsert(txn, row, existing).await?;
        keys.guides.insert(g.slug.clone(), id);
        tick();
    }
    let mut guide_relations = Vec::new();
    let mut guide_skills = Vec::new();
    for g in &bundle.guides {
        let id = lookup(&keys.guides, &g.slug)?;
        for (position, other) in g.related.iter().enumerate() {
            guide_relations.push(guide_relation::ActiveModel {
                guide_id: Set(id),
                related_id: Set(lookup(&keys.guides, other)?),
                position: Set(position as i32),
            });
        }
        for (position, s) in g.skills.iter().enumerate() {
            guide_skills.push(guide_skill::ActiveModel {
                guide_id: Set(id),
                skill_id: Set(lookup(&keys.skills, s)?),
                position: Set(position as i32),
            });
        }
    }
    insert_rows(txn, guide_relations).await?;
    insert_rows(txn, guide_skills).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use skillgraph_domain::{BundlePrerequisite, Strength, Title};

    use super::*;
    use crate::scratch::ScratchDatabase;

    #[tokio::test]
    async fn a_merge_replaces_by_slug_keeps_keys_and_refuses_a_cycle_whole() {
        for scratch in ScratchDatabase::all_engines().await {
            let store = Store::open(scratch.url()).await.unwrap();
            let bundled = skillgraph_bundle::bundled().unwrap();
            let first = store
                .import_bundle(&bundled, "test", ImportMode::Merge, &|_, _| {})
                .await
                .unwrap()
                .unwrap();
            let git = first.catalog.skill_by_slug("git").unwrap().clone();

            let mut new_git = first.catalog.to_bundle().skills[first
                .catalog
                .skills()
                .position(|s| s.slug.as_str() == "git")
                .unwrap()]
            .clone();
            new_git.name = Title::parse("Git, the version control system").unwrap();
            new_git.resources.truncate(1);
            let mut newcomer = new_git.clone();
            newcomer.slug = Slug::parse("git-internals").unwrap();
            newcomer.prerequisites = vec![BundlePrerequisite {
                skill: Slug::parse("git").unwrap(),
                strength: Strength::Required,
            }];
            newcomer.related = Vec::new();
            newcomer.parent = None;
            let incoming = Bundle {
                skills: vec![new_git, newcomer],
                ..Bundle::default()
            };
            let ticks = AtomicUsize::new(0);
            let merged = store
                .import_bundle(&incoming, "test", ImportMode::Merge, &|done, total| {
                    assert!(done <= total);
                    ticks.fetch_add(1, Ordering::Relaxed);
                })
                .await
                .unwrap()
                .unwrap();
            assert!(ticks.load(Ordering::Relaxed) > 0, "progress was reported");
            assert_eq!(merged.version, first.version + 1);
            let catalog = &merged.catalog;
            assert_eq!(catalog.skills().len(), first.catalog.skills().len() + 1);
            let replaced = catalog.skill_by_slug("git").unwrap();
            assert_eq!(replaced.id, git.id, "a replaced skill keeps its key");
            assert_eq!(replaced.name.as_str(), "Git, the version control system");
            assert_eq!(catalog.resources(git.id).len(), 1);
            assert_eq!(
                catalog.roadmaps_with(git.id),
                first.catalog.roadmaps_with(git.id),
                "roadmaps still hold it"
            );
            let internals = catalog.skill_by_slug("git-internals").unwrap();
            assert_eq!(catalog.prerequisites(internals.id)[0].requires, git.id);

            // Closing a cycle through the merge is refused, and nothing changes.
            let mut cyclic = catalog.to_bundle().skills[catalog
                .skills()
                .position(|s| s.slug.as_str() == "git")
                .unwrap()]
            .clone();
            cyclic.prerequisites.push(BundlePrerequisite {
                skill: Slug::parse("git-internals").unwrap(),
                strength: Strength::Required,
            });
            let refused = store
                .import_bundle(
                    &Bundle {
                        skills: vec![cyclic],
                        ..Bundle::default()
                    },
                    "test",
                    ImportMode::Merge,
                    &|_, _| {},
                )
                .await
                .unwrap_err();
            assert!(matches!(refused, StoreError::BadImport(_)), "{refused}");
            let after = store.load().await.unwrap();
            assert_eq!(after.version, merged.version);
            assert_eq!(after.catalog.to_bundle(), catalog.to_bundle());
            store.close().await.unwrap();
        }
    }
}
