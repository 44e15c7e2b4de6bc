//! The wire forms of service requests.

use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::http::mirror::mirror_enum;
use crate::http::time::beijing;
use domain::volunteer::service::SeenRequest;
use domain::volunteer::{self as vo, Assignee, Filer};

mirror_enum!(
    /// 热线求助 / 围绕中心专题 / 上门入户结对 / 上街下乡推送 / 点亮心愿.
    ServiceKind => vo::ServiceKind { Hotline, Thematic, HomeVisit, Outreach, Wish }
);
mirror_enum!(
    /// `urgent` is due the same day.
    ServiceUrgency => vo::Urgency { Normal, Urgent }
);
mirror_enum!(
    /// Where the request stands in its lifecycle.
    ServiceRequestState => vo::RequestState {
        Submitted, Accepted, Claimed, InProgress, Completed, Closed, Cancelled, Rejected
    }
);
mirror_enum!(
    /// The text's moderation: `passed` WeChat's content check; `held` for an operator
    /// (the check asked for a person, or could not run); `released` by an operator;
    /// `unchecked`, filed by a member or operator.
    ServiceModeration => vo::Moderation { Passed, Held, Released, Unchecked }
);

/// The requester's contact: whole for the requester, the township's operators and admins,
/// and the volunteers serving it while it is open; masked (`王**`, `138****5678`,
/// `盖北镇新****`) for everyone else; `null` once erased.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ServiceContactView {
    pub name: String,
    pub phone: String,
    pub address: String,
    /// Whether the values are masked.
    pub masked: bool,
}

/// Where the request was sent.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ServiceAssigneeView {
    /// `branch`, `team` or `wish_list` (a wish open to every member of the township).
    pub kind: String,
    pub id: Uuid,
}

/// A volunteer holding a place.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ServiceVolunteerView {
    pub member_id: Uuid,
    /// Masked (`王**`) for the requester.
    pub name: String,
    pub claimed_at: DateTime<FixedOffset>,
}

/// A note at a step (Open311's `status_notes`).
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ServiceStatusNoteView {
    pub at: DateTime<FixedOffset>,
    pub state: ServiceRequestState,
    pub note: String,
}

/// Why the request was last rejected, returned or reopened.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ServiceReasonView {
    /// A rejection's reason (`duplicate`, `referred`, `out_of_scope`, `litigation`,
    /// `petition`, `commercial_dispute`), `returned` or `unsatisfied`.
    pub code: String,
    pub note: Option<String>,
}

/// A pending extension.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ServiceExtensionView {
    /// Working days asked for.
    pub days: u32,
    pub reason: String,
    pub requested_at: DateTime<FixedOffset>,
}

/// A 96345 service request as the caller may see it.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ServiceRequestView {
    pub id: Uuid,
    /// The township that dispatches it.
    pub committee_id: Uuid,
    pub kind: ServiceKind,
    pub urgency: ServiceUrgency,
    pub title: String,
    pub description: String,
    pub contact: Option<ServiceContactView>,
    pub preferred_time: Option<String>,
    /// Beneficiary tags (`elderly_alone`, `disabled`, `left_behind_child`, `hardship` …).
    pub tags: Vec<String>,
    pub photos: Vec<String>,
    /// Who filed it: `resident`, `member` (for a resident) or `operator` (for a caller).
    pub filed_by: String,
    pub moderation: ServiceModeration,
    pub state: ServiceRequestState,
    /// The state as the requester reads it (已受理, 服务中 …).
    pub state_label: String,
    /// Waiting on the requester: the clock stands still.
    pub waiting_on_requester: bool,
    pub capacity: u32,
    pub claimed: u32,
    pub assignee: Option<ServiceAssigneeView>,
    /// By when a volunteer must claim it.
    pub claim_due: Option<DateTime<FixedOffset>>,
    /// By when it must be completed.
    pub complete_due: Option<DateTime<FixedOffset>>,
    /// When the requester may expect it done (Open311's `expected_datetime`).
    pub expected_at: Option<DateTime<FixedOffset>>,
    pub overdue: bool,
    /// Whether the caller may claim a place now.
    pub claimable: bool,
    pub volunteers: Vec<ServiceVolunteerView>,
    pub summary: Option<String>,
    pub completed_at: Option<DateTime<FixedOffset>>,
    pub rating: Option<u8>,
    pub rating_comment: Option<String>,
    /// Closed by the operator's follow-up call (回访).
    pub followed_up: bool,
    pub closed_at: Option<DateTime<FixedOffset>>,
    pub reason: Option<ServiceReasonView>,
    pub duplicate_of: Option<Uuid>,
    /// More working days asked of the dispatcher, waiting for a decision.
    pub extension: Option<ServiceExtensionView>,
    /// When the requester's personal data was erased, a set time after the request was over
    /// (`contact`, `preferredTime`, `description`, `photos`, `summary`, `ratingComment` and
    /// the reason's note are then empty, the title reads `（已清除）`); null until then.
    pub erased_at: Option<DateTime<FixedOffset>>,
    /// Oldest first; only on a single request (lists leave them out).
    pub status_notes: Vec<ServiceStatusNoteView>,
    pub created_at: DateTime<FixedOffset>,
    pub updated_at: DateTime<FixedOffset>,
}

