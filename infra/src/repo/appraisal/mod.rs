//! Appraisal campaigns, their participants and self-assessments. What a campaign fixes when
//! it opens (the schedule, the 双十条 wording) and a self-assessment's content are JSON text,
//! read and written whole; anything stored that no longer parses is an error, never a panic.

mod ballot;
mod rating;
mod rectification;

use std::collections::BTreeMap;

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, EntityTrait, FromQueryResult,
    JoinType, QueryFilter, QueryOrder, QuerySelect, RelationDef, TryInsertResult,
};
use serde::{de::DeserializeOwned, Deserialize, Serialize};

use super::{any_subtree, fetch_all, page_by_id, subtree, IdOrder, Repos};
use crate::entity::{appraisal_campaign, appraisal_participant, self_assessment};
use crate::error::map_db_err;
use domain::activity::ActivityId;
use domain::appraisal::{
    AppraisalRepo, AssessmentProgress, AssessmentStatus, Campaign, CampaignId, CampaignQuery,
    Excusal, Participant, PeerScope, Period, Schedule, SelfAssessment, Share, Stage, StageClock,
    StageDates, Standing,
};
use domain::error::RepoError;
use domain::org::{MemberId, OrgId, OrgPath};
use domain::page::{Page, PageRequest};

/// Participants written per INSERT: ten columns each keeps a statement under SQLite's
/// historical limit of 999 bound parameters.
const PARTICIPANTS_PER_INSERT: usize = 90;

pub(super) fn corrupt(what: &str, detail: impl std::fmt::Display) -> RepoError {
    RepoError::Other(format!("stored {what} is invalid: {detail}").into())
}

pub(super) fn path(raw: &str) -> Result<OrgPath, RepoError> {
    OrgPath::parse(raw).ok_or_else(|| corrupt("org path", raw))
}

pub(super) fn to_json<T: Serialize + ?Sized>(what: &str, value: &T) -> Result<String, RepoError> {
    serde_json::to_string(value)
        .map_err(|e| RepoError::Other(format!("{what} does not serialise: {e}").into()))
}

pub(super) fn from_json<T: DeserializeOwned>(what: &str, raw: &str) -> Result<T, RepoError> {
    serde_json::from_str(raw).map_err(|e| corrupt(what, e))
}

/// One stage's dates in the stored schedule.
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct DatesJson {
    starts_on: NaiveDate,
    ends_on: NaiveDate,
}

/// The schedule as stored: an object keyed by the stages' wire names.
fn schedule_json(schedule: &Schedule) -> Result<String, RepoError> {
    let by_stage: BTreeMap<&str, DatesJson> = Stage::ALL
        .into_iter()
        .map(|s| {
            let d = schedule.dates(s);
            (
                s.as_str(),
                DatesJson {
                    starts_on: d.starts_on,
                    ends_on: d.ends_on,
                },
            )
        })
        .collect();
    to_json("schedule", &by_stage)
}

fn parse_schedule(raw: &str) -> Result<Schedule, RepoError> {
    let mut by_stage: BTreeMap<String, DatesJson> = from_json("schedule", raw)?;
    let mut dates = Vec::with_capacity(Stage::ALL.len());
    for stage in Stage::ALL {
        let d = by_stage
            .remove(stage.as_str())
            .ok_or_else(|| corrupt("schedule", format!("no dates for {}", stage.as_str())))?;
        dates.push(StageDates {
            starts_on: d.starts_on,
            ends_on: d.ends_on,
        });
    }
    if let Some(extra) = by_stage.keys().next() {
        return Err(corrupt("schedule", format!("unknown stage {extra}")));
    }
    let dates: [StageDates; 5] = dates
        .try_into()
        .map_err(|_| corrupt("schedule", "not five stages"))?;
    Schedule::new(dates).map_err(|errors| {
        let pointers: Vec<&str> = errors.iter().map(|e| e.pointer.as_str()).collect();
        corrupt(
            "schedule",
            format!("out of order at {}", pointers.join(", ")),
        )
    })
}

fn u32_of(what: &str, n: i32) -> Result<u32, RepoError> {
    u32::try_from(n).map_err(|_| corrupt(what, n))
}

fn i32_of(what: &str, n: u32) -> Result<i32, RepoError> {
    i32::try_from(n).map_err(|_| RepoError::Other(format!("{what} out of range: {n}").into()))
}

