use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(CheckIn::Table)
                    .if_not_exists()
                    .col(uuid(CheckIn::Id).primary_key())
                    .col(uuid(CheckIn::ActivityId))
                    .col(uuid(CheckIn::MemberId))
                    .col(string_len(CheckIn::BranchPath, 256))
                    .col(string_len(CheckIn::Method, 16))
                    .col(string_len(CheckIn::Status, 16))
                    .col(timestamp_with_time_zone_null(CheckIn::ClientTime))
                    .col(double_null(CheckIn::Lat))
                    .col(double_null(CheckIn::Lng))
                    .col(timestamp_with_time_zone(CheckIn::CreatedAt))
                    .col(uuid_null(CheckIn::ReviewedBy))
                    .col(timestamp_with_time_zone_null(CheckIn::ReviewedAt))
                    .col(string_len_null(CheckIn::ReviewReason, 200))
                    .to_owned(),
            )
            .await?;
        // At most one check-in per member and activity, whatever the retries.
        manager
            .create_index(
                Index::create()
                    .name("ux_check_in_activity_member")
                    .table(CheckIn::Table)
                    .col(CheckIn::ActivityId)
                    .col(CheckIn::MemberId)
                    .unique()
                    .to_owned(),
            )
            .await?;
        // The reviewer's inbox: pending check-ins under a scope.
        manager
            .create_index(
                Index::create()
                    .name("idx_check_in_status_branch_path")
                    .table(CheckIn::Table)
                    .col(CheckIn::Status)
                    .col(CheckIn::BranchPath)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(CheckIn::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum CheckIn {
    Table,
    Id,
    ActivityId,
    MemberId,
    BranchPath,
    Method,
    Status,
    ClientTime,
    Lat,
    Lng,
    CreatedAt,
    ReviewedBy,
    ReviewedAt,
    ReviewReason,
}
