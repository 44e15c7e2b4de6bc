use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// 96345 professional teams (专业队伍) with their memberships, and the append-only
/// volunteer-hours ledger. Every table carries the committee it belongs to, so data
/// partitions by township.
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(VolunteerTeam::Table)
                    .if_not_exists()
                    .col(uuid(VolunteerTeam::Id).primary_key())
                    .col(uuid(VolunteerTeam::CommitteeId))
                    .col(string_len(VolunteerTeam::CommitteePath, 512))
                    .col(string_len(VolunteerTeam::Name, 64))
                    // JSON: an array of skill tags.
                    .col(text(VolunteerTeam::Skills))
                    .col(uuid(VolunteerTeam::LeaderId))
                    // `active` or `dissolved`.
                    .col(string_len(VolunteerTeam::Status, 16))
                    .col(uuid(VolunteerTeam::CreatedBy))
                    .col(timestamp_with_time_zone(VolunteerTeam::CreatedAt))
                    .col(timestamp_with_time_zone(VolunteerTeam::UpdatedAt))
                    .to_owned(),
            )
            .await?;
        // A name once per committee (dissolved teams keep theirs).
        manager
            .create_index(
                Index::create()
                    .name("ux_volunteer_team_committee_name")
                    .table(VolunteerTeam::Table)
                    .col(VolunteerTeam::CommitteeId)
                    .col(VolunteerTeam::Name)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_volunteer_team_leader")
                    .table(VolunteerTeam::Table)
                    .col(VolunteerTeam::LeaderId)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(VolunteerTeamMember::Table)
                    .if_not_exists()
                    .col(uuid(VolunteerTeamMember::TeamId))
                    .col(uuid(VolunteerTeamMember::MemberId))
                    .col(string_len(VolunteerTeamMember::BranchPath, 512))
                    // `pending`, `active`, `rejected`, `left` or `removed`.
                    .col(string_len(VolunteerTeamMember::Status, 16))
                    .col(string_len_null(VolunteerTeamMember::Note, 200))
                    // JSON: an array of skill tags.
                    .col(text(VolunteerTeamMember::Skills))
                    .col(timestamp_with_time_zone(VolunteerTeamMember::RequestedAt))
                    .col(uuid_null(VolunteerTeamMember::DecidedBy))
                    .col(timestamp_with_time_zone_null(
                        VolunteerTeamMember::DecidedAt,
                    ))
                    .col(string_len_null(VolunteerTeamMember::Reason, 200))
                    // One row per team and member.
                    .primary_key(
                        Index::create()
                            .col(VolunteerTeamMember::TeamId)
                            .col(VolunteerTeamMember::MemberId),
                    )
                    .to_owned(),
            )
            .await?;
        // The teams a member belongs to.
        manager
            .create_index(
                Index::create()
                    .name("idx_volunteer_team_member_member")
                    .table(VolunteerTeamMember::Table)
                    .col(VolunteerTeamMember::MemberId)
                    .col(VolunteerTeamMember::Status)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(VolunteerHours::Table)
                    .if_not_exists()
                    .col(uuid(VolunteerHours::Id).primary_key())
                    .col(uuid(VolunteerHours::MemberId))
                    .col(uuid(VolunteerHours::CommitteeId))
                    .col(uuid(VolunteerHours::BranchId))
                    .col(string_len(VolunteerHours::BranchPath, 512))
                    // `service` or `training`.
                    .col(string_len(VolunteerHours::Category, 16))
                    .col(integer(VolunteerHours::Minutes))
                    .col(date(VolunteerHours::OccurredOn))
                    // `request`, `manual` or `correction`.
                    .col(string_len(VolunteerHours::Source, 16))
                    .col(uuid_null(VolunteerHours::RequestId))
                    .col(uuid_null(VolunteerHours::TeamId))
                    .col(uuid_null(VolunteerHours::CorrectsId))
                    .col(string_len(VolunteerHours::Note, 200))
                    // `pending`, `confirmed` or `rejected`; written once more at most.
                    .col(string_len(VolunteerHours::Status, 16))
                    .col(uuid_null(VolunteerHours::DecidedBy))
                    .col(timestamp_with_time_zone_null(VolunteerHours::DecidedAt))
                    .col(string_len_null(VolunteerHours::DecisionReason, 200))
                    .col(uuid(VolunteerHours::RecordedBy))
                    .col(timestamp_with_time_zone(VolunteerHours::CreatedAt))
                    .to_owned(),
            )
            .await?;
        // A request's entries. Not unique: a request reopened after an unsatisfied
        // follow-up is served, and credited, again; one completion per round is the
        // lifecycle's to guarantee.
        manager
            .create_index(
                Index::create()
                    .name("idx_volunteer_hours_request_member")
                    .table(VolunteerHours::Table)
                    .col(VolunteerHours::RequestId)
                    .col(VolunteerHours::MemberId)
                    .to_owned(),
            )
            .await?;
        // A member's ledger (newest first) and their confirmed minutes over a range of days.
        manager
            .create_index(
                Index::create()
                    .name("idx_volunteer_hours_member_day")
                    .table(VolunteerHours::Table)
                    .col(VolunteerHours::MemberId)
                    .col(VolunteerHours::OccurredOn)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_volunteer_hours_corrects")
                    .table(VolunteerHours::Table)
                    .col(VolunteerHours::CorrectsId)
                    .to_owned(),
            )
            .await?;
        // A township's pending entries.
        manager
            .create_index(
                Index::create()
                    .name("idx_volunteer_hours_committee_status")
                    .table(VolunteerHours::Table)
                    .col(VolunteerHours::CommitteeId)
                    .col(VolunteerHours::Status)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            VolunteerHours::Table.into_iden(),
            VolunteerTeamMember::Table.into_iden(),
            VolunteerTeam::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden)]
enum VolunteerTeam {
    Table,
    Id,
    CommitteeId,
    CommitteePath,
    Name,
    Skills,
    LeaderId,
    Status,
    CreatedBy,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum VolunteerTeamMember {
    Table,
    TeamId,
    MemberId,
    BranchPath,
    Status,
    Note,
    Skills,
    RequestedAt,
    DecidedBy,
    DecidedAt,
    Reason,
}

#[derive(DeriveIden)]
enum VolunteerHours {
    Table,
    Id,
    MemberId,
    CommitteeId,
    BranchId,
    BranchPath,
    Category,
    Minutes,
    OccurredOn,
    Source,
    RequestId,
    TeamId,
    CorrectsId,
    Note,
    Status,
    DecidedBy,
    DecidedAt,
    DecisionReason,
    RecordedBy,
    CreatedAt,
}
