//! Professional teams and their memberships. Skills are JSON arrays, read and written whole.

use async_trait::async_trait;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, JoinType, PaginatorTrait,
    QueryFilter, QueryOrder, QuerySelect, RelationDef,
};

use super::{corrupt, path};
use crate::entity::{volunteer_team, volunteer_team_member};
use crate::error::map_db_err;
use crate::repo::{fetch_all, page_by_id, IdOrder, Repos};
use domain::error::RepoError;
use domain::org::{MemberId, OrgId};
use domain::page::{Page, PageRequest};
use domain::volunteer::{
    MembershipDecision, MembershipStatus, Skills, Team, TeamId, TeamMembership, TeamRepo,
    TeamStatus,
};

fn skills_json(s: &Skills) -> Result<String, RepoError> {
    serde_json::to_string(s.as_slice())
        .map_err(|e| RepoError::Other(format!("skills do not serialise: {e}").into()))
}

fn parse_skills(raw: &str) -> Result<Skills, RepoError> {
    serde_json::from_str::<Vec<String>>(raw)
        .map(Skills::from_stored)
        .map_err(|e| corrupt("skills", e))
}

fn team_of(r: volunteer_team::Model) -> Result<Team, RepoError> {
    Ok(Team {
        id: TeamId::from_uuid(r.id),
        committee_id: OrgId::from_uuid(r.committee_id),
        committee_path: path(&r.committee_path)?,
        name: r.name,
        skills: parse_skills(&r.skills)?,
        leader_id: MemberId::from_uuid(r.leader_id),
        status: TeamStatus::parse(&r.status).ok_or_else(|| corrupt("team status", &r.status))?,
        created_by: MemberId::from_uuid(r.created_by),
        created_at: r.created_at,
        updated_at: r.updated_at,
    })
}

fn team_row(t: &Team) -> Result<volunteer_team::ActiveModel, RepoError> {
    Ok(volunteer_team::ActiveModel {
        id: Set(t.id.as_uuid()),
        committee_id: Set(t.committee_id.as_uuid()),
        committee_path: Set(t.committee_path.as_str().to_owned()),
        name: Set(t.name.clone()),
        skills: Set(skills_json(&t.skills)?),
        leader_id: Set(t.leader_id.as_uuid()),
        status: Set(t.status.as_str().to_owned()),
        created_by: Set(t.created_by.as_uuid()),
        created_at: Set(t.created_at),
        updated_at: Set(t.updated_at),
    })
}

fn membership_of(r: volunteer_team_member::Model) -> Result<TeamMembership, RepoError> {
    let decision = match (r.decided_by, r.decided_at) {
        (Some(by), Some(at)) => Some(MembershipDecision {
            by: MemberId::from_uuid(by),
            at,
            reason: r.reason,
        }),
        (None, None) => None,
        _ => {
            return Err(corrupt(
                "team membership",
                "only part of its decision is set",
            ))
        }
    };
    Ok(TeamMembership {
        team_id: TeamId::from_uuid(r.team_id),
        member_id: MemberId::from_uuid(r.member_id),
        branch_path: path(&r.branch_path)?,
        status: MembershipStatus::parse(&r.status)
            .ok_or_else(|| corrupt("membership status", &r.status))?,
        note: r.note,
        skills: parse_skills(&r.skills)?,
        requested_at: r.requested_at,
        decision,
    })
}

fn membership_row(m: &TeamMembership) -> Result<volunteer_team_member::ActiveModel, RepoError> {
    Ok(volunteer_team_member::ActiveModel {
        team_id: Set(m.team_id.as_uuid()),
        member_id: Set(m.member_id.as_uuid()),
        branch_path: Set(m.branch_path.as_str().to_owned()),
        status: Set(m.status.as_str().to_owned()),
        note: Set(m.note.clone()),
        skills: Set(skills_json(&m.skills)?),
        requested_at: Set(m.requested_at),
        decided_by: Set(m.decision.as_ref().map(|d| d.by.as_uuid())),
        decided_at: Set(m.decision.as_ref().map(|d| d.at)),
        reason: Set(m.decision.as_ref().and_then(|d| d.reason.clone())),
    })
}

