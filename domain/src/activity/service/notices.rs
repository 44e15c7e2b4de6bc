//! What the push worker writes on its round for the activity context: each activity's
//! reminder shortly before it starts, and notices to branch secretaries of 三会一课
//! obligations coming due or overdue. The messages are built in [`crate::activity::notice`];
//! push delivers them.

use std::collections::HashSet;

use chrono::{DateTime, TimeDelta, Utc};

use crate::activity::calendar::Period;
use crate::activity::model::{Activity, ReviewStatus};
use crate::activity::notice::{obligation_message, reminder_message, ObligationStage};
use crate::activity::report::{self, ReportRepos};
use crate::activity::schedule::{ObligationKind, ObligationState};
use crate::calendar::YearMonth;
use crate::error::DomainError;
use crate::org::{MemberId, RoleKind};
use crate::push::PushRepo;
use crate::uow::Transactional;

/// What writing reminders and notices reads and writes outside a unit of work.
pub trait NoticeRepos: PushRepo + ReportRepos {}

impl<T> NoticeRepos for T where T: PushRepo + ReportRepos {}

/// Writes the reminder of every activity starting within `lead` of `now` that has none
/// yet, addressed to its expected members. Two workers racing write it once (unique key).
pub async fn enqueue_reminders<R: NoticeRepos + ?Sized>(
    tx: &dyn Transactional,
    repos: &R,
    template: &str,
    now: DateTime<Utc>,
    lead: TimeDelta,
) -> Result<u64, DomainError> {
    // Activities of one township (a root) starting within the lead time: a township has
    // tens of branches, so this bounds nothing real.
    const PER_ROUND: u64 = 2000;
    let mut written = 0;
    for root in repos.roots().await? {
        for a in repos
            .starting_between(&root.path, now, now + lead, PER_ROUND)
            .await?
        {
            if a.is_cancelled() {
                continue;
            }
            let message = reminder_message(&a, template, now);
            if repos.message_exists(&message.key).await? {
                continue;
            }
            let members = expected_members(repos, &a).await?;
            let uow = tx.begin().await?;
            if uow.push().enqueue(&message, &members, now).await? {
                written += 1;
            }
            uow.commit().await?;
        }
    }
    Ok(written)
}

/// The obligations worth judging for a branch created at `created` at `now`: those whose
/// current period ends within `lead` (possibly due), and those whose previous period ended
/// less than `lead` ago, after the branch existed (possibly overdue). Pure: a branch with
/// none costs no query.
fn obligation_windows(
    month: YearMonth,
    created: DateTime<Utc>,
    now: DateTime<Utc>,
    lead: TimeDelta,
) -> (
    Vec<ObligationKind>,
    Vec<(ObligationKind, YearMonth, Period)>,
) {
    let mut due = Vec::new();
    let mut overdue = Vec::new();
    for kind in ObligationKind::ALL.iter().copied() {
        let period = kind.period_of(month);
        if now >= period.end() - lead {
            due.push(kind);
        }
        let Some(before) = YearMonth::containing(period.start() - TimeDelta::seconds(1)) else {
            continue;
        };
        let previous = kind.period_of(before);
        if now < previous.end() + lead && created < previous.end() {
            overdue.push((kind, before, previous));
        }
    }
    (due, overdue)
}

/// Writes a notice to each branch's secretaries for every obligation still due within
/// `lead` of its period's end, and for every one whose period ended unmet less than `lead`
/// ago: once per branch, obligation (group), period and stage, whichever worker writes it
/// (unique key). Branches without a secretary get none.
pub async fn enqueue_obligation_notices<R: NoticeRepos + ?Sized>(
    tx: &dyn Transactional,
    repos: &R,
    template: &str,
    now: DateTime<Utc>,
    lead: TimeDelta,
) -> Result<u64, DomainError> {
    let Some(month) = YearMonth::containing(now) else {
        return Ok(0);
    };
    let mut written = 0;
    for root in repos.roots().await? {
        for branch in repos.branches_under(&root.path).await? {
            let (due, overdue) = obligation_windows(month, branch.created_at, now, lead);
            if due.is_empty() && overdue.is_empty() {
                continue;
            }
            let secretaries: Vec<MemberId> = repos
                .held_on(branch.id)
                .await?
                .into_iter()
                .filter(|g| g.kind == RoleKind::Secretary)
                .map(|g| g.member_id)
                .collect();
            if secretaries.is_empty() {
                continue;
            }
            let mut notices = Vec::new();
            if !due.is_empty() {
                notices.extend(
                    report::branch_obligations(repos, &branch, month, now)
                        .await?
                        .into_iter()
                        .filter(|o| due.contains(&o.kind) && o.state == ObligationState::Due)
                        .map(|o| (o, ObligationStage::Due)),
                );
            }
            let mut months: Vec<YearMonth> = Vec::new();
            for (_, m, _) in &overdue {
                if !months.contains(m) {
                    months.push(*m);
                }
            }
            for before in months {
                notices.extend(
                    report::branch_obligations(repos, &branch, before, now)
                        .await?
                        .into_iter()
                        .filter(|o| {
                            o.state == ObligationState::Overdue
                                && overdue
                                    .iter()
                                    .any(|(k, m, p)| *k == o.kind && *m == before && *p == o.period)
                        })
                        .map(|o| (o, ObligationStage::Overdue)),
                );
            }
            for (o, stage) in notices {
                let message = obligation_message(&branch, &o, stage, template, now);
                if repos.message_exists(&message.key).await? {
                    continue;
                }
                let uow = tx.begin().await?;
                if uow.push().enqueue(&message, &secretaries, now).await? {
                    written += 1;
                }
                uow.commit().await?;
            }
        }
    }
    Ok(written)
}

