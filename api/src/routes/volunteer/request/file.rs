//! Filing a service request.

use actix_web::http::StatusCode;
use actix_web::{post, web, HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::caller_context;
use super::dto::{ServiceKind, ServiceRequestView, ServiceUrgency};
use crate::auth::Caller;
use crate::error::{ApiError, Problem};
use crate::extract::Json;
use crate::http::idempotency;
use crate::state::AppState;
use domain::org::OrgId;
use domain::volunteer::request::RequestDraft;
use domain::volunteer::service;

#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct FileServiceRequest {
    /// The township to ask (a resident names it; a member's is their own, and naming
    /// another answers 404).
    #[serde(default)]
    pub committee_id: Option<Uuid>,
    pub kind: ServiceKind,
    /// Default `normal`.
    #[serde(default)]
    pub urgency: Option<ServiceUrgency>,
    #[schema(
        min_length = 1,
        max_length = 40,
        pattern = "printable",
        example = "帮忙代购降压药"
    )]
    pub title: String,
    #[schema(
        min_length = 1,
        max_length = 1000,
        pattern = "lines",
        example = "腿脚不便，需要有人帮忙到卫生院代购降压药。"
    )]
    pub description: String,
    #[schema(
        min_length = 1,
        max_length = 100,
        pattern = "printable",
        example = "盖北镇新舍村12号"
    )]
    pub address: String,
    #[schema(
        min_length = 1,
        max_length = 20,
        pattern = "printable",
        example = "王阿婆"
    )]
    pub contact_name: String,
    /// An 11-digit mainland mobile number (spaces, dashes and +86 allowed).
    #[schema(pattern = "phone", example = "13800005678")]
    pub contact_phone: String,
    #[serde(default)]
    #[schema(
        min_length = 1,
        max_length = 50,
        pattern = "printable",
        example = "周六上午"
    )]
    pub preferred_time: Option<String>,
    /// Beneficiary tags, at most 5: `elderly_alone` 独居老人, `elderly` 高龄老人, `disabled`
    /// 残疾人, `left_behind_child` 留守儿童, `hardship` 困难家庭, `seriously_ill` 重病患者,
    /// `veteran` 退役军人, `other` 其他.
    #[serde(default)]
    #[schema(max_items = 5, inline)]
    pub tags: Vec<BeneficiaryTag>,
    /// Photo links, at most 9.
    #[serde(default)]
    #[schema(max_items = 9)]
    pub photos: Vec<PhotoLink>,
}

/// A beneficiary tag.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum BeneficiaryTag {
    ElderlyAlone,
    Elderly,
    Disabled,
    LeftBehindChild,
    Hardship,
    SeriouslyIll,
    Veteran,
    Other,
}

impl BeneficiaryTag {
    fn key(self) -> &'static str {
        match self {
            BeneficiaryTag::ElderlyAlone => "elderly_alone",
            BeneficiaryTag::Elderly => "elderly",
            BeneficiaryTag::Disabled => "disabled",
            BeneficiaryTag::LeftBehindChild => "left_behind_child",
            BeneficiaryTag::Hardship => "hardship",
            BeneficiaryTag::SeriouslyIll => "seriously_ill",
            BeneficiaryTag::Veteran => "veteran",
            BeneficiaryTag::Other => "other",
        }
    }
}

/// An https link to a photo.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[serde(transparent)]
#[schema(value_type = String, min_length = 9, max_length = 500, pattern = "https-url", example = "https://img.example.cn/a.jpg")]
pub struct PhotoLink(pub String);

impl crate::extract::Validate for FileServiceRequest {
    fn validate(&self) -> Result<(), Vec<domain::error::FieldError>> {
        Ok(())
    }
}

impl FileServiceRequest {
    pub fn draft(&self) -> RequestDraft {
        RequestDraft {
            kind: domain::volunteer::ServiceKind::from(self.kind)
                .as_str()
                .to_owned(),
            urgency: self
                .urgency
                .map(|u| domain::volunteer::Urgency::from(u).as_str().to_owned()),
            title: self.title.clone(),
            description: self.description.clone(),
            address: self.address.clone(),
            contact_name: self.contact_name.clone(),
            contact_phone: self.contact_phone.clone(),
            preferred_time: self.preferred_time.clone(),
            tags: self.tags.iter().map(|t| t.key().to_owned()).collect(),
            photos: self.photos.iter().map(|p| p.0.clone()).collect(),
        }
    }
}

/// Files a 96345 request: a resident for themself (their text through WeChat's content
/// check: `risky` refused, `review` held for an operator), a member for a resident, a hotline operator for a caller without
/// WeChat (not content-checked, and marked so). A request describing a danger to life is
/// refused with `service_request_emergency`, whose title points to 110, 120 and 119.
#[utoipa::path(
    tag = "service-requests",
    operation_id = "fileServiceRequest",
    security(("bearerAuth" = [])),
    params(
        ("Idempotency-Key" = Option<String>, Header, description = "1-128 visible ASCII characters; a retry with the same key and body gets the first response (kept 24 h)"),
    ),
    request_body = FileServiceRequest,
    responses(
        (status = 201, description = "Filed; waiting to be dispatched", body = ServiceRequestView),
        (status = 400, description = "request_json_malformed or idempotency_key_invalid", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "auth_token_*", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "committeeId is no township, or a member named another township than theirs", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "idempotency_request_in_flight", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "request_unsupported_media_type", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "request_json_invalid, validation_failed (service_request_field_invalid, phone_invalid), service_request_emergency, service_request_content_risky, idempotency_key_reused", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "database_unavailable or cache_unavailable", body = Problem, content_type = "application/problem+json"),
        (status = 500, description = "Unexpected error", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/api/v1/service-requests")]
pub async fn file_service_request(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    body: Json<FileServiceRequest>,
) -> Result<HttpResponse, ApiError> {
    let b = body.into_inner();
    // A resident's keys live beside members' (ids never collide: both are random v7).
    let owner = match &caller {
        Caller::Member(m) => m.member.id,
        Caller::Resident(r) => domain::org::MemberId::from_uuid(r.resident.id.as_uuid()),
    };
    idempotency::run(&state, &req, owner, &b, async {
        let seen = service::file_request(
            &caller_context(&state, &caller, &req),
            b.committee_id.map(OrgId::from_uuid),
            &b.draft(),
        )
        .await?;
        let view = ServiceRequestView::of(&seen);
        let json = serde_json::to_string(&view).map_err(ApiError::internal)?;
        Ok((
            StatusCode::CREATED,
            Some(format!("/api/v1/service-requests/{}", view.id)),
            json,
        ))
    })
    .await
}
