//! A township admin changes or dissolves a team.

use actix_web::{patch, web, HttpRequest};
use serde::Deserialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::dto::{SkillTag, TeamView};
use crate::auth::AuthUser;
use crate::error::{ApiError, Problem};
use crate::extract::{Json, Validate};
use crate::routes::write_context;
use crate::state::AppState;
use domain::error::FieldError;
use domain::org::MemberId;
use domain::volunteer::service::{self, TeamChanges};
use domain::volunteer::TeamId;

/// What changes; an absent field stays as it is.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct UpdateTeamRequest {
    #[serde(default)]
    #[schema(
        min_length = 1,
        max_length = 30,
        pattern = "printable",
        example = "盖北镇医疗服务队"
    )]
    pub name: Option<String>,
    /// Replaces the skills (up to 10 tags; repeats are dropped).
    #[serde(default)]
    #[schema(max_items = 10)]
    pub skills: Option<Vec<SkillTag>>,
    /// A new leader: an active member of the committee's tree, who becomes an active
    /// member of the team.
    #[serde(default)]
    pub leader_id: Option<Uuid>,
    /// `true` dissolves the team for good (`false` changes nothing).
    #[serde(default)]
    pub dissolve: Option<bool>,
}

impl Validate for UpdateTeamRequest {
    fn validate(&self) -> Result<(), Vec<FieldError>> {
        Ok(())
    }
}

/// Renames a team, replaces its skills, names a new leader or dissolves it. Township
/// admins covering its committee; audited.
#[utoipa::path(
    tag = "volunteer-teams",
    operation_id = "updateVolunteerTeam",
    security(("bearerAuth" = [])),
    params(("id" = Uuid, Path, description = "The team")),
    request_body = UpdateTeamRequest,
    responses(
        (status = 200, description = "The team as it is now", body = TeamView),
        (status = 400, description = "request_json_malformed", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "auth_token_*", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "permission_denied", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such team, or outside the caller's scope", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "volunteer_team_name_taken or volunteer_team_dissolved", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "request_unsupported_media_type", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "request_json_invalid or validation_failed (volunteer_team_name_invalid, volunteer_team_skills_invalid, volunteer_team_leader_invalid)", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "database_unavailable or cache_unavailable", body = Problem, content_type = "application/problem+json"),
        (status = 500, description = "Unexpected error", body = Problem, content_type = "application/problem+json"),
    )
)]
#[patch("/api/v1/volunteer-teams/{id}")]
pub async fn update_volunteer_team(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<Uuid>,
    body: Json<UpdateTeamRequest>,
) -> Result<web::Json<TeamView>, ApiError> {
    let b = body.into_inner();
    let team = service::update_team(
        &write_context(&state, &user, &req),
        TeamId::from_uuid(*id),
        TeamChanges {
            name: b.name,
            skills: b.skills.map(|s| s.into_iter().map(|t| t.0).collect()),
            leader_id: b.leader_id.map(MemberId::from_uuid),
            dissolve: b.dissolve.unwrap_or(false),
        },
    )
    .await?;
    Ok(web::Json(TeamView::from(&team)))
}
