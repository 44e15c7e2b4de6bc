//! A campaign, who takes part in it, and a member's self-assessment as stored.

use chrono::{DateTime, NaiveDate, Utc};

use super::assessment::AssessmentContent;
use super::model::{
    PeerScope, Period, DEFAULT_NEGATIVE_LIST, DEFAULT_POSITIVE_LIST, LIST_ITEMS,
    MAX_LIST_ITEM_CHARS,
};
use super::stage::{Stage, StageClock, Standing};
use crate::activity::ActivityId;
use crate::error::{ErrorCode, FieldError};
use crate::org::{MemberId, OrgId, OrgPath};
use crate::text::clean_text;

crate::define_id!(
    /// An appraisal campaign.
    CampaignId
);

/// The largest share of a branch's graded members who may be rated 优秀, as a fraction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Share {
    pub numerator: u32,
    pub denominator: u32,
}

impl Share {
    /// One third, as the township's plan has it.
    pub const ONE_THIRD: Share = Share {
        numerator: 1,
        denominator: 3,
    };

    /// The most of `graded` members the share allows (rounded down).
    pub fn of(self, graded: usize) -> usize {
        let graded = u64::try_from(graded).unwrap_or(u64::MAX);
        let most = graded
            .saturating_mul(u64::from(self.numerator))
            .checked_div(u64::from(self.denominator))
            .unwrap_or(0);
        usize::try_from(most).unwrap_or(usize::MAX)
    }

    /// A share between 0 and 1 with a denominator of 1-100.
    pub fn new(numerator: u32, denominator: u32) -> Option<Self> {
        ((1..=100).contains(&denominator) && numerator <= denominator).then_some(Self {
            numerator,
            denominator,
        })
    }
}

/// An appraisal campaign of one org's subtree: a branch's own, or a township's for every
/// branch under it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Campaign {
    pub id: CampaignId,
    pub org_id: OrgId,
    pub org_path: OrgPath,
    pub name: String,
    pub period: Period,
    /// The 组织生活会 at which the campaign is held, when it is scheduled.
    pub meeting_id: Option<ActivityId>,
    pub stages: StageClock,
    pub peer_scope: PeerScope,
    /// The 双十条 as this campaign words them.
    pub positive_list: Vec<String>,
    pub negative_list: Vec<String>,
    pub excellent_share: Share,
    /// The standing the audit trail has recorded last.
    pub recorded: Standing,
    pub created_by: MemberId,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Campaign {
    pub const MAX_NAME_CHARS: usize = 100;

    pub fn validate_name(raw: &str) -> Result<String, FieldError> {
        clean_text(
            raw,
            Self::MAX_NAME_CHARS,
            "/name",
            ErrorCode::AppraisalNameInvalid,
        )
    }

    /// A township's own wording of a 双十条 list: exactly ten items of 1-100 printable
    /// characters; absent, the plan's wording.
    pub fn validate_list(
        raw: Option<Vec<String>>,
        pointer: &str,
        default: [&str; LIST_ITEMS],
    ) -> Result<Vec<String>, Vec<FieldError>> {
        let Some(items) = raw else {
            return Ok(default.iter().map(|s| (*s).to_owned()).collect());
        };
        if items.len() != LIST_ITEMS {
            return Err(vec![FieldError::new(
                pointer,
                ErrorCode::AppraisalListInvalid,
                format!("the list holds exactly {LIST_ITEMS} items"),
            )]);
        }
        let mut errors = Vec::new();
        let mut out = Vec::with_capacity(LIST_ITEMS);
        for (i, item) in items.iter().enumerate() {
            match clean_text(
                item,
                MAX_LIST_ITEM_CHARS,
                &format!("{pointer}/{i}"),
                ErrorCode::AppraisalListInvalid,
            ) {
                Ok(t) => out.push(t),
                Err(e) => errors.push(e),
            }
        }
        if errors.is_empty() {
            Ok(out)
        } else {
            Err(errors)
        }
    }

    pub fn default_lists() -> (Vec<String>, Vec<String>) {
        let own = |l: [&str; LIST_ITEMS]| l.iter().map(|s| (*s).to_owned()).collect();
        (own(DEFAULT_POSITIVE_LIST), own(DEFAULT_NEGATIVE_LIST))
    }

    /// Where the campaign stands at `now`.
    pub fn standing(&self, now: DateTime<Utc>) -> Standing {
        self.stages.standing(now)
    }

    /// The days a problem's rectification may be due: from the self-assessment's first day
    /// to the end of the year after the campaign's period.
    pub fn due_range(&self) -> std::ops::RangeInclusive<NaiveDate> {
        let first = self
            .stages
            .schedule()
            .dates(Stage::SelfAssessment)
            .starts_on;
        let last = NaiveDate::from_ymd_opt(self.period.year() + 1, 12, 31).unwrap_or(first);
        first..=last.max(first)
    }
}

