//! Activity services: schedule and change activities, check in, review, apply for and
//! decide exemptions. Writes authorise with the policy, validate, and store the change with
//! its audit entry in one unit of work; the check-in itself is one idempotent insert.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Duration, NaiveDate, Utc};

use super::geo::{GeoPoint, Geofence};
use super::model::*;
use super::ports::{ActivityRepo, CheckInRepo, ExemptionRepo};
use super::qr::{self, QrKey};
use crate::context::ServiceContext;
use crate::error::{DomainError, FieldError};
use crate::org::policy::{self, Action, Actor};
use crate::org::{
    Member, MemberCategory, MemberId, Org, OrgKind, OrgPath, OrgRepo, RoleKind, RoleRepo,
};
use crate::page::{Page, PageRequest};

/// The most ids one batch review may carry.
pub const MAX_BATCH_REVIEW: usize = 200;

/// What a scheduler sends to create an activity.
#[derive(Debug, Clone)]
pub struct NewActivity {
    pub kind: ActivityKind,
    pub theme_category: Option<ThemeCategory>,
    pub title: String,
    pub place: Option<String>,
    pub lecturer_id: Option<MemberId>,
    pub lecturer_name: Option<String>,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub window_opens_at: Option<DateTime<Utc>>,
    pub window_closes_at: Option<DateTime<Utc>>,
    pub proof: ProofKind,
    pub geofence: Option<Geofence>,
    pub online_allowed: bool,
    pub qr_auto_approve: bool,
}

/// A change to an activity: every field optional; `cancel_reason` cancels it.
#[derive(Debug, Clone, Default)]
pub struct ActivityChanges {
    pub theme_category: Option<ThemeCategory>,
    pub title: Option<String>,
    pub place: Option<String>,
    pub lecturer_id: Option<MemberId>,
    pub lecturer_name: Option<String>,
    pub starts_at: Option<DateTime<Utc>>,
    pub ends_at: Option<DateTime<Utc>>,
    pub window_opens_at: Option<DateTime<Utc>>,
    pub window_closes_at: Option<DateTime<Utc>>,
    pub proof: Option<ProofKind>,
    /// `Some(None)` removes the geofence.
    pub geofence: Option<Option<Geofence>>,
    pub online_allowed: Option<bool>,
    pub qr_auto_approve: Option<bool>,
    pub cancel_reason: Option<String>,
}

/// Where an activity of `kind` placed on `org` belongs: group meetings on a group (and its
/// branch), everything else on a branch.
async fn placement(
    orgs: &dyn OrgRepo,
    org: Org,
    kind: ActivityKind,
) -> Result<(Org, Option<Org>), DomainError> {
    match (kind, org.kind) {
        (ActivityKind::GroupMeeting, OrgKind::Group) => {
            let parent = org.parent_id.ok_or(DomainError::NotFound)?;
            let branch = orgs.get(parent).await?.ok_or(DomainError::NotFound)?;
            Ok((branch, Some(org)))
        }
        (ActivityKind::GroupMeeting, _) => Err(DomainError::invalid(
            "/kind",
            "activity_org_mismatch",
            "a group meeting is scheduled on a group",
        )),
        (_, OrgKind::Branch) => Ok((org, None)),
        _ => Err(DomainError::invalid(
            "/kind",
            "activity_org_mismatch",
            "activities other than group meetings are scheduled on a branch",
        )),
    }
}

/// Checks the parts of an activity that hang together (times, window, proof, lecturer).
fn validate(a: &Activity) -> Result<(), DomainError> {
    let mut errors = Vec::new();
    if a.ends_at <= a.starts_at {
        errors.push(FieldError::new(
            "/endsAt",
            "activity_time_invalid",
            "the end must come after the start",
        ));
    } else if a.ends_at - a.starts_at > Duration::hours(Activity::MAX_DURATION_HOURS) {
        errors.push(FieldError::new(
            "/endsAt",
            "activity_time_invalid",
            format!(
                "an activity lasts at most {} hours",
                Activity::MAX_DURATION_HOURS
            ),
        ));
    }
    if a.window_closes_at <= a.window_opens_at {
        errors.push(FieldError::new(
            "/checkInClosesAt",
            "check_in_window_invalid",
            "the check-in window must close after it opens",
        ));
    }
    if a.kind == ActivityKind::ThemeDay && a.theme_category.is_none() {
        errors.push(FieldError::new(
            "/themeCategory",
            "theme_category_required",
            "a theme day needs a theme category",
        ));
    }
    if a.proof == ProofKind::Location && a.geofence.is_none() {
        errors.push(FieldError::new(
            "/geofence",
            "geofence_required",
            "a location proof needs a geofence",
        ));
    }
    if a.kind != ActivityKind::PartyLesson && (a.lecturer_id.is_some() || a.lecturer_name.is_some())
    {
        errors.push(FieldError::new(
            "/lecturerId",
            "lecturer_only_for_party_lesson",
            "only a party lesson has a lecturer",
        ));
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(DomainError::Validation(errors))
    }
}

