//! A member leaves a team, or its leader (or a township admin) removes them.

use actix_web::{delete, web, HttpRequest, HttpResponse};
use uuid::Uuid;

use crate::auth::AuthUser;
use crate::error::{ApiError, Problem};
use crate::routes::write_context;
use crate::state::AppState;
use domain::org::MemberId;
use domain::volunteer::service;
use domain::volunteer::TeamId;

/// The member themself leaves (or withdraws a pending request); the team's leader or a
/// township admin covering it removes a member. The leader stays until another is named.
/// Audited.
#[utoipa::path(
    tag = "volunteer-teams",
    operation_id = "removeVolunteerTeamMember",
    security(("bearerAuth" = [])),
    params(
        ("id" = Uuid, Path, description = "The team"),
        ("memberId" = Uuid, Path, description = "The member (the caller, to leave)"),
    ),
    responses(
        (status = 204, description = "Left or removed"),
        (status = 401, description = "auth_token_*", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "permission_denied", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such team or member of it, or outside the caller's scope", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "volunteer_team_leader_stays or volunteer_team_dissolved", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "database_unavailable or cache_unavailable", body = Problem, content_type = "application/problem+json"),
        (status = 500, description = "Unexpected error", body = Problem, content_type = "application/problem+json"),
    )
)]
#[delete("/api/v1/volunteer-teams/{id}/members/{memberId}")]
pub async fn remove_volunteer_team_member(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<(Uuid, Uuid)>,
) -> Result<HttpResponse, ApiError> {
    let (team, member) = path.into_inner();
    service::remove_member(
        &write_context(&state, &user, &req),
        TeamId::from_uuid(team),
        MemberId::from_uuid(member),
    )
    .await?;
    Ok(HttpResponse::NoContent().finish())
}
