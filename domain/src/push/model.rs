use chrono::{DateTime, Utc};

use crate::activity::calendar::shanghai;
use crate::activity::Activity;
use crate::org::MemberId;
use crate::study::{Material, MaterialCategory};

crate::define_id!(
    /// Identifies one outbox message (one material revision, one reminder, one review).
    PushMessageId
);

crate::define_id!(
    /// Identifies the delivery of one message to one member.
    DeliveryId
);

crate::string_enum::string_enum!(
    /// What a message is about; each kind has its own subscribe-message template.
    PushKind {
        Material => "material",
        Reminder => "reminder",
        Review => "review",
    }
);

crate::string_enum::string_enum!(
    /// Where one delivery stands. `pending` waits for its time (or its retry); `sending` is
    /// claimed by a worker under a lease; the rest are final: `sent`; `refused` (WeChat
    /// answered 43101, the member has no consent left); `failed` (a failure retrying cannot
    /// fix, or the retries ran out); `unknown` (a worker stopped while sending, or the answer
    /// was lost: it may have arrived, so it is not sent again); `skipped` (no WeChat account
    /// bound, no consent left, or the member left); `cancelled` (the material was withdrawn
    /// first).
    DeliveryStatus {
        Pending => "pending",
        Sending => "sending",
        Sent => "sent",
        Refused => "refused",
        Failed => "failed",
        Unknown => "unknown",
        Skipped => "skipped",
        Cancelled => "cancelled",
    }
);

/// The template of each kind of message; `None` switches that kind of push off.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PushTemplates {
    pub material: Option<String>,
    pub reminder: Option<String>,
    pub review: Option<String>,
}

impl PushTemplates {
    pub fn of(&self, kind: PushKind) -> Option<&str> {
        match kind {
            PushKind::Material => self.material.as_deref(),
            PushKind::Reminder => self.reminder.as_deref(),
            PushKind::Review => self.review.as_deref(),
        }
    }

    pub fn any(&self) -> bool {
        self.material.is_some() || self.reminder.is_some() || self.review.is_some()
    }
}

/// One message of the outbox, rendered when it was written: template fields already cut
/// to WeChat's limits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PushMessage {
    pub id: PushMessageId,
    /// Unique: a message with the same key is never written twice (a reminder once per
    /// activity, a material once per pushed revision).
    pub key: String,
    /// What it is about (`material:{id}`, …): withdrawing the subject cancels what is
    /// still pending.
    pub subject: String,
    pub kind: PushKind,
    pub template_id: String,
    /// The mini-program page the message opens.
    pub page: String,
    /// Template data, key → value.
    pub fields: Vec<(String, String)>,
    /// Not sent at or after this instant (a reminder once its activity has started).
    pub expires_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

impl PushMessage {
    /// The material a material push is about.
    pub fn material_id(&self) -> Option<crate::study::MaterialId> {
        if self.kind != PushKind::Material {
            return None;
        }
        let raw = self.subject.strip_prefix("material:")?;
        uuid::Uuid::parse_str(raw)
            .ok()
            .map(crate::study::MaterialId::from_uuid)
    }
}

/// The delivery of one message to one member.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delivery {
    pub id: DeliveryId,
    pub message_id: PushMessageId,
    pub member_id: MemberId,
    pub status: DeliveryStatus,
    /// Sending attempts made (claims).
    pub attempts: i32,
    /// Not before this instant (the publish time, or the next retry).
    pub next_attempt_at: DateTime<Utc>,
    pub lease_owner: Option<String>,
    pub lease_until: Option<DateTime<Utc>>,
    /// The last error or the reason it was skipped.
    pub last_error: Option<String>,
    pub sent_at: Option<DateTime<Utc>>,
    pub updated_at: DateTime<Utc>,
}

/// How a claimed delivery ended (or goes back to waiting).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeliveryUpdate {
    pub status: DeliveryStatus,
    pub next_attempt_at: Option<DateTime<Utc>>,
    pub last_error: Option<String>,
    pub sent_at: Option<DateTime<Utc>>,
}

/// The most characters WeChat accepts in a template field of this key's type (the letters
/// before the key's number: `thing1` is a `thing`). `None`: no cut (times and dates are
/// written in WeChat's format already).
pub fn field_limit(key: &str) -> Option<usize> {
    let kind = key.trim_end_matches(|c: char| c.is_ascii_digit());
    match kind {
        "thing" => Some(20),
        "name" => Some(10),
        "phrase" | "symbol" => Some(5),
        "character_string" | "number" | "letter" | "amount" => Some(32),
        "phone_number" => Some(17),
        "car_number" => Some(8),
        _ => None,
    }
}

