//! The help branch (教育帮扶支部): designated by the township, filled with a confirmed half
//! year's warning-level members, each returned once a later half year no longer rates them
//! warning-level.

use actix_web::{get, post, put, web, HttpRequest};
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
use domain::pioneer::{service, HelpBranch, HelpTransfer};

/// The township's help branch.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct HelpBranchView {
    pub committee_id: Uuid,
    pub branch_id: Uuid,
    pub set_at: DateTime<FixedOffset>,
}

impl From<&HelpBranch> for HelpBranchView {
    fn from(h: &HelpBranch) -> Self {
        Self {
            committee_id: h.committee_id.as_uuid(),
            branch_id: h.branch_id.as_uuid(),
            set_at: beijing(h.set_at),
        }
    }
}

/// Designates the help branch.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct SetHelpBranch {
    /// A branch of the township.
    pub branch_id: Uuid,
}

impl Validate for SetHelpBranch {
    fn validate(&self) -> Result<(), Vec<FieldError>> {
        Ok(())
    }
}

/// A member's stay in the help branch.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct HelpTransferView {
    pub member_id: Uuid,
    /// The half year whose warning level moved them.
    #[schema(example = "2026-H2")]
    pub half: String,
    /// Where they came from (and return to).
    pub from_branch_id: Uuid,
    pub from_group_id: Option<Uuid>,
    pub help_branch_id: Uuid,
    pub moved_at: DateTime<FixedOffset>,
    pub returned_at: Option<DateTime<FixedOffset>>,
}

impl From<&HelpTransfer> for HelpTransferView {
    fn from(t: &HelpTransfer) -> Self {
        Self {
            member_id: t.member_id.as_uuid(),
            half: t.half.to_string(),
            from_branch_id: t.from_branch_id.as_uuid(),
            from_group_id: t.from_group_id.map(|g| g.as_uuid()),
            help_branch_id: t.to_branch_id.as_uuid(),
            moved_at: beijing(t.moved_at),
            returned_at: t.returned_at.map(beijing),
        }
    }
}

/// Stays in the help branch.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct HelpTransfersView {
    pub items: Vec<HelpTransferView>,
}

