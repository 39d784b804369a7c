//! Positions never collide: every ordered list gets a unique index on
//! (owner, position).
//!
//! Prerequisite edges and resources used to be appended at `count` and
//! deleted without closing up, so a delete and an add could give two rows
//! of one skill the same position, and their order was then whatever the
//! database returned. This migration first repairs every ordered list,
//! renumbering each owner's rows 0..n by their current (position, key)
//! order, and then makes a collision an error:
//!
//! - a skill's prerequisite edges, a skill's resources, a roadmap's
//!   sections, a roadmap's and a guide's related lists, a guide's skills:
//!   unique (owner, position);
//! - roadmap items: unique (parent item, position) among nested items, and
//!   unique (section, position) among a section's top-level items (two
//!   partial indexes, since a NULL parent never equals another in a
//!   unique index).
//!
//! Writes that reorder a list pass through negative positions of their own
//! (see the store's `renumber`), so they never collide on the way either.
//! Both SQLite (3.33 or later, for `UPDATE … FROM`) and PostgreSQL run the
//! same statements.

use sea_orm_migration::prelude::*;

/// Repairs colliding positions and adds the unique indexes.
#[derive(DeriveMigrationName)]
pub struct Migration;

/// One ordered list: its table, the columns that name a row, the
/// expressions that name the list a row belongs to, and the index that
/// keeps positions unique within it.
struct Ordered {
    table: &'static str,
    key: &'static [&'static str],
    list: &'static str,
    index: &'static str,
    indexed: &'static str,
}

const ORDERED: &[Ordered] = &[
    Ordered {
        table: "skill_prerequisites",
        key: &["skill_id", "requires_id"],
        list: "skill_id",
        index: "idx_skill_prerequisites_position",
        indexed: "(skill_id, \"position\")",
    },
    Ordered {
        table: "resources",
        key: &["id"],
        list: "skill_id",
        index: "idx_resources_position",
        indexed: "(skill_id, \"position\")",
    },
    Ordered {
        table: "roadmap_sections",
        key: &["id"],
        list: "roadmap_id",
        index: "idx_roadmap_sections_position",
        indexed: "(roadmap_id, \"position\")",
    },
    Ordered {
        table: "roadmap_items",
        key: &["id"],
        // Nested items are listed by their parent, top-level ones by section.
        list: "parent_item_id, CASE WHEN parent_item_id IS NULL THEN section_id END",
        index: "idx_roadmap_items_nested_position",
        indexed: "(parent_item_id, \"position\") WHERE parent_item_id IS NOT NULL",
    },
    Ordered {
        table: "roadmap_relations",
        key: &["roadmap_id", "related_id"],
        list: "roadmap_id",
        index: "idx_roadmap_relations_position",
        indexed: "(roadmap_id, \"position\")",
    },
    Ordered {
        table: "guide_relations",
        key: &["guide_id", "related_id"],
        list: "guide_id",
        index: "idx_guide_relations_position",
        indexed: "(guide_id, \"position\")",
    },
    Ordered {
        table: "guide_skills",
        key: &["guide_id", "skill_id"],
        list: "guide_id",
        index: "idx_guide_skills_position",
        indexed: "(guide_id, \"position\")",
    },
];

/// The second index of roadmap items: top-level items within a section.
const TOP_LEVEL_ITEMS: (&str, &str) = (
    "idx_roadmap_items_top_position",
    "(section_id, \"position\") WHERE parent_item_id IS NULL",
);

impl Ordered {
    /// Renumbers every list of the table 0..n by (position, key), touching
    /// only rows whose position changes.
    fn repair(&self) -> String {
        let Self {
            table, key, list, ..
        } = self;
        let columns = key.join(", ");
        let matched: Vec<String> = key
            .iter()
            .map(|k| format!("{table}.{k} = ranked.{k}"))
            .collect();
        format!(
            "UPDATE {table} SET \"position\" = ranked.place \
             FROM (SELECT {columns}, ROW_NUMBER() OVER \
             (PARTITION BY {list} ORDER BY \"position\", {columns}) - 1 AS place \
             FROM {table}) AS ranked \
             WHERE {} AND {table}.\"position\" <> ranked.place",
            matched.join(" AND ")
        )
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        for ordered in ORDERED {
            db.execute_unprepared(&ordered.repair()).await?;
        }
        let indexes = ORDERED
            .iter()
            .map(|o| (o.index, o.table, o.indexed))
            .chain([(TOP_LEVEL_ITEMS.0, "roadmap_items", TOP_LEVEL_ITEMS.1)]);
        for (index, table, indexed) in indexes {
            db.execute_unprepared(&format!(
                "CREATE UNIQUE INDEX IF NOT EXISTS {index} ON {table} {indexed}"
            ))
            .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // The repaired positions stay: they are what the rows meant.
        let db = manager.get_connection();
        let indexes = ORDERED.iter().map(|o| o.index).chain([TOP_LEVEL_ITEMS.0]);
        for index in indexes {
            db.execute_unprepared(&format!("DROP INDEX IF EXISTS {index}"))
                .await?;
        }
        Ok(())
    }
}
