//! Request and response shapes of the volunteer-hours ledger.

use chrono::{DateTime, FixedOffset, NaiveDate};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::extract::Validate;
use crate::http::mirror::mirror_enum;
use crate::http::page::ListEnvelope;
use crate::http::time::beijing;
use domain::error::FieldError;
use domain::volunteer::service::HoursLedger;
use domain::volunteer::{self as vol, HoursEntry, HoursSource, HoursTotals};

mirror_enum!(
    /// Serving residents, or training for it; totals keep them apart.
    VolunteerHoursCategory => vol::HoursCategory { Service, Training }
);
mirror_enum!(
    /// Waiting for its one decision, or decided. Only confirmed entries count.
    VolunteerHoursStatus => vol::HoursStatus { Pending, Confirmed, Rejected }
);

/// Where an entry came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum VolunteerHoursSource {
    /// A completed service request (`requestId`, and `teamId` when served through a team).
    Request,
    /// Recorded by the member.
    Manual,
    /// Served at a service activity (`activityId`), from check-in to check-out.
    Activity,
    /// A correction of the confirmed entry `correctsId`.
    Correction,
}

/// One entry of the ledger. Entries are never edited: an entry's one change is its
/// decision; a mistake is put right by a correction, an entry of its own.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct HoursEntryView {
    pub id: Uuid,
    pub member_id: Uuid,
    /// The member's branch when the hours were recorded.
    pub branch_id: Uuid,
    pub category: VolunteerHoursCategory,
    /// 1-1440; a correction's is signed.
    #[schema(example = 90)]
    pub minutes: i32,
    /// The day served (Beijing); a correction carries the corrected entry's.
    pub occurred_on: NaiveDate,
    pub source: VolunteerHoursSource,
    pub request_id: Option<Uuid>,
    pub team_id: Option<Uuid>,
    pub corrects_id: Option<Uuid>,
    /// The service activity, for an entry of source `activity`.
    pub activity_id: Option<Uuid>,
    /// What was done (an activity's title), or why it was corrected.
    #[schema(example = "为独居老人清理院落")]
    pub note: String,
    pub status: VolunteerHoursStatus,
    pub decided_by: Option<Uuid>,
    pub decided_at: Option<DateTime<FixedOffset>>,
    /// Why it was rejected (or a remark on confirming).
    pub decision_reason: Option<String>,
    pub recorded_by: Uuid,
    pub created_at: DateTime<FixedOffset>,
}

impl From<&HoursEntry> for HoursEntryView {
    fn from(e: &HoursEntry) -> Self {
        let (source, request_id, team_id, corrects_id, activity_id) = match e.source {
            HoursSource::Request { request, team } => (
                VolunteerHoursSource::Request,
                Some(request.as_uuid()),
                team.map(|t| t.as_uuid()),
                None,
                None,
            ),
            HoursSource::Manual => (VolunteerHoursSource::Manual, None, None, None, None),
            HoursSource::Activity { activity } => (
                VolunteerHoursSource::Activity,
                None,
                None,
                None,
                Some(activity.as_uuid()),
            ),
            HoursSource::Correction { of } => (
                VolunteerHoursSource::Correction,
                None,
                None,
                Some(of.as_uuid()),
                None,
            ),
        };
        let d = e.decision.as_ref();
        Self {
            id: e.id.as_uuid(),
            member_id: e.member_id.as_uuid(),
            branch_id: e.branch_id.as_uuid(),
            category: e.category.into(),
            minutes: e.minutes,
            occurred_on: e.occurred_on,
            source,
            request_id,
            team_id,
            corrects_id,
            activity_id,
            note: e.note.clone(),
            status: e.status.into(),
            decided_by: d.map(|d| d.by.as_uuid()),
            decided_at: d.map(|d| beijing(d.at)),
            decision_reason: d.and_then(|d| d.reason.clone()),
            recorded_by: e.recorded_by.as_uuid(),
            created_at: beijing(e.created_at),
        }
    }
}

/// Confirmed minutes of one calendar month (Beijing), corrections included.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct HoursMonthTotal {
    #[schema(example = "2026-11")]
    pub month: String,
    pub service_minutes: i64,
    pub training_minutes: i64,
}

/// Confirmed minutes of one half year (`2026-H1`: January-June).
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct HoursHalfYearTotal {
    #[schema(example = "2026-H2")]
    pub half_year: String,
    pub service_minutes: i64,
    pub training_minutes: i64,
}

/// A member's confirmed minutes, service and training apart: in all, per month and per
/// half year (newest first; periods without confirmed hours are left out).
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct HoursTotalsView {
    pub service_minutes: i64,
    pub training_minutes: i64,
    pub months: Vec<HoursMonthTotal>,
    pub half_years: Vec<HoursHalfYearTotal>,
}

impl From<&HoursTotals> for HoursTotalsView {
    fn from(t: &HoursTotals) -> Self {
        Self {
            service_minutes: t.service,
            training_minutes: t.training,
            months: t
                .months
                .iter()
                .map(|p| HoursMonthTotal {
                    month: p.period.to_string(),
                    service_minutes: p.service,
                    training_minutes: p.training,
                })
                .collect(),
            half_years: t
                .half_years
                .iter()
                .map(|p| HoursHalfYearTotal {
                    half_year: p.period.to_string(),
                    service_minutes: p.service,
                    training_minutes: p.training,
                })
                .collect(),
        }
    }
}

/// A page of a member's entries (every status, newest first) with their totals.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct HoursLedgerView {
    pub member_id: Uuid,
    pub items: Vec<HoursEntryView>,
    /// Pass back as `?cursor=` for the next page; `null` on the last.
    pub next_cursor: Option<String>,
    pub totals: HoursTotalsView,
}

impl HoursLedgerView {
    pub fn new(member: Uuid, ledger: HoursLedger) -> Self {
        let totals = HoursTotalsView::from(&ledger.totals);
        let page = ListEnvelope::from_page(ledger.page, |e| HoursEntryView::from(&e));
        Self {
            member_id: member,
            items: page.items,
            next_cursor: page.next_cursor,
            totals,
        }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct HoursListParams {
    #[param(pattern = "^[A-Za-z0-9_-]*$")]
    pub cursor: Option<String>,
    /// 1-100, default 20.
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<u32>,
}

impl Validate for HoursListParams {
    fn validate(&self) -> Result<(), Vec<FieldError>> {
        Ok(())
    }
}
