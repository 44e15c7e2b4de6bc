//! The activity context's subscribe messages, built here and handed to push to deliver:
//! reminders before an activity (活动提醒), review results of check-ins and exemptions
//! (审核结果通知) and 三会一课 obligation notices to branch secretaries (三会一课提醒).

use chrono::{DateTime, Utc};

use super::calendar::Period;
use super::model::Activity;
use super::report::ObligationReport;
use super::schedule::ObligationKind;
use crate::calendar::YearMonth;
use crate::org::Org;
use crate::push::{template_fields, wechat_time, PushKind, PushMessage, PushMessageId};

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
        fields: template_fields(&[
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
            ObligationKind::OrgLifeMeeting => "组织生活会",
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
    let month = YearMonth::containing(last_minute)
        .map(|m| m.to_string())
        .unwrap_or_default();
    PushMessage {
        id: PushMessageId::at(now),
        key: obligation_key(branch, o, stage),
        subject: format!("obligation:{}", branch.id),
        kind: PushKind::Obligation,
        template_id: template_id.to_owned(),
        page: format!("pages/orgs/activity-plan?orgId={}&month={month}", branch.id),
        fields: template_fields(&[
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
        fields: template_fields(&[
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
