//! The database schema's history. Each migration, once landed on main, is
//! frozen: a change to the schema is a new migration, never an edit.

use sea_orm_migration::prelude::*;

mod m20261201_000001_catalog;
mod m20261201_000002_writes;
mod m20261201_000003_learners;
mod m20261213_000004_learner_namespaces;
mod m20261220_000005_unique_positions;
mod m20261221_000006_change_log_created;

/// Runs every migration in order; the store calls it on start.
pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261201_000001_catalog::Migration),
            Box::new(m20261201_000002_writes::Migration),
            Box::new(m20261201_000003_learners::Migration),
            Box::new(m20261213_000004_learner_namespaces::Migration),
            Box::new(m20261220_000005_unique_positions::Migration),
            Box::new(m20261221_000006_change_log_created::Migration),
        ]
    }
}

/// Re-exported so that callers run the migrations without depending on sea-orm-migration.
pub use sea_orm_migration::MigratorTrait;
