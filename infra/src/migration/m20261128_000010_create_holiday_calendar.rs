use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // One row per committee and year; the dates are kept as comma-separated ISO dates.
        manager
            .create_table(
                Table::create()
                    .table(HolidayCalendar::Table)
                    .if_not_exists()
                    .col(uuid(HolidayCalendar::CommitteeId))
                    .col(integer(HolidayCalendar::Year))
                    .col(text(HolidayCalendar::Holidays))
                    .col(text(HolidayCalendar::Workdays))
                    .col(timestamp_with_time_zone(HolidayCalendar::UpdatedAt))
                    .primary_key(
                        Index::create()
                            .col(HolidayCalendar::CommitteeId)
                            .col(HolidayCalendar::Year),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(HolidayCalendar::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum HolidayCalendar {
    Table,
    CommitteeId,
    Year,
    Holidays,
    Workdays,
    UpdatedAt,
}
