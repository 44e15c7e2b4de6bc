//! The member's feed: newest first, filtered, served from the shared cache
//! ([`domain::material::feed`]).

use actix_web::http::header::ContentType;
use actix_web::{get, web, HttpResponse};
use serde::Deserialize;
use utoipa::IntoParams;

use super::dto::{parse_lesson_month, MaterialCategory, MaterialSummary};
use crate::auth::AuthUser;
use crate::error::{ApiError, Problem};
use crate::extract::{Query, Validate};
use crate::http::page::{page_request, ListEnvelope};
use crate::state::AppState;
use domain::error::FieldError;
use domain::material::feed::{FeedRequest, FeedService};
use domain::material::{Material, StudyRecord};
use domain::page::Page;

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
    let repos = state.db.repos();
    let feed = FeedService {
        cache: state.cache.as_ref(),
        materials: &repos,
        records: &repos,
    };
    let request = FeedRequest {
        category: p.category.map(Into::into),
        required: p.required,
        lesson_month,
        unread: p.unread.unwrap_or(false),
        cursor: p.cursor.as_deref(),
        page: &page,
    };
    let body = feed
        .page(&user.member, &request, state.clock.now(), render)
        .await?;
    Ok(HttpResponse::Ok()
        .content_type(ContentType::json())
        .insert_header(("Cache-Control", "private, no-cache"))
        .body(body))
}

/// A feed page as its JSON body (what the cache keeps).
fn render(feed: Page<Material>, records: Vec<StudyRecord>) -> Result<Vec<u8>, ApiError> {
    let envelope = ListEnvelope::from_page(feed, |m| {
        let record = records.iter().find(|r| r.material_id == m.id);
        MaterialSummary::new(&m, record)
    });
    serde_json::to_vec(&envelope).map_err(ApiError::internal)
}
