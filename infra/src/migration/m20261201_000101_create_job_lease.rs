use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Leases on background jobs: one row per job naming the instance that holds it and until
/// when, so that of the instances running a job's loop one at a time does the work.
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(JobLease::Table)
                    .if_not_exists()
                    .col(string_len(JobLease::Job, 64).primary_key())
                    .col(string_len(JobLease::Owner, 128))
                    .col(timestamp_with_time_zone(JobLease::Until))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(JobLease::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum JobLease {
    Table,
    Job,
    Owner,
    Until,
}
