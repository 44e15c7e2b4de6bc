//! A member checking in: the rules a new check-in must pass, then one idempotent insert that
//! also refuses an exempted member.

use crate::error::ErrorCode;
use chrono::{DateTime, Utc};

use super::check_instant;
use crate::activity::geo::GeoPoint;
use crate::activity::model::*;
use crate::activity::ports::{CheckInWrite, CheckInWriter};
use crate::activity::qr::{self, QrKey};
use crate::context::WriteContext;
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
/// check-in back whatever the rules now say; otherwise the rules are checked in the order
/// a member would want to hear them, and the check-in is written once, whatever the races.
///
/// No unit of work: the rules judged from the activity run first, and the last one (an
/// approved exemption) is judged by `writer` in the statement that inserts the row, which
/// is idempotent on its own; check-in is the hot path.
pub async fn check_in(
    ctx: &WriteContext<'_>,
    writer: &dyn CheckInWriter,
    member: &Member,
    key: &QrKey,
    id: ActivityId,
    proof: CheckInProof,
) -> Result<(CheckIn, CheckInOutcome), DomainError> {
    let (repos, actor, now) = (ctx.repos, ctx.actor, ctx.clock.now());
    // The client's clock is recorded, never trusted: a value outside the calendar's years
    // (a phone with a broken clock) is dropped rather than refused.
    let mut proof = proof;
    if check_instant(
        proof.client_time,
        "/clientTime",
        ErrorCode::ClientTimeInvalid,
    )
    .is_err()
    {
        proof.client_time = None;
    }
    let a = policy::load_in_scope(
        actor,
        Action::ReadActivities,
        repos.activities().get(id),
        |a| &a.branch_path,
    )
    .await?;
    // The rules first, with no read of an earlier check-in on the way: on a theme-day
    // morning nearly every call is a member's first. A refused call then looks for a
    // check-in the member already has, which wins whatever the rules now say.
    let (method, status, location) = match admit(&a, actor, member, key, &proof, now) {
        Ok(judged) => judged,
        Err(refusal) => {
            return match repos.check_ins().of_member(a.id, member.id).await? {
                Some(existing) => Ok((existing, CheckInOutcome::Existing)),
                None => Err(refusal),
            }
        }
    };
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
        checked_out_at: None,
    };
    // Both answers render the stored row: the one this call inserted, or the one already
    // there.
    match writer.write(row, a.start_date()).await? {
        CheckInWrite::Inserted(stored) => Ok((stored, CheckInOutcome::Created)),
        CheckInWrite::Existing(stored) => Ok((stored, CheckInOutcome::Existing)),
        CheckInWrite::Exempted => Err(DomainError::refused(
            ErrorCode::CheckInExempted,
            "your exemption from this activity was approved",
        )),
    }
}

/// The activity still takes place and expects `member`: what a check-in and an exemption
/// for one activity both need first.
pub(super) fn expected_at(a: &Activity, actor: &Actor, member: &Member) -> Result<(), DomainError> {
    if a.is_cancelled() {
        return Err(DomainError::refused(
            ErrorCode::CheckInActivityCancelled,
            "the activity was cancelled",
        ));
    }
    if !a.expects(member, &actor.roles) {
        return Err(DomainError::refused(
            ErrorCode::CheckInNotExpected,
            "you are not among this activity's expected participants",
        ));
    }
    Ok(())
}

/// The rules judged from the activity, the member and the instant alone: cancelled, not
/// expected, outside the window, then the proof.
fn admit(
    a: &Activity,
    actor: &Actor,
    member: &Member,
    key: &QrKey,
    proof: &CheckInProof,
    now: DateTime<Utc>,
) -> Result<Judged, DomainError> {
    expected_at(a, actor, member)?;
    match a.window_state(now) {
        WindowState::NotOpen => {
            return Err(DomainError::refused(
                ErrorCode::CheckInWindowNotOpen,
                "check-in has not opened yet",
            ))
        }
        WindowState::Closed => {
            return Err(DomainError::refused(
                ErrorCode::CheckInWindowClosed,
                "check-in has closed",
            ))
        }
        WindowState::Open => {}
    }
    judge_proof(a, member, key, proof, now)
}

/// How a new check-in was proven, the status it starts in and the location it records.
type Judged = (CheckInMethod, ReviewStatus, Option<GeoPoint>);

