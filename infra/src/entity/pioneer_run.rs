use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "pioneer_run")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub committee_id: Uuid,
    pub committee_path: String,
    /// `HalfYear::ordinal`.
    pub half: i32,
    pub status: String,
    pub rules_version: Option<i32>,
    pub pool: i32,
    pub excluded: i32,
    pub quota: i32,
    pub progress_done: i32,
    pub progress_total: i32,
    pub requested_by: Uuid,
    pub requested_at: DateTimeUtc,
    pub computed_at: Option<DateTimeUtc>,
    pub confirmed_by: Option<Uuid>,
    pub confirmed_at: Option<DateTimeUtc>,
    pub publish_until: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
