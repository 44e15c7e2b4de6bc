use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The rectification list (整改清单): each problem found in an appraisal, its measure and due
/// date, followed up until done.
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Rectification::Table)
                    .if_not_exists()
                    .col(uuid(Rectification::Id).primary_key())
                    .col(uuid(Rectification::CampaignId))
                    .col(uuid(Rectification::MemberId))
                    .col(string_len(Rectification::BranchPath, 512))
                    .col(text(Rectification::Problem))
                    .col(text(Rectification::Measure))
                    .col(date(Rectification::DueOn))
                    // `self_assessment` or `secretary`.
                    .col(string_len(Rectification::Source, 24))
                    .col(timestamp_with_time_zone_null(Rectification::DoneAt))
                    .col(text_null(Rectification::DoneNote))
                    .col(uuid(Rectification::CreatedBy))
                    .col(timestamp_with_time_zone(Rectification::CreatedAt))
                    .col(timestamp_with_time_zone(Rectification::UpdatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_rectification_campaign_branch")
                    .table(Rectification::Table)
                    .col(Rectification::CampaignId)
                    .col(Rectification::BranchPath)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_rectification_campaign_member")
                    .table(Rectification::Table)
                    .col(Rectification::CampaignId)
                    .col(Rectification::MemberId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Rectification::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum Rectification {
    Table,
    Id,
    CampaignId,
    MemberId,
    BranchPath,
    Problem,
    Measure,
    DueOn,
    Source,
    DoneAt,
    DoneNote,
    CreatedBy,
    CreatedAt,
    UpdatedAt,
}
