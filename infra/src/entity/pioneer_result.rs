use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "pioneer_result")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub run_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub member_id: Uuid,
    pub member_name: String,
    pub branch_id: Uuid,
    pub branch_path: String,
    pub sector: String,
    pub category: String,
    pub profile: Option<String>,
    /// Hundredths of a point; null for an excluded member.
    pub total: Option<i64>,
    pub zeroed_by: Option<String>,
    /// The breakdown, a JSON array.
    pub lines: String,
    pub excluded_reason: Option<String>,
    pub proposed: bool,
    pub tied: bool,
    pub warning: bool,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
