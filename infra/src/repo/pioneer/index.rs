//! Half-yearly computations, their results and the branches' fortress index. A breakdown is
//! a JSON array of lines in the shapes below.

use async_trait::async_trait;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
};
use serde::{Deserialize, Serialize};

use crate::entity::{pioneer_fortress, pioneer_objection, pioneer_result, pioneer_run};
use crate::error::map_db_err;
use crate::repo::{fetch_all, page_by_id, subtree, IdOrder, Repos};
use domain::error::RepoError;
use domain::org::{MemberCategory, MemberId, OrgId, OrgPath, OrgSector};
use domain::page::{Page, PageRequest};
use domain::pioneer::run::ObjectionAnswer;
use domain::pioneer::score::{Line, LineKind};
use domain::pioneer::{BranchFortress, FortressLine, FortressMetric};
use domain::pioneer::{
    IndexResult, IndexRun, IndexRunId, PioneerIndexRepo, ResultObjection, ResultOutcome, RunStatus,
};
use domain::volunteer::HalfYear;

fn corrupt(what: &str, detail: impl std::fmt::Display) -> RepoError {
    RepoError::Other(format!("stored {what} is invalid: {detail}").into())
}

fn int(n: u32) -> i32 {
    i32::try_from(n).unwrap_or(i32::MAX)
}

fn count(what: &str, n: i32) -> Result<u32, RepoError> {
    u32::try_from(n).map_err(|_| corrupt(what, n))
}

fn path(raw: &str) -> Result<OrgPath, RepoError> {
    OrgPath::parse(raw).ok_or_else(|| corrupt("org path", raw))
}

#[derive(Serialize, Deserialize)]
struct LineJson {
    kind: String,
    item: String,
    name: String,
    recorded: String,
    points: i64,
}

#[derive(Serialize, Deserialize)]
struct FortressLineJson {
    metric: String,
    name: String,
    points: u32,
    score: i64,
    done: u32,
    of: u32,
}

fn fortress_row(b: &BranchFortress) -> Result<pioneer_fortress::ActiveModel, RepoError> {
    let lines: Vec<FortressLineJson> = b
        .lines
        .iter()
        .map(|l| FortressLineJson {
            metric: l.metric.as_str().to_owned(),
            name: l.name.clone(),
            points: l.points,
            score: l.score,
            done: l.done,
            of: l.of,
        })
        .collect();
    Ok(pioneer_fortress::ActiveModel {
        run_id: Set(b.run_id.as_uuid()),
        branch_id: Set(b.branch_id.as_uuid()),
        branch_path: Set(b.branch_path.as_str().to_owned()),
        branch_name: Set(b.branch_name.clone()),
        total: Set(b.total),
        lines: Set(serde_json::to_string(&lines).map_err(|e| {
            RepoError::Other(format!("fortress breakdown does not serialise: {e}").into())
        })?),
    })
}

fn fortress_of(m: pioneer_fortress::Model) -> Result<BranchFortress, RepoError> {
    let lines: Vec<FortressLineJson> =
        serde_json::from_str(&m.lines).map_err(|e| corrupt("fortress breakdown", e))?;
    Ok(BranchFortress {
        run_id: IndexRunId::from_uuid(m.run_id),
        branch_id: OrgId::from_uuid(m.branch_id),
        branch_path: path(&m.branch_path)?,
        branch_name: m.branch_name,
        total: m.total,
        lines: lines
            .into_iter()
            .map(|l| {
                Ok(FortressLine {
                    metric: FortressMetric::parse(&l.metric)
                        .ok_or_else(|| corrupt("fortress metric", &l.metric))?,
                    name: l.name,
                    points: l.points,
                    score: l.score,
                    done: l.done,
                    of: l.of,
                })
            })
            .collect::<Result<_, RepoError>>()?,
    })
}

fn kind_of(raw: &str) -> Result<LineKind, RepoError> {
    Ok(match raw {
        "basic" => LineKind::Basic,
        "positive" => LineKind::Positive,
        "negative" => LineKind::Negative,
        "zeroing" => LineKind::Zeroing,
        other => return Err(corrupt("breakdown line kind", other)),
    })
}

fn run_row(r: &IndexRun) -> pioneer_run::ActiveModel {
    pioneer_run::ActiveModel {
        id: Set(r.id.as_uuid()),
        committee_id: Set(r.committee_id.as_uuid()),
        committee_path: Set(r.committee_path.as_str().to_owned()),
        half: Set(r.half.ordinal()),
        status: Set(r.status.as_str().to_owned()),
        rules_version: Set(r.rules_version.map(int)),
        pool: Set(int(r.pool)),
        excluded: Set(int(r.excluded)),
        quota: Set(int(r.quota)),
        progress_done: Set(int(r.progress_done)),
        progress_total: Set(int(r.progress_total)),
        requested_by: Set(r.requested_by.as_uuid()),
        requested_at: Set(r.requested_at),
        computed_at: Set(r.computed_at),
        confirmed_by: Set(r.confirmed_by.map(|m| m.as_uuid())),
        confirmed_at: Set(r.confirmed_at),
        publish_until: Set(r.publish_until),
    }
}

