//! A member's appeal about their own result.

use actix_web::{post, web, HttpRequest, HttpResponse};
use uuid::Uuid;

use super::super::dto::{LodgeRequest, ObjectionView};
use crate::auth::AuthUser;
use crate::error::{ApiError, Problem};
use crate::extract::Json;
use crate::routes::write_context;
use crate::state::AppState;
use domain::appraisal::service;
use domain::appraisal::{CampaignId, ObjectionKind};

/// Lodges the caller's appeal about their own result, with a reason, within 30 days after publication ends, against 不合格 (the township decides). One per member.
#[utoipa::path(
    tag = "appraisals",
    operation_id = "lodgeAppeal",
    security(("bearerAuth" = [])),
    params(("id" = Uuid, Path, description = "The campaign")),
    request_body = LodgeRequest,
    responses(
        (status = 201, description = "Lodged", body = ObjectionView),
        (status = 400, description = "request_json_malformed", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "auth_token_*", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such campaign, or the caller does not take part", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "objection_exists: appealed already", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "request_unsupported_media_type", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "request_json_invalid or validation_failed (appraisal_reason_invalid), objection_outside_window, rating_missing, appeal_not_unqualified", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "database_unavailable or cache_unavailable", body = Problem, content_type = "application/problem+json"),
        (status = 500, description = "Unexpected error", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/api/v1/appraisals/{id}/appeal")]
pub async fn lodge_appeal(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<Uuid>,
    body: Json<LodgeRequest>,
) -> Result<HttpResponse, ApiError> {
    let o = service::lodge(
        &write_context(&state, &user, &req),
        CampaignId::from_uuid(*id),
        ObjectionKind::Appeal,
        &body.into_inner().reason,
    )
    .await?;
    Ok(HttpResponse::Created().json(ObjectionView::from(&o)))
}
