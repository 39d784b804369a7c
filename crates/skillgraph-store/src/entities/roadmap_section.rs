//! A section of a roadmap.

use sea_orm::entity::prelude::*;

/// A section of a roadmap.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "roadmap_sections")]
pub struct Model {
    /// Storage key.
    #[sea_orm(primary_key)]
    pub id: i32,
    /// The roadmap.
    pub roadmap_id: i32,
    /// Order in the roadmap.
    pub position: i32,
    /// Title.
    pub title: String,
    /// Markdown description.
    #[sea_orm(column_type = "Text")]
    pub description: String,
}

/// No relations are declared: the catalog is assembled in memory.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
