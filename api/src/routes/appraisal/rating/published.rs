//! The branch's published results.

use actix_web::{get, web};
use uuid::Uuid;

use super::super::dto::{PublishedGrade, PublishedList};
use crate::auth::AuthUser;
use crate::error::{ApiError, Problem};
use crate::routes::read_context;
use crate::state::AppState;
use domain::appraisal::service;
use domain::appraisal::CampaignId;

/// The caller's branch's results during the publication window (亮分公示): each graded
/// member's name and grade, no rationale. Participants of the branch.
#[utoipa::path(
    tag = "appraisals",
    operation_id = "getBranchResults",
    security(("bearerAuth" = [])),
    params(("id" = Uuid, Path, description = "The campaign")),
    responses(
        (status = 200, description = "The branch's published grades", body = PublishedList),
        (status = 401, description = "auth_token_*", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such campaign, or the caller does not take part", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "appraisal_stage_not_begun: the publication window is not open", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "database_unavailable or cache_unavailable", body = Problem, content_type = "application/problem+json"),
        (status = 500, description = "Unexpected error", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/api/v1/appraisals/{id}/results")]
pub async fn get_branch_results(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<Uuid>,
) -> Result<web::Json<PublishedList>, ApiError> {
    let rows =
        service::branch_results(&read_context(&state, &user), CampaignId::from_uuid(*id)).await?;
    Ok(web::Json(PublishedList {
        items: rows
            .into_iter()
            .map(|(p, g)| PublishedGrade {
                member_id: p.member_id.as_uuid(),
                name: p.name,
                grade: g.into(),
            })
            .collect(),
    }))
}
