//! The campaigns the caller takes part in or manages.

use actix_web::{get, web};
use serde::Deserialize;
use utoipa::IntoParams;

use super::dto::CampaignView;
use crate::auth::AuthUser;
use crate::error::{ApiError, Problem};
use crate::extract::Query;
use crate::http::page::{page_request, ListEnvelope};
use crate::routes::read_context;
use crate::state::AppState;
use domain::appraisal::service;

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct CampaignListParams {
    #[param(pattern = "^[A-Za-z0-9_-]*$")]
    pub cursor: Option<String>,
    /// 1-100, default 20.
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<u32>,
}

impl crate::extract::Validate for CampaignListParams {
    fn validate(&self) -> Result<(), Vec<domain::error::FieldError>> {
        Ok(())
    }
}

/// The campaigns the caller takes part in (held on their branch or an org above it) or
/// manages (held on or under an org their roles cover), newest first.
#[utoipa::path(
    tag = "appraisals",
    operation_id = "listAppraisals",
    security(("bearerAuth" = [])),
    params(CampaignListParams),
    responses(
        (status = 200, description = "A page of campaigns", body = ListEnvelope<CampaignView>),
        (status = 400, description = "pagination_cursor_invalid", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "auth_token_*", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "request_query_invalid", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "database_unavailable or cache_unavailable", body = Problem, content_type = "application/problem+json"),
        (status = 500, description = "Unexpected error", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/api/v1/appraisals")]
pub async fn list_appraisals(
    state: web::Data<AppState>,
    user: AuthUser,
    query: Query<CampaignListParams>,
) -> Result<web::Json<ListEnvelope<CampaignView>>, ApiError> {
    let q = query.into_inner();
    let page = page_request(q.cursor.as_deref(), q.limit)?;
    let list = service::list_campaigns(&read_context(&state, &user), &page).await?;
    let now = state.clock.now();
    Ok(web::Json(ListEnvelope::from_page(list, |c| {
        CampaignView::at(&c, now)
    })))
}
