//! Org, member and role services: authorise with the policy, validate, write the change
//! and its audit entry in one unit of work.

use super::model::{
    Member, MemberCategory, MemberId, MemberStatus, Org, OrgId, OrgKind, OrgSector, RoleGrant,
    RoleGrantId, RoleKind,
};
use super::phone::PhoneNumber;
use super::policy::{self, Action};
use super::ports::{MemberQuery, OrgRepo};
use crate::context::{ReadContext, WriteContext};
use crate::error::ErrorCode;
use crate::error::{DomainError, RepoError};
use crate::page::{Page, PageRequest};

/// Maps a uniqueness conflict to a coded domain conflict, passing other failures through.
fn conflict_as(code: ErrorCode, detail: &'static str) -> impl Fn(RepoError) -> DomainError {
    move |e| match e {
        RepoError::Conflict { .. } => DomainError::conflict(code, detail),
        other => other.into(),
    }
}

const ORG_NAME_TAKEN_DETAIL: &str = "another org under the same parent has this name";

/// Where a member placed in `org` belongs: the branch itself, or a group and its branch.
async fn branch_and_group(
    orgs: &dyn OrgRepo,
    org: Org,
) -> Result<(Org, Option<OrgId>), DomainError> {
    match org.kind {
        OrgKind::Branch => Ok((org, None)),
        OrgKind::Group => {
            let parent = org.parent_id.ok_or(DomainError::NotFound)?;
            let branch = orgs.get(parent).await?.ok_or(DomainError::NotFound)?;
            Ok((branch, Some(org.id)))
        }
        _ => Err(DomainError::invalid(
            "/orgId",
            ErrorCode::MemberOrgNotABranch,
            "members belong to a branch or one of its groups",
        )),
    }
}

pub async fn get_org(ctx: &ReadContext<'_>, id: OrgId) -> Result<Org, DomainError> {
    let orgs = ctx.repos.orgs();
    policy::load_in_scope(ctx.actor, Action::ReadOrg, orgs.get(id), |o| &o.path).await
}

pub async fn list_children(
    ctx: &ReadContext<'_>,
    id: OrgId,
    page: &PageRequest,
) -> Result<Page<Org>, DomainError> {
    get_org(ctx, id).await?;
    Ok(ctx.repos.orgs().children(id, page).await?)
}

#[derive(Debug, Clone)]
pub struct NewOrg {
    pub kind: OrgKind,
    /// Defaults to the parent's sector.
    pub sector: Option<OrgSector>,
    pub name: String,
}

pub async fn create_child_org(
    ctx: &WriteContext<'_>,
    parent_id: OrgId,
    new: NewOrg,
) -> Result<Org, DomainError> {
    policy::may_somewhere(ctx.actor, Action::ManageOrgs)?;
    let uow = ctx.tx.begin().await?;
    let parent = policy::load_in_scope(
        ctx.actor,
        Action::ManageOrgs,
        uow.orgs().get(parent_id),
        |o| &o.path,
    )
    .await?;
    if !parent.kind.may_contain(new.kind) {
        return Err(DomainError::invalid(
            "/kind",
            ErrorCode::OrgKindNotAllowedHere,
            format!(
                "a {} cannot contain a {}",
                parent.kind.as_str(),
                new.kind.as_str()
            ),
        ));
    }
    let name = Org::validate_name(&new.name).map_err(|e| DomainError::Validation(vec![e]))?;
    let now = ctx.clock.now();
    let id = OrgId::at(now);
    let org = Org {
        id,
        parent_id: Some(parent.id),
        kind: new.kind,
        sector: new.sector.unwrap_or(parent.sector),
        name,
        path: parent.path.child(id),
        created_at: now,
    };
    uow.orgs()
        .insert(&org)
        .await
        .map_err(conflict_as(ErrorCode::OrgNameTaken, ORG_NAME_TAKEN_DETAIL))?;
    ctx.commit_audited(
        uow,
        now,
        "org.create",
        "org",
        org.id.to_string(),
        Some((org.id, &org.path)),
    )
    .await?;
    Ok(org)
}

#[derive(Debug, Clone, Default)]
pub struct OrgChanges {
    pub name: Option<String>,
    pub sector: Option<OrgSector>,
}

