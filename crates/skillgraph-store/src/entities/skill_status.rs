//! Where one learner stands with one skill; "not started" is no row.

use sea_orm::entity::prelude::*;

/// Where one learner stands with one skill; "not started" is no row.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "skill_statuses")]
pub struct Model {
    /// The learner.
    #[sea_orm(primary_key, auto_increment = false)]
    pub learner_id: String,
    /// The skill.
    #[sea_orm(primary_key, auto_increment = false)]
    pub skill_id: i32,
    /// Status spelling.
    pub status: String,
    /// When it was last set.
    pub updated_at: DateTimeWithTimeZone,
}

/// No relations are declared.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
