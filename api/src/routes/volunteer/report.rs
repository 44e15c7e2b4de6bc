//! The volunteer report (96345): per branch, team, the wish list and what awaits dispatch,
//! for one month; as JSON or as an Excel file.

use actix_web::{get, web, HttpRequest, HttpResponse};
use rust_xlsxwriter::XlsxError;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::auth::AuthUser;
use crate::error::{ApiError, Problem};
use crate::extract::{Query, Validate};
use crate::http::xlsx::{self, wants_xlsx, Cell, ReportFormat, Table, XlsxFile};
use crate::routes::read_context;
use crate::state::AppState;
use domain::calendar::YearMonth;
use domain::error::{ErrorCode, FieldError};
use domain::volunteer::report::{self, Figures, LineKey, ReportLine};
use domain::volunteer::{RequestState, ServiceKind};

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct VolunteerReportParams {
    /// `YYYY-MM` (Asia/Shanghai): requests filed, completed and closed in that month, hours
    /// served on its days.
    #[param(pattern = "month", example = "2026-11")]
    pub month: String,
    /// `xlsx` for an Excel file (or send `Accept: application/vnd.openxmlformats-officedocument.spreadsheetml.sheet`).
    #[param(inline)]
    pub format: Option<ReportFormat>,
}

fn parse_month(raw: &str) -> Result<YearMonth, FieldError> {
    YearMonth::parse(raw)
        .ok_or_else(|| FieldError::new("/month", ErrorCode::MonthInvalid, "month must be YYYY-MM"))
}

impl Validate for VolunteerReportParams {
    fn validate(&self) -> Result<(), Vec<FieldError>> {
        parse_month(&self.month).map(|_| ()).map_err(|e| vec![e])
    }
}

/// What a line of the report counts.
#[derive(Debug, Clone, Copy, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum VolunteerReportLineKind {
    /// Requests dispatched to the branch; minutes its members served outside teams and
    /// the wish list.
    Branch,
    /// Requests dispatched to the professional team; minutes served through it.
    Team,
    /// The township's wish list (点亮心愿).
    WishList,
    /// The township's requests not dispatched (submitted, or rejected or cancelled before
    /// dispatch).
    Undispatched,
}

/// Requests filed in the month, by kind.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct VolunteerReportByKind {
    pub hotline: u64,
    pub thematic: u64,
    pub home_visit: u64,
    pub outreach: u64,
    pub wish: u64,
}

/// Requests filed in the month, by the state they are in now.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct VolunteerReportByState {
    pub submitted: u64,
    pub accepted: u64,
    pub claimed: u64,
    pub in_progress: u64,
    pub completed: u64,
    pub closed: u64,
    pub cancelled: u64,
    pub rejected: u64,
}

/// The figures of a line, or of the totals.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct VolunteerReportFigures {
    /// Requests filed in the month (Beijing time).
    pub requests: u64,
    pub by_kind: VolunteerReportByKind,
    pub by_state: VolunteerReportByState,
    /// Requests completed in the month (their latest completion).
    pub completed: u64,
    /// Of those, completed by their deadline (`completedAt` ≤ `completeDue`).
    pub completed_on_time: u64,
    /// completedOnTime ÷ completed; null when nothing was completed.
    #[schema(minimum = 0, maximum = 1, example = 0.75)]
    pub on_time_rate: Option<f64>,
    /// Requests overdue now, whenever filed: not waiting on the requester, and accepted past
    /// the claim or completion deadline, or claimed or in progress past the completion
    /// deadline.
    pub overdue_now: u64,
    /// Confirmed minutes of volunteer service served on the month's days, corrections
    /// included (training is not counted).
    pub service_minutes: i64,
    /// Ratings of the requests closed in the month.
    pub ratings: u64,
    /// Their mean (1-5); null without ratings.
    #[schema(minimum = 1, maximum = 5, example = 4.5)]
    pub average_rating: Option<f64>,
}

