use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "material")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub title: String,
    pub summary: String,
    pub body: String,
    pub attachments: String,
    pub category: String,
    pub required: bool,
    pub lesson_month: Option<String>,
    pub audience_org_id: Uuid,
    pub audience_path: String,
    pub audience_categories: String,
    pub cadres_only: bool,
    pub publish_at: DateTimeUtc,
    pub study_deadline: Option<DateTimeUtc>,
    pub status: String,
    pub revision: i32,
    pub publisher_id: Uuid,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
