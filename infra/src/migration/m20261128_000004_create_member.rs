use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Member::Table)
                    .if_not_exists()
                    .col(uuid(Member::Id).primary_key())
                    .col(string_len(Member::Name, 32))
                    .col(string_len(Member::Phone, 11))
                    .col(string_len(Member::Category, 24))
                    .col(uuid(Member::BranchId))
                    .col(uuid_null(Member::GroupId))
                    .col(string_len(Member::BranchPath, 256))
                    .col(boolean(Member::LeadingCadre))
                    .col(string_len(Member::Status, 24))
                    .col(timestamp_with_time_zone(Member::CreatedAt))
                    .col(timestamp_with_time_zone(Member::UpdatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_member_phone")
                    .table(Member::Table)
                    .col(Member::Phone)
                    .unique()
                    .to_owned(),
            )
            .await?;
        // "All members under Y": a prefix range on the branch path, in creation order.
        manager
            .create_index(
                Index::create()
                    .name("idx_member_branch_path_id")
                    .table(Member::Table)
                    .col(Member::BranchPath)
                    .col(Member::Id)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Member::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum Member {
    Table,
    Id,
    Name,
    Phone,
    Category,
    BranchId,
    GroupId,
    BranchPath,
    LeadingCadre,
    Status,
    CreatedAt,
    UpdatedAt,
}
