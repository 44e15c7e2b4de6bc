use async_trait::async_trait;

use super::model::{Member, MemberId, Org, OrgId, OrgPath, RoleGrant, RoleGrantId};
use super::phone::PhoneNumber;
use crate::error::RepoError;
use crate::page::{Page, PageRequest};

/// Storage of the org tree. Obligations: `path` is unique; children are listed in a stable
/// order (creation order); subtree questions are answered by path range, not recursion.
#[async_trait]
pub trait OrgRepo: Send + Sync {
    async fn get(&self, id: OrgId) -> Result<Option<Org>, RepoError>;
    async fn children(&self, id: OrgId, page: &PageRequest) -> Result<Page<Org>, RepoError>;
    async fn insert(&self, org: &Org) -> Result<(), RepoError>;
    /// Stores the org's name and sector (its place in the tree never changes).
    async fn update(&self, org: &Org) -> Result<(), RepoError>;
    /// Every branch in the subtree at `path` (itself included), in creation order.
    async fn branches_under(&self, path: &OrgPath) -> Result<Vec<Org>, RepoError>;
    /// Every direct child of the org, in creation order.
    async fn all_children(&self, id: OrgId) -> Result<Vec<Org>, RepoError>;
    /// Every top-level org (township committee), in creation order.
    async fn roots(&self) -> Result<Vec<Org>, RepoError>;
    /// Every org in the subtree at `path` (itself included), by path.
    async fn subtree(&self, path: &OrgPath) -> Result<Vec<Org>, RepoError>;
}

/// Which members to list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemberQuery {
    /// The org whose members are listed.
    pub org: OrgPath,
    /// Members of every branch under `org`, not only of `org` itself.
    pub include_subtree: bool,
    /// Only members whose name contains this text.
    pub name_contains: Option<String>,
    /// Only members of this group (when the org listed is a group).
    pub group: Option<OrgId>,
}

/// Where a caller may look for members: whole subtrees (by role), their own branch, and
/// themself. Repositories apply it in the query itself, beneath the policy check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemberVisibility {
    pub subtrees: Vec<OrgPath>,
    pub branch: OrgPath,
    pub member: MemberId,
}

/// Storage of members. Obligations: a phone belongs to at most one member
/// (`RepoError::Conflict` otherwise); lists are in creation order.
#[async_trait]
pub trait MemberRepo: Send + Sync {
    async fn get(&self, id: MemberId) -> Result<Option<Member>, RepoError>;
    /// The member, only if `within` lets the caller see them.
    async fn get_visible(
        &self,
        id: MemberId,
        within: &MemberVisibility,
    ) -> Result<Option<Member>, RepoError>;
    async fn find_by_phone(&self, phone: &PhoneNumber) -> Result<Option<Member>, RepoError>;
    async fn list(
        &self,
        query: &MemberQuery,
        page: &PageRequest,
    ) -> Result<Page<Member>, RepoError>;
    async fn insert(&self, member: &Member) -> Result<(), RepoError>;
    async fn update(&self, member: &Member) -> Result<(), RepoError>;
    /// Holds the member's row until the unit of work ends, serialising writes that must see
    /// each other (a no-op where the transaction already holds the database's write lock).
    async fn lock(&self, id: MemberId) -> Result<(), RepoError>;
    /// Every active member of the branch, in creation order.
    async fn active_in_branch(&self, branch: &OrgPath) -> Result<Vec<Member>, RepoError>;
}

/// Storage of role grants. Obligations: one grant per (member, kind, org)
/// (`RepoError::Conflict` otherwise).
#[async_trait]
pub trait RoleRepo: Send + Sync {
    async fn of_member(&self, member: MemberId) -> Result<Vec<RoleGrant>, RepoError>;
    /// The member's grants and their session, token and member-wide revocations recorded
    /// at or after `since` (each as its id and instant), in one read: what a near cache
    /// keeps of a caller besides their row.
    async fn grants_and_revocations(
        &self,
        member: MemberId,
        since: chrono::DateTime<chrono::Utc>,
    ) -> Result<
        (
            Vec<RoleGrant>,
            Vec<(uuid::Uuid, chrono::DateTime<chrono::Utc>)>,
        ),
        RepoError,
    >;
    /// Every grant held on the org itself.
    async fn held_on(&self, org: OrgId) -> Result<Vec<RoleGrant>, RepoError>;
    async fn get(&self, id: RoleGrantId) -> Result<Option<RoleGrant>, RepoError>;
    async fn insert(&self, grant: &RoleGrant) -> Result<(), RepoError>;
    async fn delete(&self, id: RoleGrantId) -> Result<(), RepoError>;
}
