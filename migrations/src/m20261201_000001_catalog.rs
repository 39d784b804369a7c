//! The catalog: skills and their edges, roadmaps, resources, authors, guides,
//! and the catalog's version.

use sea_orm_migration::{prelude::*, schema::*};

/// Creates the catalog tables.
#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Skills {
    Table,
    Id,
    Slug,
    Name,
    Summary,
    Description,
    Level,
    Tags,
    Aliases,
    ExternalIds,
    ParentId,
}

#[derive(DeriveIden)]
enum SkillPrerequisites {
    Table,
    SkillId,
    RequiresId,
    Strength,
    Position,
}

#[derive(DeriveIden)]
enum SkillRelations {
    Table,
    SkillId,
    RelatedId,
}

#[derive(DeriveIden)]
enum Resources {
    Table,
    Id,
    SkillId,
    Position,
    Kind,
    Title,
    Url,
}

#[derive(DeriveIden)]
enum Roadmaps {
    Table,
    Id,
    Slug,
    Title,
    Description,
}

#[derive(DeriveIden)]
enum RoadmapSections {
    Table,
    Id,
    RoadmapId,
    Position,
    Title,
    Description,
}

#[derive(DeriveIden)]
enum RoadmapItems {
    Table,
    Id,
    SectionId,
    ParentItemId,
    Position,
    SkillId,
    Recommendation,
}

#[derive(DeriveIden)]
enum RoadmapRelations {
    Table,
    RoadmapId,
    RelatedId,
    Position,
}

#[derive(DeriveIden)]
enum Authors {
    Table,
    Id,
    Handle,
    Name,
    Links,
}

#[derive(DeriveIden)]
enum Guides {
    Table,
    Id,
    Slug,
    Title,
    Description,
    Url,
    AuthorId,
    PublishedOn,
    Tags,
    Body,
}

#[derive(DeriveIden)]
enum GuideRelations {
    Table,
    GuideId,
    RelatedId,
    Position,
}

#[derive(DeriveIden)]
enum GuideSkills {
    Table,
    GuideId,
    SkillId,
    Position,
}

#[derive(DeriveIden)]
enum CatalogState {
    Table,
    Id,
    Version,
    UpdatedAt,
}

