//! Sessions: refresh tokens are opaque, stored as SHA-256, rotated on every use. Reusing a
//! spent one revokes its whole family, except a repeat within 30 s (a weak network
//! resending the same request), which answers the same new pair. Logout and a detected
//! reuse end the whole session (every access token carrying its `sid`, and its refresh
//! tokens) in the database, which every instance reads with each token it checks.

use domain::error::ErrorCode;
use std::time::Duration;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use utoipa::ToSchema;

use super::token::{mint_for, AccessClaims, REFRESH_PREFIX};
use crate::error::ApiError;
use crate::state::AppState;
use domain::auth::{Principal, RefreshToken, RefreshTokenId, RefreshTokenRepo, SessionFamilyId};
use domain::org::Member;
use domain::uow::Transactional;
use domain::volunteer::{Resident, ResidentRepo};

/// How long a repeated refresh answers the pair the first one got.
pub const GRACE: Duration = Duration::from_secs(30);

/// An access token and, for sessions, the refresh token that renews it.
#[derive(Clone, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct TokenPair {
    /// A JWT for `Authorization: Bearer …`.
    pub access_token: String,
    /// Always `Bearer`.
    #[schema(example = "Bearer")]
    pub token_type: String,
    /// Seconds until the access token expires.
    #[schema(example = 900)]
    pub expires_in: u64,
    /// Opaque; exchange it once at `/api/v1/auth/refresh` for a new pair.
    pub refresh_token: String,
}

impl std::fmt::Debug for TokenPair {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenPair")
            .field("expires_in", &self.expires_in)
            .finish_non_exhaustive()
    }
}

fn grace_key(hash: &str) -> String {
    format!("auth:refresh:grace:{hash}")
}

fn hash(token: &str) -> String {
    Sha256::digest(token.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn new_refresh_token() -> Result<String, ApiError> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| ApiError::internal(e.to_string()))?;
    Ok(format!("{REFRESH_PREFIX}{}", URL_SAFE_NO_PAD.encode(bytes)))
}

fn refused(code: ErrorCode) -> ApiError {
    ApiError::unauthorized(code)
}

/// Issues a refresh token of `family` and an access token bound to it, inside `uow`.
async fn issue(
    state: &AppState,
    refresh_tokens: &dyn RefreshTokenRepo,
    principal: Principal,
    family: SessionFamilyId,
) -> Result<TokenPair, ApiError> {
    let now = state.clock.now();
    let refresh = new_refresh_token()?;
    let ttl = chrono::Duration::from_std(state.tokens.refresh_ttl).map_err(ApiError::internal)?;
    refresh_tokens
        .insert(&RefreshToken {
            id: RefreshTokenId::at(now),
            family_id: family,
            principal,
            token_hash: hash(&refresh),
            created_at: now,
            expires_at: now + ttl,
            used_at: None,
            revoked_at: None,
        })
        .await?;
    let (access, claims) = mint_for(
        &state.keys,
        &state.tokens,
        principal,
        Some(family),
        now,
        state.tokens.access_ttl,
    )?;
    Ok(TokenPair {
        access_token: access,
        token_type: "Bearer".to_owned(),
        expires_in: u64::try_from(claims.exp - claims.iat).unwrap_or(0),
        refresh_token: refresh,
    })
}

/// Starts a new session (a new refresh family) for an active member.
pub async fn start_session(state: &AppState, member: &Member) -> Result<TokenPair, ApiError> {
    start(state, Principal::Member(member.id)).await
}

/// Starts a new session (a new refresh family) for a resident.
pub async fn start_resident_session(
    state: &AppState,
    resident: &Resident,
) -> Result<TokenPair, ApiError> {
    start(state, Principal::Resident(resident.id)).await
}

async fn start(state: &AppState, principal: Principal) -> Result<TokenPair, ApiError> {
    let uow = state.db.begin().await?;
    let pair = issue(
        state,
        uow.refresh_tokens(),
        principal,
        SessionFamilyId::at(state.clock.now()),
    )
    .await?;
    uow.commit().await?;
    Ok(pair)
}

