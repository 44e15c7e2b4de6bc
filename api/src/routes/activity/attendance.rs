//! Attendance of one activity: every expected member as present, pending, excused or
//! absent; as JSON or as an Excel file with the same rows.

use actix_web::{get, web, HttpRequest, HttpResponse};
use rust_xlsxwriter::XlsxError;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::dto::CheckInView;
use crate::auth::AuthUser;
use crate::error::{ApiError, Problem};
use crate::extract::{Query, Validate};
use crate::http::xlsx::{self, wants_xlsx, Cell, ReportFormat, Table, XlsxFile};
use crate::state::AppState;
use domain::activity::report::{self, Attendance, AttendanceCounts, AttendanceRow};
use domain::activity::{ActivityId, ActivityKind, CheckInMethod, ReviewStatus};
use domain::calendar::shanghai;
use domain::error::FieldError;
use domain::org::policy::{self, Actor};

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CountsView {
    pub expected: u64,
    pub present: u64,
    pub pending: u64,
    pub excused: u64,
    pub absent: u64,
    /// present ÷ (expected − excused), 0-1; null when nobody was due.
    #[schema(example = 0.875)]
    pub rate: Option<f64>,
}

impl From<AttendanceCounts> for CountsView {
    fn from(c: AttendanceCounts) -> Self {
        Self {
            expected: c.expected,
            present: c.present,
            pending: c.pending,
            excused: c.excused,
            absent: c.absent,
            rate: c.rate(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AttendanceRowView {
    pub member_id: Uuid,
    pub name: String,
    /// Masked (`138****5678`) unless the caller is the member's secretary or a township
    /// admin covering them.
    pub phone: String,
    /// `present`, `pending`, `excused` or `absent`.
    #[schema(example = "absent")]
    pub status: String,
    pub check_in: Option<CheckInView>,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AttendanceView {
    pub activity_id: Uuid,
    pub counts: CountsView,
    pub members: Vec<AttendanceRowView>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct AttendanceParams {
    /// `xlsx` for an Excel file (or send `Accept: application/vnd.openxmlformats-officedocument.spreadsheetml.sheet`).
    #[param(inline)]
    pub format: Option<ReportFormat>,
}

impl Validate for AttendanceParams {
    fn validate(&self) -> Result<(), Vec<FieldError>> {
        Ok(())
    }
}

/// The phone as `actor` may see it: in full for the member themself and the secretary or
/// township admin covering them, masked for everyone else.
fn shown_phone(actor: &Actor, r: &AttendanceRow) -> String {
    if policy::sees_full_phone(actor, r.member.id, &r.member.branch_path) {
        r.member.phone.as_str().to_owned()
    } else {
        r.member.phone.masked()
    }
}

/// Every expected member of the activity with where they stand; members who did nothing
/// are absent. `?format=xlsx` for the same rows as an Excel file (phones as the JSON shows
/// them), saved as `出勤情况-<branch path>-<title>-YYYY-MM-DD.xlsx`. S, C, T covering its
/// branch.
#[utoipa::path(
    tag = "activities",
    operation_id = "getAttendance",
    security(("bearerAuth" = [])),
    params(("id" = Uuid, Path, description = "The activity"), AttendanceParams),
    responses(
        (status = 200, description = "The attendance", content(
            (AttendanceView = "application/json"),
            (XlsxFile = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        )),
        (status = 401, description = "auth_token_*", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "permission_denied", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such activity, or outside the caller's scope", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "request_query_invalid", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "database_unavailable or cache_unavailable", body = Problem, content_type = "application/problem+json"),
        (status = 500, description = "Unexpected error", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/api/v1/activities/{id}/attendance")]
pub async fn attendance(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<Uuid>,
    query: Query<AttendanceParams>,
) -> Result<HttpResponse, ApiError> {
    let repos = state.db.repos();
    let att = report::attendance(&repos, &user.actor, ActivityId::from_uuid(*id)).await?;
    let actor = &user.actor;
    if wants_xlsx(&req, query.into_inner().format) {
        let bytes = workbook(actor, &att).map_err(ApiError::internal)?;
        let date = att
            .activity
            .starts_at
            .with_timezone(&shanghai())
            .format("%Y-%m-%d");
        let name = format!(
            "出勤情况-{}-{}-{date}",
            xlsx::file_name_part(&att.branch_label.replace('/', "-"), 60),
            xlsx::file_name_part(&att.activity.title, 40),
        );
        return Ok(xlsx::download(bytes, &name, &format!("attendance-{date}")));
    }
    Ok(HttpResponse::Ok().json(AttendanceView {
        activity_id: att.activity.id.as_uuid(),
        counts: att.counts.into(),
        members: att
            .rows
            .iter()
            .map(|r| AttendanceRowView {
                member_id: r.member.id.as_uuid(),
                name: r.member.name.clone(),
                phone: shown_phone(actor, r),
                status: r.status.as_str().to_owned(),
                check_in: r.check_in.as_ref().map(CheckInView::from),
            })
            .collect(),
    }))
}

pub const ATTENDANCE_HEADERS: [&str; 12] = [
    "党支部",
    "活动",
    "活动类型",
    "活动开始",
    "姓名",
    "手机号",
    "出勤情况",
    "签到方式",
    "签到时间",
    "签到审核",
    "审核时间",
    "审核说明",
];

fn kind_zh(k: ActivityKind) -> &'static str {
    match k {
        ActivityKind::ThemeDay => "主题党日",
        ActivityKind::GeneralAssembly => "党员大会",
        ActivityKind::CommitteeMeeting => "支委会",
        ActivityKind::GroupMeeting => "党小组会",
        ActivityKind::PartyLesson => "党课",
        ActivityKind::OrgLifeMeeting => "组织生活会",
    }
}

fn status_zh(s: report::AttendanceStatus) -> &'static str {
    match s {
        report::AttendanceStatus::Present => "出席",
        report::AttendanceStatus::Pending => "待审核",
        report::AttendanceStatus::Excused => "请假",
        report::AttendanceStatus::Absent => "缺席",
    }
}

fn method_zh(m: CheckInMethod) -> &'static str {
    match m {
        CheckInMethod::Qr => "扫码",
        CheckInMethod::Location => "定位",
        CheckInMethod::Online => "线上",
    }
}

fn review_zh(s: ReviewStatus) -> &'static str {
    match s {
        ReviewStatus::Pending => "待审核",
        ReviewStatus::Approved => "已通过",
        ReviewStatus::Rejected => "未通过",
    }
}

fn workbook(actor: &Actor, att: &Attendance) -> Result<Vec<u8>, XlsxError> {
    let a = &att.activity;
    let mut table = Table::new("出勤情况", &ATTENDANCE_HEADERS);
    for r in &att.rows {
        let c = r.check_in.as_ref();
        let review = c.and_then(|c| c.review.as_ref());
        table.rows.push(vec![
            Cell::text(&att.branch_label),
            Cell::text(&a.title),
            Cell::text(kind_zh(a.kind)),
            Cell::Time(a.starts_at),
            Cell::text(&r.member.name),
            Cell::text(shown_phone(actor, r)),
            Cell::text(status_zh(r.status)),
            c.map_or(Cell::Empty, |c| Cell::text(method_zh(c.method))),
            Cell::time(c.map(|c| c.created_at)),
            c.map_or(Cell::Empty, |c| Cell::text(review_zh(c.status))),
            Cell::time(review.map(|r| r.reviewed_at)),
            review
                .and_then(|r| r.reason.as_deref())
                .map_or(Cell::Empty, Cell::text),
        ]);
    }
    xlsx::workbook(&[table])
}