/// Refuses instants outside the years the calendar knows (2000-2100), before any
/// arithmetic on them can overflow.
pub fn check_instant(
    t: Option<DateTime<Utc>>,
    pointer: &str,
    code: &'static str,
) -> Result<(), DomainError> {
    crate::clock::check_instant(t, pointer, code).map_err(|e| DomainError::Validation(vec![e]))
}

fn optional_text(
    raw: Option<String>,
    max: usize,
    pointer: &str,
    code: &'static str,
) -> Result<Option<String>, DomainError> {
    raw.map(|t| clean_text(&t, max, pointer, code))
        .transpose()
        .map_err(|e| DomainError::Validation(vec![e]))
}

/// Resolves the lecturer of a party lesson: their shown name, and whether they are the
/// branch's secretary.
async fn resolve_lecturer(
    members: &dyn crate::org::MemberRepo,
    roles: &dyn RoleRepo,
    actor: &Actor,
    a: &mut Activity,
) -> Result<(), DomainError> {
    a.lecturer_is_secretary = false;
    let Some(id) = a.lecturer_id else {
        return Ok(());
    };
    // Only a member the caller may see: an id from elsewhere is as unknown as a wrong one.
    let member = members
        .get_visible(id, &policy::member_visibility(actor))
        .await?
        .filter(Member::is_active)
        .ok_or_else(|| {
            DomainError::invalid("/lecturerId", "lecturer_unknown", "no such active member")
        })?;
    if a.lecturer_name.is_none() {
        a.lecturer_name = Some(member.name.clone());
    }
    a.lecturer_is_secretary = roles
        .of_member(id)
        .await?
        .iter()
        .any(|g| g.kind == RoleKind::Secretary && g.org_path == a.branch_path);
    Ok(())
}

pub async fn create_activity(
    ctx: &ServiceContext<'_>,
    org_id: crate::org::OrgId,
    new: NewActivity,
) -> Result<Activity, DomainError> {
    for (t, pointer) in [
        (Some(new.starts_at), "/startsAt"),
        (Some(new.ends_at), "/endsAt"),
        (new.window_opens_at, "/checkInOpensAt"),
        (new.window_closes_at, "/checkInClosesAt"),
    ] {
        check_instant(t, pointer, "activity_time_invalid")?;
    }
    policy::may_somewhere(ctx.actor, Action::ManageActivities)?;
    let uow = ctx.tx.begin().await?;
    let org = policy::load_in_scope(
        ctx.actor,
        Action::ManageActivities,
        uow.orgs().get(org_id),
        |o| &o.path,
    )
    .await?;
    let (branch, group) = placement(uow.orgs(), org, new.kind).await?;
    let title = clean_text(
        &new.title,
        Activity::MAX_TITLE_CHARS,
        "/title",
        "activity_title_invalid",
    )
    .map_err(|e| DomainError::Validation(vec![e]))?;
    let place = optional_text(
        new.place,
        Activity::MAX_PLACE_CHARS,
        "/place",
        "activity_place_invalid",
    )?;
    let lecturer_name = optional_text(
        new.lecturer_name,
        Member::MAX_NAME_CHARS,
        "/lecturerName",
        "lecturer_name_invalid",
    )?;
    let now = ctx.clock.now();
    let mut activity = Activity {
        id: ActivityId::at(now),
        branch_id: branch.id,
        group_id: group.map(|g| g.id),
        branch_path: branch.path.clone(),
        kind: new.kind,
        theme_category: new.theme_category,
        title,
        place,
        lecturer_id: new.lecturer_id,
        lecturer_name,
        lecturer_is_secretary: false,
        starts_at: new.starts_at,
        ends_at: new.ends_at,
        window_opens_at: new
            .window_opens_at
            .unwrap_or(new.starts_at - Duration::minutes(Activity::DEFAULT_WINDOW_LEAD_MINUTES)),
        window_closes_at: new.window_closes_at.unwrap_or(new.ends_at),
        proof: new.proof,
        geofence: new.geofence,
        online_allowed: new.online_allowed,
        qr_auto_approve: new.qr_auto_approve,
        status: ActivityStatus::Scheduled,
        cancel_reason: None,
        created_by: ctx.actor.member_id,
        created_at: now,
        updated_at: now,
    };
    validate(&activity)?;
    resolve_lecturer(uow.members(), uow.roles(), ctx.actor, &mut activity).await?;
    uow.activities().insert(&activity).await?;
    let entry = ctx.audit(
        now,
        "activity.create",
        "activity",
        activity.id.to_string(),
        Some((activity.branch_id, &activity.branch_path)),
    );
    uow.audit().append(&entry).await?;
    uow.commit().await?;
    Ok(activity)
}

