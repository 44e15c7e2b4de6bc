//! Storage of professional teams and of the volunteer-hours ledger.

use async_trait::async_trait;
use chrono::NaiveDate;

use super::ledger::{HoursCategory, HoursDecision, HoursEntry, HoursStatus};
use super::model::{HoursEntryId, TeamId};
use super::team::{MembershipStatus, Team, TeamMembership};
use crate::error::RepoError;
use crate::org::{MemberId, OrgId};
use crate::page::{Page, PageRequest};

/// Storage of teams and their memberships. Obligations: a team's name is unique within its
/// committee (`RepoError::Conflict` on `ux_volunteer_team_committee_name`); one membership
/// row per team and member (`Conflict` on `volunteer_team_member_pkey`); membership changes
/// that depend on the current status are conditional, so of two racing writes one wins.
#[async_trait]
pub trait TeamRepo: Send + Sync {
    /// Stores a new team with its leader's (active) membership.
    async fn insert_team(&self, team: &Team, leader: &TeamMembership) -> Result<(), RepoError>;
    async fn team(&self, id: TeamId) -> Result<Option<Team>, RepoError>;
    /// Stores the team's name, skills, leader, status and `updated_at`.
    async fn update_team(&self, team: &Team) -> Result<(), RepoError>;
    /// The teams of the given committees, newest first.
    async fn list_teams(
        &self,
        committees: &[OrgId],
        page: &PageRequest,
    ) -> Result<Page<Team>, RepoError>;
    /// Whether the member leads a team that is not dissolved.
    async fn leads_any(&self, member: MemberId) -> Result<bool, RepoError>;

    async fn membership(
        &self,
        team: TeamId,
        member: MemberId,
    ) -> Result<Option<TeamMembership>, RepoError>;
    /// The team's pending and active memberships, oldest request first.
    async fn current_memberships(&self, team: TeamId) -> Result<Vec<TeamMembership>, RepoError>;
    /// Stores a membership for a team and member that have none yet.
    async fn insert_membership(&self, m: &TeamMembership) -> Result<(), RepoError>;
    /// Replaces the stored membership of `m.team_id` and `m.member_id` with `m` if its
    /// status is one of `from`; `false`, and nothing written, otherwise (none stored, or
    /// another write changed it first).
    async fn replace_membership(
        &self,
        m: &TeamMembership,
        from: &[MembershipStatus],
    ) -> Result<bool, RepoError>;

    // What other contexts ask (the request lifecycle dispatches to teams and lets their
    // members claim). A dissolved team has no active members.

    /// The active members of the team, in the order they joined.
    async fn active_member_ids(&self, team: TeamId) -> Result<Vec<MemberId>, RepoError>;
    /// Whether the member is an active member of the (not dissolved) team.
    async fn is_active_member(&self, team: TeamId, member: MemberId) -> Result<bool, RepoError>;
    /// The teams, not dissolved, the member actively belongs to, by name.
    async fn teams_of_member(&self, member: MemberId) -> Result<Vec<Team>, RepoError>;
}

/// Storage of the append-only ledger. Obligations: entries are inserted and never edited
/// nor deleted, except the one decision of a pending entry ([`HoursRepo::decide`]).
#[async_trait]
pub trait HoursRepo: Send + Sync {
    /// Stores new entries (all or none: call it inside a unit of work for several).
    async fn append(&self, entries: &[HoursEntry]) -> Result<(), RepoError>;
    async fn entry(&self, id: HoursEntryId) -> Result<Option<HoursEntry>, RepoError>;
    /// Decides the entry if it is still pending; `false`, and nothing written, when it
    /// was decided already (of two racing decisions exactly one gets `true`).
    async fn decide(
        &self,
        id: HoursEntryId,
        status: HoursStatus,
        decision: &HoursDecision,
    ) -> Result<bool, RepoError>;
    /// The member's entries, every status, newest first.
    async fn entries_of(
        &self,
        member: MemberId,
        page: &PageRequest,
    ) -> Result<Page<HoursEntry>, RepoError>;
    /// The member's confirmed entries (corrections included), oldest day first.
    async fn confirmed_of(&self, member: MemberId) -> Result<Vec<HoursEntry>, RepoError>;
    /// The corrections of an entry, oldest first.
    async fn corrections_of(&self, entry: HoursEntryId) -> Result<Vec<HoursEntry>, RepoError>;
    /// The member's confirmed minutes of `category` on days `from..=to`, corrections
    /// included (what the pioneer index reads).
    async fn confirmed_minutes(
        &self,
        member: MemberId,
        from: NaiveDate,
        to: NaiveDate,
        category: HoursCategory,
    ) -> Result<i64, RepoError>;
}
