//! The team's leader (or a township admin) decides a request to join.

use actix_web::{post, web, HttpRequest};
use uuid::Uuid;

use super::dto::{TeamJoinDecisionRequest, TeamMembershipView, VolunteerDecision};
use crate::auth::AuthUser;
use crate::error::{ApiError, Problem};
use crate::extract::Json;
use crate::routes::write_context;
use crate::state::AppState;
use domain::org::MemberId;
use domain::volunteer::service;
use domain::volunteer::TeamId;

/// Approves or rejects a pending request to join (a rejection needs a reason). The team's
/// leader or a township admin covering it; audited. A caller who leads no team and is no
/// township admin gets 403.
#[utoipa::path(
    tag = "volunteer-teams",
    operation_id = "decideVolunteerTeamJoin",
    security(("bearerAuth" = [])),
    params(
        ("id" = Uuid, Path, description = "The team"),
        ("memberId" = Uuid, Path, description = "The member who asked"),
    ),
    request_body = TeamJoinDecisionRequest,
    responses(
        (status = 200, description = "The decided membership", body = TeamMembershipView),
        (status = 400, description = "request_json_malformed", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "auth_token_*", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "permission_denied", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such team or request, or outside the caller's scope", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "volunteer_team_request_not_pending or volunteer_team_dissolved", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "request_unsupported_media_type", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "request_json_invalid or validation_failed (review_reason_required, review_reason_invalid)", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "database_unavailable or cache_unavailable", body = Problem, content_type = "application/problem+json"),
        (status = 500, description = "Unexpected error", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/api/v1/volunteer-teams/{id}/members/{memberId}/decision")]
pub async fn decide_volunteer_team_join(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<(Uuid, Uuid)>,
    body: Json<TeamJoinDecisionRequest>,
) -> Result<web::Json<TeamMembershipView>, ApiError> {
    let (team, member) = path.into_inner();
    let b = body.into_inner();
    let m = service::decide_join(
        &write_context(&state, &user, &req),
        TeamId::from_uuid(team),
        MemberId::from_uuid(member),
        b.decision == VolunteerDecision::Approve,
        b.reason.as_deref(),
    )
    .await?;
    Ok(web::Json(TeamMembershipView::from(&m)))
}
