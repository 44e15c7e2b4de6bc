//! The organisation's ratings, and members' objections and appeals.

use async_trait::async_trait;
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
};

use super::{corrupt, from_json, path, to_json};
use crate::entity::{appraisal_objection, appraisal_rating};
use crate::error::map_db_err;
use crate::repo::{fetch_all, subtree, Repos};
use domain::appraisal::{
    Answer, CampaignId, Grade, Objection, ObjectionKind, Rating, RatingRepo, Verdict,
};
use domain::error::RepoError;
use domain::org::{MemberId, OrgPath};

fn grade(raw: &str) -> Result<Grade, RepoError> {
    Grade::parse(raw).ok_or_else(|| corrupt("grade", raw))
}

fn rating_to_domain(r: appraisal_rating::Model) -> Result<Rating, RepoError> {
    Ok(Rating {
        campaign_id: CampaignId::from_uuid(r.campaign_id),
        member_id: MemberId::from_uuid(r.member_id),
        branch_path: path(&r.branch_path)?,
        grade: grade(&r.grade)?,
        rationale: r.rationale,
        negative_items: from_json("negative items", &r.negative_items)?,
        rated_by: MemberId::from_uuid(r.rated_by),
        rated_at: r.rated_at,
    })
}

fn objection_to_domain(r: appraisal_objection::Model) -> Result<Objection, RepoError> {
    let answer = match (r.verdict, r.answer_reason, r.answered_by, r.answered_at) {
        (None, None, None, None) => None,
        (Some(v), Some(reason), Some(by), Some(at)) => Some(Answer {
            verdict: Verdict::parse(&v).ok_or_else(|| corrupt("verdict", &v))?,
            reason,
            grade: r.answer_grade.as_deref().map(grade).transpose()?,
            by: MemberId::from_uuid(by),
            at,
        }),
        _ => {
            return Err(corrupt(
                "objection answer",
                "only some of its columns are set",
            ))
        }
    };
    Ok(Objection {
        campaign_id: CampaignId::from_uuid(r.campaign_id),
        member_id: MemberId::from_uuid(r.member_id),
        kind: ObjectionKind::parse(&r.kind).ok_or_else(|| corrupt("objection kind", &r.kind))?,
        branch_path: path(&r.branch_path)?,
        reason: r.reason,
        lodged_at: r.lodged_at,
        answer,
    })
}

#[async_trait]
impl<C: ConnectionTrait + Send + Sync> RatingRepo for Repos<C> {
    async fn rating(
        &self,
        campaign: CampaignId,
        member: MemberId,
    ) -> Result<Option<Rating>, RepoError> {
        appraisal_rating::Entity::find_by_id((campaign.as_uuid(), member.as_uuid()))
            .one(&self.conn)
            .await
            .map_err(map_db_err)?
            .map(rating_to_domain)
            .transpose()
    }

    async fn ratings(
        &self,
        campaign: CampaignId,
        under: &OrgPath,
    ) -> Result<Vec<Rating>, RepoError> {
        use appraisal_rating::Column as R;
        let query = appraisal_rating::Entity::find()
            .filter(R::CampaignId.eq(campaign.as_uuid()))
            .filter(subtree(R::BranchPath, under))
            .order_by_asc(R::BranchPath)
            .order_by_asc(R::MemberId);
        fetch_all(&self.conn, query, rating_to_domain).await
    }

    async fn put_rating(&self, rating: &Rating) -> Result<(), RepoError> {
        use appraisal_rating::Column as R;
        let row = appraisal_rating::ActiveModel {
            campaign_id: Set(rating.campaign_id.as_uuid()),
            member_id: Set(rating.member_id.as_uuid()),
            branch_path: Set(rating.branch_path.as_str().to_owned()),
            grade: Set(rating.grade.as_str().to_owned()),
            rationale: Set(rating.rationale.clone()),
            negative_items: Set(to_json("negative items", &rating.negative_items)?),
            rated_by: Set(rating.rated_by.as_uuid()),
            rated_at: Set(rating.rated_at),
        };
        appraisal_rating::Entity::insert(row)
            .on_conflict(
                OnConflict::columns([R::CampaignId, R::MemberId])
                    .update_columns([
                        R::Grade,
                        R::Rationale,
                        R::NegativeItems,
                        R::RatedBy,
                        R::RatedAt,
                    ])
                    .to_owned(),
            )
            .exec_without_returning(&self.conn)
            .await
            .map_err(map_db_err)?;
        Ok(())
    }

    async fn objection(
        &self,
        campaign: CampaignId,
        member: MemberId,
        kind: ObjectionKind,
    ) -> Result<Option<Objection>, RepoError> {
        appraisal_objection::Entity::find_by_id((
            campaign.as_uuid(),
            member.as_uuid(),
            kind.as_str().to_owned(),
        ))
        .one(&self.conn)
        .await
        .map_err(map_db_err)?
        .map(objection_to_domain)
        .transpose()
    }

    async fn insert_objection(&self, o: &Objection) -> Result<(), RepoError> {
        let row = appraisal_objection::ActiveModel {
            campaign_id: Set(o.campaign_id.as_uuid()),
            member_id: Set(o.member_id.as_uuid()),
            kind: Set(o.kind.as_str().to_owned()),
            branch_path: Set(o.branch_path.as_str().to_owned()),
            reason: Set(o.reason.clone()),
            lodged_at: Set(o.lodged_at),
            verdict: Set(None),
            answer_reason: Set(None),
            answer_grade: Set(None),
            answered_by: Set(None),
            answered_at: Set(None),
        };
        appraisal_objection::Entity::insert(row)
            .exec_without_returning(&self.conn)
            .await
            .map_err(map_db_err)?;
        Ok(())
    }

    async fn answer_objection(
        &self,
        campaign: CampaignId,
        member: MemberId,
        kind: ObjectionKind,
        answer: &Answer,
    ) -> Result<bool, RepoError> {
        use appraisal_objection::Column as O;
        let result = appraisal_objection::Entity::update_many()
            .col_expr(O::Verdict, Expr::value(answer.verdict.as_str()))
            .col_expr(O::AnswerReason, Expr::value(answer.reason.clone()))
            .col_expr(
                O::AnswerGrade,
                Expr::value(answer.grade.map(|g| g.as_str().to_owned())),
            )
            .col_expr(O::AnsweredBy, Expr::value(answer.by.as_uuid()))
            .col_expr(O::AnsweredAt, Expr::value(answer.at))
            .filter(O::CampaignId.eq(campaign.as_uuid()))
            .filter(O::MemberId.eq(member.as_uuid()))
            .filter(O::Kind.eq(kind.as_str()))
            .filter(O::Verdict.is_null())
            .exec(&self.conn)
            .await
            .map_err(map_db_err)?;
        Ok(result.rows_affected == 1)
    }

    async fn objections(
        &self,
        campaign: CampaignId,
        under: &OrgPath,
        kind: ObjectionKind,
    ) -> Result<Vec<Objection>, RepoError> {
        use appraisal_objection::Column as O;
        let query = appraisal_objection::Entity::find()
            .filter(O::CampaignId.eq(campaign.as_uuid()))
            .filter(O::Kind.eq(kind.as_str()))
            .filter(subtree(O::BranchPath, under))
            .order_by_asc(O::LodgedAt)
            .order_by_asc(O::MemberId);
        fetch_all(&self.conn, query, objection_to_domain).await
    }
}
