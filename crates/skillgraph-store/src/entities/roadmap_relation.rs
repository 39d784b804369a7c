//! A link to a related roadmap.

use sea_orm::entity::prelude::*;

/// A link to a related roadmap.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "roadmap_relations")]
pub struct Model {
    /// The roadmap.
    #[sea_orm(primary_key, auto_increment = false)]
    pub roadmap_id: i32,
    /// The related roadmap.
    #[sea_orm(primary_key, auto_increment = false)]
    pub related_id: i32,
    /// Display order.
    pub position: i32,
}

/// No relations are declared: the catalog is assembled in memory.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
