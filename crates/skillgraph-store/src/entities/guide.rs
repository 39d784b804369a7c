//! A guide.

use sea_orm::entity::prelude::*;

/// A guide.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "guides")]
pub struct Model {
    /// Storage key.
    #[sea_orm(primary_key)]
    pub id: i32,
    /// Unique slug.
    pub slug: String,
    /// Title.
    pub title: String,
    /// Markdown description.
    #[sea_orm(column_type = "Text")]
    pub description: String,
    /// https URL.
    #[sea_orm(column_type = "Text")]
    pub url: String,
    /// The author, when known.
    pub author_id: Option<i32>,
    /// Publication date, when known.
    pub published_on: Option<Date>,
    /// JSON array of tag slugs.
    #[sea_orm(column_type = "JsonBinary")]
    pub tags: Json,
    /// Markdown body, when held.
    #[sea_orm(column_type = "Text", nullable)]
    pub body: Option<String>,
}

/// No relations are declared: the catalog is assembled in memory.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
