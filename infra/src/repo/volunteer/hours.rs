//! The append-only volunteer-hours ledger: entries are inserted, and the only statement
//! that ever changes one is the conditional decision of a pending entry.

use async_trait::async_trait;
use chrono::NaiveDate;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect,
};

use super::{corrupt, path};
use crate::entity::volunteer_hours;
use crate::error::map_db_err;
use crate::repo::{fetch_all, page_by_id, IdOrder, Repos};
use domain::activity::ActivityId;
use domain::error::RepoError;
use domain::org::{MemberId, OrgId};
use domain::page::{Page, PageRequest};
use domain::volunteer::{
    HoursCategory, HoursDecision, HoursEntry, HoursEntryId, HoursRepo, HoursSource, HoursStatus,
    ServiceRequestId, TeamId,
};

/// Entries written per INSERT: twenty-one columns each keeps a statement under SQLite's
/// historical limit of 999 bound parameters.
const ENTRIES_PER_INSERT: usize = 40;

fn entry_of(r: volunteer_hours::Model) -> Result<HoursEntry, RepoError> {
    let source = match (
        r.source.as_str(),
        r.request_id,
        r.corrects_id,
        r.activity_id,
    ) {
        ("request", Some(request), None, None) => HoursSource::Request {
            request: ServiceRequestId::from_uuid(request),
            team: r.team_id.map(TeamId::from_uuid),
        },
        ("manual", None, None, None) => HoursSource::Manual,
        ("activity", None, None, Some(activity)) => HoursSource::Activity {
            activity: ActivityId::from_uuid(activity),
        },
        ("correction", None, Some(of), None) => HoursSource::Correction {
            of: HoursEntryId::from_uuid(of),
        },
        (other, ..) => return Err(corrupt("hours source", other)),
    };
    let decision = match (r.decided_by, r.decided_at) {
        (Some(by), Some(at)) => Some(HoursDecision {
            by: MemberId::from_uuid(by),
            at,
            reason: r.decision_reason,
        }),
        (None, None) => None,
        _ => return Err(corrupt("hours entry", "only part of its decision is set")),
    };
    Ok(HoursEntry {
        id: HoursEntryId::from_uuid(r.id),
        member_id: MemberId::from_uuid(r.member_id),
        committee_id: OrgId::from_uuid(r.committee_id),
        branch_id: OrgId::from_uuid(r.branch_id),
        branch_path: path(&r.branch_path)?,
        category: HoursCategory::parse(&r.category)
            .ok_or_else(|| corrupt("hours category", &r.category))?,
        minutes: r.minutes,
        occurred_on: r.occurred_on,
        source,
        note: r.note,
        status: HoursStatus::parse(&r.status).ok_or_else(|| corrupt("hours status", &r.status))?,
        decision,
        recorded_by: MemberId::from_uuid(r.recorded_by),
        created_at: r.created_at,
    })
}

fn row(e: &HoursEntry) -> volunteer_hours::ActiveModel {
    let (request, team, corrects, activity) = match e.source {
        HoursSource::Request { request, team } => (
            Some(request.as_uuid()),
            team.map(|t| t.as_uuid()),
            None,
            None,
        ),
        HoursSource::Manual => (None, None, None, None),
        HoursSource::Activity { activity } => (None, None, None, Some(activity.as_uuid())),
        HoursSource::Correction { of } => (None, None, Some(of.as_uuid()), None),
    };
    let d = e.decision.as_ref();
    volunteer_hours::ActiveModel {
        id: Set(e.id.as_uuid()),
        member_id: Set(e.member_id.as_uuid()),
        committee_id: Set(e.committee_id.as_uuid()),
        branch_id: Set(e.branch_id.as_uuid()),
        branch_path: Set(e.branch_path.as_str().to_owned()),
        category: Set(e.category.as_str().to_owned()),
        minutes: Set(e.minutes),
        occurred_on: Set(e.occurred_on),
        source: Set(e.source.kind().to_owned()),
        request_id: Set(request),
        team_id: Set(team),
        corrects_id: Set(corrects),
        activity_id: Set(activity),
        note: Set(e.note.clone()),
        status: Set(e.status.as_str().to_owned()),
        decided_by: Set(d.map(|d| d.by.as_uuid())),
        decided_at: Set(d.map(|d| d.at)),
        decision_reason: Set(d.and_then(|d| d.reason.clone())),
        recorded_by: Set(e.recorded_by.as_uuid()),
        created_at: Set(e.created_at),
    }
}

