use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use domain::org::{Org, RoleGrant};

/// An org as other resources refer to it.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct OrgRef {
    pub id: Uuid,
    #[schema(example = "第一党支部")]
    pub name: String,
    /// `committee`, `general_branch`, `branch` or `group`.
    #[schema(example = "branch")]
    pub kind: String,
    /// `rural`, `government`, `enterprise` or `school_hospital`.
    #[schema(example = "rural")]
    pub sector: String,
}

impl From<&Org> for OrgRef {
    fn from(o: &Org) -> Self {
        Self {
            id: o.id.as_uuid(),
            name: o.name.clone(),
            kind: o.kind.as_str().to_owned(),
            sector: o.sector.as_str().to_owned(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct RoleView {
    pub id: Uuid,
    /// `secretary`, `committee`, `township_admin` or `hotline_operator`.
    #[schema(example = "secretary")]
    pub kind: String,
    /// Committee members only: may review check-ins and exemptions.
    pub can_review: bool,
    /// The org the role covers (with everything under it).
    pub org: OrgRef,
}

impl RoleView {
    pub fn new(grant: &RoleGrant, org: &Org) -> Self {
        Self {
            id: grant.id.as_uuid(),
            kind: grant.kind.as_str().to_owned(),
            can_review: grant.can_review,
            org: OrgRef::from(org),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Me {
    pub id: Uuid,
    #[schema(example = "王建国")]
    pub name: String,
    /// The caller's own phone, in full.
    #[schema(example = "13800000001")]
    pub phone: String,
    /// `in_service`, `rural`, `retired`, `frail` or `mobile`.
    #[schema(example = "rural")]
    pub category: String,
    pub leading_cadre: bool,
    /// A probationary member (预备党员).
    pub probationary: bool,
    pub branch: OrgRef,
    pub group: Option<OrgRef>,
    pub roles: Vec<RoleView>,
}

/// How many more messages of a template may be sent to the caller.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SubscriptionView {
    pub template_id: String,
    pub balance: i32,
}
