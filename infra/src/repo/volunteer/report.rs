//! The volunteer report's reads: a narrow projection of the month's requests (never their
//! personal columns) and the month's confirmed service minutes.

use std::collections::HashMap;

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, FromQueryResult, QueryFilter, QueryOrder,
    QuerySelect,
};
use uuid::Uuid;

use super::{corrupt, path};
use crate::entity::{service_request, volunteer_hours};
use crate::error::map_db_err;
use crate::repo::Repos;
use domain::error::RepoError;
use domain::org::{OrgId, OrgPath};
use domain::volunteer::{
    Assignee, ReportedMinutes, ReportedRequest, RequestState, ServiceKind, ServiceRequestId,
    TeamId, VolunteerReportRepo,
};

/// Ids per `IN (…)` list: far below either backend's limit on bound parameters.
const IDS_PER_QUERY: usize = 500;

#[derive(FromQueryResult)]
struct RequestRow {
    id: Uuid,
    committee_id: Uuid,
    kind: String,
    state: String,
    paused_since: Option<DateTime<Utc>>,
    assignee_kind: Option<String>,
    assignee_id: Option<Uuid>,
    assignee_path: Option<String>,
    claim_due: Option<DateTime<Utc>>,
    complete_due: Option<DateTime<Utc>>,
    completed_at: Option<DateTime<Utc>>,
    closed_at: Option<DateTime<Utc>>,
    rating: Option<i16>,
    created_at: DateTime<Utc>,
}

fn assignee(kind: Option<&str>, id: Option<Uuid>) -> Result<Option<Assignee>, RepoError> {
    Ok(match (kind, id) {
        (None, _) => None,
        (Some("branch"), Some(id)) => Some(Assignee::Branch(OrgId::from_uuid(id))),
        (Some("team"), Some(id)) => Some(Assignee::Team(TeamId::from_uuid(id))),
        (Some("wish_list"), Some(id)) => Some(Assignee::WishList(OrgId::from_uuid(id))),
        (Some(other), _) => return Err(corrupt("assignee", other)),
    })
}

fn reported(r: RequestRow) -> Result<ReportedRequest, RepoError> {
    Ok(ReportedRequest {
        id: ServiceRequestId::from_uuid(r.id),
        committee_id: OrgId::from_uuid(r.committee_id),
        kind: ServiceKind::parse(&r.kind).ok_or_else(|| corrupt("kind", &r.kind))?,
        state: RequestState::parse(&r.state).ok_or_else(|| corrupt("state", &r.state))?,
        paused: r.paused_since.is_some(),
        assignee: assignee(r.assignee_kind.as_deref(), r.assignee_id)?,
        assignee_path: r.assignee_path.as_deref().map(path).transpose()?,
        claim_due: r.claim_due,
        complete_due: r.complete_due,
        completed_at: r.completed_at,
        closed_at: r.closed_at,
        rating: r
            .rating
            .map(|n| u8::try_from(n).map_err(|e| corrupt("rating", e)))
            .transpose()?,
        created_at: r.created_at,
    })
}

#[derive(FromQueryResult)]
struct MinutesRow {
    committee_id: Uuid,
    branch_id: Uuid,
    branch_path: String,
    minutes: i32,
    request_id: Option<Uuid>,
    team_id: Option<Uuid>,
    corrects_id: Option<Uuid>,
}

#[derive(FromQueryResult)]
struct CorrectedRow {
    id: Uuid,
    request_id: Option<Uuid>,
    team_id: Option<Uuid>,
}

#[derive(FromQueryResult)]
struct AssigneeRow {
    id: Uuid,
    assignee_kind: Option<String>,
    assignee_id: Option<Uuid>,
}

const CONFIRMED: &str = "confirmed";
const SERVICE: &str = "service";

