//! Positions of ordered lists: a skill's prerequisite edges and resources,
//! a roadmap's sections, sibling items, a guide's skills.
//!
//! The domain decides a list's order ([`arrange`] for an add or a move,
//! [`without`] for a delete); these write it back as positions 0..n. The
//! database keeps (owner, position) unique (migration
//! `m20261220_000005_unique_positions`), so no write may let two rows of a
//! list share a position even between two of its statements.
//!
//! [`arrange`]: skillgraph_domain::change::arrange
//! [`without`]: skillgraph_domain::change::without

use sea_orm::{
    ActiveModelBehavior, ActiveModelTrait, ConnectionTrait, EntityTrait, IntoActiveModel,
};

use crate::StoreError;

/// The position a row takes while it joins a list, until the list is
/// renumbered in the same transaction: negative, so it collides with no row
/// at rest, and apart from the positions [`renumber`] passes through.
pub(super) const ARRIVING: i32 = -1;

/// Writes `order` as the positions 0..n of the rows of one ordered list;
/// `row` makes the update of one member's position.
///
/// The rows first move to negative positions of their own (below
/// [`ARRIVING`]) and only then to their places, since a unique index checks
/// every row as it is written: moving straight to 0..n would collide with
/// a row that has yet to move.
pub(super) async fn renumber<K, A>(
    txn: &impl ConnectionTrait,
    order: &[K],
    row: impl Fn(K, i32) -> A,
) -> Result<(), StoreError>
where
    K: Copy,
    A: ActiveModelTrait + ActiveModelBehavior + Send,
    <A::Entity as EntityTrait>::Model: IntoActiveModel<A>,
{
    for (index, &member) in order.iter().enumerate() {
        row(member, ARRIVING - 1 - index as i32).update(txn).await?;
    }
    for (index, &member) in order.iter().enumerate() {
        row(member, index as i32).update(txn).await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use sea_orm::{ConnectionTrait, EntityTrait};
    use skillgraph_domain::change::{
        Change, Placement, ResourceDraft, RoadmapDraft, SectionDraft, SkillDraft,
    };
    use skillgraph_domain::{
        HttpsUrl, ItemId, Level, Markdown, Prerequisite, Recommendation, ResourceId, ResourceKind,
        RoadmapId, SectionId, SkillId, Slug, Strength, Summary, Title,
    };
    use skillgraph_migrations::{Migrator, MigratorTrait};

    use crate::entities::*;
    use crate::scratch::ScratchDatabase;
    use crate::writes::{Actor, Role};
    use crate::{ImportMode, LoadedCatalog, Store};

    /// A list: its table and the owner it belongs to (for items, the parent
    /// item, or the section of a top-level item).
    type List = (&'static str, i64, i64);

    /// Every ordered list in the database, as (position, key) of its rows.
    async fn lists(db: &impl ConnectionTrait) -> BTreeMap<List, Vec<(i32, i64)>> {
        let mut lists: BTreeMap<List, Vec<(i32, i64)>> = BTreeMap::new();
        let mut add = |list: List, position: i32, key: i64| {
            lists.entry(list).or_default().push((position, key));
        };
        for r in skill_prerequisite::Entity::find().all(db).await.unwrap() {
            let key = r.requires_id.into();
            add(("edges", r.skill_id.into(), 0), r.position, key);
        }
        for r in resource::Entity::find().all(db).await.unwrap() {
            add(("resources", r.skill_id.into(), 0), r.position, r.id.into());
        }
        for r in roadmap_section::Entity::find().all(db).await.unwrap() {
            add(
                ("sections", r.roadmap_id.into(), 0),
                r.position,
                r.id.into(),
            );
        }
        for r in roadmap_item::Entity::find().all(db).await.unwrap() {
            let owner = match r.parent_item_id {
                Some(parent) => (parent.into(), 0),
                None => (0, r.section_id.into()),
            };
            add(("items", owner.0, owner.1), r.position, r.id.into());
        }
        for r in roadmap_relation::Entity::find().all(db).await.unwrap() {
            let key = r.related_id.into();
            add(
                ("roadmap relations", r.roadmap_id.into(), 0),
                r.position,
                key,
            );
        }
        for r in guide_relation::Entity::find().all(db).await.unwrap() {
            let key = r.related_id.into();
            add(("guide relations", r.guide_id.into(), 0), r.position, key);
        }
        for r in guide_skill::Entity::find().all(db).await.unwrap() {
            let key = r.skill_id.into();
            add(("guide skills", r.guide_id.into(), 0), r.position, key);
        }
        lists
    }

    /// Each list's keys in position order, after checking that its
    /// positions are exactly 0..n.
    fn numbered(lists: BTreeMap<List, Vec<(i32, i64)>>) -> BTreeMap<List, Vec<i64>> {
        lists
            .into_iter()
            .map(|(list, mut rows)| {
                rows.sort();
                let positions: Vec<i32> = rows.iter().map(|r| r.0).collect();
                let expected: Vec<i32> = (0..rows.len() as i32).collect();
                assert_eq!(positions, expected, "positions of {list:?}");
                (list, rows.into_iter().map(|r| r.1).collect())
            })
            .collect()
    }

    fn skill(slug: &str) -> Change {
        Change::CreateSkill(SkillDraft {
            slug: Slug::parse(slug).unwrap(),
            name: Title::parse(slug).unwrap(),
            summary: Summary::parse("A skill made by a test.").unwrap(),
            description: Markdown::default(),
            level: Level::Beginner,
            tags: vec![],
            aliases: vec![],
            external_ids: vec![],
            parent: None,
        })
    }

    fn edge(skill: SkillId, requires: SkillId) -> Change {
        Change::AddPrerequisite(Prerequisite {
            skill,
            requires,
            strength: Strength::Required,
        })
    }

    fn resource(skill: SkillId, title: &str) -> Change {
        Change::CreateResource {
            skill,
            resource: ResourceDraft {
                kind: ResourceKind::Article,
                title: Title::parse(title).unwrap(),
                url: HttpsUrl::parse(format!("https://example.com/{title}")).unwrap(),
            },
        }
    }

    fn section(roadmap: RoadmapId, title: &str, position: Option<usize>) -> Change {
        Change::CreateSection {
            roadmap,
            section: SectionDraft {
                title: Title::parse(title).unwrap(),
                description: Markdown::default(),
            },
            position,
        }
    }

    fn place(section: SectionId, parent: Option<ItemId>, position: Option<usize>) -> Placement {
        Placement {
            section,
            parent,
            position,
        }
    }

    /// A store and its catalog, changed one checked step at a time.
    struct Editing {
        store: Store,
        actor: Actor,
        current: LoadedCatalog,
    }

    impl Editing {
        /// Applies `change`, checks every list in the database is numbered
        /// 0..n, and answers the key of what it created.
        async fn apply(&mut self, change: Change) -> i64 {
            let applied = self
                .store
                .apply(
                    &change,
                    &self.actor,
                    &self.current.catalog,
                    self.current.version,
                )
                .await
                .unwrap_or_else(|e| panic!("{:?}: {change:?}: {e}", self.store.engine()));
            self.current = applied.catalog;
            numbered(lists(&self.store.db).await);
            applied.created.unwrap_or_default()
        }

        fn skill(&self, slug: &str) -> SkillId {
            self.current.catalog.skill_by_slug(slug).unwrap().id
        }

        fn required_by(&self, slug: &str) -> Vec<&str> {
            let catalog = &self.current.catalog;
            let prerequisites = catalog.prerequisites(self.skill(slug));
            let slugs = prerequisites
                .iter()
                .map(|p| catalog.skill(p.requires).unwrap());
            slugs.map(|s| s.slug.as_str()).collect()
        }

        fn items(&self, section: SectionId, parent: Option<ItemId>) -> Vec<ItemId> {
            let catalog = &self.current.catalog;
            let items = match parent {
                Some(parent) => &catalog.item_place(parent).unwrap().item.children,
                None => &catalog.section_place(section).unwrap().section.items,
            };
            items.iter().map(|i| i.id).collect()
        }
    }

    #[tokio::test]
    async fn positions_stay_0_to_n_through_adds_moves_and_deletes() {
        for scratch in ScratchDatabase::all_engines().await {
            let store = Store::open(scratch.url()).await.unwrap();
            let current = store.load().await.unwrap();
            let actor = Actor {
                label: "test".into(),
                role: Role::Editor,
            };
            let mut editing = Editing {
                store: store.clone(),
                actor,
                current,
            };
            for slug in ["a", "b", "c", "d", "e"] {
                editing.apply(skill(slug)).await;
            }
            let [a, b, c, d, e] = ["a", "b", "c", "d", "e"].map(|s| editing.skill(s));

            // Edges: a delete closes up, so the next add lands after the rest.
            for requires in [a, b, c] {
                editing.apply(edge(e, requires)).await;
            }
            let remove = |requires| Change::RemovePrerequisite { skill: e, requires };
            editing.apply(remove(a)).await;
            editing.apply(edge(e, d)).await;
            editing.apply(remove(c)).await;
            editing.apply(edge(e, a)).await;
            assert_eq!(editing.required_by("e"), ["b", "d", "a"]);
            editing
                .apply(Change::DeleteSkill {
                    skill: b,
                    cascade: true,
                })
                .await;
            assert_eq!(editing.required_by("e"), ["d", "a"]);

            // Resources likewise.
            let mut made = vec![];
            for title in ["one", "two", "three"] {
                made.push(ResourceId(editing.apply(resource(e, title)).await));
            }
            let delete = |resource| Change::DeleteResource { resource };
            editing.apply(delete(made[1])).await;
            made.push(ResourceId(editing.apply(resource(e, "four")).await));
            editing.apply(delete(made[0])).await;
            made.push(ResourceId(editing.apply(resource(e, "five")).await));
            let titles: Vec<&str> = editing
                .current
                .catalog
                .resources(e)
                .iter()
                .map(|r| r.title.as_str())
                .collect();
            assert_eq!(titles, ["three", "four", "five"]);

            // Sections and items: inserts, moves between lists, deletes.
            let roadmap = RoadmapId(
                editing
                    .apply(Change::CreateRoadmap(RoadmapDraft {
                        slug: Slug::parse("path").unwrap(),
                        title: Title::parse("Path").unwrap(),
                        description: Markdown::default(),
                        related: vec![],
                    }))
                    .await,
            );
            let mut sections = vec![];
            for title in ["s1", "s2", "s3"] {
                sections.push(SectionId(
                    editing.apply(section(roadmap, title, None)).await,
                ));
            }
            editing
                .apply(Change::DeleteSection {
                    section: sections[1],
                })
                .await;
            let first = SectionId(editing.apply(section(roadmap, "s0", Some(0))).await);
            let order: Vec<SectionId> = editing
                .current
                .catalog
                .roadmap(roadmap)
                .unwrap()
                .sections
                .iter()
                .map(|s| s.id)
                .collect();
            assert_eq!(order, [first, sections[0], sections[2]]);

            let s1 = sections[0];
            let mut add = async |skill, at| {
                ItemId(
                    editing
                        .apply(Change::AddItem {
                            at,
                            skill,
                            recommendation: Recommendation::Recommended,
                        })
                        .await,
                )
            };
            let ia = add(a, place(s1, None, None)).await;
            let ic = add(c, place(s1, None, None)).await;
            let id = add(d, place(s1, None, Some(0))).await;
            let ie = add(e, place(s1, Some(ia), None)).await;
            let mut to = async |item, at| {
                editing
                    .apply(Change::UpdateItem {
                        item,
                        recommendation: None,
                        to: Some(at),
                    })
                    .await;
            };
            to(id, place(s1, Some(ia), Some(0))).await;
            to(ic, place(s1, None, Some(0))).await;
            to(ia, place(sections[2], None, None)).await;
            assert_eq!(editing.items(s1, None), [ic]);
            assert_eq!(editing.items(sections[2], Some(ia)), [id, ie]);
            editing.apply(Change::RemoveItem { item: id }).await;
            assert_eq!(editing.items(sections[2], Some(ia)), [ie]);
            editing
                .apply(Change::DeleteSkill {
                    skill: c,
                    cascade: true,
                })
                .await;
            assert_eq!(editing.items(s1, None), []);
            store.close().await.unwrap();
        }
    }

    /// Rows written before the unique indexes could share a position; the
    /// migration renumbers each list by (position, key) and only then adds
    /// the indexes, which from then on refuse a collision.
    #[tokio::test]
    async fn the_migration_repairs_colliding_positions_and_then_refuses_them() {
        for scratch in ScratchDatabase::all_engines().await {
            let store = Store::open(scratch.url()).await.unwrap();
            let bundle = skillgraph_bundle::bundled().unwrap();
            store
                .import_bundle(&bundle, "test", ImportMode::IntoEmpty, &|_, _| {})
                .await
                .unwrap()
                .unwrap();
            let db = &store.db;
            let steps = crate::scratch::steps_back_through("m20261220_000005_unique_positions");
            Migrator::down(db, Some(steps)).await.unwrap();
            // Halving makes neighbours collide (0 and 1 both become 0).
            for table in [
                "skill_prerequisites",
                "resources",
                "roadmap_sections",
                "roadmap_items",
                "roadmap_relations",
                "guide_relations",
                "guide_skills",
            ] {
                db.execute_unprepared(&format!(
                    "UPDATE {table} SET \"position\" = \"position\" / 2"
                ))
                .await
                .unwrap();
            }
            let collided = lists(db).await;
            let collisions = collided
                .values()
                .filter(|rows| {
                    let positions: std::collections::BTreeSet<i32> =
                        rows.iter().map(|r| r.0).collect();
                    positions.len() < rows.len()
                })
                .count();
            assert!(collisions > 10, "only {collisions} lists collide");
            let expected: BTreeMap<List, Vec<i64>> = collided
                .into_iter()
                .map(|(list, mut rows)| {
                    rows.sort();
                    (list, rows.into_iter().map(|r| r.1).collect())
                })
                .collect();
            Migrator::up(db, None).await.unwrap();
            assert_eq!(numbered(lists(db).await), expected, "{:?}", store.engine());
            store.load().await.unwrap();

            // A second row moved onto a list's first position is refused
            // (where the bundle holds a list of two).
            let mut refused = vec![];
            for (table, list, only) in [
                ("skill_prerequisites", "skill_id", ""),
                ("resources", "skill_id", ""),
                ("roadmap_sections", "roadmap_id", ""),
                (
                    "roadmap_items",
                    "parent_item_id",
                    " AND parent_item_id IS NOT NULL",
                ),
                ("roadmap_items", "section_id", " AND parent_item_id IS NULL"),
                ("roadmap_relations", "roadmap_id", ""),
                ("guide_relations", "guide_id", ""),
                ("guide_skills", "guide_id", ""),
            ] {
                let onto_first = format!(
                    "UPDATE {table} SET \"position\" = 0 WHERE \"position\" = 1{only} \
                     AND {list} = (SELECT {list} FROM {table} WHERE \"position\" = 1{only} LIMIT 1)"
                );
                match db.execute_unprepared(&onto_first).await {
                    Err(_) => refused.push((table, list)),
                    Ok(done) => assert_eq!(done.rows_affected(), 0, "{table} by {list}"),
                }
            }
            assert!(refused.len() >= 6, "{refused:?}");
            store.close().await.unwrap();
        }
    }
}
