//! The demo township's pioneer index: the standard rule set as version 1, and the half year
//! before the seeding computed under it, with an approved claim (a bonus) and a recorded
//! deduction so the results, the breakdowns and the proposed warning level have something
//! to show. The current half year stays open for claims. Deterministic ids; what exists is
//! left alone.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use domain::clock::ManualClock;
use domain::error::RepoError;
use domain::org::{MemberId, OrgId};
use domain::pioneer::{
    service, Claim, ClaimDecision, ClaimId, ClaimStatus, Deduction, DeductionId, DeductionKind,
    IndexRun, IndexRunId, RuleSet, RuleSetId, Rules, RunStatus,
};
use domain::uow::{Repositories, Transactional};
use domain::volunteer::HalfYear;
use infra::Db;

/// Fixed ids: `kind` 12 rule set, 13 claim, 14 deduction, 15 index run; the last three
/// numbered by the half year they belong to (its ordinal, `20261` for 2026-H1), so a
/// seeding in a later half year adds its own rather than meeting the earlier ones' ids.
fn fixed_id(kind: u128, n: u128) -> Uuid {
    Uuid::from_u128(0x0193_0000_0000_7000_8000_0000_0000_0000 | (kind << 16) | n)
}

fn member(n: u128) -> MemberId {
    MemberId::from_uuid(fixed_id(2, n))
}

/// The half year the demo computes: the one before the seeding's.
pub fn demo_half(now: DateTime<Utc>) -> HalfYear {
    HalfYear::containing(now).previous()
}

/// Writes the rule set, the claim and the deduction if missing, then computes the half
/// year if it has no computation yet. Answers how many things it wrote.
pub async fn seed_pioneer(db: &Db, now: DateTime<Utc>) -> Result<usize, RepoError> {
    let committee_id = OrgId::from_uuid(fixed_id(1, 1));
    let half = demo_half(now);
    let n = u128::try_from(half.ordinal()).map_err(|e| RepoError::Other(e.to_string().into()))?;
    let mut created = 0;
    let uow = db.begin().await?;
    let Some(committee) = uow.orgs().get(committee_id).await? else {
        return Ok(0);
    };
    let Some(branch) = uow.orgs().get(OrgId::from_uuid(fixed_id(1, 3))).await? else {
        return Ok(0);
    };
    let admin = member(1);
    let secretary = member(6); // 孙建国, secretary of 新舍村第一党支部
    if uow.pioneer_rules().latest(committee.id).await?.is_none() {
        uow.pioneer_rules()
            .insert(&RuleSet {
                id: RuleSetId::from_uuid(fixed_id(12, 1)),
                committee_id: committee.id,
                version: 1,
                effective_from: half,
                rules: Rules::standard(),
                created_by: admin,
                created_at: now,
            })
            .await?;
        created += 1;
    }
    let claim_id = ClaimId::from_uuid(fixed_id(13, n));
    if uow.pioneer_claims().claim(claim_id).await?.is_none() {
        uow.pioneer_claims()
            .insert_claim(&Claim {
                id: claim_id,
                committee_id: committee.id,
                member_id: member(7), // 周丽
                branch_id: branch.id,
                branch_path: branch.path.clone(),
                half,
                item_code: "pledge".to_owned(),
                description: "带头承诺践诺：牵头清理村口垃圾堆放点，已全部清运并落实长效保洁"
                    .to_owned(),
                evidence: vec!["https://img.example.cn/demo/pledge-1.jpg".to_owned()],
                status: ClaimStatus::Approved,
                decision: Some(ClaimDecision {
                    by: secretary,
                    at: now,
                    reason: None,
                }),
                created_at: now,
            })
            .await?;
        created += 1;
    }
    let deduction_id = DeductionId::from_uuid(fixed_id(14, n));
    if uow
        .pioneer_claims()
        .deduction(deduction_id)
        .await?
        .is_none()
    {
        uow.pioneer_claims()
            .insert_deduction(&Deduction {
                id: deduction_id,
                committee_id: committee.id,
                member_id: member(8), // 吴强
                branch_id: branch.id,
                branch_path: branch.path.clone(),
                half,
                item_code: "absent_unexcused".to_owned(),
                kind: DeductionKind::Negative,
                reason: "两次无故缺席主题党日".to_owned(),
                recorded_by: secretary,
                recorded_at: now,
                objection: None,
            })
            .await?;
        created += 1;
    }
    let asked = uow.pioneer_index().run(committee.id, half).await?.is_some();
    if !asked {
        uow.pioneer_index()
            .insert_run(&IndexRun {
                id: IndexRunId::from_uuid(fixed_id(15, n)),
                committee_id: committee.id,
                committee_path: committee.path.clone(),
                half,
                status: RunStatus::Queued,
                rules_version: None,
                pool: 0,
                excluded: 0,
                quota: 0,
                progress_done: 0,
                progress_total: 0,
                requested_by: admin,
                requested_at: now,
                computed_at: None,
                confirmed_by: None,
                confirmed_at: None,
                publish_until: None,
            })
            .await?;
        created += 1;
    }
    uow.commit().await?;
    if !asked {
        let repos = db.repos();
        let clock = ManualClock::new(now);
        // The run is asked for either way: should computing fail here, the background
        // worker computes it on its next pass.
        if let Err(e) = service::compute_one(
            db as &dyn Transactional,
            &repos as &dyn Repositories,
            &clock,
            "demo-seed",
            committee.id,
            half,
        )
        .await
        {
            tracing::warn!(error = %e, "the demo's pioneer index was not computed at seeding");
        }
    }
    Ok(created)
}
