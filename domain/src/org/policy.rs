//! Who may do what (domain.md, "Who may do what"), as pure functions over an [`Actor`].
//!
//! Outcomes: `Ok(())`; `DomainError::NotFound` when the caller could do this somewhere but
//! not here (out of scope must look like a missing id); `DomainError::Forbidden` when none
//! of the caller's roles could do it anywhere (a plain member approving).

use super::model::{MemberId, OrgPath, RoleKind};
use crate::error::DomainError;

/// One role the caller holds, with the path of the org it covers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActorRole {
    pub kind: RoleKind,
    pub org_path: OrgPath,
    pub can_review: bool,
}

/// The authenticated caller: who they are, where they belong, what they hold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub member_id: MemberId,
    pub branch_path: OrgPath,
    pub roles: Vec<ActorRole>,
}

impl Actor {
    /// A member acting for themself and holding no role: binding their own account at
    /// sign-in, before any session of theirs exists.
    pub fn themself(member: &crate::org::Member) -> Self {
        Self {
            member_id: member.id,
            branch_path: member.branch_path.clone(),
            roles: Vec::new(),
        }
    }
}

/// The actions of the table, each asked of a target org (the org itself, or the branch of
/// the member or object concerned).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    /// Read an org and list its children.
    ReadOrg,
    /// List a branch's members with masked phones.
    ListBranchMembers,
    /// List members with full phones; create, update, transfer, deactivate members.
    ManageMembers,
    /// Create and update orgs under a node.
    ManageOrgs,
    /// Grant and revoke roles (which roles: see [`authorize_grant`]).
    GrantRoles,
    /// Issue invite codes, reset a member's WeChat binding.
    IssueInviteCodes,
    /// Read a branch's activities (members of the branch and S, C, T covering it).
    ReadActivities,
    /// Create and change activities.
    ManageActivities,
    /// Review check-ins and exemptions.
    Review,
    PublishMaterials,
    ReadReports,
    ReadAudit,
    /// Dispatch 96345 volunteer-service requests.
    DispatchServiceRequests,
    /// Open appraisal campaigns, move their stages, rate members, answer objections.
    ManageAppraisals,
    /// Form, change and dissolve 96345 professional teams (专业队伍); decide join requests.
    ManageVolunteerTeams,
    /// Confirm or reject members' own volunteer-hours entries, correct them, and read a
    /// member's ledger and certificate.
    ReviewVolunteerHours,
    /// Keep the pioneer-index rule sets, compute the index, confirm the warning level;
    /// answer objections to pioneer-index deductions and record zeroing items.
    ManagePioneerIndex,
    /// Set the township's deadlines to claim and complete 96345 requests, per kind and
    /// urgency (reading them is for dispatchers: [`Action::DispatchServiceRequests`]).
    SetServiceDeadlines,
    /// Approve or reject members' pioneer-index claims (positive items).
    ApprovePioneerClaims,
    /// Record pioneer-index deductions (negative items) of members.
    RecordPioneerDeductions,
}

impl Action {
    pub const ALL: &'static [Action] = &[
        Action::ReadOrg,
        Action::ListBranchMembers,
        Action::ManageMembers,
        Action::ManageOrgs,
        Action::GrantRoles,
        Action::IssueInviteCodes,
        Action::ReadActivities,
        Action::ManageActivities,
        Action::Review,
        Action::PublishMaterials,
        Action::ReadReports,
        Action::ReadAudit,
        Action::DispatchServiceRequests,
        Action::ManageAppraisals,
        Action::ManageVolunteerTeams,
        Action::ReviewVolunteerHours,
        Action::ManagePioneerIndex,
        Action::SetServiceDeadlines,
        Action::ApprovePioneerClaims,
        Action::RecordPioneerDeductions,
    ];

    /// Actions a member may take by belonging, without any role.
    fn open_to_members(self) -> bool {
        matches!(
            self,
            Action::ReadOrg | Action::ListBranchMembers | Action::ReadActivities
        )
    }
}

