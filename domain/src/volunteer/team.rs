//! Professional teams (专业队伍, source document 四(三)3 "统一平台+专业队伍+常态服务"): formed
//! by the township committee around a skill (medical, legal, repairs …), led by a member of
//! the township, joined by members who ask and are approved. Requests can be dispatched to a
//! team; its active members claim them.

use chrono::{DateTime, Utc};

use super::model::TeamId;
use crate::error::{ErrorCode, FieldError};
use crate::org::{MemberId, OrgId, OrgPath};
use crate::text::clean_text;

crate::string_enum::string_enum!(
    /// Whether a team still serves: a dissolved team takes no requests, members or changes.
    TeamStatus {
        Active => "active",
        Dissolved => "dissolved",
    }
);

crate::string_enum::string_enum!(
    /// Where one member stands with one team: asked (`pending`), in (`active`), turned
    /// down (`rejected`), gone by their own wish (`left`) or taken off (`removed`). Only the
    /// last three may ask again.
    MembershipStatus {
        Pending => "pending",
        Active => "active",
        Rejected => "rejected",
        Left => "left",
        Removed => "removed",
    }
);

impl MembershipStatus {
    /// The states from which a member may ask to join (again).
    pub const ENDED: &'static [MembershipStatus] = &[
        MembershipStatus::Rejected,
        MembershipStatus::Left,
        MembershipStatus::Removed,
    ];

    /// The states in which a member belongs to the team or asks to: they may leave (or
    /// withdraw), or be removed.
    pub const CURRENT: &'static [MembershipStatus] =
        &[MembershipStatus::Pending, MembershipStatus::Active];
}

/// A team's skills, as data: 0-10 short tags (each 1-20 printable characters), trimmed,
/// without repeats (the first of equal tags is kept, in the order given).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Skills(Vec<String>);

impl Skills {
    pub const MAX_TAGS: usize = 10;
    pub const MAX_TAG_CHARS: usize = 20;

    /// Validates the tags given at `pointer` (`/skills`).
    pub fn parse(raw: &[String], pointer: &str) -> Result<Self, Vec<FieldError>> {
        let mut errors = Vec::new();
        if raw.len() > Self::MAX_TAGS {
            errors.push(FieldError::new(
                pointer,
                ErrorCode::VolunteerTeamSkillsInvalid,
                format!("at most {} skills", Self::MAX_TAGS),
            ));
        }
        let mut tags: Vec<String> = Vec::new();
        for (i, tag) in raw.iter().enumerate() {
            match clean_text(
                tag,
                Self::MAX_TAG_CHARS,
                &format!("{pointer}/{i}"),
                ErrorCode::VolunteerTeamSkillsInvalid,
            ) {
                Ok(t) if !tags.contains(&t) => tags.push(t),
                Ok(_) => {}
                Err(e) => errors.push(e),
            }
        }
        if errors.is_empty() {
            Ok(Self(tags))
        } else {
            Err(errors)
        }
    }

    /// Tags as stored (already validated).
    pub fn from_stored(tags: Vec<String>) -> Self {
        Self(tags)
    }

    pub fn as_slice(&self) -> &[String] {
        &self.0
    }
}

/// A professional team of one township committee.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Team {
    pub id: TeamId,
    /// The township committee that formed it (the root of its org tree).
    pub committee_id: OrgId,
    pub committee_path: OrgPath,
    /// Unique within the committee.
    pub name: String,
    pub skills: Skills,
    /// An active member of the committee's tree; always an active member of the team.
    pub leader_id: MemberId,
    pub status: TeamStatus,
    pub created_by: MemberId,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Team {
    pub const MAX_NAME_CHARS: usize = 30;

    pub fn validate_name(raw: &str) -> Result<String, FieldError> {
        clean_text(
            raw,
            Self::MAX_NAME_CHARS,
            "/name",
            ErrorCode::VolunteerTeamNameInvalid,
        )
    }

    pub fn is_active(&self) -> bool {
        self.status == TeamStatus::Active
    }
}

/// A decision on a join request, or a removal: who, when, why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MembershipDecision {
    pub by: MemberId,
    pub at: DateTime<Utc>,
    pub reason: Option<String>,
}

/// One member's standing with one team (one row per team and member, reused when they ask
/// again after leaving or a rejection).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TeamMembership {
    pub team_id: TeamId,
    pub member_id: MemberId,
    /// The member's branch when they asked (scope of the member's personal data).
    pub branch_path: OrgPath,
    pub status: MembershipStatus,
    /// What the member wrote when asking.
    pub note: Option<String>,
    /// The skills the member brings.
    pub skills: Skills,
    pub requested_at: DateTime<Utc>,
    /// The last decision: approval, rejection, leaving or removal.
    pub decision: Option<MembershipDecision>,
}

impl TeamMembership {
    pub const MAX_NOTE_CHARS: usize = 200;

    /// The leader's own membership, active from the start.
    pub fn leader(
        team: TeamId,
        leader: MemberId,
        branch_path: &OrgPath,
        by: MemberId,
        now: DateTime<Utc>,
    ) -> Self {
        Self {
            team_id: team,
            member_id: leader,
            branch_path: branch_path.clone(),
            status: MembershipStatus::Active,
            note: None,
            skills: Skills::default(),
            requested_at: now,
            decision: Some(MembershipDecision {
                by,
                at: now,
                reason: None,
            }),
        }
    }

    pub fn validate_note(raw: &str) -> Result<String, FieldError> {
        clean_text(
            raw,
            Self::MAX_NOTE_CHARS,
            "/note",
            ErrorCode::VolunteerTeamNoteInvalid,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tags(raw: &[&str]) -> Vec<String> {
        raw.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn skills_are_trimmed_and_deduplicated_in_order() {
        let s = Skills::parse(&tags(&[" 医疗 ", "法律", "医疗", "维修"]), "/skills");
        assert_eq!(
            s.map(|s| s.as_slice().to_vec()).ok(),
            Some(tags(&["医疗", "法律", "维修"]))
        );
        assert_eq!(
            Skills::parse(&[], "/skills").map(|s| s.as_slice().len()),
            Ok(0)
        );
    }

    #[test]
    fn blank_long_or_too_many_skills_are_refused_at_their_pointer() {
        let errors = Skills::parse(&tags(&["医疗", " ", &"长".repeat(21)]), "/skills")
            .err()
            .unwrap_or_default();
        let pointers: Vec<&str> = errors.iter().map(|e| e.pointer.as_str()).collect();
        assert_eq!(pointers, ["/skills/1", "/skills/2"]);
        let eleven: Vec<String> = (0..11).map(|i| format!("技能{i}")).collect();
        let errors = Skills::parse(&eleven, "/skills").err().unwrap_or_default();
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].pointer, "/skills");
        assert!(Skills::parse(&eleven[..10], "/skills").is_ok());
    }

    #[test]
    fn a_team_name_is_one_to_thirty_printable_characters() {
        assert_eq!(
            Team::validate_name(" 医疗服务队 ").ok().as_deref(),
            Some("医疗服务队")
        );
        assert!(Team::validate_name(&"队".repeat(30)).is_ok());
        assert!(Team::validate_name(&"队".repeat(31)).is_err());
        assert!(Team::validate_name("  ").is_err());
        assert!(Team::validate_name("队\u{7}").is_err());
    }
}
