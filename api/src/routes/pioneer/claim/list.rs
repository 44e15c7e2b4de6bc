//! Claims: the caller's own, or a branch's or a township's for those who decide or audit
//! them.

use actix_web::{get, web};
use serde::Deserialize;
use utoipa::IntoParams;
use uuid::Uuid;

use super::dto::{PioneerClaimStatus, PioneerClaimView};
use crate::auth::AuthUser;
use crate::error::{ApiError, Problem};
use crate::extract::{Query, Validate};
use crate::http::page::{page_request, ListEnvelope};
use crate::routes::pioneer::dto::parse_half;
use crate::routes::read_context;
use crate::state::AppState;
use domain::error::FieldError;
use domain::org::OrgId;
use domain::pioneer::service;

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct PioneerClaimsParams {
    /// Only claims of this half year (`YYYY-H1` or `YYYY-H2`).
    #[param(pattern = "half-year", example = "2026-H2")]
    pub half: Option<String>,
    /// Only claims in this state (`pending` for the reviewer's inbox).
    pub status: Option<PioneerClaimStatus>,
    /// The claims of members under this org (a branch, or the township) instead of the
    /// caller's own: for its secretaries and committee members granted review, and the
    /// township's admins.
    pub org_id: Option<Uuid>,
    #[param(pattern = "^[A-Za-z0-9_-]*$")]
    pub cursor: Option<String>,
    /// 1-100, default 20.
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<u32>,
}

impl Validate for PioneerClaimsParams {
    fn validate(&self) -> Result<(), Vec<FieldError>> {
        match &self.half {
            Some(h) => parse_half(h, "/half").map(|_| ()).map_err(|e| vec![e]),
            None => Ok(()),
        }
    }
}

/// Claims newest first: the caller's own by default; with `orgId`, those of the members
/// under that org, for its approvers (S, C*) and township admins (T, to audit).
#[utoipa::path(
    tag = "pioneer",
    operation_id = "listPioneerClaims",
    security(("bearerAuth" = [])),
    params(PioneerClaimsParams),
    responses(
        (status = 200, description = "A page of claims", body = ListEnvelope<PioneerClaimView>),
        (status = 400, description = "pagination_cursor_invalid", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "auth_token_*", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "permission_denied: `orgId` given by a caller who decides or audits claims nowhere", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such org, or outside the caller's scope", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "request_query_invalid (pioneer_half_invalid, pagination_limit_out_of_range)", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "database_unavailable or cache_unavailable", body = Problem, content_type = "application/problem+json"),
        (status = 500, description = "Unexpected error", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/api/v1/pioneer-claims")]
pub async fn list_pioneer_claims(
    state: web::Data<AppState>,
    user: AuthUser,
    query: Query<PioneerClaimsParams>,
) -> Result<web::Json<ListEnvelope<PioneerClaimView>>, ApiError> {
    let q = query.into_inner();
    let page = page_request(q.cursor.as_deref(), q.limit)?;
    let half = q
        .half
        .as_deref()
        .map(|h| parse_half(h, "/half"))
        .transpose()
        .map_err(|e| ApiError::query_invalid(vec![e.into()]))?;
    let list = service::list_claims(
        &read_context(&state, &user),
        q.org_id.map(OrgId::from_uuid),
        half,
        q.status.map(Into::into),
        &page,
    )
    .await?;
    Ok(web::Json(ListEnvelope::from_page(list, |c| {
        PioneerClaimView::from(&c)
    })))
}
