use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Study plans: one per owner (a branch, or a leading cadre) and year.
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(StudyPlan::Table)
                    .if_not_exists()
                    .col(uuid(StudyPlan::Id).primary_key())
                    // `org:{id}` or `member:{id}`.
                    .col(string_len(StudyPlan::Owner, 64))
                    .col(uuid(StudyPlan::OrgId))
                    .col(integer(StudyPlan::Year))
                    // JSON: {title, quarters: [{quarter, arrangement, tasks}], items}.
                    .col(text(StudyPlan::Content))
                    .col(integer(StudyPlan::Revision))
                    .col(uuid(StudyPlan::UpdatedBy))
                    .col(timestamp_with_time_zone(StudyPlan::CreatedAt))
                    .col(timestamp_with_time_zone(StudyPlan::UpdatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_study_plan_owner_year")
                    .table(StudyPlan::Table)
                    .col(StudyPlan::Owner)
                    .col(StudyPlan::Year)
                    .unique()
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(StudyPlan::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum StudyPlan {
    Table,
    Id,
    Owner,
    OrgId,
    Year,
    Content,
    Revision,
    UpdatedBy,
    CreatedAt,
    UpdatedAt,
}
