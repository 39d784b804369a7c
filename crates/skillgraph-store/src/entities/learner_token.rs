//! A learner's opaque token: only its SHA-256 hash is stored.

use sea_orm::entity::prelude::*;

/// A learner's opaque token: only its SHA-256 hash is stored.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "learner_tokens")]
pub struct Model {
    /// Storage key.
    #[sea_orm(primary_key)]
    pub id: i32,
    /// Hex SHA-256 of the token.
    pub token_hash: String,
    /// The learner it stands for.
    pub learner_id: String,
    /// Who or what the token is for.
    pub label: String,
    /// When it was made.
    pub created_at: DateTimeWithTimeZone,
}

/// No relations are declared.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
