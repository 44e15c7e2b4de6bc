//! The campaign's results as an Excel file, for the township's records.

use actix_web::{get, web, HttpResponse};
use uuid::Uuid;

use crate::auth::AuthUser;
use crate::error::{ApiError, Problem};
use crate::http::xlsx::{self, Cell, Table, XlsxFile};
use crate::routes::read_context;
use crate::state::AppState;
use domain::appraisal::service::{self, CampaignReport};
use domain::appraisal::{AssessmentStatus, CampaignId, Grade};

const SUMMARY: &[&str] = &[
    "党支部",
    "参评人数",
    "应评定人数",
    "优秀",
    "合格",
    "基本合格",
    "不合格",
    "未评定",
    "自评已提交",
    "测评参与率",
];
const RESULTS: &[&str] = &[
    "党支部",
    "姓名",
    "预备党员",
    "准假",
    "个人自评",
    "评定等次",
    "评定理由",
    "异议",
    "申诉",
];

fn answered(o: &Option<domain::appraisal::Objection>) -> Cell {
    Cell::text(match o {
        None => "",
        Some(o) => match &o.answer {
            None => "待答复",
            Some(a) if a.verdict == domain::appraisal::Verdict::Upheld => "已支持",
            Some(_) => "未支持",
        },
    })
}

fn workbook(r: &CampaignReport) -> Result<Vec<u8>, ApiError> {
    let name_of = |b| r.branch_names.get(&b).cloned().unwrap_or_default();
    let mut summary = Table::new("汇总", SUMMARY);
    for (branch, name) in &r.branch_names {
        let rows: Vec<_> = r
            .rows
            .iter()
            .filter(|x| x.participant.branch_id == *branch)
            .collect();
        let graded: Vec<_> = rows.iter().filter(|x| x.participant.graded()).collect();
        let count = |g: Grade| {
            graded
                .iter()
                .filter(|x| x.rating.as_ref().is_some_and(|r| r.grade == g))
                .count() as u64
        };
        let unrated = graded.iter().filter(|x| x.rating.is_none()).count() as u64;
        let submitted = rows
            .iter()
            .filter(|x| r.submitted.contains(&x.participant.member_id))
            .count() as u64;
        let turnout = r
            .turnout
            .iter()
            .find(|t| t.branch_id == *branch)
            .filter(|t| t.eligible > 0)
            .map_or(Cell::Empty, |t| {
                Cell::Percent(t.voters as f64 / t.eligible as f64)
            });
        summary.rows.push(vec![
            Cell::text(name.clone()),
            Cell::count(rows.len() as u64),
            Cell::count(graded.len() as u64),
            Cell::count(count(Grade::Excellent)),
            Cell::count(count(Grade::Qualified)),
            Cell::count(count(Grade::BasicallyQualified)),
            Cell::count(count(Grade::Unqualified)),
            Cell::count(unrated),
            Cell::count(submitted),
            turnout,
        ]);
    }
    let mut results = Table::new("评定结果", RESULTS);
    for x in &r.rows {
        let p = &x.participant;
        let yes = |b: bool| Cell::text(if b { "是" } else { "" });
        let status = if r.submitted.contains(&p.member_id) {
            AssessmentStatus::Submitted
        } else {
            AssessmentStatus::Draft
        };
        results.rows.push(vec![
            Cell::text(name_of(p.branch_id)),
            Cell::text(p.name.clone()),
            yes(p.probationary),
            yes(p.excused.is_some()),
            Cell::text(if status == AssessmentStatus::Submitted {
                "已提交"
            } else {
                "未提交"
            }),
            Cell::text(x.rating.as_ref().map_or("", |r| r.grade.title())),
            Cell::text(
                x.rating
                    .as_ref()
                    .map_or(String::new(), |r| r.rationale.clone()),
            ),
            answered(&x.objection),
            answered(&x.appeal),
        ]);
    }
    xlsx::workbook(&[summary, results]).map_err(ApiError::internal)
}

/// The campaign's results as an Excel file: per branch the counts of each grade, who has
/// submitted and the peer-review turnout (sheet 汇总), and each participant's
/// self-assessment status, result, rationale, objection and appeal (sheet 评定结果), under
/// the caller's part of the campaign. Secretaries and township admins.
#[utoipa::path(
    tag = "appraisals",
    operation_id = "exportAppraisal",
    security(("bearerAuth" = [])),
    params(("id" = Uuid, Path, description = "The campaign")),
    responses(
        (status = 200, description = "The results", body = XlsxFile, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        (status = 401, description = "auth_token_*", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "permission_denied", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such campaign, or no part of it under the caller's roles", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "database_unavailable or cache_unavailable", body = Problem, content_type = "application/problem+json"),
        (status = 500, description = "Unexpected error", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/api/v1/appraisals/{id}/export")]
pub async fn export_appraisal(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let report =
        service::campaign_report(&read_context(&state, &user), CampaignId::from_uuid(*id)).await?;
    let bytes = workbook(&report)?;
    let name = format!(
        "民主评议结果-{}",
        xlsx::file_name_part(&report.campaign.name, 60)
    );
    Ok(xlsx::download(
        bytes,
        &name,
        &format!("appraisal-{}", report.campaign.period),
    ))
}
