//! Request and response shapes of activities, check-ins and exemptions.

use chrono::{DateTime, FixedOffset, NaiveDate};
use domain::error::ErrorCode;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::extract::Validate;
use crate::http::mirror::mirror_enum;
use crate::http::time::beijing;
use domain::activity::geo::{GeoPoint, Geofence};
use domain::activity::report;
use domain::activity::{self as act, Activity, CheckIn, Exemption, ExemptionScope, Review};
use domain::error::FieldError;

mirror_enum!(
    /// 主题党日 / 党员大会 / 支委会 / 党小组会 / 党课 / 组织生活会.
    ActivityKind => act::ActivityKind { ThemeDay, GeneralAssembly, CommitteeMeeting, GroupMeeting, PartyLesson, OrgLifeMeeting }
);
mirror_enum!(
    /// 学习教育 / 党性锤炼 / 民主议事 / 走访联系 / 服务奉献.
    ThemeCategory => act::ThemeCategory { Study, PartySpirit, Deliberation, Visiting, Service }
);
mirror_enum!(
    /// What a check-in must show: the rotating QR code, a location in the geofence, or either.
    ProofKind => act::ProofKind { Qr, Location, Either }
);
mirror_enum!(
    ActivityStatus => act::ActivityStatus { Scheduled, Cancelled }
);
mirror_enum!(
    CheckInMethod => act::CheckInMethod { Qr, Location, Online }
);
mirror_enum!(
    /// 待审核 / 已通过 / 已驳回.
    ReviewStatus => act::ReviewStatus { Pending, Approved, Rejected }
);
mirror_enum!(
    ReviewDecision => act::ReviewDecision { Approve, Reject }
);

/// GCJ-02 coordinates, as `wx.getLocation` returns them.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Point {
    #[schema(minimum = -90, maximum = 90, example = 30.0871)]
    pub lat: f64,
    #[schema(minimum = -180, maximum = 180, example = 120.8402)]
    pub lng: f64,
}

impl Point {
    pub fn to_domain(self, pointer: &str) -> Result<GeoPoint, FieldError> {
        GeoPoint::new(self.lat, self.lng).ok_or_else(|| {
            FieldError::new(
                pointer,
                ErrorCode::LocationInvalid,
                "lat must be within ±90 and lng within ±180",
            )
        })
    }
}

impl From<GeoPoint> for Point {
    fn from(p: GeoPoint) -> Self {
        Self {
            lat: p.lat(),
            lng: p.lng(),
        }
    }
}

/// A circle members must be inside to check in by location.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct GeofenceDto {
    pub center: Point,
    /// 10-5000 metres.
    #[schema(minimum = 10, maximum = 5000, example = 150.0)]
    pub radius_m: f64,
}

impl GeofenceDto {
    pub fn to_domain(self, pointer: &str) -> Result<Geofence, FieldError> {
        let center = self.center.to_domain(&format!("{pointer}/center"))?;
        Geofence::new(center, self.radius_m).ok_or_else(|| {
            FieldError::new(
                format!("{pointer}/radiusM"),
                ErrorCode::GeofenceRadiusInvalid,
                "the radius must be 10-5000 metres",
            )
        })
    }
}

