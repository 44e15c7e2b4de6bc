//! Request and response shapes of the organisation endpoints, shared by members and roles.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::extract::Validate;
use crate::http::mirror::mirror_enum;
use domain::error::FieldError;
use domain::org::{self, Member, Org};

mirror_enum!(
    /// 镇党委 / 党总支 / 党支部 / 党小组.
    OrgKind => org::OrgKind { Committee, GeneralBranch, Branch, Group }
);
mirror_enum!(
    /// 农村 / 机关事业单位 / 非公企业和社会组织 / 学校、卫生院.
    OrgSector => org::OrgSector { Rural, Government, Enterprise, SchoolHospital }
);
mirror_enum!(
    /// 在职 / 农村 / 离退休 / 年老体弱 / 流动 党员.
    MemberCategory => org::MemberCategory { InService, Rural, Retired, Frail, Mobile }
);
mirror_enum!(
    MemberStatus => org::MemberStatus { Active, TransferredOut, Deactivated }
);
mirror_enum!(
    /// 书记 / 支委 / 镇党委组织委员 / 96345 热线接线员.
    RoleKind => org::RoleKind { Secretary, Committee, TownshipAdmin, HotlineOperator }
);

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct OrgView {
    pub id: Uuid,
    pub parent_id: Option<Uuid>,
    #[schema(example = "虞北村第一党支部")]
    pub name: String,
    pub kind: OrgKind,
    pub sector: OrgSector,
}

impl From<&Org> for OrgView {
    fn from(o: &Org) -> Self {
        Self {
            id: o.id.as_uuid(),
            parent_id: o.parent_id.map(|p| p.as_uuid()),
            name: o.name.clone(),
            kind: o.kind.into(),
            sector: o.sector.into(),
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct CreateOrg {
    pub kind: OrgKind,
    /// Defaults to the parent's sector.
    #[serde(default)]
    pub sector: Option<OrgSector>,
    #[schema(
        min_length = 1,
        max_length = 64,
        pattern = "printable",
        example = "第二党支部"
    )]
    pub name: String,
}

impl Validate for CreateOrg {
    fn validate(&self) -> Result<(), Vec<FieldError>> {
        Org::validate_name(&self.name)
            .map(|_| ())
            .map_err(|e| vec![e])
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct UpdateOrg {
    #[serde(default)]
    #[schema(
        min_length = 1,
        max_length = 64,
        pattern = "printable",
        example = "第二党支部"
    )]
    pub name: Option<String>,
    #[serde(default)]
    pub sector: Option<OrgSector>,
}

impl Validate for UpdateOrg {
    fn validate(&self) -> Result<(), Vec<FieldError>> {
        match &self.name {
            Some(name) => Org::validate_name(name).map(|_| ()).map_err(|e| vec![e]),
            None => Ok(()),
        }
    }
}

/// The checks both member bodies run on a name and a phone they carry.
pub fn check_name_and_phone(
    name: Option<&str>,
    phone: Option<&str>,
) -> Result<(), Vec<FieldError>> {
    let errors: Vec<FieldError> = [
        name.and_then(|n| Member::validate_name(n).err()),
        phone.and_then(|p| org::PhoneNumber::parse(p).err()),
    ]
    .into_iter()
    .flatten()
    .collect();
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors)
    }
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct MemberView {
    pub id: Uuid,
    #[schema(example = "王建国")]
    pub name: String,
    /// In full for the member and for secretaries or township admins covering their branch;
    /// `138****5678` for everyone else.
    #[schema(example = "138****5678")]
    pub phone: String,
    pub category: MemberCategory,
    pub branch_id: Uuid,
    pub group_id: Option<Uuid>,
    pub leading_cadre: bool,
    /// A probationary member (预备党员).
    pub probationary: bool,
    pub status: MemberStatus,
}

impl MemberView {
    pub fn new(m: &Member, full_phone: bool) -> Self {
        Self {
            id: m.id.as_uuid(),
            name: m.name.clone(),
            phone: if full_phone {
                m.phone.as_str().to_owned()
            } else {
                m.phone.masked()
            },
            category: m.category.into(),
            branch_id: m.branch_id.as_uuid(),
            group_id: m.group_id.map(|g| g.as_uuid()),
            leading_cadre: m.leading_cadre,
            probationary: m.probationary,
            status: m.status.into(),
        }
    }
}
