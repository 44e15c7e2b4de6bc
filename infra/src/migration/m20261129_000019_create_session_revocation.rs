use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The record of ended sessions, checked with every access token (the cache only ever held
/// a copy, which a Redis restart lost). One row per ended session family (`id` = `sid`), per
/// logged-out token without a session (`id` = `jti`), or per member whose sessions were all
/// ended (`id` = the member's id, `revoked_at` the latest such moment: every token issued at
/// or before it is refused, whatever happens to the member afterwards).
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(SessionRevocation::Table)
                    .if_not_exists()
                    .col(uuid(SessionRevocation::Id).primary_key())
                    .col(string_len(SessionRevocation::Kind, 16))
                    .col(uuid(SessionRevocation::MemberId))
                    .col(timestamp_with_time_zone(SessionRevocation::RevokedAt))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(SessionRevocation::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum SessionRevocation {
    Table,
    Id,
    Kind,
    MemberId,
    RevokedAt,
}