/// A member taking part in a campaign, as the roster stood when it opened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Participant {
    pub campaign_id: CampaignId,
    pub member_id: MemberId,
    pub name: String,
    pub branch_id: OrgId,
    pub branch_path: OrgPath,
    pub group_id: Option<OrgId>,
    /// 预备党员: self-assessment and peer review, no grade.
    pub probationary: bool,
    /// Recorded by the secretary: the member is excused from the campaign, and why.
    pub excused: Option<Excusal>,
}

impl Participant {
    /// Whether the member receives a grade.
    pub fn graded(&self) -> bool {
        !self.probationary && self.excused.is_none()
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Excusal {
    pub reason: String,
    pub by: MemberId,
    pub at: DateTime<Utc>,
}

impl Excusal {
    pub const MAX_REASON_CHARS: usize = 200;
}

/// Where a member's self-assessment stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AssessmentStatus {
    /// Nothing saved yet.
    NotStarted,
    Draft,
    Submitted,
}

impl AssessmentStatus {
    pub const fn as_str(self) -> &'static str {
        match self {
            AssessmentStatus::NotStarted => "not_started",
            AssessmentStatus::Draft => "draft",
            AssessmentStatus::Submitted => "submitted",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        [Self::NotStarted, Self::Draft, Self::Submitted]
            .into_iter()
            .find(|s| s.as_str() == raw)
    }
}

/// A member's self-assessment. `version` counts the saves (0: nothing saved yet), and is
/// the `ETag` a client must send back to change it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SelfAssessment {
    pub campaign_id: CampaignId,
    pub member_id: MemberId,
    pub branch_path: OrgPath,
    pub content: AssessmentContent,
    pub version: i64,
    pub status: AssessmentStatus,
    pub submitted_at: Option<DateTime<Utc>>,
    /// Why the secretary last reopened it, if they did.
    pub reopened: Option<String>,
    pub updated_at: DateTime<Utc>,
}

impl SelfAssessment {
    /// The empty draft a participant starts from.
    pub fn blank(p: &Participant, now: DateTime<Utc>) -> Self {
        Self {
            campaign_id: p.campaign_id,
            member_id: p.member_id,
            branch_path: p.branch_path.clone(),
            content: AssessmentContent::default(),
            version: 0,
            status: AssessmentStatus::NotStarted,
            submitted_at: None,
            reopened: None,
            updated_at: now,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_third_rounds_down() {
        let s = Share::ONE_THIRD;
        assert_eq!(
            [0, 1, 2, 3, 5, 6, 7, 30, 31].map(|n| s.of(n)),
            [0, 0, 0, 1, 1, 2, 2, 10, 10]
        );
        assert_eq!(Share::new(1, 0), None);
        assert_eq!(Share::new(2, 1), None);
        assert_eq!(Share::new(0, 1).map(|s| s.of(9)), Some(0));
    }

    #[test]
    fn lists_default_to_the_plan_and_a_township_list_holds_ten_clean_items() {
        let Ok(own) = Campaign::validate_list(None, "/positiveList", DEFAULT_POSITIVE_LIST) else {
            panic!("the default list is refused")
        };
        assert_eq!(own[2], "按要求参加组织生活");
        let nine = Some(vec!["条目".to_owned(); 9]);
        let Err(e) = Campaign::validate_list(nine, "/positiveList", DEFAULT_POSITIVE_LIST) else {
            panic!("nine items passed")
        };
        assert_eq!(e[0].pointer, "/positiveList");
        let mut ten = vec!["条目".to_owned(); 10];
        ten[4] = " ".into();
        let Err(e) = Campaign::validate_list(Some(ten), "/negativeList", DEFAULT_NEGATIVE_LIST)
        else {
            panic!("a blank item passed")
        };
        assert_eq!(e[0].pointer, "/negativeList/4");
        assert_eq!(e[0].code, ErrorCode::AppraisalListInvalid);
    }

    #[test]
    fn probationary_and_excused_members_are_not_graded() {
        let p = Participant {
            campaign_id: CampaignId::new(),
            member_id: MemberId::new(),
            name: "张三".into(),
            branch_id: OrgId::new(),
            branch_path: OrgPath::root(OrgId::new()),
            group_id: None,
            probationary: false,
            excused: None,
        };
        assert!(p.graded());
        assert!(!Participant {
            probationary: true,
            ..p.clone()
        }
        .graded());
        assert!(!Participant {
            excused: Some(Excusal {
                reason: "长期病休".into(),
                by: MemberId::new(),
                at: DateTime::UNIX_EPOCH,
            }),
            ..p
        }
        .graded());
    }

    #[test]
    fn assessment_statuses_round_trip() {
        for s in [
            AssessmentStatus::NotStarted,
            AssessmentStatus::Draft,
            AssessmentStatus::Submitted,
        ] {
            assert_eq!(AssessmentStatus::parse(s.as_str()), Some(s));
        }
    }
}
