use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The pioneer index's rule sets: one row per version of a township's rules (never
/// changed), the rules as JSON, the half year it is in force from (as `2027 * 10 + 1`), and
/// the newest half year computed under it.
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(PioneerRuleSet::Table)
                    .if_not_exists()
                    .col(uuid(PioneerRuleSet::Id).primary_key())
                    .col(uuid(PioneerRuleSet::CommitteeId))
                    .col(integer(PioneerRuleSet::Version))
                    .col(integer(PioneerRuleSet::EffectiveHalf))
                    .col(text(PioneerRuleSet::Rules))
                    .col(uuid(PioneerRuleSet::CreatedBy))
                    .col(timestamp_with_time_zone(PioneerRuleSet::CreatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_pioneer_rule_set_committee_version")
                    .table(PioneerRuleSet::Table)
                    .col(PioneerRuleSet::CommitteeId)
                    .col(PioneerRuleSet::Version)
                    .unique()
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(PioneerRuleSet::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum PioneerRuleSet {
    Table,
    Id,
    CommitteeId,
    Version,
    EffectiveHalf,
    Rules,
    CreatedBy,
    CreatedAt,
}
