//! The rectification list.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
};

use super::{corrupt, path};
use crate::entity::rectification;
use crate::error::map_db_err;
use crate::repo::{fetch_all, subtree, Repos};
use domain::appraisal::{
    CampaignId, Rectification, RectificationId, RectificationRepo, RectificationSource,
};
use domain::error::RepoError;
use domain::org::{MemberId, OrgPath};

fn to_domain(r: rectification::Model) -> Result<Rectification, RepoError> {
    let done = match (r.done_at, r.done_note) {
        (None, None) => None,
        (Some(at), Some(note)) => Some((at, note)),
        _ => {
            return Err(corrupt(
                "rectification",
                "only part of its done state is set",
            ))
        }
    };
    Ok(Rectification {
        id: RectificationId::from_uuid(r.id),
        campaign_id: CampaignId::from_uuid(r.campaign_id),
        member_id: MemberId::from_uuid(r.member_id),
        branch_path: path(&r.branch_path)?,
        problem: r.problem,
        measure: r.measure,
        due_on: r.due_on,
        source: RectificationSource::parse(&r.source)
            .ok_or_else(|| corrupt("rectification source", &r.source))?,
        done,
        created_by: MemberId::from_uuid(r.created_by),
        created_at: r.created_at,
        updated_at: r.updated_at,
    })
}

fn row(l: &Rectification) -> rectification::ActiveModel {
    rectification::ActiveModel {
        id: Set(l.id.as_uuid()),
        campaign_id: Set(l.campaign_id.as_uuid()),
        member_id: Set(l.member_id.as_uuid()),
        branch_path: Set(l.branch_path.as_str().to_owned()),
        problem: Set(l.problem.clone()),
        measure: Set(l.measure.clone()),
        due_on: Set(l.due_on),
        source: Set(l.source.as_str().to_owned()),
        done_at: Set(l.done.as_ref().map(|(at, _)| *at)),
        done_note: Set(l.done.as_ref().map(|(_, n)| n.clone())),
        created_by: Set(l.created_by.as_uuid()),
        created_at: Set(l.created_at),
        updated_at: Set(l.updated_at),
    }
}

#[async_trait]
impl<C: ConnectionTrait + Send + Sync> RectificationRepo for Repos<C> {
    async fn replace_from_assessment(
        &self,
        campaign: CampaignId,
        member: MemberId,
        lines: &[Rectification],
    ) -> Result<(), RepoError> {
        use rectification::Column as R;
        rectification::Entity::delete_many()
            .filter(R::CampaignId.eq(campaign.as_uuid()))
            .filter(R::MemberId.eq(member.as_uuid()))
            .filter(R::Source.eq(RectificationSource::SelfAssessment.as_str()))
            .filter(R::DoneAt.is_null())
            .exec(&self.conn)
            .await
            .map_err(map_db_err)?;
        if lines.is_empty() {
            return Ok(());
        }
        rectification::Entity::insert_many(lines.iter().map(row))
            .exec_without_returning(&self.conn)
            .await
            .map_err(map_db_err)?;
        Ok(())
    }

    async fn insert_rectification(&self, line: &Rectification) -> Result<(), RepoError> {
        rectification::Entity::insert(row(line))
            .exec_without_returning(&self.conn)
            .await
            .map_err(map_db_err)?;
        Ok(())
    }

    async fn rectification(&self, id: RectificationId) -> Result<Option<Rectification>, RepoError> {
        rectification::Entity::find_by_id(id.as_uuid())
            .one(&self.conn)
            .await
            .map_err(map_db_err)?
            .map(to_domain)
            .transpose()
    }

    async fn set_done(
        &self,
        id: RectificationId,
        done: Option<&(DateTime<Utc>, String)>,
        at: DateTime<Utc>,
    ) -> Result<(), RepoError> {
        use rectification::Column as R;
        let result = rectification::Entity::update_many()
            .col_expr(R::DoneAt, Expr::value(done.map(|(t, _)| *t)))
            .col_expr(R::DoneNote, Expr::value(done.map(|(_, n)| n.clone())))
            .col_expr(R::UpdatedAt, Expr::value(at))
            .filter(R::Id.eq(id.as_uuid()))
            .exec(&self.conn)
            .await
            .map_err(map_db_err)?;
        if result.rows_affected == 0 {
            return Err(RepoError::NotFound);
        }
        Ok(())
    }

    async fn rectifications_of(
        &self,
        campaign: CampaignId,
        member: MemberId,
    ) -> Result<Vec<Rectification>, RepoError> {
        use rectification::Column as R;
        let query = rectification::Entity::find()
            .filter(R::CampaignId.eq(campaign.as_uuid()))
            .filter(R::MemberId.eq(member.as_uuid()))
            .order_by_asc(R::DueOn)
            .order_by_asc(R::Id);
        fetch_all(&self.conn, query, to_domain).await
    }

    async fn rectifications_under(
        &self,
        campaign: CampaignId,
        under: &OrgPath,
    ) -> Result<Vec<Rectification>, RepoError> {
        use rectification::Column as R;
        let query = rectification::Entity::find()
            .filter(R::CampaignId.eq(campaign.as_uuid()))
            .filter(subtree(R::BranchPath, under))
            .order_by_asc(R::DueOn)
            .order_by_asc(R::Id);
        fetch_all(&self.conn, query, to_domain).await
    }
}
