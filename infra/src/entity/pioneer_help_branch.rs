use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "pioneer_help_branch")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub committee_id: Uuid,
    pub branch_id: Uuid,
    pub set_by: Uuid,
    pub set_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
