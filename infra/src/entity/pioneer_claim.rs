use sea_orm::entity::prelude::*;

/// A member's claim of a positive item.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "pioneer_claim")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub committee_id: Uuid,
    pub member_id: Uuid,
    pub branch_id: Uuid,
    pub branch_path: String,
    /// `HalfYear::ordinal`: 20271 for 2027-H1.
    pub half: i32,
    pub item_code: String,
    pub description: String,
    /// JSON: an array of https links.
    pub evidence: String,
    pub status: String,
    pub decided_by: Option<Uuid>,
    pub decided_at: Option<DateTimeUtc>,
    pub decision_reason: Option<String>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
