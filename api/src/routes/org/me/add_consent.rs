//! Recording the caller's consent to a WeChat subscribe-message template (one consent =
//! one message, as WeChat counts them), after `wx.requestSubscribeMessage` says "accept".

use actix_web::http::StatusCode;
use actix_web::{post, web, HttpRequest, HttpResponse};
use domain::error::ErrorCode;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::dto::SubscriptionView;
use crate::auth::AuthUser;
use crate::error::{ApiError, Problem};
use crate::extract::{Json, Validate};
use crate::http::idempotency;
use crate::state::AppState;
use domain::error::FieldError;
use domain::push::{Subscription, SubscriptionRepo};

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ConsentRequest {
    /// The subscribe-message template the member accepted.
    #[schema(
        min_length = 1,
        max_length = 64,
        pattern = "^[A-Za-z0-9_-]+$",
        example = "tmpl_material_push"
    )]
    pub template_id: String,
}

impl Validate for ConsentRequest {
    fn validate(&self) -> Result<(), Vec<FieldError>> {
        Subscription::validate_template_id(&self.template_id)
            .map(|_| ())
            .map_err(|e| vec![e])
    }
}

/// Records one consent: the template's balance grows by one. Accepts `Idempotency-Key`, so a
/// retried request on a weak network counts once.
#[utoipa::path(
    tag = "me",
    operation_id = "addSubscriptionConsent",
    security(("bearerAuth" = [])),
    request_body = ConsentRequest,
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes a retry count once (kept 24 h)")),
    responses(
        (status = 200, description = "The template's balance after this consent", body = SubscriptionView),
        (status = 400, description = "request_json_malformed or idempotency_key_invalid", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "auth_token_*", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "idempotency_request_in_flight", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "request_unsupported_media_type", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "request_json_invalid, validation_failed (subscription_template_invalid, subscription_template_unknown) or idempotency_key_reused", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "database_unavailable", body = Problem, content_type = "application/problem+json"),
        (status = 500, description = "Unexpected error", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/api/v1/me/subscriptions")]
pub async fn add_consent(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: AuthUser,
    body: Json<ConsentRequest>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    let t = &state.push.templates;
    if t.any() && !t.contains(&body.template_id) {
        // A consent to a template we never send would only sit there.
        return Err(domain::DomainError::invalid(
            "/templateId",
            ErrorCode::SubscriptionTemplateUnknown,
            "not one of this mini-program's subscribe-message templates",
        )
        .into());
    }
    idempotency::run(&state, &req, user.member.id, &body, async {
        let balance = state
            .db
            .repos()
            .add_consent(user.member.id, &body.template_id, state.clock.now())
            .await?;
        let json = serde_json::to_string(&SubscriptionView {
            template_id: body.template_id.clone(),
            balance,
        })
        .map_err(ApiError::internal)?;
        Ok((StatusCode::OK, None, json))
    })
    .await
}
