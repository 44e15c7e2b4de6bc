use actix_web::{post, web, HttpRequest, HttpResponse};
use serde::Deserialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::auth::AuthUser;
use crate::error::{ApiError, Problem};
use crate::extract::{Json, Validate};
use crate::routes::org::dto::RoleKind;
use crate::routes::org::me::dto::RoleView;
use crate::routes::write_context;
use crate::state::AppState;
use domain::error::FieldError;
use domain::org::service::{self, NewGrant};
use domain::org::{MemberId, OrgId, OrgRepo};

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct GrantRole {
    pub kind: RoleKind,
    /// The org the role covers: a branch or general branch for secretaries and committee
    /// members, the committee for township admins and hotline operators.
    pub org_id: Uuid,
    /// Committee members only: may review check-ins and exemptions.
    #[serde(default)]
    pub can_review: bool,
}

impl Validate for GrantRole {
    fn validate(&self) -> Result<(), Vec<FieldError>> {
        Ok(())
    }
}

/// Grants a role. Township admins grant any role inside their subtree; secretaries grant
/// committee roles inside their branch; nobody grants beyond their scope or above their own.
#[utoipa::path(
    tag = "members",
    operation_id = "grantRole",
    security(("bearerAuth" = [])),
    params(("id" = Uuid, Path, description = "The member")),
    request_body = GrantRole,
    responses(
        (status = 201, description = "Granted", body = RoleView),
        (status = 400, description = "request_json_malformed", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "auth_token_*", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "permission_denied: the caller may not grant this role", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such member or org, or outside the caller's scope", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "role_already_granted", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "request_unsupported_media_type", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "request_json_invalid or validation_failed (role_org_kind_mismatch, role_can_review_committee_only)", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "database_unavailable or cache_unavailable", body = Problem, content_type = "application/problem+json"),
        (status = 500, description = "Unexpected error", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/api/v1/members/{id}/roles")]
pub async fn grant_role(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<Uuid>,
    body: Json<GrantRole>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    let new = NewGrant {
        kind: body.kind.into(),
        org_id: OrgId::from_uuid(body.org_id),
        can_review: body.can_review,
    };
    let grant = service::grant_role(
        &write_context(&state, &user, &req),
        MemberId::from_uuid(*id),
        new,
    )
    .await?;
    let org = OrgRepo::get(&state.db.repos(), grant.org_id)
        .await?
        .ok_or_else(|| ApiError::internal("granted org vanished"))?;
    Ok(HttpResponse::Created().json(RoleView::new(&grant, &org)))
}
