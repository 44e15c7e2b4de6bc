//! Reviewers deciding check-ins, one at a time or in a batch, and their pending list.

use crate::error::ErrorCode;
use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};

use super::{activity_branch, optional_text};
use crate::activity::model::*;
use crate::context::{ReadContext, WriteContext};
use crate::error::{DomainError, FieldError};
use crate::org::policy::{self, Action};
use crate::org::MemberId;
use crate::page::{Page, PageRequest};

/// The most ids one batch review may carry.
pub const MAX_BATCH_REVIEW: usize = 200;

/// A reviewer's decision with its reason (required to reject).
#[derive(Debug, Clone)]
pub struct Decision {
    pub decision: ReviewDecision,
    pub reason: Option<String>,
}

impl Decision {
    /// Checks the reason (required to reject) and stamps the review. Which status it leads
    /// to is [`ReviewStatus::decide`]'s answer, once the check-in or exemption is loaded.
    pub(super) fn validate(
        self,
        now: DateTime<Utc>,
        reviewer: MemberId,
    ) -> Result<(ReviewDecision, Review), DomainError> {
        let reason = optional_text(
            self.reason,
            Activity::MAX_REASON_CHARS,
            "/reason",
            ErrorCode::ReviewReasonInvalid,
        )?;
        if self.decision == ReviewDecision::Reject && reason.is_none() {
            return Err(DomainError::invalid(
                "/reason",
                ErrorCode::ReviewReasonRequired,
                "a rejection needs a reason",
            ));
        }
        Ok((
            self.decision,
            Review {
                reviewer_id: reviewer,
                reviewed_at: now,
                reason,
            },
        ))
    }
}

pub async fn review_check_in(
    ctx: &WriteContext<'_>,
    id: CheckInId,
    decision: Decision,
) -> Result<CheckIn, DomainError> {
    // A plain member reviewing is 403 before anything about the request is looked at.
    policy::may_somewhere(ctx.actor, Action::Review)?;
    let now = ctx.clock.now();
    let (decision, review) = decision.validate(now, ctx.actor.member_id)?;
    let uow = ctx.tx.begin().await?;
    let c = policy::load_in_scope(ctx.actor, Action::Review, uow.check_ins().get(id), |c| {
        &c.branch_path
    })
    .await?;
    let already_reviewed = || {
        DomainError::conflict(
            ErrorCode::CheckInNotPending,
            "this check-in was already reviewed",
        )
    };
    let status = c.status.decide(decision).map_err(|_| already_reviewed())?;
    // The store decides it only if still pending: a review in between loses this one.
    if uow.check_ins().decide(&[c.id], status, &review).await? != 1 {
        return Err(already_reviewed());
    }
    let entry = ctx.audit(
        now,
        decision_action("check_in", status),
        "check_in",
        c.id.to_string(),
        Some((activity_branch(&c.branch_path)?, &c.branch_path)),
    );
    uow.audit().append(&entry).await?;
    let decided = uow
        .check_ins()
        .get(id)
        .await?
        .ok_or(DomainError::NotFound)?;
    notify_check_in_reviews(ctx, uow.as_ref(), std::slice::from_ref(&decided), now).await?;
    uow.commit().await?;
    Ok(decided)
}

/// Tells each member their check-in was reviewed (when review notices are configured).
async fn notify_check_in_reviews(
    ctx: &WriteContext<'_>,
    uow: &dyn crate::uow::UnitOfWork,
    decided: &[CheckIn],
    now: DateTime<Utc>,
) -> Result<(), DomainError> {
    let Some(template) = ctx.push.review.as_deref() else {
        return Ok(());
    };
    let mut titles: HashMap<ActivityId, String> = HashMap::new();
    for c in decided {
        let title = match titles.get(&c.activity_id) {
            Some(t) => t.clone(),
            None => {
                let a = uow.activities().get(c.activity_id).await?;
                let t = a.map(|a| a.title).unwrap_or_default();
                titles.insert(c.activity_id, t.clone());
                t
            }
        };
        let notice = crate::activity::notice::ReviewNotice {
            object_type: "check_in",
            object_id: c.id.to_string(),
            subject_line: format!("签到：{title}"),
            approved: c.status == ReviewStatus::Approved,
            reason: c.review.as_ref().and_then(|r| r.reason.clone()),
            reviewed_at: now,
        };
        let message = crate::activity::notice::review_message(&notice, template, now);
        uow.push().enqueue(&message, &[c.member_id], now).await?;
    }
    Ok(())
}

