//! Editing a material: a new revision, optionally pushed again.

use actix_web::{patch, web, HttpRequest};
use chrono::{DateTime, FixedOffset};
use domain::error::ErrorCode;
use serde::Deserialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::dto::{parse_lesson_month, AttachmentDto, AudienceDto, MaterialCategory, MaterialView};
use super::sanitize::clean_html;
use crate::auth::AuthUser;
use crate::error::{ApiError, Problem};
use crate::extract::{Json, Validate};
use crate::http::time::utc;
use crate::routes::write_context;
use crate::state::AppState;
use domain::error::FieldError;
use domain::material::service::{self, MaterialChanges};
use domain::material::MaterialId;
use domain::org::OrgId;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct UpdateMaterial {
    #[schema(min_length = 1, max_length = 100, pattern = "material-title")]
    pub title: Option<String>,
    #[schema(max_length = 500, pattern = "material-summary")]
    pub summary: Option<String>,
    /// Rich text (HTML); sanitised on the way in (at most 200 000 bytes after that).
    pub body: Option<String>,
    #[schema(max_items = 20)]
    pub attachments: Option<Vec<AttachmentDto>>,
    pub category: Option<MaterialCategory>,
    pub required: Option<bool>,
    /// `YYYY-MM`: the month this is the monthly lesson of (not with `clearLessonMonth`).
    #[schema(pattern = "month", example = "2026-12")]
    pub lesson_month: Option<String>,
    /// `true` makes it no month's monthly lesson.
    #[serde(default)]
    pub clear_lesson_month: bool,
    pub audience: Option<AudienceDto>,
    pub publish_at: Option<DateTime<FixedOffset>>,
    pub study_deadline: Option<DateTime<FixedOffset>>,
    /// `true` removes the study deadline.
    #[serde(default)]
    pub clear_study_deadline: bool,
    /// Push the edited material to its audience again (default: no).
    #[serde(default)]
    pub notify: bool,
}

impl Validate for UpdateMaterial {
    fn validate(&self) -> Result<(), Vec<FieldError>> {
        let mut errors = Vec::new();
        if let Some(Err(e)) = self.lesson_month.as_deref().map(parse_lesson_month) {
            errors.push(e);
        }
        if self.clear_lesson_month && self.lesson_month.is_some() {
            errors.push(FieldError::new(
                "/clearLessonMonth",
                ErrorCode::MaterialFieldConflict,
                "send either lessonMonth or clearLessonMonth",
            ));
        }
        if self.clear_study_deadline && self.study_deadline.is_some() {
            errors.push(FieldError::new(
                "/clearStudyDeadline",
                ErrorCode::MaterialFieldConflict,
                "send either studyDeadline or clearStudyDeadline",
            ));
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }
}

/// Edits a material: a new revision. It is pushed again only with `notify: true`.
#[utoipa::path(
    tag = "materials",
    operation_id = "updateMaterial",
    security(("bearerAuth" = [])),
    params(("id" = Uuid, Path, description = "The material")),
    request_body = UpdateMaterial,
    responses(
        (status = 200, description = "The edited material", body = MaterialView),
        (status = 400, description = "request_json_malformed", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "auth_token_*", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "permission_denied", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such material (or audience org), or outside the caller's scope", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "material_unpublished", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "request_unsupported_media_type", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "request_json_invalid or validation_failed (as for publishing, and material_field_conflict)", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "database_unavailable", body = Problem, content_type = "application/problem+json"),
        (status = 500, description = "Unexpected error", body = Problem, content_type = "application/problem+json"),
    )
)]
#[patch("/api/v1/materials/{id}")]
pub async fn update_material(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<Uuid>,
    body: Json<UpdateMaterial>,
) -> Result<web::Json<MaterialView>, ApiError> {
    let b = body.into_inner();
    let lesson_month = match (b.clear_lesson_month, b.lesson_month.as_deref()) {
        (true, _) => Some(None),
        (false, Some(raw)) => Some(Some(
            parse_lesson_month(raw).map_err(|e| ApiError::validation(vec![e]))?,
        )),
        (false, None) => None,
    };
    let (audience_org, audience_categories, leading_cadres_only) = match b.audience {
        Some(a) => (
            Some(OrgId::from_uuid(a.org_id)),
            Some(a.categories.into_iter().map(Into::into).collect()),
            Some(a.leading_cadres_only),
        ),
        None => (None, None, None),
    };
    let changes = MaterialChanges {
        title: b.title,
        summary: b.summary,
        body_html: b.body.as_deref().map(clean_html),
        attachments: b
            .attachments
            .map(|list| list.into_iter().map(Into::into).collect()),
        category: b.category.map(Into::into),
        required: b.required,
        lesson_month,
        audience_org,
        audience_categories,
        leading_cadres_only,
        publish_at: b.publish_at.map(utc),
        study_deadline: if b.clear_study_deadline {
            Some(None)
        } else {
            b.study_deadline.map(|d| Some(utc(d)))
        },
        notify: b.notify,
    };
    let m = service::edit(
        &write_context(&state, &user, &req),
        MaterialId::from_uuid(*id),
        changes,
    )
    .await?;
    Ok(web::Json(MaterialView::new(&m, None)))
}
