//! Starting a township: its committee (the root of a new org tree) and the first township
//! admin, written together so a real township can begin without the demo or raw SQL.
//!
//! A member belongs to exactly one branch, and a committee is not a branch, so the admin
//! needs a branch to belong to. They are placed in the committee's office branch
//! (`镇机关党支部` unless named otherwise, sector 机关事业单位), created with the committee:
//! that is where the township's own staff belong (the demo's admin belongs there too), and
//! a later roster import naming the admin's phone may move them to another branch (the
//! TownshipAdmin role stays on the committee).

use chrono::{DateTime, Utc};

use super::model::{
    Member, MemberCategory, MemberId, MemberStatus, Org, OrgId, OrgKind, OrgPath, OrgSector,
    RoleGrant, RoleGrantId, RoleKind,
};
use super::phone::PhoneNumber;
use super::roster::parse_sector;
use crate::audit::{AuditAction, AuditEntry, AuditId, NewAuditEntry};
use crate::error::RepoError;
use crate::uow::UnitOfWork;

/// The office branch's name when none is given.
pub const DEFAULT_OFFICE_BRANCH: &str = "镇机关党支部";

/// What the operator asked for, as typed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TownshipRequest {
    pub committee: String,
    /// `rural`, `government`, `enterprise`, `school_hospital` or the roster's Chinese names.
    pub sector: String,
    pub admin_name: String,
    pub admin_phone: String,
    /// The admin's branch; [`DEFAULT_OFFICE_BRANCH`] when `None`.
    pub office_branch: Option<String>,
}

/// Everything [`found`] writes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewTownship {
    pub committee: Org,
    pub office_branch: Org,
    pub admin: Member,
    pub grant: RoleGrant,
}

/// Why a township was not started; nothing was written.
#[derive(Debug, thiserror::Error)]
pub enum FoundError {
    /// Every bad argument, each naming its option.
    #[error("{}", .0.join("\n"))]
    Invalid(Vec<String>),
    #[error(
        "--committee {name}：已有同名镇党委（id {id}），未写入任何数据；再次运行 init 不会重复创建"
    )]
    CommitteeExists { name: String, id: OrgId },
    #[error("--admin-phone {phone}：该手机号已属于党员（id {member}），未写入任何数据；可用 `api grant` 给该党员授予 township_admin")]
    PhoneTaken { phone: String, member: MemberId },
    #[error(transparent)]
    Store(#[from] RepoError),
}

/// Checks the request and builds the records (pure: no storage touched).
pub fn plan(req: &TownshipRequest, now: DateTime<Utc>) -> Result<NewTownship, FoundError> {
    let mut errors = Vec::new();
    let committee_name = Org::validate_name(&req.committee)
        .map_err(|_| {
            errors.push(format!(
                "--committee：名称须为 1-{} 个可打印字符",
                Org::MAX_NAME_CHARS
            ))
        })
        .ok();
    let branch_raw = req
        .office_branch
        .as_deref()
        .unwrap_or(DEFAULT_OFFICE_BRANCH);
    let branch_name = Org::validate_name(branch_raw)
        .map_err(|_| {
            errors.push(format!(
                "--office-branch：名称须为 1-{} 个可打印字符",
                Org::MAX_NAME_CHARS
            ))
        })
        .ok();
    let sector = parse_sector(&req.sector)
        .ok_or_else(|| {
            errors.push(format!(
                "--sector {}：应为 rural（农村）、government（机关事业单位）、enterprise（非公企业和社会组织）或 school_hospital（学校、卫生院）",
                req.sector.trim()
            ))
        })
        .ok();
    let admin_name = Member::validate_name(&req.admin_name)
        .map_err(|_| {
            errors.push(format!(
                "--admin-name：姓名须为 1-{} 个可打印字符",
                Member::MAX_NAME_CHARS
            ))
        })
        .ok();
    let phone = PhoneNumber::parse(&req.admin_phone)
        .map_err(|_| errors.push("--admin-phone：应为 11 位大陆手机号".to_owned()))
        .ok();
    let (Some(committee_name), Some(branch_name), Some(sector), Some(admin_name), Some(phone)) =
        (committee_name, branch_name, sector, admin_name, phone)
    else {
        return Err(FoundError::Invalid(errors));
    };
    let committee_id = OrgId::at(now);
    let committee = Org {
        id: committee_id,
        parent_id: None,
        kind: OrgKind::Committee,
        sector,
        name: committee_name,
        path: OrgPath::root(committee_id),
        created_at: now,
    };
    let branch_id = OrgId::at(now);
    let office_branch = Org {
        id: branch_id,
        parent_id: Some(committee_id),
        kind: OrgKind::Branch,
        // The township's own offices: Monday-evening-or-Saturday theme days.
        sector: OrgSector::Government,
        name: branch_name,
        path: committee.path.child(branch_id),
        created_at: now,
    };
    let admin = Member {
        id: MemberId::at(now),
        name: admin_name,
        phone,
        category: MemberCategory::InService,
        branch_id,
        group_id: None,
        branch_path: office_branch.path.clone(),
        // A member of the township committee (组织委员) is a leading cadre.
        leading_cadre: true,
        probationary: false,
        status: MemberStatus::Active,
        created_at: now,
        updated_at: now,
    };
    let grant = RoleGrant {
        id: RoleGrantId::at(now),
        member_id: admin.id,
        kind: RoleKind::TownshipAdmin,
        org_id: committee_id,
        org_path: committee.path.clone(),
        can_review: false,
        granted_at: now,
    };
    Ok(NewTownship {
        committee,
        office_branch,
        admin,
        grant,
    })
}

