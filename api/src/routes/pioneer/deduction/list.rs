//! Deductions: the caller's own, or a member's, a branch's or a township's for those who
//! record them.

use actix_web::{get, web};
use serde::Deserialize;
use utoipa::IntoParams;
use uuid::Uuid;

use super::dto::PioneerDeductionView;
use crate::auth::AuthUser;
use crate::error::{ApiError, Problem};
use crate::extract::{Query, Validate};
use crate::http::page::{page_request, ListEnvelope};
use crate::routes::pioneer::dto::parse_half;
use crate::routes::read_context;
use crate::state::AppState;
use domain::error::FieldError;
use domain::org::{MemberId, OrgId};
use domain::pioneer::service;

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct PioneerDeductionsParams {
    /// Only deductions of this half year (`YYYY-H1` or `YYYY-H2`).
    #[param(pattern = "half-year", example = "2026-H2")]
    pub half: Option<String>,
    /// The deductions of members under this org (a branch, or the township), for those
    /// who record deductions there (S, C, C*, T).
    pub org_id: Option<Uuid>,
    /// One member's deductions: the caller's own, or a member's whose branch the caller
    /// records deductions for.
    pub member_id: Option<Uuid>,
    #[param(pattern = "^[A-Za-z0-9_-]*$")]
    pub cursor: Option<String>,
    /// 1-100, default 20.
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<u32>,
}

impl Validate for PioneerDeductionsParams {
    fn validate(&self) -> Result<(), Vec<FieldError>> {
        match &self.half {
            Some(h) => parse_half(h, "/half").map(|_| ()).map_err(|e| vec![e]),
            None => Ok(()),
        }
    }
}

/// Deductions newest first, each with its objection and answer: the caller's own by
/// default; with `memberId` and/or `orgId`, a member's or those under an org, for those who
/// record deductions there (secretaries, branch committee members, township admins).
#[utoipa::path(
    tag = "pioneer",
    operation_id = "listPioneerDeductions",
    security(("bearerAuth" = [])),
    params(PioneerDeductionsParams),
    responses(
        (status = 200, description = "A page of deductions", body = ListEnvelope<PioneerDeductionView>),
        (status = 400, description = "pagination_cursor_invalid", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "auth_token_*", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "permission_denied: another member or an org named by a caller who records deductions nowhere", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such org or member, or outside the caller's scope", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "request_query_invalid (pioneer_half_invalid, pagination_limit_out_of_range)", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "database_unavailable or cache_unavailable", body = Problem, content_type = "application/problem+json"),
        (status = 500, description = "Unexpected error", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/api/v1/pioneer-deductions")]
pub async fn list_pioneer_deductions(
    state: web::Data<AppState>,
    user: AuthUser,
    query: Query<PioneerDeductionsParams>,
) -> Result<web::Json<ListEnvelope<PioneerDeductionView>>, ApiError> {
    let q = query.into_inner();
    let page = page_request(q.cursor.as_deref(), q.limit)?;
    let half = q
        .half
        .as_deref()
        .map(|h| parse_half(h, "/half"))
        .transpose()
        .map_err(|e| ApiError::query_invalid(vec![e.into()]))?;
    let list = service::list_deductions(
        &read_context(&state, &user),
        q.org_id.map(OrgId::from_uuid),
        q.member_id.map(MemberId::from_uuid),
        half,
        &page,
    )
    .await?;
    Ok(web::Json(ListEnvelope::from_page(list, |d| {
        PioneerDeductionView::from(&d)
    })))
}