/// What the proof shows. Online attendance, when asked for, is judged alone; otherwise a QR
/// code counts where the activity takes one and is judged before any location, and a
/// location counts where the activity takes one and has a geofence.
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
                ErrorCode::CheckInOnlineNotAllowed,
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
                ErrorCode::CheckInOutsideGeofence,
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
        ErrorCode::CheckInProofRequired,
        format!("this activity's check-in needs {wanted}"),
    ))
}

#[cfg(test)]
mod tests {
    use chrono::Duration;

    use super::*;
    use crate::activity::geo::Geofence;
    use crate::activity::service::fixtures::*;
    use crate::org::{MemberStatus, OrgId, RoleKind};

    fn key() -> QrKey {
        QrKey::new(b"unit tests sign with this key, 32+")
    }

    fn location(p: GeoPoint) -> CheckInProof {
        CheckInProof {
            location: Some(p),
            ..CheckInProof::default()
        }
    }

    fn at_the_venue() -> CheckInProof {
        location(point(LAT, LNG))
    }

    fn qr_code(token: &str) -> CheckInProof {
        CheckInProof {
            qr_token: Some(token.to_owned()),
            ..CheckInProof::default()
        }
    }

    fn online() -> CheckInProof {
        CheckInProof {
            online: true,
            ..CheckInProof::default()
        }
    }

    /// The refusal's detail, for the messages that tell a member what to send.
    fn detail<T: std::fmt::Debug>(r: Result<T, DomainError>) -> String {
        match r {
            Err(DomainError::Refused { detail, .. }) => detail,
            other => panic!("expected a refusal, got {other:?}"),
        }
    }

    // The window, and the order of the rules before the proof.

    #[test]
    fn the_window_admits_its_opening_and_closing_instants_and_nothing_outside() {
        let clock = clock();
        let b = branch();
        let m = member(&b, MemberCategory::Rural, clock.now());
        let a = theme_day(&b, clock.now());
        let caller = actor(&m, &[]);
        let check = |now| admit(&a, &caller, &m, &key(), &at_the_venue(), now);

        clock.set(a.window_opens_at - Duration::seconds(1));
        assert_eq!(refusal(check(clock.now())), "check_in_window_not_open");
        clock.set(a.window_opens_at);
        assert!(check(clock.now()).is_ok());
        clock.set(a.window_closes_at);
        assert!(check(clock.now()).is_ok());
        clock.advance(Duration::seconds(1));
        assert_eq!(refusal(check(clock.now())), "check_in_window_closed");
    }

    #[test]
    fn a_cancelled_activity_is_refused_before_any_other_rule() {
        let clock = clock();
        let b = branch();
        let outsider = member(&branch(), MemberCategory::Rural, clock.now());
        let mut a = theme_day(&b, clock.now());
        a.status = ActivityStatus::Cancelled;
        clock.set(a.window_closes_at + Duration::hours(1));
        let r = admit(
            &a,
            &actor(&outsider, &[]),
            &outsider,
            &key(),
            &CheckInProof::default(),
            clock.now(),
        );
        assert_eq!(refusal(r), "check_in_activity_cancelled");
    }

    #[test]
    fn a_member_who_is_not_expected_hears_so_before_the_window_and_the_proof() {
        let clock = clock();
        let b = branch();
        let a = theme_day(&b, clock.now());
        let outsider = member(&branch(), MemberCategory::Rural, clock.now());
        let mut left = member(&b, MemberCategory::Rural, clock.now());
        left.status = MemberStatus::Deactivated;
        clock.set(a.window_closes_at + Duration::hours(1));
        for m in [&outsider, &left] {
            let r = admit(
                &a,
                &actor(m, &[]),
                m,
                &key(),
                &CheckInProof::default(),
                clock.now(),
            );
            assert_eq!(refusal(r), "check_in_not_expected", "{:?}", m.status);
        }
    }

    #[test]
    fn the_window_is_judged_before_the_proof() {
        let clock = clock();
        let b = branch();
        let m = member(&b, MemberCategory::Rural, clock.now());
        let a = theme_day(&b, clock.now());
        clock.set(a.window_opens_at - Duration::minutes(1));
        let r = admit(
            &a,
            &actor(&m, &[]),
            &m,
            &key(),
            &CheckInProof::default(),
            clock.now(),
        );
        assert_eq!(refusal(r), "check_in_window_not_open");
    }

