//! Storage of service requests, their claims and status notes.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use super::model::{Assignee, RequestState, ResidentId, ServiceKind, ServiceRequestId, TeamId};
use super::moderation::Moderation;
use super::request::{Claim, ServiceRequest, StatusNote};
use crate::error::RepoError;
use crate::org::{MemberId, OrgPath};
use crate::page::{Page, PageRequest};

/// Which requests a list selects: those the caller may see (any of `seen`), narrowed by the
/// filters.
#[derive(Debug, Clone, Default)]
pub struct RequestQuery {
    pub seen: RequestSight,
    pub kind: Option<ServiceKind>,
    pub state: Option<RequestState>,
    pub moderation: Option<Moderation>,
    /// Only those overdue at this instant.
    pub overdue_at: Option<DateTime<Utc>>,
}

/// The requests a caller may see, each part widening the sight.
#[derive(Debug, Clone, Default)]
pub struct RequestSight {
    /// Filed by this resident.
    pub resident: Option<ResidentId>,
    /// Filed by this member (for a resident, or as an operator).
    pub filed_by: Option<MemberId>,
    /// Claimed by this member.
    pub claimant: Option<MemberId>,
    /// Dispatched to one of these paths exactly (the caller's branch, and the township's
    /// wish list above it).
    pub assigned_to: Vec<OrgPath>,
    /// Dispatched under one of these subtrees (a secretary's branch).
    pub assigned_under: Vec<OrgPath>,
    /// Dispatched to one of these teams.
    pub teams: Vec<TeamId>,
    /// Filed with a township under one of these subtrees (its operators and admins).
    pub dispatched_under: Vec<OrgPath>,
}

impl RequestSight {
    pub fn is_empty(&self) -> bool {
        self.resident.is_none()
            && self.filed_by.is_none()
            && self.claimant.is_none()
            && self.assigned_to.is_empty()
            && self.assigned_under.is_empty()
            && self.teams.is_empty()
            && self.dispatched_under.is_empty()
    }
}

#[async_trait]
pub trait ServiceRequestRepo: Send + Sync {
    /// Stores a new request with its first status note.
    async fn insert(&self, request: &ServiceRequest, note: &StatusNote) -> Result<(), RepoError>;
    async fn get(&self, id: ServiceRequestId) -> Result<Option<ServiceRequest>, RepoError>;
    /// Stores `request` if the stored one is at version `expected`; `false`, and nothing
    /// written, when another change got there first.
    async fn update(&self, request: &ServiceRequest, expected: i64) -> Result<bool, RepoError>;
    async fn add_note(&self, note: &StatusNote) -> Result<(), RepoError>;
    /// Its status notes, oldest first.
    async fn notes(&self, id: ServiceRequestId) -> Result<Vec<StatusNote>, RepoError>;
    /// Its volunteers, in the order they claimed.
    async fn claims(&self, id: ServiceRequestId) -> Result<Vec<Claim>, RepoError>;
    /// Adds a claim; `false` when the member holds one already.
    async fn insert_claim(&self, claim: &Claim) -> Result<bool, RepoError>;
    /// Removes a member's claim; `false` when they held none.
    async fn remove_claim(&self, id: ServiceRequestId, member: MemberId)
        -> Result<bool, RepoError>;
    /// Removes every claim (a request returned, reopened or cancelled).
    async fn clear_claims(&self, id: ServiceRequestId) -> Result<(), RepoError>;
    /// Requests still handled and not paused with a claim or completion deadline in
    /// `(from, to]` (the deadline reminders' work list).
    async fn due_between(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<ServiceRequest>, RepoError>;
    /// How many requests each assignee of the township under `committee` is handling now
    /// (accepted, claimed or in progress): the load dispatch suggestions weigh.
    async fn open_load(&self, committee: &OrgPath) -> Result<Vec<(Assignee, u64)>, RepoError>;
    /// The requests the query selects, newest first.
    async fn list(
        &self,
        query: &RequestQuery,
        page: &PageRequest,
    ) -> Result<Page<ServiceRequest>, RepoError>;
}
