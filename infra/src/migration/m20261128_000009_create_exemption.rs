use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Exemption::Table)
                    .if_not_exists()
                    .col(uuid(Exemption::Id).primary_key())
                    .col(uuid(Exemption::MemberId))
                    .col(string_len(Exemption::BranchPath, 256))
                    .col(uuid_null(Exemption::ActivityId))
                    .col(date_null(Exemption::FromDate))
                    .col(date_null(Exemption::ToDate))
                    .col(string_len(Exemption::Reason, 200))
                    .col(string_len(Exemption::Status, 16))
                    .col(timestamp_with_time_zone(Exemption::CreatedAt))
                    .col(uuid_null(Exemption::ReviewedBy))
                    .col(timestamp_with_time_zone_null(Exemption::ReviewedAt))
                    .col(string_len_null(Exemption::ReviewReason, 200))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_exemption_member")
                    .table(Exemption::Table)
                    .col(Exemption::MemberId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_exemption_branch_path_status")
                    .table(Exemption::Table)
                    .col(Exemption::BranchPath)
                    .col(Exemption::Status)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Exemption::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum Exemption {
    Table,
    Id,
    MemberId,
    BranchPath,
    ActivityId,
    FromDate,
    ToDate,
    Reason,
    Status,
    CreatedAt,
    ReviewedBy,
    ReviewedAt,
    ReviewReason,
}