/// `value` fit for the template field `key`: control characters and surrounding blanks
/// removed, cut to the field's limit (a cut `thing` ends in "…"), never empty (WeChat
/// refuses empty values).
pub fn fit_field(key: &str, value: &str) -> String {
    let clean: String = value
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    let clean = clean.trim();
    let clean = if clean.is_empty() { "-" } else { clean };
    match field_limit(key) {
        Some(limit) if clean.chars().count() > limit => {
            if key.starts_with("thing") {
                let mut cut: String = clean.chars().take(limit - 1).collect();
                cut.push('…');
                cut
            } else {
                clean.chars().take(limit).collect()
            }
        }
        _ => clean.to_owned(),
    }
}

/// An instant as WeChat's `time` fields show it, in Shanghai time: `2026-12-01 09:00`.
pub fn wechat_time(instant: DateTime<Utc>) -> String {
    instant
        .with_timezone(&shanghai())
        .format("%Y-%m-%d %H:%M")
        .to_string()
}

fn fields(pairs: &[(&str, String)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), fit_field(k, v)))
        .collect()
}

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
        fields: fields(&[
            ("thing1", m.title.clone()),
            ("thing2", m.category.label_zh().to_owned()),
            ("time3", wechat_time(m.publish_at)),
        ]),
        expires_at: None,
        created_at: now,
    }
}

/// 活动提醒: `thing1` activity title, `time2` start, `thing3` place.
pub fn reminder_message(a: &Activity, template_id: &str, now: DateTime<Utc>) -> PushMessage {
    PushMessage {
        id: PushMessageId::at(now),
        // A rescheduled activity gets a reminder for its new time.
        key: format!("reminder:{}:{}", a.id, a.starts_at.timestamp()),
        subject: format!("activity:{}", a.id),
        kind: PushKind::Reminder,
        template_id: template_id.to_owned(),
        page: format!("pages/activities/detail?id={}", a.id),
        fields: fields(&[
            ("thing1", a.title.clone()),
            ("time2", wechat_time(a.starts_at)),
            (
                "thing3",
                a.place.clone().unwrap_or_else(|| "请按通知参加".to_owned()),
            ),
        ]),
        expires_at: Some(a.starts_at),
        created_at: now,
    }
}

/// What a review notice is about.
#[derive(Debug, Clone)]
pub struct ReviewNotice {
    /// `check_in` or `exemption`.
    pub object_type: &'static str,
    pub object_id: String,
    /// 签到：{activity title} or 请假申请.
    pub subject_line: String,
    pub approved: bool,
    pub reason: Option<String>,
    pub reviewed_at: DateTime<Utc>,
}

/// 审核结果通知: `thing1` what was reviewed, `phrase2` 已通过/未通过, `thing3` the reason,
/// `time4` when.
pub fn review_message(n: &ReviewNotice, template_id: &str, now: DateTime<Utc>) -> PushMessage {
    PushMessage {
        id: PushMessageId::at(now),
        key: format!("review:{}:{}", n.object_type, n.object_id),
        subject: format!("{}:{}", n.object_type, n.object_id),
        kind: PushKind::Review,
        template_id: template_id.to_owned(),
        page: format!(
            "pages/reviews/detail?type={}&id={}",
            n.object_type, n.object_id
        ),
        fields: fields(&[
            ("thing1", n.subject_line.clone()),
            (
                "phrase2",
                if n.approved { "已通过" } else { "未通过" }.to_owned(),
            ),
            (
                "thing3",
                n.reason.clone().unwrap_or_else(|| "无".to_owned()),
            ),
            ("time4", wechat_time(n.reviewed_at)),
        ]),
        expires_at: None,
        created_at: now,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thing_fields_are_cut_to_twenty_characters_counting_chinese_as_one() {
        let long = "学习贯彻党的二十届三中全会精神专题党课第一讲";
        let cut = fit_field("thing1", long);
        assert_eq!(cut.chars().count(), 20);
        assert!(cut.ends_with('…'));
        assert_eq!(fit_field("thing12", "短标题"), "短标题");
        assert_eq!(fit_field("phrase2", "已经通过审核"), "已经通过审");
        assert_eq!(fit_field("time3", "2026-12-01 09:00"), "2026-12-01 09:00");
        assert_eq!(fit_field("thing1", "  \u{0}\n "), "-");
        assert_eq!(fit_field("thing1", "a\nb"), "a b");
    }

    #[test]
    fn times_are_shown_in_shanghai() {
        let t = DateTime::parse_from_rfc3339("2026-11-30T16:30:00Z")
            .map(|t| t.with_timezone(&Utc))
            .unwrap_or_default();
        assert_eq!(wechat_time(t), "2026-12-01 00:30");
    }
}