/// The activity's expected members today, less those excused from it.
async fn expected_members<R: NoticeRepos + ?Sized>(
    repos: &R,
    a: &Activity,
) -> Result<Vec<MemberId>, DomainError> {
    let committee: HashSet<MemberId> = repos
        .held_on(a.branch_id)
        .await?
        .into_iter()
        .filter(|g| matches!(g.kind, RoleKind::Secretary | RoleKind::Committee))
        .map(|g| g.member_id)
        .collect();
    // Those with an approved exemption covering it are not reminded.
    let excused: HashSet<MemberId> = repos
        .approved_in_branch(&a.branch_path)
        .await?
        .into_iter()
        .filter(|e| e.status == ReviewStatus::Approved && e.scope.covers(a))
        .map(|e| e.member_id)
        .collect();
    Ok(repos
        .active_in_branch(&a.branch_path)
        .await?
        .into_iter()
        .filter(|m| a.expects_in_branch(m, &committee) && !excused.contains(&m.id))
        .map(|m| m.id)
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn month(y: i32, m: u32) -> YearMonth {
        YearMonth::new(y, m).unwrap_or_else(|| panic!("{y}-{m}"))
    }

    fn utc(raw: &str) -> DateTime<Utc> {
        raw.parse().unwrap_or_else(|e| panic!("{raw}: {e}"))
    }

    #[test]
    fn obligations_are_judged_near_a_periods_end_and_just_after_it() {
        let lead = TimeDelta::days(7);
        let long_ago = utc("2020-01-01T00:00:00Z");
        let nov = month(2026, 11);
        // 20 November: nothing ends within a week, October ended long enough ago.
        let (due, overdue) = obligation_windows(nov, long_ago, utc("2026-11-20T00:00:00Z"), lead);
        assert!(due.is_empty() && overdue.is_empty(), "{due:?} {overdue:?}");
        // 25 November (Shanghai): the month's duties come due; nothing quarterly yet.
        let (due, overdue) = obligation_windows(nov, long_ago, utc("2026-11-24T16:00:00Z"), lead);
        assert_eq!(
            due,
            [
                ObligationKind::ThemeDay,
                ObligationKind::CommitteeMeeting,
                ObligationKind::GroupMeeting
            ]
        );
        assert!(overdue.is_empty());
        // 1 December: November's monthly duties may be overdue; the quarter is still open.
        let dec = month(2026, 12);
        let (due, overdue) = obligation_windows(dec, long_ago, utc("2026-11-30T17:00:00Z"), lead);
        assert!(due.is_empty(), "{due:?}");
        let kinds: Vec<_> = overdue.iter().map(|(k, m, _)| (*k, *m)).collect();
        assert_eq!(
            kinds,
            [
                (ObligationKind::ThemeDay, nov),
                (ObligationKind::CommitteeMeeting, nov),
                (ObligationKind::GroupMeeting, nov)
            ]
        );
        // 2 January: the year and the fourth quarter are over.
        let jan = month(2027, 1);
        let (_, overdue) = obligation_windows(jan, long_ago, utc("2027-01-01T17:00:00Z"), lead);
        assert!(overdue
            .iter()
            .any(|(k, m, _)| *k == ObligationKind::SecretaryLesson && *m == dec));
        assert!(overdue
            .iter()
            .any(|(k, _, p)| *k == ObligationKind::GeneralAssembly
                && *p
                    == Period::Quarter {
                        year: 2026,
                        quarter: 4
                    }));
        // A branch created in December owes nothing for November.
        let (_, overdue) = obligation_windows(
            dec,
            utc("2026-11-30T16:30:00Z"),
            utc("2026-11-30T17:00:00Z"),
            lead,
        );
        assert!(overdue.is_empty(), "{overdue:?}");
    }
}