fn role_may(role: &ActorRole, action: Action) -> bool {
    use RoleKind::*;
    match action {
        Action::ReadOrg
        | Action::ListBranchMembers
        | Action::ReadActivities
        | Action::ManageActivities
        | Action::ReadReports
        | Action::RecordPioneerDeductions => {
            matches!(role.kind, Secretary | Committee | TownshipAdmin)
        }
        Action::ManageMembers
        | Action::GrantRoles
        | Action::IssueInviteCodes
        | Action::PublishMaterials
        | Action::ManageAppraisals
        | Action::ReviewVolunteerHours => {
            matches!(role.kind, Secretary | TownshipAdmin)
        }
        Action::Review => match role.kind {
            Secretary | TownshipAdmin => true,
            Committee => role.can_review,
            HotlineOperator => false,
        },
        // The branch decides; the township audits the claims but does not decide them.
        Action::ApprovePioneerClaims => match role.kind {
            Secretary => true,
            Committee => role.can_review,
            TownshipAdmin | HotlineOperator => false,
        },
        Action::ManageOrgs
        | Action::ReadAudit
        | Action::ManageVolunteerTeams
        | Action::ManagePioneerIndex
        | Action::SetServiceDeadlines => role.kind == TownshipAdmin,
        Action::DispatchServiceRequests => matches!(role.kind, HotlineOperator | TownshipAdmin),
    }
}

fn member_may(actor: &Actor, action: Action, target: &OrgPath) -> bool {
    match action {
        // "Any member inside it": the org contains the member's branch, or is one of the
        // branch's own groups (a member of a group is inside it).
        Action::ReadOrg => target.covers(&actor.branch_path) || actor.branch_path.covers(target),
        // Their branch, and the groups of their branch.
        Action::ListBranchMembers | Action::ReadActivities => actor.branch_path.covers(target),
        _ => false,
    }
}

/// May `actor` take `action` on the org at `target`?
pub fn authorize(actor: &Actor, action: Action, target: &OrgPath) -> Result<(), DomainError> {
    if member_may(actor, action, target) {
        return Ok(());
    }
    let mut capable = actor
        .roles
        .iter()
        .filter(|r| role_may(r, action))
        .peekable();
    if capable.peek().is_none() && !action.open_to_members() {
        return Err(DomainError::Forbidden);
    }
    if capable.any(|r| r.org_path.covers(target)) {
        Ok(())
    } else {
        Err(DomainError::NotFound)
    }
}

/// Could `actor` take `action` anywhere, by a role or (for the actions open to members) by
/// belonging? Asked from the caller's roles before anything is loaded: when the answer is
/// no, the request is 403 whatever id it names, real or random, so it tells nothing about
/// which ids exist. Writes ask it before they begin their unit of work, so a refused
/// caller never holds a transaction.
pub fn may_somewhere(actor: &Actor, action: Action) -> Result<(), DomainError> {
    if action.open_to_members() || actor.roles.iter().any(|r| role_may(r, action)) {
        Ok(())
    } else {
        Err(DomainError::Forbidden)
    }
}

/// "The object with this id on which `actor` may take `action`", as one question: 403 from
/// the caller's roles before `lookup` runs (see [`may_somewhere`]); then a missing object and
/// one outside the caller's scope get the same answer, 404. `lookup` is a future, so nothing
/// is read before the roles are asked; `path` is where the object sits in the tree.
pub async fn load_in_scope<T, F>(
    actor: &Actor,
    action: Action,
    lookup: F,
    path: fn(&T) -> &OrgPath,
) -> Result<T, DomainError>
where
    F: std::future::Future<Output = Result<Option<T>, crate::error::RepoError>>,
{
    may_somewhere(actor, action)?;
    let found = lookup.await?.ok_or(DomainError::NotFound)?;
    match authorize(actor, action, path(&found)) {
        Ok(()) => Ok(found),
        Err(_) => Err(DomainError::NotFound),
    }
}

/// The subtrees where `actor` may take `action` by role (for scope-filtered queries).
pub fn scopes(actor: &Actor, action: Action) -> Vec<OrgPath> {
    actor
        .roles
        .iter()
        .filter(|r| role_may(r, action))
        .map(|r| r.org_path.clone())
        .collect()
}

