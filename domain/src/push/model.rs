use crate::error::ErrorCode;
use chrono::{DateTime, Utc};

use crate::calendar::shanghai;
use crate::error::FieldError;
use crate::org::MemberId;

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
        Appraisal => "appraisal",
        Volunteer => "volunteer",
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
    /// Reminding members who have not submitted their self-assessment (自评提醒).
    pub appraisal: Option<String>,
    /// Reminding those who must act before a 96345 request's deadline (工单到期提醒).
    pub volunteer: Option<String>,
}

impl PushTemplates {
    pub fn of(&self, kind: PushKind) -> Option<&str> {
        match kind {
            PushKind::Material => self.material.as_deref(),
            PushKind::Reminder => self.reminder.as_deref(),
            PushKind::Review => self.review.as_deref(),
            PushKind::Obligation => self.obligation.as_deref(),
            PushKind::Appraisal => self.appraisal.as_deref(),
            PushKind::Volunteer => self.volunteer.as_deref(),
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

/// A member's remaining consents to one WeChat subscribe-message template: each consent the
/// member gives in the mini-program allows one message (as WeChat counts them).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subscription {
    pub member_id: MemberId,
    pub template_id: String,
    pub balance: i32,
    pub updated_at: DateTime<Utc>,
}

impl Subscription {
    /// WeChat template ids: letters, digits, `-` and `_`, at most 64.
    pub fn validate_template_id(raw: &str) -> Result<String, FieldError> {
        let ok = (1..=64).contains(&raw.len())
            && raw
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        if ok {
            Ok(raw.to_owned())
        } else {
            Err(FieldError::new(
                "/templateId",
                ErrorCode::SubscriptionTemplateInvalid,
                "templateId must be 1-64 letters, digits, '-' or '_'",
            ))
        }
    }
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
/// Template data from key → value pairs, each value fit for its field ([`fit_field`]).
pub fn template_fields(pairs: &[(&str, String)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), fit_field(k, v)))
        .collect()
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
