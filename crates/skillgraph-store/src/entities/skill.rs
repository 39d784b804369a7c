//! A skill row; list-valued fields are JSON arrays.

use sea_orm::entity::prelude::*;

/// A skill row; list-valued fields are JSON arrays.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "skills")]
pub struct Model {
    /// Storage key.
    #[sea_orm(primary_key)]
    pub id: i32,
    /// Unique slug.
    pub slug: String,
    /// Display name.
    pub name: String,
    /// One-line summary.
    pub summary: String,
    /// Markdown description.
    #[sea_orm(column_type = "Text")]
    pub description: String,
    /// Level spelling.
    pub level: String,
    /// JSON array of tag slugs.
    #[sea_orm(column_type = "JsonBinary")]
    pub tags: Json,
    /// JSON array of aliases.
    #[sea_orm(column_type = "JsonBinary")]
    pub aliases: Json,
    /// JSON array of {scheme, value}.
    #[sea_orm(column_type = "JsonBinary")]
    pub external_ids: Json,
    /// Parent skill, if any.
    pub parent_id: Option<i32>,
}

/// No relations are declared: the catalog is assembled in memory.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