impl ServiceRequestView {
    pub fn of(s: &SeenRequest) -> Self {
        let r = &s.request;
        Self {
            id: r.id.as_uuid(),
            committee_id: r.committee_id.as_uuid(),
            kind: r.kind.into(),
            urgency: r.urgency.into(),
            title: r.title.clone(),
            description: r.description.clone(),
            contact: r.contact.as_ref().map(|c| {
                if s.reveal {
                    ServiceContactView {
                        name: c.name.clone(),
                        phone: c.phone.as_str().to_owned(),
                        address: c.address.clone(),
                        masked: false,
                    }
                } else {
                    ServiceContactView {
                        name: c.masked_name(),
                        phone: c.phone.masked(),
                        address: c.masked_address(),
                        masked: true,
                    }
                }
            }),
            preferred_time: r.preferred_time.clone(),
            tags: r.tags.clone(),
            photos: r.photos.clone(),
            filed_by: match r.filer {
                Filer::Resident(_) => "resident",
                Filer::Member(_) => "member",
                Filer::Operator(_) => "operator",
            }
            .to_owned(),
            moderation: r.moderation.into(),
            state: r.state.into(),
            state_label: r.state.label_zh().to_owned(),
            waiting_on_requester: r.paused_since.is_some(),
            capacity: r.capacity,
            claimed: r.claimed,
            assignee: r.assignee.map(|a| match a {
                Assignee::Branch(id) => ServiceAssigneeView {
                    kind: "branch".into(),
                    id: id.as_uuid(),
                },
                Assignee::Team(id) => ServiceAssigneeView {
                    kind: "team".into(),
                    id: id.as_uuid(),
                },
                Assignee::WishList(id) => ServiceAssigneeView {
                    kind: "wish_list".into(),
                    id: id.as_uuid(),
                },
            }),
            claim_due: r.claim_due.map(beijing),
            complete_due: r.complete_due.map(beijing),
            expected_at: r.expected_at().map(beijing),
            overdue: s.overdue,
            claimable: s.claimable,
            volunteers: s
                .claims
                .iter()
                .map(|c| ServiceVolunteerView {
                    member_id: c.member_id.as_uuid(),
                    name: if s.by_requester {
                        domain::volunteer::request::masked_volunteer(&c.name)
                    } else {
                        c.name.clone()
                    },
                    claimed_at: beijing(c.claimed_at),
                })
                .collect(),
            summary: r.summary.clone(),
            completed_at: r.completed_at.map(beijing),
            rating: r.rating,
            rating_comment: r.rating_comment.clone(),
            followed_up: r.followed_up,
            closed_at: r.closed_at.map(beijing),
            reason: r.reason.as_ref().map(|(code, note)| ServiceReasonView {
                code: code.clone(),
                note: note.clone(),
            }),
            duplicate_of: r.duplicate_of.map(|d| d.as_uuid()),
            extension: r.extension.as_ref().map(|e| ServiceExtensionView {
                days: e.days,
                reason: e.reason.clone(),
                requested_at: beijing(e.at),
            }),
            erased_at: r.erased_at.map(beijing),
            status_notes: s
                .notes
                .iter()
                .map(|n| ServiceStatusNoteView {
                    at: beijing(n.at),
                    state: n.state.into(),
                    note: n.note.clone(),
                })
                .collect(),
            created_at: beijing(r.created_at),
            updated_at: beijing(r.updated_at),
        }
    }
}

/// An optional note.
#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ServiceNoteRequest {
    #[serde(default)]
    #[schema(min_length = 1, max_length = 200, pattern = "lines")]
    pub note: Option<String>,
}

/// A reason, required.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ServiceReasonRequest {
    #[schema(
        min_length = 1,
        max_length = 200,
        pattern = "printable",
        example = "不属于本支部辖区"
    )]
    pub reason: String,
}

/// A note, required.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ServicePauseRequest {
    #[schema(
        min_length = 1,
        max_length = 200,
        pattern = "printable",
        example = "等待求助人确认上门时间"
    )]
    pub note: String,
}

impl crate::extract::Validate for ServiceNoteRequest {
    fn validate(&self) -> Result<(), Vec<domain::error::FieldError>> {
        Ok(())
    }
}

impl crate::extract::Validate for ServiceReasonRequest {
    fn validate(&self) -> Result<(), Vec<domain::error::FieldError>> {
        Ok(())
    }
}

impl crate::extract::Validate for ServicePauseRequest {
    fn validate(&self) -> Result<(), Vec<domain::error::FieldError>> {
        Ok(())
    }
}