fn campaign_to_domain(r: appraisal_campaign::Model) -> Result<Campaign, RepoError> {
    let schedule = parse_schedule(&r.schedule)?;
    let begun_early: [Option<DateTime<Utc>>; 5] = from_json("early starts", &r.begun_early)?;
    let share = Share::new(
        u32_of("excellent share", r.excellent_numerator)?,
        u32_of("excellent share", r.excellent_denominator)?,
    )
    .ok_or_else(|| {
        corrupt(
            "excellent share",
            format!("{}/{}", r.excellent_numerator, r.excellent_denominator),
        )
    })?;
    Ok(Campaign {
        id: CampaignId::from_uuid(r.id),
        org_id: OrgId::from_uuid(r.org_id),
        org_path: path(&r.org_path)?,
        name: r.name,
        period: Period::parse(&r.period).ok_or_else(|| corrupt("period", &r.period))?,
        meeting_id: r.meeting_id.map(ActivityId::from_uuid),
        stages: StageClock::restore(schedule, begun_early),
        peer_scope: PeerScope::parse(&r.peer_scope)
            .ok_or_else(|| corrupt("peer scope", &r.peer_scope))?,
        positive_list: from_json("positive list", &r.positive_list)?,
        negative_list: from_json("negative list", &r.negative_list)?,
        excellent_share: share,
        recorded: Standing::from_key(&r.recorded)
            .ok_or_else(|| corrupt("recorded standing", &r.recorded))?,
        created_by: MemberId::from_uuid(r.created_by),
        created_at: r.created_at,
        updated_at: r.updated_at,
    })
}

fn campaign_row(c: &Campaign) -> Result<appraisal_campaign::ActiveModel, RepoError> {
    Ok(appraisal_campaign::ActiveModel {
        id: Set(c.id.as_uuid()),
        org_id: Set(c.org_id.as_uuid()),
        org_path: Set(c.org_path.as_str().to_owned()),
        name: Set(c.name.clone()),
        period: Set(c.period.to_string()),
        meeting_id: Set(c.meeting_id.map(|m| m.as_uuid())),
        schedule: Set(schedule_json(c.stages.schedule())?),
        begun_early: Set(to_json("early starts", c.stages.begun_early())?),
        peer_scope: Set(c.peer_scope.as_str().to_owned()),
        positive_list: Set(to_json("positive list", &c.positive_list)?),
        negative_list: Set(to_json("negative list", &c.negative_list)?),
        excellent_numerator: Set(i32_of("excellent share", c.excellent_share.numerator)?),
        excellent_denominator: Set(i32_of("excellent share", c.excellent_share.denominator)?),
        recorded: Set(c.recorded.key()),
        created_by: Set(c.created_by.as_uuid()),
        created_at: Set(c.created_at),
        updated_at: Set(c.updated_at),
    })
}

fn participant_to_domain(r: appraisal_participant::Model) -> Result<Participant, RepoError> {
    let excused = match (r.excused_reason, r.excused_by, r.excused_at) {
        (Some(reason), Some(by), Some(at)) => Some(Excusal {
            reason,
            by: MemberId::from_uuid(by),
            at,
        }),
        (None, None, None) => None,
        _ => {
            return Err(corrupt(
                "excusal",
                format!("partial for member {}", r.member_id),
            ))
        }
    };
    Ok(Participant {
        campaign_id: CampaignId::from_uuid(r.campaign_id),
        member_id: MemberId::from_uuid(r.member_id),
        name: r.name,
        branch_id: OrgId::from_uuid(r.branch_id),
        branch_path: path(&r.branch_path)?,
        group_id: r.group_id.map(OrgId::from_uuid),
        probationary: r.probationary,
        excused,
    })
}

fn participant_row(p: &Participant) -> appraisal_participant::ActiveModel {
    appraisal_participant::ActiveModel {
        campaign_id: Set(p.campaign_id.as_uuid()),
        member_id: Set(p.member_id.as_uuid()),
        name: Set(p.name.clone()),
        branch_id: Set(p.branch_id.as_uuid()),
        branch_path: Set(p.branch_path.as_str().to_owned()),
        group_id: Set(p.group_id.map(|g| g.as_uuid())),
        probationary: Set(p.probationary),
        excused_reason: Set(p.excused.as_ref().map(|e| e.reason.clone())),
        excused_by: Set(p.excused.as_ref().map(|e| e.by.as_uuid())),
        excused_at: Set(p.excused.as_ref().map(|e| e.at)),
    }
}

fn status(raw: &str) -> Result<AssessmentStatus, RepoError> {
    AssessmentStatus::parse(raw).ok_or_else(|| corrupt("assessment status", raw))
}

