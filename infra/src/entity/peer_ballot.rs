use sea_orm::entity::prelude::*;

/// A ballot is its campaign, reviewee and reviewer tag (`ux_peer_ballot`); no reviewer id,
/// no timestamp.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "peer_ballot")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub campaign_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub reviewee_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub reviewer_tag: String,
    pub overall: String,
    pub dimensions: String,
    pub comment: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
