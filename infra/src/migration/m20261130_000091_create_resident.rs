use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Residents (群众): WeChat users who are not Party members and file 96345 requests. One
/// per openid; `last_seen_at` is the openid's last WeChat sign-in, which WeChat's content
/// check needs (within two hours).
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Resident::Table)
                    .if_not_exists()
                    .col(uuid(Resident::Id).primary_key())
                    .col(string_len(Resident::Openid, 128))
                    .col(string_len(Resident::Phone, 11))
                    .col(boolean(Resident::PhoneVerified))
                    .col(string_len_null(Resident::Name, 32))
                    .col(timestamp_with_time_zone(Resident::CreatedAt))
                    .col(timestamp_with_time_zone(Resident::LastSeenAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_resident_openid")
                    .table(Resident::Table)
                    .col(Resident::Openid)
                    .unique()
                    .to_owned(),
            )
            .await?;
        // Operators find a caller's earlier requests by phone.
        manager
            .create_index(
                Index::create()
                    .name("idx_resident_phone")
                    .table(Resident::Table)
                    .col(Resident::Phone)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Resident::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum Resident {
    Table,
    Id,
    Openid,
    Phone,
    PhoneVerified,
    Name,
    CreatedAt,
    LastSeenAt,
}
