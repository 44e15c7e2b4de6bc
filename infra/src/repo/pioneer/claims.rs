//! Claims and deductions. A claim's only change is the conditional decision of a pending
//! one; a deduction's, its objection (while it has none) and that objection's answer (while
//! it has none): each statement says by its affected-row count whether it happened.

use async_trait::async_trait;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect,
};
use uuid::Uuid;

use crate::entity::{pioneer_claim, pioneer_deduction};
use crate::error::map_db_err;
use crate::repo::{fetch_all, page_by_id, subtree, IdOrder, Repos};
use domain::error::RepoError;
use domain::org::{MemberId, OrgId, OrgPath};
use domain::page::{Page, PageRequest};
use domain::pioneer::{
    Claim, ClaimDecision, ClaimFilter, ClaimId, ClaimStatus, Deduction, DeductionFilter,
    DeductionId, DeductionKind, DeductionObjection, ObjectionAnswer, PioneerClaimRepo, Whose,
};
use domain::volunteer::HalfYear;

fn corrupt(what: &str, detail: impl std::fmt::Display) -> RepoError {
    RepoError::Other(format!("stored {what} is invalid: {detail}").into())
}

fn path(raw: &str) -> Result<OrgPath, RepoError> {
    OrgPath::parse(raw).ok_or_else(|| corrupt("org path", raw))
}

fn half(n: i32) -> Result<HalfYear, RepoError> {
    HalfYear::from_ordinal(n).ok_or_else(|| corrupt("half year", n))
}

fn claim_of(r: pioneer_claim::Model) -> Result<Claim, RepoError> {
    let decision = match (r.decided_by, r.decided_at) {
        (Some(by), Some(at)) => Some(ClaimDecision {
            by: MemberId::from_uuid(by),
            at,
            reason: r.decision_reason,
        }),
        (None, None) => None,
        _ => return Err(corrupt("claim", "only part of its decision is set")),
    };
    Ok(Claim {
        id: ClaimId::from_uuid(r.id),
        committee_id: OrgId::from_uuid(r.committee_id),
        member_id: MemberId::from_uuid(r.member_id),
        branch_id: OrgId::from_uuid(r.branch_id),
        branch_path: path(&r.branch_path)?,
        half: half(r.half)?,
        item_code: r.item_code,
        description: r.description,
        evidence: serde_json::from_str(&r.evidence).map_err(|e| corrupt("evidence", e))?,
        status: ClaimStatus::parse(&r.status).ok_or_else(|| corrupt("claim status", &r.status))?,
        decision,
        created_at: r.created_at,
    })
}

fn deduction_of(r: pioneer_deduction::Model) -> Result<Deduction, RepoError> {
    let answer = match (
        r.answer_upheld,
        r.answer_reply,
        r.answered_by,
        r.answered_at,
    ) {
        (Some(upheld), Some(reply), Some(by), Some(at)) => Some(ObjectionAnswer {
            upheld,
            reply,
            by: MemberId::from_uuid(by),
            at,
        }),
        (None, None, None, None) => None,
        _ => return Err(corrupt("deduction", "only part of its answer is set")),
    };
    let objection = match (r.objection_text, r.objected_at, answer) {
        (Some(text), Some(at), answer) => Some(DeductionObjection { text, at, answer }),
        (None, None, None) => None,
        _ => return Err(corrupt("deduction", "only part of its objection is set")),
    };
    Ok(Deduction {
        id: DeductionId::from_uuid(r.id),
        committee_id: OrgId::from_uuid(r.committee_id),
        member_id: MemberId::from_uuid(r.member_id),
        branch_id: OrgId::from_uuid(r.branch_id),
        branch_path: path(&r.branch_path)?,
        half: half(r.half)?,
        item_code: r.item_code,
        kind: DeductionKind::parse(&r.kind).ok_or_else(|| corrupt("deduction kind", &r.kind))?,
        reason: r.reason,
        recorded_by: MemberId::from_uuid(r.recorded_by),
        recorded_at: r.recorded_at,
        objection,
    })
}

/// Counts per member and item code, as the index computation reads them.
fn counts(rows: Vec<(Uuid, String, i64)>) -> Result<Vec<(MemberId, String, u32)>, RepoError> {
    rows.into_iter()
        .map(|(member, code, n)| {
            let n = u32::try_from(n).map_err(|e| corrupt("count", e))?;
            Ok((MemberId::from_uuid(member), code, n))
        })
        .collect()
}

fn whose<C: ColumnTrait + Copy>(member: C, branch_path: C, whose: &Whose) -> Condition {
    match whose {
        Whose::Member(m) => Condition::all().add(member.eq(m.as_uuid())),
        Whose::Under(p) => subtree(branch_path, p),
    }
}

