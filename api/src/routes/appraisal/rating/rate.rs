//! Setting a graded member's result.

use actix_web::{put, web, HttpRequest};
use uuid::Uuid;

use super::super::dto::{RateRequest, RatingView};
use crate::auth::AuthUser;
use crate::error::{ApiError, Problem};
use crate::extract::Json;
use crate::routes::write_context;
use crate::state::AppState;
use domain::appraisal::service::{self, RatingInput};
use domain::appraisal::CampaignId;
use domain::org::MemberId;

/// Sets a graded participant's result during the rating stage, seeing their self-assessment
/// and the peer aggregates: 优秀 within the campaign's share of the branch's graded members
/// (one third unless set), 不合格 with at least one negative-list situation. Replaces an
/// earlier rating. The secretary or township admin managing the member's branch.
#[utoipa::path(
    tag = "appraisals",
    operation_id = "rateMember",
    security(("bearerAuth" = [])),
    params(
        ("id" = Uuid, Path, description = "The campaign"),
        ("memberId" = Uuid, Path, description = "The participant"),
    ),
    request_body = RateRequest,
    responses(
        (status = 200, description = "Rated", body = RatingView),
        (status = 400, description = "request_json_malformed", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "auth_token_*", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "permission_denied", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such campaign or participant, or outside the caller's scope", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "request_unsupported_media_type", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "request_json_invalid or validation_failed (rating_rationale_invalid, rating_needs_negative_item, assessment_item_unknown, assessment_part_repeated), rating_excellent_quota, rating_not_graded, appraisal_stage_not_begun, appraisal_stage_over", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "database_unavailable or cache_unavailable", body = Problem, content_type = "application/problem+json"),
        (status = 500, description = "Unexpected error", body = Problem, content_type = "application/problem+json"),
    )
)]
#[put("/api/v1/appraisals/{id}/ratings/{memberId}")]
pub async fn rate_member(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<(Uuid, Uuid)>,
    body: Json<RateRequest>,
) -> Result<web::Json<RatingView>, ApiError> {
    let (id, member) = path.into_inner();
    let b = body.into_inner();
    let r = service::rate_member(
        &write_context(&state, &user, &req),
        CampaignId::from_uuid(id),
        MemberId::from_uuid(member),
        RatingInput {
            grade: b.grade.into(),
            rationale: b.rationale,
            negative_items: b.negative_items.iter().map(|i| i.0).collect(),
        },
    )
    .await?;
    Ok(web::Json(RatingView::from(&r)))
}
