//! Opening an appraisal campaign (a branch's secretary for their branch, a township admin
//! for an org of theirs).

use actix_web::{post, web, HttpRequest, HttpResponse};
use serde::Deserialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::dto::{CampaignView, PeerScope, ScheduleDto, ShareDto};
use crate::auth::AuthUser;
use crate::error::{ApiError, Problem};
use crate::extract::{Json, Validate};
use crate::routes::write_context;
use crate::state::AppState;
use domain::activity::ActivityId;
use domain::appraisal::service::{self, NewCampaign};
use domain::appraisal::{Period, Share};
use domain::error::{ErrorCode, FieldError};
use domain::org::OrgId;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct OpenCampaign {
    #[schema(
        min_length = 1,
        max_length = 100,
        pattern = "printable",
        example = "2027年上半年民主评议党员"
    )]
    pub name: String,
    /// A half year (`2027-H1`) or a year (`2027`), 2000-2100.
    #[schema(pattern = "^(?:20[0-9]{2}|2100)(?:-H[12])?$", example = "2027-H1")]
    pub period: String,
    /// The 组织生活会 (an `org_life_meeting` activity of a branch in the campaign) at which
    /// it is held.
    #[serde(default)]
    pub meeting_id: Option<Uuid>,
    pub stages: ScheduleDto,
    /// Default `branch`.
    #[serde(default)]
    pub peer_scope: Option<PeerScope>,
    /// The positive 双十条 in the township's own words (exactly ten); default the plan's.
    #[serde(default)]
    #[schema(min_items = 10, max_items = 10)]
    pub positive_list: Option<Vec<ListItem>>,
    /// The negative 双十条 (exactly ten); default the plan's.
    #[serde(default)]
    #[schema(min_items = 10, max_items = 10)]
    pub negative_list: Option<Vec<ListItem>>,
    /// Default one third.
    #[serde(default)]
    pub excellent_share: Option<ShareDto>,
}

/// One item of a 双十条 list: 1-100 printable characters.
#[derive(Debug, Clone, Deserialize)]
#[serde(transparent)]
pub struct ListItem(pub String);

impl utoipa::PartialSchema for ListItem {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{ObjectBuilder, Schema, Type};
        utoipa::openapi::RefOr::T(Schema::Object(
            ObjectBuilder::new()
                .schema_type(Type::String)
                .min_length(Some(1))
                .max_length(Some(100))
                .pattern(Some(crate::http::schema::printable_pattern()))
                .examples(["理想信念坚定"])
                .build(),
        ))
    }
}

impl ToSchema for ListItem {
    fn name() -> std::borrow::Cow<'static, str> {
        "AppraisalListItem".into()
    }
}

impl Validate for OpenCampaign {
    fn validate(&self) -> Result<(), Vec<FieldError>> {
        let mut errors = Vec::new();
        if Period::parse(&self.period).is_none() {
            errors.push(FieldError::new(
                "/period",
                ErrorCode::AppraisalPeriodInvalid,
                "a half year (2027-H1) or a year (2027), 2000-2100",
            ));
        }
        if let Some(s) = self.excellent_share {
            if Share::new(s.numerator, s.denominator).is_none() {
                errors.push(FieldError::new(
                    "/excellentShare",
                    ErrorCode::AppraisalShareInvalid,
                    "the share runs from 0 to 1: a numerator no larger than its denominator",
                ));
            }
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }
}

/// Opens a campaign for the org's subtree: every active member of its branches takes part
/// (预备党员 without a grade). A branch's secretary for their branch; a township admin for
/// any org of theirs but a group.
#[utoipa::path(
    tag = "appraisals",
    operation_id = "openAppraisal",
    security(("bearerAuth" = [])),
    params(("id" = Uuid, Path, description = "The branch, or an org above branches")),
    request_body = OpenCampaign,
    responses(
        (status = 201, description = "Opened", body = CampaignView),
        (status = 400, description = "request_json_malformed", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "auth_token_*", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "permission_denied", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such org, or outside the caller's scope", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "request_unsupported_media_type", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "request_json_invalid or validation_failed (appraisal_name_invalid, appraisal_period_invalid, appraisal_schedule_invalid, appraisal_list_invalid, appraisal_share_invalid, appraisal_meeting_invalid), appraisal_org_invalid, appraisal_no_participants", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "database_unavailable or cache_unavailable", body = Problem, content_type = "application/problem+json"),
        (status = 500, description = "Unexpected error", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/api/v1/orgs/{id}/appraisals")]
pub async fn open_appraisal(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<Uuid>,
    body: Json<OpenCampaign>,
) -> Result<HttpResponse, ApiError> {
    let b = body.into_inner();
    let period = Period::parse(&b.period).ok_or_else(|| {
        ApiError::validation(vec![FieldError::new(
            "/period",
            ErrorCode::AppraisalPeriodInvalid,
            "a half year (2027-H1) or a year (2027)",
        )])
    })?;
    let list = |l: Option<Vec<ListItem>>| l.map(|items| items.into_iter().map(|i| i.0).collect());
    let new = NewCampaign {
        name: b.name,
        period,
        meeting_id: b.meeting_id.map(ActivityId::from_uuid),
        stages: b.stages.to_domain(),
        peer_scope: b
            .peer_scope
            .map_or(domain::appraisal::PeerScope::Branch, Into::into),
        positive_list: list(b.positive_list),
        negative_list: list(b.negative_list),
        excellent_share: b
            .excellent_share
            .and_then(|s| Share::new(s.numerator, s.denominator))
            .unwrap_or(Share::ONE_THIRD),
    };
    let c = service::open_campaign(
        &write_context(&state, &user, &req),
        OrgId::from_uuid(*id),
        new,
    )
    .await?;
    Ok(HttpResponse::Created()
        .insert_header(("Location", format!("/api/v1/appraisals/{}", c.id)))
        .json(CampaignView::at(&c, state.clock.now())))
}