#[async_trait]
impl<C: ConnectionTrait + Send + Sync> PioneerClaimRepo for Repos<C> {
    async fn insert_claim(&self, c: &Claim) -> Result<(), RepoError> {
        let evidence = serde_json::to_string(&c.evidence)
            .map_err(|e| RepoError::Other(format!("evidence: {e}").into()))?;
        let d = c.decision.as_ref();
        pioneer_claim::Entity::insert(pioneer_claim::ActiveModel {
            id: Set(c.id.as_uuid()),
            committee_id: Set(c.committee_id.as_uuid()),
            member_id: Set(c.member_id.as_uuid()),
            branch_id: Set(c.branch_id.as_uuid()),
            branch_path: Set(c.branch_path.as_str().to_owned()),
            half: Set(c.half.ordinal()),
            item_code: Set(c.item_code.clone()),
            description: Set(c.description.clone()),
            evidence: Set(evidence),
            status: Set(c.status.as_str().to_owned()),
            decided_by: Set(d.map(|d| d.by.as_uuid())),
            decided_at: Set(d.map(|d| d.at)),
            decision_reason: Set(d.and_then(|d| d.reason.clone())),
            created_at: Set(c.created_at),
        })
        .exec_without_returning(&self.conn)
        .await
        .map_err(map_db_err)?;
        Ok(())
    }

    async fn claim(&self, id: ClaimId) -> Result<Option<Claim>, RepoError> {
        pioneer_claim::Entity::find_by_id(id.as_uuid())
            .one(&self.conn)
            .await
            .map_err(map_db_err)?
            .map(claim_of)
            .transpose()
    }

    async fn claims(&self, ids: &[ClaimId]) -> Result<Vec<Claim>, RepoError> {
        let query = pioneer_claim::Entity::find()
            .filter(pioneer_claim::Column::Id.is_in(ids.iter().map(ClaimId::as_uuid)));
        fetch_all(&self.conn, query, claim_of).await
    }

    async fn list_claims(
        &self,
        filter: &ClaimFilter,
        page: &PageRequest,
    ) -> Result<Page<Claim>, RepoError> {
        use pioneer_claim::Column as K;
        let mut query =
            pioneer_claim::Entity::find().filter(whose(K::MemberId, K::BranchPath, &filter.whose));
        if let Some(h) = filter.half {
            query = query.filter(K::Half.eq(h.ordinal()));
        }
        if let Some(s) = filter.status {
            query = query.filter(K::Status.eq(s.as_str()));
        }
        page_by_id(
            &self.conn,
            query,
            IdOrder::Newest,
            K::Id,
            page,
            claim_of,
            |c| c.id.as_uuid(),
        )
        .await
    }

    async fn decide_claims(
        &self,
        ids: &[ClaimId],
        status: ClaimStatus,
        decision: &ClaimDecision,
    ) -> Result<u64, RepoError> {
        use pioneer_claim::Column as K;
        let result = pioneer_claim::Entity::update_many()
            .col_expr(K::Status, Expr::value(status.as_str()))
            .col_expr(K::DecidedBy, Expr::value(decision.by.as_uuid()))
            .col_expr(K::DecidedAt, Expr::value(decision.at))
            .col_expr(K::DecisionReason, Expr::value(decision.reason.clone()))
            .filter(K::Id.is_in(ids.iter().map(ClaimId::as_uuid)))
            .filter(K::Status.eq(ClaimStatus::Pending.as_str()))
            .exec(&self.conn)
            .await
            .map_err(map_db_err)?;
        Ok(result.rows_affected)
    }

    async fn approved_of(
        &self,
        member: MemberId,
        half: HalfYear,
        item_code: &str,
    ) -> Result<u32, RepoError> {
        use pioneer_claim::Column as K;
        let n: Option<i64> = pioneer_claim::Entity::find()
            .select_only()
            .column_as(K::Id.count(), "n")
            .filter(K::MemberId.eq(member.as_uuid()))
            .filter(K::Half.eq(half.ordinal()))
            .filter(K::ItemCode.eq(item_code))
            .filter(K::Status.eq(ClaimStatus::Approved.as_str()))
            .into_tuple()
            .one(&self.conn)
            .await
            .map_err(map_db_err)?;
        u32::try_from(n.unwrap_or(0)).map_err(|e| corrupt("count", e))
    }

    async fn approved_counts(
        &self,
        committee: OrgId,
        half: HalfYear,
    ) -> Result<Vec<(MemberId, String, u32)>, RepoError> {
        use pioneer_claim::Column as K;
        let rows: Vec<(Uuid, String, i64)> = pioneer_claim::Entity::find()
            .select_only()
            .column(K::MemberId)
            .column(K::ItemCode)
            .column_as(K::Id.count(), "n")
            .filter(K::CommitteeId.eq(committee.as_uuid()))
            .filter(K::Half.eq(half.ordinal()))
            .filter(K::Status.eq(ClaimStatus::Approved.as_str()))
            .group_by(K::MemberId)
            .group_by(K::ItemCode)
            .order_by_asc(K::MemberId)
            .order_by_asc(K::ItemCode)
            .into_tuple()
            .all(&self.conn)
            .await
            .map_err(map_db_err)?;
        counts(rows)
    }

