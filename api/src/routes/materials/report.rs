//! The study report: completion per branch and per reported material, the members who have
//! not studied, and whether each branch received and organised the monthly lesson; as JSON
//! or as an Excel file.

use actix_web::http::header;
use actix_web::{get, web, HttpRequest, HttpResponse};
use rust_xlsxwriter::{Format, Workbook, XlsxError};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::dto::{parse_lesson_month, MaterialCategory};
use crate::auth::AuthUser;
use crate::error::{ApiError, Problem};
use crate::extract::{Query, Validate};
use crate::routes::activities::reports::{wants_xlsx, ReportFormat, XlsxFile, XLSX};
use crate::state::AppState;
use domain::error::FieldError;
use domain::study::report::{self, BranchStudy, Selection};
use domain::study::MaterialId;

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
/// received and organised the monthly lesson; `?format=xlsx` for an Excel file. S, C, T.
/// No individual ranking.
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
    let branches = report::study_report(
        &repos,
        &user.actor,
        selection,
        state.clock.now(),
        state.lesson_organised_share,
    )
    .await?;
    let (month, material_id) = match selection {
        Selection::Month(m) => (Some(m.to_string()), None),
        Selection::Material(id) => (None, Some(id.as_uuid())),
    };
    if wants_xlsx(&req, q.format) {
        let bytes = workbook(&branches).map_err(ApiError::internal)?;
        let name = month.clone().unwrap_or_else(|| "material".to_owned());
        return Ok(HttpResponse::Ok()
            .content_type(XLSX)
            .insert_header((
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"study-{name}.xlsx\""),
            ))
            .body(bytes));
    }
    Ok(HttpResponse::Ok().json(StudyReport {
        month,
        material_id,
        branches: branches.iter().map(view).collect(),
    }))
}

pub const STUDY_HEADERS: [&str; 9] = [
    "党支部",
    "学习资料",
    "必学",
    "月送党课",
    "应学人数",
    "已学人数",
    "完成率",
    "党课已送达",
    "党课已组织学习",
];

fn yes_no(b: bool) -> &'static str {
    if b {
        "是"
    } else {
        "否"
    }
}

fn workbook(branches: &[BranchStudy]) -> Result<Vec<u8>, XlsxError> {
    let mut book = Workbook::new();
    let bold = Format::new().set_bold();
    let percent = Format::new().set_num_format("0.0%");
    let sheet = book.add_worksheet().set_name("学习情况")?;
    for (c, h) in STUDY_HEADERS.iter().enumerate() {
        sheet.write_string_with_format(0, c as u16, *h, &bold)?;
    }
    let mut r = 0u32;
    for b in branches {
        let lesson = b.lesson.map(|l| (yes_no(l.received), yes_no(l.organised)));
        if b.materials.is_empty() {
            r += 1;
            sheet.write_string(r, 0, &b.branch.name)?;
            sheet.write_string(r, 1, "—")?;
            if let Some((received, organised)) = lesson {
                sheet.write_string(r, 7, received)?;
                sheet.write_string(r, 8, organised)?;
            }
        }
        for c in &b.materials {
            r += 1;
            sheet.write_string(r, 0, &b.branch.name)?;
            sheet.write_string(r, 1, &c.material.title)?;
            sheet.write_string(r, 2, yes_no(c.material.required))?;
            sheet.write_string(
                r,
                3,
                c.material
                    .lesson_month
                    .map(|m| m.to_string())
                    .unwrap_or_default(),
            )?;
            sheet.write_number(r, 4, c.expected as f64)?;
            sheet.write_number(r, 5, c.completed as f64)?;
            match rate(c.completed, c.expected) {
                Some(v) => sheet.write_number_with_format(r, 6, v, &percent)?,
                None => sheet.write_string(r, 6, "—")?,
            };
            if let Some((received, organised)) = lesson {
                sheet.write_string(r, 7, received)?;
                sheet.write_string(r, 8, organised)?;
            }
        }
    }
    let missing = book.add_worksheet().set_name("未学习党员")?;
    for (c, h) in ["党支部", "学习资料", "姓名", "手机号"].iter().enumerate() {
        missing.write_string_with_format(0, c as u16, *h, &bold)?;
    }
    let mut r = 0u32;
    for b in branches {
        for c in &b.materials {
            for m in &c.not_studied {
                r += 1;
                missing.write_string(r, 0, &b.branch.name)?;
                missing.write_string(r, 1, &c.material.title)?;
                missing.write_string(r, 2, &m.name)?;
                missing.write_string(r, 3, m.phone.masked())?;
            }
        }
    }
    book.save_to_buffer()
}
