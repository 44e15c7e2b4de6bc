//! The study report: completion per branch and per reported material, the members who have
//! not studied, and whether each branch received and organised the monthly lesson; as JSON
//! or as an Excel file.

use actix_web::{get, web, HttpRequest, HttpResponse};
use rust_xlsxwriter::XlsxError;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::dto::{parse_lesson_month, MaterialCategory};
use crate::auth::AuthUser;
use crate::error::{ApiError, Problem};
use crate::extract::{Query, Validate};
use crate::http::xlsx::{self, wants_xlsx, Cell, ReportFormat, Table, XlsxFile};
use crate::state::AppState;
use domain::activity::calendar::YearMonth;
use domain::error::FieldError;
use domain::study::report::{self, BranchStudy, Selection};
use domain::study::{Material, MaterialId};

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct StudyReportParams {
    /// `YYYY-MM`: that month's monthly lessons and required materials. Send this or
    /// `materialId`.
    #[param(example = "2026-12")]
    pub month: Option<String>,
    /// One material.
    pub material_id: Option<Uuid>,
    /// `xlsx` for an Excel file (or send the XLSX media type in `Accept`).
    #[param(inline)]
    pub format: Option<ReportFormat>,
}

impl StudyReportParams {
    fn selection(&self) -> Result<Selection, FieldError> {
        match (&self.month, self.material_id) {
            (Some(m), None) => parse_lesson_month(m)
                .map(Selection::Month)
                .map_err(|e| FieldError::new("/month", "month_invalid", e.detail)),
            (None, Some(id)) => Ok(Selection::Material(MaterialId::from_uuid(id))),
            _ => Err(FieldError::new(
                "/month",
                "study_report_selection_invalid",
                "send either month or materialId",
            )),
        }
    }
}

