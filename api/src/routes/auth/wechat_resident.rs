//! Signing in as a resident (群众): a WeChat user who is not on the roster, after sign-in
//! answered `binding_required`, files 96345 requests under their own session.

use actix_web::{post, web, HttpRequest};
use domain::auth::{ExternalIdentityRepo, WeChatSignIn, WECHAT_PROVIDER};
use domain::error::{ErrorCode, FieldError};
use domain::org::{Member, MemberRepo};
use domain::volunteer::{sign_in_resident, Resident, ResidentPhone, ResidentSignIn};
use serde::Deserialize;
use utoipa::ToSchema;

use super::{binding, ticket, wechat};
use crate::auth::session::{self, TokenPair};
use crate::error::{ApiError, Problem};
use crate::extract::{Json, Validate};
use crate::state::AppState;

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ResidentSignInRequest {
    /// The ticket from sign-in (single use, five minutes).
    #[schema(min_length = 1, max_length = 128, pattern = "visible-ascii")]
    pub ticket: String,
    /// The code from the mini-program's `getPhoneNumber` button (single use): WeChat
    /// vouches for the phone. Either this, or `phone` and `phoneConfirm`.
    #[schema(min_length = 1, max_length = 128, pattern = "visible-ascii")]
    pub phone_code: Option<String>,
    /// A mainland mobile number typed in (with `phoneConfirm`, the same number again).
    #[schema(pattern = "phone", example = "13800000001")]
    pub phone: Option<String>,
    /// `phone` typed a second time; it must be the same number (it may be written
    /// differently, e.g. `+86 138 0000 0001`).
    #[schema(pattern = "phone", example = "13800000001")]
    pub phone_confirm: Option<String>,
    /// How the resident likes to be addressed (称呼), e.g. 王阿姨.
    #[schema(
        min_length = 1,
        max_length = 32,
        pattern = "printable",
        example = "王阿姨"
    )]
    pub name: Option<String>,
}

impl std::fmt::Debug for ResidentSignInRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ResidentSignInRequest { .. }")
    }
}

impl ResidentSignInRequest {
    /// The typed phone, when the body gives one (`validate` has checked it).
    fn typed_phone(&self) -> Option<Result<ResidentPhone, Vec<FieldError>>> {
        match (&self.phone, &self.phone_confirm) {
            (Some(phone), Some(confirm)) => Some(ResidentPhone::typed(phone, confirm)),
            _ => None,
        }
    }
}

