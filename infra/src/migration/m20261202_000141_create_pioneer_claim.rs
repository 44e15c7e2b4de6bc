use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Pioneer-index claims (positive items a member claims with evidence, decided once by
/// their branch) and deductions (negative and zeroing items recorded against a member, with
/// the member's one objection and its one answer). Half years are stored as
/// `HalfYear::ordinal` (20271 for 2027-H1); both tables carry the committee, so data
/// partitions by township.
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(PioneerClaim::Table)
                    .if_not_exists()
                    .col(uuid(PioneerClaim::Id).primary_key())
                    .col(uuid(PioneerClaim::CommitteeId))
                    .col(uuid(PioneerClaim::MemberId))
                    .col(uuid(PioneerClaim::BranchId))
                    .col(string_len(PioneerClaim::BranchPath, 512))
                    .col(integer(PioneerClaim::Half))
                    .col(string_len(PioneerClaim::ItemCode, 32))
                    .col(text(PioneerClaim::Description))
                    // JSON: an array of https links.
                    .col(text(PioneerClaim::Evidence))
                    // `pending`, `approved` or `rejected`; written once more at most.
                    .col(string_len(PioneerClaim::Status, 16))
                    .col(uuid_null(PioneerClaim::DecidedBy))
                    .col(timestamp_with_time_zone_null(PioneerClaim::DecidedAt))
                    .col(string_len_null(PioneerClaim::DecisionReason, 200))
                    .col(timestamp_with_time_zone(PioneerClaim::CreatedAt))
                    .to_owned(),
            )
            .await?;
        // The index computation's read: a township's half year.
        manager
            .create_index(
                Index::create()
                    .name("idx_pioneer_claim_committee_half")
                    .table(PioneerClaim::Table)
                    .col(PioneerClaim::CommitteeId)
                    .col(PioneerClaim::Half)
                    .to_owned(),
            )
            .await?;
        // A member's claims, and their approved ones of an item at approval time.
        manager
            .create_index(
                Index::create()
                    .name("idx_pioneer_claim_member")
                    .table(PioneerClaim::Table)
                    .col(PioneerClaim::MemberId)
                    .col(PioneerClaim::Half)
                    .to_owned(),
            )
            .await?;
        // A branch's or a township's claims (a subtree is a range of paths).
        manager
            .create_index(
                Index::create()
                    .name("idx_pioneer_claim_branch_path")
                    .table(PioneerClaim::Table)
                    .col(PioneerClaim::BranchPath)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(PioneerDeduction::Table)
                    .if_not_exists()
                    .col(uuid(PioneerDeduction::Id).primary_key())
                    .col(uuid(PioneerDeduction::CommitteeId))
                    .col(uuid(PioneerDeduction::MemberId))
                    .col(uuid(PioneerDeduction::BranchId))
                    .col(string_len(PioneerDeduction::BranchPath, 512))
                    .col(integer(PioneerDeduction::Half))
                    .col(string_len(PioneerDeduction::ItemCode, 32))
                    // `negative` or `zeroing`.
                    .col(string_len(PioneerDeduction::Kind, 16))
                    .col(string_len(PioneerDeduction::Reason, 200))
                    .col(uuid(PioneerDeduction::RecordedBy))
                    .col(timestamp_with_time_zone(PioneerDeduction::RecordedAt))
                    // The member's objection, written once.
                    .col(text_null(PioneerDeduction::ObjectionText))
                    .col(timestamp_with_time_zone_null(PioneerDeduction::ObjectedAt))
                    // Its answer, written once.
                    .col(boolean_null(PioneerDeduction::AnswerUpheld))
                    .col(text_null(PioneerDeduction::AnswerReply))
                    .col(uuid_null(PioneerDeduction::AnsweredBy))
                    .col(timestamp_with_time_zone_null(PioneerDeduction::AnsweredAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_pioneer_deduction_committee_half")
                    .table(PioneerDeduction::Table)
                    .col(PioneerDeduction::CommitteeId)
                    .col(PioneerDeduction::Half)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_pioneer_deduction_member")
                    .table(PioneerDeduction::Table)
                    .col(PioneerDeduction::MemberId)
                    .col(PioneerDeduction::Half)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_pioneer_deduction_branch_path")
                    .table(PioneerDeduction::Table)
                    .col(PioneerDeduction::BranchPath)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(PioneerDeduction::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(PioneerClaim::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum PioneerClaim {
    Table,
    Id,
    CommitteeId,
    MemberId,
    BranchId,
    BranchPath,
    Half,
    ItemCode,
    Description,
    Evidence,
    Status,
    DecidedBy,
    DecidedAt,
    DecisionReason,
    CreatedAt,
}

#[derive(DeriveIden)]
enum PioneerDeduction {
    Table,
    Id,
    CommitteeId,
    MemberId,
    BranchId,
    BranchPath,
    Half,
    ItemCode,
    Kind,
    Reason,
    RecordedBy,
    RecordedAt,
    ObjectionText,
    ObjectedAt,
    AnswerUpheld,
    AnswerReply,
    AnsweredBy,
    AnsweredAt,
}
