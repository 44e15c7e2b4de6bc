use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// A member's recent revocations by member: what a near-cache miss reads with the caller
/// (the table is keyed by the revoked id only, and it only grows).
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_index(
                Index::create()
                    .name("ix_session_revocation_member_at")
                    .table(SessionRevocation::Table)
                    .col(SessionRevocation::MemberId)
                    .col(SessionRevocation::RevokedAt)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop()
                    .name("ix_session_revocation_member_at")
                    .table(SessionRevocation::Table)
                    .to_owned(),
            )
            .await
    }
}

#[derive(DeriveIden)]
enum SessionRevocation {
    Table,
    MemberId,
    RevokedAt,
}