pub async fn update_org(
    ctx: &WriteContext<'_>,
    id: OrgId,
    changes: OrgChanges,
) -> Result<Org, DomainError> {
    policy::may_somewhere(ctx.actor, Action::ManageOrgs)?;
    let uow = ctx.tx.begin().await?;
    let mut org = policy::load_in_scope(ctx.actor, Action::ManageOrgs, uow.orgs().get(id), |o| {
        &o.path
    })
    .await?;
    if let Some(name) = changes.name {
        org.name = Org::validate_name(&name).map_err(|e| DomainError::Validation(vec![e]))?;
    }
    if let Some(sector) = changes.sector {
        org.sector = sector;
    }
    uow.orgs()
        .update(&org)
        .await
        .map_err(conflict_as(ErrorCode::OrgNameTaken, ORG_NAME_TAKEN_DETAIL))?;
    let now = ctx.clock.now();
    ctx.commit_audited(
        uow,
        now,
        "org.update",
        "org",
        org.id.to_string(),
        Some((org.id, &org.path)),
    )
    .await?;
    Ok(org)
}

pub async fn list_members(
    ctx: &ReadContext<'_>,
    org_id: OrgId,
    include_subtree: bool,
    name_contains: Option<String>,
    page: &PageRequest,
) -> Result<Page<Member>, DomainError> {
    let orgs = ctx.repos.orgs();
    let org = policy::load_in_scope(
        ctx.actor,
        Action::ListBranchMembers,
        orgs.get(org_id),
        |o| &o.path,
    )
    .await?;
    // Members carry their branch's path; a group's members are found by their group.
    let query = match (org.kind, org.parent_id) {
        (OrgKind::Group, Some(branch)) => {
            let branch = orgs.get(branch).await?.ok_or(DomainError::NotFound)?;
            MemberQuery {
                org: branch.path,
                include_subtree: false,
                name_contains,
                group: Some(org.id),
            }
        }
        _ => MemberQuery {
            org: org.path,
            include_subtree,
            name_contains,
            group: None,
        },
    };
    Ok(ctx.repos.members().list(&query, page).await?)
}

/// A member the actor may see: themself, their branch's members, or members under a role.
pub async fn get_member(ctx: &ReadContext<'_>, id: MemberId) -> Result<Member, DomainError> {
    let actor = ctx.actor;
    let member = ctx
        .repos
        .members()
        .get_visible(id, &policy::member_visibility(actor))
        .await?
        .ok_or(DomainError::NotFound)?;
    if actor.member_id != member.id {
        policy::authorize(actor, Action::ListBranchMembers, &member.branch_path)
            .map_err(|_| DomainError::NotFound)?;
    }
    Ok(member)
}

#[derive(Debug, Clone)]
pub struct NewMember {
    pub name: String,
    pub phone: String,
    pub category: MemberCategory,
    pub leading_cadre: bool,
    pub probationary: bool,
}

/// Creates a member in a branch, or in a group (whose branch is its parent).
pub async fn create_member(
    ctx: &WriteContext<'_>,
    org_id: OrgId,
    new: NewMember,
) -> Result<Member, DomainError> {
    policy::may_somewhere(ctx.actor, Action::ManageMembers)?;
    let uow = ctx.tx.begin().await?;
    let org = policy::load_in_scope(
        ctx.actor,
        Action::ManageMembers,
        uow.orgs().get(org_id),
        |o| &o.path,
    )
    .await?;
    let (branch, group) = branch_and_group(uow.orgs(), org).await?;
    let mut errors = Vec::new();
    let name = Member::validate_name(&new.name)
        .map_err(|e| errors.push(e))
        .ok();
    let phone = PhoneNumber::parse(&new.phone)
        .map_err(|e| errors.push(e))
        .ok();
    let (Some(name), Some(phone)) = (name, phone) else {
        return Err(DomainError::Validation(errors));
    };
    let now = ctx.clock.now();
    let member = Member {
        id: MemberId::at(now),
        name,
        phone,
        category: new.category,
        branch_id: branch.id,
        group_id: group,
        branch_path: branch.path.clone(),
        leading_cadre: new.leading_cadre,
        probationary: new.probationary,
        status: MemberStatus::Active,
        created_at: now,
        updated_at: now,
    };
    uow.members().insert(&member).await.map_err(conflict_as(
        ErrorCode::MemberPhoneTaken,
        "this phone already belongs to a member",
    ))?;
    ctx.commit_audited(
        uow,
        now,
        "member.create",
        "member",
        member.id.to_string(),
        Some((branch.id, &branch.path)),
    )
    .await?;
    Ok(member)
}