const CONFIRMED: &str = "confirmed";

#[async_trait]
impl<C: ConnectionTrait + Send + Sync> HoursRepo for Repos<C> {
    async fn append(&self, entries: &[HoursEntry]) -> Result<(), RepoError> {
        for chunk in entries.chunks(ENTRIES_PER_INSERT) {
            volunteer_hours::Entity::insert_many(chunk.iter().map(row))
                .exec_without_returning(&self.conn)
                .await
                .map_err(map_db_err)?;
        }
        Ok(())
    }

    async fn entry(&self, id: HoursEntryId) -> Result<Option<HoursEntry>, RepoError> {
        volunteer_hours::Entity::find_by_id(id.as_uuid())
            .one(&self.conn)
            .await
            .map_err(map_db_err)?
            .map(entry_of)
            .transpose()
    }

    async fn decide(
        &self,
        id: HoursEntryId,
        status: HoursStatus,
        decision: &HoursDecision,
    ) -> Result<bool, RepoError> {
        use volunteer_hours::Column as H;
        let result = volunteer_hours::Entity::update_many()
            .col_expr(H::Status, Expr::value(status.as_str()))
            .col_expr(H::DecidedBy, Expr::value(decision.by.as_uuid()))
            .col_expr(H::DecidedAt, Expr::value(decision.at))
            .col_expr(H::DecisionReason, Expr::value(decision.reason.clone()))
            .filter(H::Id.eq(id.as_uuid()))
            .filter(H::Status.eq(HoursStatus::Pending.as_str()))
            .exec(&self.conn)
            .await
            .map_err(map_db_err)?;
        Ok(result.rows_affected == 1)
    }

    async fn entries_of(
        &self,
        member: MemberId,
        page: &PageRequest,
    ) -> Result<Page<HoursEntry>, RepoError> {
        use volunteer_hours::Column as H;
        let query = volunteer_hours::Entity::find().filter(H::MemberId.eq(member.as_uuid()));
        page_by_id(
            &self.conn,
            query,
            IdOrder::Newest,
            H::Id,
            page,
            entry_of,
            |e| e.id.as_uuid(),
        )
        .await
    }

    async fn confirmed_of(&self, member: MemberId) -> Result<Vec<HoursEntry>, RepoError> {
        use volunteer_hours::Column as H;
        let query = volunteer_hours::Entity::find()
            .filter(H::MemberId.eq(member.as_uuid()))
            .filter(H::Status.eq(CONFIRMED))
            .order_by_asc(H::OccurredOn)
            .order_by_asc(H::Id);
        fetch_all(&self.conn, query, entry_of).await
    }

    async fn corrections_of(&self, entry: HoursEntryId) -> Result<Vec<HoursEntry>, RepoError> {
        use volunteer_hours::Column as H;
        let query = volunteer_hours::Entity::find()
            .filter(H::CorrectsId.eq(entry.as_uuid()))
            .order_by_asc(H::Id);
        fetch_all(&self.conn, query, entry_of).await
    }

    async fn confirmed_minutes(
        &self,
        member: MemberId,
        from: NaiveDate,
        to: NaiveDate,
        category: HoursCategory,
    ) -> Result<i64, RepoError> {
        use volunteer_hours::Column as H;
        let minutes: Vec<i32> = volunteer_hours::Entity::find()
            .select_only()
            .column(H::Minutes)
            .filter(H::MemberId.eq(member.as_uuid()))
            .filter(H::Status.eq(CONFIRMED))
            .filter(H::Category.eq(category.as_str()))
            .filter(H::OccurredOn.gte(from))
            .filter(H::OccurredOn.lte(to))
            .into_tuple()
            .all(&self.conn)
            .await
            .map_err(map_db_err)?;
        Ok(minutes.into_iter().map(i64::from).sum())
    }
}
