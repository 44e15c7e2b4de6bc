//! A 96345 service request: what the requester asks for, who filed it, where it stands, who
//! serves it, and the requester's personal data (shown whole only to those who need it, and
//! erased a while after the request is over).

use chrono::{DateTime, Utc};

use super::lifecycle::Position;
use super::model::{Assignee, RequestState, ResidentId, ServiceKind, ServiceRequestId, Urgency};
use super::moderation::Moderation;
use crate::error::{ErrorCode, FieldError};
use crate::org::{MemberId, OrgId, OrgPath, PhoneNumber};
use crate::text::{clean_multiline, clean_text};

/// Who filed a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Filer {
    /// A resident, for themself, through the mini-program.
    Resident(ResidentId),
    /// A member, on behalf of a resident.
    Member(MemberId),
    /// A hotline operator, for a caller without WeChat.
    Operator(MemberId),
}

impl Filer {
    pub fn kind(&self) -> &'static str {
        match self {
            Filer::Resident(_) => "resident",
            Filer::Member(_) => "member",
            Filer::Operator(_) => "operator",
        }
    }
}

/// The requester's personal data (PIPL): shown whole only to the volunteers serving the
/// request while it is open, the requester, and the dispatching township's operators and
/// admins; erased a set time after the request is over.
#[derive(Clone, PartialEq, Eq)]
pub struct Contact {
    pub name: String,
    pub phone: PhoneNumber,
    pub address: String,
}

impl std::fmt::Debug for Contact {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Contact { .. }")
    }
}

impl Contact {
    /// `张**`: the first character, the rest starred.
    pub fn masked_name(&self) -> String {
        mask_tail(&self.name, 1)
    }

    /// `盖北镇新舍村****`: at most the first six characters (never more than half).
    pub fn masked_address(&self) -> String {
        let len = self.address.chars().count();
        mask_tail(&self.address, (len / 2).min(6))
    }
}

/// `王**`: how a volunteer is named to the requester (in the request and its notes).
pub fn masked_volunteer(name: &str) -> String {
    let first: String = name.chars().take(1).collect();
    format!("{first}**")
}

fn mask_tail(text: &str, keep: usize) -> String {
    let len = text.chars().count();
    let shown: String = text.chars().take(keep).collect();
    format!(
        "{shown}{}",
        "*".repeat(len.saturating_sub(keep).clamp(2, 4))
    )
}

/// The beneficiary tags a request may carry, as data: key and label.
pub const BENEFICIARY_TAGS: &[(&str, &str)] = &[
    ("elderly_alone", "独居老人"),
    ("elderly", "高龄老人"),
    ("disabled", "残疾人"),
    ("left_behind_child", "留守儿童"),
    ("hardship", "困难家庭"),
    ("seriously_ill", "重病患者"),
    ("veteran", "退役军人"),
    ("other", "其他"),
];

/// Words that describe a danger to life: such a request is not volunteer work and is
/// refused with a pointer to 110, 120 and 119.
const DANGER: &[&str] = &[
    "救命",
    "着火",
    "失火",
    "火灾",
    "起火",
    "溺水",
    "落水",
    "昏迷",
    "晕倒",
    "心脏骤停",
    "不省人事",
    "大出血",
    "抢劫",
    "持刀",
    "行凶",
    "杀人",
    "自杀",
    "轻生",
    "跳楼",
    "煤气泄漏",
    "燃气泄漏",
    "触电",
    "车祸",
    "中毒",
];

/// Whether `text` describes a danger to life.
pub fn describes_danger(text: &str) -> bool {
    DANGER.iter().any(|w| text.contains(w))
}

/// What a filer sends.
#[derive(Debug, Clone, Default)]
pub struct RequestDraft {
    pub kind: String,
    pub urgency: Option<String>,
    pub title: String,
    pub description: String,
    pub address: String,
    pub contact_name: String,
    pub contact_phone: String,
    pub preferred_time: Option<String>,
    pub tags: Vec<String>,
    pub photos: Vec<String>,
}

/// A request's content, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestContent {
    pub kind: ServiceKind,
    pub urgency: Urgency,
    pub title: String,
    pub description: String,
    pub contact: Contact,
    pub preferred_time: Option<String>,
    pub tags: Vec<String>,
    pub photos: Vec<String>,
}

impl RequestContent {
    pub const MAX_TITLE: usize = 40;
    pub const MAX_DESCRIPTION: usize = 1000;
    pub const MAX_ADDRESS: usize = 100;
    pub const MAX_NAME: usize = 20;
    pub const MAX_PREFERRED_TIME: usize = 50;
    pub const MAX_TAGS: usize = 5;
    pub const MAX_PHOTOS: usize = 9;
    pub const MAX_PHOTO_URL: usize = 500;

