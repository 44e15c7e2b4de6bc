use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "pioneer_fortress")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub run_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub branch_id: Uuid,
    pub branch_path: String,
    /// The branch by its names below the committee, when computed.
    pub branch_name: String,
    /// Hundredths of a point.
    pub total: i64,
    /// The breakdown, a JSON array.
    pub lines: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