/// The subtrees a report for `actor` covers: where they may read reports, with subtrees
/// nested in others dropped so no branch is listed twice. Forbidden when there are none.
pub fn report_roots(actor: &Actor) -> Result<Vec<OrgPath>, DomainError> {
    let mut scopes = scopes(actor, Action::ReadReports);
    if scopes.is_empty() {
        return Err(DomainError::Forbidden);
    }
    scopes.sort_by_key(|p| p.depth());
    let mut roots: Vec<OrgPath> = Vec::new();
    for s in scopes {
        if !roots.iter().any(|r| r.covers(&s)) {
            roots.push(s);
        }
    }
    Ok(roots)
}

/// Where `actor` may see members: the subtrees their roles cover, their own branch, and
/// themself (applied again inside repository queries).
pub fn member_visibility(actor: &Actor) -> super::ports::MemberVisibility {
    super::ports::MemberVisibility {
        subtrees: scopes(actor, Action::ListBranchMembers),
        branch: actor.branch_path.clone(),
        member: actor.member_id,
    }
}

/// Could `actor` grant (or revoke) a role of `kind` anywhere? Asked before the member or the
/// org is looked up: a secretary granting a township admin is 403 whatever the ids.
pub fn may_grant_somewhere(actor: &Actor, kind: RoleKind) -> Result<(), DomainError> {
    if actor.roles.iter().any(|r| grantable_by(r.kind, kind)) {
        Ok(())
    } else {
        Err(DomainError::Forbidden)
    }
}

/// May a holder of `holder` grant roles of `kind` (inside the holder's scope)?
fn grantable_by(holder: RoleKind, kind: RoleKind) -> bool {
    match holder {
        RoleKind::TownshipAdmin => true,
        RoleKind::Secretary => kind == RoleKind::Committee,
        RoleKind::Committee | RoleKind::HotlineOperator => false,
    }
}

/// Could `actor` grant some role somewhere? (Otherwise any grant is 403, before lookups.)
pub fn may_grant_anything(actor: &Actor) -> bool {
    actor
        .roles
        .iter()
        .any(|r| matches!(r.kind, RoleKind::TownshipAdmin | RoleKind::Secretary))
}

/// May `actor` grant (or revoke) a role of `kind` on the org at `target`? Township admins
/// grant any role inside their subtree; secretaries grant committee roles inside their
/// branch; nobody grants beyond their scope or above their own role.
pub fn authorize_grant(actor: &Actor, kind: RoleKind, target: &OrgPath) -> Result<(), DomainError> {
    let mut could_somewhere = false;
    for role in &actor.roles {
        if !grantable_by(role.kind, kind) {
            continue;
        }
        could_somewhere = true;
        if role.org_path.covers(target) {
            return Ok(());
        }
    }
    if could_somewhere {
        Err(DomainError::NotFound)
    } else {
        Err(DomainError::Forbidden)
    }
}

/// Is `member_id` the caller themself? (The "M" rows: one's own check-ins, progress, …)
pub fn authorize_own(actor: &Actor, member_id: MemberId) -> Result<(), DomainError> {
    if actor.member_id == member_id {
        Ok(())
    } else {
        Err(DomainError::NotFound)
    }
}