pub async fn update_activity(
    ctx: &ServiceContext<'_>,
    id: ActivityId,
    changes: ActivityChanges,
) -> Result<Activity, DomainError> {
    for (t, pointer) in [
        (changes.starts_at, "/startsAt"),
        (changes.ends_at, "/endsAt"),
        (changes.window_opens_at, "/checkInOpensAt"),
        (changes.window_closes_at, "/checkInClosesAt"),
    ] {
        check_instant(t, pointer, "activity_time_invalid")?;
    }
    policy::may_somewhere(ctx.actor, Action::ManageActivities)?;
    let uow = ctx.tx.begin().await?;
    // Members of the branch may read it; changing it is for S, C, T.
    let mut a = policy::load_in_scope(
        ctx.actor,
        Action::ManageActivities,
        uow.activities().get(id),
        |a| &a.branch_path,
    )
    .await?;
    if a.is_cancelled() {
        return Err(DomainError::conflict(
            "activity_cancelled",
            "a cancelled activity cannot be changed",
        ));
    }
    let action = if let Some(reason) = changes.cancel_reason {
        let reason = clean_text(
            &reason,
            Activity::MAX_REASON_CHARS,
            "/cancelReason",
            "cancel_reason_invalid",
        )
        .map_err(|e| DomainError::Validation(vec![e]))?;
        a.status = ActivityStatus::Cancelled;
        a.cancel_reason = Some(reason);
        "activity.cancel"
    } else {
        "activity.update"
    };
    if let Some(c) = changes.theme_category {
        a.theme_category = Some(c);
    }
    if let Some(t) = changes.title {
        a.title = clean_text(
            &t,
            Activity::MAX_TITLE_CHARS,
            "/title",
            "activity_title_invalid",
        )
        .map_err(|e| DomainError::Validation(vec![e]))?;
    }
    if let Some(p) = optional_text(
        changes.place,
        Activity::MAX_PLACE_CHARS,
        "/place",
        "activity_place_invalid",
    )? {
        a.place = Some(p);
    }
    if let Some(n) = optional_text(
        changes.lecturer_name,
        Member::MAX_NAME_CHARS,
        "/lecturerName",
        "lecturer_name_invalid",
    )? {
        a.lecturer_name = Some(n);
    }
    let lecturer_changed = changes.lecturer_id.is_some();
    if let Some(l) = changes.lecturer_id {
        a.lecturer_id = Some(l);
    }
    let shift_window = changes.starts_at.is_some() || changes.ends_at.is_some();
    if let Some(s) = changes.starts_at {
        a.starts_at = s;
    }
    if let Some(e) = changes.ends_at {
        a.ends_at = e;
    }
    // A moved activity takes the default window along unless a window is given.
    if shift_window {
        a.window_opens_at = a.starts_at - Duration::minutes(Activity::DEFAULT_WINDOW_LEAD_MINUTES);
        a.window_closes_at = a.ends_at;
    }
    if let Some(o) = changes.window_opens_at {
        a.window_opens_at = o;
    }
    if let Some(c) = changes.window_closes_at {
        a.window_closes_at = c;
    }
    if let Some(p) = changes.proof {
        a.proof = p;
    }
    if let Some(g) = changes.geofence {
        a.geofence = g;
    }
    if let Some(o) = changes.online_allowed {
        a.online_allowed = o;
    }
    if let Some(q) = changes.qr_auto_approve {
        a.qr_auto_approve = q;
    }
    validate(&a)?;
    if lecturer_changed {
        resolve_lecturer(uow.members(), uow.roles(), ctx.actor, &mut a).await?;
    }
    let now = ctx.clock.now();
    a.updated_at = now;
    uow.activities().update(&a).await?;
    if a.is_cancelled() || shift_window {
        // A reminder not yet sent is for the old time (a moved activity gets a new one).
        uow.push()
            .cancel_pending(&format!("activity:{}", a.id), now)
            .await?;
    }
    let entry = ctx.audit(
        now,
        action,
        "activity",
        a.id.to_string(),
        Some((a.branch_id, &a.branch_path)),
    );
    uow.audit().append(&entry).await?;
    uow.commit().await?;
    Ok(a)
}

