//! 96345 党员志愿服务 (source document 四(三)3, "统一平台+专业队伍+常态服务"): residents'
//! service requests in five kinds, dispatched by the township to a branch or a professional
//! team (专业队伍), claimed and served by member volunteers, with an append-only ledger of
//! their hours and the requester's personal data masked and, in time, erased.

pub mod deadline;
pub mod deadline_ports;
pub mod ledger;
pub mod lifecycle;
pub mod model;
pub mod moderation;
pub mod notice;
pub mod ports;
pub mod report;
pub mod report_ports;
pub mod request;
pub mod resident;
pub mod resident_ports;
pub mod resident_service;
pub mod retention;
pub mod retention_ports;
pub mod service;
pub mod team;
pub mod team_ports;

pub use deadline::{Allowance, DeadlinePolicy};
pub use deadline_ports::ServiceDeadlineRepo;
pub use ledger::{
    HalfYear, HoursCategory, HoursDecision, HoursEntry, HoursSource, HoursStatus, HoursTotals,
    NewManualHours, PeriodTotal,
};
pub use lifecycle::{Position, Refusal, Step};
pub use model::{
    Assignee, HoursEntryId, RequestState, ResidentId, ServiceKind, ServiceRequestId, TeamId,
    Urgency,
};
pub use moderation::{ContentCheck, ContentScene, ContentVerdict, Moderation};
pub use ports::{RequestQuery, RequestSight, ServiceRequestRepo};
pub use report::{LineKey, ReportLine, VolunteerReport};
pub use report_ports::{ReportedMinutes, ReportedRequest, VolunteerReportRepo};
pub use request::{
    Claim, Contact, Extension, Filer, RequestContent, RequestDraft, ServiceRequest, StatusNote,
};
pub use resident::{Resident, ResidentPhone, CONTENT_CHECK_WINDOW};
pub use resident_ports::{ResidentCaller, ResidentRepo};
pub use resident_service::{check_resident_text, sign_in_resident, ResidentSignIn};
pub use retention::{Retention, ERASED_TITLE};
pub use retention_ports::RetentionRepo;
pub use team::{MembershipDecision, MembershipStatus, Skills, Team, TeamMembership, TeamStatus};
pub use team_ports::{HoursRepo, TeamRepo};
