use async_trait::async_trait;

use super::ballot::{Ballot, BallotSecret, ReviewerTag};
use super::campaign::{
    AssessmentStatus, Campaign, CampaignId, Excusal, Participant, SelfAssessment,
};
use super::rating::{Answer, Objection, ObjectionKind, Rating};
use super::rectification::{Rectification, RectificationId};
use super::stage::Standing;
use crate::error::RepoError;
use crate::org::{MemberId, OrgPath};
use crate::page::{Page, PageRequest};

/// Which campaigns a caller sees: those held on one of `on` (the orgs above and at the
/// caller's branch and roles: the campaigns they take part in or that cover what they
/// manage), and those anywhere under one of `under` (the subtrees the caller manages).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CampaignQuery {
    pub on: Vec<OrgPath>,
    pub under: Vec<OrgPath>,
}

/// Storage of the organisation's ratings, and members' objections and appeals.
#[async_trait]
pub trait RatingRepo: Send + Sync {
    async fn rating(
        &self,
        campaign: CampaignId,
        member: MemberId,
    ) -> Result<Option<Rating>, RepoError>;
    /// The ratings of members whose branch lies under `under`.
    async fn ratings(
        &self,
        campaign: CampaignId,
        under: &OrgPath,
    ) -> Result<Vec<Rating>, RepoError>;
    /// Stores the member's rating, replacing the one before.
    async fn put_rating(&self, rating: &Rating) -> Result<(), RepoError>;

    async fn objection(
        &self,
        campaign: CampaignId,
        member: MemberId,
        kind: ObjectionKind,
    ) -> Result<Option<Objection>, RepoError>;
    /// Stores a new objection or appeal; a second of the same kind by the same member is a
    /// conflict.
    async fn insert_objection(&self, objection: &Objection) -> Result<(), RepoError>;
    /// Answers the objection if it is still unanswered; `false` when it was answered
    /// already (or does not exist).
    async fn answer_objection(
        &self,
        campaign: CampaignId,
        member: MemberId,
        kind: ObjectionKind,
        answer: &Answer,
    ) -> Result<bool, RepoError>;
    /// Objections or appeals of members whose branch lies under `under`, oldest first.
    async fn objections(
        &self,
        campaign: CampaignId,
        under: &OrgPath,
        kind: ObjectionKind,
    ) -> Result<Vec<Objection>, RepoError>;
}

/// Storage of the rectification list.
#[async_trait]
pub trait RectificationRepo: Send + Sync {
    /// Replaces the member's lines from their self-assessment that are not done with
    /// `lines` (a submission, again after a reopening).
    async fn replace_from_assessment(
        &self,
        campaign: CampaignId,
        member: MemberId,
        lines: &[Rectification],
    ) -> Result<(), RepoError>;
    async fn insert_rectification(&self, line: &Rectification) -> Result<(), RepoError>;
    async fn rectification(&self, id: RectificationId) -> Result<Option<Rectification>, RepoError>;
    /// Marks the line done (with when and how) or open again (`None`).
    async fn set_done(
        &self,
        id: RectificationId,
        done: Option<&(chrono::DateTime<chrono::Utc>, String)>,
        at: chrono::DateTime<chrono::Utc>,
    ) -> Result<(), RepoError>;
    /// The member's lines in the campaign, by due date.
    async fn rectifications_of(
        &self,
        campaign: CampaignId,
        member: MemberId,
    ) -> Result<Vec<Rectification>, RepoError>;
    /// The lines of members whose branch lies under `under`, by due date.
    async fn rectifications_under(
        &self,
        campaign: CampaignId,
        under: &OrgPath,
    ) -> Result<Vec<Rectification>, RepoError>;
}

/// One participant's self-assessment as the secretary's overview lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AssessmentProgress {
    pub participant: Participant,
    pub status: AssessmentStatus,
    pub submitted_at: Option<chrono::DateTime<chrono::Utc>>,
}

