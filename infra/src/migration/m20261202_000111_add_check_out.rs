use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Checking out of a service activity (服务奉献): when the member checked out, on their
/// check-in, and the activity a volunteer-hours entry was served at. Both columns stay
/// empty on every row already stored (no check-in was checked out, no entry came from an
/// activity).
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // One column per statement: SQLite alters a table one column at a time.
        manager
            .alter_table(
                Table::alter()
                    .table(CheckIn::Table)
                    .add_column(timestamp_with_time_zone_null(CheckIn::CheckedOutAt))
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(VolunteerHours::Table)
                    .add_column(uuid_null(VolunteerHours::ActivityId))
                    .to_owned(),
            )
            .await?;
        // One entry per member and activity: a check-out writes one, and a check-in is
        // checked out once (the compare-and-set decides a race; this holds whatever code
        // writes next). Rows without an activity (NULL) never collide, in either database.
        manager
            .create_index(
                Index::create()
                    .name("ux_volunteer_hours_activity_member")
                    .table(VolunteerHours::Table)
                    .col(VolunteerHours::ActivityId)
                    .col(VolunteerHours::MemberId)
                    .unique()
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop()
                    .name("ux_volunteer_hours_activity_member")
                    .table(VolunteerHours::Table)
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(VolunteerHours::Table)
                    .drop_column(VolunteerHours::ActivityId)
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(CheckIn::Table)
                    .drop_column(CheckIn::CheckedOutAt)
                    .to_owned(),
            )
            .await
    }
}

#[derive(DeriveIden)]
enum CheckIn {
    Table,
    CheckedOutAt,
}

#[derive(DeriveIden)]
enum VolunteerHours {
    Table,
    ActivityId,
    MemberId,
}