    async fn insert_deduction(&self, d: &Deduction) -> Result<(), RepoError> {
        let o = d.objection.as_ref();
        let a = o.and_then(|o| o.answer.as_ref());
        pioneer_deduction::Entity::insert(pioneer_deduction::ActiveModel {
            id: Set(d.id.as_uuid()),
            committee_id: Set(d.committee_id.as_uuid()),
            member_id: Set(d.member_id.as_uuid()),
            branch_id: Set(d.branch_id.as_uuid()),
            branch_path: Set(d.branch_path.as_str().to_owned()),
            half: Set(d.half.ordinal()),
            item_code: Set(d.item_code.clone()),
            kind: Set(d.kind.as_str().to_owned()),
            reason: Set(d.reason.clone()),
            recorded_by: Set(d.recorded_by.as_uuid()),
            recorded_at: Set(d.recorded_at),
            objection_text: Set(o.map(|o| o.text.clone())),
            objected_at: Set(o.map(|o| o.at)),
            answer_upheld: Set(a.map(|a| a.upheld)),
            answer_reply: Set(a.map(|a| a.reply.clone())),
            answered_by: Set(a.map(|a| a.by.as_uuid())),
            answered_at: Set(a.map(|a| a.at)),
        })
        .exec_without_returning(&self.conn)
        .await
        .map_err(map_db_err)?;
        Ok(())
    }

    async fn deduction(&self, id: DeductionId) -> Result<Option<Deduction>, RepoError> {
        pioneer_deduction::Entity::find_by_id(id.as_uuid())
            .one(&self.conn)
            .await
            .map_err(map_db_err)?
            .map(deduction_of)
            .transpose()
    }

    async fn list_deductions(
        &self,
        filter: &DeductionFilter,
        page: &PageRequest,
    ) -> Result<Page<Deduction>, RepoError> {
        use pioneer_deduction::Column as D;
        let mut query = pioneer_deduction::Entity::find().filter(whose(
            D::MemberId,
            D::BranchPath,
            &filter.whose,
        ));
        if let Some(h) = filter.half {
            query = query.filter(D::Half.eq(h.ordinal()));
        }
        page_by_id(
            &self.conn,
            query,
            IdOrder::Newest,
            D::Id,
            page,
            deduction_of,
            |d| d.id.as_uuid(),
        )
        .await
    }

    async fn lodge_objection(
        &self,
        id: DeductionId,
        objection: &DeductionObjection,
    ) -> Result<bool, RepoError> {
        use pioneer_deduction::Column as D;
        let result = pioneer_deduction::Entity::update_many()
            .col_expr(D::ObjectionText, Expr::value(objection.text.clone()))
            .col_expr(D::ObjectedAt, Expr::value(objection.at))
            .filter(D::Id.eq(id.as_uuid()))
            .filter(D::ObjectedAt.is_null())
            .exec(&self.conn)
            .await
            .map_err(map_db_err)?;
        Ok(result.rows_affected == 1)
    }

    async fn answer_objection(
        &self,
        id: DeductionId,
        answer: &ObjectionAnswer,
    ) -> Result<bool, RepoError> {
        use pioneer_deduction::Column as D;
        let result = pioneer_deduction::Entity::update_many()
            .col_expr(D::AnswerUpheld, Expr::value(answer.upheld))
            .col_expr(D::AnswerReply, Expr::value(answer.reply.clone()))
            .col_expr(D::AnsweredBy, Expr::value(answer.by.as_uuid()))
            .col_expr(D::AnsweredAt, Expr::value(answer.at))
            .filter(D::Id.eq(id.as_uuid()))
            .filter(D::ObjectedAt.is_not_null())
            .filter(D::AnsweredAt.is_null())
            .exec(&self.conn)
            .await
            .map_err(map_db_err)?;
        Ok(result.rows_affected == 1)
    }

    async fn standing_deductions(
        &self,
        committee: OrgId,
        half: HalfYear,
    ) -> Result<Vec<(MemberId, String, u32)>, RepoError> {
        use pioneer_deduction::Column as D;
        let rows: Vec<(Uuid, String, i64)> = pioneer_deduction::Entity::find()
            .select_only()
            .column(D::MemberId)
            .column(D::ItemCode)
            .column_as(D::Id.count(), "n")
            .filter(D::CommitteeId.eq(committee.as_uuid()))
            .filter(D::Half.eq(half.ordinal()))
            // An upheld objection takes the deduction out.
            .filter(
                Condition::any()
                    .add(D::AnswerUpheld.is_null())
                    .add(D::AnswerUpheld.eq(false)),
            )
            .group_by(D::MemberId)
            .group_by(D::ItemCode)
            .order_by_asc(D::MemberId)
            .order_by_asc(D::ItemCode)
            .into_tuple()
            .all(&self.conn)
            .await
            .map_err(map_db_err)?;
        counts(rows)
    }
}
