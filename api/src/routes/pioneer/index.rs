//! The half-yearly index: asked for and confirmed by the township, read by the township,
//! by branches (once confirmed) and by each member (their own).

use std::sync::LazyLock;

use actix_web::{get, post, web, HttpRequest, HttpResponse};
use rust_xlsxwriter::XlsxError;
use uuid::Uuid;

use super::dto::{
    parse_half, ConfirmPioneerIndex, MyPioneerIndexView, PioneerHalfParams, PioneerIndexRunView,
    PioneerResultView, PioneerResultsParams,
};
use crate::auth::AuthUser;
use crate::error::{ApiError, Problem};
use crate::extract::{Json, Query};
use crate::http::page::{page_request, ListEnvelope};
use crate::http::xlsx::{self, wants_xlsx, Cell, Table, XlsxFile};
use crate::routes::{read_context, write_context};
use crate::state::AppState;
use domain::org::{MemberCategory, MemberId, OrgId};
use domain::pioneer::service::{self, ResultExport};
use domain::pioneer::{LineKind, ResultOutcome};
use domain::volunteer::HalfYear;

/// This instance's name in the computations' leases.
static OWNER: LazyLock<String> = LazyLock::new(crate::startup::instance_name);

fn half_of(raw: &str) -> Result<HalfYear, ApiError> {
    parse_half(raw, "/half").map_err(|e| ApiError::query_invalid(vec![e.into()]))
}

/// Computes the committee's half year now, in the background (the periodic worker would
/// otherwise take it on its next pass).
fn compute_soon(state: &AppState, committee: OrgId, half: HalfYear) {
    let (db, repos, clock) = (state.db.clone(), state.repos.clone(), state.clock.clone());
    actix_web::rt::spawn(async move {
        if let Err(e) =
            service::compute_one(&db, &repos, clock.as_ref(), &OWNER, committee, half).await
        {
            tracing::warn!(error = %e, "computing the pioneer index failed; the worker retries");
        }
    });
}

