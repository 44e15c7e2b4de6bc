use actix_web::{patch, web, HttpRequest};
use serde::Deserialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::auth::AuthUser;
use crate::error::{ApiError, Problem};
use crate::extract::{Json, Validate};
use crate::routes::org::dto::{check_name_and_phone, MemberCategory, MemberStatus, MemberView};
use crate::routes::write_context;
use crate::state::AppState;
use domain::error::FieldError;
use domain::org::service::{self, MemberChanges};
use domain::org::{MemberId, OrgId};

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct UpdateMember {
    #[serde(default)]
    #[schema(
        min_length = 1,
        max_length = 32,
        pattern = "printable",
        example = "王建国"
    )]
    pub name: Option<String>,
    /// 11 digits; spaces, dashes, full-width digits and a +86 prefix are accepted.
    #[serde(default)]
    #[schema(pattern = "phone", example = "13800000001")]
    pub phone: Option<String>,
    #[serde(default)]
    pub category: Option<MemberCategory>,
    #[serde(default)]
    pub leading_cadre: Option<bool>,
    /// A probationary member (预备党员), or no longer one (admitted as a full member).
    #[serde(default)]
    pub probationary: Option<bool>,
    /// Transfer to this branch (or group) inside the caller's scope.
    #[serde(default)]
    pub org_id: Option<Uuid>,
    /// `deactivated` ends the member's sessions at once.
    #[serde(default)]
    pub status: Option<MemberStatus>,
}

impl Validate for UpdateMember {
    fn validate(&self) -> Result<(), Vec<FieldError>> {
        check_name_and_phone(self.name.as_deref(), self.phone.as_deref())
    }
}

/// Updates, transfers or deactivates a member (secretaries and township admins covering
/// them; a transfer's destination must be in the caller's scope too).
#[utoipa::path(
    tag = "members",
    operation_id = "updateMember",
    security(("bearerAuth" = [])),
    params(("id" = Uuid, Path, description = "The member")),
    request_body = UpdateMember,
    responses(
        (status = 200, description = "Updated", body = MemberView),
        (status = 400, description = "request_json_malformed", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "auth_token_*", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "permission_denied", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such member or destination, or outside the caller's scope", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "member_phone_taken", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "request_unsupported_media_type", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "request_json_invalid or validation_failed (phone_invalid, phone_not_mainland, member_name_invalid)", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "database_unavailable or cache_unavailable", body = Problem, content_type = "application/problem+json"),
        (status = 500, description = "Unexpected error", body = Problem, content_type = "application/problem+json"),
    )
)]
#[patch("/api/v1/members/{id}")]
pub async fn update_member(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<Uuid>,
    body: Json<UpdateMember>,
) -> Result<web::Json<MemberView>, ApiError> {
    let body = body.into_inner();
    let changes = MemberChanges {
        name: body.name,
        phone: body.phone,
        category: body.category.map(Into::into),
        leading_cadre: body.leading_cadre,
        probationary: body.probationary,
        org_id: body.org_id.map(OrgId::from_uuid),
        status: body.status.map(Into::into),
    };
    let updated = service::update_member(
        &write_context(&state, &user, &req),
        MemberId::from_uuid(*id),
        changes,
    )
    .await?;
    Ok(web::Json(MemberView::new(&updated.member, true)))
}
