use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Whose session a refresh token belongs to: `member` (every token stored so far) or
/// `resident`; `member_id` holds that principal's id.
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(RefreshToken::Table)
                    .add_column(string_len(RefreshToken::Principal, 16).default("member"))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(RefreshToken::Table)
                    .drop_column(RefreshToken::Principal)
                    .to_owned(),
            )
            .await
    }
}

#[derive(DeriveIden)]
enum RefreshToken {
    Table,
    Principal,
}
