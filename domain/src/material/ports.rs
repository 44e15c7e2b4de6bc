use async_trait::async_trait;
use chrono::{DateTime, Utc};

use super::model::{Material, MaterialCategory, MaterialId, StudyRecord};
use super::plan::model::{PlanOwner, StudyPlan};
use crate::calendar::YearMonth;
use crate::error::RepoError;
use crate::org::{Member, MemberId, OrgPath};
use crate::page::{Page, PageRequest};

/// A member's feed: what their audience allows at `now`, with optional filters.
#[derive(Debug, Clone)]
pub struct FeedQuery {
    pub member: Member,
    pub now: DateTime<Utc>,
    pub category: Option<MaterialCategory>,
    pub required: Option<bool>,
    pub lesson_month: Option<YearMonth>,
    /// Only materials the member has not opened yet.
    pub unread: bool,
}

/// Storage of materials. The feed is ordered newest publish time first, then id, and its
/// audience test is made in the query (org subtree by path, categories, leading cadres).
#[async_trait]
pub trait MaterialRepo: Send + Sync {
    async fn get(&self, id: MaterialId) -> Result<Option<Material>, RepoError>;
    async fn insert(&self, material: &Material) -> Result<(), RepoError>;
    async fn update(&self, material: &Material) -> Result<(), RepoError>;
    async fn feed(
        &self,
        query: &FeedQuery,
        page: &PageRequest,
    ) -> Result<Page<Material>, RepoError>;
    /// Published materials live at `now` that the study report of `month` covers, for an
    /// audience inside or above `scope`: that month's monthly lessons, and required
    /// materials published in the month.
    async fn reportable(
        &self,
        scope: &OrgPath,
        month: YearMonth,
        now: DateTime<Utc>,
    ) -> Result<Vec<Material>, RepoError>;
    /// The earliest publish time after `now` of any published material (when a cached feed
    /// stops being current).
    async fn next_publish_after(
        &self,
        now: DateTime<Utc>,
    ) -> Result<Option<DateTime<Utc>>, RepoError>;
}

/// Storage of study records: one per member and material.
#[async_trait]
pub trait StudyRecordRepo: Send + Sync {
    async fn get(
        &self,
        member: MemberId,
        material: MaterialId,
    ) -> Result<Option<StudyRecord>, RepoError>;
    /// Stores the record unless one exists; answers whether it stored it (never fails on
    /// the duplicate, so racing first reads both succeed).
    async fn insert_if_absent(&self, record: &StudyRecord) -> Result<bool, RepoError>;
    async fn update(&self, record: &StudyRecord) -> Result<(), RepoError>;
    /// Points the member was awarded for completions in `[from, until)`.
    async fn points_between(
        &self,
        member: MemberId,
        from: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> Result<i64, RepoError>;
    /// Members who completed `material` before `until`.
    async fn completed_before(
        &self,
        material: MaterialId,
        until: DateTime<Utc>,
    ) -> Result<Vec<MemberId>, RepoError>;
    /// The member's records of the given materials.
    async fn of_member(
        &self,
        member: MemberId,
        materials: &[MaterialId],
    ) -> Result<Vec<StudyRecord>, RepoError>;
}

/// Storage of plans: one per owner and year.
#[async_trait]
pub trait StudyPlanRepo: Send + Sync {
    async fn get(&self, owner: PlanOwner, year: i32) -> Result<Option<StudyPlan>, RepoError>;
    /// The owner's plans, newest year first.
    async fn of_owner(&self, owner: PlanOwner) -> Result<Vec<StudyPlan>, RepoError>;
    /// Stores the plan, replacing the owner's plan of that year (its revision then one
    /// more than the stored one); answers what was stored.
    async fn put(&self, plan: &StudyPlan) -> Result<StudyPlan, RepoError>;
}
