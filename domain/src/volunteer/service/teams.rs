//! Professional teams: the township admin forms, changes and dissolves them; members of the
//! township see them and ask to join; the team's leader (or the admin) decides; members
//! leave, or the leader or admin removes them.
//!
//! Scope: a team is seen by the members of its township and by the township admins
//! covering its committee; anyone else gets 404 as for a missing id. Managing a team's
//! members is for its leader and the admin: a caller who is neither an admin anywhere nor
//! the leader of any team gets 403, whatever id they send.

use crate::context::{ReadContext, WriteContext};
use crate::error::{DomainError, ErrorCode, FieldError, RepoError};
use crate::org::policy::{self, Action, Actor};
use crate::org::{Member, MemberId, OrgId, OrgKind, OrgPath};
use crate::page::{Page, PageRequest};
use crate::text::clean_text;
use crate::uow::Repositories;
use crate::volunteer::model::TeamId;
use crate::volunteer::team::{
    MembershipDecision, MembershipStatus, Skills, Team, TeamMembership, TeamStatus,
};

/// The unique index that keeps team names apart within a committee.
pub const TEAM_NAME_KEY: &str = "ux_volunteer_team_committee_name";

/// Whether the caller sees the team: they belong to its township, or a township-admin role
/// of theirs covers its committee.
pub fn sees_team(actor: &Actor, team: &Team) -> bool {
    team.committee_path.covers(&actor.branch_path) || admin_covers(actor, team)
}

fn admin_covers(actor: &Actor, team: &Team) -> bool {
    policy::scopes(actor, Action::ManageVolunteerTeams)
        .iter()
        .any(|s| s.covers(&team.committee_path))
}

/// Whether the caller manages the team's members: its leader, or an admin covering it.
pub fn manages_team(actor: &Actor, team: &Team) -> bool {
    team.leader_id == actor.member_id || admin_covers(actor, team)
}

/// 403 unless the caller could manage some team's members: a township admin anywhere, or
/// the leader of a team. Asked before the team named is looked up.
async fn may_manage_somewhere(repos: &dyn Repositories, actor: &Actor) -> Result<(), DomainError> {
    if policy::may_somewhere(actor, Action::ManageVolunteerTeams).is_ok()
        || repos.volunteer_teams().leads_any(actor.member_id).await?
    {
        Ok(())
    } else {
        Err(DomainError::Forbidden)
    }
}

/// The team with this id that the caller sees, or 404.
pub(super) async fn visible_team(
    repos: &dyn Repositories,
    actor: &Actor,
    id: TeamId,
) -> Result<Team, DomainError> {
    repos
        .volunteer_teams()
        .team(id)
        .await?
        .filter(|t| sees_team(actor, t))
        .ok_or(DomainError::NotFound)
}

fn dissolved() -> DomainError {
    DomainError::conflict(ErrorCode::VolunteerTeamDissolved, "the team is dissolved")
}

fn name_taken(e: RepoError) -> DomainError {
    match e {
        RepoError::Conflict { constraint } if constraint == TEAM_NAME_KEY => DomainError::conflict(
            ErrorCode::VolunteerTeamNameTaken,
            "the committee has a team of that name",
        ),
        other => other.into(),
    }
}

fn committee_of(team: &Team) -> Option<(OrgId, &OrgPath)> {
    Some((team.committee_id, &team.committee_path))
}

/// An active member of the committee's tree, to lead the team; 422 otherwise.
async fn leader_in(
    repos: &dyn Repositories,
    committee: &OrgPath,
    id: MemberId,
) -> Result<Member, DomainError> {
    repos
        .members()
        .get(id)
        .await?
        .filter(|m| m.is_active() && committee.covers(&m.branch_path))
        .ok_or_else(|| {
            DomainError::invalid(
                "/leaderId",
                ErrorCode::VolunteerTeamLeaderInvalid,
                "the leader must be an active member of the township",
            )
        })
}

/// What a township admin gives to form a team.
#[derive(Debug, Clone)]
pub struct NewTeam {
    pub name: String,
    pub skills: Vec<String>,
    pub leader_id: MemberId,
}

