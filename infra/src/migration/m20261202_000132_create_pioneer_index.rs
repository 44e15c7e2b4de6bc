use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The pioneer index's half-yearly computations (one per committee and half year, half
/// years as `2027 * 10 + 1`) and one result per member of the pool, the breakdown as JSON.
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(PioneerRun::Table)
                    .if_not_exists()
                    .col(uuid(PioneerRun::Id).primary_key())
                    .col(uuid(PioneerRun::CommitteeId))
                    .col(string_len(PioneerRun::CommitteePath, 512))
                    .col(integer(PioneerRun::Half))
                    .col(string_len(PioneerRun::Status, 16))
                    .col(integer_null(PioneerRun::RulesVersion))
                    .col(integer(PioneerRun::Pool))
                    .col(integer(PioneerRun::Excluded))
                    .col(integer(PioneerRun::Quota))
                    .col(integer(PioneerRun::ProgressDone))
                    .col(integer(PioneerRun::ProgressTotal))
                    .col(uuid(PioneerRun::RequestedBy))
                    .col(timestamp_with_time_zone(PioneerRun::RequestedAt))
                    .col(timestamp_with_time_zone_null(PioneerRun::ComputedAt))
                    .col(uuid_null(PioneerRun::ConfirmedBy))
                    .col(timestamp_with_time_zone_null(PioneerRun::ConfirmedAt))
                    .col(timestamp_with_time_zone_null(PioneerRun::PublishUntil))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_pioneer_run_committee_half")
                    .table(PioneerRun::Table)
                    .col(PioneerRun::CommitteeId)
                    .col(PioneerRun::Half)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(PioneerResult::Table)
                    .if_not_exists()
                    .col(uuid(PioneerResult::RunId))
                    .col(uuid(PioneerResult::MemberId))
                    .col(string_len(PioneerResult::MemberName, 64))
                    .col(uuid(PioneerResult::BranchId))
                    .col(string_len(PioneerResult::BranchPath, 512))
                    .col(string_len(PioneerResult::Sector, 32))
                    .col(string_len(PioneerResult::Category, 32))
                    .col(string_len_null(PioneerResult::Profile, 64))
                    .col(big_integer_null(PioneerResult::Total))
                    .col(string_len_null(PioneerResult::ZeroedBy, 64))
                    .col(text(PioneerResult::Lines))
                    .col(string_len_null(PioneerResult::ExcludedReason, 128))
                    .col(boolean(PioneerResult::Proposed))
                    .col(boolean(PioneerResult::Tied))
                    .col(boolean(PioneerResult::Warning))
                    .primary_key(
                        Index::create()
                            .col(PioneerResult::RunId)
                            .col(PioneerResult::MemberId),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_pioneer_result_run_branch")
                    .table(PioneerResult::Table)
                    .col(PioneerResult::RunId)
                    .col(PioneerResult::BranchPath)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(PioneerResult::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(PioneerRun::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum PioneerRun {
    Table,
    Id,
    CommitteeId,
    CommitteePath,
    Half,
    Status,
    RulesVersion,
    Pool,
    Excluded,
    Quota,
    ProgressDone,
    ProgressTotal,
    RequestedBy,
    RequestedAt,
    ComputedAt,
    ConfirmedBy,
    ConfirmedAt,
    PublishUntil,
}

#[derive(DeriveIden)]
enum PioneerResult {
    Table,
    RunId,
    MemberId,
    MemberName,
    BranchId,
    BranchPath,
    Sector,
    Category,
    Profile,
    Total,
    ZeroedBy,
    Lines,
    ExcludedReason,
    Proposed,
    Tied,
    Warning,
}