pub(super) fn decision_action(what: &'static str, status: ReviewStatus) -> &'static str {
    match (what, status) {
        ("check_in", ReviewStatus::Approved) => "check_in.approve",
        ("check_in", _) => "check_in.reject",
        (_, ReviewStatus::Approved) => "exemption.approve",
        _ => "exemption.reject",
    }
}

/// Reviews several check-ins of one activity at once: all or nothing. Every id that is
/// unknown or outside the caller's scope (`check_in_not_found`), of another activity
/// (`check_in_not_in_activity`) or no longer pending (`check_in_not_pending`) is listed
/// and nothing changes.
pub async fn review_check_ins(
    ctx: &WriteContext<'_>,
    activity_id: ActivityId,
    ids: Vec<CheckInId>,
    decision: Decision,
) -> Result<Vec<CheckIn>, DomainError> {
    // A plain member reviewing is 403 before anything about the request is looked at.
    policy::may_somewhere(ctx.actor, Action::Review)?;
    let now = ctx.clock.now();
    if ids.is_empty() || ids.len() > MAX_BATCH_REVIEW {
        return Err(DomainError::invalid(
            "/ids",
            ErrorCode::ReviewBatchSizeInvalid,
            format!("send 1-{MAX_BATCH_REVIEW} ids"),
        ));
    }
    let (decision, review) = decision.validate(now, ctx.actor.member_id)?;
    let uow = ctx.tx.begin().await?;
    let a = policy::load_in_scope(
        ctx.actor,
        Action::Review,
        uow.activities().get(activity_id),
        |a| &a.branch_path,
    )
    .await?;
    let found = uow.check_ins().get_many(&ids).await?;
    let mut problems = Vec::new();
    let mut seen = HashSet::new();
    let mut unique = Vec::new();
    for (i, id) in ids.iter().enumerate() {
        if !seen.insert(*id) {
            continue;
        }
        let pointer = format!("/ids/{i}");
        let row = found
            .iter()
            .find(|c| c.id == *id)
            .filter(|c| policy::authorize(ctx.actor, Action::Review, &c.branch_path).is_ok());
        match row {
            None => problems.push(FieldError::new(
                pointer,
                ErrorCode::CheckInNotFound,
                format!("no check-in {id} within your scope"),
            )),
            Some(c) if c.activity_id != a.id => problems.push(FieldError::new(
                pointer,
                ErrorCode::CheckInNotInActivity,
                format!("check-in {id} belongs to another activity"),
            )),
            Some(c) => match c.status.decide(decision) {
                Ok(_) => unique.push(*id),
                Err(_) => problems.push(FieldError::new(
                    pointer,
                    ErrorCode::CheckInNotPending,
                    format!("check-in {id} was already reviewed"),
                )),
            },
        }
    }
    if !problems.is_empty() {
        return Err(DomainError::Validation(problems));
    }
    // Every one of them is pending, so every one moves to the decision's outcome.
    let status = decision.outcome();
    let changed = uow.check_ins().decide(&unique, status, &review).await?;
    if changed != unique.len() as u64 {
        // Someone decided one of them in between: leave all as they are.
        return Err(DomainError::conflict(
            ErrorCode::CheckInNotPending,
            "some of these check-ins were reviewed meanwhile; reload and try again",
        ));
    }
    for id in &unique {
        let entry = ctx.audit(
            now,
            decision_action("check_in", status),
            "check_in",
            id.to_string(),
            Some((a.branch_id, &a.branch_path)),
        );
        uow.audit().append(&entry).await?;
    }
    let decided = uow.check_ins().get_many(&unique).await?;
    notify_check_in_reviews(ctx, uow.as_ref(), &decided, now).await?;
    uow.commit().await?;
    Ok(decided)
}

/// A pending check-in list of one activity, for its reviewers.
pub async fn list_check_ins(
    ctx: &ReadContext<'_>,
    id: ActivityId,
    status: Option<ReviewStatus>,
    page: &PageRequest,
) -> Result<Page<CheckIn>, DomainError> {
    let (activities, check_ins, actor) = (ctx.repos.activities(), ctx.repos.check_ins(), ctx.actor);
    let a = policy::load_in_scope(actor, Action::Review, activities.get(id), |a| {
        &a.branch_path
    })
    .await?;
    Ok(check_ins.list(a.id, status, page).await?)
}

#[cfg(test)]
mod tests {
    use chrono::Duration;

    use super::*;
    use crate::activity::service::fixtures::*;

    fn decision(decision: ReviewDecision, reason: Option<&str>) -> Decision {
        Decision {
            decision,
            reason: reason.map(str::to_owned),
        }
    }

    #[test]
    fn a_rejection_needs_a_reason_and_an_approval_does_not() {
        let clock = clock();
        let reviewer = MemberId::new();
        let Err(e) = decision(ReviewDecision::Reject, None).validate(clock.now(), reviewer) else {
            panic!("a rejection without a reason passed")
        };
        assert_eq!(codes(&e), ["review_reason_required"]);
        assert_eq!(pointers(&e), ["/reason"]);
        assert!(decision(ReviewDecision::Approve, None)
            .validate(clock.now(), reviewer)
            .is_ok());
    }

    #[test]
    fn a_blank_or_overlong_reason_is_invalid_whatever_the_decision() {
        let clock = clock();
        let longest = "因".repeat(Activity::MAX_REASON_CHARS);
        let too_long = "因".repeat(Activity::MAX_REASON_CHARS + 1);
        for kind in ReviewDecision::ALL.iter().copied() {
            for bad in ["   ", "未到\u{7}现场", too_long.as_str()] {
                let Err(e) = decision(kind, Some(bad)).validate(clock.now(), MemberId::new())
                else {
                    panic!("{kind:?} with {bad:?} passed")
                };
                assert_eq!(codes(&e), ["review_reason_invalid"], "{kind:?} {bad:?}");
            }
            assert!(decision(kind, Some(&longest))
                .validate(clock.now(), MemberId::new())
                .is_ok());
        }
    }

    #[test]
    fn a_review_is_stamped_with_its_reviewer_the_clocks_instant_and_the_trimmed_reason() {
        let clock = clock();
        let reviewer = MemberId::new();
        clock.advance(Duration::minutes(95));
        let validated = decision(ReviewDecision::Reject, Some(" 未到现场 "))
            .validate(clock.now(), reviewer)
            .ok();
        assert_eq!(
            validated,
            Some((
                ReviewDecision::Reject,
                Review {
                    reviewer_id: reviewer,
                    reviewed_at: clock.now(),
                    reason: Some("未到现场".to_owned()),
                }
            ))
        );
    }

    #[test]
    fn the_audit_log_names_what_was_decided_and_how() {
        for (what, status, action) in [
            ("check_in", ReviewStatus::Approved, "check_in.approve"),
            ("check_in", ReviewStatus::Rejected, "check_in.reject"),
            ("exemption", ReviewStatus::Approved, "exemption.approve"),
            ("exemption", ReviewStatus::Rejected, "exemption.reject"),
        ] {
            assert_eq!(decision_action(what, status), action);
        }
    }
}
