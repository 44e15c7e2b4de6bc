//! The material's subscribe message (学习资料推送), built here and handed to push to
//! deliver, and the check push asks for before each send: the material still published,
//! not moved later, and the member still in its audience.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use super::model::{Material, MaterialCategory, MaterialId, MaterialStatus};
use super::ports::MaterialRepo;
use crate::error::DomainError;
use crate::org::Member;
use crate::push::{
    template_fields, wechat_time, DeliveryCheck, DeliveryStatus, PushKind, PushMessage,
    PushMessageId, Verdict,
};

impl MaterialCategory {
    /// The category's name as members read it.
    pub fn label_zh(&self) -> &'static str {
        match self {
            MaterialCategory::PartyConstitution => "党章",
            MaterialCategory::PartyRules => "党规",
            MaterialCategory::SeriesSpeeches => "系列讲话",
            MaterialCategory::PartyHistory => "党史",
            MaterialCategory::Exemplars => "先进典型",
            MaterialCategory::WarningEducation => "警示教育",
            MaterialCategory::Skills => "业务技能",
            MaterialCategory::Other => "其他",
        }
    }
}

/// 学习资料推送: `thing1` title, `thing2` category, `time3` publish time.
pub fn material_message(m: &Material, template_id: &str, now: DateTime<Utc>) -> PushMessage {
    PushMessage {
        id: PushMessageId::at(now),
        key: format!("material:{}:r{}", m.id, m.revision),
        subject: format!("material:{}", m.id),
        kind: PushKind::Material,
        template_id: template_id.to_owned(),
        page: format!("pages/materials/detail?id={}", m.id),
        fields: template_fields(&[
            ("thing1", m.title.clone()),
            ("thing2", m.category.label_zh().to_owned()),
            ("time3", wechat_time(m.publish_at)),
        ]),
        expires_at: None,
        created_at: now,
    }
}

/// The material a material push is about.
pub fn material_of(message: &PushMessage) -> Option<MaterialId> {
    if message.kind != PushKind::Material {
        return None;
    }
    let raw = message.subject.strip_prefix("material:")?;
    uuid::Uuid::parse_str(raw).ok().map(MaterialId::from_uuid)
}

/// Checks material pushes against the material as it stands at the send: one moved later
/// waits for its new time, one withdrawn (or gone) is cancelled, a member no longer in its
/// audience is skipped. Other messages pass.
pub struct MaterialDeliveryCheck<'a, R: ?Sized> {
    repos: &'a R,
}

impl<'a, R: MaterialRepo + ?Sized> MaterialDeliveryCheck<'a, R> {
    pub fn new(repos: &'a R) -> Self {
        Self { repos }
    }
}

#[async_trait]
impl<R: MaterialRepo + ?Sized> DeliveryCheck for MaterialDeliveryCheck<'_, R> {
    async fn check(
        &self,
        message: &PushMessage,
        member: &Member,
        now: DateTime<Utc>,
    ) -> Result<Verdict, DomainError> {
        let Some(material) = material_of(message) else {
            return Ok(Verdict::Send);
        };
        Ok(match self.repos.get(material).await? {
            Some(m) if m.status == MaterialStatus::Published && m.publish_at > now => {
                // Rescheduled later since this was written: wait for the new time.
                Verdict::Wait {
                    until: m.publish_at,
                    reason: "rescheduled".into(),
                }
            }
            Some(m) if m.status == MaterialStatus::Published => {
                if m.audience.includes(member) {
                    Verdict::Send
                } else {
                    Verdict::End {
                        status: DeliveryStatus::Skipped,
                        reason: "not_in_audience".into(),
                    }
                }
            }
            _ => Verdict::End {
                status: DeliveryStatus::Cancelled,
                reason: "material_withdrawn".into(),
            },
        })
    }
}
