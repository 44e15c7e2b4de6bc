use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Study materials and members' study records.
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Material::Table)
                    .if_not_exists()
                    .col(uuid(Material::Id).primary_key())
                    .col(string_len(Material::Title, 200))
                    .col(string_len(Material::Summary, 1000))
                    .col(text(Material::Body))
                    // JSON: [{kind, title, url}].
                    .col(text(Material::Attachments))
                    .col(string_len(Material::Category, 32))
                    .col(boolean(Material::Required))
                    .col(string_len_null(Material::LessonMonth, 7))
                    .col(uuid(Material::AudienceOrgId))
                    .col(string_len(Material::AudiencePath, 256))
                    // `,rural,retired,` or empty for every category (matched with LIKE).
                    .col(string_len(Material::AudienceCategories, 128))
                    .col(boolean(Material::CadresOnly))
                    .col(timestamp_with_time_zone(Material::PublishAt))
                    .col(timestamp_with_time_zone_null(Material::StudyDeadline))
                    .col(string_len(Material::Status, 16))
                    .col(integer(Material::Revision))
                    .col(uuid(Material::PublisherId))
                    .col(timestamp_with_time_zone(Material::CreatedAt))
                    .col(timestamp_with_time_zone(Material::UpdatedAt))
                    .to_owned(),
            )
            .await?;
        // The feed: an audience path among the member's branch's ancestors, newest first.
        manager
            .create_index(
                Index::create()
                    .name("idx_material_audience_publish")
                    .table(Material::Table)
                    .col(Material::AudiencePath)
                    .col(Material::PublishAt)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_material_publish_at")
                    .table(Material::Table)
                    .col(Material::PublishAt)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(StudyRecord::Table)
                    .if_not_exists()
                    .col(uuid(StudyRecord::MemberId))
                    .col(uuid(StudyRecord::MaterialId))
                    .col(timestamp_with_time_zone(StudyRecord::OpenedAt))
                    .col(big_integer(StudyRecord::Position))
                    .col(big_integer(StudyRecord::SecondsSpent))
                    .col(timestamp_with_time_zone_null(StudyRecord::CompletedAt))
                    .col(timestamp_with_time_zone(StudyRecord::UpdatedAt))
                    .primary_key(
                        Index::create()
                            .col(StudyRecord::MemberId)
                            .col(StudyRecord::MaterialId),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_study_record_material")
                    .table(StudyRecord::Table)
                    .col(StudyRecord::MaterialId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(StudyRecord::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(Material::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum Material {
    Table,
    Id,
    Title,
    Summary,
    Body,
    Attachments,
    Category,
    Required,
    LessonMonth,
    AudienceOrgId,
    AudiencePath,
    AudienceCategories,
    CadresOnly,
    PublishAt,
    StudyDeadline,
    Status,
    Revision,
    PublisherId,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum StudyRecord {
    Table,
    MemberId,
    MaterialId,
    OpenedAt,
    Position,
    SecondsSpent,
    CompletedAt,
    UpdatedAt,
}
