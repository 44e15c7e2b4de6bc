use sea_orm::entity::prelude::*;

/// The table has no key column of its own: a participant is its campaign and member
/// (`ux_appraisal_participant`).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "appraisal_participant")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub campaign_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub member_id: Uuid,
    pub name: String,
    pub branch_id: Uuid,
    pub branch_path: String,
    pub group_id: Option<Uuid>,
    pub probationary: bool,
    pub excused_reason: Option<String>,
    pub excused_by: Option<Uuid>,
    pub excused_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
