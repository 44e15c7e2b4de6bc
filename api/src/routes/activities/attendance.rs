//! Attendance of one activity: every expected member as present, pending, excused or absent.

use actix_web::{get, web};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::dto::CheckInView;
use crate::auth::AuthUser;
use crate::error::{ApiError, Problem};
use crate::state::AppState;
use domain::activity::report::{self, AttendanceCounts};
use domain::activity::ActivityId;
use domain::org::policy;

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CountsView {
    pub expected: u64,
    pub present: u64,
    pub pending: u64,
    pub excused: u64,
    pub absent: u64,
    /// present ÷ (expected − excused), 0-1; null when nobody was due.
    #[schema(example = 0.875)]
    pub rate: Option<f64>,
}

impl From<AttendanceCounts> for CountsView {
    fn from(c: AttendanceCounts) -> Self {
        Self {
            expected: c.expected,
            present: c.present,
            pending: c.pending,
            excused: c.excused,
            absent: c.absent,
            rate: c.rate(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AttendanceRowView {
    pub member_id: Uuid,
    pub name: String,
    /// Masked (`138****5678`) unless the caller is the member's secretary or a township
    /// admin covering them.
    pub phone: String,
    /// `present`, `pending`, `excused` or `absent`.
    #[schema(example = "absent")]
    pub status: String,
    pub check_in: Option<CheckInView>,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AttendanceView {
    pub activity_id: Uuid,
    pub counts: CountsView,
    pub members: Vec<AttendanceRowView>,
}

/// Every expected member of the activity with where they stand; members who did nothing
/// are absent. S, C, T covering its branch.
#[utoipa::path(
    tag = "activities",
    operation_id = "getAttendance",
    security(("bearerAuth" = [])),
    params(("id" = Uuid, Path, description = "The activity")),
    responses(
        (status = 200, description = "The attendance", body = AttendanceView),
        (status = 401, description = "auth_token_*", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "permission_denied", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such activity, or outside the caller's scope", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "database_unavailable or cache_unavailable", body = Problem, content_type = "application/problem+json"),
        (status = 500, description = "Unexpected error", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/api/v1/activities/{id}/attendance")]
pub async fn attendance(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<Uuid>,
) -> Result<web::Json<AttendanceView>, ApiError> {
    let repos = state.db.repos();
    let att = report::attendance(&repos, &user.actor, ActivityId::from_uuid(*id)).await?;
    let actor = &user.actor;
    Ok(web::Json(AttendanceView {
        activity_id: att.activity.id.as_uuid(),
        counts: att.counts.into(),
        members: att
            .rows
            .iter()
            .map(|r| {
                let full = policy::sees_full_phone(actor, r.member.id, &r.member.branch_path);
                AttendanceRowView {
                    member_id: r.member.id.as_uuid(),
                    name: r.member.name.clone(),
                    phone: if full {
                        r.member.phone.as_str().to_owned()
                    } else {
                        r.member.phone.masked()
                    },
                    status: r.status.as_str().to_owned(),
                    check_in: r.check_in.as_ref().map(CheckInView::from),
                }
            })
            .collect(),
    }))
}
