//! A member checking in: the rules a new check-in must pass, then one idempotent insert.

use chrono::{DateTime, Utc};

use super::check_instant;
use crate::activity::geo::GeoPoint;
use crate::activity::model::*;
use crate::activity::ports::{ActivityRepo, CheckInRepo, ExemptionRepo};
use crate::activity::qr::{self, QrKey};
use crate::error::DomainError;
use crate::org::policy::{self, Action, Actor};
use crate::org::{Member, MemberCategory};

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
