//! One team with its members.

use actix_web::{get, web};
use uuid::Uuid;

use super::dto::{TeamDetailView, TeamMemberView, TeamView};
use crate::auth::AuthUser;
use crate::error::{ApiError, Problem};
use crate::routes::read_context;
use crate::state::AppState;
use domain::volunteer::service;
use domain::volunteer::TeamId;

/// A team with its active members (phones masked but for the member and secretaries or
/// township admins covering them); its leader and township admins also see pending
/// requests; everyone sees their own standing. Members of the team's township and township
/// admins covering its committee.
#[utoipa::path(
    tag = "volunteer-teams",
    operation_id = "getVolunteerTeam",
    security(("bearerAuth" = [])),
    params(("id" = Uuid, Path, description = "The team")),
    responses(
        (status = 200, description = "The team", body = TeamDetailView),
        (status = 401, description = "auth_token_*", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such team, or not of the caller's township", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "database_unavailable or cache_unavailable", body = Problem, content_type = "application/problem+json"),
        (status = 500, description = "Unexpected error", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/api/v1/volunteer-teams/{id}")]
pub async fn get_volunteer_team(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<Uuid>,
) -> Result<web::Json<TeamDetailView>, ApiError> {
    let d = service::get_team(&read_context(&state, &user), TeamId::from_uuid(*id)).await?;
    let members = d
        .members
        .iter()
        .map(|(m, who)| TeamMemberView::new(&user.actor, &d.team, d.manages, m, who))
        .collect();
    Ok(web::Json(TeamDetailView {
        team: TeamView::from(&d.team),
        members,
        manages_members: d.manages,
    }))
}
