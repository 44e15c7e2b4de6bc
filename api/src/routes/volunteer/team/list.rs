//! The teams the caller sees.

use actix_web::{get, web};
use serde::Deserialize;
use utoipa::IntoParams;

use super::dto::TeamView;
use crate::auth::AuthUser;
use crate::error::{ApiError, Problem};
use crate::extract::Query;
use crate::http::page::{page_request, ListEnvelope};
use crate::routes::read_context;
use crate::state::AppState;
use domain::volunteer::service;

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct TeamListParams {
    #[param(pattern = "^[A-Za-z0-9_-]*$")]
    pub cursor: Option<String>,
    /// 1-100, default 20.
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<u32>,
}

impl crate::extract::Validate for TeamListParams {
    fn validate(&self) -> Result<(), Vec<domain::error::FieldError>> {
        Ok(())
    }
}

/// The professional teams of the caller's township, and of the committees their
/// township-admin roles cover, dissolved ones included; newest first.
#[utoipa::path(
    tag = "volunteer-teams",
    operation_id = "listVolunteerTeams",
    security(("bearerAuth" = [])),
    params(TeamListParams),
    responses(
        (status = 200, description = "A page of teams", body = ListEnvelope<TeamView>),
        (status = 400, description = "pagination_cursor_invalid", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "auth_token_*", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "request_query_invalid", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "database_unavailable or cache_unavailable", body = Problem, content_type = "application/problem+json"),
        (status = 500, description = "Unexpected error", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/api/v1/volunteer-teams")]
pub async fn list_volunteer_teams(
    state: web::Data<AppState>,
    user: AuthUser,
    query: Query<TeamListParams>,
) -> Result<web::Json<ListEnvelope<TeamView>>, ApiError> {
    let q = query.into_inner();
    let page = page_request(q.cursor.as_deref(), q.limit)?;
    let list = service::list_teams(&read_context(&state, &user), &page).await?;
    Ok(web::Json(ListEnvelope::from_page(list, |t| {
        TeamView::from(&t)
    })))
}
