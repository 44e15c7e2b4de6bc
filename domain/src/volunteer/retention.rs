//! Keeping requesters' personal data no longer than needed (PIPL; domain.md: "they are
//! erased a set time after the request closes"). A request is over when it is closed,
//! cancelled or rejected; a set number of days later its personal fields are erased and
//! what the statistics need stays: kind, state, dates, deadlines, capacity, rating, claims
//! and the hours ledger.

use chrono::{DateTime, Duration, Utc};

use super::model::RequestState;
use super::request::ServiceRequest;

/// What an erased request's title reads.
pub const ERASED_TITLE: &str = "（已清除）";

/// How long personal data is kept after a request is over.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Retention {
    days: u32,
}

impl Retention {
    pub const MIN_DAYS: u32 = 1;
    pub const MAX_DAYS: u32 = 3650;
    pub const DEFAULT_DAYS: u32 = 180;

    /// `days` within 1..=3650.
    pub fn days(days: u32) -> Option<Self> {
        (Self::MIN_DAYS..=Self::MAX_DAYS)
            .contains(&days)
            .then_some(Self { days })
    }

    pub fn in_days(&self) -> u32 {
        self.days
    }

    /// Requests over at or before this instant are due for erasure at `now`.
    pub fn over_by(&self, now: DateTime<Utc>) -> DateTime<Utc> {
        now - Duration::days(i64::from(self.days))
    }
}

impl Default for Retention {
    fn default() -> Self {
        Self {
            days: Self::DEFAULT_DAYS,
        }
    }
}

impl ServiceRequest {
    /// When the request was over: closed (its `closed_at`), cancelled or rejected (its
    /// last change, which was that step: nothing follows them); `None` while it is open.
    pub fn over_at(&self) -> Option<DateTime<Utc>> {
        match self.state {
            RequestState::Closed => Some(self.closed_at.unwrap_or(self.updated_at)),
            RequestState::Cancelled | RequestState::Rejected => Some(self.updated_at),
            _ => None,
        }
    }

    /// Whether its personal data is due for erasure at `now`: over for `retention` or
    /// longer, and not erased yet.
    pub fn erasure_due(&self, retention: Retention, now: DateTime<Utc>) -> bool {
        self.erased_at.is_none()
            && self
                .over_at()
                .is_some_and(|over| over <= retention.over_by(now))
    }

    /// The request with its personal data erased at `now`: no contact, preferred time,
    /// description, photos, rating comment, completion summary or reason note, its title
    /// [`ERASED_TITLE`] (a title may hold a name). Kind, urgency, tags, state, dates,
    /// deadlines, capacity, assignee, rating and reason code stay; `updated_at` too, since
    /// it dates a cancellation or rejection. The version moves on, so a change that read
    /// the request before cannot write its personal data back. Erasing an erased request
    /// changes nothing but that.
    pub fn erased(&self, now: DateTime<Utc>) -> ServiceRequest {
        let mut r = self.clone();
        r.title = ERASED_TITLE.to_owned();
        r.description = String::new();
        r.contact = None;
        r.preferred_time = None;
        r.photos = Vec::new();
        r.rating_comment = None;
        r.summary = None;
        r.reason = r.reason.map(|(code, _)| (code, None));
        r.extension = None;
        r.erased_at = Some(self.erased_at.unwrap_or(now));
        r.version = self.version + 1;
        r
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;
    use crate::org::{MemberId, OrgId, OrgPath, PhoneNumber};
    use crate::volunteer::request::{Contact, Filer};
    use crate::volunteer::{Assignee, Moderation, ServiceKind, ServiceRequestId, Urgency};

    fn at(y: i32, m: u32, d: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, m, d, 2, 0, 0)
            .single()
            .unwrap_or_else(Utc::now)
    }