/// Forms a team of the committee (T covering it), its leader an active member from the
/// start. Audited.
pub async fn create_team(
    ctx: &WriteContext<'_>,
    committee: OrgId,
    new: NewTeam,
) -> Result<Team, DomainError> {
    policy::may_somewhere(ctx.actor, Action::ManageVolunteerTeams)?;
    let mut errors = Vec::new();
    let name = Team::validate_name(&new.name).map_err(|e| errors.push(e));
    let skills = Skills::parse(&new.skills, "/skills").map_err(|e| errors.extend(e));
    let (Ok(name), Ok(skills)) = (name, skills) else {
        return Err(DomainError::Validation(errors));
    };
    let now = ctx.clock.now();
    let uow = ctx.tx.begin().await?;
    let org = policy::load_in_scope(
        ctx.actor,
        Action::ManageVolunteerTeams,
        uow.orgs().get(committee),
        |o| &o.path,
    )
    .await?;
    if org.kind != OrgKind::Committee {
        return Err(DomainError::refused(
            ErrorCode::VolunteerTeamNeedsCommittee,
            "teams are formed by a township committee",
        ));
    }
    let leader = leader_in(uow.as_ref(), &org.path, new.leader_id).await?;
    let team = Team {
        id: TeamId::at(now),
        committee_id: org.id,
        committee_path: org.path.clone(),
        name,
        skills,
        leader_id: leader.id,
        status: TeamStatus::Active,
        created_by: ctx.actor.member_id,
        created_at: now,
        updated_at: now,
    };
    let membership = TeamMembership::leader(
        team.id,
        leader.id,
        &leader.branch_path,
        ctx.actor.member_id,
        now,
    );
    uow.volunteer_teams()
        .insert_team(&team, &membership)
        .await
        .map_err(name_taken)?;
    ctx.commit_audited(
        uow,
        now,
        "volunteer.team_created",
        "volunteer_team",
        team.id.to_string(),
        committee_of(&team),
    )
    .await?;
    Ok(team)
}

/// The teams the caller sees: those of their own township, and of the committees their
/// township-admin roles cover; newest first.
pub async fn list_teams(
    ctx: &ReadContext<'_>,
    page: &PageRequest,
) -> Result<Page<Team>, DomainError> {
    let mut committees: Vec<OrgId> = ctx.actor.branch_path.root_id().into_iter().collect();
    for scope in policy::scopes(ctx.actor, Action::ManageVolunteerTeams) {
        if let Some(root) = scope.root_id() {
            if !committees.contains(&root) {
                committees.push(root);
            }
        }
    }
    Ok(ctx
        .repos
        .volunteer_teams()
        .list_teams(&committees, page)
        .await?)
}

/// A team as its page shows it.
#[derive(Debug, Clone)]
pub struct TeamDetail {
    pub team: Team,
    /// The members shown: the active ones to everyone who sees the team; pending requests
    /// too to those who manage it; and the caller's own membership, whatever it is.
    pub members: Vec<(TeamMembership, Member)>,
    /// Whether the caller manages the team's members.
    pub manages: bool,
}

/// One team with its members, as the caller may see them.
pub async fn get_team(ctx: &ReadContext<'_>, id: TeamId) -> Result<TeamDetail, DomainError> {
    let team = visible_team(ctx.repos, ctx.actor, id).await?;
    let manages = manages_team(ctx.actor, &team);
    let mut memberships = ctx.repos.volunteer_teams().current_memberships(id).await?;
    if !memberships
        .iter()
        .any(|m| m.member_id == ctx.actor.member_id)
    {
        if let Some(own) = ctx
            .repos
            .volunteer_teams()
            .membership(id, ctx.actor.member_id)
            .await?
        {
            memberships.push(own);
        }
    }
    let mut members = Vec::new();
    for m in memberships {
        let shown = m.status == MembershipStatus::Active
            || m.member_id == ctx.actor.member_id
            || (manages && m.status == MembershipStatus::Pending);
        if !shown {
            continue;
        }
        if let Some(member) = ctx.repos.members().get(m.member_id).await? {
            members.push((m, member));
        }
    }
    Ok(TeamDetail {
        team,
        members,
        manages,
    })
}

/// What a township admin changes in a team; `None` leaves a field as it is.
#[derive(Debug, Clone, Default)]
pub struct TeamChanges {
    pub name: Option<String>,
    pub skills: Option<Vec<String>>,
    pub leader_id: Option<MemberId>,
    /// Dissolves the team (for good).
    pub dissolve: bool,
}

