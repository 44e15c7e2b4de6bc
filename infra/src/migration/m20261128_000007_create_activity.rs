use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Activity::Table)
                    .if_not_exists()
                    .col(uuid(Activity::Id).primary_key())
                    .col(uuid(Activity::BranchId))
                    .col(uuid_null(Activity::GroupId))
                    .col(string_len(Activity::BranchPath, 256))
                    .col(string_len(Activity::Kind, 24))
                    .col(string_len_null(Activity::ThemeCategory, 24))
                    .col(string_len(Activity::Title, 64))
                    .col(string_len_null(Activity::Place, 128))
                    .col(uuid_null(Activity::LecturerId))
                    .col(string_len_null(Activity::LecturerName, 32))
                    .col(boolean(Activity::LecturerIsSecretary))
                    .col(timestamp_with_time_zone(Activity::StartsAt))
                    .col(timestamp_with_time_zone(Activity::EndsAt))
                    .col(timestamp_with_time_zone(Activity::WindowOpensAt))
                    .col(timestamp_with_time_zone(Activity::WindowClosesAt))
                    .col(string_len(Activity::Proof, 16))
                    .col(double_null(Activity::GeoLat))
                    .col(double_null(Activity::GeoLng))
                    .col(double_null(Activity::GeoRadiusM))
                    .col(boolean(Activity::OnlineAllowed))
                    .col(boolean(Activity::QrAutoApprove))
                    .col(string_len(Activity::Status, 16))
                    .col(string_len_null(Activity::CancelReason, 200))
                    .col(uuid(Activity::CreatedBy))
                    .col(timestamp_with_time_zone(Activity::CreatedAt))
                    .col(timestamp_with_time_zone(Activity::UpdatedAt))
                    .to_owned(),
            )
            .await?;
        // "Activities under Y in a month": a prefix range on the branch path, then start time.
        manager
            .create_index(
                Index::create()
                    .name("idx_activity_branch_path_starts")
                    .table(Activity::Table)
                    .col(Activity::BranchPath)
                    .col(Activity::StartsAt)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Activity::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum Activity {
    Table,
    Id,
    BranchId,
    GroupId,
    BranchPath,
    Kind,
    ThemeCategory,
    Title,
    Place,
    LecturerId,
    LecturerName,
    LecturerIsSecretary,
    StartsAt,
    EndsAt,
    WindowOpensAt,
    WindowClosesAt,
    Proof,
    GeoLat,
    GeoLng,
    GeoRadiusM,
    OnlineAllowed,
    QrAutoApprove,
    Status,
    CancelReason,
    CreatedBy,
    CreatedAt,
    UpdatedAt,
}
