use actix_web::{get, web};
use domain::error::ErrorCode;
use serde::Deserialize;
use utoipa::IntoParams;
use uuid::Uuid;

use super::dto::MemberView;
use crate::auth::AuthUser;
use crate::error::{ApiError, Problem};
use crate::extract::{Query, Validate};
use crate::http::page::{page_request, ListEnvelope};
use crate::routes::read_context;
use crate::state::AppState;
use domain::error::FieldError;
use domain::org::{policy, service, OrgId};

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct MemberListParams {
    /// Only members whose name contains this text (at most 32 characters, no control
    /// characters).
    #[param(max_length = 32, pattern = "no-control")]
    pub q: Option<String>,
    /// Members of every branch under the org, not only of the org itself.
    #[serde(default)]
    pub include_subtree: bool,
    #[param(pattern = "^[A-Za-z0-9_-]*$")]
    pub cursor: Option<String>,
    /// 1-100, default 20.
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<u32>,
}

impl Validate for MemberListParams {
    fn validate(&self) -> Result<(), Vec<FieldError>> {
        match &self.q {
            Some(q) if q.chars().count() > 32 || q.chars().any(char::is_control) => {
                Err(vec![FieldError::new(
                    "/q",
                    ErrorCode::MemberSearchInvalid,
                    "q must be at most 32 printable characters",
                )])
            }
            _ => Ok(()),
        }
    }
}

/// An org's members (list envelope, creation order). Members see their own branch;
/// secretaries, committee members and township admins see what they cover. Phones are
/// masked except for the member and secretaries or township admins covering them.
#[utoipa::path(
    tag = "orgs",
    operation_id = "listOrgMembers",
    security(("bearerAuth" = [])),
    params(("id" = Uuid, Path, description = "The org"), MemberListParams),
    responses(
        (status = 200, description = "A page of members", body = ListEnvelope<MemberView>),
        (status = 400, description = "pagination_cursor_invalid", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "auth_token_*", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such org, or outside the caller's scope", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "request_query_invalid or validation_failed", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "database_unavailable or cache_unavailable", body = Problem, content_type = "application/problem+json"),
        (status = 500, description = "Unexpected error", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/api/v1/orgs/{id}/members")]
pub async fn list_members(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<Uuid>,
    query: Query<MemberListParams>,
) -> Result<web::Json<ListEnvelope<MemberView>>, ApiError> {
    let q = query.into_inner();
    let page = page_request(q.cursor.as_deref(), q.limit)?;
    let members = service::list_members(
        &read_context(&state, &user),
        OrgId::from_uuid(*id),
        q.include_subtree,
        q.q,
        &page,
    )
    .await?;
    let actor = &user.actor;
    Ok(web::Json(ListEnvelope::from_page(members, |m| {
        let full = policy::sees_full_phone(actor, m.id, &m.branch_path);
        MemberView::new(&m, full)
    })))
}
