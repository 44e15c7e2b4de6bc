use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The push outbox: messages (unique by key) and one delivery per member and message.
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(PushMessage::Table)
                    .if_not_exists()
                    .col(uuid(PushMessage::Id).primary_key())
                    .col(string_len(PushMessage::Key, 128).unique_key())
                    .col(string_len(PushMessage::Subject, 96))
                    .col(string_len(PushMessage::Kind, 16))
                    .col(string_len(PushMessage::TemplateId, 64))
                    .col(string_len(PushMessage::Page, 256))
                    // JSON: [[key, value], …], already cut to WeChat's limits.
                    .col(text(PushMessage::Fields))
                    .col(timestamp_with_time_zone(PushMessage::CreatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_push_message_subject")
                    .table(PushMessage::Table)
                    .col(PushMessage::Subject)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(PushDelivery::Table)
                    .if_not_exists()
                    .col(uuid(PushDelivery::Id).primary_key())
                    .col(uuid(PushDelivery::MessageId))
                    .col(uuid(PushDelivery::MemberId))
                    .col(string_len(PushDelivery::Status, 16))
                    .col(integer(PushDelivery::Attempts))
                    .col(timestamp_with_time_zone(PushDelivery::NextAttemptAt))
                    .col(string_len_null(PushDelivery::LeaseOwner, 64))
                    .col(timestamp_with_time_zone_null(PushDelivery::LeaseUntil))
                    .col(string_len_null(PushDelivery::LastError, 256))
                    .col(timestamp_with_time_zone_null(PushDelivery::SentAt))
                    .col(timestamp_with_time_zone(PushDelivery::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(PushDelivery::Table, PushDelivery::MessageId)
                            .to(PushMessage::Table, PushMessage::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        // At most one delivery per member and message.
        manager
            .create_index(
                Index::create()
                    .name("ux_push_delivery_message_member")
                    .table(PushDelivery::Table)
                    .col(PushDelivery::MessageId)
                    .col(PushDelivery::MemberId)
                    .unique()
                    .to_owned(),
            )
            .await?;
        // The worker's scans: due pending deliveries; expired leases.
        manager
            .create_index(
                Index::create()
                    .name("idx_push_delivery_status_next")
                    .table(PushDelivery::Table)
                    .col(PushDelivery::Status)
                    .col(PushDelivery::NextAttemptAt)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(PushDelivery::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(PushMessage::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum PushMessage {
    Table,
    Id,
    Key,
    Subject,
    Kind,
    TemplateId,
    Page,
    Fields,
    CreatedAt,
}

#[derive(DeriveIden)]
enum PushDelivery {
    Table,
    Id,
    MessageId,
    MemberId,
    Status,
    Attempts,
    NextAttemptAt,
    LeaseOwner,
    LeaseUntil,
    LastError,
    SentAt,
    UpdatedAt,
}
