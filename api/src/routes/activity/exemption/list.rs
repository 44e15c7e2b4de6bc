//! A branch's exemptions.

use actix_web::{get, web};
use serde::Deserialize;
use utoipa::IntoParams;
use uuid::Uuid;

use crate::auth::AuthUser;
use crate::error::{ApiError, Problem};
use crate::extract::Query;
use crate::http::page::{page_request, ListEnvelope};
use crate::routes::activity::dto::{ExemptionView, ReviewStatus};
use crate::routes::read_context;
use crate::state::AppState;
use domain::activity::service::{self};
use domain::org::OrgId;

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct ExemptionListParams {
    /// Only exemptions in this state (e.g. `pending`).
    pub status: Option<ReviewStatus>,
    #[param(pattern = "^[A-Za-z0-9_-]*$")]
    pub cursor: Option<String>,
    /// 1-100, default 20.
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<u32>,
}

/// Exemptions of the members under an org, newest first. S, C*, T covering it.
#[utoipa::path(
    tag = "exemptions",
    operation_id = "listExemptions",
    security(("bearerAuth" = [])),
    params(("id" = Uuid, Path, description = "The org"), ExemptionListParams),
    responses(
        (status = 200, description = "A page of exemptions", body = ListEnvelope<ExemptionView>),
        (status = 400, description = "pagination_cursor_invalid", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "auth_token_*", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "permission_denied", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such org, or outside the caller's scope", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "request_query_invalid or exemptions_listed_per_branch", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "database_unavailable or cache_unavailable", body = Problem, content_type = "application/problem+json"),
        (status = 500, description = "Unexpected error", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/api/v1/orgs/{id}/exemptions")]
pub async fn list_exemptions(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<Uuid>,
    query: Query<ExemptionListParams>,
) -> Result<web::Json<ListEnvelope<ExemptionView>>, ApiError> {
    let q = query.into_inner();
    let page = page_request(q.cursor.as_deref(), q.limit)?;
    let list = service::list_exemptions(
        &read_context(&state, &user),
        OrgId::from_uuid(*id),
        q.status.map(Into::into),
        &page,
    )
    .await?;
    Ok(web::Json(ListEnvelope::from_page(list, |e| {
        ExemptionView::from(&e)
    })))
}

impl crate::extract::Validate for ExemptionListParams {
    fn validate(&self) -> Result<(), Vec<domain::error::FieldError>> {
        Ok(())
    }
}
