use sea_orm::entity::prelude::*;

/// A negative or zeroing item recorded against a member, with their objection and its
/// answer.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "pioneer_deduction")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub committee_id: Uuid,
    pub member_id: Uuid,
    pub branch_id: Uuid,
    pub branch_path: String,
    /// `HalfYear::ordinal`: 20271 for 2027-H1.
    pub half: i32,
    pub item_code: String,
    pub kind: String,
    pub reason: String,
    pub recorded_by: Uuid,
    pub recorded_at: DateTimeUtc,
    pub objection_text: Option<String>,
    pub objected_at: Option<DateTimeUtc>,
    pub answer_upheld: Option<bool>,
    pub answer_reply: Option<String>,
    pub answered_by: Option<Uuid>,
    pub answered_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