/// Changes a team's name, skills or leader, or dissolves it (T covering its committee). A
/// new leader becomes an active member. A dissolved team changes no more. Audited.
pub async fn update_team(
    ctx: &WriteContext<'_>,
    id: TeamId,
    changes: TeamChanges,
) -> Result<Team, DomainError> {
    policy::may_somewhere(ctx.actor, Action::ManageVolunteerTeams)?;
    let mut errors = Vec::new();
    let name = changes
        .name
        .as_deref()
        .map(Team::validate_name)
        .transpose()
        .map_err(|e| errors.push(e));
    let skills = changes
        .skills
        .as_deref()
        .map(|s| Skills::parse(s, "/skills"))
        .transpose()
        .map_err(|e| errors.extend(e));
    let (Ok(name), Ok(skills)) = (name, skills) else {
        return Err(DomainError::Validation(errors));
    };
    let now = ctx.clock.now();
    let uow = ctx.tx.begin().await?;
    let mut team = visible_team(uow.as_ref(), ctx.actor, id)
        .await
        .and_then(|t| {
            if admin_covers(ctx.actor, &t) {
                Ok(t)
            } else {
                Err(DomainError::NotFound)
            }
        })?;
    if !team.is_active() {
        return Err(dissolved());
    }
    if let Some(name) = name {
        team.name = name;
    }
    if let Some(skills) = skills {
        team.skills = skills;
    }
    if let Some(leader_id) = changes.leader_id.filter(|l| *l != team.leader_id) {
        let leader = leader_in(uow.as_ref(), &team.committee_path, leader_id).await?;
        let membership = TeamMembership::leader(
            team.id,
            leader.id,
            &leader.branch_path,
            ctx.actor.member_id,
            now,
        );
        let teams = uow.volunteer_teams();
        let replaced = teams
            .replace_membership(&membership, MembershipStatus::ALL)
            .await?;
        if !replaced {
            teams.insert_membership(&membership).await?;
        }
        team.leader_id = leader.id;
    }
    let action = if changes.dissolve {
        team.status = TeamStatus::Dissolved;
        "volunteer.team_dissolved"
    } else {
        "volunteer.team_updated"
    };
    team.updated_at = now;
    uow.volunteer_teams()
        .update_team(&team)
        .await
        .map_err(name_taken)?;
    ctx.commit_audited(
        uow,
        now,
        action,
        "volunteer_team",
        team.id.to_string(),
        committee_of(&team),
    )
    .await?;
    Ok(team)
}

/// What a member writes when asking to join.
#[derive(Debug, Clone, Default)]
pub struct JoinRequest {
    pub note: Option<String>,
    pub skills: Vec<String>,
}

/// The caller asks to join a team of their township (again, after leaving or a
/// rejection). Audited.
pub async fn request_to_join(
    ctx: &WriteContext<'_>,
    id: TeamId,
    request: JoinRequest,
) -> Result<TeamMembership, DomainError> {
    let mut errors = Vec::new();
    let note = request
        .note
        .as_deref()
        .map(TeamMembership::validate_note)
        .transpose()
        .map_err(|e| errors.push(e));
    let skills = Skills::parse(&request.skills, "/skills").map_err(|e| errors.extend(e));
    let (Ok(note), Ok(skills)) = (note, skills) else {
        return Err(DomainError::Validation(errors));
    };
    let now = ctx.clock.now();
    let uow = ctx.tx.begin().await?;
    // Only members of the township join its teams (an admin of another township sees the
    // team, but cannot join it): anyone else is told there is no such team.
    let team = visible_team(uow.as_ref(), ctx.actor, id).await?;
    if !team.committee_path.covers(&ctx.actor.branch_path) {
        return Err(DomainError::NotFound);
    }
    if !team.is_active() {
        return Err(dissolved());
    }
    let membership = TeamMembership {
        team_id: team.id,
        member_id: ctx.actor.member_id,
        branch_path: ctx.actor.branch_path.clone(),
        status: MembershipStatus::Pending,
        note,
        skills,
        requested_at: now,
        decision: None,
    };
    let teams = uow.volunteer_teams();
    let standing = |m: Option<TeamMembership>| match m.map(|m| m.status) {
        Some(MembershipStatus::Active) => DomainError::conflict(
            ErrorCode::VolunteerTeamAlreadyMember,
            "the caller is a member of the team",
        ),
        _ => DomainError::conflict(
            ErrorCode::VolunteerTeamRequestPending,
            "the caller's request to join is waiting for a decision",
        ),
    };
    match teams.membership(team.id, ctx.actor.member_id).await? {
        None => match teams.insert_membership(&membership).await {
            Ok(()) => {}
            Err(RepoError::Conflict { .. }) => {
                return Err(standing(
                    teams.membership(team.id, ctx.actor.member_id).await?,
                ))
            }
            Err(e) => return Err(e.into()),
        },
        Some(m) if MembershipStatus::ENDED.contains(&m.status) => {
            if !teams
                .replace_membership(&membership, MembershipStatus::ENDED)
                .await?
            {
                return Err(standing(
                    teams.membership(team.id, ctx.actor.member_id).await?,
                ));
            }
        }
        current => return Err(standing(current)),
    }
    ctx.commit_audited(
        uow,
        now,
        "volunteer.team_join_requested",
        "volunteer_team",
        team.id.to_string(),
        committee_of(&team),
    )
    .await?;
    Ok(membership)
}

