use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Org::Table)
                    .if_not_exists()
                    .col(uuid(Org::Id).primary_key())
                    .col(uuid_null(Org::ParentId))
                    .col(string_len(Org::Kind, 24))
                    .col(string_len(Org::Sector, 24))
                    .col(string_len(Org::Name, 64))
                    .col(string_len(Org::Path, 256))
                    .col(timestamp_with_time_zone(Org::CreatedAt))
                    .col(timestamp_with_time_zone(Org::UpdatedAt))
                    .to_owned(),
            )
            .await?;
        // Subtree queries are prefix ranges over this btree index.
        manager
            .create_index(
                Index::create()
                    .name("ux_org_path")
                    .table(Org::Table)
                    .col(Org::Path)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_org_parent_id")
                    .table(Org::Table)
                    .col(Org::ParentId)
                    .col(Org::Id)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Org::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum Org {
    Table,
    Id,
    ParentId,
    Kind,
    Sector,
    Name,
    Path,
    CreatedAt,
    UpdatedAt,
}
