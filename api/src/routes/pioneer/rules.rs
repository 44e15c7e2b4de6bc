//! A township's pioneer-index rules: read by anyone inside it, kept by its admins.

use actix_web::{get, put, web, HttpRequest};
use serde::Deserialize;
use utoipa::IntoParams;
use uuid::Uuid;

use super::dto::{parse_half, PioneerRules, PioneerRulesView};
use crate::auth::AuthUser;
use crate::error::{ApiError, Problem};
use crate::extract::{Json, Query, Validate};
use crate::routes::{read_context, write_context};
use crate::state::AppState;
use domain::error::FieldError;
use domain::org::OrgId;
use domain::pioneer::service;

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct PioneerRulesParams {
    /// The half year whose rules to show (`YYYY-H1` or `YYYY-H2`); the current one (Beijing)
    /// when left out.
    #[param(pattern = "half-year", example = "2027-H1")]
    pub half: Option<String>,
}

impl Validate for PioneerRulesParams {
    fn validate(&self) -> Result<(), Vec<FieldError>> {
        match &self.half {
            Some(h) => parse_half(h, "/half").map(|_| ()).map_err(|e| vec![e]),
            None => Ok(()),
        }
    }
}

/// The pioneer-index rules (先锋指数考评细则) in force for a half year: the township's stored
/// version, or the standard rules where it has stored none. Any member inside the
/// township.
#[utoipa::path(
    tag = "pioneer",
    operation_id = "getPioneerRules",
    security(("bearerAuth" = [])),
    params(("id" = Uuid, Path, description = "The township committee"), PioneerRulesParams),
    responses(
        (status = 200, description = "The rules in force", body = PioneerRulesView),
        (status = 401, description = "auth_token_*", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such org, or outside the caller's scope", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "pioneer_needs_committee, or query_invalid (pioneer_half_invalid)", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "database_unavailable or cache_unavailable", body = Problem, content_type = "application/problem+json"),
        (status = 500, description = "Unexpected error", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/api/v1/orgs/{id}/pioneer-rules")]
pub async fn get_pioneer_rules(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<Uuid>,
    query: Query<PioneerRulesParams>,
) -> Result<web::Json<PioneerRulesView>, ApiError> {
    let half = match &query.0.half {
        Some(h) => {
            Some(parse_half(h, "/half").map_err(|e| ApiError::query_invalid(vec![e.into()]))?)
        }
        None => None,
    };
    let r = service::get_rules(&read_context(&state, &user), OrgId::from_uuid(*id), half).await?;
    Ok(web::Json((&r).into()))
}

/// Stores the township's rules as a new version (township admins; audited). It is in force
/// from the current half year, or — once that half year's index has been computed — from
/// the next: a computed index never changes its rules. Answers the rules in force from the
/// new version's first half year.
#[utoipa::path(
    tag = "pioneer",
    operation_id = "putPioneerRules",
    security(("bearerAuth" = [])),
    params(("id" = Uuid, Path, description = "The township committee")),
    request_body = PioneerRules,
    responses(
        (status = 200, description = "The new version", body = PioneerRulesView),
        (status = 400, description = "request_json_malformed", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "auth_token_*", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "permission_denied", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such org, or outside the caller's scope", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "pioneer_rules_changed", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "request_unsupported_media_type", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "pioneer_needs_committee, request_json_invalid or validation_failed (pioneer_rules_invalid)", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "database_unavailable or cache_unavailable", body = Problem, content_type = "application/problem+json"),
        (status = 500, description = "Unexpected error", body = Problem, content_type = "application/problem+json"),
    )
)]
#[put("/api/v1/orgs/{id}/pioneer-rules")]
pub async fn put_pioneer_rules(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<Uuid>,
    body: Json<PioneerRules>,
) -> Result<web::Json<PioneerRulesView>, ApiError> {
    let set = service::put_rules(
        &write_context(&state, &user, &req),
        OrgId::from_uuid(*id),
        body.into_inner().into(),
    )
    .await?;
    let view = service::RulesInForce {
        committee_id: set.committee_id,
        half: set.effective_from,
        rules: set.rules.clone(),
        set: Some(set),
        locked: false,
    };
    Ok(web::Json((&view).into()))
}
