use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "service_request")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub committee_id: Uuid,
    pub committee_path: String,
    pub kind: String,
    pub urgency: String,
    pub title: String,
    pub description: String,
    pub contact_name: Option<String>,
    pub contact_phone: Option<String>,
    pub address: Option<String>,
    pub preferred_time: Option<String>,
    pub tags: String,
    pub photos: String,
    pub filer_kind: String,
    pub filer_id: Uuid,
    pub moderation: String,
    pub state: String,
    pub paused_since: Option<DateTimeUtc>,
    pub capacity: i32,
    pub claimed: i32,
    pub assignee_kind: Option<String>,
    pub assignee_id: Option<Uuid>,
    pub assignee_path: Option<String>,
    pub claim_due: Option<DateTimeUtc>,
    pub complete_due: Option<DateTimeUtc>,
    pub summary: Option<String>,
    pub completed_at: Option<DateTimeUtc>,
    pub rating: Option<i16>,
    pub rating_comment: Option<String>,
    pub followed_up: bool,
    pub closed_at: Option<DateTimeUtc>,
    pub reason_code: Option<String>,
    pub reason_note: Option<String>,
    pub duplicate_of: Option<Uuid>,
    pub erased_at: Option<DateTimeUtc>,
    pub extension_days: Option<i32>,
    pub extension_reason: Option<String>,
    pub extension_by: Option<Uuid>,
    pub extension_at: Option<DateTimeUtc>,
    pub version: i64,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