/// Asks for the pioneer index of a half year (township admins; audited). Computed in the
/// background: read its progress with `GET` on the same path. A half year computed before
/// is computed again (until confirmed); one being computed is answered as it stands.
#[utoipa::path(
    tag = "pioneer",
    operation_id = "computePioneerIndex",
    security(("bearerAuth" = [])),
    params(("id" = Uuid, Path, description = "The township committee"), PioneerHalfParams),
    responses(
        (status = 202, description = "Asked for: its standing", body = PioneerIndexRunView),
        (status = 400, description = "request_body_unexpected", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "auth_token_*", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "permission_denied", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such org, or outside the caller's scope", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "pioneer_index_confirmed or pioneer_index_busy", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "pioneer_needs_committee, pioneer_half_not_begun, or request_query_invalid (pioneer_half_invalid)", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "database_unavailable or cache_unavailable", body = Problem, content_type = "application/problem+json"),
        (status = 500, description = "Unexpected error", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/api/v1/orgs/{id}/pioneer-index")]
pub async fn compute_pioneer_index(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<Uuid>,
    query: Query<PioneerHalfParams>,
) -> Result<HttpResponse, ApiError> {
    let half = half_of(&query.0.half)?;
    let run = service::request_index(
        &write_context(&state, &user, &req),
        OrgId::from_uuid(*id),
        half,
    )
    .await?;
    compute_soon(&state, run.committee_id, half);
    Ok(HttpResponse::Accepted().json(PioneerIndexRunView::from(&run)))
}

/// A half year's computation: its standing, progress and counts (township admins).
#[utoipa::path(
    tag = "pioneer",
    operation_id = "getPioneerIndex",
    security(("bearerAuth" = [])),
    params(("id" = Uuid, Path, description = "The township committee"), PioneerHalfParams),
    responses(
        (status = 200, description = "The computation", body = PioneerIndexRunView),
        (status = 401, description = "auth_token_*", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "permission_denied", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such org or computation, or outside the caller's scope", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "pioneer_needs_committee, or request_query_invalid (pioneer_half_invalid)", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "database_unavailable or cache_unavailable", body = Problem, content_type = "application/problem+json"),
        (status = 500, description = "Unexpected error", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/api/v1/orgs/{id}/pioneer-index")]
pub async fn get_pioneer_index(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<Uuid>,
    query: Query<PioneerHalfParams>,
) -> Result<web::Json<PioneerIndexRunView>, ApiError> {
    let half = half_of(&query.0.half)?;
    let run = service::get_run(&read_context(&state, &user), OrgId::from_uuid(*id), half).await?;
    Ok(web::Json((&run).into()))
}

/// A half year's results with each member's breakdown, by member id: the township's admins
/// once computed, a secretary (or report reader) their branch's once confirmed. No ranking
/// is published: order is by id. `?format=xlsx` gives every result in the same scope as an
/// Excel file (a sheet of results by branch and name, a sheet of each member's breakdown),
/// saved as `先锋指数-YYYY-Hn.xlsx`.
#[utoipa::path(
    tag = "pioneer",
    operation_id = "listPioneerResults",
    security(("bearerAuth" = [])),
    params(("id" = Uuid, Path, description = "The township committee"), PioneerResultsParams),
    responses(
        (status = 200, description = "A page of results, or every result as an Excel file", content(
            (ListEnvelope<PioneerResultView> = "application/json"),
            (XlsxFile = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        )),
        (status = 400, description = "pagination_cursor_invalid", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "auth_token_*", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "permission_denied", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such org, or no results the caller may see", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "pioneer_needs_committee, or request_query_invalid (pioneer_half_invalid)", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "database_unavailable or cache_unavailable", body = Problem, content_type = "application/problem+json"),
        (status = 500, description = "Unexpected error", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/api/v1/orgs/{id}/pioneer-index/results")]
pub async fn list_pioneer_results(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<Uuid>,
    query: Query<PioneerResultsParams>,
) -> Result<HttpResponse, ApiError> {
    let q = query.into_inner();
    let half = half_of(&q.half)?;
    let committee = OrgId::from_uuid(*id);
    let org = q.org_id.map(OrgId::from_uuid);
    if wants_xlsx(&req, q.format) {
        let export =
            service::export_results(&read_context(&state, &user), committee, half, org).await?;
        let bytes = results_workbook(&export).map_err(ApiError::internal)?;
        return Ok(xlsx::download(
            bytes,
            &format!("先锋指数-{half}"),
            &format!("pioneer-index-{half}"),
        ));
    }
    let page = page_request(q.cursor.as_deref(), q.limit)?;
    let (_, results) =
        service::list_results(&read_context(&state, &user), committee, half, org, &page).await?;
    Ok(HttpResponse::Ok().json(ListEnvelope::from_page(results, PioneerResultView::from)))
}

fn category_zh(c: MemberCategory) -> &'static str {
    match c {
        MemberCategory::InService => "在职党员",
        MemberCategory::Rural => "农村党员",
        MemberCategory::Retired => "离退休党员",
        MemberCategory::Frail => "年老体弱党员",
        MemberCategory::Mobile => "流动党员",
    }
}

fn line_kind_zh(k: LineKind) -> &'static str {
    match k {
        LineKind::Basic => "基础项",
        LineKind::Positive => "加分项",
        LineKind::Negative => "扣分项",
        LineKind::Zeroing => "一票否决项",
    }
}

pub const RESULT_HEADERS: [&str; 10] = [
    "党支部",
    "姓名",
    "党员类别",
    "考评细则",
    "先锋指数",
    "一票否决",
    "拟评警示型",
    "并列待定",
    "警示型",
    "未参评原因",
];

pub const LINE_HEADERS: [&str; 6] = ["党支部", "姓名", "项目类别", "项目", "记录", "得分"];

fn yes(b: bool) -> Cell {
    Cell::text(if b { "是" } else { "" })
}

fn points(centi: i64) -> Cell {
    Cell::Number(centi as f64 / 100.0)
}

fn results_workbook(export: &ResultExport) -> Result<Vec<u8>, XlsxError> {
    let mut results = Table::new("先锋指数", &RESULT_HEADERS);
    let mut lines = Table::new("得分明细", &LINE_HEADERS);
    for row in &export.rows {
        let r = &row.result;
        let mut cells = vec![
            Cell::text(&row.branch_label),
            Cell::text(&r.member_name),
            Cell::text(category_zh(r.category)),
        ];
        match &r.outcome {
            ResultOutcome::Scored {
                profile,
                total,
                zeroed_by,
                lines: breakdown,
            } => {
                cells.extend([
                    Cell::text(profile),
                    points(*total),
                    zeroed_by.as_deref().map_or(Cell::Empty, Cell::text),
                    yes(r.proposed),
                    yes(r.tied),
                    yes(r.warning),
                    Cell::Empty,
                ]);
                for l in breakdown {
                    lines.rows.push(vec![
                        Cell::text(&row.branch_label),
                        Cell::text(&r.member_name),
                        Cell::text(line_kind_zh(l.kind)),
                        Cell::text(&l.name),
                        Cell::text(&l.recorded),
                        points(l.points),
                    ]);
                }
            }
            ResultOutcome::Excluded { reason } => {
                cells.extend([
                    Cell::Empty,
                    Cell::Empty,
                    Cell::Empty,
                    Cell::Empty,
                    Cell::Empty,
                    Cell::Empty,
                    Cell::text(reason),
                ]);
            }
        }
        results.rows.push(cells);
    }
    xlsx::workbook(&[results, lines])
}

/// The township confirms a computed half year's warning level (township admins; audited).
/// Final: the results are published to branches and members for 7 days.
#[utoipa::path(
    tag = "pioneer",
    operation_id = "confirmPioneerIndex",
    security(("bearerAuth" = [])),
    params(("id" = Uuid, Path, description = "The township committee"), PioneerHalfParams),
    request_body = ConfirmPioneerIndex,
    responses(
        (status = 200, description = "Confirmed", body = PioneerIndexRunView),
        (status = 400, description = "request_json_malformed", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "auth_token_*", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "permission_denied", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such org or computation, or outside the caller's scope", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "pioneer_index_confirmed or pioneer_index_busy", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "request_unsupported_media_type", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "pioneer_needs_committee, pioneer_warning_below_quota, pioneer_warning_lowest_left_out, pioneer_warning_not_in_pool, request_json_invalid or request_query_invalid (pioneer_half_invalid)", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "database_unavailable or cache_unavailable", body = Problem, content_type = "application/problem+json"),
        (status = 500, description = "Unexpected error", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/api/v1/orgs/{id}/pioneer-index/confirmation")]
pub async fn confirm_pioneer_index(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<Uuid>,
    query: Query<PioneerHalfParams>,
    body: Json<ConfirmPioneerIndex>,
) -> Result<web::Json<PioneerIndexRunView>, ApiError> {
    let half = half_of(&query.0.half)?;
    let members: Vec<MemberId> = body
        .into_inner()
        .warning_member_ids
        .into_iter()
        .map(MemberId::from_uuid)
        .collect();
    let run = service::confirm_index(
        &write_context(&state, &user, &req),
        OrgId::from_uuid(*id),
        half,
        &members,
    )
    .await?;
    Ok(web::Json((&run).into()))
}

/// The caller's own index of a half year with its breakdown, once the township confirmed
/// it; 404 before, or when the caller was not in the pool.
#[utoipa::path(
    tag = "pioneer",
    operation_id = "getMyPioneerIndex",
    security(("bearerAuth" = [])),
    params(PioneerHalfParams),
    responses(
        (status = 200, description = "The caller's result", body = MyPioneerIndexView),
        (status = 401, description = "auth_token_*", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Not published, or the caller was not in the pool", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "request_query_invalid (pioneer_half_invalid)", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "database_unavailable or cache_unavailable", body = Problem, content_type = "application/problem+json"),
        (status = 500, description = "Unexpected error", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/api/v1/me/pioneer-index")]
pub async fn get_my_pioneer_index(
    state: web::Data<AppState>,
    user: AuthUser,
    query: Query<PioneerHalfParams>,
) -> Result<web::Json<MyPioneerIndexView>, ApiError> {
    let half = half_of(&query.0.half)?;
    let (run, result) = service::my_result(&read_context(&state, &user), half).await?;
    Ok(web::Json(MyPioneerIndexView {
        half: run.half.to_string(),
        publish_until: run.publish_until.map(crate::http::time::beijing),
        result: result.into(),
    }))
}