fn assessment_to_domain(r: self_assessment::Model) -> Result<SelfAssessment, RepoError> {
    Ok(SelfAssessment {
        campaign_id: CampaignId::from_uuid(r.campaign_id),
        member_id: MemberId::from_uuid(r.member_id),
        branch_path: path(&r.branch_path)?,
        content: from_json("self-assessment content", &r.content)?,
        version: r.version,
        status: status(&r.status)?,
        submitted_at: r.submitted_at,
        reopened: r.reopened,
        updated_at: r.updated_at,
    })
}

/// A participant with the status columns of their self-assessment, if any (a LEFT JOIN).
#[derive(Debug, FromQueryResult)]
struct ProgressRow {
    #[sea_orm(nested)]
    participant: appraisal_participant::Model,
    assessment_status: Option<String>,
    assessment_submitted_at: Option<DateTime<Utc>>,
}

fn assessment_of_participant() -> RelationDef {
    use appraisal_participant::Column as P;
    use self_assessment::Column as S;
    appraisal_participant::Entity::belongs_to(self_assessment::Entity)
        .from((P::CampaignId, P::MemberId))
        .to((S::CampaignId, S::MemberId))
        .into()
}

/// A campaign's participants whose branch lies under `under`, in the roster's order.
fn roster(campaign: CampaignId, under: &OrgPath) -> sea_orm::Select<appraisal_participant::Entity> {
    use appraisal_participant::Column as P;
    appraisal_participant::Entity::find()
        .filter(P::CampaignId.eq(campaign.as_uuid()))
        .filter(subtree(P::BranchPath, under))
        .order_by_asc(P::BranchPath)
        .order_by_asc(P::Name)
        .order_by_asc(P::MemberId)
}

#[async_trait]
impl<C: ConnectionTrait + Send + Sync> AppraisalRepo for Repos<C> {
    async fn insert_campaign(
        &self,
        campaign: &Campaign,
        participants: &[Participant],
    ) -> Result<(), RepoError> {
        appraisal_campaign::Entity::insert(campaign_row(campaign)?)
            .exec_without_returning(&self.conn)
            .await
            .map_err(map_db_err)?;
        for chunk in participants.chunks(PARTICIPANTS_PER_INSERT) {
            appraisal_participant::Entity::insert_many(chunk.iter().map(participant_row))
                .exec_without_returning(&self.conn)
                .await
                .map_err(map_db_err)?;
        }
        Ok(())
    }

    async fn get_campaign(&self, id: CampaignId) -> Result<Option<Campaign>, RepoError> {
        appraisal_campaign::Entity::find_by_id(id.as_uuid())
            .one(&self.conn)
            .await
            .map_err(map_db_err)?
            .map(campaign_to_domain)
            .transpose()
    }

    async fn update_campaign(&self, campaign: &Campaign) -> Result<(), RepoError> {
        use appraisal_campaign::Column as K;
        let result = appraisal_campaign::Entity::update_many()
            .col_expr(
                K::BegunEarly,
                Expr::value(to_json("early starts", campaign.stages.begun_early())?),
            )
            .col_expr(K::Recorded, Expr::value(campaign.recorded.key()))
            .col_expr(K::UpdatedAt, Expr::value(campaign.updated_at))
            .filter(K::Id.eq(campaign.id.as_uuid()))
            .exec(&self.conn)
            .await
            .map_err(map_db_err)?;
        if result.rows_affected == 0 {
            return Err(RepoError::NotFound);
        }
        Ok(())
    }

    async fn record_standing(
        &self,
        id: CampaignId,
        from: Standing,
        to: Standing,
        at: DateTime<Utc>,
    ) -> Result<bool, RepoError> {
        use appraisal_campaign::Column as K;
        let result = appraisal_campaign::Entity::update_many()
            .col_expr(K::Recorded, Expr::value(to.key()))
            .col_expr(K::UpdatedAt, Expr::value(at))
            .filter(K::Id.eq(id.as_uuid()))
            .filter(K::Recorded.eq(from.key()))
            .exec(&self.conn)
            .await
            .map_err(map_db_err)?;
        Ok(result.rows_affected == 1)
    }

    async fn unsettled_campaigns(&self) -> Result<Vec<CampaignId>, RepoError> {
        use appraisal_campaign::Column as K;
        let ids: Vec<uuid::Uuid> = appraisal_campaign::Entity::find()
            .select_only()
            .column(K::Id)
            .filter(K::Recorded.ne(Standing::Closed.key()))
            .order_by_asc(K::Id)
            .into_tuple()
            .all(&self.conn)
            .await
            .map_err(map_db_err)?;
        Ok(ids.into_iter().map(CampaignId::from_uuid).collect())
    }

