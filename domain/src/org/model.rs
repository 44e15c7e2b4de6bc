use crate::error::ErrorCode;
use crate::text::clean_text;
use chrono::{DateTime, Utc};

use super::phone::PhoneNumber;
use crate::error::FieldError;

crate::define_id!(
    /// Identifies an org (a node of the organisation tree).
    OrgId
);
crate::define_id!(
    /// Identifies a Party member.
    MemberId
);
crate::define_id!(
    /// Identifies one role held by one member on one org.
    RoleGrantId
);

use crate::string_enum::string_enum;

string_enum!(
    /// 镇党委 / 党总支 / 党支部 / 党小组.
    OrgKind {
        Committee => "committee",
        GeneralBranch => "general_branch",
        Branch => "branch",
        Group => "group",
    }
);

impl OrgKind {
    /// Which kinds may sit directly under this one: a committee holds general branches and
    /// branches (offices, enterprises and schools have branches straight under the
    /// township), a general branch holds branches, a branch holds groups.
    pub fn may_contain(&self, child: OrgKind) -> bool {
        matches!(
            (self, child),
            (OrgKind::Committee, OrgKind::GeneralBranch | OrgKind::Branch)
                | (OrgKind::GeneralBranch, OrgKind::Branch)
                | (OrgKind::Branch, OrgKind::Group)
        )
    }
}

string_enum!(
    /// 农村 / 机关事业单位 / 非公企业和社会组织 / 学校、卫生院: decides theme-day scheduling.
    OrgSector {
        Rural => "rural",
        Government => "government",
        Enterprise => "enterprise",
        SchoolHospital => "school_hospital",
    }
);

string_enum!(
    /// 在职 / 农村 / 离退休 / 年老体弱 / 流动 党员.
    MemberCategory {
        InService => "in_service",
        Rural => "rural",
        Retired => "retired",
        Frail => "frail",
        Mobile => "mobile",
    }
);

string_enum!(
    MemberStatus {
        Active => "active",
        TransferredOut => "transferred_out",
        Deactivated => "deactivated",
    }
);

string_enum!(
    /// 书记 / 支委 / 镇党委组织委员 / 96345 热线接线员.
    RoleKind {
        Secretary => "secretary",
        Committee => "committee",
        TownshipAdmin => "township_admin",
        HotlineOperator => "hotline_operator",
    }
);

/// A materialised path: the ids of an org and its ancestors, root first, as
/// `/<root>/<child>/…/` with each id in 32-digit hex. "X is under Y" is a prefix test, and
/// "everything under Y" a range scan `path >= p AND path < p_next` on an indexed column.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct OrgPath(String);

impl OrgPath {
    pub fn root(id: OrgId) -> Self {
        Self(format!("/{}/", id.as_uuid().simple()))
    }

    pub fn child(&self, id: OrgId) -> Self {
        Self(format!("{}{}/", self.0, id.as_uuid().simple()))
    }

    /// Accepts a stored path: `/`-delimited 32-digit lower-case hex segments.
    pub fn parse(raw: &str) -> Option<Self> {
        let inner = raw.strip_prefix('/')?.strip_suffix('/')?;
        let ok = !inner.is_empty()
            && inner.split('/').all(|seg| {
                seg.len() == 32
                    && seg
                        .bytes()
                        .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
            });
        ok.then(|| Self(raw.to_owned()))
    }

    /// True when `other` is this org or lies below it.
    pub fn covers(&self, other: &OrgPath) -> bool {
        other.0.starts_with(&self.0)
    }

    /// The org at the top of this path (the committee whose tree it is in).
    pub fn root_id(&self) -> Option<OrgId> {
        self.segments().next()
    }

    /// The org this path names.
    pub fn last_id(&self) -> Option<OrgId> {
        self.segments().last()
    }

    /// The orgs on this path, the root first and this org last.
    /// This path and every path above it, the root first.
    pub fn lineage(&self) -> Vec<OrgPath> {
        let mut out: Vec<OrgPath> = Vec::new();
        for id in self.ids() {
            let next = match out.last() {
                None => OrgPath::root(id),
                Some(p) => p.child(id),
            };
            out.push(next);
        }
        out
    }