/// The township's help branch (township admins); 404 until one is designated.
#[utoipa::path(
    tag = "pioneer",
    operation_id = "getHelpBranch",
    security(("bearerAuth" = [])),
    params(("id" = Uuid, Path, description = "The township committee")),
    responses(
        (status = 200, description = "The help branch", body = HelpBranchView),
        (status = 401, description = "auth_token_*", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "permission_denied", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such org, none designated, or outside the caller's scope", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "pioneer_needs_committee", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "database_unavailable or cache_unavailable", body = Problem, content_type = "application/problem+json"),
        (status = 500, description = "Unexpected error", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/api/v1/orgs/{id}/help-branch")]
pub async fn get_help_branch(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<Uuid>,
) -> Result<web::Json<HelpBranchView>, ApiError> {
    let h = service::get_help_branch(&read_context(&state, &user), OrgId::from_uuid(*id)).await?;
    Ok(web::Json((&h).into()))
}

/// Designates a branch of the township as its help branch (教育帮扶支部; township admins;
/// audited). Members already in the old one stay there until returned.
#[utoipa::path(
    tag = "pioneer",
    operation_id = "setHelpBranch",
    security(("bearerAuth" = [])),
    params(("id" = Uuid, Path, description = "The township committee")),
    request_body = SetHelpBranch,
    responses(
        (status = 200, description = "Designated", body = HelpBranchView),
        (status = 400, description = "request_json_malformed", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "auth_token_*", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "permission_denied", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such org, or outside the caller's scope", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "request_unsupported_media_type", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "pioneer_needs_committee, pioneer_help_branch_invalid or request_json_invalid", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "database_unavailable or cache_unavailable", body = Problem, content_type = "application/problem+json"),
        (status = 500, description = "Unexpected error", body = Problem, content_type = "application/problem+json"),
    )
)]
#[put("/api/v1/orgs/{id}/help-branch")]
pub async fn set_help_branch(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<Uuid>,
    body: Json<SetHelpBranch>,
) -> Result<web::Json<HelpBranchView>, ApiError> {
    let h = service::set_help_branch(
        &write_context(&state, &user, &req),
        OrgId::from_uuid(*id),
        OrgId::from_uuid(body.into_inner().branch_id),
    )
    .await?;
    Ok(web::Json((&h).into()))
}

/// Moves a confirmed half year's warning-level members into the help branch, their
/// original branch recorded (township admins; each move audited), once the publication
/// window is over. Nobody is moved twice: answers the stays this call began.
#[utoipa::path(
    tag = "pioneer",
    operation_id = "moveToHelpBranch",
    security(("bearerAuth" = [])),
    params(("id" = Uuid, Path, description = "The township committee"), PioneerHalfParams),
    responses(
        (status = 200, description = "The members moved now", body = HelpTransfersView),
        (status = 400, description = "request_body_unexpected", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "auth_token_*", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "permission_denied", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such org or computation, or outside the caller's scope", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "pioneer_index_not_confirmed, pioneer_publication_open, pioneer_objections_open or pioneer_help_branch_unset", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "pioneer_needs_committee, or request_query_invalid (pioneer_half_invalid)", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "database_unavailable or cache_unavailable", body = Problem, content_type = "application/problem+json"),
        (status = 500, description = "Unexpected error", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/api/v1/orgs/{id}/pioneer-index/transfers")]
pub async fn move_to_help_branch(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<Uuid>,
    query: Query<PioneerHalfParams>,
) -> Result<web::Json<HelpTransfersView>, ApiError> {
    let half =
        parse_half(&query.0.half, "/half").map_err(|e| ApiError::query_invalid(vec![e.into()]))?;
    let moved = service::move_to_help_branch(
        &write_context(&state, &user, &req),
        OrgId::from_uuid(*id),
        half,
    )
    .await?;
    Ok(web::Json(HelpTransfersView {
        items: moved.iter().map(Into::into).collect(),
    }))
}

/// The township's members in the help branch now (township admins).
#[utoipa::path(
    tag = "pioneer",
    operation_id = "listHelpTransfers",
    security(("bearerAuth" = [])),
    params(("id" = Uuid, Path, description = "The township committee")),
    responses(
        (status = 200, description = "Stays not ended, oldest first", body = HelpTransfersView),
        (status = 401, description = "auth_token_*", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "permission_denied", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such org, or outside the caller's scope", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "pioneer_needs_committee", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "database_unavailable or cache_unavailable", body = Problem, content_type = "application/problem+json"),
        (status = 500, description = "Unexpected error", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/api/v1/orgs/{id}/help-transfers")]
pub async fn list_help_transfers(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<Uuid>,
) -> Result<web::Json<HelpTransfersView>, ApiError> {
    let list =
        service::list_help_transfers(&read_context(&state, &user), OrgId::from_uuid(*id)).await?;
    Ok(web::Json(HelpTransfersView {
        items: list.iter().map(Into::into).collect(),
    }))
}

/// Returns a member from the help branch to the branch and group they came from (township
/// admins; audited), once a later half year, confirmed, no longer rates them warning-level.
#[utoipa::path(
    tag = "pioneer",
    operation_id = "returnFromHelpBranch",
    security(("bearerAuth" = [])),
    params(("id" = Uuid, Path, description = "The member")),
    responses(
        (status = 200, description = "Returned", body = HelpTransferView),
        (status = 400, description = "request_body_unexpected", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "auth_token_*", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "permission_denied", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such member, or outside the caller's scope", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "pioneer_not_in_help_branch or pioneer_help_branch_invalid (the original branch is gone)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "pioneer_return_not_due", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "database_unavailable or cache_unavailable", body = Problem, content_type = "application/problem+json"),
        (status = 500, description = "Unexpected error", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/api/v1/members/{id}/help-return")]
pub async fn return_from_help_branch(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<Uuid>,
) -> Result<web::Json<HelpTransferView>, ApiError> {
    let (t, _) = service::return_from_help_branch(
        &write_context(&state, &user, &req),
        MemberId::from_uuid(*id),
    )
    .await?;
    Ok(web::Json((&t).into()))
}
