//! The reviewer's inbox: what waits for their decision.

use actix_web::{get, web};
use chrono::{DateTime, FixedOffset};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::auth::AuthUser;
use crate::error::{ApiError, Problem};
use crate::http::time::beijing;
use crate::routes::activity::dto::ActivityKind;
use crate::state::AppState;
use domain::activity::report;

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct InboxItemView {
    pub activity_id: Uuid,
    pub branch_id: Uuid,
    pub kind: ActivityKind,
    pub title: String,
    pub starts_at: DateTime<FixedOffset>,
    pub pending_check_ins: u64,
    pub pending_exemptions: u64,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct InboxView {
    /// Activities with something pending, newest first.
    pub items: Vec<InboxItemView>,
    /// Pending exemptions for a date range rather than one activity.
    pub pending_range_exemptions: u64,
}

/// The reviewer's home screen: pending check-ins and exemptions per activity in scope,
/// newest first. For S, C*, T; a member who reviews nothing gets 403.
#[utoipa::path(
    tag = "check-ins",
    operation_id = "getInbox",
    security(("bearerAuth" = [])),
    responses(
        (status = 200, description = "The inbox", body = InboxView),
        (status = 401, description = "auth_token_*", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "permission_denied", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "database_unavailable or cache_unavailable", body = Problem, content_type = "application/problem+json"),
        (status = 500, description = "Unexpected error", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/api/v1/me/inbox")]
pub async fn inbox(
    state: web::Data<AppState>,
    user: AuthUser,
) -> Result<web::Json<InboxView>, ApiError> {
    let repos = state.db.repos();
    let inbox = report::inbox(&repos, &user.actor).await?;
    Ok(web::Json(InboxView {
        items: inbox
            .items
            .iter()
            .map(|i| InboxItemView {
                activity_id: i.activity.id.as_uuid(),
                branch_id: i.activity.branch_id.as_uuid(),
                kind: i.activity.kind.into(),
                title: i.activity.title.clone(),
                starts_at: beijing(i.activity.starts_at),
                pending_check_ins: i.pending.check_ins,
                pending_exemptions: i.pending.exemptions,
            })
            .collect(),
        pending_range_exemptions: inbox.pending_range_exemptions,
    }))
}
