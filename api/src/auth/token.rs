//! Access tokens: HS256 JWTs with `iss`, `aud`, `sub`, `exp`, `nbf`, `iat`, `jti`, `typ`
//! (and `sid`, the session family, when a refresh token backs them). Time comes from the
//! application's clock, not from the library's reading of the system clock.

use domain::error::ErrorCode;
use std::time::Duration;

use chrono::{DateTime, Utc};
use jsonwebtoken::errors::ErrorKind;
use jsonwebtoken::{Algorithm, Header, Validation};
use serde::{Deserialize, Serialize};

use super::keys::KeyRing;
use crate::error::ApiError;
use domain::auth::{Principal, PrincipalKind, SessionFamilyId};
use domain::org::MemberId;

pub const TYP_ACCESS: &str = "access";
/// Opaque refresh tokens start with this, so one presented as an access token is named.
pub const REFRESH_PREFIX: &str = "rt1.";
/// The longest an access token may live.
pub const MAX_ACCESS_TTL: Duration = Duration::from_secs(15 * 60);
pub const LEEWAY_SECS: i64 = 5;

#[derive(Debug, Clone)]
pub struct TokenConfig {
    pub issuer: String,
    pub audience: String,
    pub access_ttl: Duration,
    pub refresh_ttl: Duration,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccessClaims {
    pub iss: String,
    pub aud: String,
    pub sub: String,
    pub exp: i64,
    pub nbf: i64,
    pub iat: i64,
    pub jti: String,
    pub typ: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sid: Option<String>,
    /// Whose token: absent for a member (as every token minted before residents existed),
    /// `resident` for a resident.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub principal: Option<String>,
}

impl AccessClaims {
    /// The session family the token belongs to, if it was minted for one.
    pub fn session(&self) -> Option<uuid::Uuid> {
        self.sid
            .as_deref()
            .and_then(|s| uuid::Uuid::parse_str(s).ok())
    }

    /// Who the token names: `sub` as a member or a resident, as `principal` says (an unknown
    /// principal or a `sub` that is no id is a malformed token).
    pub fn principal(&self) -> Result<Principal, AuthError> {
        let kind = match self.principal.as_deref() {
            None => PrincipalKind::Member,
            Some(raw) => PrincipalKind::parse(raw).ok_or(AuthError::Malformed)?,
        };
        let id = uuid::Uuid::parse_str(&self.sub).map_err(|_| AuthError::Malformed)?;
        Ok(Principal::of(kind, id))
    }

    /// The token's id, if it is a UUID.
    pub fn token_id(&self) -> Option<uuid::Uuid> {
        uuid::Uuid::parse_str(&self.jti).ok()
    }

    /// When the token was issued: to the millisecond from its time-ordered `jti`, else
    /// `iat`'s whole second.
    pub fn issued_at(&self) -> Option<DateTime<Utc>> {
        let precise = self
            .token_id()
            .and_then(|id| id.get_timestamp())
            .map(|ts| ts.to_unix())
            .and_then(|(secs, nanos)| DateTime::from_timestamp(i64::try_from(secs).ok()?, nanos))
            .filter(|t| t.timestamp() == self.iat);
        precise.or_else(|| DateTime::from_timestamp(self.iat, 0))
    }
}

/// Why a bearer token was refused: each answers 401 with its own code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthError {
    Missing,
    Malformed,
    AlgorithmNotAllowed,
    UnknownKey,
    BadSignature,
    Expired,
    NotYetValid,
    WrongAudience,
    WrongIssuer,
    WrongType,
    Revoked,
    MemberInactive,
}

impl AuthError {
    pub fn code(self) -> ErrorCode {
        match self {
            AuthError::Missing => ErrorCode::AuthTokenMissing,
            AuthError::Malformed => ErrorCode::AuthTokenMalformed,
            AuthError::AlgorithmNotAllowed => ErrorCode::AuthTokenAlgorithmNotAllowed,
            AuthError::UnknownKey => ErrorCode::AuthTokenUnknownKey,
            AuthError::BadSignature => ErrorCode::AuthTokenBadSignature,
            AuthError::Expired => ErrorCode::AuthTokenExpired,
            AuthError::NotYetValid => ErrorCode::AuthTokenNotYetValid,
            AuthError::WrongAudience => ErrorCode::AuthTokenWrongAudience,
            AuthError::WrongIssuer => ErrorCode::AuthTokenWrongIssuer,
            AuthError::WrongType => ErrorCode::AuthTokenWrongType,
            AuthError::Revoked => ErrorCode::AuthTokenRevoked,
            AuthError::MemberInactive => ErrorCode::AuthMemberInactive,
        }
    }

    pub const ALL: &'static [AuthError] = &[
        AuthError::Missing,
        AuthError::Malformed,
        AuthError::AlgorithmNotAllowed,
        AuthError::UnknownKey,
        AuthError::BadSignature,
        AuthError::Expired,
        AuthError::NotYetValid,
        AuthError::WrongAudience,
        AuthError::WrongIssuer,
        AuthError::WrongType,
        AuthError::Revoked,
        AuthError::MemberInactive,
    ];
}

