//! The half-yearly index: asked for and confirmed by the township, read by the township,
//! by branches (once confirmed) and by each member (their own).

use std::sync::LazyLock;

use actix_web::{get, post, web, HttpRequest, HttpResponse};
use uuid::Uuid;

use super::dto::{
    parse_half, ConfirmPioneerIndex, MyPioneerIndexView, PioneerHalfParams, PioneerIndexRunView,
    PioneerResultView, PioneerResultsParams,
};
use crate::auth::AuthUser;
use crate::error::{ApiError, Problem};
use crate::extract::{Json, Query};
use crate::http::page::{page_request, ListEnvelope};
use crate::routes::{read_context, write_context};
use crate::state::AppState;
use domain::org::{MemberId, OrgId};
use domain::pioneer::service;
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
/// is published: order is by id.
#[utoipa::path(
    tag = "pioneer",
    operation_id = "listPioneerResults",
    security(("bearerAuth" = [])),
    params(("id" = Uuid, Path, description = "The township committee"), PioneerResultsParams),
    responses(
        (status = 200, description = "A page of results", body = ListEnvelope<PioneerResultView>),
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
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<Uuid>,
    query: Query<PioneerResultsParams>,
) -> Result<web::Json<ListEnvelope<PioneerResultView>>, ApiError> {
    let q = query.into_inner();
    let half = half_of(&q.half)?;
    let page = page_request(q.cursor.as_deref(), q.limit)?;
    let (_, results) = service::list_results(
        &read_context(&state, &user),
        OrgId::from_uuid(*id),
        half,
        q.org_id.map(OrgId::from_uuid),
        &page,
    )
    .await?;
    Ok(web::Json(ListEnvelope::from_page(results, Into::into)))
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
