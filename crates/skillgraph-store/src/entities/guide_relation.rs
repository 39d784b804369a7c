//! A link to a related guide.

use sea_orm::entity::prelude::*;

/// A link to a related guide.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "guide_relations")]
pub struct Model {
    /// The guide.
    #[sea_orm(primary_key, auto_increment = false)]
    pub guide_id: i32,
    /// The related guide.
    #[sea_orm(primary_key, auto_increment = false)]
    pub related_id: i32,
    /// Display order.
    pub position: i32,
}

/// No relations are declared: the catalog is assembled in memory.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
