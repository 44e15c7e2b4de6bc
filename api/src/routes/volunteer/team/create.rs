//! A township admin forms a professional team.

use actix_web::{post, web, HttpRequest, HttpResponse};
use serde::Deserialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::dto::{tags, SkillTag, TeamView};
use crate::auth::AuthUser;
use crate::error::{ApiError, Problem};
use crate::extract::{Json, Validate};
use crate::routes::write_context;
use crate::state::AppState;
use domain::error::FieldError;
use domain::org::{MemberId, OrgId};
use domain::volunteer::service::{self, NewTeam};

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct CreateTeamRequest {
    /// Unique within the committee (dissolved teams keep theirs).
    #[schema(
        min_length = 1,
        max_length = 30,
        pattern = "printable",
        example = "盖北镇医疗服务队"
    )]
    pub name: String,
    /// What the team can do: up to 10 tags; repeats are dropped.
    #[serde(default)]
    #[schema(max_items = 10)]
    pub skills: Option<Vec<SkillTag>>,
    /// An active member of the committee's tree; an active member of the team from the
    /// start.
    pub leader_id: Uuid,
}

impl Validate for CreateTeamRequest {
    fn validate(&self) -> Result<(), Vec<FieldError>> {
        Ok(())
    }
}

/// Forms a professional team (专业队伍) of a township committee. Township admins covering
/// the committee; audited.
#[utoipa::path(
    tag = "volunteer-teams",
    operation_id = "createVolunteerTeam",
    security(("bearerAuth" = [])),
    params(("id" = Uuid, Path, description = "The township committee")),
    request_body = CreateTeamRequest,
    responses(
        (status = 201, description = "Formed", body = TeamView),
        (status = 400, description = "request_json_malformed", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "auth_token_*", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "permission_denied", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such org, or outside the caller's scope", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "volunteer_team_name_taken", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "request_unsupported_media_type", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "request_json_invalid or validation_failed (volunteer_team_name_invalid, volunteer_team_skills_invalid, volunteer_team_leader_invalid), volunteer_team_needs_committee", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "database_unavailable or cache_unavailable", body = Problem, content_type = "application/problem+json"),
        (status = 500, description = "Unexpected error", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/api/v1/orgs/{id}/volunteer-teams")]
pub async fn create_volunteer_team(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<Uuid>,
    body: Json<CreateTeamRequest>,
) -> Result<HttpResponse, ApiError> {
    let b = body.into_inner();
    let team = service::create_team(
        &write_context(&state, &user, &req),
        OrgId::from_uuid(*id),
        NewTeam {
            name: b.name,
            skills: tags(b.skills),
            leader_id: MemberId::from_uuid(b.leader_id),
        },
    )
    .await?;
    Ok(HttpResponse::Created()
        .insert_header(("Location", format!("/api/v1/volunteer-teams/{}", team.id)))
        .json(TeamView::from(&team)))
}
