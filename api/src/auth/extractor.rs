use std::future::Future;
use std::pin::Pin;

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{web, FromRequest, HttpRequest};

use super::token::{verify, AccessClaims, AuthError};
use crate::error::ApiError;
use crate::state::AppState;
use domain::auth::Principal;
use domain::auth::RefreshTokenRepo;
use domain::org::{Actor, ActorRole, Member, MemberId, MemberRepo, RoleGrant, RoleRepo};
use infra::near::{CachedPrincipal, Invalidation, REVOCATION_HORIZON};
use std::sync::Arc;

/// The authenticated caller: their member record and their roles as an [`Actor`].
#[derive(Debug, Clone)]
pub struct AuthUser {
    pub actor: Actor,
    pub member: Member,
    /// The caller's role grants, as loaded with them.
    pub grants: Vec<RoleGrant>,
    pub claims: AccessClaims,
}

impl FromRequest for AuthUser {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, ApiError>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let state = req.app_data::<web::Data<AppState>>().cloned();
        let header = req
            .headers()
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        Box::pin(async move {
            let state = state.ok_or_else(|| ApiError::internal("application state missing"))?;
            let token = bearer(header.as_deref())?;
            authenticate(&state, token).await
        })
    }
}

/// The token of an `Authorization: Bearer …` header (401 `auth_token_missing` without one).
pub(super) fn bearer(header: Option<&str>) -> Result<&str, AuthError> {
    header
        .and_then(|h| {
            h.strip_prefix("Bearer ")
                .or_else(|| h.strip_prefix("bearer "))
        })
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .ok_or(AuthError::Missing)
}

/// A resident's token where a member is required: they are signed in, but not as anyone
/// this endpoint serves.
pub(super) fn not_for_residents() -> ApiError {
    ApiError::forbidden()
        .with_detail("this endpoint is for Party members; residents may not use it")
}

/// Verifies `token` and loads the caller. Whether its session (or the token, or every
/// session of the member) was ended is read from the database in the same statement as the
/// member: the record survives a cache restart and costs no extra round trip.
pub async fn authenticate(state: &AppState, token: &str) -> Result<AuthUser, ApiError> {
    let claims = verify(&state.keys, &state.tokens, token, state.clock.now())?;
    authenticate_member(state, claims).await
}

/// Loads the member verified `claims` name; a resident's claims are refused with 403
/// `permission_denied` before anything is read.
///
/// While the near cache is trusted, the caller (member, roles and recent revocations) comes
/// from it, loaded once per member and dropped on every instance when any of it changes;
/// otherwise from the database, revocation in the same statement as the member.
pub(super) async fn authenticate_member(
    state: &AppState,
    claims: AccessClaims,
) -> Result<AuthUser, ApiError> {
    let member_id = match claims.principal()? {
        Principal::Member(id) => id,
        Principal::Resident(_) => return Err(not_for_residents()),
    };
    let issued_at = claims.issued_at().ok_or(AuthError::Malformed)?;
    let (member, roles) = match near_principal(state, member_id).await? {
        Some(p) => {
            if !p.member.is_active() {
                return Err(AuthError::MemberInactive.into());
            }
            if p.revoked(claims.session(), claims.token_id(), issued_at) {
                return Err(AuthError::Revoked.into());
            }
            (p.member.clone(), p.roles.clone())
        }
        None => {
            let repos = state.db.repos();
            let caller = repos
                .caller(member_id, claims.session(), claims.token_id(), issued_at)
                .await?
                .ok_or(AuthError::MemberInactive)?;
            if !caller.member.is_active() {
                return Err(AuthError::MemberInactive.into());
            }
            if caller.revoked {
                return Err(AuthError::Revoked.into());
            }
            let roles = repos.of_member(member_id).await?;
            (caller.member, roles)
        }
    };
    let actor = Actor {
        member_id,
        branch_path: member.branch_path.clone(),
        roles: roles
            .iter()
            .map(|g| ActorRole {
                kind: g.kind,
                org_path: g.org_path.clone(),
                can_review: g.can_review,
            })
            .collect(),
    };
    Ok(AuthUser {
        actor,
        member,
        grants: roles,
        claims,
    })
}

/// The caller from the near cache, loading it on a miss; `None` when the near cache is not
/// trusted now, or the member does not exist (the database path then answers).
async fn near_principal(
    state: &AppState,
    member: MemberId,
) -> Result<Option<Arc<CachedPrincipal>>, ApiError> {
    let near = &state.near.cache;
    if let Some(found) = near.principal(member.as_uuid()) {
        return Ok(Some(found));
    }
    let Some(ticket) = near.ticket(&Invalidation::Member(member.as_uuid())) else {
        return Ok(None);
    };
    let repos = state.db.repos();
    let since = state.clock.now()
        - chrono::Duration::from_std(REVOCATION_HORIZON).map_err(ApiError::internal)?;
    // Two statements, sent together: the row, and the grants with the revocations.
    let (row, (roles, revocations)) = tokio::try_join!(
        MemberRepo::get(&repos, member),
        repos.grants_and_revocations(member, since),
    )?;
    let Some(row) = row else {
        return Ok(None);
    };
    let principal = Arc::new(CachedPrincipal {
        member: row,
        roles,
        revocations,
    });
    near.fill_principal(ticket, principal.clone());
    Ok(Some(principal))
}
