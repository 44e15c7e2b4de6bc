use sea_orm::entity::prelude::*;

/// Keyed by campaign and member (`ux_self_assessment`), as a participant is.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "self_assessment")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub campaign_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub member_id: Uuid,
    pub branch_path: String,
    pub content: String,
    pub version: i64,
    pub status: String,
    pub submitted_at: Option<DateTimeUtc>,
    pub reopened: Option<String>,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
