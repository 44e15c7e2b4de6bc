//! Where a request might go.

use actix_web::{get, web, HttpRequest};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::member_context;
use crate::auth::AuthUser;
use crate::error::{ApiError, Problem};
use crate::extract::Query;
use crate::state::AppState;
use domain::volunteer::service;
use domain::volunteer::{Assignee, ServiceRequestId};

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct DispatchSuggestionParams {
    /// A skill the request needs (e.g. 护理): teams with it come first.
    #[param(min_length = 1, max_length = 20, pattern = "printable")]
    pub skill: Option<String>,
}

impl crate::extract::Validate for DispatchSuggestionParams {
    fn validate(&self) -> Result<(), Vec<domain::error::FieldError>> {
        match &self.skill {
            Some(skill) => domain::text::clean_text(
                skill,
                20,
                "/skill",
                domain::ErrorCode::ServiceRequestFieldInvalid,
            )
            .map(|_| ())
            .map_err(|e| vec![e]),
            None => Ok(()),
        }
    }
}

/// A team or branch a request might be sent to.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct DispatchSuggestionView {
    /// `team` or `branch`: dispatch with `teamId` or `orgId`.
    pub kind: String,
    pub id: Uuid,
    pub name: String,
    pub skills: Vec<String>,
    /// A skill of the team is the one asked for (or, asked for none, named in the request).
    pub skill_match: bool,
    /// Members who may claim it there.
    pub members: u64,
    /// Requests they are handling now.
    pub load: u64,
}

/// The suggestions, best first.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct DispatchSuggestionList {
    pub items: Vec<DispatchSuggestionView>,
}

/// Where a request might be sent, best first: the township's professional teams whose
/// skills match (the `skill` asked for, or one the request's text names), then every team
/// and branch by the requests each of their members has in hand. A hotline operator or
/// township admin of the township.
#[utoipa::path(
    tag = "service-requests",
    operation_id = "suggestServiceRequestDispatch",
    security(("bearerAuth" = [])),
    params(("id" = Uuid, Path, description = "The request"), DispatchSuggestionParams),
    responses(
        (status = 200, description = "Teams and branches, best first", body = DispatchSuggestionList),
        (status = 401, description = "auth_token_*", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "permission_denied: no dispatcher role anywhere", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such request in the caller's township", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "request_query_invalid (service_request_field_invalid)", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "database_unavailable or cache_unavailable", body = Problem, content_type = "application/problem+json"),
        (status = 500, description = "Unexpected error", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/api/v1/service-requests/{id}/dispatch-suggestions")]
pub async fn suggest_service_request_dispatch(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<Uuid>,
    query: Query<DispatchSuggestionParams>,
) -> Result<web::Json<DispatchSuggestionList>, ApiError> {
    let q = query.into_inner();
    let list = service::dispatch_suggestions(
        &member_context(&state, &user, &req),
        ServiceRequestId::from_uuid(*id),
        q.skill.as_deref(),
    )
    .await?;
    Ok(web::Json(DispatchSuggestionList {
        items: list
            .into_iter()
            .map(|s| {
                let (kind, id) = match s.assignee {
                    Assignee::Team(t) => ("team", t.as_uuid()),
                    Assignee::Branch(b) | Assignee::WishList(b) => ("branch", b.as_uuid()),
                };
                DispatchSuggestionView {
                    kind: kind.to_owned(),
                    id,
                    name: s.name,
                    skills: s.skills,
                    skill_match: s.skill_match,
                    members: s.members,
                    load: s.load,
                }
            })
            .collect(),
    }))
}
