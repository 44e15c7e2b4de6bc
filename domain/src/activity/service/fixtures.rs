//! What the service's unit tests share: one branch with a group, its members, a theme day
//! shaped like the black-box tests' one, and the manual clock at their instant
//! (2026-11-05 08:30 Beijing time).

use chrono::{DateTime, Duration, TimeZone, Utc};

use crate::activity::geo::{GeoPoint, Geofence};
use crate::activity::model::*;
pub(super) use crate::clock::Clock;
use crate::clock::ManualClock;
use crate::error::DomainError;
use crate::org::policy::{Actor, ActorRole};
use crate::org::{
    Member, MemberCategory, MemberId, MemberStatus, OrgId, OrgPath, PhoneNumber, RoleKind,
};

/// The venue: every theme day's geofence is 100 m around it.
pub(super) const LAT: f64 = 30.0;
pub(super) const LNG: f64 = 120.0;
pub(super) const RADIUS_M: f64 = 100.0;

/// The clock the tests move: 2026-11-05 08:30 Beijing time, when the theme day's window
/// opens.
pub(super) fn clock() -> ManualClock {
    let start = Utc
        .with_ymd_and_hms(2026, 11, 5, 0, 30, 0)
        .single()
        .unwrap_or_else(|| panic!("a valid instant"));
    ManualClock::new(start)
}

pub(super) fn point(lat: f64, lng: f64) -> GeoPoint {
    GeoPoint::new(lat, lng).unwrap_or_else(|| panic!("{lat},{lng} is a valid point"))
}

/// The point `metres` due north of the venue (on the haversine sphere geo.rs uses).
pub(super) fn north(metres: f64) -> GeoPoint {
    const EARTH_RADIUS_M: f64 = 6_371_008.8;
    point(LAT + (metres / EARTH_RADIUS_M).to_degrees(), LNG)
}

/// A branch of the township and one group inside it.
#[derive(Debug, Clone)]
pub(super) struct Branch {
    pub id: OrgId,
    pub path: OrgPath,
    pub group_id: OrgId,
}

pub(super) fn branch() -> Branch {
    let committee = OrgPath::root(OrgId::new());
    let id = OrgId::new();
    Branch {
        id,
        path: committee.child(id),
        group_id: OrgId::new(),
    }
}

/// An active member of `branch`, in no group.
pub(super) fn member(branch: &Branch, category: MemberCategory, now: DateTime<Utc>) -> Member {
    Member {
        id: MemberId::new(),
        name: "党员甲".to_owned(),
        phone: PhoneNumber::parse("13800000001").unwrap_or_else(|e| panic!("{e:?}")),
        category,
        branch_id: branch.id,
        group_id: None,
        branch_path: branch.path.clone(),
        leading_cadre: false,
        probationary: false,
        status: MemberStatus::Active,
        created_at: now,
        updated_at: now,
    }
}

/// The member as the caller, holding `roles` on the branch.
pub(super) fn actor(member: &Member, roles: &[RoleKind]) -> Actor {
    Actor {
        member_id: member.id,
        branch_path: member.branch_path.clone(),
        roles: roles
            .iter()
            .map(|&kind| ActorRole {
                kind,
                org_path: member.branch_path.clone(),
                can_review: kind == RoleKind::Secretary,
            })
            .collect(),
    }
}

/// A theme day on `branch` from 09:00 to 10:00 Beijing time when `now` is 08:30: its
/// default window opens at `now` and closes at the end; a location inside the fence proves
/// presence.
pub(super) fn theme_day(branch: &Branch, now: DateTime<Utc>) -> Activity {
    let starts_at = now + Duration::minutes(30);
    let ends_at = now + Duration::minutes(90);
    Activity {
        id: ActivityId::at(now),
        branch_id: branch.id,
        group_id: None,
        branch_path: branch.path.clone(),
        kind: ActivityKind::ThemeDay,
        theme_category: Some(ThemeCategory::Study),
        title: "重温入党誓词".to_owned(),
        place: None,
        lecturer_id: None,
        lecturer_name: None,
        lecturer_is_secretary: false,
        starts_at,
        ends_at,
        window_opens_at: starts_at - Duration::minutes(Activity::DEFAULT_WINDOW_LEAD_MINUTES),
        window_closes_at: ends_at,
        proof: ProofKind::Location,
        geofence: Geofence::new(point(LAT, LNG), RADIUS_M),
        online_allowed: false,
        qr_auto_approve: false,
        status: ActivityStatus::Scheduled,
        cancel_reason: None,
        created_by: MemberId::new(),
        created_at: now,
        updated_at: now,
    }
}

/// The codes an error carries: a refusal's or conflict's one, each invalid field's.
pub(super) fn codes(e: &DomainError) -> Vec<&'static str> {
    match e {
        DomainError::Validation(fields) => fields.iter().map(|f| f.code.as_str()).collect(),
        DomainError::Refused { code, .. } | DomainError::Conflict { code, .. } => {
            vec![code.as_str()]
        }
        other => panic!("not a coded error: {other:?}"),
    }
}

/// The JSON pointers of a validation error's fields.
pub(super) fn pointers(e: &DomainError) -> Vec<&str> {
    match e {
        DomainError::Validation(fields) => fields.iter().map(|f| f.pointer.as_str()).collect(),
        other => panic!("not a validation error: {other:?}"),
    }
}

/// The refusal's code, or a panic naming what came instead.
pub(super) fn refusal<T: std::fmt::Debug>(r: Result<T, DomainError>) -> &'static str {
    match r {
        Err(DomainError::Refused { code, .. }) => code.as_str(),
        other => panic!("expected a refusal, got {other:?}"),
    }
}