impl Validate for StudyReportParams {
    fn validate(&self) -> Result<(), Vec<FieldError>> {
        self.selection().map(|_| ()).map_err(|e| vec![e])
    }
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct NotStudiedView {
    pub member_id: Uuid,
    pub name: String,
    /// Masked.
    #[schema(example = "138****5678")]
    pub phone: String,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct MaterialCompletionView {
    pub material_id: Uuid,
    pub title: String,
    pub category: MaterialCategory,
    pub required: bool,
    pub lesson_month: Option<String>,
    pub expected: u64,
    pub completed: u64,
    /// completed ÷ expected; null when nobody is expected.
    pub rate: Option<f64>,
    pub not_studied: Vec<NotStudiedView>,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct LessonView {
    /// A monthly lesson of the month was published to the branch.
    pub received: bool,
    /// Enough of the branch completed it by the month's end.
    pub organised: bool,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct BranchStudyView {
    pub branch_id: Uuid,
    pub branch_name: String,
    /// The monthly lesson's state (month reports only).
    pub lesson: Option<LessonView>,
    pub materials: Vec<MaterialCompletionView>,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct StudyReport {
    pub month: Option<String>,
    pub material_id: Option<Uuid>,
    pub branches: Vec<BranchStudyView>,
}

fn rate(done: u64, expected: u64) -> Option<f64> {
    (expected > 0).then(|| done as f64 / expected as f64)
}

fn view(b: &BranchStudy) -> BranchStudyView {
    BranchStudyView {
        branch_id: b.branch.id.as_uuid(),
        branch_name: b.branch.name.clone(),
        lesson: b.lesson.map(|l| LessonView {
            received: l.received,
            organised: l.organised,
        }),
        materials: b
            .materials
            .iter()
            .map(|c| MaterialCompletionView {
                material_id: c.material.id.as_uuid(),
                title: c.material.title.clone(),
                category: c.material.category.into(),
                required: c.material.required,
                lesson_month: c.material.lesson_month.map(|m| m.to_string()),
                expected: c.expected,
                completed: c.completed,
                rate: rate(c.completed, c.expected),
                not_studied: c
                    .not_studied
                    .iter()
                    .map(|m| NotStudiedView {
                        member_id: m.id.as_uuid(),
                        name: m.name.clone(),
                        phone: m.phone.masked(),
                    })
                    .collect(),
            })
            .collect(),
    }
}

/// Per branch in the caller's scope: completion of the month's monthly lessons and
/// required materials (or of one material), who has not studied, and whether the branch
/// received and organised the monthly lesson; `?format=xlsx` for an Excel file (branches
/// named by their path below the committee), saved as `学习情况-YYYY-MM.xlsx`, or for one
/// material `学习情况-<title>-YYYY-MM.xlsx` (its monthly-lesson month, else the month it was
/// published). S, C, T. No individual ranking.
#[utoipa::path(
    tag = "reports",
    operation_id = "getStudyReport",
    security(("bearerAuth" = [])),
    params(StudyReportParams),
    responses(
        (status = 200, description = "The report", content(
            (StudyReport = "application/json"),
            (XlsxFile = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        )),
        (status = 401, description = "auth_token_*", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "permission_denied", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such material, not yet published, or outside the caller's scope", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "request_query_invalid or validation_failed (month_invalid, study_report_selection_invalid)", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "database_unavailable", body = Problem, content_type = "application/problem+json"),
        (status = 500, description = "Unexpected error", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/api/v1/reports/study")]
pub async fn study_report(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: AuthUser,
    query: Query<StudyReportParams>,
) -> Result<HttpResponse, ApiError> {
    let q = query.into_inner();
    let selection = q.selection().map_err(|e| ApiError::validation(vec![e]))?;
    let repos = state.db.repos();
    let report = report::study_report(
        &repos,
        &user.actor,
        selection,
        state.clock.now(),
        state.lesson_organised_share,
    )
    .await?;
    if wants_xlsx(&req, q.format) {
        let bytes = workbook(&report.branches).map_err(ApiError::internal)?;
        let (name, ascii) = match (selection, report.materials.first()) {
            (Selection::Material(_), Some(m)) => {
                let month = material_month(m);
                (
                    format!("学习情况-{}-{month}", xlsx::file_name_part(&m.title, 60)),
                    format!("study-material-{month}"),
                )
            }
            (Selection::Month(month), _) => (format!("学习情况-{month}"), format!("study-{month}")),
            (Selection::Material(id), None) => {
                (format!("学习情况-{id}"), format!("study-material-{id}"))
            }
        };
        return Ok(xlsx::download(bytes, &name, &ascii));
    }
    let (month, material_id) = match selection {
        Selection::Month(m) => (Some(m.to_string()), None),
        Selection::Material(id) => (None, Some(id.as_uuid())),
    };
    Ok(HttpResponse::Ok().json(StudyReport {
        month,
        material_id,
        branches: report.branches.iter().map(view).collect(),
    }))
}

/// The month a material belongs to: its monthly-lesson month, else the (Beijing) month it
/// was published in.
fn material_month(m: &Material) -> String {
    m.lesson_month
        .or_else(|| YearMonth::containing(m.publish_at))
        .map_or_else(
            || m.publish_at.format("%Y-%m").to_string(),
            |month| month.to_string(),
        )
}

pub const STUDY_HEADERS: [&str; 11] = [
    "党支部",
    "学习资料",
    "必学",
    "月送党课",
    "发布时间",
    "学习截止",
    "应学人数",
    "已学人数",
    "完成率",
    "党课已送达",
    "党课已组织学习",
];

pub const NOT_STUDIED_HEADERS: [&str; 4] = ["党支部", "学习资料", "姓名", "手机号"];

fn yes_no(b: bool) -> &'static str {
    if b {
        "是"
    } else {
        "否"
    }
}

fn workbook(branches: &[BranchStudy]) -> Result<Vec<u8>, XlsxError> {
    let mut summary = Table::new("学习情况", &STUDY_HEADERS);
    let mut missing = Table::new("未学习党员", &NOT_STUDIED_HEADERS);
    for b in branches {
        let lesson = |row: &mut Vec<Cell>| {
            if let Some(l) = b.lesson {
                row.push(Cell::text(yes_no(l.received)));
                row.push(Cell::text(yes_no(l.organised)));
            }
        };
        if b.materials.is_empty() {
            let mut row = vec![Cell::text(&b.branch_label), Cell::text("—")];
            row.resize(9, Cell::Empty);
            lesson(&mut row);
            summary.rows.push(row);
        }
        for c in &b.materials {
            let m = &c.material;
            let mut row = vec![
                Cell::text(&b.branch_label),
                Cell::text(&m.title),
                Cell::text(yes_no(m.required)),
                m.lesson_month.map_or(Cell::Empty, Cell::Month),
                Cell::Time(m.publish_at),
                Cell::time(m.study_deadline),
                Cell::count(c.expected),
                Cell::count(c.completed),
                rate(c.completed, c.expected).map_or_else(|| Cell::text("—"), Cell::Percent),
            ];
            lesson(&mut row);
            summary.rows.push(row);
            for who in &c.not_studied {
                missing.rows.push(vec![
                    Cell::text(&b.branch_label),
                    Cell::text(&m.title),
                    Cell::text(&who.name),
                    Cell::text(who.phone.masked()),
                ]);
            }
        }
    }
    xlsx::workbook(&[summary, missing])
}