/// Memberships joined to their team, for the questions other contexts ask.
fn to_team() -> RelationDef {
    volunteer_team_member::Entity::belongs_to(volunteer_team::Entity)
        .from(volunteer_team_member::Column::TeamId)
        .to(volunteer_team::Column::Id)
        .into()
}

const ACTIVE: &str = "active";

#[async_trait]
impl<C: ConnectionTrait + Send + Sync> TeamRepo for Repos<C> {
    async fn insert_team(&self, team: &Team, leader: &TeamMembership) -> Result<(), RepoError> {
        volunteer_team::Entity::insert(team_row(team)?)
            .exec_without_returning(&self.conn)
            .await
            .map_err(map_db_err)?;
        self.insert_membership(leader).await
    }

    async fn team(&self, id: TeamId) -> Result<Option<Team>, RepoError> {
        volunteer_team::Entity::find_by_id(id.as_uuid())
            .one(&self.conn)
            .await
            .map_err(map_db_err)?
            .map(team_of)
            .transpose()
    }

    async fn update_team(&self, team: &Team) -> Result<(), RepoError> {
        use volunteer_team::Column as T;
        let result = volunteer_team::Entity::update_many()
            .col_expr(T::Name, Expr::value(team.name.clone()))
            .col_expr(T::Skills, Expr::value(skills_json(&team.skills)?))
            .col_expr(T::LeaderId, Expr::value(team.leader_id.as_uuid()))
            .col_expr(T::Status, Expr::value(team.status.as_str()))
            .col_expr(T::UpdatedAt, Expr::value(team.updated_at))
            .filter(T::Id.eq(team.id.as_uuid()))
            .exec(&self.conn)
            .await
            .map_err(map_db_err)?;
        if result.rows_affected == 0 {
            return Err(RepoError::NotFound);
        }
        Ok(())
    }

    async fn list_teams(
        &self,
        committees: &[OrgId],
        page: &PageRequest,
    ) -> Result<Page<Team>, RepoError> {
        use volunteer_team::Column as T;
        let ids: Vec<uuid::Uuid> = committees.iter().map(|c| c.as_uuid()).collect();
        let query = volunteer_team::Entity::find().filter(T::CommitteeId.is_in(ids));
        page_by_id(
            &self.conn,
            query,
            IdOrder::Newest,
            T::Id,
            page,
            team_of,
            |t| t.id.as_uuid(),
        )
        .await
    }

    async fn leads_any(&self, member: MemberId) -> Result<bool, RepoError> {
        use volunteer_team::Column as T;
        let n = volunteer_team::Entity::find()
            .filter(T::LeaderId.eq(member.as_uuid()))
            .filter(T::Status.eq(ACTIVE))
            .count(&self.conn)
            .await
            .map_err(map_db_err)?;
        Ok(n > 0)
    }

    async fn membership(
        &self,
        team: TeamId,
        member: MemberId,
    ) -> Result<Option<TeamMembership>, RepoError> {
        volunteer_team_member::Entity::find_by_id((team.as_uuid(), member.as_uuid()))
            .one(&self.conn)
            .await
            .map_err(map_db_err)?
            .map(membership_of)
            .transpose()
    }

    async fn current_memberships(&self, team: TeamId) -> Result<Vec<TeamMembership>, RepoError> {
        use volunteer_team_member::Column as M;
        let current: Vec<&str> = MembershipStatus::CURRENT
            .iter()
            .map(|s| s.as_str())
            .collect();
        let query = volunteer_team_member::Entity::find()
            .filter(M::TeamId.eq(team.as_uuid()))
            .filter(M::Status.is_in(current))
            .order_by_asc(M::RequestedAt)
            .order_by_asc(M::MemberId);
        fetch_all(&self.conn, query, membership_of).await
    }