    /// Checks a draft: every field's problem at once.
    pub fn parse(d: &RequestDraft) -> Result<Self, Vec<FieldError>> {
        let mut errors = Vec::new();
        let code = ErrorCode::ServiceRequestFieldInvalid;
        let mut take = |r: Result<String, FieldError>| match r {
            Ok(v) => Some(v),
            Err(e) => {
                errors.push(e);
                None
            }
        };
        let title = take(clean_text(&d.title, Self::MAX_TITLE, "/title", code));
        let description = take(clean_multiline(
            &d.description,
            Self::MAX_DESCRIPTION,
            "/description",
            code,
        ));
        let address = take(clean_text(&d.address, Self::MAX_ADDRESS, "/address", code));
        let name = take(clean_text(
            &d.contact_name,
            Self::MAX_NAME,
            "/contactName",
            code,
        ));
        let preferred_time = d.preferred_time.as_ref().and_then(|t| {
            take(clean_text(
                t,
                Self::MAX_PREFERRED_TIME,
                "/preferredTime",
                code,
            ))
        });
        let kind = ServiceKind::parse(&d.kind);
        if kind.is_none() {
            errors.push(FieldError::new("/kind", code, "unknown kind"));
        }
        let urgency = match d.urgency.as_deref() {
            None => Some(Urgency::Normal),
            Some(u) => Urgency::parse(u),
        };
        if urgency.is_none() {
            errors.push(FieldError::new(
                "/urgency",
                code,
                "urgency is normal or urgent",
            ));
        }
        let phone = match PhoneNumber::parse(&d.contact_phone) {
            Ok(p) => Some(p),
            Err(_) => {
                errors.push(FieldError::new(
                    "/contactPhone",
                    ErrorCode::PhoneInvalid,
                    "contactPhone must be an 11-digit mainland mobile number",
                ));
                None
            }
        };
        let mut tags: Vec<String> = Vec::new();
        if d.tags.len() > Self::MAX_TAGS {
            errors.push(FieldError::new(
                "/tags",
                code,
                format!("at most {} tags", Self::MAX_TAGS),
            ));
        }
        for (i, t) in d.tags.iter().enumerate() {
            if !BENEFICIARY_TAGS.iter().any(|(k, _)| k == t) {
                errors.push(FieldError::new(
                    format!("/tags/{i}"),
                    code,
                    "not a beneficiary tag",
                ));
            } else if !tags.contains(t) {
                tags.push(t.clone());
            }
        }
        if d.photos.len() > Self::MAX_PHOTOS {
            errors.push(FieldError::new(
                "/photos",
                code,
                format!("at most {} photos", Self::MAX_PHOTOS),
            ));
        }
        for (i, p) in d.photos.iter().enumerate() {
            if !is_photo_link(p) {
                errors.push(FieldError::new(
                    format!("/photos/{i}"),
                    code,
                    "a photo is an https link of at most 500 characters",
                ));
            }
        }
        match (
            title,
            description,
            address,
            name,
            kind,
            urgency,
            phone,
            errors.is_empty(),
        ) {
            (
                Some(title),
                Some(description),
                Some(address),
                Some(name),
                Some(kind),
                Some(urgency),
                Some(phone),
                true,
            ) => Ok(Self {
                kind,
                urgency,
                title,
                description,
                contact: Contact {
                    name,
                    phone,
                    address,
                },
                preferred_time,
                tags,
                photos: d.photos.clone(),
            }),
            _ => Err(errors),
        }
    }
}

/// An `https://` link without blanks or control characters, at most 500 characters.
pub fn is_photo_link(raw: &str) -> bool {
    crate::text::is_https_link(raw, RequestContent::MAX_PHOTO_URL)
}