/// An activity the caller may read (members of its branch; S, C, T covering it).
pub async fn get_activity(
    activities: &dyn ActivityRepo,
    actor: &Actor,
    id: ActivityId,
) -> Result<Activity, DomainError> {
    policy::load_in_scope(actor, Action::ReadActivities, activities.get(id), |a| {
        &a.branch_path
    })
    .await
}

/// Activities of the org's subtree starting in `[from, until)`.
pub async fn list_activities(
    orgs: &dyn OrgRepo,
    activities: &dyn ActivityRepo,
    actor: &Actor,
    org_id: crate::org::OrgId,
    from: DateTime<Utc>,
    until: DateTime<Utc>,
) -> Result<Vec<Activity>, DomainError> {
    let org =
        policy::load_in_scope(actor, Action::ReadActivities, orgs.get(org_id), |o| &o.path).await?;
    // Activities carry their branch's path, group meetings too: a group's page is its
    // branch's list narrowed to the branch-wide activities and the group's own meetings.
    let (under, group) = match org.kind {
        OrgKind::Group => {
            let parent = org.parent_id.ok_or(DomainError::NotFound)?;
            let branch = orgs.get(parent).await?.ok_or(DomainError::NotFound)?;
            (branch.path, Some(org.id))
        }
        _ => (org.path, None),
    };
    let mut list = activities
        .starting_between(&under, from, until, MAX_LISTED_ACTIVITIES)
        .await?;
    if let Some(group) = group {
        list.retain(|a| a.group_id.is_none() || a.group_id == Some(group));
    }
    Ok(list)
}

/// The most activities one month's list answers.
pub const MAX_LISTED_ACTIVITIES: u64 = 1000;

/// A QR token for the activity's current slot, shown on the secretary's phone.
pub async fn qr_token(
    activities: &dyn ActivityRepo,
    actor: &Actor,
    key: &QrKey,
    id: ActivityId,
    now: DateTime<Utc>,
) -> Result<qr::QrToken, DomainError> {
    let a = policy::load_in_scope(actor, Action::ManageActivities, activities.get(id), |a| {
        &a.branch_path
    })
    .await?;
    if a.is_cancelled() {
        return Err(DomainError::refused(
            "check_in_activity_cancelled",
            "the activity was cancelled",
        ));
    }
    if !matches!(a.proof, ProofKind::Qr | ProofKind::Either) {
        return Err(DomainError::refused(
            "activity_qr_not_used",
            "this activity's check-in is not proven by QR code",
        ));
    }
    Ok(qr::issue(key, a.id, now))
}

/// The proof a member sends with a check-in.
#[derive(Debug, Clone, Default)]
pub struct CheckInProof {
    pub qr_token: Option<String>,
    pub location: Option<GeoPoint>,
    pub online: bool,
    pub client_time: Option<DateTime<Utc>>,
}

/// Whether a member's check-in was created by this call or already existed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CheckInOutcome {
    Created,
    Existing,
}

