//! Learners: their tokens (hashes only) and their status per skill.

use sea_orm_migration::{prelude::*, schema::*};

/// Creates the tables that learner data needs.
#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum LearnerTokens {
    Table,
    Id,
    TokenHash,
    LearnerId,
    Label,
    CreatedAt,
}

#[derive(DeriveIden)]
enum SkillStatuses {
    Table,
    LearnerId,
    SkillId,
    Status,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Skills {
    Table,
    Id,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(LearnerTokens::Table)
                    .col(pk_auto(LearnerTokens::Id))
                    .col(string_uniq(LearnerTokens::TokenHash))
                    .col(string(LearnerTokens::LearnerId))
                    .col(string(LearnerTokens::Label))
                    .col(timestamp_with_time_zone(LearnerTokens::CreatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(SkillStatuses::Table)
                    .col(string(SkillStatuses::LearnerId))
                    .col(integer(SkillStatuses::SkillId))
                    .col(string(SkillStatuses::Status))
                    .col(timestamp_with_time_zone(SkillStatuses::UpdatedAt))
                    .primary_key(
                        Index::create()
                            .col(SkillStatuses::LearnerId)
                            .col(SkillStatuses::SkillId),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(SkillStatuses::Table, SkillStatuses::SkillId)
                            .to(Skills::Table, Skills::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        // Aggregates per skill (`learnerStats`) read by skill.
        manager
            .create_index(
                Index::create()
                    .name("idx_skill_statuses_skill")
                    .table(SkillStatuses::Table)
                    .col(SkillStatuses::SkillId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(SkillStatuses::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(LearnerTokens::Table).to_owned())
            .await
    }
}
