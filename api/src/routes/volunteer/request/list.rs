//! The service requests the caller may see.

use actix_web::{get, web, HttpRequest};
use serde::Deserialize;
use utoipa::IntoParams;

use super::caller_context;
use super::dto::{ServiceKind, ServiceModeration, ServiceRequestState, ServiceRequestView};
use crate::auth::Caller;
use crate::error::{ApiError, Problem};
use crate::extract::Query;
use crate::http::page::{page_request, ListEnvelope};
use crate::state::AppState;
use domain::volunteer::service::{self, RequestFilter};

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct ServiceRequestListParams {
    /// Only those the caller filed or holds a place on.
    pub mine: Option<bool>,
    pub kind: Option<ServiceKind>,
    pub state: Option<ServiceRequestState>,
    /// `held`: text the content check held for an operator to read.
    pub moderation: Option<ServiceModeration>,
    /// Only those past a deadline (not while waiting on the requester).
    pub overdue: Option<bool>,
    #[param(pattern = "^[A-Za-z0-9_-]*$")]
    pub cursor: Option<String>,
    /// 1-100, default 20.
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<u32>,
}

impl crate::extract::Validate for ServiceRequestListParams {
    fn validate(&self) -> Result<(), Vec<domain::error::FieldError>> {
        Ok(())
    }
}

/// The requests the caller may see, newest first: those they filed or hold a place on,
/// those sent to their branch (and the township's wish list), those under their secretary's
/// or committee roles, and, for the township's operators and admins, all of the township's.
/// Status notes are left out (read one request for them).
#[utoipa::path(
    tag = "service-requests",
    operation_id = "listServiceRequests",
    security(("bearerAuth" = [])),
    params(ServiceRequestListParams),
    responses(
        (status = 200, description = "A page of requests", body = ListEnvelope<ServiceRequestView>),
        (status = 400, description = "pagination_cursor_invalid", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "auth_token_*", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "request_query_invalid", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "database_unavailable or cache_unavailable", body = Problem, content_type = "application/problem+json"),
        (status = 500, description = "Unexpected error", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/api/v1/service-requests")]
pub async fn list_service_requests(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    query: Query<ServiceRequestListParams>,
) -> Result<web::Json<ListEnvelope<ServiceRequestView>>, ApiError> {
    let q = query.into_inner();
    let page = page_request(q.cursor.as_deref(), q.limit)?;
    let filter = RequestFilter {
        mine: q.mine.unwrap_or(false),
        kind: q.kind.map(Into::into),
        state: q.state.map(Into::into),
        moderation: q.moderation.map(Into::into),
        overdue: q.overdue.unwrap_or(false),
    };
    let list =
        service::list_requests(&caller_context(&state, &caller, &req), &filter, &page).await?;
    Ok(web::Json(ListEnvelope::from_page(list, |s| {
        ServiceRequestView::of(&s)
    })))
}
