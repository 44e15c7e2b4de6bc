//! A member's study progress on a material.

use actix_web::{put, web, HttpRequest};
use serde::Deserialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::dto::ProgressView;
use crate::auth::AuthUser;
use crate::error::{ApiError, Problem};
use crate::extract::{Json, Validate};
use crate::routes::write_context;
use crate::state::AppState;
use domain::error::FieldError;
use domain::material::service::{self, ProgressReport};
use domain::material::MaterialId;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ProgressRequest {
    /// Where the member got to (seconds into a video, a page, …).
    #[serde(deserialize_with = "crate::extract::integral")]
    #[schema(minimum = 0, maximum = 1_000_000_000, example = 120)]
    pub position: i64,
    /// The client's running total of seconds spent on it.
    #[serde(deserialize_with = "crate::extract::integral")]
    #[schema(minimum = 0, maximum = 10_000_000, example = 300)]
    pub seconds_spent: i64,
    /// Finished studying it (never reverts).
    #[serde(default)]
    pub completed: bool,
}

impl ProgressRequest {
    fn report(&self) -> ProgressReport {
        ProgressReport {
            position: self.position,
            seconds_spent: self.seconds_spent,
            completed: self.completed,
        }
    }
}

impl Validate for ProgressRequest {
    fn validate(&self) -> Result<(), Vec<FieldError>> {
        let errors = self.report().validate();
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }
}

/// Records the caller's progress. Idempotent and monotonic: credited time never decreases
/// and never exceeds the wall time since the caller first opened the material; completion
/// never reverts and awards study points once (1, or 2 for a required material, at most 10
/// a day by default).
#[utoipa::path(
    tag = "materials",
    operation_id = "putMaterialProgress",
    security(("bearerAuth" = [])),
    params(("id" = Uuid, Path, description = "The material")),
    request_body = ProgressRequest,
    responses(
        (status = 200, description = "The progress as recorded", body = ProgressView),
        (status = 400, description = "request_json_malformed", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "auth_token_*", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such material, outside the caller's audience, or not yet published", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "request_unsupported_media_type", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "request_json_invalid or validation_failed (progress_position_invalid, progress_seconds_invalid)", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "database_unavailable", body = Problem, content_type = "application/problem+json"),
        (status = 500, description = "Unexpected error", body = Problem, content_type = "application/problem+json"),
    )
)]
#[put("/api/v1/materials/{id}/progress")]
pub async fn put_progress(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<Uuid>,
    body: Json<ProgressRequest>,
) -> Result<web::Json<ProgressView>, ApiError> {
    let record = service::record_progress(
        &write_context(&state, &user, &req),
        &user.member,
        MaterialId::from_uuid(*id),
        body.into_inner().report(),
        &state.point_rules,
    )
    .await?;
    Ok(web::Json(ProgressView::from(&record)))
}