impl From<Geofence> for GeofenceDto {
    fn from(g: Geofence) -> Self {
        Self {
            center: g.center().into(),
            radius_m: g.radius_m(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ActivityView {
    pub id: Uuid,
    /// The branch holding it.
    pub branch_id: Uuid,
    /// The group, for a group meeting.
    pub group_id: Option<Uuid>,
    pub kind: ActivityKind,
    pub theme_category: Option<ThemeCategory>,
    #[schema(example = "重温入党誓词")]
    pub title: String,
    pub place: Option<String>,
    pub lecturer_id: Option<Uuid>,
    pub lecturer_name: Option<String>,
    pub lecturer_is_secretary: bool,
    /// RFC 3339 in +08:00, like every time below.
    pub starts_at: DateTime<FixedOffset>,
    pub ends_at: DateTime<FixedOffset>,
    pub check_in_opens_at: DateTime<FixedOffset>,
    pub check_in_closes_at: DateTime<FixedOffset>,
    pub proof: ProofKind,
    pub geofence: Option<GeofenceDto>,
    pub online_allowed: bool,
    pub qr_auto_approve: bool,
    pub status: ActivityStatus,
    pub cancel_reason: Option<String>,
    pub created_by: Uuid,
    pub created_at: DateTime<FixedOffset>,
    pub updated_at: DateTime<FixedOffset>,
}

impl From<&Activity> for ActivityView {
    fn from(a: &Activity) -> Self {
        Self {
            id: a.id.as_uuid(),
            branch_id: a.branch_id.as_uuid(),
            group_id: a.group_id.map(|g| g.as_uuid()),
            kind: a.kind.into(),
            theme_category: a.theme_category.map(Into::into),
            title: a.title.clone(),
            place: a.place.clone(),
            lecturer_id: a.lecturer_id.map(|l| l.as_uuid()),
            lecturer_name: a.lecturer_name.clone(),
            lecturer_is_secretary: a.lecturer_is_secretary,
            starts_at: beijing(a.starts_at),
            ends_at: beijing(a.ends_at),
            check_in_opens_at: beijing(a.window_opens_at),
            check_in_closes_at: beijing(a.window_closes_at),
            proof: a.proof.into(),
            geofence: a.geofence.map(Into::into),
            online_allowed: a.online_allowed,
            qr_auto_approve: a.qr_auto_approve,
            status: a.status.into(),
            cancel_reason: a.cancel_reason.clone(),
            created_by: a.created_by.as_uuid(),
            created_at: beijing(a.created_at),
            updated_at: beijing(a.updated_at),
        }
    }
}

/// Who decided, when and why.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ReviewView {
    pub reviewer_id: Uuid,
    pub reviewed_at: DateTime<FixedOffset>,
    pub reason: Option<String>,
}

impl From<&Review> for ReviewView {
    fn from(r: &Review) -> Self {
        Self {
            reviewer_id: r.reviewer_id.as_uuid(),
            reviewed_at: beijing(r.reviewed_at),
            reason: r.reason.clone(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CheckInView {
    pub id: Uuid,
    pub activity_id: Uuid,
    pub member_id: Uuid,
    pub method: CheckInMethod,
    pub status: ReviewStatus,
    /// The time the client claimed (recorded, not trusted).
    pub client_time: Option<DateTime<FixedOffset>>,
    pub location: Option<Point>,
    /// The server's time of the check-in.
    pub checked_in_at: DateTime<FixedOffset>,
    pub review: Option<ReviewView>,
    /// When the member checked out of a service activity (their hours went into the
    /// volunteer-hours ledger then); `null` until they do.
    pub checked_out_at: Option<DateTime<FixedOffset>>,
}

impl From<&CheckIn> for CheckInView {
    fn from(c: &CheckIn) -> Self {
        Self {
            id: c.id.as_uuid(),
            activity_id: c.activity_id.as_uuid(),
            member_id: c.member_id.as_uuid(),
            method: c.method.into(),
            status: c.status.into(),
            client_time: c.client_time.map(beijing),
            location: c.location.map(Into::into),
            checked_in_at: beijing(c.created_at),
            review: c.review.as_ref().map(Into::into),
            checked_out_at: c.checked_out_at.map(beijing),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ExemptionView {
    pub id: Uuid,
    pub member_id: Uuid,
    /// Set when the exemption is for one activity.
    pub activity_id: Option<Uuid>,
    /// Set (with `toDate`) when it covers every activity starting in a date range.
    #[schema(value_type = Option<String>, format = Date, example = "2026-12-01")]
    pub from_date: Option<NaiveDate>,
    #[schema(value_type = Option<String>, format = Date, example = "2027-02-28")]
    pub to_date: Option<NaiveDate>,
    pub reason: String,
    pub status: ReviewStatus,
    pub applied_at: DateTime<FixedOffset>,
    pub review: Option<ReviewView>,
}

impl From<&Exemption> for ExemptionView {
    fn from(e: &Exemption) -> Self {
        let (activity_id, from_date, to_date) = match e.scope {
            ExemptionScope::Activity(a) => (Some(a.as_uuid()), None, None),
            ExemptionScope::Dates { from, to } => (None, Some(from), Some(to)),
        };
        Self {
            id: e.id.as_uuid(),
            member_id: e.member_id.as_uuid(),
            activity_id,
            from_date,
            to_date,
            reason: e.reason.clone(),
            status: e.status.into(),
            applied_at: beijing(e.created_at),
            review: e.review.as_ref().map(Into::into),
        }
    }
}

/// A reviewer's decision; a rejection needs a reason.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ReviewRequest {
    pub decision: ReviewDecision,
    /// Required to reject.
    #[serde(default)]
    #[schema(
        min_length = 1,
        max_length = 200,
        pattern = "printable",
        example = "未到现场"
    )]
    pub reason: Option<String>,
}

impl ReviewRequest {
    pub fn into_domain(self) -> domain::activity::service::Decision {
        domain::activity::service::Decision {
            decision: self.decision.into(),
            reason: self.reason,
        }
    }
}

/// `?month=YYYY-MM` (Asia/Shanghai).
pub fn parse_month(raw: &str) -> Result<domain::calendar::YearMonth, FieldError> {
    domain::calendar::YearMonth::parse(raw)
        .ok_or_else(|| FieldError::new("/month", ErrorCode::MonthInvalid, "month must be YYYY-MM"))
}

impl Validate for ReviewRequest {
    fn validate(&self) -> Result<(), Vec<FieldError>> {
        Ok(())
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct MonthParams {
    /// `YYYY-MM`, a calendar month in Asia/Shanghai.
    #[param(pattern = "month", example = "2026-12")]
    pub month: String,
}

impl Validate for MonthParams {
    fn validate(&self) -> Result<(), Vec<FieldError>> {
        parse_month(&self.month).map(|_| ()).map_err(|e| vec![e])
    }
}

/// One obligation's state for the period containing the month.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ObligationView {
    /// `theme_day`, `committee_meeting`, `group_meeting` (one per group),
    /// `general_assembly`, `party_lesson`, `secretary_lesson`, `org_life_meeting`.
    #[schema(example = "theme_day")]
    pub kind: String,
    /// `2026-12`, `2026-Q4` or `2026`.
    #[schema(example = "2026-12")]
    pub period: String,
    /// `met`, `due` or `overdue`.
    #[schema(example = "due")]
    pub state: String,
    pub group_id: Option<Uuid>,
    pub group_name: Option<String>,
}

impl From<&report::ObligationReport> for ObligationView {
    fn from(o: &report::ObligationReport) -> Self {
        Self {
            kind: o.kind.as_str().to_owned(),
            period: o.period.label(),
            state: o.state.as_str().to_owned(),
            group_id: o.group.as_ref().map(|g| g.id.as_uuid()),
            group_name: o.group.as_ref().map(|g| g.name.clone()),
        }
    }
}
