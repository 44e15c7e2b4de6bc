use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// A request's pending extension: more working days asked of the dispatcher.
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // One column per statement: SQLite alters a table one column at a time.
        for col in [
            integer_null(ServiceRequest::ExtensionDays),
            text_null(ServiceRequest::ExtensionReason),
            uuid_null(ServiceRequest::ExtensionBy),
            timestamp_with_time_zone_null(ServiceRequest::ExtensionAt),
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(ServiceRequest::Table)
                        .add_column(col)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for col in [
            ServiceRequest::ExtensionDays,
            ServiceRequest::ExtensionReason,
            ServiceRequest::ExtensionBy,
            ServiceRequest::ExtensionAt,
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(ServiceRequest::Table)
                        .drop_column(col)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden)]
enum ServiceRequest {
    Table,
    ExtensionDays,
    ExtensionReason,
    ExtensionBy,
    ExtensionAt,
}
