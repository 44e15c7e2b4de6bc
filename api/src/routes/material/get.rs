//! Reading one material (the first open is recorded).

use actix_web::{get, web};
use uuid::Uuid;

use super::dto::MaterialView;
use crate::auth::AuthUser;
use crate::error::{ApiError, Problem};
use crate::routes::read_context;
use crate::state::AppState;
use domain::material::service;
use domain::material::MaterialId;

/// One material: for a member of its audience once published (their first open is
/// recorded), or a preview for whoever may manage it. 404 for anyone else, and before the
/// publish time.
#[utoipa::path(
    tag = "materials",
    operation_id = "getMaterial",
    security(("bearerAuth" = [])),
    params(("id" = Uuid, Path, description = "The material")),
    responses(
        (status = 200, description = "The material, with the caller's progress", body = MaterialView),
        (status = 401, description = "auth_token_*", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such material, outside the caller's audience, or not yet published", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "database_unavailable", body = Problem, content_type = "application/problem+json"),
        (status = 500, description = "Unexpected error", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/api/v1/materials/{id}")]
pub async fn get_material(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<Uuid>,
) -> Result<web::Json<MaterialView>, ApiError> {
    let reading = service::read(
        &read_context(&state, &user),
        &user.member,
        MaterialId::from_uuid(*id),
    )
    .await?;
    Ok(web::Json(MaterialView::new(
        &reading.material,
        reading.record.as_ref(),
    )))
}
