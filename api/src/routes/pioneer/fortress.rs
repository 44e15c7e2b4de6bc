//! The branches' fortress index (堡垒指数): computed with the half year's pioneer index, read
//! by the township as a table of branches with each one's breakdown, as JSON or Excel.

use actix_web::{get, web, HttpRequest, HttpResponse};
use rust_xlsxwriter::XlsxError;
use uuid::Uuid;

use super::dto::{parse_half, FortressBranchView, FortressIndexParams, FortressIndexView};
use crate::auth::AuthUser;
use crate::error::{ApiError, Problem};
use crate::extract::Query;
use crate::http::xlsx::{self, wants_xlsx, Cell, Table, XlsxFile};
use crate::routes::read_context;
use crate::state::AppState;
use domain::org::OrgId;
use domain::pioneer::{service, BranchFortress, FortressMetric};

/// The branches' fortress index of a half year (township admins, once the pioneer index of
/// the half year is computed): per branch of the township, by its place in the tree, the
/// index and a line per fortress item of the rules it was computed under (points, score,
/// done of asked). `?format=xlsx` for the same as an Excel file (支部, 堡垒指数, then each
/// item's score), saved as `堡垒指数-YYYY-Hn.xlsx`.
#[utoipa::path(
    tag = "pioneer",
    operation_id = "getFortressIndex",
    security(("bearerAuth" = [])),
    params(("id" = Uuid, Path, description = "The township committee"), FortressIndexParams),
    responses(
        (status = 200, description = "The fortress index", content(
            (FortressIndexView = "application/json"),
            (XlsxFile = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        )),
        (status = 401, description = "auth_token_*", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "permission_denied", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such org, no computed index of the half year, or outside the caller's scope", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "pioneer_needs_committee, or request_query_invalid (pioneer_half_invalid)", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "database_unavailable or cache_unavailable", body = Problem, content_type = "application/problem+json"),
        (status = 500, description = "Unexpected error", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/api/v1/orgs/{id}/fortress-index")]
pub async fn get_fortress_index(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<Uuid>,
    query: Query<FortressIndexParams>,
) -> Result<HttpResponse, ApiError> {
    let q = query.into_inner();
    let half = parse_half(&q.half, "/half").map_err(|e| ApiError::query_invalid(vec![e.into()]))?;
    let (run, rows) =
        service::fortress_index(&read_context(&state, &user), OrgId::from_uuid(*id), half).await?;
    if wants_xlsx(&req, q.format) {
        let bytes = workbook(&rows).map_err(ApiError::internal)?;
        return Ok(xlsx::download(
            bytes,
            &format!("堡垒指数-{half}"),
            &format!("fortress-index-{half}"),
        ));
    }
    Ok(HttpResponse::Ok().json(FortressIndexView {
        half: half.to_string(),
        status: run.status.into(),
        rules_version: run.rules_version,
        branches: rows.iter().map(FortressBranchView::from).collect(),
    }))
}

fn points(centi: i64) -> Cell {
    Cell::Number(centi as f64 / 100.0)
}

/// One sheet: a row per branch, a column per item of the rules (all branches were scored
/// by the same items).
fn workbook(rows: &[BranchFortress]) -> Result<Vec<u8>, XlsxError> {
    let metrics: Vec<FortressMetric> = rows
        .first()
        .map(|b| b.lines.iter().map(|l| l.metric).collect())
        .unwrap_or_default();
    let mut headers = vec!["支部", "堡垒指数"];
    headers.extend(metrics.iter().map(FortressMetric::label_zh));
    let mut table = Table::new("堡垒指数", &headers);
    for b in rows {
        let mut row = vec![Cell::text(&b.branch_name), points(b.total)];
        row.extend(metrics.iter().map(|m| {
            b.lines
                .iter()
                .find(|l| l.metric == *m)
                .map_or(Cell::Empty, |l| points(l.score))
        }));
        table.rows.push(row);
    }
    xlsx::workbook(&[table])
}
