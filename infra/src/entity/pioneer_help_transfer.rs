use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "pioneer_help_transfer")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub committee_id: Uuid,
    pub member_id: Uuid,
    /// `HalfYear::ordinal`.
    pub half: i32,
    pub from_branch_id: Uuid,
    pub from_group_id: Option<Uuid>,
    pub to_branch_id: Uuid,
    pub moved_by: Uuid,
    pub moved_at: DateTimeUtc,
    pub returned_by: Option<Uuid>,
    pub returned_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
