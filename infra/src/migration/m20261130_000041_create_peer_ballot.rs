use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The secret peer ballot (党员互评). A ballot names its reviewee and a keyed tag of its
/// reviewer, never the reviewer, and has no timestamp or time-ordered key; who voted is kept
/// apart, without grades; the key of the tags lives in its own table and is deleted when the
/// peer-review stage is over.
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(PeerBallot::Table)
                    .if_not_exists()
                    .col(uuid(PeerBallot::CampaignId))
                    .col(uuid(PeerBallot::RevieweeId))
                    // HMAC-SHA256(campaign secret, reviewer id), 64 hex digits.
                    .col(string_len(PeerBallot::ReviewerTag, 64))
                    .col(string_len(PeerBallot::Overall, 24))
                    // JSON: {<dimension>: <grade>} for the six dimensions.
                    .col(text(PeerBallot::Dimensions))
                    .col(text_null(PeerBallot::Comment))
                    .to_owned(),
            )
            .await?;
        // One ballot per reviewer and reviewee: a second one replaces the first.
        manager
            .create_index(
                Index::create()
                    .name("ux_peer_ballot")
                    .table(PeerBallot::Table)
                    .col(PeerBallot::CampaignId)
                    .col(PeerBallot::RevieweeId)
                    .col(PeerBallot::ReviewerTag)
                    .unique()
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(PeerVoter::Table)
                    .if_not_exists()
                    .col(uuid(PeerVoter::CampaignId))
                    .col(uuid(PeerVoter::ReviewerId))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_peer_voter")
                    .table(PeerVoter::Table)
                    .col(PeerVoter::CampaignId)
                    .col(PeerVoter::ReviewerId)
                    .unique()
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(BallotSecret::Table)
                    .if_not_exists()
                    .col(uuid(BallotSecret::CampaignId).primary_key())
                    // 32 random bytes, 64 hex digits.
                    .col(string_len(BallotSecret::Secret, 64))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(BallotSecret::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(PeerVoter::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(PeerBallot::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum PeerBallot {
    Table,
    CampaignId,
    RevieweeId,
    ReviewerTag,
    Overall,
    Dimensions,
    Comment,
}

#[derive(DeriveIden)]
enum PeerVoter {
    Table,
    CampaignId,
    ReviewerId,
}

#[derive(DeriveIden)]
enum BallotSecret {
    Table,
    CampaignId,
    Secret,
}
