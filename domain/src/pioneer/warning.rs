//! The warning level (警示型党员): "按不少于5‰评定" — at least five per thousand of the pool,
//! rounded up, at least one where the pool is not empty. The lowest indices are proposed;
//! members tied with the last place the quota reaches are all proposed and flagged, for the
//! township to decide. The township may confirm more than the quota, never fewer.

use std::collections::BTreeSet;

use super::rules::Centi;
use crate::org::MemberId;

/// ⌈5‰ × pool⌉: 0 for an empty pool, 1 up to 200 members, 2 up to 400, …
pub fn quota(pool: usize) -> usize {
    pool.saturating_mul(5).div_ceil(1000)
}

/// The members proposed as warning-level.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Proposal {
    pub pool: usize,
    pub quota: usize,
    /// The lowest `quota` indices and every member tied with the last of them, lowest first
    /// (ties in member-id order).
    pub proposed: Vec<MemberId>,
    /// The proposed members whose index equals the boundary's where the tie takes the
    /// proposal past the quota.
    pub tied: BTreeSet<MemberId>,
}

/// Proposes from the pool's indices (excluded members are not in `pool`).
pub fn propose(pool: &[(MemberId, Centi)]) -> Proposal {
    let mut sorted = pool.to_vec();
    sorted.sort_by(|a, b| a.1.cmp(&b.1).then_with(|| a.0.cmp(&b.0)));
    let quota = quota(sorted.len());
    let Some(boundary) = quota
        .checked_sub(1)
        .and_then(|i| sorted.get(i))
        .map(|m| m.1)
    else {
        return Proposal {
            pool: sorted.len(),
            quota,
            proposed: Vec::new(),
            tied: BTreeSet::new(),
        };
    };
    let proposed: Vec<MemberId> = sorted
        .iter()
        .take_while(|m| m.1 <= boundary)
        .map(|m| m.0)
        .collect();
    let tied = if proposed.len() > quota {
        sorted
            .iter()
            .filter(|m| m.1 == boundary)
            .map(|m| m.0)
            .collect()
    } else {
        BTreeSet::new()
    };
    Proposal {
        pool: sorted.len(),
        quota,
        proposed,
        tied,
    }
}

/// Why the township's confirmation is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConfirmRefusal {
    /// Fewer than the quota.
    BelowQuota { quota: usize, chosen: usize },
    /// A proposed member below the boundary (not one of a tie) was left out.
    LowestLeftOut(MemberId),
    /// Too few of the members tied at the boundary to reach the quota with those below it.
    TooFewOfTheTied { needed: usize, chosen: usize },
    /// Someone not in the pool (left out by the rules, or not of the township).
    NotInPool(MemberId),
}

