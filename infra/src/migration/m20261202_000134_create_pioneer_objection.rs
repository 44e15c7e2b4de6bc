use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Members' objections to their published pioneer-index results: one per member and run,
/// with the township's one answer.
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(PioneerObjection::Table)
                    .if_not_exists()
                    .col(uuid(PioneerObjection::RunId))
                    .col(uuid(PioneerObjection::MemberId))
                    .col(text(PioneerObjection::Text))
                    .col(timestamp_with_time_zone(PioneerObjection::At))
                    .col(boolean_null(PioneerObjection::Upheld))
                    .col(text_null(PioneerObjection::Reply))
                    .col(uuid_null(PioneerObjection::AnsweredBy))
                    .col(timestamp_with_time_zone_null(PioneerObjection::AnsweredAt))
                    .primary_key(
                        Index::create()
                            .col(PioneerObjection::RunId)
                            .col(PioneerObjection::MemberId),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(PioneerObjection::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum PioneerObjection {
    Table,
    RunId,
    MemberId,
    Text,
    At,
    Upheld,
    Reply,
    AnsweredBy,
    AnsweredAt,
}