/// Checks `member` in to the activity. A member who already checked in gets their stored
/// check-in back whatever the window now says; otherwise the rules are checked in the order
/// a member would want to hear them, and the check-in is inserted once, whatever the races.
pub async fn check_in<R>(
    repos: &R,
    actor: &Actor,
    member: &Member,
    key: &QrKey,
    id: ActivityId,
    proof: CheckInProof,
    now: DateTime<Utc>,
) -> Result<(CheckIn, CheckInOutcome), DomainError>
where
    R: ActivityRepo + CheckInRepo + ExemptionRepo + ?Sized,
{
    // The client's clock is recorded, never trusted: a value outside the calendar's years
    // (a phone with a broken clock) is dropped rather than refused.
    let mut proof = proof;
    if check_instant(proof.client_time, "/clientTime", "client_time_invalid").is_err() {
        proof.client_time = None;
    }
    let a = policy::load_in_scope(
        actor,
        Action::ReadActivities,
        ActivityRepo::get(repos, id),
        |a| &a.branch_path,
    )
    .await?;
    // The rules first, with no read of an earlier check-in on the way: on a theme-day
    // morning nearly every call is a member's first. A refused call then looks for a
    // check-in the member already has, which wins whatever the rules now say.
    let judged = match judge(repos, &a, actor, member, key, &proof, now).await {
        Ok(judged) => judged,
        Err(refusal) => {
            return match repos.of_member(a.id, member.id).await? {
                Some(existing) => Ok((existing, CheckInOutcome::Existing)),
                None => Err(refusal),
            }
        }
    };
    let (method, status, location) = judged;
    let row = CheckIn {
        id: CheckInId::at(now),
        activity_id: a.id,
        member_id: member.id,
        branch_path: a.branch_path.clone(),
        method,
        status,
        client_time: proof.client_time,
        location,
        created_at: now,
        review: None,
    };
    // Both answers render the stored row: the one the insert returned, or the one already
    // there.
    if let Some(stored) = repos.insert_if_absent(&row).await? {
        return Ok((stored, CheckInOutcome::Created));
    }
    let existing = repos.of_member(a.id, member.id).await?.ok_or_else(|| {
        DomainError::Repo(crate::error::RepoError::Other(
            "check-in conflicted but cannot be read".into(),
        ))
    })?;
    Ok((existing, CheckInOutcome::Existing))
}

/// Every rule a new check-in must pass, in the order a member would want to hear them.
async fn judge<R>(
    repos: &R,
    a: &Activity,
    actor: &Actor,
    member: &Member,
    key: &QrKey,
    proof: &CheckInProof,
    now: DateTime<Utc>,
) -> Result<Judged, DomainError>
where
    R: ActivityRepo + CheckInRepo + ExemptionRepo + ?Sized,
{
    if a.is_cancelled() {
        return Err(DomainError::refused(
            "check_in_activity_cancelled",
            "the activity was cancelled",
        ));
    }
    if !a.expects(member, &actor.roles) {
        return Err(DomainError::refused(
            "check_in_not_expected",
            "you are not among this activity's expected participants",
        ));
    }
    match a.window_state(now) {
        WindowState::NotOpen => {
            return Err(DomainError::refused(
                "check_in_window_not_open",
                "check-in has not opened yet",
            ))
        }
        WindowState::Closed => {
            return Err(DomainError::refused(
                "check_in_window_closed",
                "check-in has closed",
            ))
        }
        WindowState::Open => {}
    }
    let judged = judge_proof(a, member, key, proof, now)?;
    let exemptions = repos.live_of_member(member.id).await?;
    if exemptions
        .iter()
        .any(|e| e.status == ReviewStatus::Approved && e.scope.covers(a))
    {
        return Err(DomainError::refused(
            "check_in_exempted",
            "your exemption from this activity was approved",
        ));
    }
    Ok(judged)
}

type Judged = (CheckInMethod, ReviewStatus, Option<GeoPoint>);

