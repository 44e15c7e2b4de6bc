use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "pioneer_rule_set")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub committee_id: Uuid,
    pub version: i32,
    /// `HalfYear::ordinal`: 20271 for 2027-H1.
    pub effective_half: i32,
    /// The rules as JSON (see `repo::pioneer`).
    pub rules: String,
    pub created_by: Uuid,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
