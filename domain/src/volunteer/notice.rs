//! The volunteer context's subscribe message (工单到期提醒): before a dispatched request's
//! deadline, the people who must act are told — the branch's secretaries and committee
//! members (or the team's leader) while nobody has claimed it, the volunteers holding a
//! place once someone has — and the check push asks for before each send.

use async_trait::async_trait;
use chrono::{DateTime, TimeDelta, Utc};

use super::model::{RequestState, ServiceRequestId};
use super::ports::ServiceRequestRepo;
use super::request::ServiceRequest;
use crate::error::DomainError;
use crate::org::Member;
use crate::push::{
    template_fields, wechat_time, DeliveryCheck, DeliveryStatus, PushKind, PushMessage,
    PushMessageId, Verdict,
};

/// Which deadline a reminder is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Deadline {
    /// To be claimed.
    Claim,
    /// To be completed.
    Complete,
}

impl Deadline {
    pub fn as_str(&self) -> &'static str {
        match self {
            Deadline::Claim => "claim",
            Deadline::Complete => "complete",
        }
    }

    fn label_zh(&self) -> &'static str {
        match self {
            Deadline::Claim => "待认领",
            Deadline::Complete => "待完成",
        }
    }

    /// The instant it falls due for `r`.
    pub fn of(&self, r: &ServiceRequest) -> Option<DateTime<Utc>> {
        match self {
            Deadline::Claim => r.claim_due,
            Deadline::Complete => r.complete_due,
        }
    }

    /// Whether the deadline still binds `r` (not met, not paused, still handled).
    pub fn binds(&self, r: &ServiceRequest) -> bool {
        r.paused_since.is_none()
            && match self {
                Deadline::Claim => r.state == RequestState::Accepted,
                Deadline::Complete => matches!(
                    r.state,
                    RequestState::Accepted | RequestState::Claimed | RequestState::InProgress
                ),
            }
    }
}

/// 工单到期提醒: `thing1` the request's title, `time2` the deadline's last minute, `phrase3`
/// 待认领 or 待完成. Once per request, deadline and due instant (a deadline moved on by an
/// extension or a wait reminds again); not sent once it has passed.
pub fn deadline_message(
    r: &ServiceRequest,
    which: Deadline,
    due: DateTime<Utc>,
    template_id: &str,
    now: DateTime<Utc>,
) -> PushMessage {
    PushMessage {
        id: PushMessageId::at(now),
        key: format!(
            "volunteer-deadline:{}:{}:{}",
            r.id,
            which.as_str(),
            due.timestamp()
        ),
        subject: format!("service_request:{}:{}", r.id, which.as_str()),
        kind: PushKind::Volunteer,
        template_id: template_id.to_owned(),
        page: format!("pages/service-requests/detail?id={}", r.id),
        fields: template_fields(&[
            ("thing1", r.title.clone()),
            ("time2", wechat_time(due - TimeDelta::minutes(1))),
            ("phrase3", which.label_zh().to_owned()),
        ]),
        expires_at: Some(due),
        created_at: now,
    }
}

/// The request and deadline a reminder is about.
pub fn deadline_of(message: &PushMessage) -> Option<(ServiceRequestId, Deadline)> {
    if message.kind != PushKind::Volunteer {
        return None;
    }
    let rest = message.subject.strip_prefix("service_request:")?;
    let (id, which) = rest.split_once(':')?;
    let which = match which {
        "claim" => Deadline::Claim,
        "complete" => Deadline::Complete,
        _ => return None,
    };
    uuid::Uuid::parse_str(id)
        .ok()
        .map(|u| (ServiceRequestId::from_uuid(u), which))
}

/// Checks deadline reminders at the send: a request claimed, completed, paused or over
/// meanwhile reminds nobody. Other messages pass.
pub struct VolunteerDeliveryCheck<'a, R: ?Sized> {
    repos: &'a R,
}

impl<'a, R: ServiceRequestRepo + ?Sized> VolunteerDeliveryCheck<'a, R> {
    pub fn new(repos: &'a R) -> Self {
        Self { repos }
    }
}

#[async_trait]
impl<R: ServiceRequestRepo + ?Sized> DeliveryCheck for VolunteerDeliveryCheck<'_, R> {
    async fn check(
        &self,
        message: &PushMessage,
        _member: &Member,
        _now: DateTime<Utc>,
    ) -> Result<Verdict, DomainError> {
        let Some((id, which)) = deadline_of(message) else {
            return Ok(Verdict::Send);
        };
        Ok(match self.repos.get(id).await? {
            Some(r) if which.binds(&r) => Verdict::Send,
            _ => Verdict::End {
                status: DeliveryStatus::Cancelled,
                reason: "deadline_met".into(),
            },
        })
    }
}
