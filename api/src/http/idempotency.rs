//! `Idempotency-Key` for writes a weak mobile network may retry (architecture.md): scoped to
//! the caller and the route, kept 24 h in the shared cache. A repeat returns the first
//! response; the same key with a different body is 422; while the first is in flight, 409.
//!
//! The key only saves work and returns the identical answer: correctness never rests on it
//! (a check-in is unique by a database constraint), so when the cache is unreachable the
//! request goes ahead without it, and the outage is logged.
//!
//! A claim is tied to its owner and never strands a key, whatever the cache's timing:
//! - it names its owner and carries a lease (by the application's clock); a claim whose
//!   lease has run out (its request crashed, or its answer could not be stored) is taken
//!   over by the next request with the key;
//! - a request whose claim went unanswered (the cache answered after `cache_timeout_ms`, and
//!   may still apply the write later) goes ahead and still settles the key afterwards;
//! - settling never deletes: a success stores the answer, a failure stores a short-lived
//!   "released" mark (replacing only its own claim), so a claim the cache applies late finds
//!   the key taken and cannot block the retries.

use domain::error::ErrorCode;
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
/// How long the cache keeps an unsettled claim at most.
const IN_FLIGHT: Duration = Duration::from_secs(60);
/// How long a claim holds its key against retries: longer than a request may take (a
/// database wait is bounded by `db_acquire_timeout_secs`, at most 60 s, a statement by far
/// less), short enough that a retry after a lost answer is not turned away for long.
const LEASE: Duration = Duration::from_secs(15);
/// How long the mark of a failed request keeps the key from a late-applied claim.
const RELEASED: Duration = Duration::from_secs(120);

#[derive(Debug, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
enum Stored {
    InFlight {
        fp: String,
        /// Who claimed it (absent in claims written before owners existed).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        owner: Option<String>,
        /// Until when (ms since the epoch, application clock) the claim holds the key;
        /// absent: until the cache expires it.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        until_ms: Option<i64>,
    },
    Done {
        fp: String,
        status: u16,
        location: Option<String>,
        body: String,
    },
    /// The request that held the key failed: the key is free for a retry.
    Released,
}

/// A claimed key: settle it with the response.
#[derive(Debug)]
struct Claim {
    key: String,
    fp: String,
    /// The claim as written, so settling replaces only our own claim.
    written: Vec<u8>,
    /// The cache did not answer the claim: it may or may not hold it.
    uncertain: bool,
}

/// What to do with a request that carries (or lacks) a key.
#[derive(Debug)]
enum Begin {
    /// No key, or the cache is down: just run the request.
    Untracked,
    /// This request owns the key (or may: see [`Claim`]); finish it afterwards.
    Claimed(Claim),
    /// A repeat of a finished request: send this.
    Replay(HttpResponse),
}

/// Runs `work` under the request's `Idempotency-Key`: a repeat gets the stored answer, a
/// first run's answer (status, `Location`, JSON body) is stored for repeats.
pub async fn run<F>(
    state: &AppState,
    req: &HttpRequest,
    member: MemberId,
    body: &impl Serialize,
    work: F,
) -> Result<HttpResponse, ApiError>
where
    F: std::future::Future<Output = Result<(StatusCode, Option<String>, String), ApiError>>,
{
    let claim = match begin(state, req, member, body).await? {
        Begin::Replay(res) => return Ok(res),
        Begin::Claimed(claim) => Some(claim),
        Begin::Untracked => None,
    };
    let result = work.await;
    if let Some(claim) = claim {
        claim.finish(state, &result).await;
    }
    let (status, location, json) = result?;
    let mut res = HttpResponse::build(status);
    res.content_type("application/json");
    if let Some(l) = location {
        res.insert_header(("Location", l));
    }
    Ok(res.body(json))
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
            ErrorCode::IdempotencyKeyInvalid,
            "Idempotency-Key must be 1-128 visible ASCII characters",
        )),
    }
}

fn key_reused() -> ApiError {
    ApiError::new(ErrorCode::IdempotencyKeyReused)
        .with_detail("this Idempotency-Key was used with a different request body")
}

fn in_flight() -> ApiError {
    ApiError::new(ErrorCode::IdempotencyRequestInFlight)
        .with_detail("the first request with this Idempotency-Key is still being processed")
}

fn replay_done(status: u16, location: Option<String>, body: String) -> Begin {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::OK);
    let mut res = HttpResponse::build(status);
    res.content_type("application/json");
    if let Some(l) = location {
        res.insert_header(("Location", l));
    }
    res.insert_header(("Idempotent-Replayed", "true"));
    Begin::Replay(res.body(body))
}