/// Storage of appraisal campaigns, their participants and self-assessments.
#[async_trait]
pub trait AppraisalRepo: Send + Sync {
    /// Stores a new campaign with its participants.
    async fn insert_campaign(
        &self,
        campaign: &Campaign,
        participants: &[Participant],
    ) -> Result<(), RepoError>;
    async fn get_campaign(&self, id: CampaignId) -> Result<Option<Campaign>, RepoError>;
    /// The campaign's stages (early starts), recorded standing and `updated_at`.
    async fn update_campaign(&self, campaign: &Campaign) -> Result<(), RepoError>;
    /// Moves the campaign's recorded standing from `from` to `to`; `false`, and nothing
    /// written, when it is no longer `from` (another writer recorded it first).
    async fn record_standing(
        &self,
        id: CampaignId,
        from: Standing,
        to: Standing,
        at: chrono::DateTime<chrono::Utc>,
    ) -> Result<bool, RepoError>;
    /// Campaigns whose recorded standing is not `closed` yet: the ones the dates may still
    /// move on.
    async fn unsettled_campaigns(&self) -> Result<Vec<CampaignId>, RepoError>;
    /// Campaigns the query selects, newest first.
    async fn list_campaigns(
        &self,
        query: &CampaignQuery,
        page: &PageRequest,
    ) -> Result<Page<Campaign>, RepoError>;

    async fn participant(
        &self,
        campaign: CampaignId,
        member: MemberId,
    ) -> Result<Option<Participant>, RepoError>;
    /// The participants whose branch lies under `under`, by branch path then name.
    async fn participants(
        &self,
        campaign: CampaignId,
        under: &OrgPath,
    ) -> Result<Vec<Participant>, RepoError>;
    /// Records (or, with `None`, withdraws) that the member is excused from the campaign.
    async fn set_excusal(
        &self,
        campaign: CampaignId,
        member: MemberId,
        excusal: Option<&Excusal>,
    ) -> Result<(), RepoError>;

    async fn assessment(
        &self,
        campaign: CampaignId,
        member: MemberId,
    ) -> Result<Option<SelfAssessment>, RepoError>;
    /// Stores `assessment` if the stored one's version is `expected` (0: none stored yet);
    /// `false`, and nothing written, when another write got there first.
    async fn save_assessment(
        &self,
        assessment: &SelfAssessment,
        expected: i64,
    ) -> Result<bool, RepoError>;
    /// Every participant under `under` with where their self-assessment stands.
    async fn progress(
        &self,
        campaign: CampaignId,
        under: &OrgPath,
    ) -> Result<Vec<AssessmentProgress>, RepoError>;
}

/// Storage of the secret peer ballot. Obligations: a ballot row holds its campaign,
/// reviewee, reviewer tag and grades, and nothing else (no reviewer id, no timestamp, no
/// time-ordered id); who voted is stored apart, without grades; reads never hand tags out.
#[async_trait]
pub trait BallotRepo: Send + Sync {
    /// The campaign's ballot secret, while it exists.
    async fn secret(&self, campaign: CampaignId) -> Result<Option<BallotSecret>, RepoError>;
    /// Stores `fresh` as the campaign's secret unless one exists, and returns the one stored
    /// (two first ballots at once agree on one secret).
    async fn create_secret(
        &self,
        campaign: CampaignId,
        fresh: &BallotSecret,
    ) -> Result<BallotSecret, RepoError>;
    /// The campaigns that still hold a ballot secret.
    async fn with_secret(&self) -> Result<Vec<CampaignId>, RepoError>;
    /// Erases the campaign's secret, and with it every link from a stored tag to a member:
    /// the campaign's ballots are rewritten under fresh random tags, in a random order, in
    /// the same unit of work. `false` when there was no secret (nothing changes then).
    async fn erase_secret(&self, campaign: CampaignId) -> Result<bool, RepoError>;
    /// Stores the ballot of the reviewer `tag` on its reviewee, replacing theirs if any (one
    /// statement: insert, or update on `ux_peer_ballot`).
    async fn upsert_ballot(&self, tag: &ReviewerTag, ballot: &Ballot) -> Result<(), RepoError>;
    /// The ballots the reviewer `tag` cast in the campaign.
    async fn ballots_by(
        &self,
        campaign: CampaignId,
        tag: &ReviewerTag,
    ) -> Result<Vec<Ballot>, RepoError>;
    /// Every ballot on a participant whose branch lies under `under`, without tags.
    async fn ballots_under(
        &self,
        campaign: CampaignId,
        under: &OrgPath,
    ) -> Result<Vec<Ballot>, RepoError>;
    /// Records that the member voted (again: nothing changes).
    async fn record_voter(&self, campaign: CampaignId, member: MemberId) -> Result<(), RepoError>;
    /// The voters among the participants under `under`.
    async fn voters(
        &self,
        campaign: CampaignId,
        under: &OrgPath,
    ) -> Result<Vec<MemberId>, RepoError>;
}
