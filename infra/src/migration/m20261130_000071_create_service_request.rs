use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// 96345 service requests, the volunteers holding places on them, and the status notes
/// shown to their requesters.
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(ServiceRequest::Table)
                    .if_not_exists()
                    .col(uuid(ServiceRequest::Id).primary_key())
                    .col(uuid(ServiceRequest::CommitteeId))
                    .col(string_len(ServiceRequest::CommitteePath, 512))
                    .col(string_len(ServiceRequest::Kind, 24))
                    .col(string_len(ServiceRequest::Urgency, 16))
                    .col(text(ServiceRequest::Title))
                    .col(text(ServiceRequest::Description))
                    // Personal data (PIPL): null once erased.
                    .col(text_null(ServiceRequest::ContactName))
                    .col(string_len_null(ServiceRequest::ContactPhone, 16))
                    .col(text_null(ServiceRequest::Address))
                    .col(text_null(ServiceRequest::PreferredTime))
                    // JSON arrays.
                    .col(text(ServiceRequest::Tags))
                    .col(text(ServiceRequest::Photos))
                    // `resident`, `member` or `operator`, and who.
                    .col(string_len(ServiceRequest::FilerKind, 16))
                    .col(uuid(ServiceRequest::FilerId))
                    .col(string_len(ServiceRequest::Moderation, 16))
                    .col(string_len(ServiceRequest::State, 16))
                    .col(timestamp_with_time_zone_null(ServiceRequest::PausedSince))
                    .col(integer(ServiceRequest::Capacity))
                    .col(integer(ServiceRequest::Claimed))
                    // `branch`, `team` or `wish_list`, and which.
                    .col(string_len_null(ServiceRequest::AssigneeKind, 16))
                    .col(uuid_null(ServiceRequest::AssigneeId))
                    .col(string_len_null(ServiceRequest::AssigneePath, 512))
                    .col(timestamp_with_time_zone_null(ServiceRequest::ClaimDue))
                    .col(timestamp_with_time_zone_null(ServiceRequest::CompleteDue))
                    .col(text_null(ServiceRequest::Summary))
                    .col(timestamp_with_time_zone_null(ServiceRequest::CompletedAt))
                    .col(small_integer_null(ServiceRequest::Rating))
                    .col(text_null(ServiceRequest::RatingComment))
                    .col(boolean(ServiceRequest::FollowedUp))
                    .col(timestamp_with_time_zone_null(ServiceRequest::ClosedAt))
                    .col(string_len_null(ServiceRequest::ReasonCode, 32))
                    .col(text_null(ServiceRequest::ReasonNote))
                    .col(uuid_null(ServiceRequest::DuplicateOf))
                    .col(timestamp_with_time_zone_null(ServiceRequest::ErasedAt))
                    .col(big_integer(ServiceRequest::Version))
                    .col(timestamp_with_time_zone(ServiceRequest::CreatedAt))
                    .col(timestamp_with_time_zone(ServiceRequest::UpdatedAt))
                    .to_owned(),
            )
            .await?;
        for (name, cols) in [
            (
                "idx_service_request_committee",
                vec![ServiceRequest::CommitteePath],
            ),
            (
                "idx_service_request_assignee",
                vec![ServiceRequest::AssigneePath],
            ),
            ("idx_service_request_filer", vec![ServiceRequest::FilerId]),
            (
                "idx_service_request_state",
                vec![ServiceRequest::State, ServiceRequest::ClosedAt],
            ),
        ] {
            let mut index = Index::create();
            index.name(name).table(ServiceRequest::Table);
            for c in cols {
                index.col(c);
            }
            manager.create_index(index.to_owned()).await?;
        }
        manager
            .create_table(
                Table::create()
                    .table(ServiceClaim::Table)
                    .if_not_exists()
                    .col(uuid(ServiceClaim::RequestId))
                    .col(uuid(ServiceClaim::MemberId))
                    .col(text(ServiceClaim::Name))
                    .col(timestamp_with_time_zone(ServiceClaim::ClaimedAt))
                    .primary_key(
                        Index::create()
                            .col(ServiceClaim::RequestId)
                            .col(ServiceClaim::MemberId),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_service_claim_member")
                    .table(ServiceClaim::Table)
                    .col(ServiceClaim::MemberId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(ServiceNote::Table)
                    .if_not_exists()
                    .col(uuid(ServiceNote::Id).primary_key())
                    .col(uuid(ServiceNote::RequestId))
                    .col(timestamp_with_time_zone(ServiceNote::At))
                    .col(string_len(ServiceNote::State, 16))
                    .col(text(ServiceNote::Note))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_service_note_request")
                    .table(ServiceNote::Table)
                    .col(ServiceNote::RequestId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for t in [
            ServiceNote::Table.into_iden(),
            ServiceClaim::Table.into_iden(),
            ServiceRequest::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(t).to_owned())
                .await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden)]
enum ServiceRequest {
    Table,
    Id,
    CommitteeId,
    CommitteePath,
    Kind,
    Urgency,
    Title,
    Description,
    ContactName,
    ContactPhone,
    Address,
    PreferredTime,
    Tags,
    Photos,
    FilerKind,
    FilerId,
    Moderation,
    State,
    PausedSince,
    Capacity,
    Claimed,
    AssigneeKind,
    AssigneeId,
    AssigneePath,
    ClaimDue,
    CompleteDue,
    Summary,
    CompletedAt,
    Rating,
    RatingComment,
    FollowedUp,
    ClosedAt,
    ReasonCode,
    ReasonNote,
    DuplicateOf,
    ErasedAt,
    Version,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum ServiceClaim {
    Table,
    RequestId,
    MemberId,
    Name,
    ClaimedAt,
}

#[derive(DeriveIden)]
enum ServiceNote {
    Table,
    Id,
    RequestId,
    At,
    State,
    Note,
}