/// One line of the report.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct VolunteerReportLine {
    pub kind: VolunteerReportLineKind,
    /// The branch's or team's id; the committee's for the wish list and the undispatched
    /// line.
    pub id: Uuid,
    /// A branch by its path of names below the committee (`虞北村党总支/虞北村第一党支部`),
    /// a team by its name, `点亮心愿`, `待派单`.
    pub name: String,
    pub figures: VolunteerReportFigures,
}

/// The volunteer report of a month, as far as the caller's roles cover.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct VolunteerReport {
    #[schema(example = "2026-11")]
    pub month: String,
    /// Branches in tree order, then teams by name, the wish list, the undispatched line.
    pub lines: Vec<VolunteerReportLine>,
    /// The sum of the lines.
    pub totals: VolunteerReportFigures,
}

fn by<K: Ord>(map: &std::collections::BTreeMap<K, u64>, k: K) -> u64 {
    map.get(&k).copied().unwrap_or(0)
}

fn figures(f: &Figures) -> VolunteerReportFigures {
    VolunteerReportFigures {
        requests: f.filed,
        by_kind: VolunteerReportByKind {
            hotline: by(&f.by_kind, ServiceKind::Hotline),
            thematic: by(&f.by_kind, ServiceKind::Thematic),
            home_visit: by(&f.by_kind, ServiceKind::HomeVisit),
            outreach: by(&f.by_kind, ServiceKind::Outreach),
            wish: by(&f.by_kind, ServiceKind::Wish),
        },
        by_state: VolunteerReportByState {
            submitted: by(&f.by_state, RequestState::Submitted),
            accepted: by(&f.by_state, RequestState::Accepted),
            claimed: by(&f.by_state, RequestState::Claimed),
            in_progress: by(&f.by_state, RequestState::InProgress),
            completed: by(&f.by_state, RequestState::Completed),
            closed: by(&f.by_state, RequestState::Closed),
            cancelled: by(&f.by_state, RequestState::Cancelled),
            rejected: by(&f.by_state, RequestState::Rejected),
        },
        completed: f.completed,
        completed_on_time: f.completed_on_time,
        on_time_rate: f.on_time_share(),
        overdue_now: f.overdue,
        service_minutes: f.service_minutes,
        ratings: f.ratings,
        average_rating: f.average_rating(),
    }
}

fn kind_and_id(key: LineKey) -> (VolunteerReportLineKind, Uuid) {
    match key {
        LineKey::Branch(id) => (VolunteerReportLineKind::Branch, id.as_uuid()),
        LineKey::Team(id) => (VolunteerReportLineKind::Team, id.as_uuid()),
        LineKey::WishList(id) => (VolunteerReportLineKind::WishList, id.as_uuid()),
        LineKey::Undispatched(id) => (VolunteerReportLineKind::Undispatched, id.as_uuid()),
    }
}

fn line(l: &ReportLine) -> VolunteerReportLine {
    let (kind, id) = kind_and_id(l.key);
    VolunteerReportLine {
        kind,
        id,
        name: l.name.clone(),
        figures: figures(&l.figures),
    }
}

