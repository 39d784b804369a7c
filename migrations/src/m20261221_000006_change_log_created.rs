//! The change log keeps the id a change created, so a replica can replay a
//! creating change with the id the database gave it and reach the same
//! catalog as the replica that wrote it.

use sea_orm_migration::prelude::*;

/// Adds `change_log.created` (nullable: changes that create nothing, and
/// every change logged before this migration, have none).
#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum ChangeLog {
    Table,
    Created,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(ChangeLog::Table)
                    .add_column(ColumnDef::new(ChangeLog::Created).big_integer().null())
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(ChangeLog::Table)
                    .drop_column(ChangeLog::Created)
                    .to_owned(),
            )
            .await
    }
}