fn unavailable(e: &CacheError) {
    tracing::warn!(error = %e, "idempotency cache unavailable; serving without replay");
}

fn new_owner() -> String {
    uuid::Uuid::new_v4().simple().to_string()
}

/// Claims the request's `Idempotency-Key` for `member` on this route, or answers a repeat.
async fn begin(
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
    let now_ms = state.clock.now().timestamp_millis();
    let lease_ms = i64::try_from(LEASE.as_millis()).unwrap_or(i64::MAX);
    let claim = Stored::InFlight {
        fp: fp.clone(),
        owner: Some(new_owner()),
        until_ms: Some(now_ms.saturating_add(lease_ms)),
    };
    let written = serde_json::to_vec(&claim).map_err(ApiError::internal)?;
    let claimed = |uncertain| {
        Ok(Begin::Claimed(Claim {
            key: key.clone(),
            fp: fp.clone(),
            written: written.clone(),
            uncertain,
        }))
    };
    // A few tries: what we read may change (expire, be settled) before we act on it.
    for _ in 0..3 {
        match state.cache.set_if_absent(&key, &written, IN_FLIGHT).await {
            Ok(true) => return claimed(false),
            Ok(false) => {}
            Err(e) => {
                // Unanswered: the cache may still apply the claim later, so this request
                // settles the key when it is done, whatever happened to the claim.
                unavailable(&e);
                return claimed(true);
            }
        }
        let raw = match state.cache.get(&key).await {
            Ok(Some(raw)) => raw,
            Ok(None) => continue,
            Err(e) => {
                unavailable(&e);
                return Ok(Begin::Untracked);
            }
        };
        let stored: Stored = serde_json::from_slice(&raw).map_err(ApiError::internal)?;
        let take_over = match stored {
            Stored::Done { fp: first, .. } | Stored::InFlight { fp: first, .. } if first != fp => {
                return Err(key_reused())
            }
            Stored::Done {
                status,
                location,
                body,
                ..
            } => return Ok(replay_done(status, location, body)),
            Stored::InFlight { until_ms, .. } => until_ms.is_some_and(|until| until <= now_ms),
            Stored::Released => true,
        };
        if !take_over {
            return Err(in_flight());
        }
        // A released key, or a claim whose lease ran out: take it over, unless someone
        // else changed it since we read it.
        match state
            .cache
            .replace_if_equals(&key, &raw, &written, IN_FLIGHT)
            .await
        {
            Ok(true) => return claimed(false),
            Ok(false) => continue,
            Err(e) => {
                unavailable(&e);
                return claimed(true);
            }
        }
    }
    Ok(Begin::Untracked)
}

impl Claim {
    /// Stores a successful response for replay, or marks the key released after an error.
    async fn finish(
        self,
        state: &AppState,
        result: &Result<(StatusCode, Option<String>, String), ApiError>,
    ) {
        let outcome = match result {
            Ok((status, location, body)) => {
                let stored = Stored::Done {
                    fp: self.fp.clone(),
                    status: status.as_u16(),
                    location: location.clone(),
                    body: body.clone(),
                };
                match serde_json::to_vec(&stored) {
                    // The answer supersedes whatever the key holds, a late claim included.
                    Ok(bytes) => state.cache.set(&self.key, &bytes, Some(KEEP)).await,
                    Err(_) => self.release(state).await,
                }
            }
            // Errors are not replayed: a refusal (the window not open yet) or a failure on
            // our side may well succeed when retried with the same key.
            Err(_) => self.release(state).await,
        };
        if let Err(e) = outcome {
            unavailable(&e);
        }
    }

    /// Frees the key for a retry: our claim becomes a "released" mark; if the claim was
    /// never answered, the mark also takes an empty key, so a claim the cache applies later
    /// finds it taken. Another request's claim or answer is left alone.
    async fn release(&self, state: &AppState) -> Result<(), CacheError> {
        let mark = serde_json::to_vec(&Stored::Released).unwrap_or_default();
        for _ in 0..2 {
            if state
                .cache
                .replace_if_equals(&self.key, &self.written, &mark, RELEASED)
                .await?
                || !self.uncertain
                || state
                    .cache
                    .set_if_absent(&self.key, &mark, RELEASED)
                    .await?
            {
                return Ok(());
            }
        }
        Ok(())
    }
}
