//! Each participant's 登记表 (registration form) as an Excel file, one sheet per member.

use actix_web::{get, web, HttpResponse};
use uuid::Uuid;

use crate::auth::AuthUser;
use crate::error::{ApiError, Problem};
use crate::http::xlsx::{self, Cell, Table, XlsxFile};
use crate::routes::read_context;
use crate::state::AppState;
use domain::appraisal::service::{self, RegisterEntry};
use domain::appraisal::{AssessmentStatus, CampaignId, Grade, Objection, Verdict};

const HEADERS: &[&str] = &["项目", "内容"];

fn objection_text(o: &Option<Objection>) -> String {
    match o {
        None => "无".to_owned(),
        Some(o) => match &o.answer {
            None => format!("{}(待答复)", o.reason),
            Some(a) => format!(
                "{}(答复:{},{})",
                o.reason,
                if a.verdict == Verdict::Upheld {
                    "支持"
                } else {
                    "不支持"
                },
                a.reason
            ),
        },
    }
}

fn sheet(e: &RegisterEntry, name: String) -> Table {
    let p = &e.row.participant;
    let mut t = Table::new(name, HEADERS);
    let mut line = |k: &str, v: String| t.rows.push(vec![Cell::text(k), Cell::text(v)]);
    line("姓名", p.name.clone());
    line("党支部", e.branch_name.clone());
    line(
        "预备党员",
        if p.probationary { "是" } else { "否" }.to_owned(),
    );
    line(
        "准假",
        p.excused
            .as_ref()
            .map_or_else(|| "否".to_owned(), |x| x.reason.clone()),
    );
    let a = e.assessment.as_ref();
    line(
        "个人自评",
        match a.map(|a| a.status) {
            Some(AssessmentStatus::Submitted) => "已提交",
            Some(AssessmentStatus::Draft) => "草稿(未提交)",
            _ => "未填写",
        }
        .to_owned(),
    );
    if let Some(a) = a {
        for d in &a.content.dimensions {
            let grade = d.grade.map_or("", Grade::title);
            line(
                d.dimension.title(),
                format!("{grade} {}", d.text).trim().to_owned(),
            );
        }
        for q in &a.content.qualifications {
            let met = if q.met { "是" } else { "否" };
            let note = q.note.as_deref().unwrap_or("");
            line(
                q.qualification.title(),
                format!("{met} {note}").trim().to_owned(),
            );
        }
        for (i, pr) in a.content.problems.iter().enumerate() {
            line(
                &format!("查摆问题{}", i + 1),
                format!("{};措施:{};时限:{}", pr.problem, pr.measure, pr.due_on),
            );
        }
        line("自评小结", a.content.summary.clone().unwrap_or_default());
    }
    line(
        "民主测评",
        match (&e.peer, p.graded()) {
            (_, false) => "不参加评定".to_owned(),
            (None, _) => "党员互评尚未结束".to_owned(),
            (Some(None), _) => "不足三票,不予显示".to_owned(),
            (Some(Some(tally)), _) => {
                let counts: Vec<String> = Grade::ALL
                    .iter()
                    .zip(tally.overall)
                    .map(|(g, n)| format!("{}{n}", g.title()))
                    .collect();
                format!("{}票:{}", tally.ballots, counts.join(","))
            }
        },
    );
    let r = e.row.rating.as_ref();
    line(
        "组织评定",
        r.map_or_else(|| "未评定".to_owned(), |r| r.grade.title().to_owned()),
    );
    line(
        "评定理由",
        r.map_or_else(String::new, |r| r.rationale.clone()),
    );
    line("异议", objection_text(&e.row.objection));
    line("申诉", objection_text(&e.row.appeal));
    t
}

/// Each participant's 登记表 for the file, one sheet per member (named after them) under
/// the caller's part of the campaign: the self-assessment (status, each dimension, the
/// 四个合格, problems found with their measures, the summary), the peer aggregates once
/// peer review is over (withheld under three ballots), the result with its rationale, and
/// any objection and appeal. Secretaries and township admins.
#[utoipa::path(
    tag = "appraisals",
    operation_id = "exportAppraisalRegisters",
    security(("bearerAuth" = [])),
    params(("id" = Uuid, Path, description = "The campaign")),
    responses(
        (status = 200, description = "The registration forms", body = XlsxFile, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        (status = 401, description = "auth_token_*", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "permission_denied", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such campaign, or no part of it under the caller's roles", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "database_unavailable or cache_unavailable", body = Problem, content_type = "application/problem+json"),
        (status = 500, description = "Unexpected error", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/api/v1/appraisals/{id}/registers")]
pub async fn export_registers(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let (campaign, entries) =
        service::registers(&read_context(&state, &user), CampaignId::from_uuid(*id)).await?;
    let mut taken: Vec<String> = Vec::new();
    let mut sheets = Vec::with_capacity(entries.len());
    for e in &entries {
        let name = xlsx::sheet_name(&e.row.participant.name, &taken);
        taken.push(name.clone());
        sheets.push(sheet(e, name));
    }
    if sheets.is_empty() {
        sheets.push(Table::new("登记表", HEADERS));
    }
    let bytes = xlsx::workbook(&sheets).map_err(ApiError::internal)?;
    let name = format!(
        "民主评议党员登记表-{}",
        xlsx::file_name_part(&campaign.name, 60)
    );
    Ok(xlsx::download(
        bytes,
        &name,
        &format!("appraisal-registers-{}", campaign.period),
    ))
}
