//! Casting, or replacing, the caller's ballot on one reviewee.

use actix_web::{put, web, HttpRequest};
use uuid::Uuid;

use super::dto::{BallotRequest, BallotView};
use super::random_bytes;
use crate::auth::AuthUser;
use crate::error::{ApiError, Problem};
use crate::extract::Json;
use crate::routes::write_context;
use crate::state::AppState;
use domain::appraisal::service;
use domain::appraisal::{BallotSecret, CampaignId};
use domain::org::MemberId;

/// The caller's ballot on a member they grade, during the peer-review stage; a second ballot
/// on the same member replaces the first. The ballot is stored under a keyed tag of the
/// caller, never their id, and nothing records when it was cast; once the stage is over the
/// key is erased and nobody can tell whose ballot it was.
#[utoipa::path(
    tag = "appraisals",
    operation_id = "castPeerBallot",
    security(("bearerAuth" = [])),
    params(
        ("id" = Uuid, Path, description = "The campaign"),
        ("memberId" = Uuid, Path, description = "The member graded"),
    ),
    request_body = BallotRequest,
    responses(
        (status = 200, description = "The ballot as stored", body = BallotView),
        (status = 400, description = "request_json_malformed", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "auth_token_*", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such campaign, the caller does not take part, or the member is not one the caller grades (not a participant, another branch or group, excused, probationary)", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "request_unsupported_media_type", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "request_json_invalid or validation_failed (peer_review_dimension_missing, peer_review_dimension_repeated, peer_review_comment_invalid), peer_review_self, appraisal_excused, appraisal_stage_not_begun, appraisal_stage_over", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "database_unavailable or cache_unavailable", body = Problem, content_type = "application/problem+json"),
        (status = 500, description = "Unexpected error", body = Problem, content_type = "application/problem+json"),
    )
)]
#[put("/api/v1/appraisals/{id}/peer-reviews/{memberId}")]
pub async fn cast_peer_ballot(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<(Uuid, Uuid)>,
    body: Json<BallotRequest>,
) -> Result<web::Json<BallotView>, ApiError> {
    let (id, member) = path.into_inner();
    let fresh = BallotSecret::from_bytes(random_bytes()?);
    let b = service::cast_ballot(
        &write_context(&state, &user, &req),
        CampaignId::from_uuid(id),
        MemberId::from_uuid(member),
        body.into_inner().into(),
        fresh,
    )
    .await?;
    Ok(web::Json(BallotView::from(&b)))
}
