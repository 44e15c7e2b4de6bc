use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Study points awarded when a member completes a material (capped per day).
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(StudyRecord::Table)
                    .add_column(integer(StudyRecord::Points).default(0))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_study_record_member_completed")
                    .table(StudyRecord::Table)
                    .col(StudyRecord::MemberId)
                    .col(StudyRecord::CompletedAt)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop()
                    .name("idx_study_record_member_completed")
                    .table(StudyRecord::Table)
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(StudyRecord::Table)
                    .drop_column(StudyRecord::Points)
                    .to_owned(),
            )
            .await
    }
}

#[derive(DeriveIden)]
enum StudyRecord {
    Table,
    MemberId,
    CompletedAt,
    Points,
}
