//! Withdrawing a material.

use actix_web::{post, web, HttpRequest};
use uuid::Uuid;

use super::dto::MaterialView;
use crate::auth::AuthUser;
use crate::error::{ApiError, Problem};
use crate::routes::write_context;
use crate::state::AppState;
use domain::material::service::{self};
use domain::material::MaterialId;

/// Withdraws a material from its audience's feeds (idempotent). Study records are kept.
#[utoipa::path(
    tag = "materials",
    operation_id = "unpublishMaterial",
    security(("bearerAuth" = [])),
    params(("id" = Uuid, Path, description = "The material")),
    responses(
        (status = 200, description = "Unpublished", body = MaterialView),
        (status = 401, description = "auth_token_*", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "permission_denied", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such material, or outside the caller's scope", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "database_unavailable", body = Problem, content_type = "application/problem+json"),
        (status = 500, description = "Unexpected error", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/api/v1/materials/{id}/unpublish")]
pub async fn unpublish_material(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<Uuid>,
) -> Result<web::Json<MaterialView>, ApiError> {
    let m = service::unpublish(
        &write_context(&state, &user, &req),
        MaterialId::from_uuid(*id),
    )
    .await?;
    Ok(web::Json(MaterialView::new(&m, None)))
}