/// Checks the township's choice against the proposal: every member proposed below the tie
/// stays; of the tied members, at least as many as the quota still needs stay (the township
/// picks which); anyone else in the pool may be added; the total is at least the quota.
pub fn check_confirmation(
    proposal: &Proposal,
    pool: &BTreeSet<MemberId>,
    chosen: &BTreeSet<MemberId>,
) -> Result<(), ConfirmRefusal> {
    if let Some(m) = chosen.iter().find(|m| !pool.contains(m)) {
        return Err(ConfirmRefusal::NotInPool(*m));
    }
    if let Some(m) = proposal
        .proposed
        .iter()
        .find(|m| !proposal.tied.contains(m) && !chosen.contains(m))
    {
        return Err(ConfirmRefusal::LowestLeftOut(*m));
    }
    if chosen.len() < proposal.quota {
        return Err(ConfirmRefusal::BelowQuota {
            quota: proposal.quota,
            chosen: chosen.len(),
        });
    }
    let below = proposal
        .proposed
        .iter()
        .filter(|m| !proposal.tied.contains(m))
        .count();
    let needed = proposal.quota.saturating_sub(below);
    let tied_chosen = proposal.tied.iter().filter(|m| chosen.contains(m)).count();
    if tied_chosen < needed {
        return Err(ConfirmRefusal::TooFewOfTheTied {
            needed,
            chosen: tied_chosen,
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(n: usize) -> Vec<MemberId> {
        let mut v: Vec<MemberId> = (0..n).map(|_| MemberId::new()).collect();
        v.sort();
        v
    }

    #[test]
    fn the_quota_is_five_per_thousand_rounded_up() {
        for (pool, want) in [
            (0, 0),
            (1, 1),
            (199, 1),
            (200, 1),
            (201, 2),
            (400, 2),
            (401, 3),
            (1000, 5),
            (1001, 6),
        ] {
            assert_eq!(quota(pool), want, "pool {pool}");
        }
    }

    #[test]
    fn the_lowest_are_proposed_on_pools_where_the_quota_steps_up() {
        for (size, want) in [(1, 1), (200, 1), (201, 2), (401, 3)] {
            let members = ids(size);
            // Distinct indices: member i scores 10 000 - i (the last ids are the lowest).
            let pool: Vec<_> = members
                .iter()
                .enumerate()
                .map(|(i, m)| (*m, 10_000 - i as Centi))
                .collect();
            let p = propose(&pool);
            assert_eq!((p.pool, p.quota, p.proposed.len()), (size, want, want));
            assert!(p.tied.is_empty());
            assert_eq!(
                p.proposed[0],
                *members.last().unwrap_or_else(|| panic!("missing"))
            );
        }
        assert!(propose(&[]).proposed.is_empty());
    }

    #[test]
    fn a_tie_at_the_boundary_proposes_and_flags_every_tied_member() {
        let m = ids(201); // quota 2
        let mut pool: Vec<_> = m.iter().map(|id| (*id, 9000)).collect();
        pool[0].1 = 1000; // the lowest
        pool[1].1 = 2000; // tied at the boundary …
        pool[2].1 = 2000; // … with this one
        pool[3].1 = 2000; // … and this one
        let p = propose(&pool);
        assert_eq!(p.quota, 2);
        assert_eq!(p.proposed, vec![m[0], m[1], m[2], m[3]]);
        assert_eq!(p.tied, BTreeSet::from([m[1], m[2], m[3]]));
        // Exactly at the quota: no tie to flag.
        pool[3].1 = 2500;
        pool[2].1 = 2500;
        let p = propose(&pool);
        assert_eq!(p.proposed, vec![m[0], m[1]]);
        assert!(p.tied.is_empty());
    }

    #[test]
    fn the_township_may_confirm_more_never_fewer_and_keeps_the_lowest() {
        let m = ids(201);
        let mut pool: Vec<_> = m.iter().map(|id| (*id, 9000)).collect();
        pool[0].1 = 1000;
        pool[1].1 = 2000;
        pool[2].1 = 2000;
        let p = propose(&pool);
        let everyone: BTreeSet<_> = m.iter().copied().collect();
        let set = |v: &[MemberId]| v.iter().copied().collect::<BTreeSet<_>>();
        // Resolving the tie either way, or keeping both, or adding someone: fine.
        for ok in [
            vec![m[0], m[1]],
            vec![m[0], m[2]],
            vec![m[0], m[1], m[2], m[9]],
        ] {
            assert_eq!(
                check_confirmation(&p, &everyone, &set(&ok)),
                Ok(()),
                "{ok:?}"
            );
        }
        assert_eq!(
            check_confirmation(&p, &everyone, &set(&[m[0]])),
            Err(ConfirmRefusal::BelowQuota {
                quota: 2,
                chosen: 1
            })
        );
        assert_eq!(
            check_confirmation(&p, &everyone, &set(&[m[1], m[2]])),
            Err(ConfirmRefusal::LowestLeftOut(m[0]))
        );
        // Someone else instead of the tied member the quota still needs: refused.
        assert_eq!(
            check_confirmation(&p, &everyone, &set(&[m[0], m[9]])),
            Err(ConfirmRefusal::TooFewOfTheTied {
                needed: 1,
                chosen: 0
            })
        );
        let stranger = MemberId::new();
        assert_eq!(
            check_confirmation(&p, &everyone, &set(&[m[0], m[1], stranger])),
            Err(ConfirmRefusal::NotInPool(stranger))
        );
    }
}
