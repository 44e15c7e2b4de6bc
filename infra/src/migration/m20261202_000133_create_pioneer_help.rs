use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The help branch (教育帮扶支部) each township designates, and members' stays in it with
/// where they came from.
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(PioneerHelpBranch::Table)
                    .if_not_exists()
                    .col(uuid(PioneerHelpBranch::CommitteeId).primary_key())
                    .col(uuid(PioneerHelpBranch::BranchId))
                    .col(uuid(PioneerHelpBranch::SetBy))
                    .col(timestamp_with_time_zone(PioneerHelpBranch::SetAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(PioneerHelpTransfer::Table)
                    .if_not_exists()
                    .col(uuid(PioneerHelpTransfer::Id).primary_key())
                    .col(uuid(PioneerHelpTransfer::CommitteeId))
                    .col(uuid(PioneerHelpTransfer::MemberId))
                    .col(integer(PioneerHelpTransfer::Half))
                    .col(uuid(PioneerHelpTransfer::FromBranchId))
                    .col(uuid_null(PioneerHelpTransfer::FromGroupId))
                    .col(uuid(PioneerHelpTransfer::ToBranchId))
                    .col(uuid(PioneerHelpTransfer::MovedBy))
                    .col(timestamp_with_time_zone(PioneerHelpTransfer::MovedAt))
                    .col(uuid_null(PioneerHelpTransfer::ReturnedBy))
                    .col(timestamp_with_time_zone_null(
                        PioneerHelpTransfer::ReturnedAt,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_pioneer_help_transfer_member")
                    .table(PioneerHelpTransfer::Table)
                    .col(PioneerHelpTransfer::MemberId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_pioneer_help_transfer_committee")
                    .table(PioneerHelpTransfer::Table)
                    .col(PioneerHelpTransfer::CommitteeId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(PioneerHelpTransfer::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(PioneerHelpBranch::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum PioneerHelpBranch {
    Table,
    CommitteeId,
    BranchId,
    SetBy,
    SetAt,
}

#[derive(DeriveIden)]
enum PioneerHelpTransfer {
    Table,
    Id,
    CommitteeId,
    MemberId,
    Half,
    FromBranchId,
    FromGroupId,
    ToBranchId,
    MovedBy,
    MovedAt,
    ReturnedBy,
    ReturnedAt,
}