    async fn insert_membership(&self, m: &TeamMembership) -> Result<(), RepoError> {
        volunteer_team_member::Entity::insert(membership_row(m)?)
            .exec_without_returning(&self.conn)
            .await
            .map_err(map_db_err)?;
        Ok(())
    }

    async fn replace_membership(
        &self,
        m: &TeamMembership,
        from: &[MembershipStatus],
    ) -> Result<bool, RepoError> {
        use volunteer_team_member::Column as M;
        let from: Vec<&str> = from.iter().map(|s| s.as_str()).collect();
        let d = m.decision.as_ref();
        let result = volunteer_team_member::Entity::update_many()
            .col_expr(M::BranchPath, Expr::value(m.branch_path.as_str()))
            .col_expr(M::Status, Expr::value(m.status.as_str()))
            .col_expr(M::Note, Expr::value(m.note.clone()))
            .col_expr(M::Skills, Expr::value(skills_json(&m.skills)?))
            .col_expr(M::RequestedAt, Expr::value(m.requested_at))
            .col_expr(M::DecidedBy, Expr::value(d.map(|d| d.by.as_uuid())))
            .col_expr(M::DecidedAt, Expr::value(d.map(|d| d.at)))
            .col_expr(M::Reason, Expr::value(d.and_then(|d| d.reason.clone())))
            .filter(M::TeamId.eq(m.team_id.as_uuid()))
            .filter(M::MemberId.eq(m.member_id.as_uuid()))
            .filter(M::Status.is_in(from))
            .exec(&self.conn)
            .await
            .map_err(map_db_err)?;
        Ok(result.rows_affected == 1)
    }

    async fn active_member_ids(&self, team: TeamId) -> Result<Vec<MemberId>, RepoError> {
        use volunteer_team_member::Column as M;
        let ids: Vec<uuid::Uuid> = volunteer_team_member::Entity::find()
            .select_only()
            .column(M::MemberId)
            .join(JoinType::InnerJoin, to_team())
            .filter(M::TeamId.eq(team.as_uuid()))
            .filter(M::Status.eq(ACTIVE))
            .filter(volunteer_team::Column::Status.eq(ACTIVE))
            .order_by_asc(M::DecidedAt)
            .order_by_asc(M::MemberId)
            .into_tuple()
            .all(&self.conn)
            .await
            .map_err(map_db_err)?;
        Ok(ids.into_iter().map(MemberId::from_uuid).collect())
    }

    async fn is_active_member(&self, team: TeamId, member: MemberId) -> Result<bool, RepoError> {
        use volunteer_team_member::Column as M;
        let n = volunteer_team_member::Entity::find()
            .join(JoinType::InnerJoin, to_team())
            .filter(M::TeamId.eq(team.as_uuid()))
            .filter(M::MemberId.eq(member.as_uuid()))
            .filter(M::Status.eq(ACTIVE))
            .filter(volunteer_team::Column::Status.eq(ACTIVE))
            .count(&self.conn)
            .await
            .map_err(map_db_err)?;
        Ok(n > 0)
    }

    async fn teams_of_member(&self, member: MemberId) -> Result<Vec<Team>, RepoError> {
        use volunteer_team::Column as T;
        use volunteer_team_member::Column as M;
        let query = volunteer_team::Entity::find()
            .join(
                JoinType::InnerJoin,
                volunteer_team::Entity::belongs_to(volunteer_team_member::Entity)
                    .from(T::Id)
                    .to(M::TeamId)
                    .into(),
            )
            .filter(M::MemberId.eq(member.as_uuid()))
            .filter(M::Status.eq(ACTIVE))
            .filter(T::Status.eq(ACTIVE))
            .order_by_asc(T::Name)
            .order_by_asc(T::Id);
        fetch_all(&self.conn, query, team_of).await
    }
}
