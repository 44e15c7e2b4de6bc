use actix_web::{get, web};
use serde::Deserialize;
use utoipa::IntoParams;
use uuid::Uuid;

use super::dto::OrgView;
use crate::auth::AuthUser;
use crate::error::{ApiError, Problem};
use crate::extract::{Query, Validate};
use crate::http::page::{page_request, ListEnvelope};
use crate::routes::read_context;
use crate::state::AppState;
use domain::error::FieldError;
use domain::org::{service, OrgId};

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct PageParams {
    /// `nextCursor` of the previous page.
    #[param(pattern = "^[A-Za-z0-9_-]*$")]
    pub cursor: Option<String>,
    /// 1-100, default 20.
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<u32>,
}

impl Validate for PageParams {
    fn validate(&self) -> Result<(), Vec<FieldError>> {
        Ok(())
    }
}

/// The orgs directly under an org, in creation order.
#[utoipa::path(
    tag = "orgs",
    operation_id = "listOrgChildren",
    security(("bearerAuth" = [])),
    params(("id" = Uuid, Path, description = "The parent org"), PageParams),
    responses(
        (status = 200, description = "A page of child orgs", body = ListEnvelope<OrgView>),
        (status = 400, description = "pagination_cursor_invalid", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "auth_token_*", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such org, or outside the caller's scope", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "request_query_invalid", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "database_unavailable or cache_unavailable", body = Problem, content_type = "application/problem+json"),
        (status = 500, description = "Unexpected error", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/api/v1/orgs/{id}/children")]
pub async fn list_children(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<Uuid>,
    query: Query<PageParams>,
) -> Result<web::Json<ListEnvelope<OrgView>>, ApiError> {
    let q = query.into_inner();
    let page = page_request(q.cursor.as_deref(), q.limit)?;
    let children =
        service::list_children(&read_context(&state, &user), OrgId::from_uuid(*id), &page).await?;
    Ok(web::Json(ListEnvelope::from_page(children, |o| {
        OrgView::from(&o)
    })))
}
