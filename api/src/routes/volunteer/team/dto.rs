//! Request and response shapes of professional teams.

use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::extract::Validate;
use crate::http::mirror::mirror_enum;
use crate::http::time::beijing;
use domain::error::FieldError;
use domain::org::policy::{self, Actor};
use domain::org::Member;
use domain::volunteer::{self as vol, Team, TeamMembership};

mirror_enum!(
    /// A team that serves, or one dissolved for good.
    VolunteerTeamStatus => vol::TeamStatus { Active, Dissolved }
);
mirror_enum!(
    /// Asked to join, in the team, turned down, left, or taken off.
    VolunteerMembershipStatus => vol::MembershipStatus { Pending, Active, Rejected, Left, Removed }
);

/// One skill tag: 1-20 printable characters (repeats are dropped).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(transparent)]
pub struct SkillTag(pub String);

impl utoipa::PartialSchema for SkillTag {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{ObjectBuilder, Schema, Type};
        utoipa::openapi::RefOr::T(Schema::Object(
            ObjectBuilder::new()
                .schema_type(Type::String)
                .min_length(Some(1))
                .max_length(Some(vol::Skills::MAX_TAG_CHARS))
                .pattern(Some(crate::http::schema::printable_pattern()))
                .examples(["医疗护理"])
                .build(),
        ))
    }
}

impl ToSchema for SkillTag {
    fn name() -> std::borrow::Cow<'static, str> {
        "VolunteerSkillTag".into()
    }
}

pub fn tags(skills: Option<Vec<SkillTag>>) -> Vec<String> {
    skills
        .unwrap_or_default()
        .into_iter()
        .map(|t| t.0)
        .collect()
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct TeamView {
    pub id: Uuid,
    /// The township committee that formed it.
    pub committee_id: Uuid,
    #[schema(example = "盖北镇医疗服务队")]
    pub name: String,
    #[schema(example = json!(["医疗护理", "急救"]))]
    pub skills: Vec<String>,
    pub leader_id: Uuid,
    pub status: VolunteerTeamStatus,
    pub created_at: DateTime<FixedOffset>,
    pub updated_at: DateTime<FixedOffset>,
}

impl From<&Team> for TeamView {
    fn from(t: &Team) -> Self {
        Self {
            id: t.id.as_uuid(),
            committee_id: t.committee_id.as_uuid(),
            name: t.name.clone(),
            skills: t.skills.as_slice().to_vec(),
            leader_id: t.leader_id.as_uuid(),
            status: t.status.into(),
            created_at: beijing(t.created_at),
            updated_at: beijing(t.updated_at),
        }
    }
}

/// One member's standing with a team.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct TeamMembershipView {
    pub team_id: Uuid,
    pub member_id: Uuid,
    pub status: VolunteerMembershipStatus,
    /// What the member wrote when asking (shown to the member and to those who manage the
    /// team).
    pub note: Option<String>,
    /// The skills the member brings.
    pub skills: Vec<String>,
    pub requested_at: DateTime<FixedOffset>,
    /// Who made the last decision (approval, rejection, removal; the member themself when
    /// they left).
    pub decided_by: Option<Uuid>,
    pub decided_at: Option<DateTime<FixedOffset>>,
    /// Why a request was rejected.
    pub reason: Option<String>,
}

impl From<&TeamMembership> for TeamMembershipView {
    fn from(m: &TeamMembership) -> Self {
        let d = m.decision.as_ref();
        Self {
            team_id: m.team_id.as_uuid(),
            member_id: m.member_id.as_uuid(),
            status: m.status.into(),
            note: m.note.clone(),
            skills: m.skills.as_slice().to_vec(),
            requested_at: beijing(m.requested_at),
            decided_by: d.map(|d| d.by.as_uuid()),
            decided_at: d.map(|d| beijing(d.at)),
            reason: d.and_then(|d| d.reason.clone()),
        }
    }
}

/// A member of the team as its page lists them.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct TeamMemberView {
    pub member_id: Uuid,
    #[schema(example = "王建国")]
    pub name: String,
    /// In full for the member and for secretaries or township admins covering their branch;
    /// `138****5678` for everyone else.
    #[schema(example = "138****5678")]
    pub phone: String,
    /// Whether they lead the team.
    pub leader: bool,
    pub status: VolunteerMembershipStatus,
    pub skills: Vec<String>,
    /// Their note when asking: for the member and those who manage the team only.
    pub note: Option<String>,
    pub requested_at: DateTime<FixedOffset>,
}

impl TeamMemberView {
    pub fn new(
        actor: &Actor,
        team: &Team,
        manages: bool,
        m: &TeamMembership,
        who: &Member,
    ) -> Self {
        let own = actor.member_id == who.id;
        Self {
            member_id: who.id.as_uuid(),
            name: who.name.clone(),
            phone: if policy::sees_full_phone(actor, who.id, &who.branch_path) {
                who.phone.as_str().to_owned()
            } else {
                who.phone.masked()
            },
            leader: team.leader_id == who.id,
            status: m.status.into(),
            skills: m.skills.as_slice().to_vec(),
            note: if own || manages { m.note.clone() } else { None },
            requested_at: beijing(m.requested_at),
        }
    }
}

/// A team with the members the caller may see: the active ones; pending requests too for
/// its leader and township admins; and the caller's own standing.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct TeamDetailView {
    pub team: TeamView,
    pub members: Vec<TeamMemberView>,
    /// Whether the caller decides requests and removes members (the leader, a township
    /// admin).
    pub manages_members: bool,
}

/// Approve (let the member in, confirm the hours) or reject (with a reason).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum VolunteerDecision {
    Approve,
    Reject,
}

/// A decision on a request to join; a rejection needs a reason.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct TeamJoinDecisionRequest {
    pub decision: VolunteerDecision,
    /// Required to reject.
    #[serde(default)]
    #[schema(
        min_length = 1,
        max_length = 200,
        pattern = "printable",
        example = "本队暂不缺少该技能"
    )]
    pub reason: Option<String>,
}

impl Validate for TeamJoinDecisionRequest {
    fn validate(&self) -> Result<(), Vec<FieldError>> {
        Ok(())
    }
}
