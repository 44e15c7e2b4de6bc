use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(AuditLog::Table)
                    .if_not_exists()
                    .col(uuid(AuditLog::Id).primary_key())
                    .col(uuid_null(AuditLog::ActorId))
                    .col(string_len(AuditLog::Action, 64))
                    .col(string_len(AuditLog::ObjectType, 64))
                    .col(string_len(AuditLog::ObjectId, 128))
                    .col(uuid_null(AuditLog::OrgId))
                    .col(string_len_null(AuditLog::OrgPath, 512))
                    // No database default: the application's clock decides every time.
                    .col(timestamp_with_time_zone(AuditLog::OccurredAt))
                    .col(string_len_null(AuditLog::RequestId, 128))
                    .to_owned(),
            )
            .await?;
        // Subtree listings: org path prefix range, newest first (ids are time-ordered v7).
        manager
            .create_index(
                Index::create()
                    .name("idx_audit_log_org_path_id")
                    .table(AuditLog::Table)
                    .col(AuditLog::OrgPath)
                    .col(AuditLog::Id)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(AuditLog::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum AuditLog {
    Table,
    Id,
    ActorId,
    Action,
    ObjectType,
    ObjectId,
    OrgId,
    OrgPath,
    OccurredAt,
    RequestId,
}
