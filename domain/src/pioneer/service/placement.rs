//! Which items apply to a member in a half year: the rules in force for it (the township's
//! stored version, or the standard rules), and the member's profile under them by their
//! branch's sector and their category.

use crate::error::{DomainError, ErrorCode, RepoError};
use crate::org::{Member, OrgId};
use crate::pioneer::rules::{Placement, Profile, Rules};
use crate::uow::Repositories;
use crate::volunteer::HalfYear;

/// The rules in force for the committee's half year.
pub(super) async fn rules_in_force(
    repos: &dyn Repositories,
    committee: OrgId,
    half: HalfYear,
) -> Result<Rules, DomainError> {
    Ok(repos
        .pioneer_rules()
        .in_force(committee, half)
        .await?
        .map_or_else(Rules::standard, |s| s.rules))
}

/// The committee a member's branch belongs to (the root of its path).
pub(super) fn committee_of(member: &Member) -> Result<OrgId, DomainError> {
    member
        .branch_path
        .root_id()
        .ok_or_else(|| DomainError::Repo(RepoError::Other("a member without an org path".into())))
}

/// The profile that scores `member` under `rules`; 422 when the rules leave them out.
pub(super) async fn profile_of<'r>(
    repos: &dyn Repositories,
    rules: &'r Rules,
    member: &Member,
) -> Result<&'r Profile, DomainError> {
    let branch = repos
        .orgs()
        .get(member.branch_id)
        .await?
        .ok_or(DomainError::NotFound)?;
    match rules.place(branch.sector, member.category) {
        Placement::Scored(p) => Ok(p),
        Placement::Excluded(reason) => Err(DomainError::refused(
            ErrorCode::PioneerMemberExcluded,
            format!("the member is not in the pioneer index: {reason}"),
        )),
    }
}
