//! Residents as callers: the [`ResidentUser`] extractor for endpoints only residents use,
//! and [`Caller`] for endpoints members and residents both call (filing a 96345 request,
//! the list of townships). A resident's token never passes [`AuthUser`], and a member's
//! never passes [`ResidentUser`]: each answers the other 403 `permission_denied`.

use std::future::Future;
use std::pin::Pin;

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{web, FromRequest, HttpRequest};

use super::extractor::{authenticate_member, bearer, AuthUser};
use super::token::{verify, AccessClaims, AuthError};
use crate::error::ApiError;
use crate::state::AppState;
use domain::auth::Principal;
use domain::volunteer::{Resident, ResidentId, ResidentRepo};

/// A signed-in resident: their record (openid, phone, `last_seen_at`) and the token's claims.
#[derive(Debug, Clone)]
pub struct ResidentUser {
    pub resident: Resident,
    pub claims: AccessClaims,
}

/// Whoever is signed in: a member (with their roles) or a resident.
#[derive(Debug, Clone)]
pub enum Caller {
    Member(AuthUser),
    Resident(ResidentUser),
}

impl Caller {
    /// The access token's claims, whoever it names.
    pub fn claims(&self) -> &AccessClaims {
        match self {
            Caller::Member(m) => &m.claims,
            Caller::Resident(r) => &r.claims,
        }
    }
}

/// Loads the resident verified `claims` name. Whether their session (or every session of
/// theirs) ended, or their openid has since been bound to a member, is read in the same
/// statement as the resident (the database, so it survives a cache flush).
async fn authenticate_resident(
    state: &AppState,
    resident: ResidentId,
    claims: AccessClaims,
) -> Result<ResidentUser, ApiError> {
    let issued_at = claims.issued_at().ok_or(AuthError::Malformed)?;
    let repos = state.db.repos();
    let caller = ResidentRepo::caller(
        &repos,
        resident,
        claims.session(),
        claims.token_id(),
        issued_at,
    )
    .await?
    .ok_or(AuthError::Revoked)?;
    if caller.revoked {
        return Err(AuthError::Revoked.into());
    }
    Ok(ResidentUser {
        resident: caller.resident,
        claims,
    })
}

/// Verifies the request's bearer token and loads whoever it names.
async fn caller(state: &AppState, header: Option<&str>) -> Result<Caller, ApiError> {
    let token = bearer(header)?;
    let claims = verify(&state.keys, &state.tokens, token, state.clock.now())?;
    match claims.principal()? {
        Principal::Member(_) => Ok(Caller::Member(authenticate_member(state, claims).await?)),
        Principal::Resident(id) => Ok(Caller::Resident(
            authenticate_resident(state, id, claims).await?,
        )),
    }
}

type Extracted<T> = Pin<Box<dyn Future<Output = Result<T, ApiError>>>>;

fn parts(req: &HttpRequest) -> (Option<web::Data<AppState>>, Option<String>) {
    let state = req.app_data::<web::Data<AppState>>().cloned();
    let header = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    (state, header)
}

impl FromRequest for Caller {
    type Error = ApiError;
    type Future = Extracted<Self>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let (state, header) = parts(req);
        Box::pin(async move {
            let state = state.ok_or_else(|| ApiError::internal("application state missing"))?;
            caller(&state, header.as_deref()).await
        })
    }
}

impl FromRequest for ResidentUser {
    type Error = ApiError;
    type Future = Extracted<Self>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let (state, header) = parts(req);
        Box::pin(async move {
            let state = state.ok_or_else(|| ApiError::internal("application state missing"))?;
            let token = bearer(header.as_deref())?;
            let claims = verify(&state.keys, &state.tokens, token, state.clock.now())?;
            match claims.principal()? {
                Principal::Resident(id) => authenticate_resident(&state, id, claims).await,
                Principal::Member(_) => Err(ApiError::forbidden()
                    .with_detail("this endpoint is for residents; members use their own")),
            }
        })
    }
}
