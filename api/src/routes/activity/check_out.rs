//! Checking out of a service activity (服务奉献): the minutes served go into the
//! volunteer-hours ledger.

use actix_web::{post, web, HttpRequest};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::dto::CheckInView;
use crate::auth::AuthUser;
use crate::error::{ApiError, Problem};
use crate::routes::write_context;
use crate::state::AppState;
use domain::activity::service::{self, CheckedOut};
use domain::activity::ActivityId;

/// A check-out: the check-in, now carrying `checkedOutAt`, and the volunteer-hours entry it
/// wrote (source `activity`, pending until the branch's secretary decides it; it is listed in
/// `GET /api/v1/me/volunteer-hours`).
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CheckOutView {
    pub check_in: CheckInView,
    /// The ledger entry written.
    pub hours_entry_id: Uuid,
    /// Whole minutes served: from the later of the check-in and the start to the earlier
    /// of the check-out and the end, rounded down.
    #[schema(minimum = 1, maximum = 1440, example = 85)]
    pub minutes: i32,
}

impl From<&CheckedOut> for CheckOutView {
    fn from(c: &CheckedOut) -> Self {
        Self {
            check_in: CheckInView::from(&c.check_in),
            hours_entry_id: c.hours.id.as_uuid(),
            minutes: c.hours.minutes,
        }
    }
}

/// Checks the caller out of their check-in to a service activity (theme category
/// `service`, 服务奉献) and records the minutes served as a pending volunteer-hours entry
/// (category `service`, on the activity's start date, noted with its title), decided by
/// the branch's secretary like hours a member records. Accepted from the check-in until 2
/// hours after the activity's end; later, record the hours with
/// `POST /api/v1/me/volunteer-hours`. Once per check-in: a repeat, or a second call racing
/// the first, gets 409 `check_out_already_recorded` and writes nothing, so no
/// `Idempotency-Key` is needed. Audited.
#[utoipa::path(
    tag = "check-ins",
    operation_id = "checkOut",
    security(("bearerAuth" = [])),
    params(("id" = Uuid, Path, description = "The activity")),
    responses(
        (status = 200, description = "Checked out; the hours entry is written", body = CheckOutView),
        (status = 400, description = "request_body_unexpected", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "auth_token_*", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such activity, or outside the caller's branch", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "check_out_already_recorded", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "check_out_not_service_activity, check_in_activity_cancelled, check_out_not_checked_in, check_out_check_in_rejected, check_out_window_closed or check_out_no_minutes", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "database_unavailable or cache_unavailable", body = Problem, content_type = "application/problem+json"),
        (status = 500, description = "Unexpected error", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/api/v1/activities/{id}/check-out")]
pub async fn check_out(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<Uuid>,
) -> Result<web::Json<CheckOutView>, ApiError> {
    let ctx = write_context(&state, &user, &req);
    let done = service::check_out(&ctx, &user.member, ActivityId::from_uuid(*id)).await?;
    Ok(web::Json(CheckOutView::from(&done)))
}
