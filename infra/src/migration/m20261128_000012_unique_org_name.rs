use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Siblings have distinct names: a roster names orgs by their names from the committee
/// down, so two `第一党支部` under one general branch would make every later import
/// ambiguous. (Committees have no parent: NULLs never collide, on either backend.)
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_index(
                Index::create()
                    .name("ux_org_parent_name")
                    .table(Org::Table)
                    .col(Org::ParentId)
                    .col(Org::Name)
                    .unique()
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop()
                    .name("ux_org_parent_name")
                    .table(Org::Table)
                    .to_owned(),
            )
            .await
    }
}

#[derive(DeriveIden)]
enum Org {
    Table,
    ParentId,
    Name,
}