fn run_of(m: pioneer_run::Model) -> Result<IndexRun, RepoError> {
    Ok(IndexRun {
        id: IndexRunId::from_uuid(m.id),
        committee_id: OrgId::from_uuid(m.committee_id),
        committee_path: path(&m.committee_path)?,
        half: HalfYear::from_ordinal(m.half).ok_or_else(|| corrupt("half year", m.half))?,
        status: RunStatus::parse(&m.status).ok_or_else(|| corrupt("run status", &m.status))?,
        rules_version: m
            .rules_version
            .map(|v| count("rules version", v))
            .transpose()?,
        pool: count("pool", m.pool)?,
        excluded: count("excluded", m.excluded)?,
        quota: count("quota", m.quota)?,
        progress_done: count("progress", m.progress_done)?,
        progress_total: count("progress", m.progress_total)?,
        requested_by: MemberId::from_uuid(m.requested_by),
        requested_at: m.requested_at,
        computed_at: m.computed_at,
        confirmed_by: m.confirmed_by.map(MemberId::from_uuid),
        confirmed_at: m.confirmed_at,
        publish_until: m.publish_until,
    })
}

fn result_row(r: &IndexResult) -> Result<pioneer_result::ActiveModel, RepoError> {
    let (profile, total, zeroed_by, lines, reason) = match &r.outcome {
        ResultOutcome::Scored {
            profile,
            total,
            zeroed_by,
            lines,
        } => (
            Some(profile.clone()),
            Some(*total),
            zeroed_by.clone(),
            lines
                .iter()
                .map(|l| LineJson {
                    kind: l.kind.as_str().to_owned(),
                    item: l.item.clone(),
                    name: l.name.clone(),
                    recorded: l.recorded.clone(),
                    points: l.points,
                })
                .collect::<Vec<_>>(),
            None,
        ),
        ResultOutcome::Excluded { reason } => (None, None, None, Vec::new(), Some(reason.clone())),
    };
    Ok(pioneer_result::ActiveModel {
        run_id: Set(r.run_id.as_uuid()),
        member_id: Set(r.member_id.as_uuid()),
        member_name: Set(r.member_name.clone()),
        branch_id: Set(r.branch_id.as_uuid()),
        branch_path: Set(r.branch_path.as_str().to_owned()),
        sector: Set(r.sector.as_str().to_owned()),
        category: Set(r.category.as_str().to_owned()),
        profile: Set(profile),
        total: Set(total),
        zeroed_by: Set(zeroed_by),
        lines: Set(serde_json::to_string(&lines)
            .map_err(|e| RepoError::Other(format!("breakdown does not serialise: {e}").into()))?),
        excluded_reason: Set(reason),
        proposed: Set(r.proposed),
        tied: Set(r.tied),
        warning: Set(r.warning),
    })
}

fn result_of(m: pioneer_result::Model) -> Result<IndexResult, RepoError> {
    let outcome = match (m.total, m.excluded_reason) {
        (Some(total), None) => {
            let lines: Vec<LineJson> =
                serde_json::from_str(&m.lines).map_err(|e| corrupt("breakdown", e))?;
            ResultOutcome::Scored {
                profile: m.profile.unwrap_or_default(),
                total,
                zeroed_by: m.zeroed_by,
                lines: lines
                    .into_iter()
                    .map(|l| {
                        Ok(Line {
                            kind: kind_of(&l.kind)?,
                            item: l.item,
                            name: l.name,
                            recorded: l.recorded,
                            points: l.points,
                        })
                    })
                    .collect::<Result<_, RepoError>>()?,
            }
        }
        (None, Some(reason)) => ResultOutcome::Excluded { reason },
        _ => return Err(corrupt("result", "neither scored nor excluded")),
    };
    Ok(IndexResult {
        run_id: IndexRunId::from_uuid(m.run_id),
        member_id: MemberId::from_uuid(m.member_id),
        member_name: m.member_name,
        branch_id: OrgId::from_uuid(m.branch_id),
        branch_path: path(&m.branch_path)?,
        sector: OrgSector::parse(&m.sector).ok_or_else(|| corrupt("sector", &m.sector))?,
        category: MemberCategory::parse(&m.category)
            .ok_or_else(|| corrupt("category", &m.category))?,
        outcome,
        proposed: m.proposed,
        tied: m.tied,
        warning: m.warning,
    })
}

