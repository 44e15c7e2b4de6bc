//! Rectification counts per branch.

use actix_web::{get, web};
use uuid::Uuid;

use super::super::dto::{RectificationCountView, RectificationSummary};
use crate::auth::AuthUser;
use crate::error::{ApiError, Problem};
use crate::routes::read_context;
use crate::state::AppState;
use domain::appraisal::service;
use domain::appraisal::CampaignId;

/// Open, overdue and done lines per branch under the caller's part of the campaign (the
/// township's view). Secretaries and township admins.
#[utoipa::path(
    tag = "appraisals",
    operation_id = "summariseRectifications",
    security(("bearerAuth" = [])),
    params(("id" = Uuid, Path, description = "The campaign")),
    responses(
        (status = 200, description = "Counts per branch", body = RectificationSummary),
        (status = 401, description = "auth_token_*", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "permission_denied", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such campaign, or no part of it under the caller's roles", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "database_unavailable or cache_unavailable", body = Problem, content_type = "application/problem+json"),
        (status = 500, description = "Unexpected error", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/api/v1/appraisals/{id}/rectifications/summary")]
pub async fn summarise_rectifications(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<Uuid>,
) -> Result<web::Json<RectificationSummary>, ApiError> {
    let counts =
        service::rectification_counts(&read_context(&state, &user), CampaignId::from_uuid(*id))
            .await?;
    Ok(web::Json(RectificationSummary {
        items: counts
            .into_iter()
            .filter_map(|(path, n)| {
                Some(RectificationCountView {
                    branch_id: path.last_id()?.as_uuid(),
                    open: n.open,
                    overdue: n.overdue,
                    done: n.done,
                })
            })
            .collect(),
    }))
}
