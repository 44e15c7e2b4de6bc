use chrono::{DateTime, Utc};

use crate::activity::calendar::Period;
use crate::activity::report::ObligationReport;
use crate::activity::schedule::ObligationKind;
use crate::activity::Activity;
use crate::calendar::shanghai;
use crate::material::{Material, MaterialCategory};
use crate::org::{MemberId, Org};

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
        Obligation => "obligation",
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
    /// Telling branch secretaries of 三会一课 obligations coming due or overdue.
    pub obligation: Option<String>,
}

impl PushTemplates {
    pub fn of(&self, kind: PushKind) -> Option<&str> {
        match kind {
            PushKind::Material => self.material.as_deref(),
            PushKind::Reminder => self.reminder.as_deref(),
            PushKind::Review => self.review.as_deref(),
            PushKind::Obligation => self.obligation.as_deref(),
        }
    }

    pub fn any(&self) -> bool {
        PushKind::ALL.iter().any(|k| self.of(*k).is_some())
    }

    /// Whether `template_id` is one of the configured templates.
    pub fn contains(&self, template_id: &str) -> bool {
        PushKind::ALL
            .iter()
            .any(|k| self.of(*k) == Some(template_id))
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
    pub fn material_id(&self) -> Option<crate::material::MaterialId> {
        if self.kind != PushKind::Material {
            return None;
        }
        let raw = self.subject.strip_prefix("material:")?;
        uuid::Uuid::parse_str(raw)
            .ok()
            .map(crate::material::MaterialId::from_uuid)
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

/// Where an obligation stands when its branch's secretary is told of it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ObligationStage {
    /// Not met yet, and its period ends within the lead time.
    Due,
    /// Its period ended without it being met.
    Overdue,
}

impl ObligationStage {
    pub fn as_str(&self) -> &'static str {
        match self {
            ObligationStage::Due => "due",
            ObligationStage::Overdue => "overdue",
        }
    }

    fn label_zh(&self) -> &'static str {
        match self {
            ObligationStage::Due => "即将到期",
            ObligationStage::Overdue => "已逾期",
        }
    }
}

impl ObligationKind {
    /// The duty as a secretary reads it.
    pub fn label_zh(&self) -> &'static str {
        match self {
            ObligationKind::ThemeDay => "主题党日",
            ObligationKind::CommitteeMeeting => "支委会",
            ObligationKind::GroupMeeting => "党小组会",
            ObligationKind::GeneralAssembly => "党员大会",
            ObligationKind::PartyLesson => "党课",
            ObligationKind::SecretaryLesson => "书记讲党课",
        }
    }
}

/// `11月`, `第4季度`, `2026年`: the period as it reads before the duty's name.
fn period_zh(period: &Period) -> String {
    match period {
        Period::Month(m) => format!("{}月", m.month()),
        Period::Quarter { quarter, .. } => format!("第{quarter}季度"),
        Period::Year(y) => format!("{y}年"),
    }
}

/// The unique key of the notice of `o` at `stage` (once per branch, obligation, group,
/// period and stage, whichever instance writes it).
pub fn obligation_key(branch: &Org, o: &ObligationReport, stage: ObligationStage) -> String {
    let group = o
        .group
        .as_ref()
        .map(|g| format!(":{}", g.id))
        .unwrap_or_default();
    format!(
        "obligation:{}:{}:{}{group}:{}",
        stage.as_str(),
        branch.id,
        o.kind.as_str(),
        o.period.label()
    )
}

/// 三会一课提醒 to a branch's secretary: `thing1` the duty (`11月支委会`, `11月党小组会·第一党小组`),
/// `thing2` the branch, `time3` the period's last minute, `phrase4` 即将到期 or 已逾期. A due
/// notice not sent by the period's end is dropped (the overdue one follows).
pub fn obligation_message(
    branch: &Org,
    o: &ObligationReport,
    stage: ObligationStage,
    template_id: &str,
    now: DateTime<Utc>,
) -> PushMessage {
    let mut duty = format!("{}{}", period_zh(&o.period), o.kind.label_zh());
    if let Some(g) = &o.group {
        duty.push('·');
        duty.push_str(&g.name);
    }
    let last_minute = o.period.end() - chrono::TimeDelta::minutes(1);
    // The plan of the period's last month shows the obligation with its state.
    let month = crate::calendar::YearMonth::containing(last_minute)
        .map(|m| m.to_string())
        .unwrap_or_default();
    PushMessage {
        id: PushMessageId::at(now),
        key: obligation_key(branch, o, stage),
        subject: format!("obligation:{}", branch.id),
        kind: PushKind::Obligation,
        template_id: template_id.to_owned(),
        page: format!("pages/orgs/activity-plan?orgId={}&month={month}", branch.id),
        fields: fields(&[
            ("thing1", duty),
            ("thing2", branch.name.clone()),
            ("time3", wechat_time(last_minute)),
            ("phrase4", stage.label_zh().to_owned()),
        ]),
        expires_at: match stage {
            ObligationStage::Due => Some(o.period.end()),
            ObligationStage::Overdue => None,
        },
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
