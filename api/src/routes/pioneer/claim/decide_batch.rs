//! Deciding several claims at once, from a phone.

use actix_web::{post, web, HttpRequest};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::dto::{PioneerClaimVerdict, PioneerClaimView};
use crate::auth::AuthUser;
use crate::error::{ApiError, Problem};
use crate::extract::{Json, Validate};
use crate::routes::write_context;
use crate::state::AppState;
use domain::error::FieldError;
use domain::pioneer::service::{self, ClaimVerdict};
use domain::pioneer::ClaimId;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct PioneerBatchDecisionRequest {
    /// 1-100 claims.
    #[schema(min_items = 1, max_items = 100)]
    pub ids: Vec<Uuid>,
    pub decision: PioneerClaimVerdict,
    /// Required to reject; applies to every claim.
    #[serde(default)]
    #[schema(
        min_length = 1,
        max_length = 200,
        pattern = "printable",
        example = "佐证材料不足"
    )]
    pub reason: Option<String>,
}

impl Validate for PioneerBatchDecisionRequest {
    fn validate(&self) -> Result<(), Vec<FieldError>> {
        Ok(())
    }
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PioneerBatchDecisionResult {
    /// The decided claims, in the order sent.
    pub items: Vec<PioneerClaimView>,
}

/// Approves or rejects several claims at once, all or nothing: if any id is unknown or
/// outside the caller's scope (`pioneer_claim_not_found`), the caller's own, already
/// decided, of a computed half year, or — to approve — no longer on the member's profile or
/// over the item's cap (the batch's own approvals counted), nothing changes and the 422
/// lists each such id by its pointer (`/ids/3`). Audited per claim.
#[utoipa::path(
    tag = "pioneer",
    operation_id = "decidePioneerClaims",
    security(("bearerAuth" = [])),
    request_body = PioneerBatchDecisionRequest,
    responses(
        (status = 200, description = "Every claim decided", body = PioneerBatchDecisionResult),
        (status = 400, description = "request_json_malformed", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "auth_token_*", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "permission_denied", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "pioneer_claim_not_pending (decided by someone else meanwhile)", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "request_unsupported_media_type", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "validation_failed: the refused ids, or review_batch_size_invalid / review_reason_required / review_reason_invalid", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "database_unavailable or cache_unavailable", body = Problem, content_type = "application/problem+json"),
        (status = 500, description = "Unexpected error", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/api/v1/pioneer-claims/decisions")]
pub async fn decide_pioneer_claims(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: AuthUser,
    body: Json<PioneerBatchDecisionRequest>,
) -> Result<web::Json<PioneerBatchDecisionResult>, ApiError> {
    let b = body.into_inner();
    let decided = service::decide_claims(
        &write_context(&state, &user, &req),
        b.ids.into_iter().map(ClaimId::from_uuid).collect(),
        ClaimVerdict {
            approve: b.decision == PioneerClaimVerdict::Approve,
            reason: b.reason,
        },
    )
    .await?;
    Ok(web::Json(PioneerBatchDecisionResult {
        items: decided.iter().map(PioneerClaimView::from).collect(),
    }))
}