fn objection_of(m: pioneer_objection::Model) -> Result<ResultObjection, RepoError> {
    let answer = match (m.upheld, m.reply, m.answered_by, m.answered_at) {
        (Some(upheld), Some(reply), Some(by), Some(at)) => Some(ObjectionAnswer {
            upheld,
            reply,
            by: MemberId::from_uuid(by),
            at,
        }),
        (None, None, None, None) => None,
        _ => return Err(corrupt("objection", "only part of its answer is set")),
    };
    Ok(ResultObjection {
        run_id: IndexRunId::from_uuid(m.run_id),
        member_id: MemberId::from_uuid(m.member_id),
        text: m.text,
        at: m.at,
        answer,
    })
}

#[async_trait]
impl<C: ConnectionTrait + Send + Sync> PioneerIndexRepo for Repos<C> {
    async fn run(&self, committee: OrgId, half: HalfYear) -> Result<Option<IndexRun>, RepoError> {
        use pioneer_run::Column as K;
        pioneer_run::Entity::find()
            .filter(K::CommitteeId.eq(committee.as_uuid()))
            .filter(K::Half.eq(half.ordinal()))
            .one(&self.conn)
            .await
            .map_err(map_db_err)?
            .map(run_of)
            .transpose()
    }

    async fn insert_run(&self, run: &IndexRun) -> Result<(), RepoError> {
        pioneer_run::Entity::insert(run_row(run))
            .exec_without_returning(&self.conn)
            .await
            .map_err(map_db_err)?;
        Ok(())
    }

    async fn update_run(&self, run: &IndexRun, from: RunStatus) -> Result<bool, RepoError> {
        use pioneer_run::Column as K;
        let mut row = run_row(run);
        row.id = sea_orm::ActiveValue::NotSet;
        row.committee_id = sea_orm::ActiveValue::NotSet;
        row.half = sea_orm::ActiveValue::NotSet;
        let result = pioneer_run::Entity::update_many()
            .set(row)
            .filter(K::Id.eq(run.id.as_uuid()))
            .filter(K::Status.eq(from.as_str()))
            .exec(&self.conn)
            .await
            .map_err(map_db_err)?;
        Ok(result.rows_affected == 1)
    }

    async fn set_progress(&self, run: IndexRunId, done: u32, total: u32) -> Result<(), RepoError> {
        use pioneer_run::Column as K;
        pioneer_run::Entity::update_many()
            .col_expr(K::ProgressDone, Expr::value(int(done)))
            .col_expr(K::ProgressTotal, Expr::value(int(total)))
            .filter(K::Id.eq(run.as_uuid()))
            .exec(&self.conn)
            .await
            .map_err(map_db_err)?;
        Ok(())
    }

    async fn replace_results(
        &self,
        run: IndexRunId,
        results: &[IndexResult],
    ) -> Result<(), RepoError> {
        use pioneer_result::Column as K;
        pioneer_result::Entity::delete_many()
            .filter(K::RunId.eq(run.as_uuid()))
            .exec(&self.conn)
            .await
            .map_err(map_db_err)?;
        for chunk in results.chunks(200) {
            let rows = chunk
                .iter()
                .map(result_row)
                .collect::<Result<Vec<_>, _>>()?;
            pioneer_result::Entity::insert_many(rows)
                .exec_without_returning(&self.conn)
                .await
                .map_err(map_db_err)?;
        }
        Ok(())
    }

    async fn replace_fortress(
        &self,
        run: IndexRunId,
        rows: &[BranchFortress],
    ) -> Result<(), RepoError> {
        use pioneer_fortress::Column as K;
        pioneer_fortress::Entity::delete_many()
            .filter(K::RunId.eq(run.as_uuid()))
            .exec(&self.conn)
            .await
            .map_err(map_db_err)?;
        for chunk in rows.chunks(200) {
            let rows = chunk
                .iter()
                .map(fortress_row)
                .collect::<Result<Vec<_>, _>>()?;
            pioneer_fortress::Entity::insert_many(rows)
                .exec_without_returning(&self.conn)
                .await
                .map_err(map_db_err)?;
        }
        Ok(())
    }

    async fn fortress(&self, run: IndexRunId) -> Result<Vec<BranchFortress>, RepoError> {
        use pioneer_fortress::Column as K;
        let mut rows = fetch_all(
            &self.conn,
            pioneer_fortress::Entity::find()
                .filter(K::RunId.eq(run.as_uuid()))
                .order_by_asc(K::BranchPath),
            fortress_of,
        )
        .await?;
        // The databases' collations may order `/` differently; the paths' own order decides.
        rows.sort_by(|a, b| a.branch_path.cmp(&b.branch_path));
        Ok(rows)
    }

