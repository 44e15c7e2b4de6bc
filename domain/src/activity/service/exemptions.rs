//! A member applying for an exemption (请假), and reviewers listing and deciding them.

use chrono::NaiveDate;

use super::activity_branch;
use super::review::{decision_action, Decision};
use crate::activity::calendar::YearMonth;
use crate::activity::model::*;
use crate::activity::ports::ExemptionRepo;
use crate::context::ServiceContext;
use crate::error::DomainError;
use crate::org::policy::{self, Action, Actor};
use crate::org::{Member, OrgKind, OrgRepo};
use crate::page::{Page, PageRequest};

/// What a member asks to be exempted from.
#[derive(Debug, Clone)]
pub struct NewExemption {
    pub activity_id: Option<ActivityId>,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    pub reason: String,
}

pub async fn apply_exemption(
    ctx: &ServiceContext<'_>,
    member: &Member,
    new: NewExemption,
) -> Result<Exemption, DomainError> {
    let reason = clean_text(
        &new.reason,
        Activity::MAX_REASON_CHARS,
        "/reason",
        "exemption_reason_invalid",
    )
    .map_err(|e| DomainError::Validation(vec![e]))?;
    let uow = ctx.tx.begin().await?;
    let scope = match (new.activity_id, new.from, new.to) {
        (Some(id), None, None) => {
            let a = policy::load_in_scope(
                ctx.actor,
                Action::ReadActivities,
                uow.activities().get(id),
                |a| &a.branch_path,
            )
            .await?;
            if a.is_cancelled() {
                return Err(DomainError::refused(
                    "check_in_activity_cancelled",
                    "the activity was cancelled",
                ));
            }
            if !a.expects(member, &ctx.actor.roles) {
                return Err(DomainError::refused(
                    "check_in_not_expected",
                    "you are not among this activity's expected participants",
                ));
            }
            ExemptionScope::Activity(a.id)
        }
        (None, Some(from), Some(to)) => {
            use chrono::Datelike;
            let years = YearMonth::MIN_YEAR..=YearMonth::MAX_YEAR;
            if !years.contains(&from.year()) || !years.contains(&to.year()) {
                return Err(DomainError::invalid(
                    "/fromDate",
                    "exemption_range_invalid",
                    "dates must fall in the years 2000-2100",
                ));
            }
            if to < from || (to - from).num_days() >= ExemptionScope::MAX_RANGE_DAYS {
                return Err(DomainError::invalid(
                    "/toDate",
                    "exemption_range_invalid",
                    format!(
                        "the range must end on or after its start and span at most {} days",
                        ExemptionScope::MAX_RANGE_DAYS
                    ),
                ));
            }
            ExemptionScope::Dates { from, to }
        }
        _ => {
            return Err(DomainError::invalid(
                "/activityId",
                "exemption_scope_invalid",
                "give either an activityId or both fromDate and toDate",
            ))
        }
    };
    // Serialise one member's applications, so two racing retries cannot both pass the
    // duplicate check below (SQLite's write transaction already does).
    uow.members().lock(member.id).await?;
    let live = uow.exemptions().live_of_member(member.id).await?;
    if live.iter().any(|e| e.scope == scope) {
        return Err(DomainError::conflict(
            "exemption_exists",
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
    let entry = ctx.audit(
        now,
        "exemption.apply",
        "exemption",
        exemption.id.to_string(),
        Some((member.branch_id, &member.branch_path)),
    );
    uow.audit().append(&entry).await?;
    uow.commit().await?;
    Ok(exemption)
}

pub async fn list_exemptions(
    orgs: &dyn OrgRepo,
    exemptions: &dyn ExemptionRepo,
    actor: &Actor,
    org_id: crate::org::OrgId,
    status: Option<ReviewStatus>,
    page: &PageRequest,
) -> Result<Page<Exemption>, DomainError> {
    let org = policy::load_in_scope(actor, Action::Review, orgs.get(org_id), |o| &o.path).await?;
    // Exemptions carry their member's branch path; a group has no list of its own.
    if org.kind == OrgKind::Group {
        return Err(DomainError::refused(
            "exemptions_listed_per_branch",
            "exemptions are listed per branch; ask for the group's branch",
        ));
    }
    Ok(exemptions.list(&org.path, status, page).await?)
}

pub async fn review_exemption(
    ctx: &ServiceContext<'_>,
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
            "exemption_not_pending",
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
        let notice = crate::push::ReviewNotice {
            object_type: "exemption",
            object_id: e.id.to_string(),
            subject_line: "请假申请".to_owned(),
            approved: status == ReviewStatus::Approved,
            reason: review.reason.clone(),
            reviewed_at: now,
        };
        let message = crate::push::review_message(&notice, template, now);
        uow.push().enqueue(&message, &[e.member_id], now).await?;
    }
    uow.commit().await?;
    Ok(Exemption {
        status,
        review: Some(review),
        ..e
    })
}
