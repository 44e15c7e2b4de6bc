//! Reading a township's deadlines.

use actix_web::{get, web};
use uuid::Uuid;

use super::dto::ServiceDeadlinesView;
use crate::auth::AuthUser;
use crate::error::{ApiError, Problem};
use crate::routes::read_context;
use crate::state::AppState;
use domain::org::OrgId;
use domain::volunteer::service;

/// The working days a dispatched request of each kind and urgency has to be claimed and to
/// be completed, on the township's holiday calendar: what the township set, or the default
/// (`isDefault`). A dispatcher may still give one request other deadlines. The township's
/// hotline operators and admins.
#[utoipa::path(
    tag = "service-requests",
    operation_id = "getServiceDeadlines",
    security(("bearerAuth" = [])),
    params(("id" = Uuid, Path, description = "The township committee")),
    responses(
        (status = 200, description = "Every kind and urgency", body = ServiceDeadlinesView),
        (status = 401, description = "auth_token_*", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "permission_denied: no dispatcher role anywhere", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such township committee, or outside the caller's scope", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "database_unavailable or cache_unavailable", body = Problem, content_type = "application/problem+json"),
        (status = 500, description = "Unexpected error", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/api/v1/orgs/{id}/service-deadlines")]
pub async fn get_service_deadlines(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<Uuid>,
) -> Result<web::Json<ServiceDeadlinesView>, ApiError> {
    let policy =
        service::get_service_deadlines(&read_context(&state, &user), OrgId::from_uuid(*id)).await?;
    Ok(web::Json(ServiceDeadlinesView::from(&policy)))
}
