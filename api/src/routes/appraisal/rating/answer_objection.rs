//! Answering a member's objection.

use actix_web::{post, web, HttpRequest};
use uuid::Uuid;

use super::super::dto::{AnswerRequest, ObjectionView};
use crate::auth::AuthUser;
use crate::error::{ApiError, Problem};
use crate::extract::Json;
use crate::state::AppState;
use domain::appraisal::ObjectionKind;

/// Answers a member's objection: `upheld` changes the result to `grade` (within the 优秀
/// share, audited), `rejected` keeps it and records the reason. The secretary or township admin managing the member's branch.
#[utoipa::path(
    tag = "appraisals",
    operation_id = "answerObjection",
    security(("bearerAuth" = [])),
    params(
        ("id" = Uuid, Path, description = "The campaign"),
        ("memberId" = Uuid, Path, description = "The member who lodged it"),
    ),
    request_body = AnswerRequest,
    responses(
        (status = 200, description = "Answered", body = ObjectionView),
        (status = 400, description = "request_json_malformed", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "auth_token_*", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "permission_denied", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such campaign, member or objection, or outside the caller's scope", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "objection_answered", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "request_unsupported_media_type", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "request_json_invalid or validation_failed (appraisal_reason_invalid, objection_grade_required), rating_excellent_quota", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "database_unavailable or cache_unavailable", body = Problem, content_type = "application/problem+json"),
        (status = 500, description = "Unexpected error", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/api/v1/appraisals/{id}/objections/{memberId}/answer")]
pub async fn answer_objection(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<(Uuid, Uuid)>,
    body: Json<AnswerRequest>,
) -> Result<web::Json<ObjectionView>, ApiError> {
    let view = super::answer(
        ObjectionKind::Objection,
        &req,
        &state,
        &user,
        path.into_inner(),
        body.into_inner(),
    )
    .await?;
    Ok(web::Json(view))
}