/// Validates a decision's reason: required to reject, 1-200 printable characters.
fn decision_reason(approve: bool, reason: Option<&str>) -> Result<Option<String>, DomainError> {
    let reason = reason
        .map(|r| {
            clean_text(r, 200, "/reason", ErrorCode::ReviewReasonInvalid)
                .map_err(|e: FieldError| DomainError::Validation(vec![e]))
        })
        .transpose()?;
    if !approve && reason.is_none() {
        return Err(DomainError::invalid(
            "/reason",
            ErrorCode::ReviewReasonRequired,
            "a rejection needs a reason",
        ));
    }
    Ok(reason)
}

/// The team's leader or an admin covering it approves or rejects a pending request to
/// join (of two racing decisions one wins; the other is 409). Audited.
pub async fn decide_join(
    ctx: &WriteContext<'_>,
    id: TeamId,
    member: MemberId,
    approve: bool,
    reason: Option<&str>,
) -> Result<TeamMembership, DomainError> {
    may_manage_somewhere(ctx.repos, ctx.actor).await?;
    let reason = decision_reason(approve, reason)?;
    let now = ctx.clock.now();
    let uow = ctx.tx.begin().await?;
    let team = managed_team(uow.as_ref(), ctx.actor, id).await?;
    let teams = uow.volunteer_teams();
    let current = teams
        .membership(team.id, member)
        .await?
        .ok_or(DomainError::NotFound)?;
    if !team.is_active() {
        return Err(dissolved());
    }
    let not_pending = || {
        DomainError::conflict(
            ErrorCode::VolunteerTeamRequestNotPending,
            "the request was decided already",
        )
    };
    if current.status != MembershipStatus::Pending {
        return Err(not_pending());
    }
    let decided = TeamMembership {
        status: if approve {
            MembershipStatus::Active
        } else {
            MembershipStatus::Rejected
        },
        decision: Some(MembershipDecision {
            by: ctx.actor.member_id,
            at: now,
            reason,
        }),
        ..current
    };
    if !teams
        .replace_membership(&decided, &[MembershipStatus::Pending])
        .await?
    {
        return Err(not_pending());
    }
    let action = if approve {
        "volunteer.team_join_approved"
    } else {
        "volunteer.team_join_rejected"
    };
    ctx.commit_audited(
        uow,
        now,
        action,
        "volunteer_team",
        team.id.to_string(),
        committee_of(&team),
    )
    .await?;
    Ok(decided)
}

async fn managed_team(
    repos: &dyn Repositories,
    actor: &Actor,
    id: TeamId,
) -> Result<Team, DomainError> {
    let team = visible_team(repos, actor, id).await?;
    if manages_team(actor, &team) {
        Ok(team)
    } else {
        Err(DomainError::NotFound)
    }
}

/// A member leaves a team (or withdraws their request), or its leader or an admin covering
/// it removes them. The leader stays until another is named. Audited.
pub async fn remove_member(
    ctx: &WriteContext<'_>,
    id: TeamId,
    member: MemberId,
) -> Result<(), DomainError> {
    let leaving = member == ctx.actor.member_id;
    if !leaving {
        may_manage_somewhere(ctx.repos, ctx.actor).await?;
    }
    let now = ctx.clock.now();
    let uow = ctx.tx.begin().await?;
    let team = if leaving {
        visible_team(uow.as_ref(), ctx.actor, id).await?
    } else {
        managed_team(uow.as_ref(), ctx.actor, id).await?
    };
    let teams = uow.volunteer_teams();
    let current = teams
        .membership(team.id, member)
        .await?
        .filter(|m| MembershipStatus::CURRENT.contains(&m.status))
        .ok_or(DomainError::NotFound)?;
    if !team.is_active() {
        return Err(dissolved());
    }
    if team.leader_id == member {
        return Err(DomainError::conflict(
            ErrorCode::VolunteerTeamLeaderStays,
            "the leader stays in the team until another leader is named",
        ));
    }
    let ended = TeamMembership {
        status: if leaving {
            MembershipStatus::Left
        } else {
            MembershipStatus::Removed
        },
        decision: Some(MembershipDecision {
            by: ctx.actor.member_id,
            at: now,
            reason: None,
        }),
        ..current
    };
    if !teams
        .replace_membership(&ended, MembershipStatus::CURRENT)
        .await?
    {
        return Err(DomainError::NotFound);
    }
    let action = if leaving {
        "volunteer.team_member_left"
    } else {
        "volunteer.team_member_removed"
    };
    ctx.commit_audited(
        uow,
        now,
        action,
        "volunteer_team",
        team.id.to_string(),
        committee_of(&team),
    )
    .await?;
    Ok(())
}
