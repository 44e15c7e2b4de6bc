//! Scheduling an activity, changing or cancelling it, reading it and its month, and the QR
//! code its secretary shows.

use crate::error::ErrorCode;
use chrono::{DateTime, Duration, Utc};

use super::{check_instant, optional_text};
use crate::activity::geo::Geofence;
use crate::activity::model::*;
use crate::activity::qr::{self, QrKey};
use crate::context::{ReadContext, WriteContext};
use crate::error::{DomainError, FieldError};
use crate::org::policy::{self, Action, Actor};
use crate::org::{Member, MemberId, Org, OrgKind, OrgRepo, RoleKind, RoleRepo};
use crate::text::clean_text;

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
            ErrorCode::ActivityOrgMismatch,
            "a group meeting is scheduled on a group",
        )),
        (_, OrgKind::Branch) => Ok((org, None)),
        _ => Err(DomainError::invalid(
            "/kind",
            ErrorCode::ActivityOrgMismatch,
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
            ErrorCode::ActivityTimeInvalid,
            "the end must come after the start",
        ));
    } else if a.ends_at - a.starts_at > Duration::hours(Activity::MAX_DURATION_HOURS) {
        errors.push(FieldError::new(
            "/endsAt",
            ErrorCode::ActivityTimeInvalid,
            format!(
                "an activity lasts at most {} hours",
                Activity::MAX_DURATION_HOURS
            ),
        ));
    }
    if a.window_closes_at <= a.window_opens_at {
        errors.push(FieldError::new(
            "/checkInClosesAt",
            ErrorCode::CheckInWindowInvalid,
            "the check-in window must close after it opens",
        ));
    }
    if a.kind == ActivityKind::ThemeDay && a.theme_category.is_none() {
        errors.push(FieldError::new(
            "/themeCategory",
            ErrorCode::ThemeCategoryRequired,
            "a theme day needs a theme category",
        ));
    }
    if a.proof == ProofKind::Location && a.geofence.is_none() {
        errors.push(FieldError::new(
            "/geofence",
            ErrorCode::GeofenceRequired,
            "a location proof needs a geofence",
        ));
    }
    if a.kind != ActivityKind::PartyLesson && (a.lecturer_id.is_some() || a.lecturer_name.is_some())
    {
        errors.push(FieldError::new(
            "/lecturerId",
            ErrorCode::LecturerOnlyForPartyLesson,
            "only a party lesson has a lecturer",
        ));
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(DomainError::Validation(errors))
    }
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
            DomainError::invalid(
                "/lecturerId",
                ErrorCode::LecturerUnknown,
                "no such active member",
            )
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
    ctx: &WriteContext<'_>,
    org_id: crate::org::OrgId,
    new: NewActivity,
) -> Result<Activity, DomainError> {
    for (t, pointer) in [
        (Some(new.starts_at), "/startsAt"),
        (Some(new.ends_at), "/endsAt"),
        (new.window_opens_at, "/checkInOpensAt"),
        (new.window_closes_at, "/checkInClosesAt"),
    ] {
        check_instant(t, pointer, ErrorCode::ActivityTimeInvalid)?;
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
        ErrorCode::ActivityTitleInvalid,
    )
    .map_err(|e| DomainError::Validation(vec![e]))?;
    let place = optional_text(
        new.place,
        Activity::MAX_PLACE_CHARS,
        "/place",
        ErrorCode::ActivityPlaceInvalid,
    )?;
    let lecturer_name = optional_text(
        new.lecturer_name,
        Member::MAX_NAME_CHARS,
        "/lecturerName",
        ErrorCode::LecturerNameInvalid,
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
    ctx.commit_audited(
        uow,
        now,
        "activity.create",
        "activity",
        activity.id.to_string(),
        Some((activity.branch_id, &activity.branch_path)),
    )
    .await?;
    Ok(activity)
}

pub async fn update_activity(
    ctx: &WriteContext<'_>,
    id: ActivityId,
    changes: ActivityChanges,
) -> Result<Activity, DomainError> {
    for (t, pointer) in [
        (changes.starts_at, "/startsAt"),
        (changes.ends_at, "/endsAt"),
        (changes.window_opens_at, "/checkInOpensAt"),
        (changes.window_closes_at, "/checkInClosesAt"),
    ] {
        check_instant(t, pointer, ErrorCode::ActivityTimeInvalid)?;
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
            ErrorCode::ActivityCancelled,
            "a cancelled activity cannot be changed",
        ));
    }
    let action = if let Some(reason) = changes.cancel_reason {
        let reason = clean_text(
            &reason,
            Activity::MAX_REASON_CHARS,
            "/cancelReason",
            ErrorCode::CancelReasonInvalid,
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
            ErrorCode::ActivityTitleInvalid,
        )
        .map_err(|e| DomainError::Validation(vec![e]))?;
    }
    if let Some(p) = optional_text(
        changes.place,
        Activity::MAX_PLACE_CHARS,
        "/place",
        ErrorCode::ActivityPlaceInvalid,
    )? {
        a.place = Some(p);
    }
    if let Some(n) = optional_text(
        changes.lecturer_name,
        Member::MAX_NAME_CHARS,
        "/lecturerName",
        ErrorCode::LecturerNameInvalid,
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
    ctx.commit_audited(
        uow,
        now,
        action,
        "activity",
        a.id.to_string(),
        Some((a.branch_id, &a.branch_path)),
    )
    .await?;
    Ok(a)
}

/// An activity the caller may read (members of its branch; S, C, T covering it).
pub async fn get_activity(ctx: &ReadContext<'_>, id: ActivityId) -> Result<Activity, DomainError> {
    let activities = ctx.repos.activities();
    policy::load_in_scope(ctx.actor, Action::ReadActivities, activities.get(id), |a| {
        &a.branch_path
    })
    .await
}

/// Activities of the org's subtree starting in `[from, until)`.
pub async fn list_activities(
    ctx: &ReadContext<'_>,
    org_id: crate::org::OrgId,
    from: DateTime<Utc>,
    until: DateTime<Utc>,
) -> Result<Vec<Activity>, DomainError> {
    let orgs = ctx.repos.orgs();
    let org = policy::load_in_scope(ctx.actor, Action::ReadActivities, orgs.get(org_id), |o| {
        &o.path
    })
    .await?;
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
    let mut list = ctx
        .repos
        .activities()
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
    ctx: &ReadContext<'_>,
    key: &QrKey,
    id: ActivityId,
) -> Result<qr::QrToken, DomainError> {
    let activities = ctx.repos.activities();
    let a = policy::load_in_scope(
        ctx.actor,
        Action::ManageActivities,
        activities.get(id),
        |a| &a.branch_path,
    )
    .await?;
    if a.is_cancelled() {
        return Err(DomainError::refused(
            ErrorCode::CheckInActivityCancelled,
            "the activity was cancelled",
        ));
    }
    if !matches!(a.proof, ProofKind::Qr | ProofKind::Either) {
        return Err(DomainError::refused(
            ErrorCode::ActivityQrNotUsed,
            "this activity's check-in is not proven by QR code",
        ));
    }
    Ok(qr::issue(key, a.id, ctx.clock.now()))
}