#[derive(Debug, Clone, Default)]
pub struct MemberChanges {
    pub name: Option<String>,
    pub phone: Option<String>,
    pub category: Option<MemberCategory>,
    pub leading_cadre: Option<bool>,
    pub probationary: Option<bool>,
    /// Transfer to this branch, or to this group (and its branch).
    pub org_id: Option<OrgId>,
    pub status: Option<MemberStatus>,
}

#[derive(Debug, Clone)]
pub struct MemberUpdated {
    pub member: Member,
    /// The member stopped being active: their sessions must end now.
    pub revoke_sessions: bool,
}

pub async fn update_member(
    ctx: &WriteContext<'_>,
    id: MemberId,
    changes: MemberChanges,
) -> Result<MemberUpdated, DomainError> {
    policy::may_somewhere(ctx.actor, Action::ManageMembers)?;
    let uow = ctx.tx.begin().await?;
    let before = policy::load_in_scope(
        ctx.actor,
        Action::ManageMembers,
        uow.members().get(id),
        |m| &m.branch_path,
    )
    .await?;
    // Nobody changes a member who holds a role they could not grant themselves (a
    // secretary must not deactivate or re-phone the township admin of their branch).
    if ctx.actor.member_id != before.id {
        for grant in uow.roles().of_member(before.id).await? {
            if policy::authorize_grant(ctx.actor, grant.kind, &grant.org_path).is_err() {
                return Err(DomainError::Forbidden);
            }
        }
    }
    let mut member = before.clone();
    let mut errors = Vec::new();
    if let Some(name) = &changes.name {
        match Member::validate_name(name) {
            Ok(n) => member.name = n,
            Err(e) => errors.push(e),
        }
    }
    if let Some(phone) = &changes.phone {
        match PhoneNumber::parse(phone) {
            Ok(p) => member.phone = p,
            Err(e) => errors.push(e),
        }
    }
    if !errors.is_empty() {
        return Err(DomainError::Validation(errors));
    }
    if let Some(category) = changes.category {
        member.category = category;
    }
    if let Some(cadre) = changes.leading_cadre {
        member.leading_cadre = cadre;
    }
    if let Some(probationary) = changes.probationary {
        member.probationary = probationary;
    }
    if let Some(status) = changes.status {
        member.status = status;
    }
    if let Some(org_id) = changes.org_id {
        let target = policy::load_in_scope(
            ctx.actor,
            Action::ManageMembers,
            uow.orgs().get(org_id),
            |o| &o.path,
        )
        .await?;
        let (branch, group) = branch_and_group(uow.orgs(), target).await?;
        member.branch_id = branch.id;
        member.branch_path = branch.path;
        member.group_id = group;
    }
    let now = ctx.clock.now();
    member.updated_at = now;
    uow.members().update(&member).await.map_err(conflict_as(
        ErrorCode::MemberPhoneTaken,
        "this phone already belongs to a member",
    ))?;
    let action = if member.status == MemberStatus::Deactivated
        && before.status != MemberStatus::Deactivated
    {
        "member.deactivate"
    } else if member.branch_id != before.branch_id {
        "member.transfer"
    } else {
        "member.update"
    };
    let entry = ctx.audit(
        now,
        action,
        "member",
        member.id.to_string(),
        Some((member.branch_id, &member.branch_path)),
    );
    uow.audit().append(&entry).await?;
    // Leaving active status ends every session in the same unit of work; access tokens
    // already fail at the next request because the member is no longer active.
    let revoke_sessions = before.is_active() && !member.is_active();
    if revoke_sessions {
        uow.refresh_tokens().revoke_member(member.id, now).await?;
    }
    uow.commit().await?;
    Ok(MemberUpdated {
        member,
        revoke_sessions,
    })
}

pub async fn list_roles(
    ctx: &ReadContext<'_>,
    member_id: MemberId,
) -> Result<Vec<RoleGrant>, DomainError> {
    get_member(ctx, member_id).await?;
    Ok(ctx.repos.roles().of_member(member_id).await?)
}

#[derive(Debug, Clone)]
pub struct NewGrant {
    pub kind: RoleKind,
    pub org_id: OrgId,
    pub can_review: bool,
}

