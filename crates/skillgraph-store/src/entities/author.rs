//! An author of guides.

use sea_orm::entity::prelude::*;

/// An author of guides.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "authors")]
pub struct Model {
    /// Storage key.
    #[sea_orm(primary_key)]
    pub id: i32,
    /// Unique handle.
    pub handle: String,
    /// Display name.
    pub name: String,
    /// JSON array of https URLs.
    #[sea_orm(column_type = "JsonBinary")]
    pub links: Json,
}

/// No relations are declared: the catalog is assembled in memory.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
