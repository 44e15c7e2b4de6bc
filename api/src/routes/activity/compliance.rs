//! The township's compliance report: per branch, was the theme day held, each 三会一课
//! obligation, attendance; as JSON or as an Excel file with a sheet of absentees.

use actix_web::{get, web, HttpRequest, HttpResponse};
use chrono::{DateTime, FixedOffset};
use rust_xlsxwriter::XlsxError;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::attendance::CountsView;
use super::dto::ObligationView;
use super::dto::{parse_month, ActivityKind};
use crate::auth::AuthUser;
use crate::error::{ApiError, Problem};
use crate::extract::{Query, Validate};
use crate::http::time::beijing;
use crate::http::xlsx::{self, wants_xlsx, Cell, ReportFormat, Table, XlsxFile};
use crate::state::AppState;
use domain::activity::report::{self, BranchCompliance};
use domain::activity::schedule::{ObligationKind, ObligationState};
use domain::calendar::YearMonth;
use domain::error::FieldError;

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct ComplianceParams {
    /// `YYYY-MM` (Asia/Shanghai).
    #[param(pattern = "month", example = "2026-12")]
    pub month: String,
    /// `xlsx` for an Excel file (or send `Accept: application/vnd.openxmlformats-officedocument.spreadsheetml.sheet`).
    #[param(inline)]
    pub format: Option<ReportFormat>,
}

impl Validate for ComplianceParams {
    fn validate(&self) -> Result<(), Vec<FieldError>> {
        parse_month(&self.month).map(|_| ()).map_err(|e| vec![e])
    }
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ActivitySummaryView {
    pub activity_id: Uuid,
    pub kind: ActivityKind,
    pub title: String,
    pub starts_at: DateTime<FixedOffset>,
    pub counts: CountsView,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct BranchComplianceView {
    pub branch_id: Uuid,
    pub branch_name: String,
    /// An ended theme day this month with at least one approved check-in.
    pub theme_day_held: bool,
    pub obligations: Vec<ObligationView>,
    pub activities: Vec<ActivitySummaryView>,
    /// Attendance over the month's ended activities.
    pub attendance: CountsView,
    pub absentees: u64,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ComplianceReport {
    #[schema(example = "2026-12")]
    pub month: String,
    pub branches: Vec<BranchComplianceView>,
}

fn view(b: &BranchCompliance) -> BranchComplianceView {
    BranchComplianceView {
        branch_id: b.branch.id.as_uuid(),
        branch_name: b.branch.name.clone(),
        theme_day_held: b.theme_day_held,
        obligations: b.obligations.iter().map(ObligationView::from).collect(),
        activities: b
            .activities
            .iter()
            .map(|s| ActivitySummaryView {
                activity_id: s.activity.id.as_uuid(),
                kind: s.activity.kind.into(),
                title: s.activity.title.clone(),
                starts_at: beijing(s.activity.starts_at),
                counts: s.counts.into(),
            })
            .collect(),
        attendance: b.counts.into(),
        absentees: b.absentees.len() as u64,
    }
}

/// Per branch in the caller's scope: whether the month's theme day was held, each 三会一课
/// obligation (met, due, overdue), attendance rates; `?format=xlsx` for the same as an Excel
/// file with a sheet of absentees (branch, name, masked phone, activity), branches named by
/// their path below the committee, saved as `主题党日及三会一课落实情况-YYYY-MM.xlsx`. S, C, T.
#[utoipa::path(
    tag = "reports",
    operation_id = "getComplianceReport",
    security(("bearerAuth" = [])),
    params(ComplianceParams),
    responses(
        (status = 200, description = "The report", content(
            (ComplianceReport = "application/json"),
            (XlsxFile = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        )),
        (status = 401, description = "auth_token_*", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "permission_denied", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "request_query_invalid or validation_failed (month_invalid)", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "database_unavailable or cache_unavailable", body = Problem, content_type = "application/problem+json"),
        (status = 500, description = "Unexpected error", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/api/v1/reports/compliance")]
pub async fn compliance(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: AuthUser,
    query: Query<ComplianceParams>,
) -> Result<HttpResponse, ApiError> {
    let q = query.into_inner();
    let month = parse_month(&q.month).map_err(|e| ApiError::validation(vec![e]))?;
    let repos = state.db.repos();
    let branches = report::compliance(&repos, &user.actor, month, state.clock.now()).await?;
    if wants_xlsx(&req, q.format) {
        let bytes = workbook(month, &branches).map_err(ApiError::internal)?;
        return Ok(xlsx::download(
            bytes,
            &format!("主题党日及三会一课落实情况-{month}"),
            &format!("compliance-{month}"),
        ));
    }
    Ok(HttpResponse::Ok().json(ComplianceReport {
        month: month.to_string(),
        branches: branches.iter().map(view).collect(),
    }))
}

fn state_zh(s: ObligationState) -> &'static str {
    match s {
        ObligationState::Met => "已完成",
        ObligationState::Due => "待完成",
        ObligationState::Overdue => "已逾期",
    }
}

/// One cell per obligation kind; group meetings (one per group) show the worst state.
fn obligation_cell(b: &BranchCompliance, kind: ObligationKind) -> &'static str {
    let states: Vec<ObligationState> = b
        .obligations
        .iter()
        .filter(|o| o.kind == kind)
        .map(|o| o.state)
        .collect();
    if states.is_empty() {
        return "不适用";
    }
    let worst = if states.contains(&ObligationState::Overdue) {
        ObligationState::Overdue
    } else if states.contains(&ObligationState::Due) {
        ObligationState::Due
    } else {
        ObligationState::Met
    };
    state_zh(worst)
}

pub const BRANCH_HEADERS: [&str; 15] = [
    "党支部",
    "月份",
    "主题党日",
    "支委会",
    "党小组会",
    "党员大会",
    "党课",
    "书记讲党课",
    "组织生活会",
    "应到",
    "实到",
    "待审核",
    "请假",
    "缺席",
    "出席率",
];

pub const ABSENTEE_HEADERS: [&str; 5] = ["党支部", "姓名", "手机号", "活动", "活动时间"];

fn workbook(month: YearMonth, branches: &[BranchCompliance]) -> Result<Vec<u8>, XlsxError> {
    let kinds = [
        ObligationKind::CommitteeMeeting,
        ObligationKind::GroupMeeting,
        ObligationKind::GeneralAssembly,
        ObligationKind::PartyLesson,
        ObligationKind::SecretaryLesson,
        ObligationKind::OrgLifeMeeting,
    ];
    let mut summary = Table::new("合规情况", &BRANCH_HEADERS);
    let mut absent = Table::new("缺席名单", &ABSENTEE_HEADERS);
    for b in branches {
        let mut row = vec![
            Cell::text(&b.branch_label),
            Cell::Month(month),
            Cell::text(if b.theme_day_held {
                "已开展"
            } else {
                "未开展"
            }),
        ];
        row.extend(kinds.iter().map(|k| Cell::text(obligation_cell(b, *k))));
        let c = &b.counts;
        row.extend(
            [c.expected, c.present, c.pending, c.excused, c.absent]
                .into_iter()
                .map(Cell::count),
        );
        row.push(c.rate().map_or_else(|| Cell::text("—"), Cell::Percent));
        summary.rows.push(row);
        for a in &b.absentees {
            absent.rows.push(vec![
                Cell::text(&b.branch_label),
                Cell::text(&a.member.name),
                Cell::text(a.member.phone.masked()),
                Cell::text(&a.activity.title),
                Cell::Time(a.activity.starts_at),
            ]);
        }
    }
    xlsx::workbook(&[summary, absent])
}
