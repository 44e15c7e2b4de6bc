use actix_web::{get, web};
use uuid::Uuid;

use crate::auth::AuthUser;
use crate::error::{ApiError, Problem};
use crate::http::page::ListEnvelope;
use crate::routes::org::me::dto::RoleView;
use crate::routes::read_context;
use crate::state::AppState;
use domain::org::{service, MemberId, OrgRepo};
use domain::page::Page;

/// The roles a member holds, each with the org it covers.
#[utoipa::path(
    tag = "members",
    operation_id = "listMemberRoles",
    security(("bearerAuth" = [])),
    params(("id" = Uuid, Path, description = "The member")),
    responses(
        (status = 200, description = "Every role (one page)", body = ListEnvelope<RoleView>),
        (status = 401, description = "auth_token_*", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such member, or outside the caller's scope", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "database_unavailable or cache_unavailable", body = Problem, content_type = "application/problem+json"),
        (status = 500, description = "Unexpected error", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/api/v1/members/{id}/roles")]
pub async fn list_roles(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<Uuid>,
) -> Result<web::Json<ListEnvelope<RoleView>>, ApiError> {
    let repos = state.db.repos();
    let grants =
        service::list_roles(&read_context(&state, &user), MemberId::from_uuid(*id)).await?;
    let mut views = Vec::with_capacity(grants.len());
    for g in &grants {
        if let Some(org) = OrgRepo::get(&repos, g.org_id).await? {
            views.push(RoleView::new(g, &org));
        }
    }
    Ok(web::Json(ListEnvelope::from_page(
        Page {
            items: views,
            next: None,
        },
        |v| v,
    )))
}
