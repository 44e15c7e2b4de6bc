//! A member applying for an exemption (请假), and reviewers listing and deciding them.

use crate::error::ErrorCode;
use chrono::{Datelike, NaiveDate};

use super::activity_branch;
use super::check_in::expected_at;
use super::review::{decision_action, Decision};
use crate::activity::model::*;
use crate::calendar::YearMonth;
use crate::context::{ReadContext, WriteContext};
use crate::error::DomainError;
use crate::org::policy::{self, Action};
use crate::org::{Member, OrgKind};
use crate::page::{Page, PageRequest};
use crate::text::clean_text;

/// What a member asks to be exempted from.
#[derive(Debug, Clone)]
pub struct NewExemption {
    pub activity_id: Option<ActivityId>,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    pub reason: String,
}

pub async fn apply_exemption(
    ctx: &WriteContext<'_>,
    member: &Member,
    new: NewExemption,
) -> Result<Exemption, DomainError> {
    let reason = clean_text(
        &new.reason,
        Activity::MAX_REASON_CHARS,
        "/reason",
        ErrorCode::ExemptionReasonInvalid,
    )
    .map_err(|e| DomainError::Validation(vec![e]))?;
    let uow = ctx.tx.begin().await?;
    let scope = requested_scope(new.activity_id, new.from, new.to)?;
    if let ExemptionScope::Activity(id) = scope {
        let a = policy::load_in_scope(
            ctx.actor,
            Action::ReadActivities,
            uow.activities().get(id),
            |a| &a.branch_path,
        )
        .await?;
        expected_at(&a, ctx.actor, member)?;
    }
    // Serialise one member's applications, so two racing retries cannot both pass the
    // duplicate check below (SQLite's write transaction already does).
    uow.members().lock(member.id).await?;
    let live = uow.exemptions().live_of_member(member.id).await?;
    if already_applied(&live, &scope) {
        return Err(DomainError::conflict(
            ErrorCode::ExemptionExists,
            "you already applied for this exemption",
        ));
    }
    let now = ctx.clock.now();
    let exemption = Exemption {
        id: ExemptionId::at(now),
        member_id: member.id,
        branch_path: member.branch_path.clone(),
        scope,
        reason,
        status: ReviewStatus::Pending,
        created_at: now,
        review: None,
    };
    uow.exemptions().insert(&exemption).await?;
    ctx.commit_audited(
        uow,
        now,
        "exemption.apply",
        "exemption",
        exemption.id.to_string(),
        Some((member.branch_id, &member.branch_path)),
    )
    .await?;
    Ok(exemption)
}

/// What the member asked to be exempted from: one activity (not yet looked up), or the
/// dates from one day to another, both included, inside the calendar's years and spanning
/// fewer than [`ExemptionScope::MAX_RANGE_DAYS`] days.
fn requested_scope(
    activity_id: Option<ActivityId>,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
) -> Result<ExemptionScope, DomainError> {
    match (activity_id, from, to) {
        (Some(id), None, None) => Ok(ExemptionScope::Activity(id)),
        (None, Some(from), Some(to)) => {
            let years = YearMonth::MIN_YEAR..=YearMonth::MAX_YEAR;
            if !years.contains(&from.year()) || !years.contains(&to.year()) {
                return Err(DomainError::invalid(
                    "/fromDate",
                    ErrorCode::ExemptionRangeInvalid,
                    "dates must fall in the years 2000-2100",
                ));
            }
            if to < from || (to - from).num_days() >= ExemptionScope::MAX_RANGE_DAYS {
                return Err(DomainError::invalid(
                    "/toDate",
                    ErrorCode::ExemptionRangeInvalid,
                    format!(
                        "the range must end on or after its start and span at most {} days",
                        ExemptionScope::MAX_RANGE_DAYS
                    ),
                ));
            }
            Ok(ExemptionScope::Dates { from, to })
        }
        _ => Err(DomainError::invalid(
            "/activityId",
            ErrorCode::ExemptionScopeInvalid,
            "give either an activityId or both fromDate and toDate",
        )),
    }
}

/// Does the member already have a pending or approved application for exactly `scope`?
/// Only the same activity or the same two dates repeat one; an overlapping range is an
/// application of its own.
fn already_applied(live: &[Exemption], scope: &ExemptionScope) -> bool {
    live.iter()
        .any(|e| e.status != ReviewStatus::Rejected && e.scope == *scope)
}

pub async fn list_exemptions(
    ctx: &ReadContext<'_>,
    org_id: crate::org::OrgId,
    status: Option<ReviewStatus>,
    page: &PageRequest,
) -> Result<Page<Exemption>, DomainError> {
    let (orgs, exemptions, actor) = (ctx.repos.orgs(), ctx.repos.exemptions(), ctx.actor);
    let org = policy::load_in_scope(actor, Action::Review, orgs.get(org_id), |o| &o.path).await?;
    // Exemptions carry their member's branch path; a group has no list of its own.
    if org.kind == OrgKind::Group {
        return Err(DomainError::refused(
            ErrorCode::ExemptionsListedPerBranch,
            "exemptions are listed per branch; ask for the group's branch",
        ));
    }
    Ok(exemptions.list(&org.path, status, page).await?)
}

