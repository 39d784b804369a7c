//! A prerequisite edge.

use sea_orm::entity::prelude::*;

/// A prerequisite edge.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "skill_prerequisites")]
pub struct Model {
    /// The dependent skill.
    #[sea_orm(primary_key, auto_increment = false)]
    pub skill_id: i32,
    /// The skill needed first.
    #[sea_orm(primary_key, auto_increment = false)]
    pub requires_id: i32,
    /// Strength spelling.
    pub strength: String,
    /// Order among the skill's prerequisites.
    pub position: i32,
}

/// No relations are declared: the catalog is assembled in memory.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