/// Which org kinds a role may be held on.
pub fn role_fits(kind: RoleKind, org: OrgKind) -> bool {
    match kind {
        RoleKind::Secretary | RoleKind::Committee => {
            matches!(org, OrgKind::Branch | OrgKind::GeneralBranch)
        }
        RoleKind::TownshipAdmin | RoleKind::HotlineOperator => org == OrgKind::Committee,
    }
}

pub async fn grant_role(
    ctx: &WriteContext<'_>,
    member_id: MemberId,
    new: NewGrant,
) -> Result<RoleGrant, DomainError> {
    policy::may_grant_somewhere(ctx.actor, new.kind)?;
    let uow = ctx.tx.begin().await?;
    let member = get_member(&ctx.reading(uow.as_ref()), member_id).await?;
    let org = uow
        .orgs()
        .get(new.org_id)
        .await?
        .ok_or(DomainError::NotFound)?;
    policy::authorize_grant(ctx.actor, new.kind, &org.path)?;
    if !role_fits(new.kind, org.kind) {
        return Err(DomainError::invalid(
            "/orgId",
            ErrorCode::RoleOrgKindMismatch,
            format!(
                "a {} role cannot be held on a {}",
                new.kind.as_str(),
                org.kind.as_str()
            ),
        ));
    }
    if new.can_review && new.kind != RoleKind::Committee {
        return Err(DomainError::invalid(
            "/canReview",
            ErrorCode::RoleCanReviewCommitteeOnly,
            "only committee members are granted review separately",
        ));
    }
    let now = ctx.clock.now();
    let grant = RoleGrant {
        id: RoleGrantId::at(now),
        member_id: member.id,
        kind: new.kind,
        org_id: org.id,
        org_path: org.path.clone(),
        can_review: new.can_review,
        granted_at: now,
    };
    uow.roles().insert(&grant).await.map_err(conflict_as(
        ErrorCode::RoleAlreadyGranted,
        "the member already holds this role on this org",
    ))?;
    ctx.commit_audited(
        uow,
        now,
        "role.grant",
        "role_grant",
        grant.id.to_string(),
        Some((org.id, &org.path)),
    )
    .await?;
    Ok(grant)
}

pub async fn revoke_role(
    ctx: &WriteContext<'_>,
    member_id: MemberId,
    grant_id: RoleGrantId,
) -> Result<(), DomainError> {
    if !policy::may_grant_anything(ctx.actor) {
        return Err(DomainError::Forbidden);
    }
    let uow = ctx.tx.begin().await?;
    get_member(&ctx.reading(uow.as_ref()), member_id).await?;
    let grant = uow
        .roles()
        .get(grant_id)
        .await?
        .ok_or(DomainError::NotFound)?;
    if grant.member_id != member_id {
        return Err(DomainError::NotFound);
    }
    policy::authorize_grant(ctx.actor, grant.kind, &grant.org_path)?;
    uow.roles().delete(grant.id).await?;
    let now = ctx.clock.now();
    ctx.commit_audited(
        uow,
        now,
        "role.revoke",
        "role_grant",
        grant.id.to_string(),
        Some((grant.org_id, &grant.org_path)),
    )
    .await?;
    Ok(())
}

/// Authorises issuing an invite code for a member (secretaries and township admins
/// covering them; the member must be active) and audits it. The code itself is the
/// caller's to mint and keep.
pub async fn issue_invite_code(
    ctx: &WriteContext<'_>,
    id: MemberId,
) -> Result<Member, DomainError> {
    policy::may_somewhere(ctx.actor, Action::IssueInviteCodes)?;
    let uow = ctx.tx.begin().await?;
    let member = uow
        .members()
        .get_visible(id, &policy::member_visibility(ctx.actor))
        .await?
        .ok_or(DomainError::NotFound)?;
    policy::authorize(ctx.actor, Action::IssueInviteCodes, &member.branch_path)?;
    if !member.is_active() {
        return Err(DomainError::conflict(
            ErrorCode::MemberInactive,
            "invite codes are for active members",
        ));
    }
    let now = ctx.clock.now();
    ctx.commit_audited(
        uow,
        now,
        "member.invite_code",
        "member",
        member.id.to_string(),
        Some((member.branch_id, &member.branch_path)),
    )
    .await?;
    Ok(member)
}
