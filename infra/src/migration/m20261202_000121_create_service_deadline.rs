use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Each township's deadlines for 96345 requests: the working days to be claimed and to be
/// completed it set for a kind and urgency. No row: the built-in default.
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(ServiceDeadline::Table)
                    .if_not_exists()
                    .col(uuid(ServiceDeadline::CommitteeId))
                    .col(string_len(ServiceDeadline::Kind, 24))
                    .col(string_len(ServiceDeadline::Urgency, 16))
                    .col(integer(ServiceDeadline::ClaimDays))
                    .col(integer(ServiceDeadline::CompleteDays))
                    .col(timestamp_with_time_zone(ServiceDeadline::UpdatedAt))
                    .primary_key(
                        Index::create()
                            .col(ServiceDeadline::CommitteeId)
                            .col(ServiceDeadline::Kind)
                            .col(ServiceDeadline::Urgency),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(ServiceDeadline::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum ServiceDeadline {
    Table,
    CommitteeId,
    Kind,
    Urgency,
    ClaimDays,
    CompleteDays,
    UpdatedAt,
}
