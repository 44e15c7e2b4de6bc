use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "activity")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub branch_id: Uuid,
    pub group_id: Option<Uuid>,
    pub branch_path: String,
    pub kind: String,
    pub theme_category: Option<String>,
    pub title: String,
    pub place: Option<String>,
    pub lecturer_id: Option<Uuid>,
    pub lecturer_name: Option<String>,
    pub lecturer_is_secretary: bool,
    pub starts_at: DateTimeUtc,
    pub ends_at: DateTimeUtc,
    pub window_opens_at: DateTimeUtc,
    pub window_closes_at: DateTimeUtc,
    pub proof: String,
    pub geo_lat: Option<f64>,
    pub geo_lng: Option<f64>,
    pub geo_radius_m: Option<f64>,
    pub online_allowed: bool,
    pub qr_auto_approve: bool,
    pub status: String,
    pub cancel_reason: Option<String>,
    pub created_by: Uuid,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