#[async_trait]
impl<C: ConnectionTrait + Send + Sync> VolunteerReportRepo for Repos<C> {
    async fn reported_requests(
        &self,
        committees: &[OrgPath],
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<Vec<ReportedRequest>, RepoError> {
        use service_request::Column as K;
        if committees.is_empty() {
            return Ok(Vec::new());
        }
        let within = |c: K| Condition::all().add(c.gte(from)).add(c.lt(to));
        // The same test as `ServiceRequest::overdue`, and as the list's `overdue` filter.
        let overdue = Condition::all().add(K::PausedSince.is_null()).add(
            Condition::any()
                .add(
                    Condition::all()
                        .add(K::State.eq(RequestState::Accepted.as_str()))
                        .add(
                            Condition::any()
                                .add(K::ClaimDue.lte(now))
                                .add(K::CompleteDue.lte(now)),
                        ),
                )
                .add(
                    Condition::all()
                        .add(K::State.is_in([
                            RequestState::Claimed.as_str(),
                            RequestState::InProgress.as_str(),
                        ]))
                        .add(K::CompleteDue.lte(now)),
                ),
        );
        let rows = service_request::Entity::find()
            .select_only()
            .columns([
                K::Id,
                K::CommitteeId,
                K::Kind,
                K::State,
                K::PausedSince,
                K::AssigneeKind,
                K::AssigneeId,
                K::AssigneePath,
                K::ClaimDue,
                K::CompleteDue,
                K::CompletedAt,
                K::ClosedAt,
                K::Rating,
                K::CreatedAt,
            ])
            .filter(K::CommitteePath.is_in(committees.iter().map(|p| p.as_str().to_owned())))
            .filter(
                Condition::any()
                    .add(within(K::CreatedAt))
                    .add(within(K::CompletedAt))
                    .add(within(K::ClosedAt))
                    .add(overdue),
            )
            .order_by_asc(K::Id)
            .into_model::<RequestRow>()
            .all(&self.conn)
            .await
            .map_err(map_db_err)?;
        rows.into_iter().map(reported).collect()
    }

    async fn confirmed_service_minutes(
        &self,
        committees: &[OrgId],
        first: NaiveDate,
        last: NaiveDate,
    ) -> Result<Vec<ReportedMinutes>, RepoError> {
        use volunteer_hours::Column as H;
        if committees.is_empty() {
            return Ok(Vec::new());
        }
        let rows = volunteer_hours::Entity::find()
            .select_only()
            .columns([
                H::CommitteeId,
                H::BranchId,
                H::BranchPath,
                H::Minutes,
                H::RequestId,
                H::TeamId,
                H::CorrectsId,
            ])
            .filter(H::CommitteeId.is_in(committees.iter().map(|c| c.as_uuid())))
            .filter(H::Status.eq(CONFIRMED))
            .filter(H::Category.eq(SERVICE))
            .filter(H::OccurredOn.gte(first))
            .filter(H::OccurredOn.lte(last))
            .into_model::<MinutesRow>()
            .all(&self.conn)
            .await
            .map_err(map_db_err)?;

        // A correction counts where the entry it corrects counts.
        let corrected: Vec<Uuid> = rows.iter().filter_map(|r| r.corrects_id).collect();
        let mut of_corrected: HashMap<Uuid, (Option<Uuid>, Option<Uuid>)> = HashMap::new();
        for chunk in corrected.chunks(IDS_PER_QUERY) {
            let found = volunteer_hours::Entity::find()
                .select_only()
                .columns([H::Id, H::RequestId, H::TeamId])
                .filter(H::Id.is_in(chunk.iter().copied()))
                .into_model::<CorrectedRow>()
                .all(&self.conn)
                .await
                .map_err(map_db_err)?;
            of_corrected.extend(found.into_iter().map(|c| (c.id, (c.request_id, c.team_id))));
        }
        let effective = |r: &MinutesRow| match r.corrects_id.and_then(|c| of_corrected.get(&c)) {
            Some((request, team)) => (*request, *team),
            None => (r.request_id, r.team_id),
        };

        let requests: Vec<Uuid> = {
            let mut ids: Vec<Uuid> = rows.iter().filter_map(|r| effective(r).0).collect();
            ids.sort();
            ids.dedup();
            ids
        };
        let mut assignees: HashMap<Uuid, Option<Assignee>> = HashMap::new();
        for chunk in requests.chunks(IDS_PER_QUERY) {
            use service_request::Column as K;
            let found = service_request::Entity::find()
                .select_only()
                .columns([K::Id, K::AssigneeKind, K::AssigneeId])
                .filter(K::Id.is_in(chunk.iter().copied()))
                .into_model::<AssigneeRow>()
                .all(&self.conn)
                .await
                .map_err(map_db_err)?;
            for a in found {
                assignees.insert(a.id, assignee(a.assignee_kind.as_deref(), a.assignee_id)?);
            }
        }

        type Key = (Uuid, Uuid, String, Option<Uuid>, Option<Assignee>);
        let mut sums: HashMap<Key, i64> = HashMap::new();
        for r in &rows {
            let (request, team) = effective(r);
            let assignee = request.and_then(|id| assignees.get(&id).copied().flatten());
            *sums
                .entry((
                    r.committee_id,
                    r.branch_id,
                    r.branch_path.clone(),
                    team,
                    assignee,
                ))
                .or_default() += i64::from(r.minutes);
        }
        let mut out = Vec::with_capacity(sums.len());
        for ((committee, branch, branch_path, team, request_assignee), minutes) in sums {
            out.push(ReportedMinutes {
                committee_id: OrgId::from_uuid(committee),
                branch_id: OrgId::from_uuid(branch),
                branch_path: path(&branch_path)?,
                team: team.map(TeamId::from_uuid),
                request_assignee,
                minutes,
            });
        }
        Ok(out)
    }
}