    #[test]
    fn a_committee_meeting_expects_the_branch_secretary_and_committee_members_only() {
        let clock = clock();
        let b = branch();
        let mut a = theme_day(&b, clock.now());
        a.kind = ActivityKind::CommitteeMeeting;
        a.theme_category = None;
        let m = member(&b, MemberCategory::Rural, clock.now());
        let r = admit(
            &a,
            &actor(&m, &[]),
            &m,
            &key(),
            &at_the_venue(),
            clock.now(),
        );
        assert_eq!(refusal(r), "check_in_not_expected");
        for role in [RoleKind::Secretary, RoleKind::Committee] {
            let r = admit(
                &a,
                &actor(&m, &[role]),
                &m,
                &key(),
                &at_the_venue(),
                clock.now(),
            );
            assert!(r.is_ok(), "{role:?}: {r:?}");
        }
    }

    #[test]
    fn a_group_meeting_expects_the_members_of_its_group_only() {
        let clock = clock();
        let b = branch();
        let mut a = theme_day(&b, clock.now());
        a.kind = ActivityKind::GroupMeeting;
        a.theme_category = None;
        a.group_id = Some(b.group_id);
        let mut in_group = member(&b, MemberCategory::Rural, clock.now());
        in_group.group_id = Some(b.group_id);
        let mut other_group = member(&b, MemberCategory::Rural, clock.now());
        other_group.group_id = Some(OrgId::new());
        let no_group = member(&b, MemberCategory::Rural, clock.now());
        let judge = |m: &Member| admit(&a, &actor(m, &[]), m, &key(), &at_the_venue(), clock.now());
        assert!(judge(&in_group).is_ok());
        assert_eq!(refusal(judge(&other_group)), "check_in_not_expected");
        assert_eq!(refusal(judge(&no_group)), "check_in_not_expected");
    }

    #[test]
    fn an_org_life_meeting_expects_the_whole_branch() {
        let clock = clock();
        let b = branch();
        let mut a = theme_day(&b, clock.now());
        a.kind = ActivityKind::OrgLifeMeeting;
        a.theme_category = None;
        let plain = member(&b, MemberCategory::Rural, clock.now());
        let mut in_group = member(&b, MemberCategory::Retired, clock.now());
        in_group.group_id = Some(b.group_id);
        let secretary = member(&b, MemberCategory::InService, clock.now());
        let outsider = member(&branch(), MemberCategory::Rural, clock.now());
        let none = std::collections::HashSet::new();
        for (m, roles) in [
            (&plain, &[][..]),
            (&in_group, &[][..]),
            (&secretary, &[RoleKind::Secretary][..]),
        ] {
            let r = admit(
                &a,
                &actor(m, roles),
                m,
                &key(),
                &at_the_venue(),
                clock.now(),
            );
            assert!(r.is_ok(), "{roles:?}: {r:?}");
            assert!(a.expects_in_branch(m, &none));
        }
        let r = admit(
            &a,
            &actor(&outsider, &[]),
            &outsider,
            &key(),
            &at_the_venue(),
            clock.now(),
        );
        assert_eq!(refusal(r), "check_in_not_expected");
    }

    // Online attendance.

    #[test]
    fn online_attendance_needs_an_activity_that_allows_it_and_a_retired_frail_or_mobile_member() {
        let clock = clock();
        let b = branch();
        for allowed in [false, true] {
            let mut a = theme_day(&b, clock.now());
            a.online_allowed = allowed;
            for category in MemberCategory::ALL.iter().copied() {
                let m = member(&b, category, clock.now());
                let r = judge_proof(&a, &m, &key(), &online(), clock.now());
                let may = allowed
                    && matches!(
                        category,
                        MemberCategory::Retired | MemberCategory::Frail | MemberCategory::Mobile
                    );
                if may {
                    assert!(r.is_ok(), "{category:?}: {r:?}");
                } else {
                    assert_eq!(
                        refusal(r),
                        "check_in_online_not_allowed",
                        "allowed {allowed}, {category:?}"
                    );
                }
            }
        }
    }

