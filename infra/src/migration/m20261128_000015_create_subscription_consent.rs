use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Members' consents to WeChat subscribe-message templates: one consent, one message.
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(SubscriptionConsent::Table)
                    .if_not_exists()
                    .col(uuid(SubscriptionConsent::MemberId))
                    .col(string_len(SubscriptionConsent::TemplateId, 64))
                    .col(integer(SubscriptionConsent::Balance))
                    .col(timestamp_with_time_zone(SubscriptionConsent::UpdatedAt))
                    .primary_key(
                        Index::create()
                            .col(SubscriptionConsent::MemberId)
                            .col(SubscriptionConsent::TemplateId),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(SubscriptionConsent::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum SubscriptionConsent {
    Table,
    MemberId,
    TemplateId,
    Balance,
    UpdatedAt,
}
