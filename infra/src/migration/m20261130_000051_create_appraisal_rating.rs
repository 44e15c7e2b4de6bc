use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The organisation's rating of each graded member (组织评定), and members' objections
/// during publication and appeals to the township after it.
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(AppraisalRating::Table)
                    .if_not_exists()
                    .col(uuid(AppraisalRating::CampaignId))
                    .col(uuid(AppraisalRating::MemberId))
                    .col(string_len(AppraisalRating::BranchPath, 512))
                    .col(string_len(AppraisalRating::Grade, 24))
                    .col(text(AppraisalRating::Rationale))
                    // JSON: the negative-list items (1-10) the situation falls under.
                    .col(string_len(AppraisalRating::NegativeItems, 64))
                    .col(uuid(AppraisalRating::RatedBy))
                    .col(timestamp_with_time_zone(AppraisalRating::RatedAt))
                    .primary_key(
                        Index::create()
                            .col(AppraisalRating::CampaignId)
                            .col(AppraisalRating::MemberId),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_appraisal_rating_branch_path")
                    .table(AppraisalRating::Table)
                    .col(AppraisalRating::CampaignId)
                    .col(AppraisalRating::BranchPath)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(AppraisalObjection::Table)
                    .if_not_exists()
                    .col(uuid(AppraisalObjection::CampaignId))
                    .col(uuid(AppraisalObjection::MemberId))
                    // `objection` or `appeal`.
                    .col(string_len(AppraisalObjection::Kind, 16))
                    .col(string_len(AppraisalObjection::BranchPath, 512))
                    .col(text(AppraisalObjection::Reason))
                    .col(timestamp_with_time_zone(AppraisalObjection::LodgedAt))
                    // `upheld` or `rejected`, with the reason, the new grade and who answered.
                    .col(string_len_null(AppraisalObjection::Verdict, 16))
                    .col(text_null(AppraisalObjection::AnswerReason))
                    .col(string_len_null(AppraisalObjection::AnswerGrade, 24))
                    .col(uuid_null(AppraisalObjection::AnsweredBy))
                    .col(timestamp_with_time_zone_null(
                        AppraisalObjection::AnsweredAt,
                    ))
                    .primary_key(
                        Index::create()
                            .col(AppraisalObjection::CampaignId)
                            .col(AppraisalObjection::MemberId)
                            .col(AppraisalObjection::Kind),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(AppraisalObjection::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(AppraisalRating::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum AppraisalRating {
    Table,
    CampaignId,
    MemberId,
    BranchPath,
    Grade,
    Rationale,
    NegativeItems,
    RatedBy,
    RatedAt,
}

#[derive(DeriveIden)]
enum AppraisalObjection {
    Table,
    CampaignId,
    MemberId,
    Kind,
    BranchPath,
    Reason,
    LodgedAt,
    Verdict,
    AnswerReason,
    AnswerGrade,
    AnsweredBy,
    AnsweredAt,
}
