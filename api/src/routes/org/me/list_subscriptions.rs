//! The caller's remaining consents to subscribe-message templates.

use actix_web::{get, web};
use serde::Serialize;
use utoipa::ToSchema;

use super::dto::SubscriptionView;
use crate::auth::AuthUser;
use crate::error::{ApiError, Problem};
use crate::state::AppState;
use domain::push::SubscriptionRepo;

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SubscriptionList {
    pub items: Vec<SubscriptionView>,
}

/// The caller's remaining consents, by template.
#[utoipa::path(
    tag = "me",
    operation_id = "listSubscriptions",
    security(("bearerAuth" = [])),
    responses(
        (status = 200, description = "Balances by template", body = SubscriptionList),
        (status = 401, description = "auth_token_*", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "database_unavailable", body = Problem, content_type = "application/problem+json"),
        (status = 500, description = "Unexpected error", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/api/v1/me/subscriptions")]
pub async fn list_subscriptions(
    state: web::Data<AppState>,
    user: AuthUser,
) -> Result<web::Json<SubscriptionList>, ApiError> {
    let items = SubscriptionRepo::of_member(&state.db.repos(), user.member.id)
        .await?
        .into_iter()
        .map(|s| SubscriptionView {
            template_id: s.template_id,
            balance: s.balance,
        })
        .collect();
    Ok(web::Json(SubscriptionList { items }))
}