pub async fn review_exemption(
    ctx: &WriteContext<'_>,
    id: ExemptionId,
    decision: Decision,
) -> Result<Exemption, DomainError> {
    // A plain member reviewing is 403 before anything about the request is looked at.
    policy::may_somewhere(ctx.actor, Action::Review)?;
    let now = ctx.clock.now();
    let (decision, review) = decision.validate(now, ctx.actor.member_id)?;
    let uow = ctx.tx.begin().await?;
    let e = policy::load_in_scope(ctx.actor, Action::Review, uow.exemptions().get(id), |e| {
        &e.branch_path
    })
    .await?;
    let already_reviewed = || {
        DomainError::conflict(
            ErrorCode::ExemptionNotPending,
            "this exemption was already reviewed",
        )
    };
    let status = e.status.decide(decision).map_err(|_| already_reviewed())?;
    // The store decides it only if still pending: a review in between loses this one.
    if !uow.exemptions().decide(e.id, status, &review).await? {
        return Err(already_reviewed());
    }
    let entry = ctx.audit(
        now,
        decision_action("exemption", status),
        "exemption",
        e.id.to_string(),
        Some((activity_branch(&e.branch_path)?, &e.branch_path)),
    );
    uow.audit().append(&entry).await?;
    if let Some(template) = ctx.push.review.as_deref() {
        let notice = crate::activity::notice::ReviewNotice {
            object_type: "exemption",
            object_id: e.id.to_string(),
            subject_line: "请假申请".to_owned(),
            approved: status == ReviewStatus::Approved,
            reason: review.reason.clone(),
            reviewed_at: now,
        };
        let message = crate::activity::notice::review_message(&notice, template, now);
        uow.push().enqueue(&message, &[e.member_id], now).await?;
    }
    uow.commit().await?;
    Ok(Exemption {
        status,
        review: Some(review),
        ..e
    })
}

#[cfg(test)]
mod tests {
    use chrono::{Duration, TimeZone, Utc};

