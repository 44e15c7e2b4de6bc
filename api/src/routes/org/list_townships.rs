//! The townships (镇党委) a request can be filed with: what a resident needs to choose
//! where their 96345 request goes, and nothing else of the tree.

use actix_web::{get, web};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::auth::Caller;
use crate::error::{ApiError, Problem};
use crate::http::page::ListEnvelope;
use crate::state::AppState;
use domain::org::{OrgKind, OrgRepo};
use domain::page::Page;

/// One township committee: its id and name only.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct TownshipView {
    pub id: Uuid,
    #[schema(example = "盖北镇党委")]
    pub name: String,
}

/// Every township committee, in creation order (one page): any signed-in caller, member or
/// resident.
#[utoipa::path(
    tag = "orgs",
    operation_id = "listTownships",
    security(("bearerAuth" = [])),
    responses(
        (status = 200, description = "Every township committee (one page)", body = ListEnvelope<TownshipView>),
        (status = 401, description = "auth_token_*", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "database_unavailable or cache_unavailable", body = Problem, content_type = "application/problem+json"),
        (status = 500, description = "Unexpected error", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/api/v1/townships")]
pub async fn list_townships(
    state: web::Data<AppState>,
    _caller: Caller,
) -> Result<web::Json<ListEnvelope<TownshipView>>, ApiError> {
    let items = OrgRepo::roots(&state.repos)
        .await?
        .into_iter()
        .filter(|org| org.kind == OrgKind::Committee)
        .map(|org| TownshipView {
            id: org.id.as_uuid(),
            name: org.name,
        })
        .collect();
    Ok(web::Json(ListEnvelope::from_page(
        Page { items, next: None },
        |v| v,
    )))
}
