//! The member's feed: newest first, filtered, served from the shared cache
//! ([`feed`](super::feed)).

use actix_web::{get, web, HttpResponse};
use serde::Deserialize;
use utoipa::IntoParams;

use super::dto::{parse_lesson_month, MaterialCategory, MaterialSummary};
use super::feed::{
    audience_digest, current_body, entry_bytes, generation, json_response, member_gen_key,
    ENTRY_TTL, FEED_GEN,
};
use crate::auth::AuthUser;
use crate::error::{ApiError, Problem};
use crate::extract::{Query, Validate};
use crate::http::page::{page_request, ListEnvelope};
use crate::state::AppState;
use domain::error::FieldError;
use domain::material::{FeedQuery, MaterialId, MaterialRepo, StudyRecordRepo};

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
