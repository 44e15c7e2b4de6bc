//! Probe routes mounted only in tests. They use the application's real extractors, error
//! type, pagination and services, so the shared HTTP machinery (status mapping, pointers,
//! 405 route table, 503s) is exercised exactly as later endpoints will use it.

use actix_web::{get, post, web, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use api::error::ApiError;
use api::extract::{Json, Query, Validate};
use api::http::page::{page_request, ListEnvelope};
use api::state::AppState;
use domain::error::{ErrorCode, FieldError};
use domain::page::{CursorKey, Page};
use domain::platform::{set_setting, SetSetting};

#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ProbeBody {
    pub name: String,
    pub count: u32,
    #[serde(default)]
    pub nested: Option<ProbeNested>,
}

#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ProbeNested {
    pub level: u8,
}

impl Validate for ProbeBody {
    fn validate(&self) -> Result<(), Vec<FieldError>> {
        let mut errors = Vec::new();
        let len = self.name.trim().chars().count();
        if len == 0 || len > 20 {
            errors.push(FieldError::new(
                "/name",
                ErrorCode::InvalidLength,
                "name must be 1-20 characters",
            ));
        }
        if self.count > 1000 {
            errors.push(FieldError::new(
                "/count",
                ErrorCode::InvalidValue,
                "count must be at most 1000",
            ));
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }
}

#[utoipa::path(
    tag = "probe",
    params(("id" = Uuid, Path)),
    request_body = ProbeBody,
    responses((status = 201, body = ProbeBody))
)]
#[post("/probe/items/{id}")]
pub async fn create_item(path: web::Path<Uuid>, body: Json<ProbeBody>) -> HttpResponse {
    let _id = path.into_inner();
    HttpResponse::Created().json(body.into_inner())
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListParams {
    pub cursor: Option<String>,
    pub limit: Option<u32>,
}

impl Validate for ListParams {
    fn validate(&self) -> Result<(), Vec<FieldError>> {
        Ok(())
    }
}

/// Numbers 1..=45 as a paged list.
#[utoipa::path(tag = "probe", responses((status = 200, body = ListEnvelope<u32>)))]
#[get("/probe/numbers")]
pub async fn list_numbers(query: Query<ListParams>) -> Result<HttpResponse, ApiError> {
    let q = query.into_inner();
    let page = page_request(q.cursor.as_deref(), q.limit)?;
    let start = match page.after() {
        Some(key) => key
            .as_str()
            .parse::<u32>()
            .map_err(|_| ApiError::bad_request(ErrorCode::PaginationCursorInvalid, "bad cursor"))?,
        None => 0,
    };
    let rows: Vec<u32> = (start + 1..=45).take(page.limit() as usize + 1).collect();
    let page = Page::from_overfetch(rows, page.limit(), |n| CursorKey::new(n.to_string()));
    Ok(HttpResponse::Ok().json(ListEnvelope::from_page(page, |n| n)))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SettingBody {
    pub key: String,
    pub value: String,
}

impl Validate for SettingBody {
    fn validate(&self) -> Result<(), Vec<FieldError>> {
        Ok(())
    }
}

/// Changes a setting through the domain service (database + audit in one unit of work).
#[utoipa::path(tag = "probe", request_body = SettingBody, responses((status = 204)))]
#[post("/probe/settings")]
pub async fn put_setting(
    state: web::Data<AppState>,
    body: Json<SettingBody>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    set_setting(
        &state.db,
        state.clock.as_ref(),
        SetSetting {
            key: body.key,
            value: body.value,
            actor: None,
            request_id: None,
            audit_id: None,
        },
    )
    .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Reads a cache key (503 when the cache is down).
#[utoipa::path(tag = "probe", responses((status = 200)))]
#[get("/probe/cache")]
pub async fn read_cache(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let value = state.cache.get("probe").await?;
    Ok(HttpResponse::Ok().json(value.is_some()))
}

/// Fails in an unexpected way whose cause must never reach the client.
#[utoipa::path(tag = "probe", responses((status = 500)))]
#[get("/probe/boom")]
pub async fn boom() -> Result<HttpResponse, ApiError> {
    Err(ApiError::internal(
        "secret internal detail: relation \"member\" does not exist",
    ))
}

/// How many `/probe/slow` requests have started, so a test knows one is in flight.
pub static SLOW_STARTED: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

/// Takes a while to answer, so a test can stop the server while it is in flight.
#[utoipa::path(tag = "probe", responses((status = 200)))]
#[get("/probe/slow")]
pub async fn slow() -> HttpResponse {
    SLOW_STARTED.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    tokio::time::sleep(std::time::Duration::from_millis(600)).await;
    HttpResponse::Ok().json("done")
}

pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(create_item)
        .service(list_numbers)
        .service(put_setting)
        .service(read_cache)
        .service(boom)
        .service(slow);
}
