//! A symmetric "see also" link, stored once with the smaller id first.

use sea_orm::entity::prelude::*;

/// A symmetric "see also" link, stored once with the smaller id first.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "skill_relations")]
pub struct Model {
    /// The skill with the smaller id.
    #[sea_orm(primary_key, auto_increment = false)]
    pub skill_id: i32,
    /// The other skill.
    #[sea_orm(primary_key, auto_increment = false)]
    pub related_id: i32,
}

/// No relations are declared: the catalog is assembled in memory.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
