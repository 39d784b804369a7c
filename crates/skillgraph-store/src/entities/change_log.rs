//! One committed change: who, when, what, and the version it produced.

use sea_orm::entity::prelude::*;

/// One committed change: who, when, what, and the version it produced.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "change_log")]
pub struct Model {
    /// Storage key.
    #[sea_orm(primary_key)]
    pub id: i64,
    /// The catalog version the change produced.
    pub version: i64,
    /// Who made it (a token label).
    pub actor: String,
    /// When it committed.
    pub at: DateTimeWithTimeZone,
    /// The change, as JSON.
    #[sea_orm(column_type = "JsonBinary")]
    pub change: Json,
    /// The storage key of what the change created, for replaying it.
    pub created: Option<i64>,
}

/// No relations are declared.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
