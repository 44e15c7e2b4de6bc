use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The branches' fortress index (堡垒指数) of a pioneer-index run: one row per branch of the
/// township, the total in hundredths of a point, the breakdown as JSON; gone with its run.
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(PioneerFortress::Table)
                    .if_not_exists()
                    .col(uuid(PioneerFortress::RunId))
                    .col(uuid(PioneerFortress::BranchId))
                    .col(string_len(PioneerFortress::BranchPath, 512))
                    .col(string_len(PioneerFortress::BranchName, 512))
                    .col(big_integer(PioneerFortress::Total))
                    .col(text(PioneerFortress::Lines))
                    .primary_key(
                        Index::create()
                            .col(PioneerFortress::RunId)
                            .col(PioneerFortress::BranchId),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(PioneerFortress::Table, PioneerFortress::RunId)
                            .to(PioneerRun::Table, PioneerRun::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(PioneerFortress::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum PioneerFortress {
    Table,
    RunId,
    BranchId,
    BranchPath,
    BranchName,
    Total,
    Lines,
}

#[derive(DeriveIden)]
enum PioneerRun {
    Table,
    Id,
}