/// A request as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceRequest {
    pub id: ServiceRequestId,
    /// The township whose operators dispatch it.
    pub committee_id: OrgId,
    pub committee_path: OrgPath,
    pub kind: ServiceKind,
    pub urgency: Urgency,
    pub title: String,
    pub description: String,
    /// `None` once erased.
    pub contact: Option<Contact>,
    pub preferred_time: Option<String>,
    pub tags: Vec<String>,
    pub photos: Vec<String>,
    pub filer: Filer,
    pub moderation: Moderation,
    pub state: RequestState,
    /// Waiting on the requester since then.
    pub paused_since: Option<DateTime<Utc>>,
    pub capacity: u32,
    pub claimed: u32,
    pub assignee: Option<Assignee>,
    /// The path the assignee covers: the branch's, or the committee's for the wish list
    /// (`None` for a team or before dispatch).
    pub assignee_path: Option<OrgPath>,
    /// By when a volunteer must have claimed it, and by when it must be completed.
    pub claim_due: Option<DateTime<Utc>>,
    pub complete_due: Option<DateTime<Utc>>,
    pub summary: Option<String>,
    pub completed_at: Option<DateTime<Utc>>,
    pub rating: Option<u8>,
    pub rating_comment: Option<String>,
    /// Closed by the operator's follow-up call rather than the requester's own rating.
    pub followed_up: bool,
    pub closed_at: Option<DateTime<Utc>>,
    /// Why it was last rejected, returned or reopened: a reason code and a note.
    pub reason: Option<(String, Option<String>)>,
    /// Another request this one duplicates (a rejection's reference).
    pub duplicate_of: Option<ServiceRequestId>,
    /// More working days asked of the dispatcher, waiting for a decision.
    pub extension: Option<Extension>,
    pub erased_at: Option<DateTime<Utc>>,
    /// Bumped by every change: a change is stored only over the version it read.
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl ServiceRequest {
    /// Where it stands for the lifecycle.
    pub fn position(&self) -> Position {
        Position {
            state: self.state,
            paused: self.paused_since.is_some(),
            claimed: self.claimed,
            capacity: self.capacity,
        }
    }

    /// Whether a deadline has passed at `now` while it still had to be met (a paused
    /// request's clock stands still).
    pub fn overdue(&self, now: DateTime<Utc>) -> bool {
        if self.paused_since.is_some() {
            return false;
        }
        let past = |due: Option<DateTime<Utc>>| due.is_some_and(|d| now >= d);
        match self.state {
            RequestState::Accepted => past(self.claim_due) || past(self.complete_due),
            RequestState::Claimed | RequestState::InProgress => past(self.complete_due),
            _ => false,
        }
    }

    /// When the requester may expect the next step (Open311's `expected_datetime`).
    pub fn expected_at(&self) -> Option<DateTime<Utc>> {
        match self.state {
            RequestState::Accepted | RequestState::Claimed | RequestState::InProgress => {
                self.complete_due
            }
            _ => None,
        }
    }
}

/// More working days to complete a request, asked of the dispatcher.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Extension {
    pub days: u32,
    pub reason: String,
    pub by: MemberId,
    pub at: DateTime<Utc>,
}

/// A volunteer's place on a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Claim {
    pub request_id: ServiceRequestId,
    pub member_id: MemberId,
    pub name: String,
    pub claimed_at: DateTime<Utc>,
}

/// A note at a step, shown to the requester with its state (Open311's `status_notes`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusNote {
    pub request_id: ServiceRequestId,
    pub at: DateTime<Utc>,
    pub state: RequestState,
    pub note: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn draft() -> RequestDraft {
        RequestDraft {
            kind: "hotline".into(),
            urgency: None,
            title: " 帮忙买药 ".into(),
            description: "腿脚不便，需要代购降压药。".into(),
            address: "盖北镇新舍村12号".into(),
            contact_name: "王阿婆".into(),
            contact_phone: "138 0000 5678".into(),
            preferred_time: Some("周六上午".into()),
            tags: vec!["elderly_alone".into(), "elderly_alone".into()],
            photos: vec![],
        }
    }

    #[test]
    fn a_draft_is_cleaned_and_its_tags_merged() {
        let c = RequestContent::parse(&draft()).unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(c.title, "帮忙买药");
        assert_eq!(c.urgency, Urgency::Normal);
        assert_eq!(c.tags, ["elderly_alone"]);
        assert_eq!(c.contact.phone.as_str(), "13800005678");
    }

    #[test]
    fn every_bad_field_is_named() {
        let d = RequestDraft {
            kind: "party".into(),
            urgency: Some("now".into()),
            title: String::new(),
            contact_phone: "12345".into(),
            tags: vec!["rich".into()],
            photos: vec!["http://x.cn/a.jpg".into()],
            ..draft()
        };
        let errors = RequestContent::parse(&d).err().unwrap_or_default();
        let pointers: Vec<&str> = errors.iter().map(|e| e.pointer.as_str()).collect();
        assert_eq!(
            pointers,
            [
                "/title",
                "/kind",
                "/urgency",
                "/contactPhone",
                "/tags/0",
                "/photos/0"
            ]
        );
    }

    #[test]
    fn masks_keep_little() {
        let c = RequestContent::parse(&draft())
            .unwrap_or_else(|e| panic!("{e:?}"))
            .contact;
        assert_eq!(c.masked_name(), "王**");
        assert_eq!(c.masked_address(), "盖北镇新****");
        assert_eq!(format!("{c:?}"), "Contact { .. }");
    }

    #[test]
    fn danger_to_life_is_recognised() {
        assert!(describes_danger("家里着火了快来人"));
        assert!(!describes_danger("帮忙修一下水龙头"));
    }
}
