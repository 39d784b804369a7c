//! A learning resource of a skill.

use sea_orm::entity::prelude::*;

/// A learning resource of a skill.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "resources")]
pub struct Model {
    /// Storage key.
    #[sea_orm(primary_key)]
    pub id: i32,
    /// The skill.
    pub skill_id: i32,
    /// Display order.
    pub position: i32,
    /// Kind spelling.
    pub kind: String,
    /// Title.
    pub title: String,
    /// https URL.
    #[sea_orm(column_type = "Text")]
    pub url: String,
}

/// No relations are declared: the catalog is assembled in memory.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