/// Who sees a member's full phone: the member, and secretaries or township admins covering
/// the member's branch. Everyone else sees the mask.
pub fn sees_full_phone(actor: &Actor, member_id: MemberId, member_branch: &OrgPath) -> bool {
    actor.member_id == member_id
        || actor.roles.iter().any(|r| {
            matches!(r.kind, RoleKind::Secretary | RoleKind::TownshipAdmin)
                && r.org_path.covers(member_branch)
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::org::model::OrgId;

    /// domain.md's table, transcribed: S, C, C* (committee member with canReview), T, O.
    const TABLE: &[(Action, &str)] = &[
        (Action::ReadOrg, "S C C* T"),
        (Action::ListBranchMembers, "S C C* T"),
        (Action::ReadActivities, "S C C* T"),
        (Action::ManageMembers, "S T"),
        (Action::ManageOrgs, "T"),
        (Action::GrantRoles, "S T"),
        (Action::IssueInviteCodes, "S T"),
        (Action::ManageActivities, "S C C* T"),
        (Action::Review, "S C* T"),
        (Action::PublishMaterials, "S T"),
        (Action::ReadReports, "S C C* T"),
        (Action::ReadAudit, "T"),
        (Action::DispatchServiceRequests, "O T"),
        (Action::ManageAppraisals, "S T"),
        (Action::ManageVolunteerTeams, "T"),
        (Action::ReviewVolunteerHours, "S T"),
        (Action::ManagePioneerIndex, "T"),
        (Action::SetServiceDeadlines, "T"),
        (Action::ApprovePioneerClaims, "S C*"),
        // Not a row of domain.md's table: the issue has group leaders (branch committee
        // members) and secretaries record negative items; township admins any item.
        (Action::RecordPioneerDeductions, "S C C* T"),
    ];

    struct World {
        committee: OrgPath,
        branch_a: OrgPath,
        group_a: OrgPath,
        branch_b: OrgPath,
        other_committee_branch: OrgPath,
        /// Where the acting member belongs: a branch apart from everything targeted.
        home: OrgPath,
    }

    fn world() -> World {
        let committee = OrgPath::root(OrgId::new());
        let branch_a = committee.child(OrgId::new());
        let other = OrgPath::root(OrgId::new());
        World {
            group_a: branch_a.child(OrgId::new()),
            branch_b: committee.child(OrgId::new()),
            other_committee_branch: other.child(OrgId::new()),
            home: OrgPath::root(OrgId::new()).child(OrgId::new()),
            committee,
            branch_a,
        }
    }

    /// An actor holding one role, on branch A (S, C, C*) or on the committee (T, O).
    fn actor_with(letter: &str, w: &World) -> Actor {
        let (kind, can_review, on) = match letter {
            "S" => (RoleKind::Secretary, false, &w.branch_a),
            "C" => (RoleKind::Committee, false, &w.branch_a),
            "C*" => (RoleKind::Committee, true, &w.branch_a),
            "T" => (RoleKind::TownshipAdmin, false, &w.committee),
            "O" => (RoleKind::HotlineOperator, false, &w.committee),
            _ => unreachable!(),
        };
        Actor {
            member_id: MemberId::new(),
            branch_path: w.home.clone(),
            roles: vec![ActorRole {
                kind,
                org_path: on.clone(),
                can_review,
            }],
        }
    }

    fn outcome(r: Result<(), DomainError>) -> &'static str {
        match r {
            Ok(()) => "ok",
            Err(DomainError::NotFound) => "404",
            Err(DomainError::Forbidden) => "403",
            Err(_) => "other",
        }
    }

    #[test]
    fn every_role_action_and_scope_matches_the_table() {
        let w = world();
        for (action, letters) in TABLE {
            let allowed: Vec<&str> = letters.split(' ').collect();
            for letter in ["S", "C", "C*", "T", "O"] {
                let actor = actor_with(letter, &w);
                let may = allowed.contains(&letter);
                let inside = outcome(authorize(&actor, *action, &w.group_a));
                let outside = outcome(authorize(&actor, *action, &w.other_committee_branch));
                let refused = if action.open_to_members() {
                    "404"
                } else {
                    "403"
                };
                let (want_in, want_out) = if may {
                    ("ok", "404")
                } else {
                    (refused, refused)
                };
                assert_eq!(inside, want_in, "{letter} {action:?} inside");
                assert_eq!(outside, want_out, "{letter} {action:?} outside");
            }
        }
        assert_eq!(
            TABLE.len(),
            Action::ALL.len(),
            "every action is in the table"
        );
    }

    /// Polls a future that never waits (the lookups below are ready at once).
    fn ready<F: std::future::Future>(f: F) -> F::Output {
        let mut f = std::pin::pin!(f);
        let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
        match f.as_mut().poll(&mut cx) {
            std::task::Poll::Ready(out) => out,
            std::task::Poll::Pending => panic!("the lookup waited"),
        }
    }

    #[test]
    fn whether_a_role_could_act_somewhere_matches_the_table_and_ignores_the_target() {
        let w = world();
        for (action, letters) in TABLE {
            for letter in ["S", "C", "C*", "T", "O"] {
                let actor = actor_with(letter, &w);
                let may = letters.split(' ').any(|l| l == letter) || action.open_to_members();
                let want = if may { "ok" } else { "403" };
                assert_eq!(
                    outcome(may_somewhere(&actor, *action)),
                    want,
                    "{letter} {action:?}"
                );
            }
        }
        let member = Actor {
            member_id: MemberId::new(),
            branch_path: w.branch_a.clone(),
            roles: vec![],
        };
        for action in Action::ALL {
            let want = if action.open_to_members() {
                "ok"
            } else {
                "403"
            };
            assert_eq!(outcome(may_somewhere(&member, *action)), want, "{action:?}");
        }
    }

    async fn lookup(
        found: Option<OrgPath>,
        read: &std::cell::Cell<bool>,
    ) -> Result<Option<OrgPath>, crate::error::RepoError> {
        read.set(true);
        Ok(found)
    }

    fn itself(p: &OrgPath) -> &OrgPath {
        p
    }

    #[test]
    fn an_object_out_of_scope_is_as_missing_as_no_object_and_a_role_never_held_is_403_unread() {
        let w = world();
        let read = std::cell::Cell::new(false);
        let secretary = actor_with("S", &w);
        let manage = Action::ManageMembers;
        let found = ready(load_in_scope(
            &secretary,
            manage,
            lookup(Some(w.group_a.clone()), &read),
            itself,
        ));
        assert_eq!(found.ok(), Some(w.group_a.clone()));
        for (target, what) in [(Some(w.branch_b.clone()), "outside"), (None, "missing")] {
            let r = ready(load_in_scope(
                &secretary,
                manage,
                lookup(target, &read),
                itself,
            ));
            assert_eq!(outcome(r.map(|_| ())), "404", "{what}");
        }
        read.set(false);
        let r = ready(load_in_scope(
            &secretary,
            Action::ManageOrgs,
            lookup(Some(w.group_a.clone()), &read),
            itself,
        ));
        assert_eq!(outcome(r.map(|_| ())), "403");
        assert!(!read.get(), "403 is decided before the lookup runs");
        let member = Actor {
            member_id: MemberId::new(),
            branch_path: w.branch_a.clone(),
            roles: vec![],
        };
        let r = ready(load_in_scope(
            &member,
            Action::ReadOrg,
            lookup(Some(w.branch_b.clone()), &read),
            itself,
        ));
        assert_eq!(outcome(r.map(|_| ())), "404", "open to members: never 403");
    }

    #[test]
    fn granting_a_role_no_held_role_could_grant_is_refused_before_any_lookup() {
        let w = world();
        let secretary = actor_with("S", &w);
        assert_eq!(
            outcome(may_grant_somewhere(&secretary, RoleKind::Committee)),
            "ok"
        );
        for above in [
            RoleKind::Secretary,
            RoleKind::TownshipAdmin,
            RoleKind::HotlineOperator,
        ] {
            assert_eq!(outcome(may_grant_somewhere(&secretary, above)), "403");
        }
        let admin = actor_with("T", &w);
        for kind in RoleKind::ALL {
            assert_eq!(outcome(may_grant_somewhere(&admin, *kind)), "ok");
        }
        for letter in ["C", "C*", "O"] {
            let actor = actor_with(letter, &w);
            assert_eq!(
                outcome(may_grant_somewhere(&actor, RoleKind::Committee)),
                "403"
            );
        }
    }

    #[test]
    fn branch_roles_stop_at_their_branch_and_township_roles_cover_the_committee() {
        let w = world();
        let secretary = actor_with("S", &w);
        assert_eq!(
            outcome(authorize(&secretary, Action::ManageMembers, &w.branch_a)),
            "ok"
        );
        assert_eq!(
            outcome(authorize(&secretary, Action::ManageMembers, &w.branch_b)),
            "404"
        );
        assert_eq!(
            outcome(authorize(&secretary, Action::ManageMembers, &w.committee)),
            "404"
        );
        let admin = actor_with("T", &w);
        for target in [&w.committee, &w.branch_a, &w.group_a, &w.branch_b] {
            assert_eq!(outcome(authorize(&admin, Action::ManageOrgs, target)), "ok");
        }
    }

    #[test]
    fn plain_members_read_what_contains_them_and_list_only_their_own_branch() {
        let w = world();
        let member = Actor {
            member_id: MemberId::new(),
            branch_path: w.branch_a.clone(),
            roles: vec![],
        };
        assert_eq!(
            outcome(authorize(&member, Action::ReadOrg, &w.branch_a)),
            "ok"
        );
        assert_eq!(
            outcome(authorize(&member, Action::ReadOrg, &w.committee)),
            "ok"
        );
        assert_eq!(
            outcome(authorize(&member, Action::ReadOrg, &w.branch_b)),
            "404"
        );
        assert_eq!(
            outcome(authorize(&member, Action::ReadOrg, &w.group_a)),
            "ok"
        );
        assert_eq!(
            outcome(authorize(&member, Action::ListBranchMembers, &w.group_a)),
            "ok"
        );
        assert_eq!(
            outcome(authorize(&member, Action::ListBranchMembers, &w.branch_a)),
            "ok"
        );
        assert_eq!(
            outcome(authorize(&member, Action::ListBranchMembers, &w.branch_b)),
            "404"
        );
        // A branch's activities: its members (also from a group's page), nobody else's.
        for (target, want) in [
            (&w.branch_a, "ok"),
            (&w.group_a, "ok"),
            (&w.branch_b, "404"),
        ] {
            assert_eq!(
                outcome(authorize(&member, Action::ReadActivities, target)),
                want
            );
        }
        for action in Action::ALL.iter().filter(|a| !a.open_to_members()) {
            assert_eq!(
                outcome(authorize(&member, *action, &w.branch_a)),
                "403",
                "{action:?}"
            );
        }
    }

    #[test]
    fn grants_stay_within_scope_and_below_the_granter() {
        let w = world();
        let secretary = actor_with("S", &w);
        assert_eq!(
            outcome(authorize_grant(
                &secretary,
                RoleKind::Committee,
                &w.branch_a
            )),
            "ok"
        );
        assert_eq!(
            outcome(authorize_grant(
                &secretary,
                RoleKind::Committee,
                &w.branch_b
            )),
            "404"
        );
        for above in [
            RoleKind::Secretary,
            RoleKind::TownshipAdmin,
            RoleKind::HotlineOperator,
        ] {
            assert_eq!(
                outcome(authorize_grant(&secretary, above, &w.branch_a)),
                "403",
                "{above:?}"
            );
        }
        let admin = actor_with("T", &w);
        for kind in RoleKind::ALL {
            assert_eq!(outcome(authorize_grant(&admin, *kind, &w.branch_b)), "ok");
            assert_eq!(
                outcome(authorize_grant(&admin, *kind, &w.other_committee_branch)),
                "404"
            );
        }
        for letter in ["C", "C*", "O"] {
            let actor = actor_with(letter, &w);
            assert_eq!(
                outcome(authorize_grant(&actor, RoleKind::Committee, &w.branch_a)),
                "403"
            );
        }
    }

    #[test]
    fn full_phones_are_for_the_member_and_secretaries_or_admins_covering_them() {
        let w = world();
        let owner = MemberId::new();
        for (letter, sees) in [
            ("S", true),
            ("T", true),
            ("C", false),
            ("C*", false),
            ("O", false),
        ] {
            let actor = actor_with(letter, &w);
            assert_eq!(
                sees_full_phone(&actor, owner, &w.branch_a),
                sees,
                "{letter}"
            );
            assert!(
                !sees_full_phone(&actor, owner, &w.other_committee_branch),
                "{letter}"
            );
        }
        let me = Actor {
            member_id: owner,
            branch_path: w.branch_a.clone(),
            roles: vec![],
        };
        assert!(sees_full_phone(&me, owner, &w.branch_a));
        assert_eq!(outcome(authorize_own(&me, owner)), "ok");
        assert_eq!(outcome(authorize_own(&me, MemberId::new())), "404");
    }
}
