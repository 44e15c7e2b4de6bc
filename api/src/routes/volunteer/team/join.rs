//! A member asks to join a team.

use actix_web::http::StatusCode;
use actix_web::{post, web, HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::dto::{tags, SkillTag, TeamMembershipView};
use crate::auth::AuthUser;
use crate::error::{ApiError, Problem};
use crate::extract::{Json, Validate};
use crate::http::idempotency;
use crate::routes::write_context;
use crate::state::AppState;
use domain::error::FieldError;
use domain::volunteer::service::{self, JoinRequest};
use domain::volunteer::TeamId;

#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct JoinTeamRequest {
    /// A word to the leader.
    #[serde(default)]
    #[schema(
        min_length = 1,
        max_length = 200,
        pattern = "printable",
        example = "退休护士，可上门量血压"
    )]
    pub note: Option<String>,
    /// The skills the member brings: up to 10 tags; repeats are dropped.
    #[serde(default)]
    #[schema(max_items = 10)]
    pub skills: Option<Vec<SkillTag>>,
}

impl Validate for JoinTeamRequest {
    fn validate(&self) -> Result<(), Vec<FieldError>> {
        Ok(())
    }
}

/// Asks to join a team of the caller's township (again, after leaving or a rejection);
/// pending until its leader or a township admin decides. Audited.
#[utoipa::path(
    tag = "volunteer-teams",
    operation_id = "requestToJoinVolunteerTeam",
    security(("bearerAuth" = [])),
    params(
        ("id" = Uuid, Path, description = "The team"),
        ("Idempotency-Key" = Option<String>, Header, description = "1-128 visible ASCII characters; a retry with the same key and body gets the first response (kept 24 h)"),
    ),
    request_body = JoinTeamRequest,
    responses(
        (status = 201, description = "Asked; pending", body = TeamMembershipView),
        (status = 400, description = "request_json_malformed or idempotency_key_invalid", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "auth_token_*", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such team, or not of the caller's township", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "volunteer_team_already_member, volunteer_team_request_pending, volunteer_team_dissolved or idempotency_request_in_flight", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "request_unsupported_media_type", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "request_json_invalid or validation_failed (volunteer_team_note_invalid, volunteer_team_skills_invalid), idempotency_key_reused", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "database_unavailable or cache_unavailable", body = Problem, content_type = "application/problem+json"),
        (status = 500, description = "Unexpected error", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/api/v1/volunteer-teams/{id}/join-requests")]
pub async fn request_to_join_volunteer_team(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<Uuid>,
    body: Json<JoinTeamRequest>,
) -> Result<HttpResponse, ApiError> {
    let b = body.into_inner();
    let team = TeamId::from_uuid(*id);
    idempotency::run(&state, &req, user.member.id, &b, async {
        let m = service::request_to_join(
            &write_context(&state, &user, &req),
            team,
            JoinRequest {
                note: b.note.clone(),
                skills: tags(b.skills.clone()),
            },
        )
        .await?;
        let json =
            serde_json::to_string(&TeamMembershipView::from(&m)).map_err(ApiError::internal)?;
        Ok((StatusCode::CREATED, None, json))
    })
    .await
}
