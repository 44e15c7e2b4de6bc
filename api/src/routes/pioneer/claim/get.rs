//! One claim.

use actix_web::{get, web};
use uuid::Uuid;

use super::dto::PioneerClaimView;
use crate::auth::AuthUser;
use crate::error::{ApiError, Problem};
use crate::routes::read_context;
use crate::state::AppState;
use domain::pioneer::{service, ClaimId};

/// One claim: the caller's own, or one of a member they decide (S, C*) or audit (T)
/// claims for.
#[utoipa::path(
    tag = "pioneer",
    operation_id = "getPioneerClaim",
    security(("bearerAuth" = [])),
    params(("id" = Uuid, Path, description = "The claim")),
    responses(
        (status = 200, description = "The claim", body = PioneerClaimView),
        (status = 401, description = "auth_token_*", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such claim, or outside the caller's scope", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "database_unavailable or cache_unavailable", body = Problem, content_type = "application/problem+json"),
        (status = 500, description = "Unexpected error", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/api/v1/pioneer-claims/{id}")]
pub async fn get_pioneer_claim(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<Uuid>,
) -> Result<web::Json<PioneerClaimView>, ApiError> {
    let c = service::get_claim(&read_context(&state, &user), ClaimId::from_uuid(*id)).await?;
    Ok(web::Json(PioneerClaimView::from(&c)))
}
