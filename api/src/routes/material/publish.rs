//! Publishing a material (secretaries for their branch, township admins for their
//! subtree). The service makes every cached feed stale, so feeds on every instance show it
//! at once.

use actix_web::{post, web, HttpRequest, HttpResponse};
use chrono::{DateTime, FixedOffset};
use serde::Deserialize;
use utoipa::ToSchema;

use super::dto::{parse_lesson_month, AttachmentDto, AudienceDto, MaterialCategory, MaterialView};
use super::sanitize::clean_html;
use crate::auth::AuthUser;
use crate::error::{ApiError, Problem};
use crate::extract::{Json, Validate};
use crate::http::time::utc;
use crate::routes::write_context;
use crate::state::AppState;
use domain::error::FieldError;
use domain::material::service::{self, NewMaterial};
use domain::org::OrgId;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct CreateMaterial {
    #[schema(
        min_length = 1,
        max_length = 100,
        pattern = "material-title",
        example = "十二月党课：学习党章第一章"
    )]
    pub title: String,
    #[serde(default)]
    #[schema(max_length = 500, pattern = "material-summary")]
    pub summary: String,
    /// Rich text (HTML); sanitised on the way in (at most 200 000 bytes after that).
    pub body: String,
    #[serde(default)]
    #[schema(max_items = 20)]
    pub attachments: Vec<AttachmentDto>,
    pub category: MaterialCategory,
    /// 必学必知必会.
    #[serde(default)]
    pub required: bool,
    /// `YYYY-MM`: the month this is the monthly lesson (月送党课) of.
    #[serde(default)]
    #[schema(pattern = "month", example = "2026-12")]
    pub lesson_month: Option<String>,
    pub audience: AudienceDto,
    /// When it becomes visible (default: now). RFC 3339 with an offset.
    #[serde(default)]
    pub publish_at: Option<DateTime<FixedOffset>>,
    #[serde(default)]
    pub study_deadline: Option<DateTime<FixedOffset>>,
}

impl Validate for CreateMaterial {
    fn validate(&self) -> Result<(), Vec<FieldError>> {
        match self.lesson_month.as_deref().map(parse_lesson_month) {
            Some(Err(e)) => Err(vec![e]),
            _ => Ok(()),
        }
    }
}

/// Publishes a material to an audience inside the caller's scope, now or at `publishAt`.
#[utoipa::path(
    tag = "materials",
    operation_id = "publishMaterial",
    security(("bearerAuth" = [])),
    request_body = CreateMaterial,
    responses(
        (status = 201, description = "Published (or scheduled)", body = MaterialView),
        (status = 400, description = "request_json_malformed", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "auth_token_*", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "permission_denied: only secretaries and township admins publish", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "The audience org does not exist or is outside the caller's scope", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "request_unsupported_media_type", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "request_json_invalid or validation_failed (material_title_invalid, material_summary_invalid, material_body_too_long, material_attachment_*, material_deadline_before_publish, material_time_invalid (outside 2000-2100), material_audience_invalid, month_invalid)", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "database_unavailable", body = Problem, content_type = "application/problem+json"),
        (status = 500, description = "Unexpected error", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/api/v1/materials")]
pub async fn publish_material(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: AuthUser,
    body: Json<CreateMaterial>,
) -> Result<HttpResponse, ApiError> {
    let b = body.into_inner();
    let new = NewMaterial {
        title: b.title,
        summary: b.summary,
        body_html: clean_html(&b.body),
        attachments: b.attachments.into_iter().map(Into::into).collect(),
        category: b.category.into(),
        required: b.required,
        lesson_month: b
            .lesson_month
            .as_deref()
            .map(parse_lesson_month)
            .transpose()
            .map_err(|e| ApiError::validation(vec![e]))?,
        audience_org: OrgId::from_uuid(b.audience.org_id),
        audience_categories: b.audience.categories.into_iter().map(Into::into).collect(),
        leading_cadres_only: b.audience.leading_cadres_only,
        publish_at: b.publish_at.map(utc),
        study_deadline: b.study_deadline.map(utc),
    };
    let m = service::publish(&write_context(&state, &user, &req), new).await?;
    Ok(HttpResponse::Created()
        .insert_header(("Location", format!("/api/v1/materials/{}", m.id)))
        .json(MaterialView::new(&m, None)))
}
