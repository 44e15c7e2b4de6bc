use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "appraisal_campaign")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub org_id: Uuid,
    pub org_path: String,
    pub name: String,
    pub period: String,
    pub meeting_id: Option<Uuid>,
    pub schedule: String,
    pub begun_early: String,
    pub peer_scope: String,
    pub positive_list: String,
    pub negative_list: String,
    pub excellent_numerator: i32,
    pub excellent_denominator: i32,
    pub recorded: String,
    pub created_by: Uuid,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
