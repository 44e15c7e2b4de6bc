use actix_web::{get, web};

use super::dto::{Me, OrgRef, RoleView};
use crate::auth::AuthUser;
use crate::error::{ApiError, Problem};
use crate::state::AppState;
use domain::org::OrgRepo;

/// The caller's profile: who they are, their branch and group, and every role they hold
/// with the org it covers.
#[utoipa::path(
    tag = "me",
    operation_id = "getMe",
    security(("bearerAuth" = [])),
    responses(
        (status = 200, description = "The caller", body = Me),
        (status = 401, description = "Missing or invalid access token (auth_token_*)", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "database_unavailable or cache_unavailable", body = Problem, content_type = "application/problem+json"),
        (status = 500, description = "Unexpected error", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/api/v1/me")]
pub async fn get_me(state: web::Data<AppState>, user: AuthUser) -> Result<web::Json<Me>, ApiError> {
    let repos = state.db.repos();
    let m = &user.member;
    let branch = OrgRepo::get(&repos, m.branch_id)
        .await?
        .ok_or_else(|| ApiError::internal("member's branch is missing"))?;
    let group = match m.group_id {
        Some(g) => OrgRepo::get(&repos, g).await?.as_ref().map(OrgRef::from),
        None => None,
    };
    let mut roles = Vec::new();
    for grant in &user.grants {
        if let Some(org) = OrgRepo::get(&repos, grant.org_id).await? {
            roles.push(RoleView::new(grant, &org));
        }
    }
    Ok(web::Json(Me {
        id: m.id.as_uuid(),
        name: m.name.clone(),
        phone: m.phone.as_str().to_owned(),
        category: m.category.as_str().to_owned(),
        leading_cadre: m.leading_cadre,
        probationary: m.probationary,
        branch: OrgRef::from(&branch),
        group,
        roles,
    }))
}
