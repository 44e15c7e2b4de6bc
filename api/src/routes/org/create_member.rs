use actix_web::{post, web, HttpRequest, HttpResponse};
use serde::Deserialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::dto::{check_name_and_phone, MemberCategory, MemberView};
use crate::auth::AuthUser;
use crate::error::{ApiError, Problem};
use crate::extract::{Json, Validate};
use crate::routes::write_context;
use crate::state::AppState;
use domain::error::FieldError;
use domain::org::service::{self, NewMember};
use domain::org::OrgId;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct CreateMember {
    #[schema(
        min_length = 1,
        max_length = 32,
        pattern = "printable",
        example = "王建国"
    )]
    pub name: String,
    /// 11 digits; spaces, dashes, full-width digits and a +86 prefix are accepted.
    #[schema(pattern = "phone", example = "13800000001")]
    pub phone: String,
    pub category: MemberCategory,
    #[serde(default)]
    pub leading_cadre: bool,
    /// A probationary member (预备党员); false when left out.
    #[serde(default)]
    pub probationary: bool,
}

impl Validate for CreateMember {
    fn validate(&self) -> Result<(), Vec<FieldError>> {
        check_name_and_phone(Some(&self.name), Some(&self.phone))
    }
}

/// Adds a member to a branch, or to a group of it (secretaries and township admins).
#[utoipa::path(
    tag = "orgs",
    operation_id = "createMember",
    security(("bearerAuth" = [])),
    params(("id" = Uuid, Path, description = "The branch or group")),
    request_body = CreateMember,
    responses(
        (status = 201, description = "Created", body = MemberView),
        (status = 400, description = "request_json_malformed", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "auth_token_*", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "permission_denied", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such org, or outside the caller's scope", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "member_phone_taken", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "request_unsupported_media_type", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "request_json_invalid or validation_failed (phone_invalid, phone_not_mainland, member_name_invalid, member_org_not_a_branch)", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "database_unavailable or cache_unavailable", body = Problem, content_type = "application/problem+json"),
        (status = 500, description = "Unexpected error", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/api/v1/orgs/{id}/members")]
pub async fn create_member(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<Uuid>,
    body: Json<CreateMember>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    let new = NewMember {
        name: body.name,
        phone: body.phone,
        category: body.category.into(),
        leading_cadre: body.leading_cadre,
        probationary: body.probationary,
    };
    let member = service::create_member(
        &write_context(&state, &user, &req),
        OrgId::from_uuid(*id),
        new,
    )
    .await?;
    Ok(HttpResponse::Created()
        .insert_header(("Location", format!("/api/v1/members/{}", member.id)))
        .json(MemberView::new(&member, true)))
}
