use actix_web::{get, web};
use uuid::Uuid;

use crate::auth::AuthUser;
use crate::error::{ApiError, Problem};
use crate::routes::org::dto::MemberView;
use crate::routes::read_context;
use crate::state::AppState;
use domain::org::{policy, service, MemberId};

/// One member: themself, members of their branch, and those covering it may read it.
#[utoipa::path(
    tag = "members",
    operation_id = "getMember",
    security(("bearerAuth" = [])),
    params(("id" = Uuid, Path, description = "The member")),
    responses(
        (status = 200, description = "The member", body = MemberView),
        (status = 401, description = "auth_token_*", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such member, or outside the caller's scope", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "database_unavailable or cache_unavailable", body = Problem, content_type = "application/problem+json"),
        (status = 500, description = "Unexpected error", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/api/v1/members/{id}")]
pub async fn get_member(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<Uuid>,
) -> Result<web::Json<MemberView>, ApiError> {
    let m = service::get_member(&read_context(&state, &user), MemberId::from_uuid(*id)).await?;
    let full = policy::sees_full_phone(&user.actor, m.id, &m.branch_path);
    Ok(web::Json(MemberView::new(&m, full)))
}