    fn closed() -> ServiceRequest {
        let committee = OrgId::new();
        let branch = OrgId::new();
        let path = OrgPath::root(committee);
        ServiceRequest {
            id: ServiceRequestId::new(),
            committee_id: committee,
            committee_path: path.clone(),
            kind: ServiceKind::Hotline,
            urgency: Urgency::Normal,
            title: "帮王阿婆买药".into(),
            description: "王阿婆腿脚不便".into(),
            contact: Some(Contact {
                name: "王阿婆".into(),
                phone: PhoneNumber::parse("13800005678").unwrap_or_else(|_| unreachable!()),
                address: "新舍村12号".into(),
            }),
            preferred_time: Some("周六上午".into()),
            tags: vec!["elderly_alone".into()],
            photos: vec!["https://img.example.cn/1.jpg".into()],
            filer: Filer::Member(MemberId::new()),
            moderation: Moderation::Unchecked,
            state: RequestState::Closed,
            paused_since: None,
            capacity: 2,
            claimed: 1,
            assignee: Some(Assignee::Branch(branch)),
            assignee_path: Some(path.child(branch)),
            claim_due: Some(at(2026, 1, 2)),
            complete_due: Some(at(2026, 1, 5)),
            summary: Some("已送药到王阿婆家".into()),
            completed_at: Some(at(2026, 1, 4)),
            rating: Some(5),
            rating_comment: Some("谢谢小李".into()),
            followed_up: false,
            closed_at: Some(at(2026, 1, 6)),
            reason: Some(("unsatisfied".into(), Some("王阿婆说没送到".into()))),
            duplicate_of: None,
            extension: None,
            erased_at: None,
            version: 7,
            created_at: at(2026, 1, 1),
            updated_at: at(2026, 1, 6),
        }
    }

    #[test]
    fn retention_is_one_day_to_ten_years() {
        assert!(Retention::days(0).is_none());
        assert!(Retention::days(3651).is_none());
        assert_eq!(Retention::days(1).map(|r| r.in_days()), Some(1));
        assert_eq!(Retention::default().in_days(), 180);
    }

    #[test]
    fn a_request_is_due_the_set_time_after_it_is_over_and_never_while_open() {
        let r = closed();
        let keep = Retention::days(180).unwrap_or_default();
        let due = r.closed_at.unwrap_or_else(Utc::now) + Duration::days(180);
        assert!(!r.erasure_due(keep, due - Duration::seconds(1)));
        assert!(r.erasure_due(keep, due));
        for state in [RequestState::Cancelled, RequestState::Rejected] {
            let over = ServiceRequest { state, ..closed() };
            assert!(over.erasure_due(keep, r.updated_at + Duration::days(180)));
        }
        for state in RequestState::ALL.iter().filter(|s| s.is_open()) {
            let open = ServiceRequest {
                state: *state,
                ..closed()
            };
            assert!(
                !open.erasure_due(keep, due + Duration::days(3650)),
                "{state:?}"
            );
        }
        let erased = r.erased(due);
        assert!(!erased.erasure_due(keep, due + Duration::days(1)));
    }

    #[test]
    fn erasure_keeps_the_statistics_and_nothing_personal() {
        let r = closed();
        let now = at(2026, 7, 10);
        let e = r.erased(now);
        assert_eq!(e.title, ERASED_TITLE);
        assert_eq!(e.description, "");
        assert_eq!(e.contact, None);
        assert_eq!(e.preferred_time, None);
        assert!(e.photos.is_empty());
        assert_eq!(e.rating_comment, None);
        assert_eq!(e.summary, None);
        assert_eq!(e.reason, Some(("unsatisfied".to_owned(), None)));
        assert_eq!(e.erased_at, Some(now));
        assert_eq!(e.version, r.version + 1);
        // What the statistics need stays as it was.
        let kept = ServiceRequest {
            title: r.title.clone(),
            description: r.description.clone(),
            contact: r.contact.clone(),
            preferred_time: r.preferred_time.clone(),
            photos: r.photos.clone(),
            rating_comment: r.rating_comment.clone(),
            summary: r.summary.clone(),
            reason: r.reason.clone(),
            erased_at: None,
            version: r.version,
            ..e.clone()
        };
        assert_eq!(kept, r);
        // Twice is harmless: the first erasure's instant stays.
        let again = e.erased(now + Duration::days(1));
        assert_eq!(again.erased_at, Some(now));
        assert_eq!(again.contact, None);
    }
}
