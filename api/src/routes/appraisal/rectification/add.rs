//! The secretary adding a line to a member's list.

use actix_web::{post, web, HttpRequest, HttpResponse};
use uuid::Uuid;

use super::super::dto::{AddRectification, RectificationView};
use crate::auth::AuthUser;
use crate::error::{ApiError, Problem};
use crate::extract::Json;
use crate::routes::write_context;
use crate::state::AppState;
use domain::appraisal::service::{self, NewRectification};
use domain::appraisal::CampaignId;
use domain::calendar::shanghai;
use domain::org::MemberId;

/// Adds a line to a participant's rectification list, from the peer review or the rating:
/// the problem, the measure and the day it is due. The secretary or township admin managing
/// the member's branch.
#[utoipa::path(
    tag = "appraisals",
    operation_id = "addRectification",
    security(("bearerAuth" = [])),
    params(("id" = Uuid, Path, description = "The campaign")),
    request_body = AddRectification,
    responses(
        (status = 201, description = "Added", body = RectificationView),
        (status = 400, description = "request_json_malformed", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "auth_token_*", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "permission_denied", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such campaign or participant, or outside the caller's scope", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "request_unsupported_media_type", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "request_json_invalid or validation_failed (rectification_text_invalid, assessment_due_date_invalid)", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "database_unavailable or cache_unavailable", body = Problem, content_type = "application/problem+json"),
        (status = 500, description = "Unexpected error", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/api/v1/appraisals/{id}/rectifications")]
pub async fn add_rectification(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<Uuid>,
    body: Json<AddRectification>,
) -> Result<HttpResponse, ApiError> {
    let b = body.into_inner();
    let l = service::add_rectification(
        &write_context(&state, &user, &req),
        CampaignId::from_uuid(*id),
        MemberId::from_uuid(b.member_id),
        NewRectification {
            problem: b.problem,
            measure: b.measure,
            due_on: b.due_on,
        },
    )
    .await?;
    let today = state.clock.now().with_timezone(&shanghai()).date_naive();
    Ok(HttpResponse::Created().json(RectificationView::at(&l, today)))
}
