//! The member's feed and reading one material.
//!
//! Feed pages are cached per member and query in the shared cache. An entry is current
//! while (a) the feed generation, bumped by every publish, edit and unpublish, (b) the
//! member's own generation, bumped when they open or study something, and (c) the next
//! scheduled publish time (by the injected clock) are what they were when it was filled.
//! The key also names what places the member in audiences (their branch, category and
//! leading-cadre flag, as loaded with the caller on every request), so a transfer or a
//! changed category shows at once, whichever path changed it (API, roster import).
//! A cache that cannot be read or written falls through to the database.

use std::time::Duration;

use actix_web::http::header::ContentType;
use actix_web::{get, web, HttpResponse};
use serde::Deserialize;
use utoipa::IntoParams;
use uuid::Uuid;

use super::dto::{parse_lesson_month, MaterialCategory, MaterialSummary, MaterialView};
use crate::auth::AuthUser;
use crate::error::{ApiError, Problem};
use crate::extract::{Query, Validate};
use crate::http::page::{page_request, ListEnvelope};
use crate::state::AppState;
use domain::error::FieldError;
use domain::material::service;
use domain::material::{FeedQuery, MaterialId, MaterialRepo, StudyRecordRepo};
use domain::org::{Member, MemberId};

const FEED_GEN: &str = "feed:gen";
/// How long a generation counter lives: far longer than any entry, so a counter that
/// expires and restarts cannot meet an entry filled under its old value.
const GEN_TTL: Duration = Duration::from_secs(30 * 24 * 3600);
const ENTRY_TTL: Duration = Duration::from_secs(300);

/// What decides which audiences include `member`, as a short digest for cache keys.
fn audience_digest(member: &Member) -> String {
    use sha2::{Digest, Sha256};
    let digest = Sha256::digest(format!(
        "{}|{}|{}",
        member.branch_path.as_str(),
        member.category.as_str(),
        member.leading_cadre
    ));
    digest[..8].iter().map(|b| format!("{b:02x}")).collect()
}

fn member_gen_key(member: MemberId) -> String {
    format!("feed:gen:{member}")
}

async fn bump(state: &AppState, key: &str) {
    if let Err(e) = state.cache.increment(key, GEN_TTL).await {
        tracing::warn!(error = %e, "feed generation not bumped; cached feeds may lag until they expire");
    }
}

/// Every cached feed is stale: a material was published, edited or unpublished.
pub async fn bump_feeds(state: &AppState) {
    bump(state, FEED_GEN).await;
}

/// This member's cached feeds are stale: their progress changed.
pub async fn bump_member_feed(state: &AppState, member: MemberId) {
    bump(state, &member_gen_key(member)).await;
}