fn judge_proof(
    a: &Activity,
    member: &Member,
    key: &QrKey,
    proof: &CheckInProof,
    now: DateTime<Utc>,
) -> Result<Judged, DomainError> {
    if proof.online {
        let may = a.online_allowed
            && matches!(
                member.category,
                MemberCategory::Retired | MemberCategory::Frail | MemberCategory::Mobile
            );
        if !may {
            return Err(DomainError::refused(
                "check_in_online_not_allowed",
                "online attendance is not allowed for this activity or for you",
            ));
        }
        return Ok((CheckInMethod::Online, ReviewStatus::Pending, proof.location));
    }
    let qr_ok = matches!(a.proof, ProofKind::Qr | ProofKind::Either);
    let location_ok = matches!(a.proof, ProofKind::Location | ProofKind::Either);
    if let (Some(token), true) = (&proof.qr_token, qr_ok) {
        qr::verify(key, a.id, token, now).map_err(|e| {
            DomainError::refused(e.code(), "the QR code is not valid for this activity")
        })?;
        let status = if a.qr_auto_approve {
            ReviewStatus::Approved
        } else {
            ReviewStatus::Pending
        };
        return Ok((CheckInMethod::Qr, status, proof.location));
    }
    if let (Some(point), true, Some(fence)) = (proof.location, location_ok, a.geofence) {
        if !fence.contains(point) {
            return Err(DomainError::refused(
                "check_in_outside_geofence",
                "your location is outside the activity's check-in area",
            ));
        }
        return Ok((CheckInMethod::Location, ReviewStatus::Pending, Some(point)));
    }
    let wanted = match (qr_ok, location_ok && a.geofence.is_some()) {
        (true, true) => "a QR code or a location",
        (true, false) => "a QR code",
        _ => "a location",
    };
    Err(DomainError::refused(
        "check_in_proof_required",
        format!("this activity's check-in needs {wanted}"),
    ))
}

/// A reviewer's decision with its reason (required to reject).
#[derive(Debug, Clone)]
pub struct Decision {
    pub decision: ReviewDecision,
    pub reason: Option<String>,
}

impl Decision {
    fn validate(
        self,
        now: DateTime<Utc>,
        reviewer: MemberId,
    ) -> Result<(ReviewStatus, Review), DomainError> {
        let reason = optional_text(
            self.reason,
            Activity::MAX_REASON_CHARS,
            "/reason",
            "review_reason_invalid",
        )?;
        let status = match self.decision {
            ReviewDecision::Approve => ReviewStatus::Approved,
            ReviewDecision::Reject => {
                if reason.is_none() {
                    return Err(DomainError::invalid(
                        "/reason",
                        "review_reason_required",
                        "a rejection needs a reason",
                    ));
                }
                ReviewStatus::Rejected
            }
        };
        Ok((
            status,
            Review {
                reviewer_id: reviewer,
                reviewed_at: now,
                reason,
            },
        ))
    }
}

pub async fn review_check_in(
    ctx: &ServiceContext<'_>,
    id: CheckInId,
    decision: Decision,
) -> Result<CheckIn, DomainError> {
    // A plain member reviewing is 403 before anything about the request is looked at.
    policy::may_somewhere(ctx.actor, Action::Review)?;
    let now = ctx.clock.now();
    let (status, review) = decision.validate(now, ctx.actor.member_id)?;
    let uow = ctx.tx.begin().await?;
    let c = policy::load_in_scope(ctx.actor, Action::Review, uow.check_ins().get(id), |c| {
        &c.branch_path
    })
    .await?;
    if c.status != ReviewStatus::Pending
        || uow.check_ins().decide(&[c.id], status, &review).await? != 1
    {
        return Err(DomainError::conflict(
            "check_in_not_pending",
            "this check-in was already reviewed",
        ));
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
    ctx: &ServiceContext<'_>,
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
        let notice = crate::push::ReviewNotice {
            object_type: "check_in",
            object_id: c.id.to_string(),
            subject_line: format!("签到：{title}"),
            approved: c.status == ReviewStatus::Approved,
            reason: c.review.as_ref().and_then(|r| r.reason.clone()),
            reviewed_at: now,
        };
        let message = crate::push::review_message(&notice, template, now);
        uow.push().enqueue(&message, &[c.member_id], now).await?;
    }
    Ok(())
}

