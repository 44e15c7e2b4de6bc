//! The appraisal context's subscribe message (自评提醒: the secretary's reminder to members
//! who have not submitted their self-assessment), built here and handed to push to deliver,
//! and the check push asks for before each send: the self-assessment stage still open and
//! the member still owing their submission.

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, TimeDelta, Utc};

use super::campaign::{AssessmentStatus, Campaign, CampaignId};
use super::ports::AppraisalRepo;
use super::stage::Stage;
use crate::calendar::shanghai;
use crate::error::DomainError;
use crate::org::{Member, MemberId};
use crate::push::{
    template_fields, wechat_time, DeliveryCheck, DeliveryStatus, PushKind, PushMessage,
    PushMessageId, Verdict,
};

/// The day (Beijing) a reminder written at `now` counts against: one per member per day.
pub fn reminder_day(now: DateTime<Utc>) -> NaiveDate {
    now.with_timezone(&shanghai()).date_naive()
}

/// The unique key of the reminder to `member` on `day`: whichever secretary, instance or
/// retry writes it, a member gets one a day.
pub fn reminder_key(campaign: CampaignId, member: MemberId, day: NaiveDate) -> String {
    format!("appraisal-reminder:{campaign}:{member}:{day}")
}

/// 自评提醒: `thing1` the campaign (`2026年度民主评议党员`), `time2` the last minute of the
/// self-assessment stage, `thing3` what to do. Not sent once the stage is over.
pub fn reminder_message(
    c: &Campaign,
    member: MemberId,
    template_id: &str,
    now: DateTime<Utc>,
) -> PushMessage {
    let ends = c.stages.end(Stage::SelfAssessment);
    PushMessage {
        id: PushMessageId::at(now),
        key: reminder_key(c.id, member, reminder_day(now)),
        subject: format!("appraisal:{}", c.id),
        kind: PushKind::Appraisal,
        template_id: template_id.to_owned(),
        page: format!("pages/appraisals/self-assessment?id={}", c.id),
        fields: template_fields(&[
            ("thing1", c.name.clone()),
            ("time2", wechat_time(ends - TimeDelta::minutes(1))),
            ("thing3", "请在截止前提交个人自评".to_owned()),
        ]),
        expires_at: Some(ends),
        created_at: now,
    }
}

/// The campaign a reminder is about.
pub fn campaign_of(message: &PushMessage) -> Option<CampaignId> {
    if message.kind != PushKind::Appraisal {
        return None;
    }
    let raw = message.subject.strip_prefix("appraisal:")?;
    uuid::Uuid::parse_str(raw).ok().map(CampaignId::from_uuid)
}

/// Checks reminders against the campaign as it stands at the send: a member who submitted
/// (or was excused) meanwhile is not reminded, nor anyone once the stage is over (the
/// secretary may have moved on early). Other messages pass.
pub struct AppraisalDeliveryCheck<'a, R: ?Sized> {
    repos: &'a R,
}

impl<'a, R: AppraisalRepo + ?Sized> AppraisalDeliveryCheck<'a, R> {
    pub fn new(repos: &'a R) -> Self {
        Self { repos }
    }
}

#[async_trait]
impl<R: AppraisalRepo + ?Sized> DeliveryCheck for AppraisalDeliveryCheck<'_, R> {
    async fn check(
        &self,
        message: &PushMessage,
        member: &Member,
        now: DateTime<Utc>,
    ) -> Result<Verdict, DomainError> {
        let Some(id) = campaign_of(message) else {
            return Ok(Verdict::Send);
        };
        let cancelled = |reason: &str| {
            Ok(Verdict::End {
                status: DeliveryStatus::Cancelled,
                reason: reason.to_owned(),
            })
        };
        match self.repos.get_campaign(id).await? {
            Some(c) if c.stages.is_open(Stage::SelfAssessment, now) => {}
            _ => return cancelled("stage_over"),
        }
        match self.repos.participant(id, member.id).await? {
            Some(p) if p.excused.is_none() => {}
            _ => return cancelled("not_taking_part"),
        }
        let submitted = self
            .repos
            .assessment(id, member.id)
            .await?
            .is_some_and(|a| a.status == AssessmentStatus::Submitted);
        if submitted {
            return cancelled("submitted");
        }
        Ok(Verdict::Send)
    }
}
