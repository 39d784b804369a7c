//! An item of a section; nested items name their parent item.

use sea_orm::entity::prelude::*;

/// An item of a section; nested items name their parent item.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "roadmap_items")]
pub struct Model {
    /// Storage key.
    #[sea_orm(primary_key)]
    pub id: i32,
    /// The section.
    pub section_id: i32,
    /// The enclosing item, for nested items.
    pub parent_item_id: Option<i32>,
    /// Order among siblings.
    pub position: i32,
    /// The skill.
    pub skill_id: i32,
    /// Recommendation spelling.
    pub recommendation: String,
}

/// No relations are declared: the catalog is assembled in memory.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