    pub fn ids(&self) -> impl Iterator<Item = OrgId> + '_ {
        self.segments()
    }

    fn segments(&self) -> impl Iterator<Item = OrgId> + '_ {
        self.0
            .split('/')
            .filter(|s| !s.is_empty())
            .filter_map(|s| uuid::Uuid::parse_str(s).ok())
            .map(OrgId::from_uuid)
    }

    pub fn depth(&self) -> usize {
        self.0.matches('/').count() - 1
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Org {
    pub id: OrgId,
    pub parent_id: Option<OrgId>,
    pub kind: OrgKind,
    pub sector: OrgSector,
    pub name: String,
    pub path: OrgPath,
    pub created_at: DateTime<Utc>,
}

impl Org {
    pub const MAX_NAME_CHARS: usize = 64;

    /// Trimmed, 1 to [`Self::MAX_NAME_CHARS`] printable characters.
    pub fn validate_name(raw: &str) -> Result<String, FieldError> {
        clean_text(
            raw,
            Self::MAX_NAME_CHARS,
            "/name",
            ErrorCode::OrgNameInvalid,
        )
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Member {
    pub id: MemberId,
    pub name: String,
    pub phone: PhoneNumber,
    pub category: MemberCategory,
    pub branch_id: OrgId,
    pub group_id: Option<OrgId>,
    /// The path of the member's branch: every scope question about a member is asked of it.
    pub branch_path: OrgPath,
    pub leading_cadre: bool,
    /// A probationary member (预备党员): takes part in appraisal but is not graded.
    pub probationary: bool,
    pub status: MemberStatus,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Member {
    pub const MAX_NAME_CHARS: usize = 32;

    /// Trimmed, 1 to [`Self::MAX_NAME_CHARS`] printable characters.
    pub fn validate_name(raw: &str) -> Result<String, FieldError> {
        clean_text(
            raw,
            Self::MAX_NAME_CHARS,
            "/name",
            ErrorCode::MemberNameInvalid,
        )
    }

    pub fn is_active(&self) -> bool {
        self.status == MemberStatus::Active
    }
}

/// One role held by one member on one org, covering that org's subtree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoleGrant {
    pub id: RoleGrantId,
    pub member_id: MemberId,
    pub kind: RoleKind,
    pub org_id: OrgId,
    pub org_path: OrgPath,
    /// Only meaningful for committee members: may review check-ins and exemptions.
    pub can_review: bool,
    pub granted_at: DateTime<Utc>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_cover_exactly_their_subtree() {
        let committee = OrgPath::root(OrgId::new());
        let branch = committee.child(OrgId::new());
        let group = branch.child(OrgId::new());
        let other_branch = committee.child(OrgId::new());
        assert!(committee.covers(&group));
        assert!(branch.covers(&branch));
        assert!(branch.covers(&group));
        assert!(!branch.covers(&other_branch));
        assert!(!group.covers(&branch));
        assert_eq!(group.depth(), 3);
        assert_eq!(OrgPath::parse(group.as_str()), Some(group.clone()));
        assert_eq!(OrgPath::parse("/abc/"), None);
        assert_eq!(OrgPath::parse("/' OR 1=1 --/"), None);
        assert_eq!(group.lineage(), [committee, branch, group.clone()]);
    }

    #[test]
    fn the_tree_nests_committee_general_branch_branch_group() {
        use OrgKind::*;
        assert!(Committee.may_contain(GeneralBranch));
        assert!(Committee.may_contain(Branch));
        assert!(GeneralBranch.may_contain(Branch));
        assert!(Branch.may_contain(Group));
        for kind in OrgKind::ALL {
            assert!(!kind.may_contain(Committee));
            assert!(!Group.may_contain(*kind));
        }
        assert!(!GeneralBranch.may_contain(Group));
    }

    #[test]
    fn stored_names_round_trip() {
        for kind in RoleKind::ALL {
            assert_eq!(RoleKind::parse(kind.as_str()), Some(*kind));
        }
        for c in MemberCategory::ALL {
            assert_eq!(MemberCategory::parse(c.as_str()), Some(*c));
        }
        assert_eq!(
            OrgSector::parse("school_hospital"),
            Some(OrgSector::SchoolHospital)
        );
        assert_eq!(MemberStatus::parse("nope"), None);
    }
}
