//! A township admin's one answer to an objection.

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
use domain::pioneer::service::{self, AnswerInput};
use domain::pioneer::DeductionId;

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct PioneerObjectionAnswerRequest {
    /// Upheld: the deduction no longer counts in the index.
    pub upheld: bool,
    #[schema(
        min_length = 1,
        max_length = 500,
        pattern = "lines",
        example = "经核实，当天已请假，撤销该项扣分"
    )]
    pub reply: String,
}

impl Validate for PioneerObjectionAnswerRequest {
    fn validate(&self) -> Result<(), Vec<FieldError>> {
        Ok(())
    }
}

/// Answers the member's objection to a deduction, once: a township admin covering the
/// member's branch. Upheld, the deduction no longer counts. Refused once the half year is
/// computed. Audited.
#[utoipa::path(
    tag = "pioneer",
    operation_id = "answerPioneerObjection",
    security(("bearerAuth" = [])),
    params(("id" = Uuid, Path, description = "The deduction")),
    request_body = PioneerObjectionAnswerRequest,
    responses(
        (status = 200, description = "The deduction with the answer", body = PioneerDeductionView),
        (status = 400, description = "request_json_malformed", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "auth_token_*", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "permission_denied", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such deduction, or outside the caller's scope", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "pioneer_objection_missing, pioneer_objection_answered, pioneer_half_closed", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "request_unsupported_media_type", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "request_json_invalid or validation_failed (pioneer_objection_text_invalid)", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "database_unavailable or cache_unavailable", body = Problem, content_type = "application/problem+json"),
        (status = 500, description = "Unexpected error", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/api/v1/pioneer-deductions/{id}/objection/answer")]
pub async fn answer_pioneer_objection(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<Uuid>,
    body: Json<PioneerObjectionAnswerRequest>,
) -> Result<web::Json<PioneerDeductionView>, ApiError> {
    let b = body.into_inner();
    let d = service::answer_objection(
        &write_context(&state, &user, &req),
        DeductionId::from_uuid(*id),
        AnswerInput {
            upheld: b.upheld,
            reply: b.reply,
        },
    )
    .await?;
    Ok(web::Json(PioneerDeductionView::from(&d)))
}