impl From<AuthError> for ApiError {
    fn from(e: AuthError) -> Self {
        ApiError::unauthorized(e.code())
    }
}

/// Mints an access token for `member` valid from `now` for `ttl` (at most 15 minutes).
pub fn mint(
    keys: &KeyRing,
    cfg: &TokenConfig,
    member: MemberId,
    session: Option<SessionFamilyId>,
    now: DateTime<Utc>,
    ttl: Duration,
) -> Result<(String, AccessClaims), ApiError> {
    mint_for(keys, cfg, Principal::Member(member), session, now, ttl)
}

/// Mints an access token for `principal` (a member or a resident) valid from `now` for
/// `ttl` (at most 15 minutes).
pub fn mint_for(
    keys: &KeyRing,
    cfg: &TokenConfig,
    principal: Principal,
    session: Option<SessionFamilyId>,
    now: DateTime<Utc>,
    ttl: Duration,
) -> Result<(String, AccessClaims), ApiError> {
    let ttl = ttl.min(MAX_ACCESS_TTL);
    let iat = now.timestamp();
    let claims = AccessClaims {
        iss: cfg.issuer.clone(),
        aud: cfg.audience.clone(),
        sub: principal.id().to_string(),
        exp: iat + i64::try_from(ttl.as_secs()).unwrap_or(0),
        nbf: iat,
        iat,
        // Time-ordered, so the token's issue instant is known to the millisecond (`iat` has
        // whole seconds): revoking a member's sessions at an instant refuses exactly the
        // tokens issued up to it.
        jti: uuid::Uuid::new_v7(uuid::Timestamp::from_unix(
            uuid::NoContext,
            u64::try_from(iat).unwrap_or(0),
            now.timestamp_subsec_nanos(),
        ))
        .to_string(),
        typ: TYP_ACCESS.to_owned(),
        sid: session.map(|s| s.to_string()),
        principal: match principal {
            Principal::Member(_) => None,
            Principal::Resident(_) => Some(PrincipalKind::Resident.as_str().to_owned()),
        },
    };
    let (kid, key) = keys.signing();
    let mut header = Header::new(Algorithm::HS256);
    header.kid = Some(kid.to_owned());
    let token = jsonwebtoken::encode(&header, &claims, key).map_err(ApiError::internal)?;
    Ok((token, claims))
}

fn header_alg(token: &str) -> Option<String> {
    use base64::Engine;
    let segment = token.split('.').next()?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(segment.trim_end_matches('='))
        .ok()?;
    let header: serde_json::Value = serde_json::from_slice(&bytes).ok()?;
    header.get("alg")?.as_str().map(str::to_owned)
}

/// Verifies signature, algorithm, key, issuer, audience, type and time (with 5 s leeway).
pub fn verify(
    keys: &KeyRing,
    cfg: &TokenConfig,
    token: &str,
    now: DateTime<Utc>,
) -> Result<AccessClaims, AuthError> {
    if token.starts_with(REFRESH_PREFIX) {
        return Err(AuthError::WrongType);
    }
    // The algorithm is judged from the raw header first: a library that cannot even name
    // `none` would otherwise report it as a malformed token.
    match header_alg(token) {
        None => return Err(AuthError::Malformed),
        Some(alg) if alg != "HS256" => return Err(AuthError::AlgorithmNotAllowed),
        Some(_) => {}
    }
    let header = jsonwebtoken::decode_header(token).map_err(|e| match e.kind() {
        ErrorKind::InvalidAlgorithmName | ErrorKind::UnsupportedAlgorithm => {
            AuthError::AlgorithmNotAllowed
        }
        _ => AuthError::Malformed,
    })?;
    if header.alg != Algorithm::HS256 {
        return Err(AuthError::AlgorithmNotAllowed);
    }
    let kid = header.kid.ok_or(AuthError::UnknownKey)?;
    let key = keys.decoding(&kid).ok_or(AuthError::UnknownKey)?;
    let mut validation = Validation::new(Algorithm::HS256);
    validation.validate_exp = false;
    validation.validate_nbf = false;
    validation.set_required_spec_claims(&["exp", "nbf", "iss", "aud", "sub"]);
    validation.set_issuer(&[&cfg.issuer]);
    validation.set_audience(&[&cfg.audience]);
    let data =
        jsonwebtoken::decode::<AccessClaims>(token, key, &validation).map_err(|e| {
            match e.kind() {
                ErrorKind::InvalidSignature => AuthError::BadSignature,
                ErrorKind::InvalidAudience => AuthError::WrongAudience,
                ErrorKind::InvalidIssuer => AuthError::WrongIssuer,
                ErrorKind::InvalidAlgorithm | ErrorKind::InvalidAlgorithmName => {
                    AuthError::AlgorithmNotAllowed
                }
                _ => AuthError::Malformed,
            }
        })?;
    let claims = data.claims;
    if claims.typ != TYP_ACCESS {
        return Err(AuthError::WrongType);
    }
    let now = now.timestamp();
    if claims.exp + LEEWAY_SECS < now {
        return Err(AuthError::Expired);
    }
    if claims.nbf - LEEWAY_SECS > now {
        return Err(AuthError::NotYetValid);
    }
    Ok(claims)
}
