//! The single row holding the catalog version.

use sea_orm::entity::prelude::*;

/// The single row holding the catalog version.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "catalog_state")]
pub struct Model {
    /// Always 1.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: i32,
    /// Bumped by every committed change.
    pub version: i64,
    /// When the last change committed.
    pub updated_at: DateTimeWithTimeZone,
}

/// No relations are declared: the catalog is assembled in memory.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