/// Refuses a refresh token whose principal may no longer renew it: the same record access
/// tokens are checked against (the family ended, or every session of the principal ended
/// after this token was issued), and a member no longer active or a resident whose openid
/// is now a member's.
async fn check_principal(state: &AppState, row: &RefreshToken) -> Result<(), ApiError> {
    let repos = state.db.repos();
    let family = Some(row.family_id.as_uuid());
    match row.principal {
        Principal::Member(member) => {
            match RefreshTokenRepo::caller(&repos, member, family, None, row.created_at).await? {
                Some(c) if !c.member.is_active() => {
                    Err(ApiError::from(super::token::AuthError::MemberInactive))
                }
                None => Err(ApiError::from(super::token::AuthError::MemberInactive)),
                Some(c) if c.revoked => Err(refused(ErrorCode::AuthRefreshRevoked)),
                Some(_) => Ok(()),
            }
        }
        Principal::Resident(resident) => {
            match ResidentRepo::caller(&repos, resident, family, None, row.created_at).await? {
                Some(c) if !c.revoked => Ok(()),
                _ => Err(refused(ErrorCode::AuthRefreshRevoked)),
            }
        }
    }
}

/// Ends the session `family` of `principal` inside `uow`.
async fn end_family(
    uow: &dyn domain::uow::UnitOfWork,
    principal: Principal,
    family: SessionFamilyId,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<(), ApiError> {
    match principal {
        Principal::Member(member) => {
            uow.refresh_tokens()
                .revoke_family(family, member, now)
                .await?
        }
        Principal::Resident(resident) => uow.residents().end_session(family, resident, now).await?,
    }
    Ok(())
}

/// Exchanges a refresh token for a new pair (see the module's rules).
pub async fn refresh(state: &AppState, presented: &str) -> Result<TokenPair, ApiError> {
    let token_hash = hash(presented);
    let now = state.clock.now();
    let repos = state.db.repos();
    let row = repos
        .find_by_hash(&token_hash)
        .await?
        .ok_or_else(|| refused(ErrorCode::AuthRefreshInvalid))?;
    if row.revoked_at.is_some() {
        return Err(refused(ErrorCode::AuthRefreshRevoked));
    }
    if row.expires_at <= now {
        return Err(refused(ErrorCode::AuthRefreshExpired));
    }
    check_principal(state, &row).await?;

    let uow = state.db.begin().await?;
    if uow.refresh_tokens().mark_used(row.id, now).await? {
        let pair = issue(state, uow.refresh_tokens(), row.principal, row.family_id).await?;
        uow.commit().await?;
        let cached = serde_json::to_vec(&pair).map_err(ApiError::internal)?;
        if let Err(e) = state
            .cache
            .set(&grace_key(&token_hash), &cached, Some(GRACE))
            .await
        {
            tracing::warn!(error = %e, "refresh grace entry not cached; a resend will revoke the session");
        }
        return Ok(pair);
    }
    uow.rollback().await?;

    // Spent already. A resend within the grace window gets the same pair (the first
    // exchange may still be caching it, so wait briefly); anything else is theft.
    let used_at = repos
        .find_by_hash(&token_hash)
        .await?
        .and_then(|t| t.used_at)
        .unwrap_or(now);
    let within_grace = now.signed_duration_since(used_at).num_milliseconds()
        <= i64::try_from(GRACE.as_millis()).unwrap_or(i64::MAX);
    if within_grace {
        for _ in 0..20 {
            if let Some(bytes) = state.cache.get(&grace_key(&token_hash)).await? {
                return serde_json::from_slice(&bytes).map_err(ApiError::internal);
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
    let uow = state.db.begin().await?;
    end_family(uow.as_ref(), row.principal, row.family_id, now).await?;
    uow.commit().await?;
    tracing::warn!(family = %row.family_id, "spent refresh token reused: session revoked");
    Err(refused(ErrorCode::AuthRefreshReused))
}

/// Ends the caller's session on every instance: every access token of its family and its
/// refresh tokens (a member's token minted without a session: that token).
pub async fn logout(state: &AppState, claims: &AccessClaims) -> Result<(), ApiError> {
    let principal = claims.principal()?;
    let now = state.clock.now();
    let uow = state.db.begin().await?;
    match (principal, claims.session()) {
        (principal, Some(family)) => {
            end_family(
                uow.as_ref(),
                principal,
                SessionFamilyId::from_uuid(family),
                now,
            )
            .await?
        }
        (Principal::Member(member), None) => {
            let jti = claims
                .token_id()
                .ok_or(super::token::AuthError::Malformed)?;
            uow.refresh_tokens().revoke_token(jti, member, now).await?
        }
        // Residents' tokens are only ever minted for a session.
        (Principal::Resident(_), None) => return Err(super::token::AuthError::Malformed.into()),
    }
    uow.commit().await?;
    Ok(())
}