    async fn list_campaigns(
        &self,
        query: &CampaignQuery,
        page: &PageRequest,
    ) -> Result<Page<Campaign>, RepoError> {
        use appraisal_campaign::Column as K;
        if query.on.is_empty() && query.under.is_empty() {
            return Ok(Page {
                items: Vec::new(),
                next: None,
            });
        }
        let mut seen = Condition::any();
        if !query.on.is_empty() {
            seen = seen.add(K::OrgPath.is_in(query.on.iter().map(|p| p.as_str().to_owned())));
        }
        let seen = seen.add(any_subtree(K::OrgPath, &query.under));
        page_by_id(
            &self.conn,
            appraisal_campaign::Entity::find().filter(seen),
            IdOrder::Newest,
            K::Id,
            page,
            campaign_to_domain,
            |c| c.id.as_uuid(),
        )
        .await
    }

    async fn participant(
        &self,
        campaign: CampaignId,
        member: MemberId,
    ) -> Result<Option<Participant>, RepoError> {
        appraisal_participant::Entity::find_by_id((campaign.as_uuid(), member.as_uuid()))
            .one(&self.conn)
            .await
            .map_err(map_db_err)?
            .map(participant_to_domain)
            .transpose()
    }

    async fn participants(
        &self,
        campaign: CampaignId,
        under: &OrgPath,
    ) -> Result<Vec<Participant>, RepoError> {
        fetch_all(&self.conn, roster(campaign, under), participant_to_domain).await
    }

    async fn set_excusal(
        &self,
        campaign: CampaignId,
        member: MemberId,
        excusal: Option<&Excusal>,
    ) -> Result<(), RepoError> {
        use appraisal_participant::Column as P;
        let result = appraisal_participant::Entity::update_many()
            .col_expr(
                P::ExcusedReason,
                Expr::value(excusal.map(|e| e.reason.clone())),
            )
            .col_expr(P::ExcusedBy, Expr::value(excusal.map(|e| e.by.as_uuid())))
            .col_expr(P::ExcusedAt, Expr::value(excusal.map(|e| e.at)))
            .filter(P::CampaignId.eq(campaign.as_uuid()))
            .filter(P::MemberId.eq(member.as_uuid()))
            .exec(&self.conn)
            .await
            .map_err(map_db_err)?;
        if result.rows_affected == 0 {
            return Err(RepoError::NotFound);
        }
        Ok(())
    }

    async fn assessment(
        &self,
        campaign: CampaignId,
        member: MemberId,
    ) -> Result<Option<SelfAssessment>, RepoError> {
        self_assessment::Entity::find_by_id((campaign.as_uuid(), member.as_uuid()))
            .one(&self.conn)
            .await
            .map_err(map_db_err)?
            .map(assessment_to_domain)
            .transpose()
    }

    /// The version stored is `expected + 1` whatever `assessment.version` says: storage
    /// counts the saves, so two writers that both read `expected` can never both succeed.
    async fn save_assessment(
        &self,
        assessment: &SelfAssessment,
        expected: i64,
    ) -> Result<bool, RepoError> {
        use self_assessment::Column as S;
        let content = to_json("self-assessment content", &assessment.content)?;
        let version = expected
            .checked_add(1)
            .ok_or_else(|| RepoError::Other("self-assessment version overflows".into()))?;
        if expected == 0 {
            let row = self_assessment::ActiveModel {
                campaign_id: Set(assessment.campaign_id.as_uuid()),
                member_id: Set(assessment.member_id.as_uuid()),
                branch_path: Set(assessment.branch_path.as_str().to_owned()),
                content: Set(content),
                version: Set(version),
                status: Set(assessment.status.as_str().to_owned()),
                submitted_at: Set(assessment.submitted_at),
                reopened: Set(assessment.reopened.clone()),
                updated_at: Set(assessment.updated_at),
            };
            // ON CONFLICT DO NOTHING: a save that lost the race to the first one is an
            // answer, not an error, and leaves a PostgreSQL transaction usable.
            let result = self_assessment::Entity::insert(row)
                .on_conflict_do_nothing_on([S::CampaignId, S::MemberId])
                .exec_without_returning(&self.conn)
                .await
                .map_err(map_db_err)?;
            return Ok(matches!(result, TryInsertResult::Inserted(1)));
        }
        let result = self_assessment::Entity::update_many()
            .col_expr(S::Content, Expr::value(content))
            .col_expr(S::Version, Expr::value(version))
            .col_expr(S::Status, Expr::value(assessment.status.as_str()))
            .col_expr(S::SubmittedAt, Expr::value(assessment.submitted_at))
            .col_expr(S::Reopened, Expr::value(assessment.reopened.clone()))
            .col_expr(S::UpdatedAt, Expr::value(assessment.updated_at))
            .filter(S::CampaignId.eq(assessment.campaign_id.as_uuid()))
            .filter(S::MemberId.eq(assessment.member_id.as_uuid()))
            .filter(S::Version.eq(expected))
            .exec(&self.conn)
            .await
            .map_err(map_db_err)?;
        Ok(result.rows_affected == 1)
    }

