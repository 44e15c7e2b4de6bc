//! A member's one objection to a deduction of theirs.

use actix_web::{post, web, HttpRequest};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::dto::PioneerDeductionView;
use crate::auth::AuthUser;
use crate::error::{ApiError, Problem};
use crate::extract::{Json, Validate};
use crate::routes::write_context;
use crate::state::AppState;
use domain::error::FieldError;
use domain::pioneer::{service, DeductionId};

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct PioneerObjectionRequest {
    /// Why the deduction is wrong; line breaks allowed.
    #[schema(
        min_length = 1,
        max_length = 500,
        pattern = "lines",
        example = "当天已向支部书记请假，有请假记录"
    )]
    pub text: String,
}

impl Validate for PioneerObjectionRequest {
    fn validate(&self) -> Result<(), Vec<FieldError>> {
        Ok(())
    }
}

/// Objects to a deduction recorded against the caller, once (a second objection is 409).
/// A township admin answers it. Refused once the half year is computed. Audited.
#[utoipa::path(
    tag = "pioneer",
    operation_id = "objectToPioneerDeduction",
    security(("bearerAuth" = [])),
    params(("id" = Uuid, Path, description = "The deduction")),
    request_body = PioneerObjectionRequest,
    responses(
        (status = 200, description = "The deduction with the objection", body = PioneerDeductionView),
        (status = 400, description = "request_json_malformed", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "auth_token_*", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such deduction, or not recorded against the caller", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "pioneer_objection_exists, pioneer_half_closed", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "request_unsupported_media_type", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "request_json_invalid or validation_failed (pioneer_objection_text_invalid)", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "database_unavailable or cache_unavailable", body = Problem, content_type = "application/problem+json"),
        (status = 500, description = "Unexpected error", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/api/v1/pioneer-deductions/{id}/objection")]
pub async fn object_to_pioneer_deduction(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<Uuid>,
    body: Json<PioneerObjectionRequest>,
) -> Result<web::Json<PioneerDeductionView>, ApiError> {
    let d = service::object_to_deduction(
        &write_context(&state, &user, &req),
        DeductionId::from_uuid(*id),
        &body.into_inner().text,
    )
    .await?;
    Ok(web::Json(PioneerDeductionView::from(&d)))
}
