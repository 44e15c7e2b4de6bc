//! A member checking out of a service activity (服务奉献): the rules a check-out must
//! pass and the minutes it credits ([`judge_check_out`], pure), then one unit of work that
//! marks the check-in checked out and appends the pending entry to the volunteer-hours
//! ledger.

use chrono::{DateTime, Duration, Utc};

use crate::activity::model::*;
use crate::context::WriteContext;
use crate::error::{DomainError, ErrorCode};
use crate::org::policy::{self, Action};
use crate::org::Member;
use crate::volunteer::HoursEntry;

/// How long after an activity's end a member may still check out. Later, they record their
/// hours themselves (a manual ledger entry, decided by the same secretary).
pub const CHECK_OUT_GRACE_HOURS: i64 = 2;

/// What a check-out leaves: the check-in, now checked out, and the ledger entry it wrote.
#[derive(Debug, Clone)]
pub struct CheckedOut {
    pub check_in: CheckIn,
    pub hours: HoursEntry,
}

/// The whole minutes (rounded down) the member of `check_in` served at `a`, checking out
/// at `now`: from the later of their check-in and the start to the earlier of `now` and the
/// end. Refused, in the order a member would want to hear it:
/// - not a service activity: `check_out_not_service_activity`;
/// - cancelled: `check_in_activity_cancelled`;
/// - no check-in of theirs: `check_out_not_checked_in`; a rejected one:
///   `check_out_check_in_rejected` (a pending one will do: the entry is reviewed anyway);
/// - checked out before: `check_out_already_recorded` (409);
/// - after the end plus [`CHECK_OUT_GRACE_HOURS`] (inclusive): `check_out_window_closed`;
/// - less than a minute served (before the start, or within its first minute):
///   `check_out_no_minutes`.
pub fn judge_check_out(
    a: &Activity,
    check_in: Option<&CheckIn>,
    now: DateTime<Utc>,
) -> Result<i32, DomainError> {
    if !a.is_service() {
        return Err(DomainError::refused(
            ErrorCode::CheckOutNotServiceActivity,
            "only a service activity (服务奉献) credits volunteer hours on check-out",
        ));
    }
    if a.is_cancelled() {
        return Err(DomainError::refused(
            ErrorCode::CheckInActivityCancelled,
            "the activity was cancelled",
        ));
    }
    let Some(c) = check_in else {
        return Err(not_checked_in());
    };
    if c.status == ReviewStatus::Rejected {
        return Err(DomainError::refused(
            ErrorCode::CheckOutCheckInRejected,
            "your check-in to this activity was rejected",
        ));
    }
    if c.checked_out_at.is_some() {
        return Err(already_checked_out());
    }
    let closes = a.ends_at + Duration::hours(CHECK_OUT_GRACE_HOURS);
    if now > closes {
        return Err(DomainError::refused(
            ErrorCode::CheckOutWindowClosed,
            format!(
                "check-out closes {CHECK_OUT_GRACE_HOURS} hours after the activity ends; record your hours yourself instead"
            ),
        ));
    }
    let from = c.created_at.max(a.starts_at);
    let to = now.min(a.ends_at);
    let minutes = (to - from).num_minutes();
    match i32::try_from(minutes) {
        Ok(m) if m >= 1 => Ok(m),
        _ => Err(DomainError::refused(
            ErrorCode::CheckOutNoMinutes,
            "less than a minute served between your check-in, the start and the end",
        )),
    }
}

fn not_checked_in() -> DomainError {
    DomainError::refused(
        ErrorCode::CheckOutNotCheckedIn,
        "you did not check in to this activity",
    )
}

fn already_checked_out() -> DomainError {
    DomainError::conflict(
        ErrorCode::CheckOutAlreadyRecorded,
        "you checked out of this activity already",
    )
}