    async fn progress(
        &self,
        campaign: CampaignId,
        under: &OrgPath,
    ) -> Result<Vec<AssessmentProgress>, RepoError> {
        use self_assessment::Column as S;
        let rows = roster(campaign, under)
            .join(JoinType::LeftJoin, assessment_of_participant())
            .column_as(S::Status, "assessment_status")
            .column_as(S::SubmittedAt, "assessment_submitted_at")
            .into_model::<ProgressRow>()
            .all(&self.conn)
            .await
            .map_err(map_db_err)?;
        rows.into_iter()
            .map(|r| {
                Ok(AssessmentProgress {
                    participant: participant_to_domain(r.participant)?,
                    status: match r.assessment_status {
                        Some(s) => status(&s)?,
                        None => AssessmentStatus::NotStarted,
                    },
                    submitted_at: r.assessment_submitted_at,
                })
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stored(schedule: &str, begun_early: &str, recorded: &str) -> appraisal_campaign::Model {
        appraisal_campaign::Model {
            id: uuid::Uuid::nil(),
            org_id: uuid::Uuid::nil(),
            org_path: format!("/{}/", uuid::Uuid::nil().simple()),
            name: "2027年上半年民主评议党员".into(),
            period: "2027-H1".into(),
            meeting_id: None,
            schedule: schedule.into(),
            begun_early: begun_early.into(),
            peer_scope: "branch".into(),
            positive_list: "[]".into(),
            negative_list: "[]".into(),
            excellent_numerator: 1,
            excellent_denominator: 3,
            recorded: recorded.into(),
            created_by: uuid::Uuid::nil(),
            created_at: DateTime::UNIX_EPOCH,
            updated_at: DateTime::UNIX_EPOCH,
        }
    }

    const SCHEDULE: &str = r#"{
        "mobilisation": {"startsOn": "2027-07-01", "endsOn": "2027-07-01"},
        "self_assessment": {"startsOn": "2027-07-02", "endsOn": "2027-07-10"},
        "peer_review": {"startsOn": "2027-07-12", "endsOn": "2027-07-15"},
        "rating": {"startsOn": "2027-07-16", "endsOn": "2027-07-20"},
        "publication": {"startsOn": "2027-07-21", "endsOn": "2027-07-27"}
    }"#;
    const NOT_BEGUN: &str = "[null,null,null,null,null]";

    #[test]
    fn a_stored_campaign_in_the_documented_shape_reads_back() {
        let early = r#"["2027-06-20T00:00:00Z",null,null,null,null]"#;
        let c = campaign_to_domain(stored(SCHEDULE, early, "open:mobilisation"))
            .unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(c.recorded, Standing::Open(Stage::Mobilisation));
        assert!(c.stages.begun_early()[0].is_some());
        let again = schedule_json(c.stages.schedule()).unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(parse_schedule(&again).ok(), Some(*c.stages.schedule()));
    }

    #[test]
    fn stored_json_that_does_not_parse_is_an_error_not_a_panic() {
        let swapped = SCHEDULE.replace("2027-07-12", "2027-07-09");
        let renamed = SCHEDULE.replace("rating", "grading");
        for (schedule, early, recorded) in [
            ("{", NOT_BEGUN, "not_started"),
            ("{}", NOT_BEGUN, "not_started"),
            (swapped.as_str(), NOT_BEGUN, "not_started"),
            (renamed.as_str(), NOT_BEGUN, "not_started"),
            (SCHEDULE, "[null,null]", "not_started"),
            (SCHEDULE, r#"["yesterday",null,null,null,null]"#, "closed"),
            (SCHEDULE, NOT_BEGUN, "open:closed"),
        ] {
            let result = campaign_to_domain(stored(schedule, early, recorded));
            assert!(
                matches!(result, Err(RepoError::Other(_))),
                "{schedule} {early} {recorded}: {result:?}"
            );
        }
        let lists = appraisal_campaign::Model {
            positive_list: "not json".into(),
            ..stored(SCHEDULE, NOT_BEGUN, "closed")
        };
        assert!(matches!(
            campaign_to_domain(lists),
            Err(RepoError::Other(_))
        ));
    }
}