/// Per branch, professional team, the township's wish list and its undispatched requests,
/// for one month (Asia/Shanghai): requests filed by kind and by their state now, requests
/// completed in the month and how many on time, requests overdue now, confirmed volunteer
/// service hours served in the month (a volunteer's minutes count for the team they served
/// through, the wish list for a wish, otherwise their branch) and the ratings of requests
/// closed in the month; with totals. `?format=xlsx` for the same as an Excel file, saved as
/// `志愿服务统计-YYYY-MM.xlsx`. S, C (their branch), T, O (their township); each sees only
/// the lines their roles cover. Nothing personal is shown.
#[utoipa::path(
    tag = "reports",
    operation_id = "getVolunteerReport",
    security(("bearerAuth" = [])),
    params(VolunteerReportParams),
    responses(
        (status = 200, description = "The report", content(
            (VolunteerReport = "application/json"),
            (XlsxFile = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        )),
        (status = 401, description = "auth_token_*", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "permission_denied", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "request_query_invalid or validation_failed (month_invalid)", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "database_unavailable", body = Problem, content_type = "application/problem+json"),
        (status = 500, description = "Unexpected error", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/api/v1/reports/volunteer")]
pub async fn volunteer_report(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: AuthUser,
    query: Query<VolunteerReportParams>,
) -> Result<HttpResponse, ApiError> {
    let q = query.into_inner();
    let month = parse_month(&q.month).map_err(|e| ApiError::validation(vec![e]))?;
    let ctx = read_context(&state, &user);
    let r = report::volunteer_report(&ctx, month).await?;
    if wants_xlsx(&req, q.format) {
        let bytes = workbook(month, &r).map_err(ApiError::internal)?;
        return Ok(xlsx::download(
            bytes,
            &format!("志愿服务统计-{month}"),
            &format!("volunteer-{month}"),
        ));
    }
    Ok(HttpResponse::Ok().json(VolunteerReport {
        month: month.to_string(),
        lines: r.lines.iter().map(line).collect(),
        totals: figures(&r.totals),
    }))
}

pub const VOLUNTEER_HEADERS: [&str; 25] = [
    "类别",
    "支部/服务队",
    "月份",
    "工单数",
    "热线求助",
    "围绕中心专题",
    "上门入户结对",
    "上街下乡推送",
    "点亮心愿",
    "已提交",
    "已受理",
    "已认领",
    "服务中",
    "已完成",
    "已办结",
    "已撤销",
    "未受理",
    "本月完成数",
    "按时完成数",
    "按时办结率",
    "当前逾期",
    "志愿服务时长(小时)",
    "评价数",
    "平均评价",
    "备注",
];

fn kind_zh(kind: VolunteerReportLineKind) -> &'static str {
    match kind {
        VolunteerReportLineKind::Branch => "支部",
        VolunteerReportLineKind::Team => "服务队",
        VolunteerReportLineKind::WishList => "心愿单",
        VolunteerReportLineKind::Undispatched => "待派单",
    }
}

/// Hours to two decimals, as a number Excel sums.
fn hours(minutes: i64) -> f64 {
    (minutes as f64 / 60.0 * 100.0).round() / 100.0
}

fn row(kind: &str, name: &str, month: YearMonth, f: &Figures) -> Vec<Cell> {
    let mut row = vec![Cell::text(kind), Cell::text(name), Cell::Month(month)];
    row.push(Cell::count(f.filed));
    row.extend(
        ServiceKind::ALL
            .iter()
            .map(|k| Cell::count(by(&f.by_kind, *k))),
    );
    row.extend(
        RequestState::ALL
            .iter()
            .map(|s| Cell::count(by(&f.by_state, *s))),
    );
    row.push(Cell::count(f.completed));
    row.push(Cell::count(f.completed_on_time));
    row.push(
        f.on_time_share()
            .map_or_else(|| Cell::text("—"), Cell::Percent),
    );
    row.push(Cell::count(f.overdue));
    row.push(Cell::Number(hours(f.service_minutes)));
    row.push(Cell::count(f.ratings));
    row.push(f.average_rating().map_or_else(
        || Cell::text("—"),
        |a| Cell::Number((a * 100.0).round() / 100.0),
    ));
    row.push(Cell::Empty);
    row
}

fn workbook(month: YearMonth, r: &report::VolunteerReport) -> Result<Vec<u8>, XlsxError> {
    let mut sheet = Table::new("志愿服务统计", &VOLUNTEER_HEADERS);
    for l in &r.lines {
        let (kind, _) = kind_and_id(l.key);
        sheet
            .rows
            .push(row(kind_zh(kind), &l.name, month, &l.figures));
    }
    let mut totals = row("合计", "合计", month, &r.totals);
    if let Some(last) = totals.last_mut() {
        *last = Cell::text("当前逾期为统计时点数；评价为本月办结工单");
    }
    sheet.rows.push(totals);
    xlsx::workbook(&[sheet])
}
