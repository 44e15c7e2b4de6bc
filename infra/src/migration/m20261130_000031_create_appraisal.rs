use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Appraisal (民主评议党员): campaigns, the roster each took when it opened, and the members'
/// self-assessments. What the campaign fixes at opening (schedule, lists) and what a member
/// writes (the assessment's content) are kept as JSON text, read and written whole.
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(AppraisalCampaign::Table)
                    .if_not_exists()
                    .col(uuid(AppraisalCampaign::Id).primary_key())
                    .col(uuid(AppraisalCampaign::OrgId))
                    .col(string_len(AppraisalCampaign::OrgPath, 512))
                    .col(string_len(AppraisalCampaign::Name, 100))
                    // `2027-H1` or `2027`.
                    .col(string_len(AppraisalCampaign::Period, 7))
                    .col(uuid_null(AppraisalCampaign::MeetingId))
                    // JSON: {<stage>: {startsOn, endsOn}} for the five stages.
                    .col(text(AppraisalCampaign::Schedule))
                    // JSON: five RFC 3339 instants or nulls, in stage order.
                    .col(text(AppraisalCampaign::BegunEarly))
                    .col(string_len(AppraisalCampaign::PeerScope, 16))
                    // JSON: arrays of the 双十条 items as the campaign words them.
                    .col(text(AppraisalCampaign::PositiveList))
                    .col(text(AppraisalCampaign::NegativeList))
                    .col(integer(AppraisalCampaign::ExcellentNumerator))
                    .col(integer(AppraisalCampaign::ExcellentDenominator))
                    // `not_started`, `open:<stage>`, `ended:<stage>` or `closed`.
                    .col(string_len(AppraisalCampaign::Recorded, 32))
                    .col(uuid(AppraisalCampaign::CreatedBy))
                    .col(timestamp_with_time_zone(AppraisalCampaign::CreatedAt))
                    .col(timestamp_with_time_zone(AppraisalCampaign::UpdatedAt))
                    .to_owned(),
            )
            .await?;
        // Campaigns held on an org, or anywhere in a subtree: an exact match or a range scan.
        manager
            .create_index(
                Index::create()
                    .name("idx_appraisal_campaign_org_path")
                    .table(AppraisalCampaign::Table)
                    .col(AppraisalCampaign::OrgPath)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(AppraisalParticipant::Table)
                    .if_not_exists()
                    .col(uuid(AppraisalParticipant::CampaignId))
                    .col(uuid(AppraisalParticipant::MemberId))
                    .col(string_len(AppraisalParticipant::Name, 64))
                    .col(uuid(AppraisalParticipant::BranchId))
                    .col(string_len(AppraisalParticipant::BranchPath, 512))
                    .col(uuid_null(AppraisalParticipant::GroupId))
                    .col(boolean(AppraisalParticipant::Probationary))
                    .col(string_len_null(AppraisalParticipant::ExcusedReason, 200))
                    .col(uuid_null(AppraisalParticipant::ExcusedBy))
                    .col(timestamp_with_time_zone_null(
                        AppraisalParticipant::ExcusedAt,
                    ))
                    .to_owned(),
            )
            .await?;
        // A member takes part in a campaign once.
        manager
            .create_index(
                Index::create()
                    .name("ux_appraisal_participant")
                    .table(AppraisalParticipant::Table)
                    .col(AppraisalParticipant::CampaignId)
                    .col(AppraisalParticipant::MemberId)
                    .unique()
                    .to_owned(),
            )
            .await?;
        // A secretary's roster: a campaign's participants under a branch, in path order.
        manager
            .create_index(
                Index::create()
                    .name("idx_appraisal_participant_branch_path")
                    .table(AppraisalParticipant::Table)
                    .col(AppraisalParticipant::CampaignId)
                    .col(AppraisalParticipant::BranchPath)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(SelfAssessment::Table)
                    .if_not_exists()
                    .col(uuid(SelfAssessment::CampaignId))
                    .col(uuid(SelfAssessment::MemberId))
                    .col(string_len(SelfAssessment::BranchPath, 512))
                    // JSON: the assessment's content (dimensions, lists, looks, problems).
                    .col(text(SelfAssessment::Content))
                    // Counts the saves; the ETag a client sends back (If-Match).
                    .col(big_integer(SelfAssessment::Version))
                    .col(string_len(SelfAssessment::Status, 16))
                    .col(timestamp_with_time_zone_null(SelfAssessment::SubmittedAt))
                    .col(text_null(SelfAssessment::Reopened))
                    .col(timestamp_with_time_zone(SelfAssessment::UpdatedAt))
                    .to_owned(),
            )
            .await?;
        // One self-assessment per member and campaign: a second first save conflicts.
        manager
            .create_index(
                Index::create()
                    .name("ux_self_assessment")
                    .table(SelfAssessment::Table)
                    .col(SelfAssessment::CampaignId)
                    .col(SelfAssessment::MemberId)
                    .unique()
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(SelfAssessment::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(AppraisalParticipant::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(AppraisalCampaign::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum AppraisalCampaign {
    Table,
    Id,
    OrgId,
    OrgPath,
    Name,
    Period,
    MeetingId,
    Schedule,
    BegunEarly,
    PeerScope,
    PositiveList,
    NegativeList,
    ExcellentNumerator,
    ExcellentDenominator,
    Recorded,
    CreatedBy,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum AppraisalParticipant {
    Table,
    CampaignId,
    MemberId,
    Name,
    BranchId,
    BranchPath,
    GroupId,
    Probationary,
    ExcusedReason,
    ExcusedBy,
    ExcusedAt,
}

#[derive(DeriveIden)]
enum SelfAssessment {
    Table,
    CampaignId,
    MemberId,
    BranchPath,
    Content,
    Version,
    Status,
    SubmittedAt,
    Reopened,
    UpdatedAt,
}
