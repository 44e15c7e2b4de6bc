//! `Idempotency-Key` for writes a weak mobile network may retry (architecture.md): scoped to
//! the caller and the route, kept 24 h in the shared cache. A repeat returns the first
//! response; the same key with a different body is 422; while the first is in flight, 409.
//!
//! The key only saves work and returns the identical answer: correctness never rests on it
//! (a check-in is unique by a database constraint), so when the cache is unreachable the
//! request goes ahead without it, and the outage is logged.

use std::time::Duration;

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::error::ApiError;
use crate::state::AppState;
use domain::cache::CacheError;
use domain::org::MemberId;

pub const HEADER: &str = "idempotency-key";
/// How long a finished response is kept for replay.
pub const KEEP: Duration = Duration::from_secs(24 * 3600);
/// How long an unfinished request holds its key (so a crash does not block retries all day).
const IN_FLIGHT: Duration = Duration::from_secs(60);

#[derive(Debug, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
enum Stored {
    InFlight {
        fp: String,
    },
    Done {
        fp: String,
        status: u16,
        location: Option<String>,
        body: String,
    },
}

/// A claimed key: finish it with the response (or let it go on an error).
#[derive(Debug)]
pub struct Claim {
    key: String,
    fp: String,
}

/// What to do with a request that carries (or lacks) a key.
#[derive(Debug)]
pub enum Begin {
    /// No key, or the cache is down: just run the request.
    Untracked,
    /// This request owns the key; finish it afterwards.
    Claimed(Claim),
    /// A repeat of a finished request: send this.
    Replay(HttpResponse),
}

fn fingerprint(body: &impl Serialize) -> String {
    let bytes = serde_json::to_vec(body).unwrap_or_default();
    Sha256::digest(&bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn key_header(req: &HttpRequest) -> Result<Option<String>, ApiError> {
    let Some(raw) = req.headers().get(HEADER) else {
        return Ok(None);
    };
    let text = raw
        .to_str()
        .ok()
        .map(str::trim)
        .filter(|t| (1..=128).contains(&t.len()) && t.bytes().all(|b| b.is_ascii_graphic()));
    match text {
        Some(t) => Ok(Some(t.to_owned())),
        None => Err(ApiError::bad_request(
            "idempotency_key_invalid",
            "Idempotency-Key must be 1-128 visible ASCII characters",
        )),
    }
}

fn replay(fp: &str, stored: Stored) -> Result<Begin, ApiError> {
    match stored {
        Stored::InFlight { fp: first } | Stored::Done { fp: first, .. } if first != fp => {
            Err(ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "idempotency_key_reused",
                "幂等键已用于其他请求",
            )
            .with_detail("this Idempotency-Key was used with a different request body"))
        }
        Stored::InFlight { .. } => Err(ApiError::new(
            StatusCode::CONFLICT,
            "idempotency_request_in_flight",
            "相同请求正在处理中",
        )
        .with_detail("the first request with this Idempotency-Key is still being processed")),
        Stored::Done {
            status,
            location,
            body,
            ..
        } => {
            let status = StatusCode::from_u16(status).unwrap_or(StatusCode::OK);
            let mut res = HttpResponse::build(status);
            res.content_type("application/json");
            if let Some(l) = location {
                res.insert_header(("Location", l));
            }
            res.insert_header(("Idempotent-Replayed", "true"));
            Ok(Begin::Replay(res.body(body)))
        }
    }
}

fn unavailable(e: &CacheError) {
    tracing::warn!(error = %e, "idempotency cache unavailable; serving without replay");
}

/// Claims the request's `Idempotency-Key` for `member` on this route, or answers a repeat.
pub async fn begin(
    state: &AppState,
    req: &HttpRequest,
    member: MemberId,
    body: &impl Serialize,
) -> Result<Begin, ApiError> {
    let Some(key) = key_header(req)? else {
        return Ok(Begin::Untracked);
    };
    let key = format!(
        "idem:{}:{} {}:{}",
        member.as_uuid().simple(),
        req.method(),
        req.path(),
        key
    );
    let fp = fingerprint(body);
    let claim =
        serde_json::to_vec(&Stored::InFlight { fp: fp.clone() }).map_err(ApiError::internal)?;
    // Two tries: the stored value may expire between our set and our read.
    for _ in 0..2 {
        match state.cache.set_if_absent(&key, &claim, IN_FLIGHT).await {
            Ok(true) => return Ok(Begin::Claimed(Claim { key, fp })),
            Ok(false) => {}
            Err(e) => {
                unavailable(&e);
                return Ok(Begin::Untracked);
            }
        }
        match state.cache.get(&key).await {
            Ok(Some(raw)) => {
                let stored: Stored = serde_json::from_slice(&raw).map_err(ApiError::internal)?;
                return replay(&fp, stored);
            }
            Ok(None) => continue,
            Err(e) => {
                unavailable(&e);
                return Ok(Begin::Untracked);
            }
        }
    }
    Ok(Begin::Untracked)
}

impl Claim {
    /// Stores a successful response for replay, or releases the key after an error.
    pub async fn finish(
        self,
        state: &AppState,
        result: &Result<(StatusCode, Option<String>, String), ApiError>,
    ) {
        let outcome = match result {
            Ok((status, location, body)) => {
                let stored = Stored::Done {
                    fp: self.fp,
                    status: status.as_u16(),
                    location: location.clone(),
                    body: body.clone(),
                };
                match serde_json::to_vec(&stored) {
                    Ok(bytes) => state.cache.set(&self.key, &bytes, Some(KEEP)).await,
                    Err(_) => state.cache.delete(&self.key).await.map(|_| ()),
                }
            }
            // Errors are not replayed: a refusal (the window not open yet) or a failure on
            // our side may well succeed when retried with the same key.
            Err(_) => state.cache.delete(&self.key).await.map(|_| ()),
        };
        if let Err(e) = outcome {
            unavailable(&e);
        }
    }
}