    use super::*;
    use crate::activity::service::fixtures::*;
    use crate::org::{MemberCategory, MemberId};

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap_or_else(|| panic!("{y}-{m}-{d} is a date"))
    }

    fn dates(from: NaiveDate, to: NaiveDate) -> ExemptionScope {
        ExemptionScope::Dates { from, to }
    }

    fn exemption(scope: ExemptionScope, status: ReviewStatus) -> Exemption {
        let b = branch();
        let now = clock().now();
        Exemption {
            id: ExemptionId::at(now),
            member_id: MemberId::new(),
            branch_path: b.path,
            scope,
            reason: "住院治疗".to_owned(),
            status,
            created_at: now,
            review: None,
        }
    }

    /// The error's code and pointer, for a request refused as invalid.
    fn invalid(r: Result<ExemptionScope, DomainError>) -> (&'static str, String) {
        match r {
            Err(e) => (codes(&e)[0], pointers(&e)[0].to_owned()),
            Ok(scope) => panic!("{scope:?} passed"),
        }
    }

    // What may be asked for.

    #[test]
    fn an_exemption_is_for_one_activity_or_for_a_range_of_dates_and_nothing_else() {
        let id = ActivityId::new();
        let (from, to) = (Some(day(2026, 11, 1)), Some(day(2026, 11, 30)));
        assert_eq!(
            requested_scope(Some(id), None, None).ok(),
            Some(ExemptionScope::Activity(id))
        );
        assert_eq!(
            requested_scope(None, from, to).ok(),
            Some(dates(day(2026, 11, 1), day(2026, 11, 30)))
        );
        for (activity, from, to) in [
            (None, None, None),
            (None, from, None),
            (None, None, to),
            (Some(id), from, None),
            (Some(id), None, to),
            (Some(id), from, to),
        ] {
            assert_eq!(
                invalid(requested_scope(activity, from, to)),
                ("exemption_scope_invalid", "/activityId".to_owned()),
                "{activity:?} {from:?} {to:?}"
            );
        }
    }

    #[test]
    fn a_range_covers_one_day_at_least_and_fewer_than_366() {
        let from = day(2026, 11, 5);
        let range =
            |days: i64| requested_scope(None, Some(from), Some(from + Duration::days(days)));
        assert_eq!(range(0).ok(), Some(dates(from, from)));
        assert_eq!(
            range(ExemptionScope::MAX_RANGE_DAYS - 1).ok(),
            Some(dates(from, day(2027, 11, 5)))
        );
        for days in [ExemptionScope::MAX_RANGE_DAYS, -1] {
            assert_eq!(
                invalid(range(days)),
                ("exemption_range_invalid", "/toDate".to_owned()),
                "{days} days"
            );
        }
    }

    #[test]
    fn a_range_must_lie_in_the_calendars_years() {
        for (from, to) in [
            (day(1999, 12, 31), day(2000, 1, 1)),
            (day(2100, 12, 31), day(2101, 1, 1)),
        ] {
            assert_eq!(
                invalid(requested_scope(None, Some(from), Some(to))),
                ("exemption_range_invalid", "/fromDate".to_owned()),
                "{from}..{to}"
            );
        }
        for edge in [day(2000, 1, 1), day(2100, 12, 31)] {
            assert!(requested_scope(None, Some(edge), Some(edge)).is_ok());
        }
    }

    // Applying twice.

    #[test]
    fn only_the_same_activity_or_the_same_dates_repeat_a_live_application() {
        let a = ActivityId::new();
        let november = dates(day(2026, 11, 1), day(2026, 11, 30));
        let live = [
            exemption(ExemptionScope::Activity(a), ReviewStatus::Pending),
            exemption(november, ReviewStatus::Approved),
        ];
        assert!(already_applied(&live, &ExemptionScope::Activity(a)));
        assert!(already_applied(&live, &november));
        for other in [
            ExemptionScope::Activity(ActivityId::new()),
            // Overlapping or inside November: an application of its own.
            dates(day(2026, 11, 15), day(2026, 12, 15)),
            dates(day(2026, 11, 5), day(2026, 11, 5)),
        ] {
            assert!(!already_applied(&live, &other), "{other:?}");
        }
    }

    #[test]
    fn a_rejected_application_may_be_made_again() {
        let a = ActivityId::new();
        let rejected = [exemption(
            ExemptionScope::Activity(a),
            ReviewStatus::Rejected,
        )];
        assert!(!already_applied(&rejected, &ExemptionScope::Activity(a)));
    }

    // What an exemption excuses.

    #[test]
    fn an_approved_range_excuses_activities_starting_on_its_dates_both_ends_included() {
        let clock = clock();
        // The theme day starts on 5 November, Beijing time.
        let a = theme_day(&branch(), clock.now());
        for (from, to, covers) in [
            (day(2026, 11, 5), day(2026, 11, 5), true),
            (day(2026, 11, 1), day(2026, 11, 5), true),
            (day(2026, 11, 5), day(2026, 11, 30), true),
            (day(2026, 11, 1), day(2026, 11, 4), false),
            (day(2026, 11, 6), day(2026, 11, 30), false),
        ] {
            let e = exemption(dates(from, to), ReviewStatus::Approved);
            assert_eq!(e.excuses(&a), covers, "{from}..{to}");
        }
    }

    #[test]
    fn an_activity_belongs_to_the_beijing_date_it_starts_on() {
        let clock = clock();
        // 00:30 on 6 November in Beijing is still 5 November in UTC.
        let six_past_midnight = Utc
            .with_ymd_and_hms(2026, 11, 5, 16, 0, 0)
            .single()
            .unwrap_or_else(|| panic!("a valid instant"));
        clock.set(six_past_midnight);
        let a = theme_day(&branch(), clock.now());
        let on = |d: NaiveDate| exemption(dates(d, d), ReviewStatus::Approved).excuses(&a);
        assert!(on(day(2026, 11, 6)));
        assert!(!on(day(2026, 11, 5)));
    }

    #[test]
    fn only_an_approved_exemption_for_this_activity_or_its_date_excuses() {
        let clock = clock();
        let b = branch();
        let a = theme_day(&b, clock.now());
        let november = dates(day(2026, 11, 1), day(2026, 11, 30));
        for scope in [ExemptionScope::Activity(a.id), november] {
            for status in ReviewStatus::ALL.iter().copied() {
                let e = exemption(scope, status);
                assert_eq!(
                    e.excuses(&a),
                    status == ReviewStatus::Approved,
                    "{scope:?} {status:?}"
                );
            }
        }
        let other = exemption(
            ExemptionScope::Activity(ActivityId::new()),
            ReviewStatus::Approved,
        );
        assert!(!other.excuses(&a));
    }

    // Applying for one activity.

    #[test]
    fn an_exemption_from_one_activity_needs_it_to_take_place_and_expect_the_member() {
        let clock = clock();
        let b = branch();
        let m = member(&b, MemberCategory::Frail, clock.now());
        let a = theme_day(&b, clock.now());
        assert!(expected_at(&a, &actor(&m, &[]), &m).is_ok());
        let mut cancelled = a.clone();
        cancelled.status = ActivityStatus::Cancelled;
        assert_eq!(
            refusal(expected_at(&cancelled, &actor(&m, &[]), &m)),
            "check_in_activity_cancelled"
        );
        let mut committee_only = a.clone();
        committee_only.kind = ActivityKind::CommitteeMeeting;
        assert_eq!(
            refusal(expected_at(&committee_only, &actor(&m, &[]), &m)),
            "check_in_not_expected"
        );
        // Long after the activity: an exemption is not bound to the check-in window.
        clock.advance(Duration::days(30));
        assert!(expected_at(&a, &actor(&m, &[]), &m).is_ok());
    }
}
