//! One half year's index for a whole pool, as a pure function of the rules, the pool and the
//! records: each member scored by their profile or left out with the reason, and the
//! warning-level proposal over those scored.

use std::collections::HashMap;

use super::records::PoolMember;
use super::rules::{Placement, Rules};
use super::score::{score, Records, Scored};
use super::warning::{propose, Proposal};
use crate::org::MemberId;

/// Where one member of the pool stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Scored(Scored),
    /// Left out of the pool by the rules (not in the denominator), and why.
    Excluded(String),
}

#[derive(Debug, Clone, PartialEq)]
pub struct MemberResult {
    pub member: PoolMember,
    pub outcome: Outcome,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Computation {
    /// In pool order.
    pub results: Vec<MemberResult>,
    pub proposal: Proposal,
}

/// Recorded deductions and approved claims added to a member's records: a deduction whose
/// code is a zeroing item of the member's profile zeroes; any other counts as negative.
pub fn with_claims_and_deductions(
    rules: &Rules,
    pool: &[PoolMember],
    records: &mut HashMap<MemberId, Records>,
    claims: &[(MemberId, String, u32)],
    deductions: &[(MemberId, String, u32)],
) {
    let profiles: HashMap<MemberId, _> = pool
        .iter()
        .filter_map(|p| match rules.place(p.sector, p.member.category) {
            Placement::Scored(profile) => Some((p.member.id, profile)),
            Placement::Excluded(_) => None,
        })
        .collect();
    for (member, code, count) in claims {
        if let Some(r) = records.get_mut(member) {
            *r.claims.entry(code.clone()).or_default() += count;
        }
    }
    for (member, code, count) in deductions {
        let (Some(r), Some(profile)) = (records.get_mut(member), profiles.get(member)) else {
            continue;
        };
        if profile.zeroing_item(code).is_some() {
            if !r.zeroing.contains(code) {
                r.zeroing.push(code.clone());
            }
        } else {
            *r.negatives.entry(code.clone()).or_default() += count;
        }
    }
}

/// Scores the pool. The same inputs give the same computation.
pub fn compute(
    rules: &Rules,
    pool: &[PoolMember],
    records: &HashMap<MemberId, Records>,
) -> Computation {
    let empty = Records::default();
    let results: Vec<MemberResult> = pool
        .iter()
        .map(|p| MemberResult {
            member: p.clone(),
            outcome: match rules.place(p.sector, p.member.category) {
                Placement::Scored(profile) => Outcome::Scored(score(
                    rules,
                    profile,
                    records.get(&p.member.id).unwrap_or(&empty),
                )),
                Placement::Excluded(reason) => Outcome::Excluded(reason),
            },
        })
        .collect();
    let scored: Vec<(MemberId, i64)> = results
        .iter()
        .filter_map(|r| match &r.outcome {
            Outcome::Scored(s) => Some((r.member.member.id, s.total)),
            Outcome::Excluded(_) => None,
        })
        .collect();
    Computation {
        proposal: propose(&scored),
        results,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::org::{
        Member, MemberCategory, MemberStatus, OrgId, OrgPath, OrgSector, PhoneNumber,
    };
    use crate::pioneer::score::Share;
    use chrono::{TimeZone, Utc};

    fn member(category: MemberCategory) -> PoolMember {
        let branch = OrgId::new();
        let at = Utc
            .with_ymd_and_hms(2026, 1, 1, 0, 0, 0)
            .single()
            .unwrap_or_else(|| panic!("a date"));
        PoolMember {
            member: Member {
                id: MemberId::new(),
                name: "党员".into(),
                phone: PhoneNumber::parse("13900000001").unwrap_or_else(|e| panic!("{e:?}")),
                category,
                branch_id: branch,
                group_id: None,
                branch_path: OrgPath::root(OrgId::new()).child(branch),
                leading_cadre: false,
                probationary: false,
                status: MemberStatus::Active,
                created_at: at,
                updated_at: at,
            },
            sector: OrgSector::Rural,
        }
    }

    #[test]
    fn excluded_members_are_listed_with_their_reason_and_not_in_the_denominator() {
        let rules = Rules::standard();
        let mut pool: Vec<PoolMember> = (0..200).map(|_| member(MemberCategory::Rural)).collect();
        pool.push(member(MemberCategory::Frail));
        pool.push(member(MemberCategory::Mobile));
        let c = compute(&rules, &pool, &HashMap::new());
        assert_eq!(c.results.len(), 202);
        let excluded = c
            .results
            .iter()
            .filter(|r| matches!(&r.outcome, Outcome::Excluded(reason) if !reason.is_empty()))
            .count();
        assert_eq!(excluded, 2);
        // 200 scored: the quota is 1, not 2 (202 would be 2).
        assert_eq!((c.proposal.pool, c.proposal.quota), (200, 1));
        // Everyone scored alike: all tied at the boundary, all proposed and flagged.
        assert_eq!(c.proposal.proposed.len(), 200);
        assert_eq!(c.proposal.tied.len(), 200);
    }

    #[test]
    fn the_lowest_is_proposed_and_the_same_inputs_compute_the_same() {
        let rules = Rules::standard();
        let pool: Vec<PoolMember> = (0..10).map(|_| member(MemberCategory::Rural)).collect();
        let mut records = HashMap::new();
        let weak = pool[7].member.id;
        records.insert(
            weak,
            Records {
                theme_days: Share::new(1, 6),
                ..Records::default()
            },
        );
        let c = compute(&rules, &pool, &records);
        assert_eq!(c.proposal.proposed, vec![weak]);
        assert!(c.proposal.tied.is_empty());
        assert_eq!(compute(&rules, &pool, &records), c);
    }

    #[test]
    fn deductions_zero_or_subtract_by_the_members_profile_and_claims_add() {
        let rules = Rules::standard();
        let pool: Vec<PoolMember> = (0..3).map(|_| member(MemberCategory::Rural)).collect();
        let (a, b, c) = (pool[0].member.id, pool[1].member.id, pool[2].member.id);
        let mut records: HashMap<MemberId, Records> = pool
            .iter()
            .map(|p| (p.member.id, Records::default()))
            .collect();
        with_claims_and_deductions(
            &rules,
            &pool,
            &mut records,
            &[(c, "model_deed".into(), 1)],
            &[(a, "law_violation".into(), 1), (b, "dues_late".into(), 2)],
        );
        let computed = compute(&rules, &pool, &records);
        let total = |id| {
            computed
                .results
                .iter()
                .find_map(|r| match &r.outcome {
                    Outcome::Scored(s) if r.member.member.id == id => Some(s.total),
                    _ => None,
                })
                .unwrap_or_else(|| panic!("scored"))
        };
        // Nothing asked but no hours served and no grade (counted as 合格): 66.
        assert_eq!(total(a), 0);
        assert_eq!(total(b), (66 - 10) * 100);
        assert_eq!(total(c), (66 + 10) * 100);
        assert_eq!(computed.proposal.proposed, vec![a]);
    }
}