async fn generation(state: &AppState, key: &str) -> Result<i64, ()> {
    match state.cache.get(key).await {
        Ok(v) => Ok(v
            .and_then(|b| String::from_utf8(b).ok())
            .and_then(|s| s.parse().ok())
            .unwrap_or(0)),
        Err(_) => Err(()),
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct FeedParams {
    #[param(inline)]
    pub category: Option<MaterialCategory>,
    pub required: Option<bool>,
    /// `YYYY-MM`: only that month's monthly lesson.
    #[param(pattern = "month", example = "2026-12")]
    pub lesson_month: Option<String>,
    /// Only what the caller has not opened yet.
    pub unread: Option<bool>,
    #[param(pattern = "^[A-Za-z0-9_-]*$")]
    pub cursor: Option<String>,
    /// 1-100, default 20.
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<u32>,
}

impl Validate for FeedParams {
    fn validate(&self) -> Result<(), Vec<FieldError>> {
        match self.lesson_month.as_deref().map(parse_lesson_month) {
            Some(Err(e)) => Err(vec![e]),
            _ => Ok(()),
        }
    }
}

/// The caller's feed: live materials whose audience includes them, newest first.
#[utoipa::path(
    tag = "materials",
    operation_id = "listMaterials",
    security(("bearerAuth" = [])),
    params(FeedParams),
    responses(
        (status = 200, description = "A page of the feed", body = ListEnvelope<MaterialSummary>),
        (status = 400, description = "pagination_cursor_invalid", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "auth_token_*", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "request_query_invalid (pagination_limit_out_of_range, month_invalid)", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "database_unavailable", body = Problem, content_type = "application/problem+json"),
        (status = 500, description = "Unexpected error", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/api/v1/materials")]
pub async fn list_materials(
    state: web::Data<AppState>,
    user: AuthUser,
    query: Query<FeedParams>,
) -> Result<HttpResponse, ApiError> {
    let p = query.into_inner();
    let page = page_request(p.cursor.as_deref(), p.limit)?;
    let lesson_month = p
        .lesson_month
        .as_deref()
        .map(parse_lesson_month)
        .transpose()
        .map_err(|e| ApiError::query_invalid(vec![e.into()]))?;
    let member = user.member.clone();
    let now = state.clock.now();
    let key = match (
        generation(&state, FEED_GEN).await,
        generation(&state, &member_gen_key(member.id)).await,
    ) {
        (Ok(g), Ok(mg)) => Some(format!(
            "feed:v2:{}:{}:{g}:{mg}:{}:{}:{}:{}:{}:{}",
            member.id,
            audience_digest(&member),
            p.category
                .map_or("", |c| domain::material::MaterialCategory::from(c).as_str()),
            p.required.map_or("", |r| if r { "1" } else { "0" }),
            lesson_month.map(|m| m.to_string()).unwrap_or_default(),
            u8::from(p.unread.unwrap_or(false)),
            p.cursor.as_deref().unwrap_or(""),
            page.limit(),
        )),
        _ => None,
    };
    if let Some(key) = &key {
        if let Ok(Some(entry)) = state.cache.get(key).await {
            if let Some(body) = current_body(&entry, now.timestamp_micros()) {
                return Ok(json_response(body.to_vec()));
            }
        }
    }
    let repos = state.db.repos();
    let feed = MaterialRepo::feed(
        &repos,
        &FeedQuery {
            member: member.clone(),
            now,
            category: p.category.map(Into::into),
            required: p.required,
            lesson_month,
            unread: p.unread.unwrap_or(false),
        },
        &page,
    )
    .await?;
    let ids: Vec<MaterialId> = feed.items.iter().map(|m| m.id).collect();
    let records = StudyRecordRepo::of_member(&repos, member.id, &ids).await?;
    let envelope = ListEnvelope::from_page(feed, |m| {
        let record = records.iter().find(|r| r.material_id == m.id);
        MaterialSummary::new(&m, record)
    });
    let body = serde_json::to_vec(&envelope).map_err(ApiError::internal)?;
    if let Some(key) = key {
        let until = repos.next_publish_after(now).await?;
        let entry = entry_bytes(until.map_or(i64::MAX, |t| t.timestamp_micros()), &body);
        if let Err(e) = state.cache.set(&key, &entry, Some(ENTRY_TTL)).await {
            tracing::warn!(error = %e, "feed page not cached");
        }
    }
    Ok(json_response(body))
}

/// A cached entry: the instant (µs) it stops being current, then the response body.
fn entry_bytes(until_micros: i64, body: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(8 + body.len());
    out.extend_from_slice(&until_micros.to_be_bytes());
    out.extend_from_slice(body);
    out
}

fn current_body(entry: &[u8], now_micros: i64) -> Option<&[u8]> {
    let (until, body) = entry.split_first_chunk::<8>()?;
    (now_micros < i64::from_be_bytes(*until)).then_some(body)
}

fn json_response(body: Vec<u8>) -> HttpResponse {
    HttpResponse::Ok()
        .content_type(ContentType::json())
        .insert_header(("Cache-Control", "private, no-cache"))
        .body(body)
}

/// One material: for a member of its audience once published (their first open is
/// recorded), or a preview for whoever may manage it. 404 for anyone else, and before the
/// publish time.
#[utoipa::path(
    tag = "materials",
    operation_id = "getMaterial",
    security(("bearerAuth" = [])),
    params(("id" = Uuid, Path, description = "The material")),
    responses(
        (status = 200, description = "The material, with the caller's progress", body = MaterialView),
        (status = 401, description = "auth_token_*", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such material, outside the caller's audience, or not yet published", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "database_unavailable", body = Problem, content_type = "application/problem+json"),
        (status = 500, description = "Unexpected error", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/api/v1/materials/{id}")]
pub async fn get_material(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<Uuid>,
) -> Result<web::Json<MaterialView>, ApiError> {
    let repos = state.db.repos();
    let reading = service::read(
        &repos,
        &repos,
        &user.actor,
        &user.member,
        MaterialId::from_uuid(*id),
        state.clock.now(),
    )
    .await?;
    if reading.first_open {
        bump_member_feed(&state, user.member.id).await;
    }
    Ok(web::Json(MaterialView::new(
        &reading.material,
        reading.record.as_ref(),
    )))
}

#[cfg(test)]
mod tests {
    use super::{current_body, entry_bytes};

    #[test]
    fn an_entry_is_current_until_its_instant() {
        let e = entry_bytes(1_000, b"{}");
        assert_eq!(current_body(&e, 999), Some(&b"{}"[..]));
        assert_eq!(current_body(&e, 1_000), None);
        assert_eq!(current_body(b"short", 0), None);
    }
}
