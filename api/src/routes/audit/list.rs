use actix_web::{get, web};
use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::auth::AuthUser;
use crate::error::{ApiError, Problem};
use crate::extract::{Query, Validate};
use crate::http::page::{page_request, ListEnvelope};
use crate::http::time::beijing;
use crate::routes::read_context;
use crate::state::AppState;
use domain::audit::{list_audit, AuditEntry};
use domain::error::FieldError;
use domain::org::OrgId;

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AuditView {
    pub id: Uuid,
    /// The member who acted; null for the command line.
    pub actor_id: Option<Uuid>,
    #[schema(example = "member.create")]
    pub action: String,
    #[schema(example = "member")]
    pub object_type: String,
    pub object_id: String,
    pub org_id: Option<Uuid>,
    /// RFC 3339 in +08:00.
    pub occurred_at: DateTime<FixedOffset>,
    pub request_id: Option<String>,
}

impl From<AuditEntry> for AuditView {
    fn from(e: AuditEntry) -> Self {
        Self {
            id: e.id.as_uuid(),
            actor_id: e.actor,
            action: e.action.as_str().to_owned(),
            object_type: e.object_type,
            object_id: e.object_id,
            org_id: e.org_id,
            occurred_at: beijing(e.occurred_at),
            request_id: e.request_id,
        }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct AuditParams {
    /// Only changes under this org (default: the caller's township).
    pub org_id: Option<Uuid>,
    #[param(pattern = "^[A-Za-z0-9_-]*$")]
    pub cursor: Option<String>,
    /// 1-100, default 20.
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<u32>,
}

impl Validate for AuditParams {
    fn validate(&self) -> Result<(), Vec<FieldError>> {
        Ok(())
    }
}

/// Every change under an org, newest first (township admins).
#[utoipa::path(
    tag = "audit",
    operation_id = "listAudit",
    security(("bearerAuth" = [])),
    params(AuditParams),
    responses(
        (status = 200, description = "A page of audit entries", body = ListEnvelope<AuditView>),
        (status = 400, description = "pagination_cursor_invalid", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "auth_token_*", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "permission_denied: township admins only", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such org, or outside the caller's scope", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "request_query_invalid", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "database_unavailable or cache_unavailable", body = Problem, content_type = "application/problem+json"),
        (status = 500, description = "Unexpected error", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/api/v1/audit")]
pub async fn list(
    state: web::Data<AppState>,
    user: AuthUser,
    query: Query<AuditParams>,
) -> Result<web::Json<ListEnvelope<AuditView>>, ApiError> {
    let q = query.into_inner();
    let page = page_request(q.cursor.as_deref(), q.limit)?;
    let entries = list_audit(
        &read_context(&state, &user),
        q.org_id.map(OrgId::from_uuid),
        &page,
    )
    .await?;
    Ok(web::Json(ListEnvelope::from_page(entries, AuditView::from)))
}