/// Writes the township in `uow` with one audit entry, unless a committee of that name or a
/// member with that phone exists. The caller commits; on an error it drops `uow`, which
/// writes nothing.
pub async fn found(
    uow: &dyn UnitOfWork,
    req: &TownshipRequest,
    now: DateTime<Utc>,
) -> Result<NewTownship, FoundError> {
    let new = plan(req, now)?;
    if let Some(existing) = uow
        .orgs()
        .roots()
        .await?
        .into_iter()
        .find(|o| o.name == new.committee.name)
    {
        return Err(FoundError::CommitteeExists {
            name: existing.name,
            id: existing.id,
        });
    }
    if let Some(member) = uow.members().find_by_phone(&new.admin.phone).await? {
        return Err(FoundError::PhoneTaken {
            phone: new.admin.phone.masked(),
            member: member.id,
        });
    }
    uow.orgs().insert(&new.committee).await?;
    uow.orgs().insert(&new.office_branch).await?;
    uow.members().insert(&new.admin).await?;
    uow.roles().insert(&new.grant).await?;
    let entry = AuditEntry::record(
        AuditId::at(now),
        NewAuditEntry {
            actor: None,
            action: AuditAction::known("township.init"),
            object_type: "org".to_owned(),
            object_id: new.committee.id.to_string(),
            org_id: Some(new.committee.id.as_uuid()),
            org_path: Some(new.committee.path.as_str().to_owned()),
            request_id: None,
        },
        now,
    );
    uow.audit().append(&entry).await?;
    Ok(new)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request() -> TownshipRequest {
        TownshipRequest {
            committee: " 盖北镇党委 ".into(),
            sector: "农村".into(),
            admin_name: "张明".into(),
            admin_phone: "+86 138-0000-0001".into(),
            office_branch: None,
        }
    }

    fn now() -> DateTime<Utc> {
        "2026-11-05T00:30:00Z".parse().unwrap_or_default()
    }

    #[test]
    fn the_admin_belongs_to_the_office_branch_and_administers_the_committee() {
        let Ok(t) = plan(&request(), now()) else {
            panic!("a valid request")
        };
        assert_eq!(t.committee.name, "盖北镇党委");
        assert_eq!(t.committee.sector, OrgSector::Rural);
        assert_eq!(t.committee.kind, OrgKind::Committee);
        assert_eq!(t.office_branch.parent_id, Some(t.committee.id));
        assert_eq!(t.office_branch.name, DEFAULT_OFFICE_BRANCH);
        assert_eq!(t.office_branch.sector, OrgSector::Government);
        assert!(t.committee.path.covers(&t.office_branch.path));
        assert_eq!(t.admin.branch_id, t.office_branch.id);
        assert_eq!(t.admin.phone.as_str(), "13800000001");
        assert_eq!(t.grant.kind, RoleKind::TownshipAdmin);
        assert_eq!(t.grant.org_id, t.committee.id);
        assert_eq!(t.grant.member_id, t.admin.id);
        assert!(super::super::service::role_fits(
            t.grant.kind,
            t.committee.kind
        ));
    }

    #[test]
    fn sectors_are_read_in_english_or_as_the_roster_writes_them() {
        for (raw, sector) in [
            ("rural", OrgSector::Rural),
            ("government", OrgSector::Government),
            ("机关事业单位", OrgSector::Government),
            ("enterprise", OrgSector::Enterprise),
            ("school_hospital", OrgSector::SchoolHospital),
            ("学校、卫生院", OrgSector::SchoolHospital),
        ] {
            let req = TownshipRequest {
                sector: raw.into(),
                ..request()
            };
            assert_eq!(
                plan(&req, now()).map(|t| t.committee.sector).ok(),
                Some(sector)
            );
        }
    }

    #[test]
    fn every_bad_argument_is_named_at_once() {
        let req = TownshipRequest {
            committee: "".into(),
            sector: "urban".into(),
            admin_name: " ".into(),
            admin_phone: "12345".into(),
            office_branch: Some("\u{7}".into()),
        };
        match plan(&req, now()) {
            Err(FoundError::Invalid(errors)) => {
                let all = errors.join("\n");
                for option in [
                    "--committee",
                    "--sector urban",
                    "--admin-name",
                    "--admin-phone",
                    "--office-branch",
                ] {
                    assert!(all.contains(option), "{option}: {all}");
                }
            }
            other => panic!("expected Invalid, got {other:?}"),
        }
    }
}