    #[test]
    fn online_attendance_is_always_reviewed_and_keeps_a_reported_location() {
        let clock = clock();
        let b = branch();
        let mut a = theme_day(&b, clock.now());
        a.online_allowed = true;
        a.qr_auto_approve = true;
        let m = member(&b, MemberCategory::Frail, clock.now());
        let far = north(5000.0);
        let proof = CheckInProof {
            online: true,
            location: Some(far),
            ..CheckInProof::default()
        };
        let judged = judge_proof(&a, &m, &key(), &proof, clock.now());
        assert_eq!(
            judged.ok(),
            Some((CheckInMethod::Online, ReviewStatus::Pending, Some(far)))
        );
    }

    #[test]
    fn asking_for_online_attendance_sets_any_qr_code_aside() {
        let clock = clock();
        let b = branch();
        let mut a = theme_day(&b, clock.now());
        a.proof = ProofKind::Qr;
        let m = member(&b, MemberCategory::Rural, clock.now());
        let proof = CheckInProof {
            online: true,
            ..qr_code(&qr::issue(&key(), a.id, clock.now()).token)
        };
        let r = judge_proof(&a, &m, &key(), &proof, clock.now());
        assert_eq!(refusal(r), "check_in_online_not_allowed");
    }

    // QR codes.

    #[test]
    fn a_qr_code_passes_in_its_slot_and_the_next_and_then_expires() {
        let clock = clock();
        let b = branch();
        let mut a = theme_day(&b, clock.now());
        a.proof = ProofKind::Qr;
        let m = member(&b, MemberCategory::Rural, clock.now());
        let code = qr_code(&qr::issue(&key(), a.id, clock.now()).token);
        let judged = judge_proof(&a, &m, &key(), &code, clock.now());
        assert_eq!(
            judged.ok(),
            Some((CheckInMethod::Qr, ReviewStatus::Pending, None))
        );
        clock.advance(Duration::seconds(30));
        assert!(judge_proof(&a, &m, &key(), &code, clock.now()).is_ok());
        clock.advance(Duration::seconds(29));
        assert!(judge_proof(&a, &m, &key(), &code, clock.now()).is_ok());
        clock.advance(Duration::seconds(1));
        let r = judge_proof(&a, &m, &key(), &code, clock.now());
        assert_eq!(refusal(r), "check_in_qr_expired");
    }

    #[test]
    fn a_forged_or_foreign_qr_code_is_invalid() {
        let clock = clock();
        let b = branch();
        let mut a = theme_day(&b, clock.now());
        a.proof = ProofKind::Qr;
        let m = member(&b, MemberCategory::Rural, clock.now());
        let genuine = qr::issue(&key(), a.id, clock.now()).token;
        let mut tampered = genuine.clone();
        let last = tampered.pop().unwrap_or('0');
        tampered.push(if last == '0' { '1' } else { '0' });
        let foreign = qr::issue(&key(), ActivityId::new(), clock.now()).token;
        let other_key = qr::issue(&QrKey::new(b"another key"), a.id, clock.now()).token;
        let future = qr::issue(&key(), a.id, clock.now() + Duration::seconds(30)).token;
        for forged in [
            tampered.as_str(),
            &foreign,
            &other_key,
            &future,
            "not-a-code",
        ] {
            let r = judge_proof(&a, &m, &key(), &qr_code(forged), clock.now());
            assert_eq!(refusal(r), "check_in_qr_invalid", "{forged}");
        }
    }

    #[test]
    fn a_fresh_qr_code_is_approved_at_once_only_where_the_activity_says_so() {
        let clock = clock();
        let b = branch();
        let m = member(&b, MemberCategory::Rural, clock.now());
        for (auto_approve, want) in [
            (true, ReviewStatus::Approved),
            (false, ReviewStatus::Pending),
        ] {
            let mut a = theme_day(&b, clock.now());
            a.proof = ProofKind::Either;
            a.qr_auto_approve = auto_approve;
            let code = qr_code(&qr::issue(&key(), a.id, clock.now()).token);
            let judged = judge_proof(&a, &m, &key(), &code, clock.now());
            assert_eq!(
                judged.ok(),
                Some((CheckInMethod::Qr, want, None)),
                "{auto_approve}"
            );
        }
    }