/// Checks `member` (the caller) out of their check-in to a service activity they can see
/// (404 otherwise, as for every member activity operation): the check-in is marked checked
/// out only if it was not yet, and the pending ledger entry of the minutes served is
/// appended in the same unit of work, so of two racing check-outs one writes an entry and
/// the other gets `check_out_already_recorded`. Audited (`check_in.check_out`).
pub async fn check_out(
    ctx: &WriteContext<'_>,
    member: &Member,
    id: ActivityId,
) -> Result<CheckedOut, DomainError> {
    let (repos, now) = (ctx.repos, ctx.clock.now());
    let a = policy::load_in_scope(
        ctx.actor,
        Action::ReadActivities,
        repos.activities().get(id),
        |a| &a.branch_path,
    )
    .await?;
    let c = repos.check_ins().of_member(a.id, member.id).await?;
    let minutes = judge_check_out(&a, c.as_ref(), now)?;
    let c = c.ok_or_else(not_checked_in)?;
    let hours = HoursEntry::from_activity(&a, &c, minutes, now)?;
    let uow = ctx.tx.begin().await?;
    if !uow.check_ins().check_out(c.id, now).await? {
        return Err(already_checked_out());
    }
    uow.volunteer_hours()
        .append(std::slice::from_ref(&hours))
        .await?;
    ctx.commit_audited(
        uow,
        now,
        "check_in.check_out",
        "check_in",
        c.id.to_string(),
        Some((a.branch_id, &a.branch_path)),
    )
    .await?;
    Ok(CheckedOut {
        check_in: CheckIn {
            checked_out_at: Some(now),
            ..c
        },
        hours,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::activity::service::fixtures::*;
    use crate::org::MemberCategory;
    use crate::volunteer::{HoursSource, HoursStatus};

    /// A service activity from 09:00 to 10:00 (the clock stands at 08:30).
    fn service_day(now: DateTime<Utc>) -> Activity {
        let mut a = theme_day(&branch(), now);
        a.theme_category = Some(ThemeCategory::Service);
        a.title = "义务清扫村道".to_owned();
        a
    }

    fn checked_in(a: &Activity, at: DateTime<Utc>) -> CheckIn {
        CheckIn {
            id: CheckInId::at(at),
            activity_id: a.id,
            member_id: crate::org::MemberId::new(),
            branch_path: a.branch_path.clone(),
            method: CheckInMethod::Location,
            status: ReviewStatus::Pending,
            client_time: None,
            location: None,
            created_at: at,
            review: None,
            checked_out_at: None,
        }
    }

    fn minutes(a: &Activity, c: &CheckIn, now: DateTime<Utc>) -> i32 {
        judge_check_out(a, Some(c), now).unwrap_or_else(|e| panic!("{e:?}"))
    }

    fn code(r: Result<i32, DomainError>) -> &'static str {
        match r {
            Err(e) => codes(&e)[0],
            Ok(m) => panic!("expected a refusal, got {m} minutes"),
        }
    }

    #[test]
    fn a_check_in_before_the_start_counts_from_the_start() {
        let now = clock().now();
        let a = service_day(now);
        let c = checked_in(&a, a.starts_at - Duration::minutes(20));
        assert_eq!(minutes(&a, &c, a.starts_at + Duration::minutes(45)), 45);
        assert_eq!(minutes(&a, &c, a.ends_at), 60);
    }

    #[test]
    fn a_check_in_after_the_start_counts_from_the_check_in_in_whole_minutes_rounded_down() {
        let now = clock().now();
        let a = service_day(now);
        let c = checked_in(&a, a.starts_at + Duration::seconds(10 * 60 + 30));
        let out = a.starts_at + Duration::seconds(40 * 60 + 29);
        assert_eq!(minutes(&a, &c, out), 29, "29 min 59 s served");
    }

    #[test]
    fn a_check_out_after_the_end_within_the_grace_counts_up_to_the_end() {
        let now = clock().now();
        let a = service_day(now);
        let c = checked_in(&a, a.starts_at + Duration::minutes(15));
        assert_eq!(minutes(&a, &c, a.ends_at + Duration::minutes(30)), 45);
        let closes = a.ends_at + Duration::hours(CHECK_OUT_GRACE_HOURS);
        assert_eq!(minutes(&a, &c, closes), 45, "the last instant is inside");
    }

    #[test]
    fn a_check_out_after_the_grace_is_refused() {
        let now = clock().now();
        let a = service_day(now);
        let c = checked_in(&a, a.starts_at);
        let late = a.ends_at + Duration::hours(CHECK_OUT_GRACE_HOURS) + Duration::seconds(1);
        assert_eq!(
            code(judge_check_out(&a, Some(&c), late)),
            "check_out_window_closed"
        );
    }

    #[test]
    fn less_than_a_minute_served_is_refused() {
        let now = clock().now();
        let a = service_day(now);
        let early = checked_in(&a, a.starts_at - Duration::minutes(10));
        for out in [
            a.starts_at - Duration::minutes(5),
            a.starts_at,
            a.starts_at + Duration::seconds(59),
        ] {
            assert_eq!(
                code(judge_check_out(&a, Some(&early), out)),
                "check_out_no_minutes",
                "{out}"
            );
        }
        assert_eq!(minutes(&a, &early, a.starts_at + Duration::seconds(60)), 1);
        // Checked in after the end (a window closing late): nothing served.
        let after_end = checked_in(&a, a.ends_at + Duration::minutes(5));
        assert_eq!(
            code(judge_check_out(
                &a,
                Some(&after_end),
                a.ends_at + Duration::minutes(10)
            )),
            "check_out_no_minutes"
        );
    }

    #[test]
    fn only_a_service_activity_takes_a_check_out() {
        let now = clock().now();
        let mut a = service_day(now);
        let c = checked_in(&a, a.starts_at);
        let out = a.starts_at + Duration::minutes(30);
        for other in ThemeCategory::ALL
            .iter()
            .copied()
            .filter(|t| *t != ThemeCategory::Service)
            .map(Some)
            .chain([None])
        {
            a.theme_category = other;
            assert_eq!(
                code(judge_check_out(&a, Some(&c), out)),
                "check_out_not_service_activity",
                "{other:?}"
            );
            assert_eq!(
                code(judge_check_out(&a, None, out)),
                "check_out_not_service_activity",
                "before anything about the check-in, {other:?}"
            );
        }
    }

    #[test]
    fn a_check_out_needs_a_check_in_that_was_not_rejected_nor_checked_out() {
        let now = clock().now();
        let mut a = service_day(now);
        let out = a.starts_at + Duration::minutes(30);
        assert_eq!(
            code(judge_check_out(&a, None, out)),
            "check_out_not_checked_in"
        );
        let mut c = checked_in(&a, a.starts_at);
        for (status, want) in [
            (ReviewStatus::Pending, Ok(30)),
            (ReviewStatus::Approved, Ok(30)),
            (ReviewStatus::Rejected, Err("check_out_check_in_rejected")),
        ] {
            c.status = status;
            let got = judge_check_out(&a, Some(&c), out).map_err(|e| codes(&e)[0]);
            assert_eq!(got, want, "{status:?}");
        }
        c.status = ReviewStatus::Approved;
        c.checked_out_at = Some(out);
        let again = judge_check_out(&a, Some(&c), out + Duration::hours(5));
        assert!(
            matches!(again, Err(DomainError::Conflict { .. })),
            "{again:?}"
        );
        assert_eq!(code(again), "check_out_already_recorded", "before lateness");
        a.status = ActivityStatus::Cancelled;
        c.checked_out_at = None;
        assert_eq!(
            code(judge_check_out(&a, Some(&c), out)),
            "check_in_activity_cancelled"
        );
    }

    #[test]
    fn the_entry_of_a_check_out_is_a_pending_service_entry_of_the_activitys_branch_and_day() {
        let now = clock().now();
        let a = service_day(now);
        let m = member(
            &Branch {
                id: a.branch_id,
                path: a.branch_path.clone(),
                group_id: crate::org::OrgId::new(),
            },
            MemberCategory::Rural,
            now,
        );
        let mut c = checked_in(&a, a.starts_at);
        c.member_id = m.id;
        let out = a.starts_at + Duration::minutes(50);
        let e = HoursEntry::from_activity(&a, &c, minutes(&a, &c, out), out)
            .unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!((e.minutes, e.status), (50, HoursStatus::Pending));
        assert_eq!(e.source, HoursSource::Activity { activity: a.id });
        assert_eq!(e.source.kind(), "activity");
        assert_eq!(e.source.label_zh(), "服务活动");
        assert_eq!((e.member_id, e.recorded_by), (m.id, m.id));
        assert_eq!((e.branch_id, &e.branch_path), (a.branch_id, &a.branch_path));
        assert_eq!(Some(e.committee_id), a.branch_path.root_id());
        assert_eq!(e.occurred_on, a.start_date());
        assert_eq!(e.note, "义务清扫村道");
        let none = HoursEntry::from_activity(&a, &c, 0, out);
        assert_eq!(
            none.err().map(|e| codes(&e)),
            Some(vec!["volunteer_hours_minutes_invalid"])
        );
    }
}
