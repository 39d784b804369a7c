//! A skill a guide covers.

use sea_orm::entity::prelude::*;

/// A skill a guide covers.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "guide_skills")]
pub struct Model {
    /// The guide.
    #[sea_orm(primary_key, auto_increment = false)]
    pub guide_id: i32,
    /// The skill.
    #[sea_orm(primary_key, auto_increment = false)]
    pub skill_id: i32,
    /// Order in the guide.
    pub position: i32,
}

/// No relations are declared: the catalog is assembled in memory.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