    #[test]
    fn a_qr_code_is_no_proof_for_a_location_only_activity() {
        let clock = clock();
        let b = branch();
        let m = member(&b, MemberCategory::Rural, clock.now());
        let mut a = theme_day(&b, clock.now());
        a.qr_auto_approve = true;
        let token = qr::issue(&key(), a.id, clock.now()).token;
        let r = judge_proof(&a, &m, &key(), &qr_code(&token), clock.now());
        assert_eq!(refusal(r), "check_in_proof_required");
        // With a location as well, the location is judged and the code ignored.
        let both = CheckInProof {
            location: Some(north(10.0)),
            ..qr_code(&token)
        };
        let judged = judge_proof(&a, &m, &key(), &both, clock.now());
        assert_eq!(
            judged.ok(),
            Some((
                CheckInMethod::Location,
                ReviewStatus::Pending,
                Some(north(10.0))
            ))
        );
    }

    #[test]
    fn where_either_proof_counts_a_qr_code_sent_with_a_location_is_judged_first() {
        let clock = clock();
        let b = branch();
        let m = member(&b, MemberCategory::Rural, clock.now());
        let mut a = theme_day(&b, clock.now());
        a.proof = ProofKind::Either;
        let genuine = qr::issue(&key(), a.id, clock.now()).token;
        // A genuine code passes even from outside the fence; the location is recorded.
        let outside = CheckInProof {
            location: Some(north(500.0)),
            ..qr_code(&genuine)
        };
        let judged = judge_proof(&a, &m, &key(), &outside, clock.now());
        assert_eq!(
            judged.ok(),
            Some((CheckInMethod::Qr, ReviewStatus::Pending, Some(north(500.0))))
        );
        // A bad code is refused, not rescued by a location inside the fence.
        let bad = CheckInProof {
            location: Some(point(LAT, LNG)),
            ..qr_code("not-a-code")
        };
        let r = judge_proof(&a, &m, &key(), &bad, clock.now());
        assert_eq!(refusal(r), "check_in_qr_invalid");
    }

    // Locations.

    #[test]
    fn the_geofence_edge_decides_a_location_check_in() {
        let clock = clock();
        let b = branch();
        let m = member(&b, MemberCategory::Rural, clock.now());
        for kind in [ProofKind::Location, ProofKind::Either] {
            let mut a = theme_day(&b, clock.now());
            a.proof = kind;
            a.qr_auto_approve = true;
            let inside = judge_proof(&a, &m, &key(), &location(north(99.5)), clock.now());
            assert_eq!(
                inside.ok(),
                Some((
                    CheckInMethod::Location,
                    ReviewStatus::Pending,
                    Some(north(99.5))
                )),
                "{kind:?}"
            );
            let r = judge_proof(&a, &m, &key(), &location(north(100.5)), clock.now());
            assert_eq!(refusal(r), "check_in_outside_geofence", "{kind:?}");
        }
    }

    #[test]
    fn a_location_is_no_proof_where_only_a_qr_code_counts_or_no_fence_is_drawn() {
        let clock = clock();
        let b = branch();
        let m = member(&b, MemberCategory::Rural, clock.now());
        let mut qr_only = theme_day(&b, clock.now());
        qr_only.proof = ProofKind::Qr;
        let mut unfenced = theme_day(&b, clock.now());
        unfenced.proof = ProofKind::Either;
        unfenced.geofence = None;
        for a in [&qr_only, &unfenced] {
            let r = judge_proof(a, &m, &key(), &at_the_venue(), clock.now());
            assert_eq!(refusal(r), "check_in_proof_required", "{:?}", a.proof);
        }
    }

    #[test]
    fn a_check_in_without_proof_is_told_what_the_activity_needs() {
        let clock = clock();
        let b = branch();
        let m = member(&b, MemberCategory::Rural, clock.now());
        let fence = Geofence::new(point(LAT, LNG), RADIUS_M);
        for (kind, geofence, wanted) in [
            (ProofKind::Qr, None, "a QR code"),
            (ProofKind::Qr, fence, "a QR code"),
            (ProofKind::Location, fence, "a location"),
            (ProofKind::Either, fence, "a QR code or a location"),
            (ProofKind::Either, None, "a QR code"),
        ] {
            let mut a = theme_day(&b, clock.now());
            a.proof = kind;
            a.geofence = geofence;
            let r = judge_proof(&a, &m, &key(), &CheckInProof::default(), clock.now());
            assert_eq!(
                detail(r),
                format!("this activity's check-in needs {wanted}"),
                "{kind:?}, fence {}",
                geofence.is_some()
            );
        }
    }
}
