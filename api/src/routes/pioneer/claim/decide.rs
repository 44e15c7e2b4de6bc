//! The one decision of a pending claim.

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

/// Approve the claim, or reject it with a reason.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct PioneerClaimDecisionRequest {
    pub decision: PioneerClaimVerdict,
    /// Required to reject.
    #[serde(default)]
    #[schema(
        min_length = 1,
        max_length = 200,
        pattern = "printable",
        example = "佐证材料不足"
    )]
    pub reason: Option<String>,
}

impl Validate for PioneerClaimDecisionRequest {
    fn validate(&self) -> Result<(), Vec<FieldError>> {
        Ok(())
    }
}

impl PioneerClaimDecisionRequest {
    pub fn verdict(self) -> ClaimVerdict {
        ClaimVerdict {
            approve: self.decision == PioneerClaimVerdict::Approve,
            reason: self.reason,
        }
    }
}

/// Approves or rejects a pending claim: its one change, made once (a second decision, or
/// the loser of two at once, gets 409). The member's branch secretary or a branch
/// committee member granted review; nobody decides their own. An approval is refused once
/// the half year is computed, when the item is no longer on the member's profile, or when
/// it would take the member past the item's cap for the half year. Audited.
#[utoipa::path(
    tag = "pioneer",
    operation_id = "decidePioneerClaim",
    security(("bearerAuth" = [])),
    params(("id" = Uuid, Path, description = "The claim")),
    request_body = PioneerClaimDecisionRequest,
    responses(
        (status = 200, description = "The decided claim", body = PioneerClaimView),
        (status = 400, description = "request_json_malformed", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "auth_token_*", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "permission_denied", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such claim, or outside the caller's scope", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "pioneer_claim_not_pending, pioneer_half_closed", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "request_unsupported_media_type", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "request_json_invalid or validation_failed (review_reason_required, review_reason_invalid), pioneer_claim_own, pioneer_claim_over_cap, pioneer_item_not_applicable, pioneer_member_excluded", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "database_unavailable or cache_unavailable", body = Problem, content_type = "application/problem+json"),
        (status = 500, description = "Unexpected error", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/api/v1/pioneer-claims/{id}/decision")]
pub async fn decide_pioneer_claim(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<Uuid>,
    body: Json<PioneerClaimDecisionRequest>,
) -> Result<web::Json<PioneerClaimView>, ApiError> {
    let c = service::decide_claim(
        &write_context(&state, &user, &req),
        ClaimId::from_uuid(*id),
        body.into_inner().verdict(),
    )
    .await?;
    Ok(web::Json(PioneerClaimView::from(&c)))
}