fn decision_action(what: &'static str, status: ReviewStatus) -> &'static str {
    match (what, status) {
        ("check_in", ReviewStatus::Approved) => "check_in.approve",
        ("check_in", _) => "check_in.reject",
        (_, ReviewStatus::Approved) => "exemption.approve",
        _ => "exemption.reject",
    }
}

/// The branch id at the end of a branch path.
fn activity_branch(path: &OrgPath) -> Result<crate::org::OrgId, DomainError> {
    path.last_id()
        .ok_or_else(|| DomainError::Repo(crate::error::RepoError::Other("empty org path".into())))
}

/// Reviews several check-ins of one activity at once: all or nothing. Every id that is
/// unknown or outside the caller's scope (`check_in_not_found`), of another activity
/// (`check_in_not_in_activity`) or no longer pending (`check_in_not_pending`) is listed
/// and nothing changes.
pub async fn review_check_ins(
    ctx: &ServiceContext<'_>,
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
            "review_batch_size_invalid",
            format!("send 1-{MAX_BATCH_REVIEW} ids"),
        ));
    }
    let (status, review) = decision.validate(now, ctx.actor.member_id)?;
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
                "check_in_not_found",
                format!("no check-in {id} within your scope"),
            )),
            Some(c) if c.activity_id != a.id => problems.push(FieldError::new(
                pointer,
                "check_in_not_in_activity",
                format!("check-in {id} belongs to another activity"),
            )),
            Some(c) if c.status != ReviewStatus::Pending => problems.push(FieldError::new(
                pointer,
                "check_in_not_pending",
                format!("check-in {id} was already reviewed"),
            )),
            Some(_) => unique.push(*id),
        }
    }
    if !problems.is_empty() {
        return Err(DomainError::Validation(problems));
    }
    let changed = uow.check_ins().decide(&unique, status, &review).await?;
    if changed != unique.len() as u64 {
        // Someone decided one of them in between: leave all as they are.
        return Err(DomainError::conflict(
            "check_in_not_pending",
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
    activities: &dyn ActivityRepo,
    check_ins: &dyn CheckInRepo,
    actor: &Actor,
    id: ActivityId,
    status: Option<ReviewStatus>,
    page: &PageRequest,
) -> Result<Page<CheckIn>, DomainError> {
    let a = policy::load_in_scope(actor, Action::Review, activities.get(id), |a| {
        &a.branch_path
    })
    .await?;
    Ok(check_ins.list(a.id, status, page).await?)
}

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
            let years = super::calendar::YearMonth::MIN_YEAR..=super::calendar::YearMonth::MAX_YEAR;
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
    let (status, review) = decision.validate(now, ctx.actor.member_id)?;
    let uow = ctx.tx.begin().await?;
    let e = policy::load_in_scope(ctx.actor, Action::Review, uow.exemptions().get(id), |e| {
        &e.branch_path
    })
    .await?;
    if e.status != ReviewStatus::Pending || !uow.exemptions().decide(e.id, status, &review).await? {
        return Err(DomainError::conflict(
            "exemption_not_pending",
            "this exemption was already reviewed",
        ));
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

fn require_committee(org: &Org) -> Result<(), DomainError> {
    if org.kind == OrgKind::Committee {
        Ok(())
    } else {
        Err(DomainError::refused(
            "holidays_need_committee",
            "holiday calendars are kept per township committee",
        ))
    }
}

/// A committee's holiday calendar for `year` (empty until a township admin sets it).
pub async fn get_holidays(
    orgs: &dyn OrgRepo,
    holidays: &dyn super::ports::HolidayRepo,
    actor: &Actor,
    org_id: crate::org::OrgId,
    year: i32,
) -> Result<super::calendar::HolidayCalendar, DomainError> {
    let org = policy::load_in_scope(actor, Action::ReadOrg, orgs.get(org_id), |o| &o.path).await?;
    require_committee(&org)?;
    Ok(holidays.get(org.id, year).await?.unwrap_or_default())
}

/// Replaces a committee's holiday calendar for `year` (township admins).
pub async fn put_holidays(
    ctx: &ServiceContext<'_>,
    org_id: crate::org::OrgId,
    year: i32,
    holidays: &[NaiveDate],
    workdays: &[NaiveDate],
) -> Result<super::calendar::HolidayCalendar, DomainError> {
    let calendar = super::calendar::HolidayCalendar::validate(year, holidays, workdays)
        .map_err(DomainError::Validation)?;
    policy::may_somewhere(ctx.actor, Action::ManageOrgs)?;
    let uow = ctx.tx.begin().await?;
    let org = policy::load_in_scope(ctx.actor, Action::ManageOrgs, uow.orgs().get(org_id), |o| {
        &o.path
    })
    .await?;
    require_committee(&org)?;
    let now = ctx.clock.now();
    uow.holidays().put(org.id, year, &calendar, now).await?;
    let entry = ctx.audit(
        now,
        "holidays.update",
        "holiday_calendar",
        format!("{}/{year}", org.id),
        Some((org.id, &org.path)),
    );
    uow.audit().append(&entry).await?;
    uow.commit().await?;
    Ok(calendar)
}