/// A foreign key from `table.column` to `target.id`.
fn fk(
    table: impl IntoIden + 'static,
    column: impl IntoIden + 'static,
    target: impl IntoIden + 'static,
    target_column: impl IntoIden + 'static,
    on_delete: ForeignKeyAction,
) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .from(table, column)
        .to(target, target_column)
        .on_delete(on_delete)
        .to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        use ForeignKeyAction::{Cascade, SetNull};

        manager
            .create_table(
                Table::create()
                    .table(Skills::Table)
                    .col(pk_auto(Skills::Id))
                    .col(string_uniq(Skills::Slug))
                    .col(string(Skills::Name))
                    .col(string(Skills::Summary))
                    .col(text(Skills::Description))
                    .col(string(Skills::Level))
                    .col(json_binary(Skills::Tags))
                    .col(json_binary(Skills::Aliases))
                    .col(json_binary(Skills::ExternalIds))
                    .col(integer_null(Skills::ParentId))
                    .foreign_key(&mut fk(
                        Skills::Table,
                        Skills::ParentId,
                        Skills::Table,
                        Skills::Id,
                        SetNull,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(SkillPrerequisites::Table)
                    .col(integer(SkillPrerequisites::SkillId))
                    .col(integer(SkillPrerequisites::RequiresId))
                    .col(string(SkillPrerequisites::Strength))
                    .col(integer(SkillPrerequisites::Position))
                    .primary_key(
                        Index::create()
                            .col(SkillPrerequisites::SkillId)
                            .col(SkillPrerequisites::RequiresId),
                    )
                    .foreign_key(&mut fk(
                        SkillPrerequisites::Table,
                        SkillPrerequisites::SkillId,
                        Skills::Table,
                        Skills::Id,
                        Cascade,
                    ))
                    .foreign_key(&mut fk(
                        SkillPrerequisites::Table,
                        SkillPrerequisites::RequiresId,
                        Skills::Table,
                        Skills::Id,
                        Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(SkillRelations::Table)
                    .col(integer(SkillRelations::SkillId))
                    .col(integer(SkillRelations::RelatedId))
                    .primary_key(
                        Index::create()
                            .col(SkillRelations::SkillId)
                            .col(SkillRelations::RelatedId),
                    )
                    .foreign_key(&mut fk(
                        SkillRelations::Table,
                        SkillRelations::SkillId,
                        Skills::Table,
                        Skills::Id,
                        Cascade,
                    ))
                    .foreign_key(&mut fk(
                        SkillRelations::Table,
                        SkillRelations::RelatedId,
                        Skills::Table,
                        Skills::Id,
                        Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Resources::Table)
                    .col(pk_auto(Resources::Id))
                    .col(integer(Resources::SkillId))
                    .col(integer(Resources::Position))
                    .col(string(Resources::Kind))
                    .col(string(Resources::Title))
                    .col(text(Resources::Url))
                    .foreign_key(&mut fk(
                        Resources::Table,
                        Resources::SkillId,
                        Skills::Table,
                        Skills::Id,
                        Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Roadmaps::Table)
                    .col(pk_auto(Roadmaps::Id))
                    .col(string_uniq(Roadmaps::Slug))
                    .col(string(Roadmaps::Title))
                    .col(text(Roadmaps::Description))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(RoadmapSections::Table)
                    .col(pk_auto(RoadmapSections::Id))
                    .col(integer(RoadmapSections::RoadmapId))
                    .col(integer(RoadmapSections::Position))
                    .col(string(RoadmapSections::Title))
                    .col(text(RoadmapSections::Description))
                    .foreign_key(&mut fk(
                        RoadmapSections::Table,
                        RoadmapSections::RoadmapId,
                        Roadmaps::Table,
                        Roadmaps::Id,
                        Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(RoadmapItems::Table)
                    .col(pk_auto(RoadmapItems::Id))
                    .col(integer(RoadmapItems::SectionId))
                    .col(integer_null(RoadmapItems::ParentItemId))
                    .col(integer(RoadmapItems::Position))
                    .col(integer(RoadmapItems::SkillId))
                    .col(string(RoadmapItems::Recommendation))
                    .foreign_key(&mut fk(
                        RoadmapItems::Table,
                        RoadmapItems::SectionId,
                        RoadmapSections::Table,
                        RoadmapSections::Id,
                        Cascade,
                    ))
                    .foreign_key(&mut fk(
                        RoadmapItems::Table,
                        RoadmapItems::ParentItemId,
                        RoadmapItems::Table,
                        RoadmapItems::Id,
                        Cascade,
                    ))
                    .foreign_key(&mut fk(
                        RoadmapItems::Table,
                        RoadmapItems::SkillId,
                        Skills::Table,
                        Skills::Id,
                        Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(RoadmapRelations::Table)
                    .col(integer(RoadmapRelations::RoadmapId))
                    .col(integer(RoadmapRelations::RelatedId))
                    .col(integer(RoadmapRelations::Position))
                    .primary_key(
                        Index::create()
                            .col(RoadmapRelations::RoadmapId)
                            .col(RoadmapRelations::RelatedId),
                    )
                    .foreign_key(&mut fk(
                        RoadmapRelations::Table,
                        RoadmapRelations::RoadmapId,
                        Roadmaps::Table,
                        Roadmaps::Id,
                        Cascade,
                    ))
                    .foreign_key(&mut fk(
                        RoadmapRelations::Table,
                        RoadmapRelations::RelatedId,
                        Roadmaps::Table,
                        Roadmaps::Id,
                        Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Authors::Table)
                    .col(pk_auto(Authors::Id))
                    .col(string_uniq(Authors::Handle))
                    .col(string(Authors::Name))
                    .col(json_binary(Authors::Links))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Guides::Table)
                    .col(pk_auto(Guides::Id))
                    .col(string_uniq(Guides::Slug))
                    .col(string(Guides::Title))
                    .col(text(Guides::Description))
                    .col(text(Guides::Url))
                    .col(integer_null(Guides::AuthorId))
                    .col(date_null(Guides::PublishedOn))
                    .col(json_binary(Guides::Tags))
                    .col(text_null(Guides::Body))
                    .foreign_key(&mut fk(
                        Guides::Table,
                        Guides::AuthorId,
                        Authors::Table,
                        Authors::Id,
                        SetNull,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(GuideRelations::Table)
                    .col(integer(GuideRelations::GuideId))
                    .col(integer(GuideRelations::RelatedId))
                    .col(integer(GuideRelations::Position))
                    .primary_key(
                        Index::create()
                            .col(GuideRelations::GuideId)
                            .col(GuideRelations::RelatedId),
                    )
                    .foreign_key(&mut fk(
                        GuideRelations::Table,
                        GuideRelations::GuideId,
                        Guides::Table,
                        Guides::Id,
                        Cascade,
                    ))
                    .foreign_key(&mut fk(
                        GuideRelations::Table,
                        GuideRelations::RelatedId,
                        Guides::Table,
                        Guides::Id,
                        Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(GuideSkills::Table)
                    .col(integer(GuideSkills::GuideId))
                    .col(integer(GuideSkills::SkillId))
                    .col(integer(GuideSkills::Position))
                    .primary_key(
                        Index::create()
                            .col(GuideSkills::GuideId)
                            .col(GuideSkills::SkillId),
                    )
                    .foreign_key(&mut fk(
                        GuideSkills::Table,
                        GuideSkills::GuideId,
                        Guides::Table,
                        Guides::Id,
                        Cascade,
                    ))
                    .foreign_key(&mut fk(
                        GuideSkills::Table,
                        GuideSkills::SkillId,
                        Skills::Table,
                        Skills::Id,
                        Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(CatalogState::Table)
                    .col(integer(CatalogState::Id).primary_key())
                    .col(big_integer(CatalogState::Version))
                    .col(timestamp_with_time_zone(CatalogState::UpdatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .exec_stmt(
                Query::insert()
                    .into_table(CatalogState::Table)
                    .columns([
                        CatalogState::Id,
                        CatalogState::Version,
                        CatalogState::UpdatedAt,
                    ])
                    .values_panic([1.into(), 0i64.into(), Expr::current_timestamp()])
                    .to_owned(),
            )
            .await?;

        for (name, table, column) in [
            (
                "idx_skill_prerequisites_requires",
                SkillPrerequisites::Table.into_iden(),
                SkillPrerequisites::RequiresId.into_iden(),
            ),
            (
                "idx_resources_skill",
                Resources::Table.into_iden(),
                Resources::SkillId.into_iden(),
            ),
            (
                "idx_roadmap_sections_roadmap",
                RoadmapSections::Table.into_iden(),
                RoadmapSections::RoadmapId.into_iden(),
            ),
            (
                "idx_roadmap_items_section",
                RoadmapItems::Table.into_iden(),
                RoadmapItems::SectionId.into_iden(),
            ),
            (
                "idx_roadmap_items_skill",
                RoadmapItems::Table.into_iden(),
                RoadmapItems::SkillId.into_iden(),
            ),
            (
                "idx_guide_skills_skill",
                GuideSkills::Table.into_iden(),
                GuideSkills::SkillId.into_iden(),
            ),
        ] {
            manager
                .create_index(
                    Index::create()
                        .name(name)
                        .table(table)
                        .col(column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            CatalogState::Table.into_iden(),
            GuideSkills::Table.into_iden(),
            GuideRelations::Table.into_iden(),
            Guides::Table.into_iden(),
            Authors::Table.into_iden(),
            RoadmapRelations::Table.into_iden(),
            RoadmapItems::Table.into_iden(),
            RoadmapSections::Table.into_iden(),
            Roadmaps::Table.into_iden(),
            Resources::Table.into_iden(),
            SkillRelations::Table.into_iden(),
            SkillPrerequisites::Table.into_iden(),
            Skills::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
