use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(ExternalIdentity::Table)
                    .if_not_exists()
                    .col(string_len(ExternalIdentity::Provider, 16))
                    .col(string_len(ExternalIdentity::Subject, 128))
                    .col(uuid(ExternalIdentity::MemberId))
                    .col(timestamp_with_time_zone(ExternalIdentity::LinkedAt))
                    .primary_key(
                        Index::create()
                            .col(ExternalIdentity::Provider)
                            .col(ExternalIdentity::Subject),
                    )
                    .to_owned(),
            )
            .await?;
        // One account per provider and member.
        manager
            .create_index(
                Index::create()
                    .name("ux_external_identity_provider_member")
                    .table(ExternalIdentity::Table)
                    .col(ExternalIdentity::Provider)
                    .col(ExternalIdentity::MemberId)
                    .unique()
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(ExternalIdentity::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum ExternalIdentity {
    Table,
    Provider,
    Subject,
    MemberId,
    LinkedAt,
}