    async fn results(
        &self,
        run: IndexRunId,
        under: &OrgPath,
        page: &PageRequest,
    ) -> Result<Page<IndexResult>, RepoError> {
        use pioneer_result::Column as K;
        page_by_id(
            &self.conn,
            pioneer_result::Entity::find()
                .filter(K::RunId.eq(run.as_uuid()))
                .filter(subtree(K::BranchPath, under)),
            IdOrder::Oldest,
            K::MemberId,
            page,
            result_of,
            |r| r.member_id.as_uuid(),
        )
        .await
    }

    async fn all_results(&self, run: IndexRunId) -> Result<Vec<IndexResult>, RepoError> {
        use pioneer_result::Column as K;
        fetch_all(
            &self.conn,
            pioneer_result::Entity::find()
                .filter(K::RunId.eq(run.as_uuid()))
                .order_by_asc(K::MemberId),
            result_of,
        )
        .await
    }

    async fn result(
        &self,
        run: IndexRunId,
        member: MemberId,
    ) -> Result<Option<IndexResult>, RepoError> {
        pioneer_result::Entity::find_by_id((run.as_uuid(), member.as_uuid()))
            .one(&self.conn)
            .await
            .map_err(map_db_err)?
            .map(result_of)
            .transpose()
    }

    async fn set_warning(&self, run: IndexRunId, members: &[MemberId]) -> Result<(), RepoError> {
        use pioneer_result::Column as K;
        pioneer_result::Entity::update_many()
            .col_expr(K::Warning, Expr::value(false))
            .filter(K::RunId.eq(run.as_uuid()))
            .exec(&self.conn)
            .await
            .map_err(map_db_err)?;
        let ids: Vec<uuid::Uuid> = members.iter().map(|m| m.as_uuid()).collect();
        for chunk in ids.chunks(500) {
            pioneer_result::Entity::update_many()
                .col_expr(K::Warning, Expr::value(true))
                .filter(K::RunId.eq(run.as_uuid()))
                .filter(K::MemberId.is_in(chunk.iter().copied()))
                .exec(&self.conn)
                .await
                .map_err(map_db_err)?;
        }
        Ok(())
    }

    async fn pending_runs(&self) -> Result<Vec<(OrgId, HalfYear)>, RepoError> {
        use pioneer_run::Column as K;
        fetch_all(
            &self.conn,
            pioneer_run::Entity::find()
                .filter(K::Status.is_in([RunStatus::Queued.as_str(), RunStatus::Running.as_str()]))
                .order_by_asc(K::RequestedAt),
            |m| {
                Ok((
                    OrgId::from_uuid(m.committee_id),
                    HalfYear::from_ordinal(m.half).ok_or_else(|| corrupt("half year", m.half))?,
                ))
            },
        )
        .await
    }

    async fn insert_objection(&self, o: &ResultObjection) -> Result<(), RepoError> {
        pioneer_objection::Entity::insert(pioneer_objection::ActiveModel {
            run_id: Set(o.run_id.as_uuid()),
            member_id: Set(o.member_id.as_uuid()),
            text: Set(o.text.clone()),
            at: Set(o.at),
            upheld: Set(None),
            reply: Set(None),
            answered_by: Set(None),
            answered_at: Set(None),
        })
        .exec_without_returning(&self.conn)
        .await
        .map_err(map_db_err)?;
        Ok(())
    }

    async fn objection(
        &self,
        run: IndexRunId,
        member: MemberId,
    ) -> Result<Option<ResultObjection>, RepoError> {
        pioneer_objection::Entity::find_by_id((run.as_uuid(), member.as_uuid()))
            .one(&self.conn)
            .await
            .map_err(map_db_err)?
            .map(objection_of)
            .transpose()
    }

    async fn answer_objection(
        &self,
        run: IndexRunId,
        member: MemberId,
        answer: &ObjectionAnswer,
    ) -> Result<bool, RepoError> {
        use pioneer_objection::Column as K;
        let result = pioneer_objection::Entity::update_many()
            .col_expr(K::Upheld, Expr::value(answer.upheld))
            .col_expr(K::Reply, Expr::value(answer.reply.clone()))
            .col_expr(K::AnsweredBy, Expr::value(answer.by.as_uuid()))
            .col_expr(K::AnsweredAt, Expr::value(answer.at))
            .filter(K::RunId.eq(run.as_uuid()))
            .filter(K::MemberId.eq(member.as_uuid()))
            .filter(K::AnsweredAt.is_null())
            .exec(&self.conn)
            .await
            .map_err(map_db_err)?;
        Ok(result.rows_affected == 1)
    }

    async fn objections(&self, run: IndexRunId) -> Result<Vec<ResultObjection>, RepoError> {
        use pioneer_objection::Column as K;
        fetch_all(
            &self.conn,
            pioneer_objection::Entity::find()
                .filter(K::RunId.eq(run.as_uuid()))
                .order_by_asc(K::At)
                .order_by_asc(K::MemberId),
            objection_of,
        )
        .await
    }
}
