use sea_orm::entity::prelude::*;

/// One entry of the append-only ledger.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "volunteer_hours")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub member_id: Uuid,
    pub committee_id: Uuid,
    pub branch_id: Uuid,
    pub branch_path: String,
    pub category: String,
    pub minutes: i32,
    pub occurred_on: Date,
    pub source: String,
    pub request_id: Option<Uuid>,
    pub team_id: Option<Uuid>,
    pub corrects_id: Option<Uuid>,
    pub activity_id: Option<Uuid>,
    pub note: String,
    pub status: String,
    pub decided_by: Option<Uuid>,
    pub decided_at: Option<DateTimeUtc>,
    pub decision_reason: Option<String>,
    pub recorded_by: Uuid,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
