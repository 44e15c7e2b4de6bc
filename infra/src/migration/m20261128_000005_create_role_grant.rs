use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(RoleGrant::Table)
                    .if_not_exists()
                    .col(uuid(RoleGrant::Id).primary_key())
                    .col(uuid(RoleGrant::MemberId))
                    .col(string_len(RoleGrant::Kind, 24))
                    .col(uuid(RoleGrant::OrgId))
                    .col(string_len(RoleGrant::OrgPath, 256))
                    .col(boolean(RoleGrant::CanReview))
                    .col(timestamp_with_time_zone(RoleGrant::GrantedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_role_grant_member_kind_org")
                    .table(RoleGrant::Table)
                    .col(RoleGrant::MemberId)
                    .col(RoleGrant::Kind)
                    .col(RoleGrant::OrgId)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_role_grant_org_path")
                    .table(RoleGrant::Table)
                    .col(RoleGrant::OrgPath)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(RoleGrant::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum RoleGrant {
    Table,
    Id,
    MemberId,
    Kind,
    OrgId,
    OrgPath,
    CanReview,
    GrantedAt,
}