impl Validate for ResidentSignInRequest {
    fn validate(&self) -> Result<(), Vec<FieldError>> {
        let mut errors = Vec::new();
        if !crate::http::schema::visible_ascii(&self.ticket, 128) {
            errors.push(FieldError::new(
                "/ticket",
                ErrorCode::WechatTicketInvalid,
                "ticket must be 1-128 visible ASCII characters",
            ));
        }
        let typed = self.phone.is_some() || self.phone_confirm.is_some();
        match (&self.phone_code, typed) {
            (Some(code), false) => {
                if !crate::http::schema::visible_ascii(code, 128) {
                    errors.push(FieldError::new(
                        "/phoneCode",
                        ErrorCode::WechatPhoneCodeInvalid,
                        "phoneCode must be 1-128 visible ASCII characters",
                    ));
                }
            }
            (None, true) if self.phone.is_some() && self.phone_confirm.is_some() => {
                if let Some(Err(e)) = self.typed_phone() {
                    errors.extend(e);
                }
            }
            _ => errors.push(FieldError::new(
                "",
                ErrorCode::ResidentPhoneSourceInvalid,
                "give either phoneCode, or phone and phoneConfirm",
            )),
        }
        if let Some(name) = &self.name {
            if let Err(e) = Resident::validate_name(name) {
                errors.push(e);
            }
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }
}

/// Signs the WeChat account behind `ticket` in as a resident, creating the resident the
/// first time (one per account). The phone is either vouched for by WeChat (`phoneCode`)
/// or typed twice (`phone`, `phoneConfirm`). An account bound to a roster member, or a
/// phone WeChat vouches for that is on the roster, is refused: that person signs in as the
/// member (the ticket is then left usable for `bind-phone`). The ticket is spent only when
/// the resident is signed in.
#[utoipa::path(
    tag = "auth",
    operation_id = "wechatResidentSignIn",
    security(()),
    request_body = ResidentSignInRequest,
    responses(
        (status = 200, description = "Signed in as a resident: a session like a member's", body = TokenPair),
        (status = 400, description = "request_json_malformed", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "wechat_ticket_invalid (unknown, expired or used), wechat_phone_code_invalid, or wechat_phone_wrong_app (the phone code was issued to another mini-program)", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "wechat_account_is_member, wechat_phone_on_roster or resource_conflict (the same account signed in twice at once: try again)", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "request_unsupported_media_type", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "request_json_invalid or validation_failed (resident_phone_source_invalid, phone_invalid, phone_not_mainland, resident_phone_mismatch, resident_name_invalid, wechat_ticket_invalid, wechat_phone_code_invalid)", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "wechat_rate_limited (with Retry-After) or rate_limited (with Retry-After and RateLimit)", body = Problem, content_type = "application/problem+json", headers(("Retry-After" = u64, description = "Seconds until another attempt may succeed"), ("RateLimit-Policy" = String, description = "The limit that was hit: name, quota (q) and window in seconds (w)"), ("RateLimit" = String, description = "Remaining quota (r) and seconds until it resets (t)"))),
        (status = 502, description = "wechat_unavailable: WeChat timed out or answered something unexpected", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "wechat_not_configured, wechat_busy (with Retry-After), database_unavailable or cache_unavailable", body = Problem, content_type = "application/problem+json"),
        (status = 500, description = "Unexpected error", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/api/v1/auth/wechat/resident")]
pub async fn wechat_resident_sign_in(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: Json<ResidentSignInRequest>,
) -> Result<web::Json<TokenPair>, ApiError> {
    let b = body.into_inner();
    let sign_in = wechat::configured(&state)?;
    binding::limit_attempts(&state, &req, &b.ticket).await?;
    // Only looked at until the resident is signed in: a phone on the roster leaves the
    // ticket for binding the member.
    let openid = ticket::peek(&state, &b.ticket).await?;
    let repos = state.db.repos();
    if ExternalIdentityRepo::find(&repos, WECHAT_PROVIDER, &openid)
        .await?
        .is_some()
    {
        return Err(account_is_member());
    }
    let phone = match (&b.phone_code, b.typed_phone()) {
        (Some(code), _) => vouched_phone(&state, sign_in, code).await?,
        (None, Some(typed)) => typed.map_err(ApiError::validation)?,
        (None, None) => {
            return Err(ApiError::validation(vec![FieldError::new(
                "",
                ErrorCode::ResidentPhoneSourceInvalid,
                "give either phoneCode, or phone and phoneConfirm",
            )]))
        }
    };
    let name = b
        .name
        .as_deref()
        .map(Resident::validate_name)
        .transpose()
        .map_err(|e| ApiError::validation(vec![e]))?;
    let spent = ticket::take_ticket(&state, &b.ticket).await?;
    let input = ResidentSignIn {
        openid: spent.openid().to_owned(),
        seen_at: spent.issued_at(),
        phone,
        name,
    };
    let resident = match sign_in_resident(&state.db, input, state.clock.now()).await {
        Ok(resident) => resident,
        Err(e) => {
            ticket::give_back(&state, &spent).await;
            return Err(e.into());
        }
    };
    let tokens = session::start_resident_session(&state, &resident).await?;
    Ok(web::Json(tokens))
}

fn account_is_member() -> ApiError {
    ApiError::new(ErrorCode::WechatAccountIsMember).with_detail(
        "this WeChat account is bound to a Party member: sign in again for the member's session",
    )
}

/// The phone WeChat vouches for behind `phone_code`, refused when an active roster member
/// has it (they bind as the member) or it is not a mainland number.
async fn vouched_phone(
    state: &AppState,
    sign_in: &dyn WeChatSignIn,
    phone_code: &str,
) -> Result<ResidentPhone, ApiError> {
    let phone = sign_in
        .phone_number(phone_code)
        .await
        .map_err(wechat::phone_failure)?;
    let number = phone.roster_number().ok_or_else(|| {
        ApiError::validation(vec![FieldError::new(
            "/phoneCode",
            ErrorCode::PhoneNotMainland,
            "only mainland China mobile numbers are accepted; type the number instead",
        )])
    })?;
    let on_roster = MemberRepo::find_by_phone(&state.db.repos(), &number)
        .await?
        .filter(Member::is_active)
        .is_some();
    if on_roster {
        return Err(ApiError::new(ErrorCode::WechatPhoneOnRoster).with_detail(
            "this phone is on the Party roster: bind it as the member with the same ticket at /api/v1/auth/wechat/bind-phone",
        ));
    }
    Ok(ResidentPhone::vouched(number))
}
