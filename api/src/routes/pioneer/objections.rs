//! Objections to published pioneer-index results: one per member within the publication
//! window, answered once by the township.

use actix_web::{get, post, web, HttpRequest, HttpResponse};
use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::dto::{parse_half, PioneerHalfParams};
use crate::auth::AuthUser;
use crate::error::{ApiError, Problem};
use crate::extract::{Json, Query, Validate};
use crate::http::time::beijing;
use crate::routes::{read_context, write_context};
use crate::state::AppState;
use domain::error::FieldError;
use domain::org::{MemberId, OrgId};
use domain::pioneer::{service, ResultObjection};
use domain::volunteer::HalfYear;

fn half_of(raw: &str) -> Result<HalfYear, ApiError> {
    parse_half(raw, "/half").map_err(|e| ApiError::query_invalid(vec![e.into()]))
}

/// The township's answer to an objection.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PioneerResultReplyView {
    /// Upheld: a warning-level rating was withdrawn.
    pub upheld: bool,
    pub reply: String,
    pub at: DateTime<FixedOffset>,
}

/// A member's objection to their published result.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PioneerResultObjectionView {
    pub member_id: Uuid,
    pub text: String,
    pub at: DateTime<FixedOffset>,
    pub answer: Option<PioneerResultReplyView>,
}

impl From<&ResultObjection> for PioneerResultObjectionView {
    fn from(o: &ResultObjection) -> Self {
        Self {
            member_id: o.member_id.as_uuid(),
            text: o.text.clone(),
            at: beijing(o.at),
            answer: o.answer.as_ref().map(|a| PioneerResultReplyView {
                upheld: a.upheld,
                reply: a.reply.clone(),
                at: beijing(a.at),
            }),
        }
    }
}

/// The objections to a half year.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PioneerResultObjectionsView {
    pub items: Vec<PioneerResultObjectionView>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PioneerResultObjectionRequest {
    #[schema(
        min_length = 1,
        max_length = 500,
        pattern = "printable",
        example = "本人8月参加了防汛突击队，请核实"
    )]
    pub text: String,
}

impl Validate for PioneerResultObjectionRequest {
    fn validate(&self) -> Result<(), Vec<FieldError>> {
        Ok(())
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PioneerResultObjectionAnswerRequest {
    /// Upheld withdraws the member's warning-level rating (never below the quota).
    pub upheld: bool,
    #[schema(
        min_length = 1,
        max_length = 500,
        pattern = "printable",
        example = "经核实，情况属实"
    )]
    pub reply: String,
}

impl Validate for PioneerResultObjectionAnswerRequest {
    fn validate(&self) -> Result<(), Vec<FieldError>> {
        Ok(())
    }
}

/// The caller objects to their published result of a half year: once, within the
/// publication window (audited).
#[utoipa::path(
    tag = "pioneer",
    operation_id = "objectToMyPioneerIndex",
    security(("bearerAuth" = [])),
    params(PioneerHalfParams),
    request_body = PioneerResultObjectionRequest,
    responses(
        (status = 200, description = "Lodged (read back with the caller's result)", body = PioneerResultObjectionView),
        (status = 400, description = "request_json_malformed", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "auth_token_*", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Not published, or the caller was not in the pool", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "pioneer_publication_closed or pioneer_objection_exists", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "request_unsupported_media_type", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "request_json_invalid, request_query_invalid (pioneer_half_invalid) or validation_failed (pioneer_objection_text_invalid)", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "database_unavailable or cache_unavailable", body = Problem, content_type = "application/problem+json"),
        (status = 500, description = "Unexpected error", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/api/v1/me/pioneer-index/objection")]
pub async fn object_to_my_pioneer_index(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: AuthUser,
    query: Query<PioneerHalfParams>,
    body: Json<PioneerResultObjectionRequest>,
) -> Result<HttpResponse, ApiError> {
    let half = half_of(&query.0.half)?;
    let o = service::object(&write_context(&state, &user, &req), half, &body.0.text).await?;
    Ok(HttpResponse::Ok().json(PioneerResultObjectionView::from(&o)))
}

/// The objections to a confirmed half year (township admins).
#[utoipa::path(
    tag = "pioneer",
    operation_id = "listPioneerResultObjections",
    security(("bearerAuth" = [])),
    params(("id" = Uuid, Path, description = "The township committee"), PioneerHalfParams),
    responses(
        (status = 200, description = "Oldest first", body = PioneerResultObjectionsView),
        (status = 401, description = "auth_token_*", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "permission_denied", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such org or confirmed half year, or outside the caller's scope", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "pioneer_needs_committee, or request_query_invalid (pioneer_half_invalid)", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "database_unavailable or cache_unavailable", body = Problem, content_type = "application/problem+json"),
        (status = 500, description = "Unexpected error", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/api/v1/orgs/{id}/pioneer-index/objections")]
pub async fn list_pioneer_result_objections(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<Uuid>,
    query: Query<PioneerHalfParams>,
) -> Result<web::Json<PioneerResultObjectionsView>, ApiError> {
    let half = half_of(&query.0.half)?;
    let list =
        service::list_objections(&read_context(&state, &user), OrgId::from_uuid(*id), half).await?;
    Ok(web::Json(PioneerResultObjectionsView {
        items: list.iter().map(Into::into).collect(),
    }))
}

/// Answers a member's objection once (township admins; audited). Upheld withdraws the
/// member's warning-level rating unless that would leave fewer than the quota.
#[utoipa::path(
    tag = "pioneer",
    operation_id = "answerPioneerResultObjection",
    security(("bearerAuth" = [])),
    params(
        ("id" = Uuid, Path, description = "The township committee"),
        ("memberId" = Uuid, Path, description = "The member who objected"),
        PioneerHalfParams,
    ),
    request_body = PioneerResultObjectionAnswerRequest,
    responses(
        (status = 200, description = "Answered", body = PioneerResultObjectionView),
        (status = 400, description = "request_json_malformed", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "auth_token_*", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "permission_denied", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such org, half year or objection, or outside the caller's scope", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "pioneer_objection_answered", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "request_unsupported_media_type", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "pioneer_needs_committee, pioneer_warning_below_quota, request_json_invalid, request_query_invalid (pioneer_half_invalid) or validation_failed (pioneer_objection_text_invalid)", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "database_unavailable or cache_unavailable", body = Problem, content_type = "application/problem+json"),
        (status = 500, description = "Unexpected error", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/api/v1/orgs/{id}/pioneer-index/objections/{memberId}/answer")]
pub async fn answer_pioneer_result_objection(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<(Uuid, Uuid)>,
    query: Query<PioneerHalfParams>,
    body: Json<PioneerResultObjectionAnswerRequest>,
) -> Result<web::Json<PioneerResultObjectionView>, ApiError> {
    let (id, member) = path.into_inner();
    let half = half_of(&query.0.half)?;
    let b = body.into_inner();
    let o = service::answer_result_objection(
        &write_context(&state, &user, &req),
        OrgId::from_uuid(id),
        half,
        MemberId::from_uuid(member),
        b.upheld,
        &b.reply,
    )
    .await?;
    Ok(web::Json((&o).into()))
}
