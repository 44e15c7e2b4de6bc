//! Study plans, their content kept as one JSON document per owner and year.

use async_trait::async_trait;
use sea_orm::sea_query::{Expr, ExprTrait, OnConflict};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
};

use crate::entity::study_plan;
use crate::error::map_db_err;
use crate::repo::{fetch_all, Repos};
use domain::error::RepoError;
use domain::material::plan::{PlanOwner, StudyPlan, StudyPlanId};
use domain::material::StudyPlanRepo;
use domain::org::{MemberId, OrgId};

fn parse_owner(raw: &str) -> Result<PlanOwner, RepoError> {
    let bad = || RepoError::Other(format!("stored plan owner is invalid: {raw}").into());
    let (kind, id) = raw.split_once(':').ok_or_else(bad)?;
    let id = uuid::Uuid::parse_str(id).map_err(|_| bad())?;
    match kind {
        "org" => Ok(PlanOwner::Branch(OrgId::from_uuid(id))),
        "member" => Ok(PlanOwner::Member(MemberId::from_uuid(id))),
        _ => Err(bad()),
    }
}

fn to_domain(r: study_plan::Model) -> Result<StudyPlan, RepoError> {
    Ok(StudyPlan {
        id: StudyPlanId::from_uuid(r.id),
        owner: parse_owner(&r.owner)?,
        org_id: OrgId::from_uuid(r.org_id),
        year: r.year,
        content: serde_json::from_str(&r.content)
            .map_err(|e| RepoError::Other(format!("stored plan content is invalid: {e}").into()))?,
        revision: r.revision,
        updated_by: MemberId::from_uuid(r.updated_by),
        created_at: r.created_at,
        updated_at: r.updated_at,
    })
}

#[async_trait]
impl<C: ConnectionTrait + Send + Sync> StudyPlanRepo for Repos<C> {
    async fn get(&self, owner: PlanOwner, year: i32) -> Result<Option<StudyPlan>, RepoError> {
        study_plan::Entity::find()
            .filter(study_plan::Column::Owner.eq(owner.key()))
            .filter(study_plan::Column::Year.eq(year))
            .one(&self.conn)
            .await
            .map_err(map_db_err)?
            .map(to_domain)
            .transpose()
    }

    async fn of_owner(&self, owner: PlanOwner) -> Result<Vec<StudyPlan>, RepoError> {
        fetch_all(
            &self.conn,
            study_plan::Entity::find()
                .filter(study_plan::Column::Owner.eq(owner.key()))
                .order_by_desc(study_plan::Column::Year),
            to_domain,
        )
        .await
    }

    async fn put(&self, plan: &StudyPlan) -> Result<StudyPlan, RepoError> {
        use study_plan::Column as P;
        let content = serde_json::to_string(&plan.content)
            .map_err(|e| RepoError::Other(format!("plan content: {e}").into()))?;
        let row = study_plan::ActiveModel {
            id: Set(plan.id.as_uuid()),
            owner: Set(plan.owner.key()),
            org_id: Set(plan.org_id.as_uuid()),
            year: Set(plan.year),
            content: Set(content.clone()),
            revision: Set(1),
            updated_by: Set(plan.updated_by.as_uuid()),
            created_at: Set(plan.created_at),
            updated_at: Set(plan.updated_at),
        };
        // One statement: insert, or replace the content and count a revision.
        study_plan::Entity::insert(row)
            .on_conflict(
                OnConflict::columns([P::Owner, P::Year])
                    .value(P::Content, content)
                    .value(P::OrgId, plan.org_id.as_uuid())
                    .value(P::UpdatedBy, plan.updated_by.as_uuid())
                    .value(P::UpdatedAt, plan.updated_at)
                    .value(
                        P::Revision,
                        Expr::col((study_plan::Entity, P::Revision)).add(1),
                    )
                    .to_owned(),
            )
            .exec_without_returning(&self.conn)
            .await
            .map_err(map_db_err)?;
        self.get(plan.owner, plan.year)
            .await?
            .ok_or(RepoError::NotFound)
    }
}
