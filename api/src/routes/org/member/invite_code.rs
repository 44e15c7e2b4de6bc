use actix_web::{post, web, HttpRequest, HttpResponse};
use chrono::{DateTime, FixedOffset};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::auth::AuthUser;
use crate::error::{ApiError, Problem};
use crate::http::invite::invite_key;
use crate::http::throttle;
use crate::http::time::beijing;
use crate::routes::write_context;
use crate::state::AppState;
use domain::org::{service, MemberId};

/// How long an invite code may be used.
pub const INVITE_TTL_HOURS: i64 = 72;
/// Letters and digits that cannot be mistaken for one another when read aloud or typed.
const ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789";

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct InviteCode {
    /// Give it to the member; they enter it once in the mini-program to bind their WeChat.
    #[schema(example = "K7PX3M9Q")]
    pub invite_code: String,
    pub expires_at: DateTime<FixedOffset>,
}

fn mint() -> Result<String, ApiError> {
    let mut raw = [0u8; 8];
    getrandom::fill(&mut raw).map_err(|e| ApiError::internal(e.to_string()))?;
    Ok(raw
        .iter()
        .map(|b| char::from(ALPHABET[usize::from(*b) % ALPHABET.len()]))
        .collect())
}

/// Issues a one-time invite code (72 h) with which a member binds their WeChat account.
/// Secretaries and township admins covering the member; audited.
#[utoipa::path(
    tag = "members",
    operation_id = "issueInviteCode",
    security(("bearerAuth" = [])),
    params(("id" = Uuid, Path, description = "The member")),
    responses(
        (status = 201, description = "The code", body = InviteCode),
        (status = 401, description = "auth_token_*", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "permission_denied", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such member, or outside the caller's scope", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "member_inactive", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "rate_limited (with Retry-After and RateLimit)", body = Problem, content_type = "application/problem+json", headers(("Retry-After" = u64, description = "Seconds until another attempt may succeed"), ("RateLimit-Policy" = String, description = "The limit that was hit: name, quota (q) and window in seconds (w)"), ("RateLimit" = String, description = "Remaining quota (r) and seconds until it resets (t)"))),
        (status = 503, description = "database_unavailable or cache_unavailable", body = Problem, content_type = "application/problem+json"),
        (status = 500, description = "Unexpected error", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/api/v1/members/{id}/invite-code")]
pub async fn issue_invite_code(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    throttle::check(
        &state,
        throttle::INVITE_PER_MEMBER,
        &user.member.id.to_string(),
    )
    .await?;
    throttle::check_ip(&state, throttle::INVITE_PER_IP, &req).await?;
    let member = service::issue_invite_code(
        &write_context(&state, &user, &req),
        MemberId::from_uuid(*id),
    )
    .await?;
    let code = mint()?;
    let ttl = chrono::Duration::hours(INVITE_TTL_HOURS);
    let secs = u64::try_from(ttl.num_seconds()).unwrap_or(0);
    state
        .cache
        .set(
            &invite_key(&code),
            member.id.as_uuid().to_string().as_bytes(),
            Some(std::time::Duration::from_secs(secs)),
        )
        .await?;
    Ok(HttpResponse::Created()
        .insert_header(("Cache-Control", "no-store"))
        .json(InviteCode {
            invite_code: code,
            expires_at: beijing(state.clock.now() + ttl),
        }))
}
